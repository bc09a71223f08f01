// docs/papers.md §2 as an Experiment: teacher–student runs sweeping c2 and a0, measuring feature unlearning.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code descent reproduce unlearning}: Imai, Nishiyama &amp; Imaizumi's feature learning and unlearning
 * (docs/papers.md §2). A two-layer network learns a single-index teacher by online large-batch SGD in
 * float64 with one learning rate per layer ({@link UnlearningRun}); claim (i): a larger c2 gives a
 * larger drop of the alignment from its peak; claim (ii): a larger a0 gives a smaller drop.
 */
public final class UnlearningExperiment implements Experiment<UnlearningConfig, UnlearningOutcome> {

    @Override
    public String name() {
        return "unlearning";
    }

    @Override
    public UnlearningOutcome run(UnlearningConfig config, Path out, PrintStream log) throws IOException {
        return UnlearningRun.run(config, out, log);
    }

    @Override
    public Report report(UnlearningConfig config, UnlearningOutcome outcome, Path out) throws IOException {
        return UnlearningReport.report(config, outcome, out);
    }

    @Override
    public String summary(UnlearningConfig config, UnlearningOutcome outcome) {
        return UnlearningReport.summary(config, outcome);
    }
}
