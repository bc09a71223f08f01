// Runs one experiment end to end: folder, run, report with provenance, summary line.
package dev.descent.bench.reproduce;

import dev.descent.core.io.AtomicFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one driver of every {@link Experiment}: checks the output folder before hours of work go into
 * it, runs the experiment, and writes {@code report.md} (with machine, command and wall time) and
 * {@code summary.md} next to the CSV files and plots.
 */
public final class Reproduction {
    private Reproduction() {}

    /**
     * Runs {@code experiment} with {@code config} into {@code out}.
     *
     * @param experiment the experiment
     * @param config     its settings
     * @param out        the output folder (created when missing)
     * @param command    the command line, for the report's provenance
     * @param log        progress lines
     * @param <C>        the settings' type
     * @param <O>        the outcome's type
     * @return the outcome
     * @throws IOException when the folder is not writable, data cannot be read or a file cannot be written
     */
    public static <C extends Experiment.Config, O extends Experiment.Outcome> O run(Experiment<C, O> experiment, C config, Path out, String command,
                                                                                     PrintStream log) throws IOException {
        Files.createDirectories(out);
        if (!Files.isWritable(out)) throw new IOException("cannot write into " + out);
        long t0 = System.nanoTime();
        O outcome = experiment.run(config, out, log);
        double wall = (System.nanoTime() - t0) / 1e9;
        experiment.report(config, outcome, out).provenance(Machine.current(), command, wall).write(out.resolve("report.md"));
        AtomicFile.writeString(out.resolve("summary.md"), experiment.summary(config, outcome) + "\n");
        return outcome;
    }
}
