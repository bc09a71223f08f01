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
     * @param noise     the input-noise std
     * @param seed      the seed of weights, batches, augmentation and noise
     * @param result    how training went, epoch by epoch
     * @param shrinkage per optimizer step of a shrinking method: {step, epoch, factor c of the shrinking group}
     */
    public record Run(SrAdamArm method, int batch, double noise, long seed, TrainResult result, List<double[]> shrinkage) {
        boolean in(SrAdamArm m, SrAdamConfig.Cell cell) {
            return method.key().equals(m.key()) && batch == cell.batch() && noise == cell.noise();
        }
    }

    /** Best test accuracy (%) of each seed's run of a method in a cell, in seed order. */
    static double[] bests(List<Run> runs, SrAdamArm m, SrAdamConfig.Cell cell) {
        return runs.stream().filter(r -> r.in(m, cell)).mapToDouble(r -> 100 * r.result().bestTestAccuracy()).toArray();
    }

    static double meanBest(List<Run> runs, SrAdamArm m, SrAdamConfig.Cell cell) {
        return Statistics.mean(bests(runs, m, cell));
    }

    /** A method against Adam in a cell, seed by seed. */
    static Comparison againstAdam(List<Run> runs, SrAdamArm m, SrAdamConfig.Cell cell) {
        return new Comparison(bests(runs, m, cell), bests(runs, SrAdamMethod.ADAM, cell));
    }

    /**
     * The claims, each judged by the paired 95 % t-interval of SR-Adam − Adam (best test accuracy, points) over seeds: at the main batch
     * and every noise level, the published variant (whitened) and the paper formula beat Adam by more than the margin; shrinking all
     * parameters does worse than Adam (below 0); at the smallest batch both variants do worse than Adam (below 0); at a batch larger than
     * the main one the published variant beats Adam by more than the margin.
     *
     * @param cfg  the settings (which batch is large, which small, the margin)
     * @param runs the runs
     * @return the verdicts
     */
    public static List<Verdict> verdicts(SrAdamConfig cfg, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        int main = cfg.mainBatch(), small = cfg.smallBatch(), largest = cfg.largestBatch();
        double s0 = cfg.mainNoise();
        for (double s : cfg.inputNoises()) {
            SrAdamConfig.Cell cell = new SrAdamConfig.Cell(main, s);
            for (SrAdamMethod sr : List.of(SrAdamMethod.SR_WHITENED, SrAdamMethod.SR_PAPER)) {
                v.add(paired("At batch " + main + ", input noise " + Statistics.sig(s) + ", " + sr.label + " beats Adam by more than "
                        + Statistics.format(cfg.margin(), 2) + " points of best test accuracy" + paper(sr, cell) + ".", what(sr, cell), againstAdam(runs, sr, cell),
                        Verdict.Direction.ABOVE, cfg.margin(), 2));
            }
        }
        SrAdamConfig.Cell mainCell = new SrAdamConfig.Cell(main, s0);
        v.add(paired("Shrinking all parameters does worse than Adam" + paper(SrAdamMethod.SR_ALL, mainCell) + ".", what(SrAdamMethod.SR_ALL, mainCell),
                againstAdam(runs, SrAdamMethod.SR_ALL, mainCell), Verdict.Direction.BELOW, 0, 2));
        if (small < main) {
            SrAdamConfig.Cell cell = new SrAdamConfig.Cell(small, s0);
            for (SrAdamMethod sr : List.of(SrAdamMethod.SR_WHITENED, SrAdamMethod.SR_PAPER)) {
                v.add(paired("At batch " + small + ", " + sr.label + " does worse than Adam: shrinkage helps only with large batches"
                        + paper(sr, cell) + ".", what(sr, cell), againstAdam(runs, sr, cell), Verdict.Direction.BELOW, 0, 2));
            }
        }
        if (largest > main) {
            SrAdamConfig.Cell cell = new SrAdamConfig.Cell(largest, s0);
            SrAdamMethod sr = SrAdamMethod.SR_WHITENED;
            v.add(paired("At batch " + largest + ", " + sr.label + " beats Adam by more than " + Statistics.format(cfg.margin(), 2) + " points"
                    + paper(sr, cell) + ".", what(sr, cell), againstAdam(runs, sr, cell), Verdict.Direction.ABOVE, cfg.margin(), 2));
        }
        return List.copyOf(v);
    }

    /** {@link Verdict#paired}, or not applicable when either arm was not run in the cell. */
    private static Verdict paired(String claim, String what, Comparison c, Verdict.Direction direction, double margin, int decimals) {
        if (c.treatment().length == 0 || c.control().length == 0 || c.treatment().length != c.control().length) {
            return new Verdict(claim, "paired difference " + what + " over seeds against " + Statistics.format(margin, decimals) + ".",
                    Verdict.Outcome.NOT_APPLICABLE, "not run: " + c.treatment().length + " treatment and " + c.control().length + " control runs (--methods).");
        }
        return Verdict.paired(claim, what, c, direction, margin, decimals);
    }

    /** The paper's numbers for a method against Adam in a cell, as a parenthesis, or nothing. */
    private static String paper(SrAdamMethod m, SrAdamConfig.Cell cell) {
        double p = m.paper(cell.batch(), cell.noise()), adam = SrAdamMethod.ADAM.paper(cell.batch(), cell.noise());
        if (Double.isNaN(p) || Double.isNaN(adam)) return "";
        return String.format(java.util.Locale.ROOT, " (paper, CIFAR-10, batch %d, noise %s: %.2f vs %.2f, %+.2f)", cell.batch(), Statistics.sig(cell.noise()), p,
                adam, p - adam);
    }

    private static String what(SrAdamMethod m, SrAdamConfig.Cell cell) {
        return m.label + " − Adam in best test accuracy (points) at batch " + cell.batch() + ", noise " + Statistics.sig(cell.noise());
    }
}
