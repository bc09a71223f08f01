// Runs `descent …` in this JVM and captures its exit code and output, for the tests of the command line.
package dev.descent.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The result of one in-process run of the command line.
 *
 * @param code the exit code
 * @param out  what went to standard output
 * @param err  what went to standard error
 */
public record CommandRun(int code, String out, String err) {

    /** Runs {@code descent args…} with standard output captured. */
    public static CommandRun of(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = cl.execute(args);
            return new CommandRun(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    /** Everything printed, for assertion messages. */
    public String all() {
        return out + err;
    }
}
