// `descent reproduce`: the four papers' headline experiments, each writing a report beside the paper's numbers.
package dev.descent.bench.reproduce;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code descent reproduce sr-adam|clipping|unlearning|erm [--quick] [--data …] [--out DIR]}: runs one
 * experiment of docs/papers.md and writes into its folder a Markdown report (setup, our numbers
 * beside the paper's, a verdict per claim with its criterion, machine and wall time), PNG plots, and
 * CSV files of every raw number. {@code --quick} runs the same pipeline at toy sizes in seconds and
 * its report says that it claims nothing. {@code descent reproduce index DIR} writes the README that
 * links the reports in DIR.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Reproduce a paper's headline result and write a report beside the paper's numbers (see docs/papers.md).",
            "Each experiment writes report.md, PNG plots and CSV files of every raw number into its folder."},
        subcommands = {SrAdamExperiment.Cli.class, ClippingExperiment.Cli.class, UnlearningExperiment.Cli.class, ErmExperiment.Cli.class,
            ReproductionIndex.Cli.class})
public final class ReproduceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without an experiment: print the usage and fail (exit code 2). */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name an experiment: sr-adam, clipping, unlearning or erm");
    }

    /** The options every experiment takes. */
    public static final class Common {
        @Option(names = "--quick", description = "toy sizes: checks the pipeline end to end in seconds; the report claims nothing")
        boolean quick;
        @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: runs/reproduce-EXPERIMENT[-quick])")
        Path out;
        @Option(names = "--threads", description = "kernel threads (default: all processors)")
        int threads;
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        /**
         * The folder to write into.
         *
         * @param experiment the experiment's name
         * @return {@code --out}, or the default
         */
        Path out(String experiment) {
            return out != null ? out : Path.of("runs", "reproduce-" + experiment + (quick ? "-quick" : ""));
        }

        /**
         * The command line as typed, for the report.
         *
         * @return {@code descent reproduce …}
         */
        String command() {
            List<String> args = spec.commandLine().getParseResult().originalArgs();
            return "descent " + String.join(" ", args);
        }
    }

    /** Prints where the results went and the verdicts, and returns the exit code. */
    static int done(String experiment, Path out, List<Verdict> verdicts, boolean quick, PrintStream log) {
        log.printf(Locale.ROOT, "%s: report %s%s%n", experiment, out.resolve("report.md"), quick ? " (quick mode: it claims nothing about the paper)" : "");
        for (Verdict v : verdicts) log.printf(Locale.ROOT, "  %s — %s%n", v.outcome().label(), v.claim());
        return 0;
    }

    /** Checks that an experiment's output folder is usable before hours of work go into it. */
    static void prepare(Path out) throws IOException {
        Files.createDirectories(out);
        if (!Files.isWritable(out)) throw new IOException("cannot write into " + out);
    }
}
