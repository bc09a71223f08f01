// What the SR-Adam reproduction measured, and its verdicts computed from those runs alone.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.ImageSource;
import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.train.TrainResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The SR-Adam experiment's outcome: every run with its epochs and shrinkage factors (the rows of the
 * three CSV files) and the verdicts, judged on mean best test accuracy over seeds. {@link #verdicts}
 * depends on the runs only, so the runs read back from the CSV files judge the same.
 *
 * @param runs       the runs, in run order (batch size, then seed, then method)
 * @param data       the images
 * @param parameters SimpleCNN's parameter count
 * @param resumed    runs read back from an earlier invocation
 * @param verdicts   the large-batch claims, the all-parameter claim, then the small-batch claims
 */
public record SrAdamOutcome(List<Run> runs, ImageSource data, long parameters, int resumed, List<Verdict> verdicts) implements Experiment.Outcome {

    /**
     * One run.
     *
     * @param method    the optimizer
     * @param batch     the batch size
     * @param seed      the seed of weights, batches, augmentation and noise
     * @param result    how training went, epoch by epoch
     * @param shrinkage per optimizer step of a shrinking method: {step, epoch, factor c of the shrinking group}
     */
    public record Run(SrAdamMethod method, int batch, long seed, TrainResult result, List<double[]> shrinkage) {}

    /** Best test accuracy (%) of each seed's run of a method at a batch size, in seed order. */
    static double[] bests(List<Run> runs, SrAdamMethod m, int batch) {
        return runs.stream().filter(r -> r.method() == m && r.batch() == batch).mapToDouble(r -> 100 * r.result().bestTestAccuracy()).toArray();
    }

    static double meanBest(List<Run> runs, SrAdamMethod m, int batch) {
        return Statistics.mean(bests(runs, m, batch));
    }

    /** A method against Adam at a batch size, seed by seed. */
    static Comparison againstAdam(List<Run> runs, SrAdamMethod m, int batch) {
        return new Comparison(bests(runs, m, batch), bests(runs, SrAdamMethod.ADAM, batch));
    }

    /**
     * The claims, each judged by the paired 95 % t-interval of SR-Adam − Adam (best test accuracy, points) over seeds.
     *
     * @param cfg  the settings (which batch is large, which small, the margin)
     * @param runs the runs
     * @return the verdicts
     */
    public static List<Verdict> verdicts(SrAdamConfig cfg, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        int large = cfg.largeBatch(), small = cfg.smallBatch();
        for (SrAdamMethod sr : List.of(SrAdamMethod.SR_PAPER, SrAdamMethod.SR_WHITENED)) {
            v.add(Verdict.paired("At batch " + large + ", " + sr.label + " beats Adam by more than " + Statistics.format(cfg.margin(), 2)
                    + " points of best test accuracy (paper, batch 512: 75.84 vs 73.95, +1.89).", what(sr, large), againstAdam(runs, sr, large),
                    Verdict.Direction.ABOVE, cfg.margin(), 2));
        }
        v.add(Verdict.paired("Shrinking all parameters does worse than Adam (paper, batch 512: 71.25 vs 73.95, −2.70).", what(SrAdamMethod.SR_ALL, large),
                againstAdam(runs, SrAdamMethod.SR_ALL, large), Verdict.Direction.BELOW, 0, 2));
        if (small != large) {
            for (SrAdamMethod sr : List.of(SrAdamMethod.SR_PAPER, SrAdamMethod.SR_WHITENED)) {
                v.add(Verdict.paired("At batch " + small + ", " + sr.label + " does worse than Adam: shrinkage helps only with large batches (paper, batch 64:"
                        + " 72.02 vs 76.17, −4.15).", what(sr, small), againstAdam(runs, sr, small), Verdict.Direction.BELOW, 0, 2));
            }
        }
        return List.copyOf(v);
    }

    private static String what(SrAdamMethod m, int batch) {
        return m.label + " − Adam in best test accuracy (points) at batch " + batch;
    }
}
