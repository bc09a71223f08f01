// docs/papers.md §3 as an Experiment: projected GD on Feldman's instance, its generalisation gap against ηT.
package dev.descent.bench.reproduce.erm;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code descent reproduce erm}: Burla &amp; Livni's claim (docs/papers.md §3) that projected gradient descent
 * with step η and horizon T can have a generalisation gap of order √(ηT/m^1.5), measured on Feldman's
 * base instance, which is fully specified (the paper's extra noise and regularisation terms are not
 * public; {@link ErmRun} says what stands in for them). The exact check: a codeword that no sample
 * contains has empirical loss 1/2 and population loss 3/4.
 */
public final class ErmExperiment implements Experiment<ErmConfig, ErmOutcome> {

    @Override
    public String name() {
        return "erm";
    }

    @Override
    public ErmOutcome run(ErmConfig config, Path out, PrintStream log) throws IOException {
        return ErmRun.run(config, out, log);
    }

    @Override
    public Report report(ErmConfig config, ErmOutcome outcome, Path out) throws IOException {
        return ErmReport.report(config, outcome, out);
    }

    @Override
    public String summary(ErmConfig config, ErmOutcome outcome) {
        return ErmReport.summary(outcome);
    }
}
