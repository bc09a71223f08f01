// The training loop of the network experiments: epochs of mini-batches, evaluation, per-step hooks.
package dev.descent.bench.reproduce;

import dev.descent.bench.train.Trainer;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One training run of an image classifier with cross-entropy, as {@code descent train} does it but
 * with what the reproductions need besides: a hook after every optimizer step (SR-Adam's shrinkage
 * factor), the learning rate of each epoch, and a run that diverges is recorded, not aborted.
 * Everything random comes from the model's generator and the loader's seed.
 */
public final class ImageTraining {
    private ImageTraining() {}

    /** Called after every optimizer step. */
    @FunctionalInterface
    public interface StepHook {
        /**
         * One step has been taken.
         *
         * @param step the global step count, from 1
         * @param epoch the epoch, from 1
         */
        void afterStep(long step, int epoch);
    }

    /**
     * The metrics of one epoch.
     *
     * @param epoch         from 1
     * @param trainLoss     mean training loss over the epoch's batches (weighted by batch size)
     * @param trainAccuracy training accuracy over the epoch, in [0, 1]
     * @param testLoss      mean test loss after the epoch
     * @param testAccuracy  test accuracy after the epoch, in [0, 1]
     * @param lr            the learning rate of group 0 during the epoch
     * @param seconds       wall time of the epoch, evaluation included
     */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy, double lr, double seconds) {}

    /**
     * A finished run.
     *
     * @param epochs    the completed epochs
     * @param divergence why the run stopped early (the loss or a gradient was not finite), or null
     */
    public record Result(List<Epoch> epochs, String divergence) {
        /**
         * The best test accuracy over the epochs.
         *
         * @return the maximum, NaN when the run diverged before its first epoch ended or at all
         */
        public double bestTestAccuracy() {
            if (divergence != null) return Double.NaN;
            double best = Double.NaN;
            for (Epoch e : epochs) best = Double.isNaN(best) ? e.testAccuracy() : Math.max(best, e.testAccuracy());
            return best;
        }

        /**
         * One epoch's metrics.
         *
         * @param epoch from 1
         * @return that epoch, or null when the run did not reach it
         */
        public Epoch epoch(int epoch) {
            return epoch >= 1 && epoch <= epochs.size() ? epochs.get(epoch - 1) : null;
        }
    }

    /**
     * Trains {@code model} for {@code epochs} epochs.
     *
     * @param label      names the run in progress lines
     * @param model      the network (its parameters are {@code opt}'s)
     * @param opt        the optimizer
     * @param scheduler  stepped after every epoch, or null
     * @param train      the training set (transforms applied)
     * @param trainSize  its size
     * @param test       the test set
     * @param testSize   its size
     * @param batchSize  mini-batch size (the last batch of an epoch may be smaller)
     * @param epochs     epochs to train
     * @param loaderSeed the seed of the shuffles and of the augmentation
     * @param hook       called after each step, or null
     * @param log        where progress lines go
     * @return the per-epoch metrics
     */
    public static Result train(String label, Sequential model, Optimizer opt, LrScheduler scheduler, Dataset train, int trainSize, Dataset test,
                               int testSize, int batchSize, int epochs, long loaderSeed, StepHook hook, PrintStream log) {
        DataLoader loader = new DataLoader(train, batchSize, loaderSeed).withPrefetch(2);
        List<Epoch> rows = new ArrayList<>();
        List<Parameter> params = model.parameters();
        long step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            double lr = opt.lr(0), lossSum = 0;
            long correct = 0, seen = 0;
            model.train();
            try (DataLoader.Batches batches = loader.epoch(epoch - 1)) {
                while (batches.hasNext()) {
                    Batch b = batches.next();
                    Tensor logits = model.forward(b.x());
                    Tensor loss = Losses.crossEntropy(logits, b.y());
                    double lv = loss.item();
                    if (!Double.isFinite(lv)) return diverged(rows, label, "the training loss became " + lv, epoch, step + 1, log);
                    opt.zeroGrad();
                    loss.backward();
                    if (!finiteGradients(params)) return diverged(rows, label, "a gradient became non-finite", epoch, step + 1, log);
                    opt.step();
                    step++;
                    if (hook != null) hook.afterStep(step, epoch);
                    lossSum += lv * b.size();
                    seen += b.size();
                    correct += Trainer.countCorrect(logits, b.y());
                }
            }
            double[] eval = Trainer.evaluate(model, test, testSize);
            Epoch e = new Epoch(epoch, lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1), eval[0], eval[1], lr,
                    (System.nanoTime() - t0) / 1e9);
            rows.add(e);
            log.printf(Locale.ROOT, "  %s  epoch %d/%d  train loss %.4f  acc %.2f%%  |  test loss %.4f  acc %.2f%%  |  lr %.3g  %.1f s%n", label, epoch, epochs,
                    e.trainLoss(), 100 * e.trainAccuracy(), e.testLoss(), 100 * e.testAccuracy(), lr, e.seconds());
            if (scheduler != null) scheduler.step();
        }
        return new Result(List.copyOf(rows), null);
    }

    private static Result diverged(List<Epoch> rows, String label, String what, int epoch, long step, PrintStream log) {
        String why = what + " at epoch " + epoch + ", step " + step;
        log.printf(Locale.ROOT, "  %s  diverged: %s%n", label, why);
        return new Result(List.copyOf(rows), why);
    }

    private static boolean finiteGradients(List<Parameter> params) {
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (double v : g.toDoubleArray()) if (!Double.isFinite(v)) return false;
        }
        return true;
    }
}
