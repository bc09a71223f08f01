// The options every `descent reproduce` experiment takes, and the run of an experiment from its config.
package dev.descent.cli.reproduce;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import dev.descent.cli.ThreadsOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --quick}, {@code --out} and {@code --threads} (applied by {@code Main} before parsing), mixed into each experiment's command. */
public final class ReproduceOptions {
    @Option(names = "--quick", description = "toy sizes: checks the pipeline end to end in seconds; the report claims nothing")
    boolean quick;
    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: runs/reproduce-EXPERIMENT[-quick])")
    Path out;
    @Mixin
    ThreadsOption threads;
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The folder to write into: {@code --out}, or {@code runs/reproduce-NAME[-quick]}. */
    Path out(String experiment) {
        return out != null ? out : Path.of("runs", "reproduce-" + experiment + (quick ? "-quick" : ""));
    }

    /** The command line as typed, for the report. */
    String command() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return "descent " + String.join(" ", args);
    }

    /**
     * Prints the headline, runs the experiment into its folder, then prints where the report went and the verdicts.
     *
     * @return the exit code, 0
     */
    <C extends Experiment.Config, O extends Experiment.Outcome> int run(Experiment<C, O> experiment, C config, String settings) throws IOException {
        String name = experiment.name();
        Path folder = out(name);
        System.out.printf(Locale.ROOT, "reproduce %s%s: %s%n", name, config.quick() ? " (quick)" : "", settings);
        O outcome = Reproduction.run(experiment, config, folder, command(), System.out);
        System.out.printf(Locale.ROOT, "%s: report %s%s%n", name, folder.resolve("report.md"), config.quick() ? " (quick mode: it claims nothing about the paper)" : "");
        for (Verdict v : outcome.verdicts()) System.out.printf(Locale.ROOT, "  %s — %s%n", v.outcome().label(), v.claim());
        return 0;
    }
}
