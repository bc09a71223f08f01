// Reproduction of docs/papers.md §1: SR-Adam against Adam on SimpleCNN, at a large and a small batch size.
package dev.descent.bench.reproduce;

import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import dev.descent.train.EpochMetrics;
import dev.descent.bench.ImageData;
import dev.descent.bench.report.LinePlot;
import dev.descent.core.io.AtomicFile;
import dev.descent.bench.ModelFactory;
import dev.descent.core.Parameter;
import dev.descent.data.Dataset;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SteinRuleAdam;
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
 * {@code descent reproduce sr-adam}: Arashi &amp; Amintoosi's Stein-rule Adam (docs/papers.md §1) against Adam
 * on SimpleCNN with input noise 0.05, at batch 512 and batch 64: Adam, SR-Adam on the convolution
 * layers with the paper's formula, the same with the authors' whitened statistics, and SR-Adam on all
 * parameters. Every configuration runs with the same seeds, so each seed's runs share the initial
 * weights, the batches and the augmentation. The claims: at batch 512 SR-Adam beats Adam by at least
 * 0.5 points of mean best test accuracy; shrinking all parameters does worse than Adam; at batch 64
 * SR-Adam is not above Adam.
 */
public final class SrAdamExperiment {
    private SrAdamExperiment() {}

    /** The optimizers compared. */
    enum Method {
        ADAM("Adam"),
        SR_PAPER("SR-Adam (conv, paper formula)"),
        SR_WHITENED("SR-Adam (conv, whitened)"),
        SR_ALL("SR-Adam (all parameters)");

        final String label;

        Method(String label) {
            this.label = label;
        }

