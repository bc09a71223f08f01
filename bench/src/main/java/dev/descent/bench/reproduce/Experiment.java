// The skeleton every reproduction follows: a config record, a run that writes CSV, an outcome with verdicts, a report.
package dev.descent.bench.reproduce;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * One reproduction of docs/papers.md, in four steps that {@link Reproduction#run} drives:
 * <ol>
 *   <li>a {@link Config} record holds every setting (validated when it is built, naming the bad value);</li>
 *   <li>{@link #run} computes and writes every raw number as CSV into the output folder;</li>
 *   <li>the {@link Outcome} it returns holds the measured rows and the {@link Verdict}s computed from
 *       them alone — so reading the CSV files back gives the same verdicts;</li>
 *   <li>{@link #report} turns config and outcome into the Markdown report and its plots, and
 *       {@link #summary} into the one line the index of reproductions shows.</li>
 * </ol>
 *
 * @param <C> the settings
 * @param <O> what a run produced
 */
public interface Experiment<C extends Experiment.Config, O extends Experiment.Outcome> {

    /** An experiment's settings. */
    interface Config {
        /**
         * Whether the run uses toy sizes (its report then claims nothing).
         *
         * @return quick mode
         */
        boolean quick();

        /**
         * Rejects a missing or empty list of values.
         *
         * @param option the option that sets them, for the message
         * @param values the values
         * @param <T>    their type
         * @throws IllegalArgumentException naming the option
         */
        static <T> void requireNonEmpty(String option, List<T> values) {
            if (values == null || values.isEmpty()) throw new IllegalArgumentException(option + " needs at least one value");
        }
    }

    /** What a run produced: its measurements and the verdicts computed from them. */
    interface Outcome {
        /**
         * One verdict per claim, in the report's order.
         *
         * @return the verdicts
         */
        List<Verdict> verdicts();
    }

    /**
     * The experiment's name: its subcommand, its default folder and its place in the index.
     *
     * @return e.g. {@code clipping}
     */
    String name();

    /**
     * Runs the experiment, writing its CSV files into {@code out}.
     *
     * @param config the settings
     * @param out    the output folder (exists)
     * @param log    progress lines
     * @return the measurements and verdicts
     * @throws IOException when data cannot be read or a file cannot be written
     */
    O run(C config, Path out, PrintStream log) throws IOException;

    /**
     * The report of a run, without its provenance (the runner adds it); writes the plots it shows into {@code out}.
     *
     * @param config  the settings
     * @param outcome what the run produced
     * @param out     the output folder
     * @return the report
     * @throws IOException when a plot cannot be written
     */
    Report report(C config, O outcome, Path out) throws IOException;

    /**
     * One Markdown line for the index of reproductions, linking the report.
     *
     * @param config  the settings
     * @param outcome what the run produced
     * @return the line, without a line break
     */
    String summary(C config, O outcome);
}
