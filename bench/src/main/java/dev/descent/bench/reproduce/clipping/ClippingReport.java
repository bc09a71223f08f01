// The clipping reproduction's report, plots and summary line, generated from its config and outcome.
package dev.descent.bench.reproduce.clipping;

import static dev.descent.bench.reproduce.clipping.ClippingOutcome.fixedText;
import static dev.descent.bench.reproduce.clipping.ClippingOutcome.meanAt;
import static dev.descent.bench.reproduce.clipping.ClippingOutcome.valuesAt;

import dev.descent.bench.ImageSource;
import dev.descent.bench.report.LinePlot;
import dev.descent.bench.reproduce.Budget;
import dev.descent.bench.reproduce.Report;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.XToTheFourth;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.Run;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.X4;
import dev.descent.optim.ClippingFramework;
import dev.descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md} of the clipping experiment (setup, both tables beside the paper's numbers, verdicts), its plots and its summary line. */
final class ClippingReport {
    private ClippingReport() {}

    static Report report(ClippingConfig cfg, ClippingOutcome o, Path out) throws IOException {
        List<X4> x4 = o.x4();
        List<Run> runs = o.runs();
        if (!x4.isEmpty()) plotX4(x4, out.resolve("clipping-x4.png"));
        if (cfg.runsNetwork()) plotNetwork(cfg, runs, out);
        Report r = new Report("Clipping for (L0, L1)-smooth optimisation (Zhang, He, Sra, Jadbabaie, ICLR 2020; Zhang, Jin, Fang, Wang, NeurIPS 2020)",
                cfg.quick());
        r.paragraph("What the papers claim ([docs/papers.md §4](../../papers.md#4-clipping-under-l0-l1-smoothness)):"
                + " on functions whose curvature grows with the gradient, such as x⁴, clipped gradient descent"
                + " needs a number of iterations that grows at most linearly in the starting distance while any stable fixed step needs about its"
                + " square; and on a network, the clipping framework with momentum (mixed clipping) trains clearly faster than SGD+momentum before"
                + " the first learning-rate decay and ends at the same accuracy.");
        r.section("Setup");
        if (!x4.isEmpty()) {
            r.subsection("Part 1: the x⁴ table");
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("function", "f(x) = x⁴, f'(x) = 4x³, (L0, L1) = (12, 3)");
            s.put("clipped GD", "`ClippedSGD` (ICLR form h = min(η, γη/|g|)), η = 1/(10·L0) = " + Statistics.sig(XToTheFourth.clippedLr()) + ", γ = min(1/η,"
                    + " 1/(10·L1·η)) = " + Statistics.sig(XToTheFourth.clippedGamma()) + " (no step longer than γη = 1/30)");
            s.put("fixed-step GD", "`SGD` with η = 1.9/f''(x0) = 1.9/(12·x0²), the largest stable step at the start");
            s.put("count", "steps taken before |f'(x)| ≤ 1e-3 is first seen (checked before each step), cap 10⁶, float64");
            s.put("starts x0", cfg.x4Starts());
            r.settings(s);
        }
        if (!runs.isEmpty()) {
            ImageSource data = o.data();
            r.subsection("Part 2: a network");
            r.paragraph(data.statement());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("data", data.description() + ": " + data.train().size() + " training images (class-stratified subset, seed " + cfg.subsetSeed() + "), "
                    + data.test().size() + " test images" + (cfg.testSubset() == 0 ? " (the full test set)" : " (the first ones)"));
            s.put("training transforms", data.transformsDescription(true, 0));
            s.put("model", String.format(Locale.ROOT, "%s for %d×%d×%d inputs: %,d parameters", cfg.model().equals("resnet32") ? "ResNet-32" : "SimpleCNN",
                    data.train().channels(), data.train().height(), data.train().width(), o.parameters()));
            s.put("batch size", cfg.batchSize());
            s.put("epochs", cfg.epochs() + "; η (and γ for the clipping methods) ÷ 10 after epoch " + cfg.milestone() + " (`LrScheduler` over lr and gamma)");
            s.put("weight decay", java.math.BigDecimal.valueOf(cfg.weightDecay()).stripTrailingZeros().toPlainString() + " (L2, added to the gradient before norms and momentum)");
            for (ClippingMethod m : ClippingMethod.values()) s.put(m.label, m.hyperparameters());
            for (var b : cfg.baselines()) s.put(b.label() + " (--baseline)", new ClippingArm.BaselineArm(b).hyperparameters());
            List<String> arms = new ArrayList<>();
            for (ClippingFramework.Clip c : cfg.clips()) arms.add(ClippingOutcome.armName(c));
            s.put("clipping function h", "one arm per h for the three clipping methods, the first the main one: " + String.join("; ", arms)
                    + " (the authors' published curves come from the soft h; the two are within a factor 2 of each other)");
            s.put("seeds", cfg.seeds() + " (per seed every method starts from the same weights and sees the same batches)");
            r.settings(s);
            long ours = Budget.steps(data.train().size(), cfg.batchSize(), cfg.milestone());
            Budget.table(r, List.of(new Budget("paper (NeurIPS 2020)", "CIFAR-10, ResNet-32", Budget.count(50_000), "128",
                            Budget.count(Budget.steps(50_000, 128, 150)) + " (" + Budget.count(PAPER_STEPS_BEFORE_DECAY) + " before the first decay)",
                            "150, decays after 80 and 120", "not stated", ""),
                    new Budget("ours", data.description() + ", " + (cfg.model().equals("resnet32") ? "ResNet-32" : "SimpleCNN"),
                            Budget.count(data.train().size()), Integer.toString(cfg.batchSize()),
                            Budget.count(Budget.steps(data.train().size(), cfg.batchSize(), cfg.epochs())) + "; before the decay "
                                    + Budget.fraction(ours, PAPER_STEPS_BEFORE_DECAY),
                            cfg.epochs() + ", one decay after " + cfg.milestone(), Integer.toString(cfg.seeds().size()),
                            (data.cifar10() ? "" : "substitute data; ") + (cfg.model().equals("resnet32") ? "" : "a smaller network; ")
                                    + "a fraction of the steps; mixed clipping's β = 0.999 momentum is " + String.format(Locale.ROOT, "%.0f",
                                    100 * (1 - Math.pow(0.999, ours))) + " % warmed up (1 − 0.999^steps) at the decay")));
            r.paragraph("The paper's numbers are for its setup; the claims are about the comparison between methods. At "
                    + String.format(Locale.ROOT, "%.1f", 100.0 * ours / PAPER_STEPS_BEFORE_DECAY) + " % of the paper's budget before the decay, a verdict"
                    + " other than inconclusive says how the methods compare early in training, not at the paper's scale.");
        }
        r.section("Results");
        if (!x4.isEmpty()) {
            r.subsection("Part 1: the x⁴ table");
            List<List<String>> rows = new ArrayList<>();
            for (X4 x : x4) {
                rows.add(List.of(Statistics.sig(x.x0()), Long.toString(x.clipped()), x.digestClipped() == 0 ? "—" : Long.toString(x.digestClipped()),
                        fixedText(x.fixed()), x.digestFixed() == 0 ? "—" : x.digestFixed() < 0 ? "> 10⁶" : Long.toString(x.digestFixed())));
            }
            r.paragraph("The reference counts come from the project's digest of the paper ([docs/papers.md §4](../../papers.md#4-clipping-under-l0-l1-smoothness)),"
                    + " not from the ICLR paper, which proves bounds (clipped GD linear in the start, fixed-step GD quadratic) rather than tabulating counts.");
            r.table(List.of("x0", "clipped GD (ours)", "clipped GD (digest)", "fixed-step GD (ours)", "fixed-step GD (digest)"), rows);
            r.image("Iterations against x0, log-log", "clipping-x4.png");
            r.paragraph("Wall time of part 1: " + Report.wallTime(o.x4Seconds()) + ".");
        }
        if (!runs.isEmpty()) {
            r.subsection("Part 2: a network");
            r.paragraph("Means over seeds (every seed and epoch is in `clipping-epochs.csv`). \"Before the decay\" is epoch " + cfg.milestone()
                    + " here and epoch 80 in the paper.");
            List<List<String>> rows = new ArrayList<>();
            for (ClippingFramework.Clip clip : cfg.clips()) {
                List<Run> arm = ClippingOutcome.arm(runs, clip);
                for (ClippingMethod m : ClippingMethod.values()) {
                    if (m == ClippingMethod.SGD_MOMENTUM && clip != cfg.clips().getFirst()) continue;
                    rows.add(List.of(m.label, m == ClippingMethod.SGD_MOMENTUM ? "—" : ClippingCsv.clipKey(clip), Statistics.format(meanAt(arm, m, cfg.milestone(), true), 4),
                            m == ClippingMethod.MIXED ? "≈ 0.2" : m == ClippingMethod.SGD_MOMENTUM ? "≈ 0.4" : "—",
                            Statistics.format(meanAt(arm, m, cfg.milestone(), false), 2),
                            m == ClippingMethod.MIXED ? "≈ 89" : m == ClippingMethod.SGD_MOMENTUM ? "≈ 80" : "—",
                            Statistics.format(meanAt(arm, m, cfg.epochs(), false), 2), "≈ 93"));
                }
            }
            for (var b : cfg.baselines()) {
                ClippingArm m = new ClippingArm.BaselineArm(b);
                rows.add(List.of(m.label(), "—", Statistics.format(meanAt(runs, m, cfg.milestone(), true), 4), "—",
                        Statistics.format(meanAt(runs, m, cfg.milestone(), false), 2), "—", Statistics.format(meanAt(runs, m, cfg.epochs(), false), 2), "—"));
            }
            r.table(List.of("method", "h", "train loss before decay (ours)", "(paper)", "test acc. % before decay (ours)", "(paper)", "final test acc. % (ours)",
                    "(paper)"), rows);
            r.paragraph("Per seed:");
            List<List<String>> seedRows = new ArrayList<>();
            for (Run run : runs) {
                EpochMetrics before = run.result().epoch(cfg.milestone()), end = run.result().epoch(cfg.epochs());
                seedRows.add(List.of(run.method().label(), run.clip() == null ? "—" : ClippingCsv.clipKey(run.clip()), Long.toString(run.seed()),
                        before == null ? "—" : Statistics.format(before.trainLoss(), 4), before == null ? "—" : Statistics.format(100 * before.testAccuracy(), 2),
                        end == null ? "—" : Statistics.format(100 * end.testAccuracy(), 2), run.result().diverged() ? "diverged" : ""));
            }
            r.table(List.of("method", "h", "seed", "train loss before decay", "test acc. % before decay", "final test acc. %", ""), seedRows);
            r.image("Training loss per epoch", "clipping-train-loss.png");
            r.image("Test accuracy per epoch", "clipping-test-accuracy.png");
            r.paragraph(Resumption.timing(runs.stream().flatMap(x -> x.result().history().stream()).toList(), o.resumed(), runs.size()));
            String d = ClippingOutcome.diverged(runs);
            if (!d.isEmpty()) r.paragraph("**Runs that diverged.**" + d);
        }
        r.section("Verdicts");
        r.verdicts(o.verdicts());
        r.section("Files");
        List<String> files = new ArrayList<>();
        if (!x4.isEmpty()) files.add("`clipping-x4.csv`: one row per start and method: step, γ, iterations, the digest's count; `clipping-x4.png`");
        if (!runs.isEmpty()) {
            files.add("`clipping-epochs.csv`: one row per method, seed and epoch: training and test loss and accuracy, lr, seconds");
            files.add("`clipping-runs.csv`: one row per run: final and best test accuracy, divergence");
            files.add("`clipping-train-loss.png`, `clipping-test-accuracy.png`: the plots above");
        }
        r.bullets(files);
        return r;
    }

    /** The paper's optimizer steps before its first decay: ⌈50,000/128⌉ = 391 per epoch, 80 epochs. */
    static final long PAPER_STEPS_BEFORE_DECAY = Budget.steps(50_000, 128, 80);

    static String summary(ClippingConfig cfg, ClippingOutcome o) {
        List<String> parts = new ArrayList<>();
        for (Verdict v : o.verdicts()) parts.add(v.outcome().label().toLowerCase(Locale.ROOT));
        return "[Clipping](clipping/report.md) (Zhang et al., §4): " + (o.x4().isEmpty() ? "" : "x⁴ table "
                + o.verdicts().get(0).outcome().label().toLowerCase(Locale.ROOT) + (o.x4().size() == 4 ? " (all eight counts)" : "") + "; ")
                + (o.runs().isEmpty() ? "network runs not in this report" : "network on " + (o.data().cifar10() ? "CIFAR-10" : o.data().description()
                + " (substitute)") + ", " + Budget.fraction(Budget.steps(o.data().train().size(), cfg.batchSize(), cfg.milestone()), PAPER_STEPS_BEFORE_DECAY)
                + " steps before the decay, h " + String.join(" and ", cfg.clips().stream().map(ClippingCsv::clipKey).toList()))
                + "; verdicts: " + String.join(", ", parts) + ".";
    }

    private static void plotX4(List<X4> x4, Path file) throws IOException {
        double[] x = x4.stream().mapToDouble(X4::x0).toArray();
        double[] c = x4.stream().mapToDouble(X4::clipped).toArray();
        double[] f = x4.stream().mapToDouble(r -> r.fixed() >= XToTheFourth.CAP ? Double.NaN : r.fixed()).toArray();
        LinePlot p = new LinePlot("x⁴: iterations to |f'(x)| ≤ 1e-3 (fixed-step GD beyond 10⁶ not drawn)", "x0", "iterations").logScale(true, true)
                .add("clipped GD (ours)", x, c).add("fixed-step GD (ours)", x, f);
        List<Double> px = new ArrayList<>(), pc = new ArrayList<>(), pf = new ArrayList<>();
        for (X4 r : x4) {
            if (r.digestClipped() == 0) continue;
            px.add(r.x0());
            pc.add((double) r.digestClipped());
            pf.add(r.digestFixed() < 0 ? Double.NaN : (double) r.digestFixed());
        }
        if (!px.isEmpty()) {
            double[] xx = px.stream().mapToDouble(Double::doubleValue).toArray();
            p.add("clipped GD (digest)", xx, pc.stream().mapToDouble(Double::doubleValue).toArray(), true);
            p.add("fixed-step GD (digest)", xx, pf.stream().mapToDouble(Double::doubleValue).toArray(), true);
        }
        p.write(file);
    }

    private static void plotNetwork(ClippingConfig cfg, List<Run> runs, Path out) throws IOException {
        LinePlot loss = new LinePlot("Training loss (" + Statistics.seedNote(cfg.seeds().size()) + "; η, γ ÷ 10 after epoch " + cfg.milestone() + ")", "epoch",
                "training loss").logScale(false, true);
        LinePlot acc = new LinePlot("Test accuracy (" + Statistics.seedNote(cfg.seeds().size()) + ")", "epoch", "test accuracy (%)");
        for (Object[] a : cfg.arms()) {
            ClippingArm m = (ClippingArm) a[0];
            ClippingFramework.Clip clip = (ClippingFramework.Clip) a[1];
            List<Run> arm = ClippingOutcome.arm(runs, clip);
            String label = m.label() + (clip == null ? "" : " (" + ClippingCsv.clipKey(clip) + " h)");
            double[] e = new double[cfg.epochs()], l = new double[e.length], acc0 = new double[e.length];
            double[] lLo = new double[e.length], lHi = new double[e.length], aLo = new double[e.length], aHi = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = i + 1;
                l[i] = meanAt(arm, m, i + 1, true);
                acc0[i] = meanAt(arm, m, i + 1, false);
                double[] lv = valuesAt(arm, m, i + 1, true), av = valuesAt(arm, m, i + 1, false);
                lLo[i] = Statistics.min(lv);
                lHi[i] = Statistics.max(lv);
                aLo[i] = Statistics.min(av);
                aHi[i] = Statistics.max(av);
            }
            if (cfg.seeds().size() > 1) {
                loss.add(label, e, l, lLo, lHi);
                acc.add(label, e, acc0, aLo, aHi);
            } else {
                loss.add(label, e, l);
                acc.add(label, e, acc0);
            }
        }
        loss.write(out.resolve("clipping-train-loss.png"));
        acc.write(out.resolve("clipping-test-accuracy.png"));
    }
}