        boolean shrinks() {
            return this != ADAM;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The experiment's settings.
     *
     * @param data        the {@code --data} value: {@code cifar10:PATH}, or a substitute ({@code auto}: Fashion-MNIST when installed)
     * @param trainSubset training images (class-stratified subset)
     * @param testSubset  test images, the first ones (0: the full test set)
     * @param subsetSeed  seed of the training subset (one subset for every run)
     * @param inputNoise  std of the Gaussian noise on normalised training images
     * @param batchSizes  the batch sizes; the largest is the "large batch" of the claims, the smallest the "small batch"
     * @param epochs      epochs per run
     * @param seeds       seeds (initial weights, shuffles, augmentation, noise, dropout)
     * @param lr          learning rate of every optimizer
     * @param allVariant  how SR-Adam on all parameters computes its statistics
     * @param quick       toy sizes; the report claims nothing
     * @param resume      read back the runs an earlier invocation with the same settings completed in the output folder
     */
    public record Config(String data, int trainSubset, int testSubset, long subsetSeed, double inputNoise, List<Integer> batchSizes, int epochs,
                         List<Long> seeds, double lr, SteinRuleAdam.Variant allVariant, boolean quick, boolean resume) {

        /** Validates every setting, naming the bad value. */
        public Config {
            if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
            if (!(inputNoise >= 0)) throw new IllegalArgumentException("--input-noise must be >= 0, was " + inputNoise);
            ErmExperiment.requireNonEmpty("--batch-sizes", batchSizes);
            ErmExperiment.requireNonEmpty("--seeds", seeds);
            for (int b : batchSizes) if (b < 1) throw new IllegalArgumentException("--batch-sizes values must be >= 1, was " + b);
            if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, was " + epochs);
            if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, was " + lr);
            batchSizes = batchSizes.stream().distinct().sorted((a, b) -> Integer.compare(b, a)).toList();
            seeds = List.copyOf(seeds);
        }

        /**
         * The full setup: 10,000 training images, the full test set, noise 0.05, batch 512 and 64, 10 epochs, seeds 1–3, lr 1e-3.
         *
         * @param data the {@code --data} value
         * @return the full configuration
         */
        public static Config full(String data) {
            return new Config(data, 10_000, 0, 0, 0.05, List.of(512, 64), 10, List.of(1L, 2L, 3L), 1e-3, SteinRuleAdam.Variant.PAPER, false, false);
        }

        /**
         * Toy sizes: 48 training and 48 test images, batch 16 and 8, 2 epochs, one seed.
         *
         * @param data the {@code --data} value
         * @return the quick configuration
         */
        public static Config toy(String data) {
            return new Config(data, 48, 48, 0, 0.05, List.of(16, 8), 2, List.of(1L), 1e-3, SteinRuleAdam.Variant.PAPER, true, false);
        }

        int largeBatch() {
            return batchSizes.get(0);
        }

        int smallBatch() {
            return batchSizes.get(batchSizes.size() - 1);
        }

        /** The settings that must match for {@code --resume} (everything but the flag itself). */
        String fingerprint() {
            return "sr-adam " + data + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " noise " + inputNoise + " batches "
                    + batchSizes + " epochs " + epochs + " seeds " + seeds + " lr " + lr + " all-params " + allVariant + " quick " + quick;
        }
    }

    /** Published best test accuracies (%), CIFAR-10, input noise 0.05, 20 epochs, 5 seeds (docs/papers.md §1), by batch size. */
    static final Map<Integer, double[]> PAPER_ADAM_SR = Map.of(64, new double[] {76.17, 72.02}, 128, new double[] {76.31, 73.75},
            256, new double[] {75.52, 75.73}, 512, new double[] {73.95, 75.84}, 1024, new double[] {71.96, 73.89});
    /** Published best test accuracy (%) of SR-Adam on all parameters, CIFAR-10, noise 0.05, batch 512. */
    static final double PAPER_ALL_512 = 71.25;

    /** The published number for a method at a batch size, or NaN (the paper's SR-Adam numbers come from the authors' whitened code). */
    static double paper(Method m, int batch) {
        double[] p = PAPER_ADAM_SR.get(batch);
        return switch (m) {
            case ADAM -> p == null ? Double.NaN : p[0];
            case SR_PAPER, SR_WHITENED -> p == null ? Double.NaN : p[1];
            case SR_ALL -> batch == 512 ? PAPER_ALL_512 : Double.NaN;
        };
    }

    /** One run's outcome. */
    record Run(Method method, int batch, long seed, TrainResult result, List<double[]> shrinkage) {}

    /** What the experiment produced, for tests. */
    record Outcome(List<Verdict> verdicts, List<Run> runs) {}

    /** The optimizer of a method over a model's parameters. */
    static Optimizer optimizer(Method m, Sequential model, Config cfg) {
        List<Parameter> all = model.parameters();
        return switch (m) {
            case ADAM -> new Adam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("paper_epsilon", true)));
            case SR_PAPER, SR_WHITENED -> new SteinRuleAdam(List.of(
                    ParamGroup.of(model.parameters(Conv2d.class)).with("lr", cfg.lr()).with("shrink", true)
                            .with("variant", m == Method.SR_PAPER ? SteinRuleAdam.Variant.PAPER : SteinRuleAdam.Variant.WHITENED),
                    ParamGroup.of(model.parametersExcept(Conv2d.class)).with("lr", cfg.lr()).with("shrink", false)));
            case SR_ALL -> new SteinRuleAdam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("shrink", true).with("variant", cfg.allVariant())));
        };
    }

    /**
     * Runs every configuration and writes {@code report.md}, {@code sr-adam-epochs.csv}, {@code sr-adam-shrinkage.csv},
     * {@code sr-adam-runs.csv}, the plots and {@code summary.md} into {@code out}. The CSV files are rewritten after every run.
     *
     * @param cfg     the settings
     * @param out     the output folder
     * @param command the command line, for the report
     * @param log     progress lines
     * @return the verdicts and runs
     * @throws IOException when data cannot be read or a file cannot be written
     */
    static Outcome run(Config cfg, Path out, String command, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        ImageData data = ImageData.load(cfg.data(), cfg.trainSubset(), cfg.testSubset(), cfg.subsetSeed());
        Dataset train = data.trainingSet(true, cfg.inputNoise()), test = data.testSet();
        log.printf(Locale.ROOT, "  data: %s (%d training, %d test images)%s%n", data.description(), data.train().size(), data.test().size(),
                data.substitute() ? " — a substitute for CIFAR-10" : "");
        Map<String, Run> earlier = cfg.resume() ? earlierRuns(cfg, out) : Map.of();
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Run> runs = new ArrayList<>();
        long params = ModelFactory.create("simplecnn", data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(),
                new SplittableRandom(0)).parameterCount();
        for (int batch : cfg.batchSizes()) {
            for (long seed : cfg.seeds()) {
                for (Method m : Method.values()) {
                    Run before = earlier.get(m.key() + "/" + batch + "/" + seed);
                    if (before != null) {
                        runs.add(before);
                        log.printf(Locale.ROOT, "  %s b%d s%d: read back from the earlier invocation (best test accuracy %.2f%%)%n", m.key(), batch, seed,
                                100 * before.result().bestTestAccuracy());
                        continue;
                    }
                    Sequential model = ModelFactory.create("simplecnn", data.train().channels(), data.train().height(), data.train().width(),
                            data.train().numClasses(), new SplittableRandom(seed));
                    Optimizer opt = optimizer(m, model, cfg);
                    List<double[]> shrink = new ArrayList<>();
                    Callback probe = new Callback() { // SR-Adam's shrinkage factor after every step
                        @Override
                        public void onStep(Trainer t, Step s) {
                            if (m.shrinks()) shrink.add(new double[] {s.step(), s.epoch(), ((SteinRuleAdam) opt).lastShrinkage(0)});
                        }
                    };
                    TrainResult r = NetworkRun.train(m.key() + " b" + batch + " s" + seed, model, opt, null, train, test, batch, cfg.epochs(), seed ^ 0xDA7AL,
                            log, probe);
                    runs.add(new Run(m, batch, seed, r, shrink));
                    writeCsv(runs, out);
                }
            }
        }
        List<Verdict> verdicts = verdicts(cfg, runs);
        plots(cfg, runs, out);
        double wall = (System.nanoTime() - t0) / 1e9;
        writeReport(cfg, data, params, runs, verdicts, out, command, wall, earlier.size());
        List<String> parts = new ArrayList<>();
        for (Verdict v : verdicts) parts.add(v.outcome().label().toLowerCase(Locale.ROOT));
        AtomicFile.writeString(out.resolve("summary.md"), String.format(Locale.ROOT, "[SR-Adam](sr-adam/report.md) (Arashi & Amintoosi, §1) on %s: at batch %d"
                + " SR-Adam − Adam = %s points of mean best accuracy (paper formula; paper +1.89 on CIFAR-10 at batch 512); verdicts: %s.%n",
                data.cifar10() ? "CIFAR-10" : data.description() + " (substitute for CIFAR-10)", cfg.largeBatch(),
                Statistics.format(meanBest(runs, Method.SR_PAPER, cfg.largeBatch()) - meanBest(runs, Method.ADAM, cfg.largeBatch()), 2),
                String.join(", ", parts)));
        return new Outcome(verdicts, runs);
    }

    /** The runs an earlier invocation with the same settings completed, read back from its CSV files; keyed method/batch/seed. */
    static Map<String, Run> earlierRuns(Config cfg, Path out) throws IOException {
        if (!Resumption.matches(out, cfg.fingerprint(), "sr-adam-runs.csv")) return Map.of();
        List<Map<String, String>> epochRows = CsvTable.read(out.resolve("sr-adam-epochs.csv"));
        List<Map<String, String>> shrinkRows = CsvTable.read(out.resolve("sr-adam-shrinkage.csv"));
        Map<String, Run> runs = new LinkedHashMap<>();
        for (Map<String, String> row : CsvTable.read(out.resolve("sr-adam-runs.csv"))) {
            String diverged = row.get("diverged");
            if (Integer.parseInt(row.get("epochs_completed")) != cfg.epochs() && diverged.isEmpty()) continue;
            Method m = null;
            for (Method x : Method.values()) if (x.key().equals(row.get("method"))) m = x;
            if (m == null) throw new IOException(out.resolve("sr-adam-runs.csv") + ": unknown method '" + row.get("method") + "'");
            String key = m.key() + "/" + row.get("batch_size") + "/" + row.get("seed");
            List<EpochMetrics> epochs = Resumption.epochs(epochRows, r -> key.equals(r.get("method") + "/" + r.get("batch_size") + "/" + r.get("seed")));
            List<double[]> shrink = new ArrayList<>();
            for (Map<String, String> r : shrinkRows) {
                if (!key.equals(r.get("method") + "/" + r.get("batch_size") + "/" + r.get("seed"))) continue;
                shrink.add(new double[] {Long.parseLong(r.get("step")), Integer.parseInt(r.get("epoch")), Double.parseDouble(r.get("shrinkage"))});
            }
            runs.put(key, new Run(m, Integer.parseInt(row.get("batch_size")), Long.parseLong(row.get("seed")),
                    NetworkRun.readBack(epochs, diverged), shrink));
        }
        return runs;
    }

    static double[] bests(List<Run> runs, Method m, int batch) {
        return runs.stream().filter(r -> r.method() == m && r.batch() == batch).mapToDouble(r -> 100 * r.result().bestTestAccuracy()).toArray();
    }

    static double meanBest(List<Run> runs, Method m, int batch) {
        return Statistics.mean(bests(runs, m, batch));
    }

    private static void writeCsv(List<Run> runs, Path out) throws IOException {
        CsvTable epochs = new CsvTable("method", "batch_size", "seed", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "seconds");
        CsvTable shrink = new CsvTable("method", "batch_size", "seed", "step", "epoch", "shrinkage");
        CsvTable summary = new CsvTable("method", "batch_size", "seed", "best_test_accuracy", "final_test_accuracy", "epochs_completed", "diverged");
        for (Run r : runs) {
            for (EpochMetrics e : r.result().history()) {
                epochs.row(r.method().key(), r.batch(), r.seed(), e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.lr(), e.seconds());
            }
            for (double[] s : r.shrinkage()) shrink.row(r.method().key(), r.batch(), r.seed(), (long) s[0], (int) s[1], s[2]);
            List<EpochMetrics> es = r.result().history();
            summary.row(r.method().key(), r.batch(), r.seed(), r.result().bestTestAccuracy(), es.isEmpty() ? Double.NaN : es.get(es.size() - 1).testAccuracy(),
                    es.size(), r.result().message());
        }
        epochs.write(out.resolve("sr-adam-epochs.csv"));
        shrink.write(out.resolve("sr-adam-shrinkage.csv"));
        summary.write(out.resolve("sr-adam-runs.csv"));
    }

    /** The claims, judged on mean best test accuracy over seeds. */
    static List<Verdict> verdicts(Config cfg, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        int large = cfg.largeBatch(), small = cfg.smallBatch();
        for (Method sr : List.of(Method.SR_PAPER, Method.SR_WHITENED)) {
            double d = meanBest(runs, sr, large) - meanBest(runs, Method.ADAM, large);
            v.add(judged("At batch " + large + ", " + sr.label + " beats Adam by at least 0.5 points of mean best test accuracy (paper, batch 512: "
                    + "75.84 vs 73.95, +1.89).", "mean over seeds of the best test accuracy over epochs: SR-Adam − Adam ≥ 0.5 points at batch " + large + ".",
                    d, d >= 0.5, runs, sr, large));
        }
        double dAll = meanBest(runs, Method.SR_ALL, large) - meanBest(runs, Method.ADAM, large);
        v.add(judged("Shrinking all parameters does worse than Adam (paper, batch 512: 71.25 vs 73.95, −2.70).",
                "mean best test accuracy of SR-Adam on all parameters < Adam's, at batch " + large + ".", dAll, dAll < 0, runs, Method.SR_ALL, large));
        if (small != large) {
            for (Method sr : List.of(Method.SR_PAPER, Method.SR_WHITENED)) {
                double d = meanBest(runs, sr, small) - meanBest(runs, Method.ADAM, small);
                v.add(judged("At batch " + small + ", " + sr.label + " is not above Adam: shrinkage helps only with large batches (paper, batch 64:"
                        + " 72.02 vs 76.17, −4.15).", "mean best test accuracy: SR-Adam − Adam ≤ 0 at batch " + small + ".", d, d <= 0, runs, sr, small));
            }
        }
        return v;
    }

    private static Verdict judged(String claim, String criterion, double diff, boolean held, List<Run> runs, Method m, int batch) {
        String evidence = String.format(Locale.ROOT, "%s %s vs Adam %s: difference %s points.", m.label, Statistics.meanStd(bests(runs, m, batch), 2),
                Statistics.meanStd(bests(runs, Method.ADAM, batch), 2), Statistics.format(diff, 2));
        if (Double.isNaN(diff)) {
            return new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, evidence + " A run diverged (see `sr-adam-runs.csv`), so the mean is undefined.");
        }
        return new Verdict(claim, criterion, Verdict.Outcome.of(held), evidence);
    }

    private static void plots(Config cfg, List<Run> runs, Path out) throws IOException {
        for (int batch : cfg.batchSizes()) {
            LinePlot acc = new LinePlot("Test accuracy, batch " + batch + " (mean over " + cfg.seeds().size() + " seeds)", "epoch", "test accuracy (%)");
            LinePlot shrink = new LinePlot("Shrinkage factor c of the shrinking group, batch " + batch + " (mean over seeds)", "step", "c");
            for (Method m : Method.values()) {
                double[] e = new double[cfg.epochs()], a = new double[cfg.epochs()];
                for (int i = 0; i < e.length; i++) {
                    e[i] = i + 1;
                    int epoch = i + 1;
                    a[i] = 100 * Statistics.mean(runs.stream().filter(r -> r.method() == m && r.batch() == batch)
                            .mapToDouble(r -> r.result().epoch(epoch) == null ? Double.NaN : r.result().epoch(epoch).testAccuracy()).toArray());
                }
                acc.add(m.label, e, a);
                if (!m.shrinks()) continue;
                List<Run> mine = runs.stream().filter(r -> r.method() == m && r.batch() == batch).toList();
                int steps = mine.stream().mapToInt(r -> r.shrinkage().size()).max().orElse(0);
                double[] s = new double[steps], c = new double[steps];
                for (int i = 0; i < steps; i++) {
                    int k = i;
                    s[i] = i + 1;
                    c[i] = Statistics.mean(mine.stream().mapToDouble(r -> k < r.shrinkage().size() ? r.shrinkage().get(k)[2] : Double.NaN).toArray());
                }
                shrink.add(m.label, s, c);
            }
            acc.write(out.resolve("sr-adam-accuracy-batch" + batch + ".png"));
            shrink.write(out.resolve("sr-adam-shrinkage-batch" + batch + ".png"));
        }
    }

    private static void writeReport(Config cfg, ImageData data, long params, List<Run> runs, List<Verdict> verdicts, Path out, String command, double wall,
                                    int resumed) throws IOException {
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
        s.put("training transforms", data.transformsDescription(true, cfg.inputNoise()));
        s.put("model", String.format(Locale.ROOT, "SimpleCNN for %d×%d×%d inputs, %d classes: %,d parameters (conv 32 and 64 channels, dense 128, dropout 0.2)",
                data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(), params));
        s.put("batch sizes", cfg.batchSizes() + " (large: " + cfg.largeBatch() + ", small: " + cfg.smallBatch() + ")");
        s.put("epochs", cfg.epochs());
        s.put("seeds", cfg.seeds() + " (per seed, every optimizer starts from the same weights and sees the same batches, augmentation and noise)");
        s.put("loss", "cross-entropy; no weight decay; no schedule");
        s.put("Adam", "lr " + cfg.lr() + ", β1 0.9, β2 0.999, ε 1e-8 added to the uncorrected sqrt(v) as in [docs/papers.md §1](../../papers.md#1-stein-rule-adam-sr-adam)"
                + " (`paper_epsilon`), so that Adam is exactly SR-Adam with c ≡ 1");
        s.put("SR-Adam (conv, …)", "two groups: the Conv2d weights and biases shrink (one factor), every other parameter is plain Adam; lr " + cfg.lr()
                + ", β1 0.9, β2 0.999, ε 1e-8, warm-up 5 steps, c_min 0.1, c_max 1; paper formula or whitened (authors' code) statistics");
        s.put("SR-Adam (all parameters)", "one shrinking group with every parameter, " + cfg.allVariant().name().toLowerCase(Locale.ROOT) + " statistics");
        s.put("metric", "best test accuracy over the epochs, mean ± std over seeds");
        r.settings(s);
        r.paragraph("Differences from the paper's setup ([docs/papers.md §1](../../papers.md#1-stein-rule-adam-sr-adam):"
                + " full 50,000-image training set, 20 epochs, 5 seeds): this run uses "
                + data.train().size() + " training images, " + cfg.epochs() + " epochs and " + cfg.seeds().size() + " seed(s) (issue 7's full setup:"
                + " 10,000 images, 10 epochs, 3 seeds)."
                + " Absolute accuracies are therefore not comparable with the paper's; the claims are about differences between optimizers.");

        r.section("Results");
        for (int batch : cfg.batchSizes()) {
            r.subsection("Batch " + batch);
            List<List<String>> rows = new ArrayList<>();
            double adam = meanBest(runs, Method.ADAM, batch), paperAdam = paper(Method.ADAM, batch);
            for (Method m : Method.values()) {
                double[] b = bests(runs, m, batch);
                double[] finals = runs.stream().filter(x -> x.method() == m && x.batch() == batch)
                        .mapToDouble(x -> x.result().diverged() || x.result().history().isEmpty() ? Double.NaN
                                : 100 * x.result().history().get(x.result().history().size() - 1).testAccuracy()).toArray();
                double p = paper(m, batch);
                rows.add(List.of(m.label, Statistics.meanStd(b, 2), Statistics.format(Statistics.mean(finals), 2),
                        m == Method.ADAM ? "—" : Statistics.format(Statistics.mean(b) - adam, 2), Double.isNaN(p) ? "—" : Statistics.format(p, 2),
                        m == Method.ADAM || Double.isNaN(p) || Double.isNaN(paperAdam) ? "—" : Statistics.format(p - paperAdam, 2)));
            }
            r.table(List.of("optimizer", "best test acc. % (ours)", "final test acc. % (ours)", "Δ vs Adam (ours)", "best test acc. % (paper, CIFAR-10)",
                    "Δ vs Adam (paper)"), rows);
            r.image("Test accuracy per epoch at batch " + batch, "sr-adam-accuracy-batch" + batch + ".png");
            double epochSeconds = Statistics.mean(runs.stream().filter(x -> x.batch() == batch).flatMap(x -> x.result().history().stream())
                    .mapToDouble(EpochMetrics::seconds).toArray());
            r.paragraph("Mean wall time of one epoch at batch " + batch + " (training and evaluation): " + Report.wallTime(epochSeconds) + ".");
        }
        r.subsection("Shrinkage factor");
        List<List<String>> rows = new ArrayList<>();
        for (int batch : cfg.batchSizes()) {
            for (Method m : Method.values()) {
                if (!m.shrinks()) continue;
                List<Double> after = new ArrayList<>();
                for (Run run : runs) {
                    if (run.method() != m || run.batch() != batch) continue;
                    for (double[] x : run.shrinkage()) if (x[0] > 5) after.add(x[2]);
                }
                double[] c = after.stream().mapToDouble(Double::doubleValue).toArray();
                double min = after.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                double max = after.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                rows.add(List.of(Integer.toString(batch), m.label, Integer.toString(c.length), Statistics.format(Statistics.mean(c), 4),
                        Statistics.format(min, 4), Statistics.format(max, 4)));
            }
        }
        r.paragraph("The factor c of the shrinking group after the 5 warm-up steps (every step of every seed is in `sr-adam-shrinkage.csv`)."
                + " The whitened variant's factor is max(c_min, 2/p) by construction.");
        r.table(List.of("batch", "optimizer", "steps", "mean c", "min c", "max c"), rows);
        for (int batch : cfg.batchSizes()) r.image("Shrinkage factor per step at batch " + batch, "sr-adam-shrinkage-batch" + batch + ".png");
        List<String> diverged = new ArrayList<>();
        for (Run run : runs) if (run.result().diverged()) diverged.add(run.method().label + ", batch " + run.batch() + ", seed " + run.seed() + ": "
                + run.result().message());
        if (!diverged.isEmpty()) {
            r.paragraph("Runs that diverged:");
            r.bullets(diverged);
        }

        r.paragraph(Resumption.timing(runs.stream().flatMap(x -> x.result().history().stream()).toList(), resumed, runs.size()));
        r.section("Verdicts");
        r.verdicts(verdicts);
        r.section("Files");
        r.bullets(List.of("`sr-adam-epochs.csv`: one row per optimizer, batch size, seed and epoch: training and test loss and accuracy, lr, seconds",
                "`sr-adam-shrinkage.csv`: one row per SR-Adam step: the shrinking group's factor c",
                "`sr-adam-runs.csv`: one row per run: best and final test accuracy, divergence",
                "`sr-adam-accuracy-batchB.png`, `sr-adam-shrinkage-batchB.png`: the plots above"));
        r.provenance(Machine.current(), command, wall);
        r.write(out.resolve("report.md"));
    }

    /** {@code descent reproduce sr-adam}. */
    @Command(name = "sr-adam", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"docs/papers.md §1: Adam vs SR-Adam (conv only, paper formula and whitened) vs SR-Adam on all parameters, SimpleCNN,",
                "input noise 0.05, batch 512 and 64. On CIFAR-10 when given (--data cifar10:PATH); otherwise on a substitute, said so in the report."})
    static final class Cli implements Callable<Integer> {
        @Mixin
        ReproduceCommand.Common common;
        @Option(names = "--data", description = "cifar10:DIR|ARCHIVE (the paper's), fashion-mnist[:DIR], synthetic, or auto (default: Fashion-MNIST when"
                + " installed, else synthetic)")
        String data = "auto";
        @Option(names = "--train-subset", description = "training images (default: 10000; quick 48)")
        Integer trainSubset;
        @Option(names = "--test-subset", description = "test images, 0 for all (default: 0; quick 48)")
        Integer testSubset;
        @Option(names = "--input-noise", description = "noise std on normalised training images (default: 0.05)")
        Double inputNoise;
        @Option(names = "--batch-sizes", split = ",", description = "batch sizes (default: 512,64; quick 16,8)")
        List<Integer> batchSizes;
        @Option(names = "--epochs", description = "epochs (default: 10; quick 2)")
        Integer epochs;
        @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3; quick 1)")
        List<Long> seeds;
        @Option(names = "--all-params-variant", description = "statistics of SR-Adam on all parameters: paper (default) or whitened")
        String allVariant = "paper";
        @Option(names = "--resume", description = "keep the runs an interrupted invocation with the same settings completed in --out; run the rest")
        boolean resume;

        @Override
        public Integer call() throws IOException {
            Config d = common.quick ? Config.toy(data) : Config.full(data);
            SteinRuleAdam.Variant v = switch (allVariant) {
                case "paper" -> SteinRuleAdam.Variant.PAPER;
                case "whitened" -> SteinRuleAdam.Variant.WHITENED;
                default -> throw new IllegalArgumentException("--all-params-variant must be paper or whitened, was '" + allVariant + "'");
            };
            Config cfg = new Config(data, trainSubset != null ? trainSubset : d.trainSubset(), testSubset != null ? testSubset : d.testSubset(),
                    d.subsetSeed(), inputNoise != null ? inputNoise : d.inputNoise(), batchSizes != null ? batchSizes : d.batchSizes(),
                    epochs != null ? epochs : d.epochs(), seeds != null ? seeds : d.seeds(), d.lr(), v, common.quick, resume);
            Path out = common.out("sr-adam");
            ReproduceCommand.prepare(out);
            System.out.printf(Locale.ROOT, "reproduce sr-adam%s: data %s, %d training images, batch sizes %s, %d epochs, seeds %s%n", cfg.quick() ? " (quick)" : "",
                    cfg.data(), cfg.trainSubset(), cfg.batchSizes(), cfg.epochs(), cfg.seeds());
            Outcome o = run(cfg, out, common.command(), System.out);
            return ReproduceCommand.done("sr-adam", out, o.verdicts(), cfg.quick(), System.out);
        }
    }
}
