package dev.descent.train;

import dev.descent.core.autograd.Anomaly;
import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.nn.Module;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ReduceLrOnPlateau;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The training loop: epochs of mini-batches from a {@link DataLoader}, each step forward, loss,
 * backward and an optimizer step, then per epoch an evaluation, a learning-rate schedule step and a
 * checkpoint. What happens beside the loop is a {@link Callback}.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, optimizer, new DataLoader(train, 128, seed))
 *         .epochs(5)
 *         .evaluateOn(test)
 *         .checkpoints(Path.of("runs/a"), Map.of())
 *         .callbacks(new MetricsLog(Path.of("runs/a")), new EarlyStopping(3, 0))
 *         .build();
 * TrainResult result = trainer.resume();   // or fit() to start afresh
 * }</pre>
 *
 * <p>Each step runs in a {@link Workspace} scope, so the next step reuses its arrays (the results are
 * bit for bit those without one). A step whose loss or gradient is not finite ends the run as
 * {@link TrainResult.Status#DIVERGED}, naming the epoch and batch, and writes nothing for that epoch.
 * {@link #requestStop(String)} (from a signal handler or a callback) ends the run after the current
 * step, writing a checkpoint at that step. Checkpoints hold the model, the optimizer state (and with
 * it the scheduler's position), the position in the epoch and what callbacks accumulate
 * ({@link Callback#onCheckpoint}, read back by {@link Callback#onRestore}), so {@link #resume()} continues at the
 * exact step and ends with bitwise the same weights as an uninterrupted run (same thread count and
 * vector width): the loader's order depends only on its seed and the epoch.
 *
 * <p>An optimizer that {@linkplain Optimizer#requiresClosure() requires a closure} (SAM) steps through
 * {@code step(closure)}: the closure's first call returns the forward and backward already made for the
 * batch, later calls recompute them on the same batch. A {@link dev.descent.optim.ScheduleFree} optimizer is evaluated at its
 * averaged weights: {@code eval()} before the evaluation, {@code train()} after it and at the start of
 * every epoch; checkpoints hold the training weights y.
 *
 * <p><b>Gradient accumulation</b> ({@link Builder#accumulate(int) accumulate(P)}): an optimizer step consumes P
 * consecutive batches (micro-batches); each runs forward and backward in its own workspace scope, its mean loss
 * weighted by size / (the group's examples), and the gradients add up in the parameters' {@code grad}, so the step is
 * that on one batch of their concatenation (up to summation order: see {@code AccumulationTest}). How it meets the rest:
 * <ul>
 * <li><i>Epoch ends.</i> Groups never span epochs: they are the next P batches from the epoch's start (or from the
 *     resumed position). The last group of an epoch may hold fewer batches; it steps on what there is, weighted by its
 *     own total, so the last step is that on the concatenation of those batches.</li>
 * <li><i>Checkpoints.</i> Written only at group boundaries: {@link Builder#checkpointEvery(long)} counts optimizer
 *     steps, and a stop request takes effect after the current group's step (at most P batches later). A checkpoint's
 *     position is then a multiple of P batches into the epoch, the gradient buffers are empty there, and model plus
 *     optimizer state describe the run completely; a crash mid-group loses that group's partial gradients, and the
 *     resumed run recomputes them, ending bitwise equal to an uninterrupted run. (Saving partial gradients would add a
 *     third kind of state to every checkpoint for at most P-1 batches of recomputation.) Resume with the same P: the
 *     groups are counted from the saved position.</li>
 * <li><i>Schedules.</i> The scheduler and the plateau rule step per epoch, as without accumulation; everything that
 *     counts steps ({@link #steps()}, {@link Step#step()}, {@link EpochMetrics#steps()}, the optimizer's step counts, a
 *     per-step schedule stepped from {@link Callback#onStep}) counts optimizer steps: ceil(batches / P) per epoch.</li>
 * <li><i>Closure optimizers</i> (SAM, LBFGS): the closure's first call returns the group's mean loss already computed;
 *     later calls recompute forward and backward over every micro-batch of the group, weighted as above.</li>
 * <li><i>BatchNorm and dropout</i> see each micro-batch alone, as in PyTorch with accumulation: batch statistics are
 *     the micro-batch's and the running statistics are updated once per micro-batch (P times per step); dropout draws
 *     a mask per micro-batch. So with BatchNorm, accumulation is not the same as a P-times larger batch.</li>
 * <li><i>Callbacks.</i> {@link Callback#onStep} runs once per optimizer step; its {@link Step} names the group's last
 *     batch, its size is the group's examples and its loss the group's mean loss (Σ size·loss / Σ size).</li>
 * <li><i>Divergence.</i> A micro-batch whose loss is not finite ends the run at once, naming that batch; the gradient
 *     is checked once per group, on the sum before the step (a non-finite micro-batch gradient stays non-finite in
 *     it), naming the group's batches. No step is taken on that group.</li>
 * <li><i>Metrics.</i> The epoch's training loss and accuracy are averages over all its examples, accumulated per
 *     micro-batch, whatever P is.</li>
 * </ul>
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final DataLoader loader;
    private final int epochs;
    private final Loss loss;
    private final Dataset evaluation;
    private final LrScheduler scheduler;
    private final ReduceLrOnPlateau plateau;
    private final Checkpoints checkpoints;
    private final Map<String, String> modelMeta;
    private final long checkpointEvery;
    private final int accumulate;
    private final boolean detectAnomaly;
    private final List<Callback> callbacks;

    private final List<EpochMetrics> history = new ArrayList<>();
    private volatile String stopReason;
    private Path resumedFrom;
    private long steps;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loader = b.loader;
        this.epochs = b.epochs;
        this.loss = b.loss;
        this.evaluation = b.evaluation;
        this.scheduler = b.scheduler;
        this.plateau = b.plateau;
        this.checkpoints = b.checkpointDir == null ? null : new Checkpoints(b.checkpointDir);
        this.modelMeta = b.modelMeta;
        this.checkpointEvery = b.checkpointEvery;
        this.accumulate = b.accumulate;
        this.detectAnomaly = b.detectAnomaly;
        this.callbacks = List.copyOf(b.callbacks);
    }

    /**
     * Starts configuring a loop.
     *
     * @param model     the network; its parameters are the optimizer's
     * @param optimizer the optimizer
     * @param loader    the training batches (its seed fixes every epoch's order)
     * @return a builder with one epoch, cross-entropy, no evaluation, no schedule, no checkpoints
     */
    public static Builder builder(Module model, Optimizer optimizer, DataLoader loader) {
        return new Builder(model, optimizer, loader);
    }

    /**
     * Trains from the beginning (without looking for checkpoints).
     *
     * @return how the run ended
     * @throws IOException when a checkpoint cannot be written
     */
    public TrainResult fit() throws IOException {
        resumedFrom = null;
        return run(new Checkpoints.Position(0, 0, 0, 0, 0, 0, 0, List.of()));
    }

    /**
     * Continues from the latest checkpoint into the model and optimizer, or starts from the beginning when
     * there is none yet.
     *
     * @return how the run ended
     * @throws IOException when a checkpoint cannot be read or written (the file is named)
     * @throws IllegalStateException when the trainer has no checkpoint folder
     */
    public TrainResult resume() throws IOException {
        if (checkpoints == null) throw new IllegalStateException("resume() needs checkpoints: call checkpoints(dir, meta) on the builder");
        Path latest = checkpoints.latest();
        if (latest == null) return fit();
        Checkpoints.Position pos = checkpoints.restore(latest, model, optimizer);
        resumedFrom = latest;
        return run(pos);
    }

    /**
     * Asks the loop to end after the current step (or, from {@link Callback#onEpochEnd}, before the next
     * epoch). Safe to call from any thread, e.g. a shutdown hook.
     *
     * @param reason said in the result's message
     */
    public void requestStop(String reason) {
        stopReason = Objects.requireNonNull(reason, "reason");
    }

    /** {@return the model being trained} */
    public Module model() {
        return model;
    }

    /** {@return the optimizer} */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@return the training batches} */
    public DataLoader loader() {
        return loader;
    }

    /** {@return the number of epochs the run is configured for} */
    public int epochs() {
        return epochs;
    }

    /** {@return the completed epochs so far (a resumed run's earlier epochs included)} */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** {@return the batches each optimizer step consumes (see {@link Builder#accumulate(int)})} */
    public int accumulate() {
        return accumulate;
    }

    /** {@return optimizer steps taken since the run began} */
    public long steps() {
        return steps;
    }

    /** {@return the checkpoint folder the run resumed from, or null when it started afresh} */
    public Path resumedFrom() {
        return resumedFrom;
    }

    private TrainResult run(Checkpoints.Position pos) throws IOException {
        history.clear();
        history.addAll(pos.history());
        steps = pos.steps();
        if (resumedFrom != null) for (Callback c : callbacks) c.onRestore(this, resumedFrom);
        boolean previousAnomaly = Anomaly.isEnabled();
        Anomaly.setEnabled(detectAnomaly);
        TrainResult result = null;
        try {
            for (Callback c : callbacks) c.onTrainStart(this);
            result = epochs(pos);
            return result;
        } finally {
            Anomaly.setEnabled(previousAnomaly);
            if (result != null) for (Callback c : callbacks) c.onTrainEnd(this, result);
        }
    }

    private TrainResult epochs(Checkpoints.Position pos) throws IOException {
        List<Parameter> params = model.parameters();
        Workspace workspace = new Workspace();
        int total = loader.batchesPerEpoch();
        for (int epoch = pos.epoch(); epoch < epochs; epoch++) {
            boolean continuing = epoch == pos.epoch() && pos.batch() > 0;
            int startBatch = continuing ? pos.batch() : 0;
            double lossSum = continuing ? pos.lossSum() : 0, seconds = continuing ? pos.seconds() : 0;
            long correct = continuing ? pos.correct() : 0, seen = continuing ? pos.seen() : 0;
            boolean classes = true;
            long t0 = System.nanoTime();
            model.train();
            if (optimizer instanceof dev.descent.optim.ScheduleFree sf) sf.train(); // the parameters hold y while training
            try (DataLoader.Batches batches = loader.epoch(epoch)) {
                int b = 0; // the epoch's batches consumed so far
                while (b < startBatch && batches.hasNext()) {
                    batches.next();
                    b++;
                }
                List<Batch> group = new ArrayList<>(accumulate);
                while (batches.hasNext()) {
                    // One optimizer step: the next `accumulate` batches (fewer at the end of the epoch), their gradients summed.
                    group.clear();
                    int examples = 0;
                    while (group.size() < accumulate && batches.hasNext()) {
                        Batch next = batches.next();
                        group.add(next);
                        examples += next.size();
                    }
                    int firstBatch = b + 1;
                    double groupLossSum = 0, lv = Double.NaN;
                    optimizer.zeroGrad();
                    for (int k = 0; k < group.size(); k++) {
                        Batch batch = group.get(k);
                        b++;
                        // The micro-batch's activations live in the workspace scope: the next one reuses their arrays. Gradients are kept.
                        try (var _ = workspace.open()) {
                            Tensor out, l;
                            try {
                                out = model.call(batch.x());
                                l = loss.apply(out, batch.y(), dev.descent.core.ops.Losses.Reduction.MEAN);
                                lv = l.item();
                                if (!Double.isFinite(lv)) return diverged("the loss became " + lv, epoch, b, total);
                                scaled(l, batch.size(), examples, group.size()).backward();
                            } catch (Anomaly.AnomalyException e) {
                                return diverged("anomaly detection stopped the step: " + e.getMessage(), epoch, b, total);
                            }
                            classes &= Evaluation.isClassification(out, batch.y());
                            if (classes) correct += Evaluation.countCorrect(out, batch.y());
                            lossSum += lv * batch.size();
                            seen += batch.size();
                            groupLossSum += lv * batch.size();
                            if (k == group.size() - 1) {
                                double gn = gradNormSquared(params);
                                if (!Double.isFinite(gn)) {
                                    String where = group.size() > 1 ? " (summed over batches " + firstBatch + "-" + b + ")" : "";
                                    return diverged("a gradient became " + (Double.isNaN(gn) ? "NaN" : "infinite") + where, epoch, b, total);
                                }
                                step(group, examples, group.size() == 1 ? l : Tensor.of(groupLossSum / examples));
                            }
                        }
                    }
                    steps++;
                    double stepLoss = group.size() == 1 ? lv : groupLossSum / examples;
                    Step step = new Step(epoch + 1, b, total, steps, stepLoss, examples, seen, lossSum / seen);
                    for (Callback c : callbacks) c.onStep(this, step);
                    boolean stop = stopReason != null;
                    if (b < total && checkpoints != null && (stop || checkpointEvery > 0 && steps % checkpointEvery == 0)) {
                        double secs = seconds + (System.nanoTime() - t0) / 1e9;
                        checkpoints.save(model, modelMeta, optimizer, new Checkpoints.Position(epoch, b, steps, lossSum, correct, seen, secs, history),
                                this::callbackState);
                    }
                    if (stop && b < total) return end(TrainResult.Status.STOPPED, stopReason, epoch + 1, b, total);
                }
            }
            seconds += (System.nanoTime() - t0) / 1e9;
            double testLoss = Double.NaN, testAccuracy = Double.NaN;
            if (evaluation != null) {
                // Schedule-free methods evaluate at their averaged weights x, then put y back for the checkpoint and the next epoch.
                if (optimizer instanceof dev.descent.optim.ScheduleFree sf) sf.eval();
                Evaluation e;
                try {
                    e = Evaluation.run(model, evaluation, loss);
                } finally {
                    if (optimizer instanceof dev.descent.optim.ScheduleFree sf) sf.train();
                }
                for (Callback c : callbacks) c.onEvaluation(this, epoch + 1, e);
                testLoss = e.loss();
                testAccuracy = e.accuracy();
            }
            long n = Math.max(seen, 1);
            EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / n, classes ? (double) correct / n : Double.NaN, testLoss, testAccuracy, seconds,
                    optimizer.lr(0), steps);
            history.add(m);
            if (scheduler != null) scheduler.step();
            if (plateau != null) plateau.step(evaluation != null ? testLoss : m.trainLoss());
            if (checkpoints != null) {
                checkpoints.save(model, modelMeta, optimizer, new Checkpoints.Position(epoch + 1, 0, steps, 0, 0, 0, 0, history), this::callbackState);
            }
            try {
                for (Callback c : callbacks) c.onEpochEnd(this, m);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (stopReason != null && epoch + 1 < epochs) return end(TrainResult.Status.STOPPED, stopReason, epoch + 1, total, total);
        }
        return end(TrainResult.Status.COMPLETED, "", epochs, total, total);
    }

    /** Each callback's state, written into a checkpoint's folder before it becomes the latest. */
    private void callbackState(Path folder) throws IOException {
        for (Callback c : callbacks) c.onCheckpoint(this, folder);
    }

    /**
     * A micro-batch's mean loss weighted by its share of the step's examples, so that the summed gradients are those of
     * the mean loss over the whole group (as one batch of their concatenation). A step of one batch is left unscaled.
     */
    private static Tensor scaled(Tensor meanLoss, int size, int examples, int microBatches) {
        return microBatches == 1 ? meanLoss : meanLoss.mul((double) size / examples);
    }

    /**
     * The optimizer step on the group's summed gradients. An optimizer that requires a closure (SAM, LBFGS) gets one whose
     * first call returns the loss just computed (the group's mean) and whose later calls recompute the forward and backward
     * passes of every micro-batch of the group, weighted as in the first pass, returning their weighted sum.
     */
    private void step(List<Batch> group, int examples, Tensor firstLoss) {
        if (!optimizer.requiresClosure()) {
            optimizer.step();
            return;
        }
        boolean[] used = {false};
        optimizer.step(() -> {
            if (!used[0]) {
                used[0] = true;
                return firstLoss;
            }
            optimizer.zeroGrad();
            Tensor total = null;
            for (Batch batch : group) {
                Tensor l = loss.apply(model.call(batch.x()), batch.y(), dev.descent.core.ops.Losses.Reduction.MEAN);
                Tensor s = scaled(l, batch.size(), examples, group.size());
                s.backward();
                if (group.size() == 1) return s;
                total = total == null ? s.detach() : total.add(s.detach());
            }
            return total;
        });
    }

    private TrainResult diverged(String what, int epoch, int batch, int total) {
        return end(TrainResult.Status.DIVERGED, String.format(Locale.ROOT, "%s at epoch %d, batch %d of %d", what, epoch + 1, batch, total), epoch + 1,
                batch, total);
    }

    private TrainResult end(TrainResult.Status status, String message, int epoch, int batch, int total) {
        return new TrainResult(status, message, history, steps, epoch, batch, total);
    }

    /** Σ‖g‖² over every gradient, in double (NaN or infinite when any gradient is). */
    static double gradNormSquared(List<Parameter> params) {
        double s = 0;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            if (g.dtype() == DType.FLOAT32 && g.isContiguous()) {
                float[] a = g.storage().floats();
                for (int i = g.storageOffset(), end = i + g.numel(); i < end; i++) s += (double) a[i] * a[i];
            } else {
                for (double v : g.toDoubleArray()) s += v * v;
            }
        }
        return s;
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private final DataLoader loader;
        private int epochs = 1;
        private Loss loss = Loss.crossEntropy();
        private Dataset evaluation;
        private LrScheduler scheduler;
        private ReduceLrOnPlateau plateau;
        private Path checkpointDir;
        private Map<String, String> modelMeta = Map.of();
        private long checkpointEvery;
        private int accumulate = 1;
        private boolean detectAnomaly;
        private final List<Callback> callbacks = new ArrayList<>();

        private Builder(Module model, Optimizer optimizer, DataLoader loader) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.loader = Objects.requireNonNull(loader, "loader");
        }

        /**
         * Sets the number of epochs.
         *
         * @param n epochs to train, at least 1 (a resumed run counts the epochs it already did)
         * @return this builder
         */
        public Builder epochs(int n) {
            if (n < 1) throw new IllegalArgumentException("epochs must be >= 1, was " + n);
            epochs = n;
            return this;
        }

        /**
         * Sets the loss.
         *
         * @param objective the loss (default: {@link Loss#crossEntropy()})
         * @return this builder
         */
        public Builder loss(Loss objective) {
            loss = Objects.requireNonNull(objective, "loss");
            return this;
        }

        /**
         * Sets the evaluation set.
         *
         * @param data evaluated after every epoch (every example, in order); null for none
         * @return this builder
         */
        public Builder evaluateOn(Dataset data) {
            evaluation = data;
            return this;
        }

        /**
         * Sets the learning-rate scheduler.
         *
         * @param s stepped after every epoch; null for none
         * @return this builder
         */
        public Builder scheduler(LrScheduler s) {
            scheduler = s;
            return this;
        }

        /**
         * Lowers the learning rate when the loss stops improving: after every epoch {@code p} is stepped with
         * the evaluation loss (the training loss when there is no evaluation set). Its state is part of the
         * optimizer's, so checkpoints keep it.
         *
         * @param p the plateau rule, built on this trainer's optimizer; null for none
         * @return this builder
         */
        public Builder reduceOnPlateau(ReduceLrOnPlateau p) {
            plateau = p;
            return this;
        }

        /**
         * Writes a checkpoint after every epoch (and on a stop request) under {@code runDir/checkpoints}.
         *
         * @param runDir the run's folder
         * @param meta   metadata stored in each checkpoint's model file
         * @return this builder
         */
        public Builder checkpoints(Path runDir, Map<String, String> meta) {
            checkpointDir = Objects.requireNonNull(runDir, "runDir");
            modelMeta = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(meta)); // in order: the file keeps it
            return this;
        }

        /**
         * Also writes a checkpoint every {@code n} optimizer steps within an epoch.
         *
         * @param n steps between checkpoints; 0 for epoch ends only
         * @return this builder
         */
        public Builder checkpointEvery(long n) {
            if (n < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0, was " + n);
            checkpointEvery = n;
            return this;
        }

        /**
         * Accumulates gradients: each optimizer step consumes {@code microBatches} consecutive batches of the loader and
         * steps once on the sum of their gradients, each micro-batch's mean loss weighted by its share of the step's
         * examples (size / total size). The step is then the step on one batch made of their concatenation, for a
         * mean-reduced loss, also when the micro-batches differ in size; equal up to the order in which the
         * per-example gradients are summed (see the {@linkplain Trainer class description} for every interaction).
         *
         * @param microBatches batches per optimizer step, at least 1 (default 1: a step per batch)
         * @return this builder
         * @throws IllegalArgumentException when {@code microBatches < 1}
         */
        public Builder accumulate(int microBatches) {
            if (microBatches < 1) throw new IllegalArgumentException("accumulate must be >= 1 (batches per optimizer step), was " + microBatches);
            accumulate = microBatches;
            return this;
        }

        /**
         * Turns anomaly detection on or off for the run.
         *
         * @param on record every op's inputs so that a non-finite value names the op that produced it (slower)
         * @return this builder
         */
        public Builder detectAnomaly(boolean on) {
            detectAnomaly = on;
            return this;
        }

        /**
         * Adds callbacks.
         *
         * @param cs added to the callbacks, which run in the order given
         * @return this builder
         */
        public Builder callbacks(Callback... cs) {
            for (Callback c : cs) callbacks.add(Objects.requireNonNull(c, "callback"));
            return this;
        }

        /** {@return the trainer} */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
