// The reproduce command line: bad input exits with code 2 and a message; the index links the reports.
package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent reproduce}'s options and the generated index of a reproductions folder. */
class ReproduceCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnExperimentOrWithAnUnknownOneItExitsWithTwo() {
        CommandRun none = CommandRun.of("reproduce");
        assertEquals(2, none.code(), none.all());
        assertTrue(none.err().contains("name an experiment"), none.err());
        CommandRun unknown = CommandRun.of("reproduce", "nonsense");
        assertEquals(2, unknown.code(), unknown.all());
    }

    @Test
    void badValuesExitWithTwoNamingTheOption() {
        for (String[] args : new String[][] {
            {"reproduce", "erm", "--quick", "--lrs", "-1", "--out", dir.resolve("a").toString()},
            {"reproduce", "unlearning", "--quick", "--activation", "sine", "--out", dir.resolve("b").toString()},
            {"reproduce", "sr-adam", "--quick", "--all-params-variant", "both", "--out", dir.resolve("c").toString()},
            {"reproduce", "clipping", "--quick", "--milestone", "5", "--out", dir.resolve("d").toString()},
            {"reproduce", "clipping", "--part", "everything", "--out", dir.resolve("e").toString()}}) {
            CommandRun r = CommandRun.of(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.all());
            assertTrue(r.err().contains("--"), "the message names the option: " + r.err());
        }
    }

    @Test
    void theIndexLinksEachReportInTheIssuesOrder() throws Exception {
        for (String e : new String[] {"erm", "clipping", "other"}) {
            Files.createDirectories(dir.resolve(e));
            Files.writeString(dir.resolve(e).resolve("summary.md"), "[" + e + "](" + e + "/report.md): one line\n");
        }
        Files.createDirectories(dir.resolve("empty"));
        CommandRun r = CommandRun.of("reproduce", "index", dir.toString());
        assertEquals(0, r.code(), r.all());
        String md = Files.readString(dir.resolve("README.md"));
        int clipping = md.indexOf("- [clipping]"), erm = md.indexOf("- [erm]"), other = md.indexOf("- [other]");
        assertTrue(clipping > 0 && clipping < erm && erm < other, md);
        assertTrue(!md.contains("empty"), md);
    }
}
