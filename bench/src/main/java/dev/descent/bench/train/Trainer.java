package dev.descent.bench.train;

import dev.descent.core.Anomaly;
import dev.descent.core.DType;
import dev.descent.core.GradMode;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.Workspace;
import dev.descent.core.io.Json;
import dev.descent.core.io.Safetensors;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.GaussianNoise;
import dev.descent.data.HorizontalFlip;
import dev.descent.data.ImageDataset;
import dev.descent.data.Normalize;
import dev.descent.data.RandomCrop;
import dev.descent.data.Transform;
import dev.descent.nn.Sequential;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Schedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * The training loop behind {@code descent train}: data, model and optimizer from a {@link TrainConfig};
 * per epoch a progress display, a metrics line, metrics files and plots, and a checkpoint; at the end
 * the final model and optimizer state. Everything random derives from the config's seed, so a run
 * resumed from a checkpoint ends with bitwise the same weights as an uninterrupted one (same thread
 * count). A non-finite loss or gradient stops the run naming the epoch and step; SIGTERM or Ctrl-C
 * finishes the current step, writes a checkpoint and exits non-zero.
 */
public final class Trainer {
    /** Exit code of a run stopped by a signal after its checkpoint was written. */
    public static final int EXIT_INTERRUPTED = 130;
    /** Exit code of a run stopped because the loss or a gradient was not finite. */
    public static final int EXIT_DIVERGED = 3;

    private final TrainConfig cfg;
    private final PrintStream out;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    public Trainer(TrainConfig cfg, PrintStream out) {
        this.cfg = cfg;
        this.out = out;
    }

