// `descent reproduce`: the four papers' headline experiments, each writing a report beside the paper's numbers.
package dev.descent.cli.reproduce;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code descent reproduce sr-adam|clipping|unlearning|erm [--quick] [--data …] [--out DIR]}: runs one
 * experiment of docs/papers.md and writes into its folder a Markdown report (setup, our numbers
 * beside the paper's, a verdict per claim with its criterion, machine and wall time), PNG plots, and
 * CSV files of every raw number. {@code --quick} runs the same pipeline at toy sizes in seconds and
 * its report says that it claims nothing. {@code descent reproduce index DIR} writes the README that
 * links the reports in DIR. Each subcommand only turns options into the experiment's config record;
 * the experiments live in bench ({@code dev.descent.bench.reproduce}).
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Reproduce a paper's headline result and write a report beside the paper's numbers (see docs/papers.md).",
            "Each experiment writes report.md, PNG plots and CSV files of every raw number into its folder."},
        subcommands = {SrAdamCommand.class, ClippingCommand.class, UnlearningCommand.class, ErmCommand.class, IndexCommand.class})
public final class ReproduceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without an experiment: print the usage and fail (exit code 2). */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name an experiment: sr-adam, clipping, unlearning or erm");
    }
}
