// docs/papers.md §1 as an Experiment: SR-Adam against Adam on SimpleCNN, at a large and a small batch size.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code descent reproduce sr-adam}: Arashi &amp; Amintoosi's Stein-rule Adam (docs/papers.md §1) against Adam
 * on SimpleCNN with input noise 0.05, at batch 512 and batch 64: Adam, SR-Adam on the convolution
 * layers with the paper's formula, the same with the authors' whitened statistics, and SR-Adam on all
 * parameters. Every configuration runs with the same seeds, so each seed's runs share the initial
 * weights, the batches and the augmentation. The claims: at batch 512 SR-Adam beats Adam by at least
 * 0.5 points of mean best test accuracy; shrinking all parameters does worse than Adam; at batch 64
 * SR-Adam is not above Adam.
 */
public final class SrAdamExperiment implements Experiment<SrAdamConfig, SrAdamOutcome> {

    @Override
    public String name() {
        return "sr-adam";
    }

    @Override
    public SrAdamOutcome run(SrAdamConfig config, Path out, PrintStream log) throws IOException {
        return SrAdamRun.run(config, out, log);
    }

    @Override
    public Report report(SrAdamConfig config, SrAdamOutcome outcome, Path out) throws IOException {
        return SrAdamReport.report(config, outcome, out);
    }

    @Override
    public String summary(SrAdamConfig config, SrAdamOutcome outcome) {
        return SrAdamReport.summary(config, outcome);
    }
}