    /** Asks the loop to stop after the current step (what SIGTERM does). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Runs (or resumes) the training; returns the process exit code. */
    public int run(boolean resume) throws IOException {
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "descent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean prevAnomaly = Anomaly.isEnabled();
        Anomaly.setEnabled(cfg.detectAnomaly());
        try {
            return train(resume);
        } finally {
            Anomaly.setEnabled(prevAnomaly);
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting (a signal): the hook runs and returns at once
            }
        }
    }

    private int train(boolean resume) throws IOException {
        Path dir = cfg.out();
        Files.createDirectories(dir);
        MetricsLog.writeText(dir.resolve("config.json"), Json.write(cfg.toMap()) + "\n");

        TrainingData data = TrainingData.load(cfg.data(), cfg.seed());
        ImageDataset train = data.train(), test = data.test();
        if (cfg.trainSubset() > 0 && cfg.trainSubset() < train.size()) train = train.stratifiedSubset(cfg.trainSubset(), new SplittableRandom(cfg.seed() ^ 0x5B5E7L));
        if (cfg.labelNoise() > 0) train = train.withSymmetricLabelNoise(cfg.labelNoise(), new SplittableRandom(cfg.seed() ^ 0x1AB31L));
        if (cfg.testSubset() > 0 && cfg.testSubset() < test.size()) test = test.first(cfg.testSubset());
        Normalize norm = Normalize.fit(train);
        List<Transform> tt = new ArrayList<>();
        if (cfg.augment()) {
            tt.add(new RandomCrop(train.height(), train.height() >= 32 ? 4 : 2));
            tt.add(new HorizontalFlip());
        }
        tt.add(norm);
        if (cfg.inputNoise() > 0) tt.add(new GaussianNoise(cfg.inputNoise()));
        Dataset trainSet = train.transform(tt.toArray(new Transform[0]));
        Dataset testSet = test.transform(norm);

        Sequential model = ModelFactory.create(cfg.model(), train.channels(), train.height(), train.width(), train.numClasses(),
                new SplittableRandom(cfg.seed()));
        Optimizer opt = OptimizerFactory.create(cfg, model);
        LrScheduler scheduler = scheduler(opt);
        DataLoader loader = new DataLoader(trainSet, cfg.batchSize(), cfg.seed() ^ 0xDA7AL).withPrefetch(2);
        Map<String, String> meta = modelMeta(train);

        Checkpoints checkpoints = new Checkpoints(dir);
        MetricsLog metrics = new MetricsLog(dir);
        Checkpoints.Position pos = new Checkpoints.Position(0, 0, 0, 0, 0, 0, 0, List.of());
        if (resume) {
            Path ckpt = checkpoints.latest();
            if (ckpt == null) {
                out.println("descent: no checkpoint in " + dir + " yet; starting from the beginning");
            } else {
                pos = checkpoints.restore(ckpt, model, opt); // the scheduler's position comes back with the optimizer's state
                out.printf(Locale.ROOT, "resuming from %s: epoch %d, batch %d%n", dir.relativize(ckpt), pos.epoch() + 1, pos.batch());
            }
        }
        metrics.restore(pos.history());
        if (!resume || pos.epoch() == 0 && pos.batch() == 0) writeRunRecord(dir, data, train, test, model);

        out.printf(Locale.ROOT, "train: %s on %s (%d train, %d test images, %d classes), %s, %d epochs, batch %d, seed %d, %d threads%n",
                cfg.model(), data.description(), train.size(), test.size(), train.numClasses(), opt.getClass().getSimpleName(), cfg.epochs(),
                cfg.batchSize(), cfg.seed(), Threads.count());
        out.printf(Locale.ROOT, "model: %,d parameters; output in %s%n", model.parameterCount(), dir);

        boolean terminal = Progress.isTerminal();
        Workspace workspace = new Workspace();
        long steps = pos.steps();
        for (int epoch = pos.epoch(); epoch < cfg.epochs(); epoch++) {
            boolean continuing = epoch == pos.epoch() && pos.batch() > 0;
            int startBatch = continuing ? pos.batch() : 0;
            double lossSum = continuing ? pos.lossSum() : 0, seconds = continuing ? pos.seconds() : 0;
            long correct = continuing ? pos.correct() : 0, seen = continuing ? pos.seen() : 0;
            long t0 = System.nanoTime();
            int total = loader.batchesPerEpoch();
            Progress progress = new Progress(out, terminal, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, cfg.epochs()), total);
            model.train();
            try (DataLoader.Batches batches = loader.epoch(epoch)) {
                int b = 0;
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    if (b++ < startBatch) continue;
                    double lv;
                    // The step's activations and gradients live in the workspace scope: the next step reuses their arrays.
                    try (var _ = workspace.open()) {
                        Tensor logits, loss;
                        try {
                            logits = model.forward(batch.x());
                            loss = Losses.crossEntropy(logits, batch.y());
                            lv = loss.item();
                            if (!Double.isFinite(lv)) return diverged("the loss became " + lv, epoch, b, total);
                            opt.zeroGrad();
                            loss.backward();
                        } catch (Anomaly.AnomalyException e) {
                            return diverged("anomaly detection stopped the step: " + e.getMessage() + ";", epoch, b, total);
                        }
                        double gn = gradNormSquared(model.parameters());
                        if (!Double.isFinite(gn)) return diverged("a gradient became " + (Double.isNaN(gn) ? "NaN" : "infinite"), epoch, b, total);
                        opt.step();
                        correct += countCorrect(logits, batch.y());
                    }
                    steps++;
                    lossSum += lv * batch.size();
                    seen += batch.size();
                    progress.update(b, seen, lossSum / seen);
                    if (stopRequested && b < total) {
                        double secs = seconds + (System.nanoTime() - t0) / 1e9;
                        checkpoints.save(model, meta, opt, new Checkpoints.Position(epoch, b, steps, lossSum, correct, seen, secs, metrics.rows()));
                        out.printf(Locale.ROOT, "%nstopped by a signal at epoch %d, batch %d/%d; checkpoint written. Continue with: descent train --resume %s%n",
                                epoch + 1, b, total, dir);
                        return EXIT_INTERRUPTED;
                    }
                }
            }
            seconds += (System.nanoTime() - t0) / 1e9;
            double[] eval = evaluate(model, testSet, test.size());
            EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1), eval[0], eval[1], seconds,
                    opt.lr(0), steps);
            metrics.add(m);
            out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  acc %.2f%%  |  test loss %.4f  acc %.2f%%  |  %.1f s  lr %.3g%n", m.epoch(), cfg.epochs(),
                    m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(), m.seconds(), m.lr());
            scheduler.step();
            checkpoints.save(model, meta, opt, new Checkpoints.Position(epoch + 1, 0, steps, 0, 0, 0, 0, metrics.rows()));
            if (stopRequested && epoch + 1 < cfg.epochs()) {
                out.printf("stopped by a signal after epoch %d; checkpoint written. Continue with: descent train --resume %s%n", epoch + 1, dir);
                return EXIT_INTERRUPTED;
            }
        }
        Safetensors.save(model.stateDict(), meta, dir.resolve("model.safetensors"));
        OptimizerState.save(opt, dir.resolve("optimizer.safetensors"));
        List<EpochMetrics> rows = metrics.rows();
        if (!rows.isEmpty()) {
            EpochMetrics last = rows.get(rows.size() - 1);
            out.printf(Locale.ROOT, "done: test accuracy %.2f%% after %d epochs; model in %s, metrics and plots (loss.png, accuracy.png) in %s%n",
                    100 * last.testAccuracy(), last.epoch(), dir.resolve("model.safetensors"), dir);
        }
        if (data.generated()) {
            out.println("note: this run used generated data. For real images: apt-get install dataset-fashion-mnist, then run descent train again"
                    + " (or pass --data cifar10:PATH with the CIFAR-10 binary files you have).");
        }
        return 0;
    }

    private int diverged(String what, int epoch, int batch, int total) {
        out.printf(Locale.ROOT, "%ndescent: training diverged: %s at epoch %d, step %d of %d. No checkpoint was written for this epoch."
                + " Try a lower --lr, --clip-norm, or --detect-anomaly to find the first op that produced it.%n", what, epoch + 1, batch, total);
        return EXIT_DIVERGED;
    }

    private LrScheduler scheduler(Optimizer opt) {
        String[] keys = cfg.scaleGamma() ? new String[] {"lr", "gamma"} : new String[] {"lr"};
        return new LrScheduler(opt, ScheduleSpec.parse(cfg.schedule(), cfg.epochs()), keys);
    }

    /**
     * Mean cross-entropy and accuracy over the first {@code size} examples of a dataset, in eval mode and
     * without a graph, in batches of 500 (the model's train/eval mode is restored afterwards).
     *
     * @param model the network
     * @param data  the dataset
     * @param size  how many examples
     * @return {mean loss, accuracy}
     */
    public static double[] evaluate(Sequential model, Dataset data, int size) {
        boolean was = model.isTraining();
        model.eval();
        double loss = 0;
        long correct = 0;
        Workspace workspace = new Workspace(); // each batch reuses the arrays of the one before
        try (var _ = GradMode.noGrad()) {
            int bs = 500;
            for (int from = 0; from < size; from += bs) {
                int[] idx = new int[Math.min(bs, size - from)];
                for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                try (var _ = workspace.open()) {
                    Batch b = data.batch(idx, new SplittableRandom(0));
                    Tensor logits = model.forward(b.x());
                    loss += Losses.crossEntropy(logits, b.y(), Losses.Reduction.SUM, 0).item();
                    correct += countCorrect(logits, b.y());
                }
            }
        } finally {
            model.train(was);
        }
        return new double[] {loss / Math.max(size, 1), (double) correct / Math.max(size, 1)};
    }

    /**
     * How many rows of {@code logits} have their largest value at the label.
     *
     * @param logits {@code [N, classes]}
     * @param labels {@code [N]} class indices
     * @return the count of correct predictions
     */
    public static long countCorrect(Tensor logits, Tensor labels) {
        long[] pred = logits.detach().argmax(1, false).toLongArray(), y = labels.toLongArray();
        long c = 0;
        for (int i = 0; i < y.length; i++) if (pred[i] == y[i]) c++;
        return c;
    }

    /** Σ‖g‖² over every gradient, in double (NaN or infinite when any gradient is). */
    static double gradNormSquared(List<Parameter> params) {
        double s = 0;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (g.dtype() == DType.FLOAT32) {
                float[] a = g.storage().floats();
                for (int i = g.storageOffset(), end = i + g.numel(); i < end; i++) s += (double) a[i] * a[i];
            } else {
                for (double v : g.toDoubleArray()) s += v * v;
            }
        }
        return s;
    }

    private Map<String, String> modelMeta(ImageDataset train) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "descent");
        meta.put("descent.model", cfg.model());
        meta.put("descent.input", train.channels() + "," + train.height() + "," + train.width());
        meta.put("descent.classes", Integer.toString(train.numClasses()));
        meta.put("descent.normalize.mean", join(Normalize.fit(train).mean()));
        meta.put("descent.normalize.std", join(Normalize.fit(train).std()));
        return meta;
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.toString();
    }

    private void writeRunRecord(Path dir, TrainingData data, ImageDataset train, ImageDataset test, Sequential model) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "descent train " + String.join(" ", ProcessHandle.current().info().arguments().map(a -> {
            List<String> args = new ArrayList<>(List.of(a));
            int i = args.indexOf("train");
            return i >= 0 ? args.subList(i + 1, args.size()) : List.<String>of();
        }).orElse(List.of())));
        r.put("config", cfg.toMap());
        r.put("seed", cfg.seed());
        r.put("threads", Threads.count());
        r.put("data", data.description());
        r.put("train_images", train.size());
        r.put("test_images", test.size());
        r.put("parameters", model.parameterCount());
        r.put("descent_version", Trainer.class.getPackage().getImplementationVersion() == null ? "0.1.0-SNAPSHOT"
                : Trainer.class.getPackage().getImplementationVersion());
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        r.put("processors", Runtime.getRuntime().availableProcessors());
        r.put("cpu", cpuModel());
        r.put("started", java.time.Instant.now().toString());
        MetricsLog.writeText(dir.resolve("run.json"), Json.write(r) + "\n");
    }

    /**
     * The CPU's model name from /proc/cpuinfo.
     *
     * @return the model name, or "unknown" where there is no /proc/cpuinfo
     */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return "unknown";
    }
}
