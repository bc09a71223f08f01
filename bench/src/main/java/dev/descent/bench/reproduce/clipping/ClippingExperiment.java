// docs/papers.md §4 as an Experiment: the x⁴ table, then SGD+momentum against the clipping family on a network.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code descent reproduce clipping}: the clipping papers (docs/papers.md §4). Part one is the x⁴ table:
 * iterations of clipped GD and of the best stable fixed-step GD from x0 = 3, 10, 30, 100, computed
 * exactly. Part two trains a network with SGD+momentum (dampened), clipped SGD, clipped momentum and
 * mixed clipping at the paper's CIFAR-10 settings, dividing η and γ by 10 at a milestone; the claims:
 * before the decay mixed clipping's training loss is at least 20 % below SGD+momentum's, and the final
 * test accuracies agree within about a point.
 */
public final class ClippingExperiment implements Experiment<ClippingConfig, ClippingOutcome> {

    @Override
    public String name() {
        return "clipping";
    }

    @Override
    public ClippingOutcome run(ClippingConfig config, Path out, PrintStream log) throws IOException {
        return ClippingRun.run(config, out, log);
    }

    @Override
    public Report report(ClippingConfig config, ClippingOutcome outcome, Path out) throws IOException {
        return ClippingReport.report(config, outcome, out);
    }

    @Override
    public String summary(ClippingConfig config, ClippingOutcome outcome) {
        return ClippingReport.summary(config, outcome);
    }
}
