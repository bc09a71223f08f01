// The SR-Adam reproduction's report, plots and summary line, generated from its config and outcome.
package dev.descent.bench.reproduce.sradam;

import static dev.descent.bench.reproduce.sradam.SrAdamOutcome.bests;
import static dev.descent.bench.reproduce.sradam.SrAdamOutcome.againstAdam;

import dev.descent.bench.ImageSource;
import dev.descent.bench.report.LinePlot;
import dev.descent.bench.reproduce.Budget;
import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Report;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.sradam.SrAdamOutcome.Run;
import dev.descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md} of the SR-Adam experiment (setup, a table per batch size beside the paper's numbers, the factor c, verdicts), plots, summary. */
final class SrAdamReport {
    private SrAdamReport() {}

    static Report report(SrAdamConfig cfg, SrAdamOutcome o, Path out) throws IOException {
        List<Run> runs = o.runs();
        ImageSource data = o.data();
        plots(cfg, runs, out);
        Report r = new Report("SR-Adam: Stein-rule shrinkage Adam (Arashi & Amintoosi, arXiv 2602.01777)", cfg.quick());
        r.paragraph("What the paper claims ([docs/papers.md §1](../../papers.md#1-stein-rule-adam-sr-adam)):"
                + " shrinking each mini-batch gradient of the convolution layers toward Adam's first moment"
                + " with a positive-part James–Stein factor improves on Adam at batch 512 (CIFAR-10, input noise 0.05: 75.84 vs 73.95 % best test"
                + " accuracy); shrinking all parameters does worse than Adam; and at small batches shrinkage does not help (batch 64: 72.02 vs 76.17)."
                + " The published numbers were produced by the authors' code, which computes the statistics on whitened differences, so its factor"
                + " is the constant c_min = 0.1 — this run reports both the paper's formula and that whitened variant.");
        r.paragraph(data.statement());
        r.section("Setup");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", data.description() + ": " + data.train().size() + " training images (class-stratified subset, drawn once with seed "
                + cfg.subsetSeed() + "), " + data.test().size() + " test images" + (cfg.testSubset() == 0 ? " (the full test set)" : " (the first ones)"));
        s.put("training transforms", data.transformsDescription(true, cfg.mainNoise()) + "; input-noise levels " + cfg.inputNoises()
                + " (the first for the batch sweep, the others at batch " + cfg.mainBatch() + ")");
        s.put("model", String.format(Locale.ROOT, "SimpleCNN for %d×%d×%d inputs, %d classes: %,d parameters (conv 32 and 64 channels, dense 128, dropout 0.2)",
                data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(), o.parameters()));
        s.put("batch sizes", cfg.batchSizes() + " (the claims' large batch: " + cfg.mainBatch() + ", small: " + cfg.smallBatch() + ")");
        s.put("cells and their optimizers", String.join("; ", cfg.cells().stream().map(c -> "batch " + c.batch() + ", noise " + Statistics.sig(c.noise())
                + ": " + String.join(", ", cfg.armsIn(c).stream().map(SrAdamArm::key).toList())).toList())
                + " (the paper's layout: all-parameter SR-Adam and the SGD baselines in its noise table, the mechanism controls in the batch sweep)");
        s.put("epochs", cfg.epochs());
        s.put("seeds", cfg.seeds() + " (per seed, every optimizer starts from the same weights and sees the same batches, augmentation and noise)");
        s.put("loss", "cross-entropy; no weight decay; no schedule");
        s.put("Adam", "lr " + cfg.lr() + ", β1 0.9, β2 0.999, ε 1e-8 added to the uncorrected sqrt(v) as in [docs/papers.md §1](../../papers.md#1-stein-rule-adam-sr-adam)"
                + " (`paper_epsilon`), so that Adam is exactly SR-Adam with c ≡ 1");
        s.put("SR-Adam (conv, …)", "two groups: the Conv2d weights and biases shrink (one factor), every other parameter is plain Adam; lr " + cfg.lr()
                + ", β1 0.9, β2 0.999, ε 1e-8, warm-up 5 steps, c_min 0.1, c_max 1; paper formula or whitened (authors' code) statistics");
        s.put("SR-Adam (all parameters)", "one shrinking group with every parameter, " + cfg.allVariant().name().toLowerCase(Locale.ROOT) + " statistics");
        s.put("mechanism controls", "SR-Adam (conv) with σ² from bias-corrected moments of the raw gradient (`RAW_MOMENTS`: does an adaptive factor"
                + " help?), and Adam with β1 = 0.99 on the conv layers only (the whitened variant's c = 0.1 makes its first moment"
                + " 0.99·m + 0.01·g there: is the gain just a longer average?)");
        s.put("baselines", "SGD and SGD with momentum 0.9, lr " + cfg.lr() + " (the paper's table has both)");
        if (!cfg.baselines().isEmpty()) {
            s.put("baselines added (--baseline)", dev.descent.bench.reproduce.Baseline.describe(cfg.baselines(), cfg.lr(), 0)
                    + "; in every cell, paired by seed with the other optimizers");
        }
        s.put("metric", "best test accuracy over the epochs, mean ± std over seeds");
        r.settings(s);
        List<Budget> budget = new ArrayList<>();
        budget.add(new Budget("paper", "CIFAR-10 and CIFAR-100, noise 0, 0.05, 0.1", Budget.count(50_000), "512 (ablation 64–1024)",
                Budget.count(Budget.steps(50_000, 512, 20)) + " at 512", "20", "5", ""));
        for (int batch : cfg.batchSizes()) {
            budget.add(new Budget("ours, batch " + batch, data.description(), Budget.count(data.train().size()), Integer.toString(batch),
                    Budget.fraction(Budget.steps(data.train().size(), batch, cfg.epochs()), Budget.steps(50_000, batch, 20)), Integer.toString(cfg.epochs()),
                    Integer.toString(cfg.seeds().size()), (data.cifar10() ? "" : "substitute data, no CIFAR-100; ") + (data.train().size() < 50_000
                    ? "fewer images; " : "") + "step counts as shown"));
        }
        Budget.table(r, budget);
        r.paragraph("Absolute accuracies are not comparable with the paper's unless the data is CIFAR-10; the claims are about differences"
                + " between optimizers, each seed's runs sharing initial weights, batches, augmentation and noise.");

        r.section("Results");
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            int batch = cell.batch();
            r.subsection("Batch " + batch + ", input noise " + Statistics.sig(cell.noise()));
            List<List<String>> rows = new ArrayList<>();
            double paperAdam = SrAdamMethod.ADAM.paper(batch, cell.noise());
            for (SrAdamArm m : cfg.armsIn(cell)) {
                double[] b = bests(runs, m, cell);
                double[] finals = runs.stream().filter(x -> x.in(m, cell))
                        .mapToDouble(x -> x.result().diverged() || x.result().history().isEmpty() ? Double.NaN
                                : 100 * x.result().history().getLast().testAccuracy()).toArray();
                double p = m.paper(batch, cell.noise());
                rows.add(List.of(m.label(), Statistics.meanStd(b, 2), Statistics.format(Statistics.mean(finals), 2),
                        m == SrAdamMethod.ADAM || b.length != bests(runs, SrAdamMethod.ADAM, cell).length ? "—"
                                : Statistics.tInterval(againstAdam(runs, m, cell).pairedDifferences(), Verdict.LEVEL).format(2),
                        Double.isNaN(p) ? "—" : Statistics.format(p, 2),
                        m == SrAdamMethod.ADAM || Double.isNaN(p) || Double.isNaN(paperAdam) ? "—" : Statistics.format(p - paperAdam, 2)));
            }
            r.table(List.of("optimizer", "best test acc. % (ours)", "final test acc. % (ours)", "Δ vs Adam, paired over seeds (ours)",
                    "best test acc. % (paper, CIFAR-10)", "Δ vs Adam (paper)"), rows);
            r.image("Test accuracy per epoch, batch " + batch + ", noise " + Statistics.sig(cell.noise()), plotName("accuracy", cell));
            double epochSeconds = Statistics.mean(runs.stream().filter(x -> x.batch() == batch && x.noise() == cell.noise())
                    .flatMap(x -> x.result().history().stream()).mapToDouble(EpochMetrics::seconds).toArray());
            r.paragraph("Mean wall time of one epoch in this cell (training steps, evaluation excluded): " + Report.wallTime(epochSeconds) + ".");
        }
        r.subsection("Shrinkage factor");
        List<List<String>> rows = new ArrayList<>();
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            for (SrAdamArm m : cfg.armsIn(cell)) {
                if (!m.shrinks()) continue;
                double[] c = afterWarmup(runs, m, cell);
                rows.add(List.of(Integer.toString(cell.batch()), Statistics.sig(cell.noise()), m.label(), Integer.toString(c.length),
                        Statistics.format(Statistics.mean(c), 4), Statistics.format(java.util.Arrays.stream(c).min().orElse(Double.NaN), 4),
                        Statistics.format(java.util.Arrays.stream(c).max().orElse(Double.NaN), 4)));
            }
        }
        r.paragraph("The factor c of the shrinking group after the 5 warm-up steps (every step of every seed is in `sr-adam-shrinkage.csv`)."
                + " The whitened variant's factor is max(c_min, 2/p) by construction.");
        r.table(List.of("batch", "noise", "optimizer", "steps", "mean c", "min c", "max c"), rows);
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            r.image("Shrinkage factor per step, batch " + cell.batch() + ", noise " + Statistics.sig(cell.noise()), plotName("shrinkage", cell));
        }
        List<String> diverged = new ArrayList<>();
        for (Run run : runs) if (run.result().diverged()) diverged.add(run.method().label() + ", batch " + run.batch() + ", noise "
                + Statistics.sig(run.noise()) + ", seed " + run.seed() + ": "
                + run.result().message());
        if (!diverged.isEmpty()) {
            r.paragraph("Runs that diverged:");
            r.bullets(diverged);
        }

        r.paragraph(Resumption.timing(runs.stream().flatMap(x -> x.result().history().stream()).toList(), o.resumed(), runs.size()));
        r.section("Verdicts");
        r.verdicts(o.verdicts());
        r.section("Files");
        r.bullets(List.of("`sr-adam-epochs.csv`: one row per optimizer, batch size, input noise, seed and epoch: training and test loss and accuracy, lr,"
                        + " seconds",
                "`sr-adam-shrinkage.csv`: one row per SR-Adam step: the shrinking group's factor c",
                "`sr-adam-runs.csv`: one row per run: best and final test accuracy, divergence",
                "`sr-adam-accuracy-batchB-noiseS.png`, `sr-adam-shrinkage-batchB-noiseS.png`: the plots above"));
        return r;
    }

    /** The factors c of a method's runs in a cell after the 5 warm-up steps, in run and step order. */
    static double[] afterWarmup(List<Run> runs, SrAdamArm m, SrAdamConfig.Cell cell) {
        return runs.stream().filter(x -> x.in(m, cell)).flatMap(x -> x.shrinkage().stream()).filter(x -> x[0] > 5).mapToDouble(x -> x[2]).toArray();
    }

    static String plotName(String what, SrAdamConfig.Cell cell) {
        return "sr-adam-" + what + "-batch" + cell.batch() + "-noise" + Statistics.sig(cell.noise()) + ".png";
    }

    static String summary(SrAdamConfig cfg, SrAdamOutcome o) {
        Map<Verdict.Outcome, Integer> counts = new java.util.EnumMap<>(Verdict.Outcome.class);
        for (Verdict v : o.verdicts()) counts.merge(v.outcome(), 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Verdict.Outcome, Integer> e : counts.entrySet()) parts.add(e.getValue() + " " + e.getKey().label().toLowerCase(Locale.ROOT));
        SrAdamConfig.Cell main = new SrAdamConfig.Cell(cfg.mainBatch(), cfg.mainNoise());
        return String.format(Locale.ROOT, "[SR-Adam](sr-adam/report.md) (Arashi & Amintoosi, §1) on %s: at batch %d, noise %s, SR-Adam − Adam ="
                + " %s points of best accuracy (published variant, whitened) and %s (paper formula), paired over %s (paper +1.89 on CIFAR-10);"
                + " verdicts: %s.",
                o.data().cifar10() ? "CIFAR-10" : o.data().description() + " (substitute for CIFAR-10)", main.batch(), Statistics.sig(main.noise()),
                pairedInterval(o.runs(), SrAdamMethod.SR_WHITENED, main), pairedInterval(o.runs(), SrAdamMethod.SR_PAPER, main),
                dev.descent.bench.report.Count.of(cfg.seeds().size(), "seed"), String.join(", ", parts));
    }

    /** The paired interval of a method − Adam, or "not run" when either has no run there (--methods). */
    private static String pairedInterval(List<Run> runs, SrAdamArm m, SrAdamConfig.Cell cell) {
        Comparison c = SrAdamOutcome.againstAdam(runs, m, cell);
        if (c.treatment().length == 0 || c.treatment().length != c.control().length) return "not run";
        return Statistics.tInterval(c.pairedDifferences(), Verdict.LEVEL).format(2);
    }

    private static void plots(SrAdamConfig cfg, List<Run> runs, Path out) throws IOException {
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            String at = "batch " + cell.batch() + ", noise " + Statistics.sig(cell.noise());
            LinePlot acc = new LinePlot("Test accuracy, " + at + " (" + Statistics.seedNote(cfg.seeds().size()) + ")", "epoch", "test accuracy (%)");
            LinePlot shrink = new LinePlot("Shrinkage factor c of the shrinking group, " + at + " (mean over seeds)", "step", "c");
            for (SrAdamArm m : cfg.armsIn(cell)) {
                double[] e = new double[cfg.epochs()], a = new double[cfg.epochs()], lo = new double[e.length], hi = new double[e.length];
                for (int i = 0; i < e.length; i++) {
                    e[i] = i + 1;
                    int epoch = i + 1;
                    double[] v = runs.stream().filter(r -> r.in(m, cell))
                            .mapToDouble(r -> r.result().epoch(epoch) == null ? Double.NaN : r.result().epoch(epoch).testAccuracy()).toArray();
                    a[i] = 100 * Statistics.mean(v);
                    lo[i] = 100 * Statistics.min(v);
                    hi[i] = 100 * Statistics.max(v);
                }
                if (cfg.seeds().size() > 1) acc.add(m.label(), e, a, lo, hi);
                else acc.add(m.label(), e, a);
                if (!m.shrinks()) continue;
                List<Run> mine = runs.stream().filter(r -> r.in(m, cell)).toList();
                int steps = mine.stream().mapToInt(r -> r.shrinkage().size()).max().orElse(0);
                double[] s = new double[steps], c = new double[steps];
                for (int i = 0; i < steps; i++) {
                    int k = i;
                    s[i] = i + 1;
                    c[i] = Statistics.mean(mine.stream().mapToDouble(r -> k < r.shrinkage().size() ? r.shrinkage().get(k)[2] : Double.NaN).toArray());
                }
                shrink.add(m.label(), s, c);
            }
            acc.write(out.resolve(plotName("accuracy", cell)));
            shrink.write(out.resolve(plotName("shrinkage", cell)));
        }
    }
}
