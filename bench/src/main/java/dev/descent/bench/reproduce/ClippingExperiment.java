// Reproduction of docs/papers.md §4: the x⁴ table, then SGD+momentum against the clipping family on a network.
package dev.descent.bench.reproduce;

import dev.descent.train.TrainResult;
import dev.descent.train.EpochMetrics;
import dev.descent.bench.ImageData;
import dev.descent.bench.report.LinePlot;
import dev.descent.core.io.AtomicFile;
import dev.descent.bench.ModelFactory;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import dev.descent.optim.Schedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code descent reproduce clipping}: the clipping papers (docs/papers.md §4). Part one is the x⁴ table:
 * iterations of clipped GD and of the best stable fixed-step GD from x0 = 3, 10, 30, 100, computed
 * exactly. Part two trains a network with SGD+momentum (dampened), clipped SGD, clipped momentum and
 * mixed clipping at the paper's CIFAR-10 settings, dividing η and γ by 10 at a milestone; the claims:
 * before the decay mixed clipping's training loss is at least 20 % below SGD+momentum's, and the final
 * test accuracies agree within about a point.
 */
public final class ClippingExperiment {
    private ClippingExperiment() {}

    /** The network optimizers, with the paper's CIFAR-10 hyperparameters (docs/papers.md §4). */
    enum Method {
        SGD_MOMENTUM("SGD+momentum (dampened)", 1.0, Double.NaN, 0.9, Double.NaN),
        CLIPPED_SGD("clipped SGD", 1.0, 1.0, Double.NaN, 0),
        CLIPPED_MOMENTUM("clipped momentum", 1.5, 0.25, 0.9, 1),
        MIXED("mixed clipping", 1.0, 1.0, 0.999, 0.7);

        final String label;
        final double lr, gamma, beta, nu;

        Method(String label, double lr, double gamma, double beta, double nu) {
            this.label = label;
            this.lr = lr;
            this.gamma = gamma;
            this.beta = beta;
            this.nu = nu;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        String hyperparameters() {
            return switch (this) {
                case SGD_MOMENTUM -> "`SGD`, lr " + lr + ", momentum 0.9, dampening 0.9 (EMA momentum; PyTorch's b ← g on step one)";
                case CLIPPED_SGD -> "`ClippingFramework` ν = 0, η " + lr + ", γ " + gamma;
                default -> "`ClippingFramework` ν = " + nu + ", η " + lr + ", γ " + gamma + ", β " + beta;
            };
        }
    }

    /** Which parts run. */
    enum Part { ALL, X4, NETWORK }

    /**
     * The experiment's settings.
     *
     * @param part        which parts run
     * @param x4Starts    the x⁴ starting points
     * @param data        the {@code --data} value
     * @param model       {@code simplecnn} or {@code resnet32} (3-channel images only)
     * @param trainSubset training images (class-stratified subset)
     * @param testSubset  test images, the first ones (0: all)
     * @param subsetSeed  seed of the training subset
     * @param batchSize   mini-batch size
     * @param epochs      epochs per run
     * @param milestone   the epoch after which η and γ are divided by 10 (the decay applies from epoch milestone + 1)
     * @param weightDecay L2 weight decay of every optimizer
     * @param softClip    the authors' soft h for the momentum variants instead of the paper's hard min
     * @param seeds       seeds
     * @param quick       toy sizes; the report claims nothing
     * @param resume      read back the network runs an earlier invocation with the same settings completed in the output folder
     */
    public record Config(Part part, List<Double> x4Starts, String data, String model, int trainSubset, int testSubset, long subsetSeed, int batchSize,
                         int epochs, int milestone, double weightDecay, boolean softClip, List<Long> seeds, boolean quick, boolean resume) {

        /** Validates every setting, naming the bad value. */
        public Config {
            ErmExperiment.requireNonEmpty("--x4-starts", x4Starts);
            ErmExperiment.requireNonEmpty("--seeds", seeds);
            for (double x : x4Starts) if (!(x > 0) || Double.isInfinite(x)) throw new IllegalArgumentException("--x4-starts values must be > 0, was " + x);
            if (!model.equals("simplecnn") && !model.equals("resnet32")) throw new IllegalArgumentException("--model must be simplecnn or resnet32, was '" + model + "'");
            if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batchSize);
            if (epochs < 2) throw new IllegalArgumentException("--epochs must be >= 2 (a decay needs an epoch before and after it), was " + epochs);
            if (milestone < 1 || milestone >= epochs) throw new IllegalArgumentException("--milestone must be in [1, epochs), was " + milestone);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, was " + weightDecay);
            x4Starts = List.copyOf(x4Starts);
            seeds = List.copyOf(seeds);
        }

