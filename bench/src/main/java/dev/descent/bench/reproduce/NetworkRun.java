// One network of an experiment, trained by the train library's Trainer with a progress line per epoch.
package dev.descent.bench.reproduce;

import dev.descent.bench.ImageSource;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.nn.Module;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.train.Callback;
import dev.descent.train.Checkpoints;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Step;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The network experiments' runs: cross-entropy training through {@link Trainer}, evaluated after every
 * epoch, with the run's label on each epoch line. A run that diverges is recorded (its result says so),
 * not aborted. Everything random comes from the model's generator and the loader's seed.
 */
public final class NetworkRun {
    private NetworkRun() {}

    /** The columns of an epochs CSV after the columns that name the run. */
    static final List<String> EPOCH_COLUMNS = List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "seconds");

    /**
     * Loads an experiment's images and says which on {@code log}.
     *
     * @param spec        the {@code --data} value
     * @param trainSubset training images (class-stratified subset)
     * @param testSubset  test images, the first ones (0: all)
     * @param subsetSeed  seed of the training subset
     * @param log         where the line goes
     * @return the images
     * @throws IOException when they cannot be read
     */
    public static ImageSource load(String spec, int trainSubset, int testSubset, long subsetSeed, PrintStream log) throws IOException {
        ImageSource data = ImageSource.load(spec, trainSubset, testSubset, subsetSeed);
        log.printf(Locale.ROOT, "  data: %s (%d training, %d test images)%s%n", data.description(), data.train().size(), data.test().size(),
                data.substitute() ? " — a substitute for CIFAR-10" : "");
        return data;
    }

    /**
     * An empty epochs CSV: the columns naming a run, then {@link #EPOCH_COLUMNS}.
     *
     * @param keys the columns naming a run (e.g. method, seed)
     * @return the table
     */
    public static CsvTable epochTable(String... keys) {
        List<String> c = new ArrayList<>(List.of(keys));
        c.addAll(EPOCH_COLUMNS);
        return new CsvTable(c.toArray(String[]::new));
    }

    /**
     * Appends one row per epoch of a run.
     *
     * @param table  a table from {@link #epochTable}
     * @param result the run
     * @param keys   the values naming the run, as many as the table's key columns
     */
    public static void addEpochs(CsvTable table, TrainResult result, Object... keys) {
        for (EpochMetrics e : result.history()) {
            List<Object> row = new ArrayList<>(List.of(keys));
            row.addAll(List.of(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.lr(), e.seconds()));
            table.row(row.toArray());
        }
    }

    /**
     * Where a run keeps its checkpoints while it trains, and how often it writes one.
     *
     * @param folder the run's folder ({@link Resumption#runFolder}); the trainer writes under {@code folder/checkpoints}
     * @param every  optimizer steps between checkpoints (0: at epoch ends only)
     */
    public record Checkpointing(java.nio.file.Path folder, long every) {
        /** Checks the interval. */
        public Checkpointing {
            java.util.Objects.requireNonNull(folder, "folder");
            if (every < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0, was " + every);
        }
    }

    /**
     * Trains {@code model} for {@code epochs} epochs, writing checkpoints into the run's folder as it goes; when that
     * folder already holds a checkpoint (an interrupted invocation's, kept for {@code --resume}) the run continues from it:
     * the model, the optimizer, the position in the epoch, the epochs done and what the {@code extra} callbacks saved
     * ({@link Callback#onCheckpoint}) are restored, and the run ends bitwise as an uninterrupted one.
     *
     * @param label      names the run in the log lines, and for {@link Resumption#STEP_PROBE}
     * @param ckpt       where and how often to checkpoint, or null for none
     * @param model      the network (its parameters are {@code opt}'s)
     * @param opt        the optimizer
     * @param scheduler  stepped after every epoch, or null
     * @param train      the training set (transforms applied)
     * @param test       the evaluation set
     * @param batchSize  mini-batch size (the last batch of an epoch may be smaller)
     * @param epochs     epochs to train
     * @param loaderSeed the seed of the shuffles and of the augmentation
     * @param log        where the epoch lines go
     * @param extra      further callbacks (e.g. a probe of the optimizer after every step)
     * @return how the run ended, with its epochs (those before a resumption included)
     * @throws IOException when a checkpoint cannot be written, or the one to continue from cannot be read (the file is named)
     */
    public static TrainResult train(String label, Checkpointing ckpt, Module model, Optimizer opt, LrScheduler scheduler, Dataset train, Dataset test,
                                    int batchSize, int epochs, long loaderSeed, PrintStream log, Callback... extra) throws IOException {
        DataLoader loader = new DataLoader(train, batchSize, loaderSeed).withPrefetch(2);
        boolean[] started = {false};
        Callback lines = new Callback() {
            @Override
            public void onTrainStart(Trainer t) {
                started[0] = true;
                if (t.resumedFrom() != null) {
                    log.printf(Locale.ROOT, "  %s  continues from its checkpoint at step %d (epoch %d)%n", label, t.steps(), t.history().size() + 1);
                }
            }

            @Override
            public void onStep(Trainer t, Step s) {
                Resumption.stepped(label, s.step());
            }

            @Override
            public void onEpochEnd(Trainer t, EpochMetrics e) {
                log.printf(Locale.ROOT, "  %s  epoch %d/%d  train loss %.4f  acc %.2f%%  |  test loss %.4f  acc %.2f%%  |  lr %.3g  %.1f s%n", label, e.epoch(),
                        epochs, e.trainLoss(), 100 * e.trainAccuracy(), e.testLoss(), 100 * e.testAccuracy(), e.lr(), e.seconds());
            }

            @Override
            public void onTrainEnd(Trainer t, TrainResult r) {
                if (r.diverged()) log.printf(Locale.ROOT, "  %s  diverged: %s%n", label, r.message());
            }
        };
        Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(epochs).evaluateOn(test).scheduler(scheduler).callbacks(extra).callbacks(lines);
        if (ckpt == null) return b.build().fit();
        Trainer trainer = b.checkpoints(ckpt.folder(), Map.of("run", label)).checkpointEvery(ckpt.every()).build();
        boolean resuming;
        try {
            resuming = new Checkpoints(ckpt.folder()).latest() != null;
        } catch (IOException e) {
            throw Resumption.unreadable(label, ckpt.folder(), e);
        }
        try {
            return resuming ? trainer.resume() : trainer.fit();
        } catch (IOException | RuntimeException e) {
            if (resuming && !started[0]) throw Resumption.unreadable(label, ckpt.folder(), e); // restoring failed, before the first step
            throw e;
        }
    }

    /**
     * A run read back from an earlier invocation's CSV files.
     *
     * @param epochs     its completed epochs
     * @param divergence why it stopped early, or empty
     * @return the result
     */
    public static TrainResult readBack(List<EpochMetrics> epochs, String divergence) {
        TrainResult.Status s = divergence.isEmpty() ? TrainResult.Status.COMPLETED : TrainResult.Status.DIVERGED;
        long steps = epochs.isEmpty() ? 0 : epochs.getLast().steps();
        return new TrainResult(s, divergence, epochs, steps, epochs.size(), 0, 0);
    }
}
