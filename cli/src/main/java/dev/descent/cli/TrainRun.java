package dev.descent.cli;

import dev.descent.bench.ImageSource;
import dev.descent.bench.ModelFactory;
import dev.descent.bench.TextSource;
import dev.descent.bench.report.Count;
import dev.descent.bench.report.LinePlot;
import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import dev.descent.core.io.AtomicFile;
import dev.descent.core.io.Json;
import dev.descent.core.io.Safetensors;
import dev.descent.data.DataLoader;
import dev.descent.data.ImageDataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ReduceLrOnPlateau;
import dev.descent.train.Callback;
import dev.descent.train.EpochMetrics;
import dev.descent.train.MetricsLog;
import dev.descent.train.Step;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
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
 * One {@code descent train} run: data, model and optimizer from a {@link TrainConfig}, trained by the
 * train library's {@link Trainer} with the command line's callbacks (progress bar, epoch lines, metrics
 * files, plots). At the end it saves the final model and optimizer state. SIGTERM or Ctrl-C finishes
 * the current step, writes a checkpoint and exits with {@link #EXIT_INTERRUPTED}.
 */
public final class TrainRun {
    /** Exit code of a run stopped by a signal after its checkpoint was written. */
    public static final int EXIT_INTERRUPTED = 130;
    /** Exit code of a run stopped because the loss or a gradient was not finite. */
    public static final int EXIT_DIVERGED = 3;

    private final TrainConfig cfg;
    private final PrintStream out;
    /** {@code --spark MASTER} and {@code --workers N}: null for a single-process run. */
    private String sparkMaster;
    private int sparkWorkers;
    private volatile boolean stopRequested;
    private volatile Trainer active;

    /** A run of {@code cfg}, with {@code auto} data and the optimizer's defaults resolved (what config.json records). */
    TrainRun(TrainConfig cfg, PrintStream out) throws IOException {
        boolean text = ModelFactory.isText(cfg.model());
        this.cfg = OptimizerFactory.resolve(cfg.withData(text ? TextSource.resolve(cfg.data()) : ImageSource.resolve(cfg.data())));
        this.out = out;
    }

    /**
     * Makes this a data-parallel run on Spark (the spark module, on the class path only when the launcher built it).
     *
     * @param master  {@code local[N]} or {@code spark://HOST:PORT}
     * @param workers replicas; the config's accumulation must equal it
     * @return this run
     */
    TrainRun onSpark(String master, int workers) {
        this.sparkMaster = master;
        this.sparkWorkers = workers;
        return this;
    }

    /** The parts of an image run, built from the config alone: what every Spark replica builds again. */
    record Parts(ImageSource data, Sequential model, Optimizer stepper, Optimizer opt, LrScheduler scheduler, ReduceLrOnPlateau plateau, DataLoader loader) {}

    static Parts parts(TrainConfig cfg) throws IOException {
        ImageSource data = ImageSource.load(cfg.data(), cfg.seed())
                .subsets(cfg.trainSubset(), 0, new SplittableRandom(cfg.seed() ^ 0x5B5E7L))
                .withLabelNoise(cfg.labelNoise(), new SplittableRandom(cfg.seed() ^ 0x1AB31L))
                .subsets(0, cfg.testSubset(), null);
        ImageDataset train = data.train();
        Sequential model = ModelFactory.create(cfg.model(), train.channels(), train.height(), train.width(), train.numClasses(),
                new SplittableRandom(cfg.seed()));
        Optimizer stepper = OptimizerFactory.create(cfg, model);
        // SAM's learning rate is its base optimizer's: schedules drive opt (the base), the trainer steps SAM (whose state holds the base's).
        Optimizer opt = stepper instanceof dev.descent.optim.SAM sam ? sam.base() : stepper;
        String[] keys = cfg.scaleGamma() ? new String[] {"lr", "gamma"} : new String[] {"lr"};
        ReduceLrOnPlateau.Settings plateauRule = ScheduleSpec.plateau(cfg.schedule());
        LrScheduler scheduler = plateauRule != null ? null : new LrScheduler(opt, ScheduleSpec.parse(cfg.schedule(), cfg.epochs()), keys);
        ReduceLrOnPlateau plateau = plateauRule == null ? null : new ReduceLrOnPlateau(opt, plateauRule); // stepped with the test loss
        DataLoader loader = new DataLoader(data.trainingSet(cfg.augment(), cfg.inputNoise()), cfg.batchSize(), cfg.seed() ^ 0xDA7AL).withPrefetch(2);
        return new Parts(data, model, stepper, opt, scheduler, plateau, loader);
    }

    /** The loop of this run without checkpoints, as every run (single-process or each Spark replica) configures it. */
    Trainer.Builder builder(Parts p, Callback... callbacks) {
        return Trainer.builder(p.model(), p.stepper(), p.loader())
                .epochs(cfg.epochs())
                .accumulate(cfg.accumulate())
                .evaluateOn(p.data().testSet())
                .scheduler(p.scheduler())
                .reduceOnPlateau(p.plateau())
                .detectAnomaly(cfg.detectAnomaly())
                .callbacks(callbacks);
    }

    /** The callbacks of the run's output: the progress display, metrics files and plots. */
    Callback[] outputs(Path dir, Optimizer opt) {
        return new Callback[] {new Display(out), new MetricsLog(dir), new Plots(dir, title(opt))};
    }

    /**
     * Runs (or resumes) the training; returns the process exit code. A shutdown hook (SIGTERM, Ctrl-C) asks the
     * trainer to stop after the current step and holds the JVM until this method has written what it must.
     */
    int run(boolean resume) throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            Trainer t = active;
            if (t != null) t.requestStop("stopped by a signal");
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "descent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return train(resume);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting (a signal): the hook runs and returns at once
            }
        }
    }

    private int train(boolean resume) throws IOException {
        if (ModelFactory.isText(cfg.model())) return new TextTraining(this).train(resume);
        String kind = cfg.data().contains(":") ? cfg.data().substring(0, cfg.data().indexOf(':')) : cfg.data();
        if (List.of("fortunes", "text", "generated").contains(kind)) {
            throw new IllegalArgumentException("--data " + cfg.data() + " is text: train it with --model " + ModelFactory.TEXT_NAMES.replace(", ", ", --model "));
        }
        Path dir = cfg.out();
        // Everything that can reject the settings runs before the run's folder is made: a failed check leaves no folder.
        Parts p = parts(cfg);
        ImageSource data = p.data();
        ImageDataset train = data.train(), test = data.test();
        Sequential model = p.model();
        Optimizer stepper = p.stepper();
        if (sparkMaster != null && !resume && new dev.descent.train.Checkpoints(dir).latest() != null) {
            throw new IllegalArgumentException("--out " + dir + " already holds checkpoints: continue it with --resume " + dir + ", or choose another --out");
        }
        Files.createDirectories(dir);
        AtomicFile.writeString(dir.resolve("config.json"), Json.write(cfg.toMap()) + "\n");

        boolean fresh = !resume || new dev.descent.train.Checkpoints(dir).latest() == null;
        if (resume && fresh) out.println("descent: no checkpoint in " + dir + " yet; starting from the beginning");
        if (fresh) writeRunRecord(dir, data, model);
        out.printf(Locale.ROOT, "train: %s on %s (%d train, %s, %s), %s, %s, batch %s, seed %d, %s, %s%n",
                cfg.model(), data.description(), train.size(), Count.of(test.size(), "test image"), Count.of(train.numClasses(), "class", "classes"),
                stepper.getClass().getSimpleName(), Count.of(cfg.epochs(), "epoch"), TrainRun.batchText(cfg), cfg.seed(), Count.of(Threads.count(), "thread"),
                Kernels.vectorEnabled() ? Kernels.vectorBits() + "-bit vectors" : "scalar kernels");
        out.printf(Locale.ROOT, "model: %,d parameters; output in %s%n", model.parameterCount(), dir);

        if (sparkMaster != null) return SparkRun.train(this, p, sparkMaster, sparkWorkers, modelMeta(data));
        Trainer trainer = builder(p, outputs(dir, p.opt())).checkpoints(dir, modelMeta(data)).build();
        TrainResult result = fit(trainer, resume);
        Integer stopped = unfinished(result);
        if (stopped != null) return stopped;
        finish(dir, model, stepper, modelMeta(data), result, data.generated());
        return 0;
    }

    /**
     * Prints how a run that did not complete ended.
     *
     * @return the exit code of a diverged or stopped run; null for a completed one
     */
    Integer unfinished(TrainResult result) {
        return switch (result.status()) {
            case DIVERGED -> {
                out.printf(Locale.ROOT, "%ndescent: training diverged: %s. No checkpoint was written for this epoch."
                        + " Try a lower --lr, --clip-norm, or --detect-anomaly to find the first op that produced it.%n", result.message());
                yield EXIT_DIVERGED;
            }
            case STOPPED -> {
                String where = result.batch() < result.batches()
                        ? String.format(Locale.ROOT, "at epoch %d, batch %d/%d", result.epoch(), result.batch(), result.batches())
                        : "after epoch " + result.epoch();
                out.printf(Locale.ROOT, "%nstopped by a signal %s; checkpoint written. Continue with: descent train --resume %s%n", where, cfg.out());
                yield EXIT_INTERRUPTED;
            }
            case COMPLETED -> null;
        };
    }

    /** Runs or resumes {@code trainer}, which a signal may now stop. */
    TrainResult fit(Trainer trainer, boolean resume) throws IOException {
        active = trainer;
        if (stopRequested) trainer.requestStop("stopped by a signal");
        return resume ? trainer.resume() : trainer.fit();
    }

    /** The batch size for the header line: {@code 32}, or {@code 32 × 4 accumulated} with gradient accumulation. */
    static String batchText(TrainConfig cfg) {
        return cfg.accumulate() == 1 ? Integer.toString(cfg.batchSize()) : cfg.batchSize() + " × " + cfg.accumulate() + " accumulated";
    }

    /** The settings of this run. */
    TrainConfig config() {
        return cfg;
    }

    /** Where this run prints. */
    PrintStream out() {
        return out;
    }

    void finish(Path dir, Sequential model, Optimizer opt, Map<String, String> meta, TrainResult result, boolean generated) throws IOException {
        // A schedule-free optimizer's final weights are its averaged x (the state records eval mode, so a resume puts y back).
        if (opt instanceof dev.descent.optim.ScheduleFree sf) sf.eval();
        Safetensors.save(model.stateDict(), meta, dir.resolve("model.safetensors"));
        OptimizerState.save(opt, dir.resolve("optimizer.safetensors"));
        List<EpochMetrics> rows = result.history();
        if (!rows.isEmpty()) {
            EpochMetrics last = rows.get(rows.size() - 1);
            out.printf(Locale.ROOT, "done: test accuracy %.2f%% after %s; model in %s, metrics and plots (loss.png, accuracy.png) in %s%n",
                    100 * last.testAccuracy(), Count.of(last.epoch(), "epoch"), dir.resolve("model.safetensors"), dir);
        }
        if (generated) {
            out.println("note: this run used generated data. For real images: apt-get install dataset-fashion-mnist, then run descent train again"
                    + " (or pass --data cifar10:PATH with the CIFAR-10 binary files you have).");
        }
    }

    /** The progress bar, the resume line and one line per epoch. */
    private final class Display implements Callback {
        private final PrintStream out;
        private final boolean terminal = Progress.isTerminal();
        private Progress progress;
        private int progressEpoch;

        Display(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onTrainStart(Trainer t) {
            Path from = t.resumedFrom();
            if (from != null) {
                int done = t.history().size();
                out.printf(Locale.ROOT, "resuming from %s: epoch %d, step %d%n", cfg.out().relativize(from), done + 1, t.steps());
            }
        }

        @Override
        public void onStep(Trainer t, Step s) {
            if (progress == null || progressEpoch != s.epoch()) {
                progress = new Progress(out, terminal, String.format(Locale.ROOT, "epoch %d/%d", s.epoch(), t.epochs()), s.batches());
                progressEpoch = s.epoch();
            }
            progress.update(s.batch(), s.seen(), s.meanLoss());
        }

        @Override
        public void onEpochEnd(Trainer t, EpochMetrics m) {
            out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  acc %.2f%%  |  test loss %.4f  acc %.2f%%  |  %.1f s  lr %.3g%n", m.epoch(), t.epochs(),
                    m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(), m.seconds(), m.lr());
        }
    }

    /** What the plots' titles say about the run: model, data, optimizer and its learning rate. */
    String title(Optimizer opt) {
        return String.format(Locale.ROOT, "%s on %s, %s lr %.3g", cfg.model(), cfg.data(), opt.getClass().getSimpleName(), cfg.lr());
    }

    /**
     * Redraws {@code loss.png} (the loss of every training step, the mean training loss and the test loss of every
     * epoch, on a log axis) and {@code accuracy.png} after every epoch. Steps are placed on the epoch axis at
     * {@code epoch − 1 + batch/batches}; a resumed run's plot has the steps since it resumed.
     */
    static final class Plots implements Callback {
        private final Path dir;
        private final String run;
        private final List<double[]> steps = new ArrayList<>();
        private final boolean text;

        Plots(Path dir, String run) {
            this(dir, run, false);
        }

        /** Plots of a text run: the loss only (in nats per token), the held-out part called validation. */
        Plots(Path dir, String run, boolean text) {
            this.dir = dir;
            this.run = run;
            this.text = text;
        }

        @Override
        public void onStep(Trainer t, Step s) {
            steps.add(new double[] {s.epoch() - 1 + (double) s.batch() / s.batches(), s.loss()});
        }

        @Override
        public void onEpochEnd(Trainer t, EpochMetrics metrics) {
            List<EpochMetrics> rows = t.history();
            try {
                loss(rows).write(dir.resolve("loss.png"));
                if (!text) accuracy(rows).write(dir.resolve("accuracy.png"));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException("cannot write the plots in " + dir, ex);
            }
        }

        LinePlot loss(List<EpochMetrics> rows) {
            double[] e = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
            return new LinePlot("Loss: " + run, "epoch", text ? "cross-entropy (nats per token)" : "cross-entropy loss")
                    .add("train, each step", steps.stream().mapToDouble(p -> p[0]).toArray(), steps.stream().mapToDouble(p -> p[1]).toArray())
                    .add("train, epoch mean", e, rows.stream().mapToDouble(EpochMetrics::trainLoss).toArray())
                    .add(text ? "validation" : "test", e, rows.stream().mapToDouble(EpochMetrics::testLoss).toArray())
                    .logScale(false, true);
        }

        LinePlot accuracy(List<EpochMetrics> rows) {
            double[] e = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
            return new LinePlot("Accuracy: " + run, "epoch", "accuracy (%)")
                    .add("train", e, rows.stream().mapToDouble(m -> 100 * m.trainAccuracy()).toArray())
                    .add("test", e, rows.stream().mapToDouble(m -> 100 * m.testAccuracy()).toArray());
        }
    }

    private Map<String, String> modelMeta(ImageSource data) {
        ImageDataset train = data.train();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "descent");
        meta.put("descent.model", cfg.model());
        meta.put("descent.input", train.channels() + "," + train.height() + "," + train.width());
        meta.put("descent.classes", Integer.toString(train.numClasses()));
        meta.put("descent.normalize.mean", join(data.normalization().mean()));
        meta.put("descent.normalize.std", join(data.normalization().std()));
        return meta;
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.toString();
    }

    private void writeRunRecord(Path dir, ImageSource data, Sequential model) throws IOException {
        Map<String, Object> r = runRecord();
        r.put("data", data.description());
        r.put("train_images", data.train().size());
        r.put("test_images", data.test().size());
        r.put("parameters", model.parameterCount());
        AtomicFile.writeString(dir.resolve("run.json"), Json.write(r) + "\n");
    }

    /** What run.json records about the command, the machine and the JDK (the caller adds the data and the model). */
    Map<String, Object> runRecord() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "descent train " + String.join(" ", ProcessHandle.current().info().arguments().map(a -> {
            List<String> args = new ArrayList<>(List.of(a));
            int i = args.indexOf("train");
            return i >= 0 ? args.subList(i + 1, args.size()) : List.<String>of();
        }).orElse(List.of())));
        r.put("config", cfg.toMap());
        r.put("seed", cfg.seed());
        r.put("threads", Threads.count());
        // The same seed, thread count, vector width and JDK give the same bits (README, "Bit for bit").
        r.put("vector_bits", Kernels.vectorEnabled() ? Kernels.vectorBits() : 0);
        r.put("vector_bits_pinned", System.getProperty("descent.vectorBits") != null);
        r.put("jdk", Runtime.version().toString());
        r.put("descent_version", TrainRun.class.getPackage().getImplementationVersion() == null ? "0.1.0-SNAPSHOT"
                : TrainRun.class.getPackage().getImplementationVersion());
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        r.put("processors", Runtime.getRuntime().availableProcessors());
        r.put("cpu", dev.descent.bench.reproduce.Machine.cpuModel());
        r.put("started", java.time.Instant.now().toString());
        return r;
    }
}