        /**
         * The full setup: the four x⁴ starts; SimpleCNN, 10,000 training images, the full test set, batch 128, 12 epochs,
         * η and γ ÷ 10 after epoch 8, weight decay 5e-4, seeds 1 and 2, the paper's hard clipping.
         *
         * @param data the {@code --data} value
         * @param model the network
         * @return the full configuration
         */
        public static Config full(String data, String model) {
            return new Config(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 10_000, 0, 0, 128, 12, 8, 5e-4, false, List.of(1L, 2L), false, false);
        }

        /**
         * Toy sizes: the full x⁴ table (it takes about a second); 64 training and 64 test images, batch 16, 2 epochs with the decay after the first, one seed.
         *
         * @param data the {@code --data} value
         * @param model the network
         * @return the quick configuration
         */
        public static Config toy(String data, String model) {
            return new Config(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 64, 64, 0, 16, 2, 1, 5e-4, false, List.of(1L), true, false);
        }

        /** The network settings that must match for {@code --resume}. */
        String fingerprint() {
            return "clipping " + data + " model " + model + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " batch "
                    + batchSize + " epochs " + epochs + " milestone " + milestone + " wd " + weightDecay + " soft " + softClip + " seeds " + seeds
                    + " quick " + quick;
        }
    }

    /** One x⁴ row. */
    record X4(double x0, long clipped, long fixed, long paperClipped, long paperFixed) {}

    /** One network run. */
    record Run(Method method, long seed, TrainResult result) {}

    /** What the experiment produced, for tests. */
    record Outcome(List<Verdict> verdicts, List<X4> x4, List<Run> runs) {}

    /** The published x⁴ count for a start, or 0 when the paper's table has no such start (−1: not within 10⁶). */
    static long[] paperX4(double x0) {
        for (int i = 0; i < XToTheFourth.STARTS.length; i++) {
            if (XToTheFourth.STARTS[i] == x0) return new long[] {XToTheFourth.PAPER_CLIPPED[i], XToTheFourth.PAPER_FIXED[i]};
        }
        return new long[] {0, 0};
    }

    /** The optimizer and its scheduler (η, and γ for the clipping family, ÷ 10 at the milestone). */
    static Optimizer optimizer(Method m, Sequential model, Config cfg) {
        ParamGroup g = ParamGroup.of(model.parameters()).with("lr", m.lr).with("weight_decay", cfg.weightDecay());
        return switch (m) {
            case SGD_MOMENTUM -> new SGD(List.of(g.with("momentum", 0.9).with("dampening", 0.9)));
            case CLIPPED_SGD -> new ClippingFramework(List.of(g.with("gamma", m.gamma).with("nu", m.nu)));
            case CLIPPED_MOMENTUM, MIXED -> new ClippingFramework(List.of(g.with("gamma", m.gamma).with("nu", m.nu).with("beta", m.beta)
                    .with("clip", cfg.softClip() ? ClippingFramework.Clip.SOFT : ClippingFramework.Clip.HARD)));
        };
    }

    static LrScheduler scheduler(Method m, Optimizer opt, Config cfg) {
        Schedule s = Schedule.multiStep(List.of(cfg.milestone()), 0.1);
        return m == Method.SGD_MOMENTUM ? new LrScheduler(opt, s, "lr") : new LrScheduler(opt, s, "lr", "gamma");
    }

