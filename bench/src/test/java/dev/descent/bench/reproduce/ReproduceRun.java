// Runs `descent reproduce …` (the ReproduceCommand alone) in this JVM and captures its exit code and output.
package dev.descent.bench.reproduce;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The result of one in-process run of {@code descent reproduce}.
 *
 * @param code the exit code
 * @param out  what went to standard output
 * @param err  what went to standard error
 */
record ReproduceRun(int code, String out, String err) {

    /** Runs {@code descent reproduce args…} with standard output captured. */
    static ReproduceRun of(String... args) {
        CommandLine cl = new CommandLine(new ReproduceCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> { // as the cli's Main: a caller's mistake exits with 2
            if (!(e instanceof IllegalArgumentException)) throw e;
            cmd.getErr().println("descent: " + e.getMessage());
            return 2;
        });
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new ReproduceRun(cl.execute(args), buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    /** Everything printed, for assertion messages. */
    String all() {
        return out + err;
    }
}
