// What `descent` with no command, `--help` and the command listing show.
package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The help: bare {@code descent} prints it (it used to start a training run), it lists the launcher's own commands, and no line is cut. */
class HelpTest {
    @TempDir
    Path dir;

    @Test
    void bareDescentPrintsTheHelpAndTrainsNothing() throws Exception {
        Path log = dir.resolve("bare.log");
        Process p = TrainCommandTest.launch(List.of(), log, dir);
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        String out = Files.readString(log);
        assertTrue(ended, "bare descent still running after 60 s (training?):\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Usage: descent") && out.contains("train"), out);
        assertTrue(!Files.exists(dir.resolve("runs")), "bare descent wrote a run folder");
    }

    @Test
    void theHelpListsTheLaunchersOwnCommands() {
        CommandRun r = CommandRun.of("--help");
        assertEquals(0, r.code(), r.all());
        for (String c : new String[] {"  test ", "  build ", "  java-home "}) assertTrue(r.out().contains(c), "no '" + c.trim() + "' in\n" + r.out());
    }

    @Test
    void everyCommandsListedDescriptionIsAWholeSentence() {
        // The listing of subcommands shows the first description line only: it must not stop mid-sentence.
        List<String> cut = new ArrayList<>();
        List<CommandLine> todo = new ArrayList<>(List.of(Main.commandLine()));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(0);
            todo.addAll(c.getSubcommands().values());
            String[] d = c.getCommandSpec().usageMessage().description();
            if (d.length > 0 && !d[0].strip().endsWith(".")) cut.add(c.getCommandSpec().qualifiedName() + ": " + d[0]);
        }
        assertTrue(cut.isEmpty(), "first description lines cut mid-sentence:\n" + String.join("\n", cut));
    }

    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        // Descriptions go through String.format: a lone '%' makes picocli print a warning and the raw text.
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> names = new ArrayList<>();
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            List<CommandLine> todo = new ArrayList<>(List.of(Main.commandLine()));
            while (!todo.isEmpty()) {
                CommandLine c = todo.remove(0);
                todo.addAll(c.getSubcommands().values());
                names.add(c.getCommandSpec().qualifiedName());
                c.getUsageMessage();
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(names.size() > 10, "walked " + names);
        assertTrue(!warnings.contains("WARN"), "help of some command warned:\n" + warnings);
    }
}