    /**
     * Runs the selected parts and writes {@code report.md}, the CSV files, the plots and {@code summary.md} into {@code out}.
     *
     * @param cfg     the settings
     * @param out     the output folder
     * @param command the command line, for the report
     * @param log     progress lines
     * @return the verdicts, the x⁴ rows and the runs
     * @throws IOException when data cannot be read or a file cannot be written
     */
    static Outcome run(Config cfg, Path out, String command, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        List<X4> x4 = new ArrayList<>();
        double x4Seconds = 0;
        if (cfg.part() != Part.NETWORK) {
            for (double x0 : cfg.x4Starts()) {
                long[] p = paperX4(x0);
                x4.add(new X4(x0, XToTheFourth.clipped(x0), XToTheFourth.fixedStep(x0), p[0], p[1]));
                log.printf(Locale.ROOT, "  x⁴ from %s: clipped GD %d, fixed-step GD %s%n", Statistics.sig(x0), x4.getLast().clipped(),
                        x4.getLast().fixed() == XToTheFourth.CAP ? "not within 10^6" : Long.toString(x4.getLast().fixed()));
            }
            x4Seconds = (System.nanoTime() - t0) / 1e9;
            CsvTable csv = new CsvTable("x0", "method", "lr", "gamma", "iterations", "converged", "paper_iterations");
            for (X4 r : x4) {
                csv.row(r.x0(), "clipped-gd", XToTheFourth.clippedLr(), XToTheFourth.clippedGamma(), r.clipped(), r.clipped() < XToTheFourth.CAP,
                        r.paperClipped() == 0 ? "" : Long.toString(r.paperClipped()));
                csv.row(r.x0(), "fixed-step-gd", XToTheFourth.fixedLr(r.x0()), "", r.fixed(), r.fixed() < XToTheFourth.CAP,
                        r.paperFixed() == 0 ? "" : r.paperFixed() < 0 ? "not within 1e6" : Long.toString(r.paperFixed()));
            }
            csv.write(out.resolve("clipping-x4.csv"));
            plotX4(x4, out.resolve("clipping-x4.png"));
        }
        List<Run> runs = new ArrayList<>();
        ImageData data = null;
        long params = 0;
        int resumed = 0;
        if (cfg.part() != Part.X4) {
            data = ImageData.load(cfg.data(), cfg.trainSubset(), cfg.testSubset(), cfg.subsetSeed());
            log.printf(Locale.ROOT, "  data: %s (%d training, %d test images)%s%n", data.description(), data.train().size(), data.test().size(),
                    data.substitute() ? " — a substitute for CIFAR-10" : "");
            Dataset train = data.trainingSet(true, 0), test = data.testSet();
            Map<String, Run> earlier = cfg.resume() ? earlierRuns(cfg, out) : Map.of();
            resumed = earlier.size();
            Resumption.writeFingerprint(out, cfg.fingerprint());
            params = ModelFactory.create(cfg.model(), data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(),
                    new SplittableRandom(0)).parameterCount();
            for (long seed : cfg.seeds()) {
                for (Method m : Method.values()) {
                    Run before = earlier.get(m.key() + "/" + seed);
                    if (before != null) {
                        runs.add(before);
                        log.printf(Locale.ROOT, "  %s s%d: read back from the earlier invocation%n", m.key(), seed);
                        continue;
                    }
                    Sequential model = ModelFactory.create(cfg.model(), data.train().channels(), data.train().height(), data.train().width(),
                            data.train().numClasses(), new SplittableRandom(seed));
                    Optimizer opt = optimizer(m, model, cfg);
                    LrScheduler sched = scheduler(m, opt, cfg);
                    TrainResult r = NetworkRun.train(m.key() + " s" + seed, model, opt, sched, train, test, cfg.batchSize(), cfg.epochs(), seed ^ 0xDA7AL,
                            log);
                    runs.add(new Run(m, seed, r));
                    writeRunsCsv(runs, out);
                }
            }
            plotNetwork(cfg, runs, out);
        }
        List<Verdict> verdicts = new ArrayList<>();
        if (!x4.isEmpty()) verdicts.addAll(x4Verdicts(x4));
        if (!runs.isEmpty()) verdicts.addAll(networkVerdicts(cfg, runs));
        double wall = (System.nanoTime() - t0) / 1e9;
        writeReport(cfg, x4, x4Seconds, data, params, runs, verdicts, out, command, wall, resumed);
        List<String> parts = new ArrayList<>();
        for (Verdict v : verdicts) parts.add(v.outcome().label().toLowerCase(Locale.ROOT));
        AtomicFile.writeString(out.resolve("summary.md"), "[Clipping](clipping/report.md) (Zhang et al., §4): " + (x4.isEmpty() ? "" : "x⁴ table "
                + verdicts.get(0).outcome().label().toLowerCase(Locale.ROOT) + (x4.size() == 4 ? " (all eight counts)" : "") + "; ")
                + (runs.isEmpty() ? "network runs not in this report" : "network on " + (data.cifar10() ? "CIFAR-10" : data.description()
                + " (substitute)")) + "; verdicts: " + String.join(", ", parts) + ".\n");
        return new Outcome(verdicts, x4, runs);
    }

