package dev.descent.spark;

import dev.descent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * One in-process run of {@code descent ...}: exit code, standard output and standard error.
 *
 * @param code the exit code
 * @param out  standard output
 * @param err  standard error (picocli's error writer, where one-line failures go)
 */
record CommandRun(int code, String out, String err) {
    static CommandRun of(String... args) {
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

    String all() {
        return out + err;
    }
}
