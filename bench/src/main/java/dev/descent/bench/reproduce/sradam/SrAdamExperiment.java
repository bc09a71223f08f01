// docs/papers.md §1 as an Experiment: SR-Adam against Adam on SimpleCNN, at a large and a small batch size.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code descent reproduce sr-adam}: Arashi &amp; Amintoosi's Stein-rule Adam (docs/papers.md §1) against Adam
 * on SimpleCNN, in the paper's two sweeps — batch sizes at input noise 0.05 and noise levels at batch 512 — with
 * budgets matched in optimizer steps: Adam, SR-Adam on the convolution layers with the published (whitened, c = 0.1)
 * statistics and with the paper's formula, SR-Adam on all parameters, two mechanism controls (σ² from the raw
 * gradient's bias-corrected moments; Adam with β1 = 0.99 on the convolution layers) and SGD / momentum baselines.
 * Every configuration runs with the same seeds, so each seed's runs share the initial weights, the batches and the
 * augmentation, and every claim is judged by a paired 95 % interval ({@link SrAdamOutcome#verdicts}).
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