    /** The network runs an earlier invocation with the same settings completed, read back from its CSV files; keyed method/seed. */
    static Map<String, Run> earlierRuns(Config cfg, Path out) throws IOException {
        if (!Resumption.matches(out, cfg.fingerprint(), "clipping-runs.csv")) return Map.of();
        List<Map<String, String>> epochRows = CsvTable.read(out.resolve("clipping-epochs.csv"));
        Map<String, Run> runs = new LinkedHashMap<>();
        for (Map<String, String> row : CsvTable.read(out.resolve("clipping-runs.csv"))) {
            String diverged = row.get("diverged");
            if (Integer.parseInt(row.get("epochs_completed")) != cfg.epochs() && diverged.isEmpty()) continue;
            Method m = null;
            for (Method x : Method.values()) if (x.key().equals(row.get("method"))) m = x;
            if (m == null) throw new IOException(out.resolve("clipping-runs.csv") + ": unknown method '" + row.get("method") + "'");
            String key = m.key() + "/" + row.get("seed");
            runs.put(key, new Run(m, Long.parseLong(row.get("seed")), NetworkRun.readBack(
                    Resumption.epochs(epochRows, r -> key.equals(r.get("method") + "/" + r.get("seed"))), diverged)));
        }
        return runs;
    }

    static List<Verdict> x4Verdicts(List<X4> x4) {
        List<Verdict> v = new ArrayList<>();
        List<String> table = new ArrayList<>();
        boolean exact = true, any = false;
        for (X4 r : x4) {
            if (r.paperClipped() == 0) continue;
            any = true;
            long paperFixed = r.paperFixed() < 0 ? XToTheFourth.CAP : r.paperFixed();
            exact &= r.clipped() == r.paperClipped() && r.fixed() == paperFixed;
            table.add(String.format(Locale.ROOT, "x0 = %s: %d vs %d, %s vs %s", Statistics.sig(r.x0()), r.clipped(), r.paperClipped(), fixedText(r.fixed()),
                    r.paperFixed() < 0 ? "> 10⁶" : Long.toString(r.paperFixed())));
        }
        String claim = "The x⁴ table: iterations to |f'(x)| ≤ 1e-3 of clipped GD (η = 1/120, γ = 4) and fixed-step GD (η = 1.9/(12·x0²)) from"
                + " x0 = 3, 10, 30, 100 are 3,821 / 4,031 / 4,631 / 6,731 and 1,782 / 19,883 / 179,029 / not within 10⁶.";
        String criterion = "every count for a start in the paper's table equals the published one exactly (counts are float64 and deterministic).";
        v.add(any ? new Verdict(claim, criterion, Verdict.Outcome.of(exact), "ours vs paper (clipped; fixed-step): " + String.join("; ", table) + ".")
                : new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "no start of the paper's table was run."));

        X4 base = x4.get(0);
        boolean linear = true, quadratic = true;
        List<String> ratios = new ArrayList<>();
        for (X4 r : x4) {
            double k = r.x0() / base.x0();
            double rc = (double) r.clipped() / base.clipped();
            linear &= r.clipped() < XToTheFourth.CAP && rc <= k;
            double predicted = base.fixed() * k * k;
            boolean ok = r.fixed() < XToTheFourth.CAP ? r.fixed() >= predicted / 2 && r.fixed() <= predicted * 2 : predicted > XToTheFourth.CAP;
            quadratic &= base.fixed() < XToTheFourth.CAP && ok;
            ratios.add(String.format(Locale.ROOT, "x0/x0₁ = %s: clipped ×%s, fixed-step %s (quadratic law predicts %s)", Statistics.sig(k),
                    Statistics.sig(rc), fixedText(r.fixed()), Statistics.sig(predicted)));
        }
        v.add(new Verdict("Clipped GD's iterations grow at most linearly in x0, fixed-step GD's roughly quadratically.",
                "with x0₁ the smallest start: every clipped count ≤ (x0/x0₁)·count(x0₁); every fixed-step count within a factor 2 of"
                        + " (x0/x0₁)²·count(x0₁), and a fixed-step run that hit the cap of 10⁶ must be predicted above it by that law.",
                Verdict.Outcome.of(linear && quadratic), String.join("; ", ratios) + "."));
        return v;
    }

    private static String fixedText(long n) {
        return n >= XToTheFourth.CAP ? "> 10⁶" : Long.toString(n);
    }

    /** Mean over seeds of an epoch's value (NaN when a run did not reach it). */
    static double meanAt(List<Run> runs, Method m, int epoch, boolean trainLoss) {
        return Statistics.mean(runs.stream().filter(r -> r.method() == m).mapToDouble(r -> {
            EpochMetrics e = r.result().epoch(epoch);
            return e == null ? Double.NaN : trainLoss ? e.trainLoss() : 100 * e.testAccuracy();
        }).toArray());
    }

    static List<Verdict> networkVerdicts(Config cfg, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        int before = cfg.milestone(), last = cfg.epochs();
        double sgd = meanAt(runs, Method.SGD_MOMENTUM, before, true), mixed = meanAt(runs, Method.MIXED, before, true);
        String claim1 = "Before the first decay, mixed clipping trains clearly faster than SGD+momentum (paper, ResNet-32 on CIFAR-10: training loss"
                + " ≈ 0.2 vs ≈ 0.4, test accuracy ≈ 89 % vs ≈ 80 %).";
        String crit1 = "mean training loss over seeds in epoch " + before + " (the last before the decay): mixed ≤ 0.8 × SGD+momentum's (at least 20 % below).";
        String ev1 = String.format(Locale.ROOT, "training loss in epoch %d: mixed %s, SGD+momentum %s (ratio %s); test accuracy %s %% vs %s %%.", before,
                Statistics.format(mixed, 4), Statistics.format(sgd, 4), Statistics.format(mixed / sgd, 3),
                Statistics.format(meanAt(runs, Method.MIXED, before, false), 2), Statistics.format(meanAt(runs, Method.SGD_MOMENTUM, before, false), 2));
        v.add(Double.isNaN(sgd) || Double.isNaN(mixed) ? new Verdict(claim1, crit1, Verdict.Outcome.NOT_APPLICABLE, ev1 + diverged(runs))
                : new Verdict(claim1, crit1, Verdict.Outcome.of(mixed <= 0.8 * sgd), ev1));
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        List<String> finals = new ArrayList<>();
        boolean nan = false;
        for (Method m : Method.values()) {
            double a = meanAt(runs, m, last, false);
            nan |= Double.isNaN(a);
            lo = Math.min(lo, a);
            hi = Math.max(hi, a);
            finals.add(m.label + " " + Statistics.format(a, 2) + " %");
        }
        String claim2 = "After the decays all four methods reach about the same test accuracy (paper: ≈ 93 % each, ResNet-32, 150 epochs).";
        String crit2 = "the mean final test accuracies (epoch " + last + ") of the four methods lie within 1.0 point of each other.";
        String ev2 = "final test accuracy: " + String.join(", ", finals) + "; spread " + Statistics.format(hi - lo, 2) + " points.";
        v.add(nan ? new Verdict(claim2, crit2, Verdict.Outcome.NOT_REPRODUCED, ev2 + diverged(runs) + " A method that diverged does not reach the others' accuracy.")
                : new Verdict(claim2, crit2, Verdict.Outcome.of(hi - lo <= 1.0), ev2));
        return v;
    }

    private static String diverged(List<Run> runs) {
        List<String> d = new ArrayList<>();
        for (Run r : runs) if (r.result().diverged()) d.add(r.method().label + " seed " + r.seed() + ": " + r.result().message());
        return d.isEmpty() ? "" : " Diverged: " + String.join("; ", d) + ".";
    }

    private static void writeRunsCsv(List<Run> runs, Path out) throws IOException {
        CsvTable epochs = new CsvTable("method", "seed", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "seconds");
        CsvTable summary = new CsvTable("method", "seed", "final_test_accuracy", "best_test_accuracy", "epochs_completed", "diverged");
        for (Run r : runs) {
            for (EpochMetrics e : r.result().history()) {
                epochs.row(r.method().key(), r.seed(), e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.lr(), e.seconds());
            }
            List<EpochMetrics> es = r.result().history();
            summary.row(r.method().key(), r.seed(), es.isEmpty() || r.result().diverged() ? Double.NaN : es.getLast().testAccuracy(),
                    r.result().bestTestAccuracy(), es.size(), r.result().message());
        }
        epochs.write(out.resolve("clipping-epochs.csv"));
        summary.write(out.resolve("clipping-runs.csv"));
    }

    private static void plotX4(List<X4> x4, Path file) throws IOException {
        double[] x = x4.stream().mapToDouble(X4::x0).toArray();
        double[] c = x4.stream().mapToDouble(X4::clipped).toArray();
        double[] f = x4.stream().mapToDouble(r -> r.fixed() >= XToTheFourth.CAP ? Double.NaN : r.fixed()).toArray();
        LinePlot p = new LinePlot("x⁴: iterations to |f'(x)| ≤ 1e-3 (fixed-step GD beyond 10⁶ not drawn)", "x0", "iterations").logScale(true, true)
                .add("clipped GD (ours)", x, c).add("fixed-step GD (ours)", x, f);
        List<Double> px = new ArrayList<>(), pc = new ArrayList<>(), pf = new ArrayList<>();
        for (X4 r : x4) {
            if (r.paperClipped() == 0) continue;
            px.add(r.x0());
            pc.add((double) r.paperClipped());
            pf.add(r.paperFixed() < 0 ? Double.NaN : (double) r.paperFixed());
        }
        if (!px.isEmpty()) {
            double[] xx = px.stream().mapToDouble(Double::doubleValue).toArray();
            p.add("clipped GD (paper)", xx, pc.stream().mapToDouble(Double::doubleValue).toArray(), true);
            p.add("fixed-step GD (paper)", xx, pf.stream().mapToDouble(Double::doubleValue).toArray(), true);
        }
        p.write(file);
    }

    private static void plotNetwork(Config cfg, List<Run> runs, Path out) throws IOException {
        LinePlot loss = new LinePlot("Training loss (mean over " + cfg.seeds().size() + " seeds; η, γ ÷ 10 after epoch " + cfg.milestone() + ")", "epoch",
                "training loss").logScale(false, true);
        LinePlot acc = new LinePlot("Test accuracy (mean over " + cfg.seeds().size() + " seeds)", "epoch", "test accuracy (%)");
        for (Method m : Method.values()) {
            double[] e = new double[cfg.epochs()], l = new double[e.length], a = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = i + 1;
                l[i] = meanAt(runs, m, i + 1, true);
                a[i] = meanAt(runs, m, i + 1, false);
            }
            loss.add(m.label, e, l);
            acc.add(m.label, e, a);
        }
        loss.write(out.resolve("clipping-train-loss.png"));
        acc.write(out.resolve("clipping-test-accuracy.png"));
    }

    private static void writeReport(Config cfg, List<X4> x4, double x4Seconds, ImageData data, long params, List<Run> runs, List<Verdict> verdicts, Path out,
                                    String command, double wall, int resumed) throws IOException {
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
            r.subsection("Part 2: a network");
            r.paragraph(data.statement());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("data", data.description() + ": " + data.train().size() + " training images (class-stratified subset, seed " + cfg.subsetSeed() + "), "
                    + data.test().size() + " test images" + (cfg.testSubset() == 0 ? " (the full test set)" : " (the first ones)"));
            s.put("training transforms", data.transformsDescription(true, 0));
            s.put("model", String.format(Locale.ROOT, "%s for %d×%d×%d inputs: %,d parameters", cfg.model().equals("resnet32") ? "ResNet-32" : "SimpleCNN",
                    data.train().channels(), data.train().height(), data.train().width(), params));
            s.put("batch size", cfg.batchSize());
            s.put("epochs", cfg.epochs() + "; η (and γ for the clipping methods) ÷ 10 after epoch " + cfg.milestone() + " (`LrScheduler` over lr and gamma)");
            s.put("weight decay", java.math.BigDecimal.valueOf(cfg.weightDecay()).stripTrailingZeros().toPlainString() + " (L2, added to the gradient before norms and momentum)");
            for (Method m : Method.values()) s.put(m.label, m.hyperparameters());
            s.put("clipping function h", cfg.softClip() ? "soft h(u) = η/(1 + η‖u‖/γ) for the momentum variants (the authors' code), hard min for clipped SGD"
                    : "hard h(u) = min(η, γ/‖u‖) (the paper's definition); the authors' code uses a soft h for the momentum variants (`--soft-clip`)");
            s.put("seeds", cfg.seeds() + " (per seed every method starts from the same weights and sees the same batches)");
            r.settings(s);
            r.paragraph("Differences from the paper's setup (ResNet-32, full CIFAR-10, 150 epochs, decays at 80 and 120): this run uses "
                    + data.train().size() + " training images, " + cfg.epochs() + " epochs and one decay after epoch " + cfg.milestone()
                    + " (issue 7's full setup: 10,000 images, 12 epochs, decay after epoch 8). The paper's numbers are for its setup; the claims are"
                    + " about the comparison between methods.");
        }
        r.section("Results");
        if (!x4.isEmpty()) {
            r.subsection("Part 1: the x⁴ table");
            List<List<String>> rows = new ArrayList<>();
            for (X4 x : x4) {
                rows.add(List.of(Statistics.sig(x.x0()), Long.toString(x.clipped()), x.paperClipped() == 0 ? "—" : Long.toString(x.paperClipped()),
                        fixedText(x.fixed()), x.paperFixed() == 0 ? "—" : x.paperFixed() < 0 ? "> 10⁶" : Long.toString(x.paperFixed())));
            }
            r.table(List.of("x0", "clipped GD (ours)", "clipped GD (paper)", "fixed-step GD (ours)", "fixed-step GD (paper)"), rows);
            r.image("Iterations against x0, log-log", "clipping-x4.png");
            r.paragraph("Wall time of part 1: " + Report.wallTime(x4Seconds) + ".");
        }
        if (!runs.isEmpty()) {
            r.subsection("Part 2: a network");
            List<List<String>> rows = new ArrayList<>();
            for (Method m : Method.values()) {
                rows.add(List.of(m.label, Statistics.format(meanAt(runs, m, cfg.milestone(), true), 4),
                        m == Method.MIXED ? "≈ 0.2" : m == Method.SGD_MOMENTUM ? "≈ 0.4" : "—",
                        Statistics.format(meanAt(runs, m, cfg.milestone(), false), 2), m == Method.MIXED ? "≈ 89" : m == Method.SGD_MOMENTUM ? "≈ 80" : "—",
                        Statistics.format(meanAt(runs, m, cfg.epochs(), false), 2), "≈ 93"));
            }
            r.paragraph("Means over seeds (every seed and epoch is in `clipping-epochs.csv`). \"Before the decay\" is epoch " + cfg.milestone()
                    + " here and epoch 80 in the paper.");
            r.table(List.of("method", "train loss before decay (ours)", "(paper)", "test acc. % before decay (ours)", "(paper)", "final test acc. % (ours)",
                    "(paper)"), rows);
            r.image("Training loss per epoch", "clipping-train-loss.png");
            r.image("Test accuracy per epoch", "clipping-test-accuracy.png");
            r.paragraph(Resumption.timing(runs.stream().flatMap(x -> x.result().history().stream()).toList(), resumed, runs.size()));
            String d = diverged(runs);
            if (!d.isEmpty()) r.paragraph("**Runs that diverged.**" + d);
        }
        r.section("Verdicts");
        r.verdicts(verdicts);
        r.section("Files");
        List<String> files = new ArrayList<>();
        if (!x4.isEmpty()) files.add("`clipping-x4.csv`: one row per start and method: step, γ, iterations, the paper's count; `clipping-x4.png`");
        if (!runs.isEmpty()) {
            files.add("`clipping-epochs.csv`: one row per method, seed and epoch: training and test loss and accuracy, lr, seconds");
            files.add("`clipping-runs.csv`: one row per run: final and best test accuracy, divergence");
            files.add("`clipping-train-loss.png`, `clipping-test-accuracy.png`: the plots above");
        }
        r.bullets(files);
        r.provenance(Machine.current(), command, wall);
        r.write(out.resolve("report.md"));
    }

    /** {@code descent reproduce clipping}. */
    @Command(name = "clipping", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"docs/papers.md §4: the x⁴ table (clipped vs fixed-step GD), then SGD+momentum vs clipped SGD, clipped momentum and mixed",
                "clipping on a network (10k images, batch 128, 12 epochs, η and γ ÷ 10 after epoch 8, 2 seeds)."})
    static final class Cli implements Callable<Integer> {
        @Mixin
        ReproduceCommand.Common common;
        @Option(names = "--part", description = "all (default), x4, network")
        String part = "all";
        @Option(names = "--data", description = "cifar10:DIR|ARCHIVE (the paper's), fashion-mnist[:DIR], synthetic, or auto (default)")
        String data = "auto";
        @Option(names = "--model", description = "simplecnn (default) or resnet32 (3-channel images only)")
        String model = "simplecnn";
        @Option(names = "--x4-starts", split = ",", description = "x⁴ starting points (default: 3,10,30,100)")
        List<Double> x4Starts;
        @Option(names = "--train-subset", description = "training images (default: 10000; quick 64)")
        Integer trainSubset;
        @Option(names = "--test-subset", description = "test images, 0 for all (default: 0; quick 64)")
        Integer testSubset;
        @Option(names = "--batch-size", description = "batch size (default: 128; quick 16)")
        Integer batchSize;
        @Option(names = "--epochs", description = "epochs (default: 12; quick 2)")
        Integer epochs;
        @Option(names = "--milestone", description = "divide η and γ by 10 after this epoch (default: 8; quick 1)")
        Integer milestone;
        @Option(names = "--soft-clip", description = "the authors' soft h for clipped momentum and mixed clipping")
        boolean softClip;
        @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2; quick 1)")
        List<Long> seeds;
        @Option(names = "--resume", description = "keep the network runs an interrupted invocation with the same settings completed in --out; run the rest")
        boolean resume;

        @Override
        public Integer call() throws IOException {
            Config d = common.quick ? Config.toy(data, model) : Config.full(data, model);
            Part p = switch (part) {
                case "all" -> Part.ALL;
                case "x4" -> Part.X4;
                case "network" -> Part.NETWORK;
                default -> throw new IllegalArgumentException("--part must be all, x4 or network, was '" + part + "'");
            };
            Config cfg = new Config(p, x4Starts != null ? x4Starts : d.x4Starts(), data, model, trainSubset != null ? trainSubset : d.trainSubset(),
                    testSubset != null ? testSubset : d.testSubset(), d.subsetSeed(), batchSize != null ? batchSize : d.batchSize(),
                    epochs != null ? epochs : d.epochs(), milestone != null ? milestone : d.milestone(), d.weightDecay(), softClip,
                    seeds != null ? seeds : d.seeds(), common.quick, resume);
            Path out = common.out("clipping");
            ReproduceCommand.prepare(out);
            System.out.printf(Locale.ROOT, "reproduce clipping%s: part %s%s%s%n", cfg.quick() ? " (quick)" : "", part,
                    p == Part.NETWORK ? "" : ", x⁴ from " + cfg.x4Starts(), p == Part.X4 ? "" : String.format(Locale.ROOT,
                            "; %s on %s, %d training images, batch %d, %d epochs, decay after %d, seeds %s", cfg.model(), cfg.data(), cfg.trainSubset(),
                            cfg.batchSize(), cfg.epochs(), cfg.milestone(), cfg.seeds()));
            Outcome o = run(cfg, out, common.command(), System.out);
            return ReproduceCommand.done("clipping", out, o.verdicts(), cfg.quick(), System.out);
        }
    }
}
