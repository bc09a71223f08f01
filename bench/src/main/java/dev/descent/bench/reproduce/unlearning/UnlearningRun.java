// Runs the unlearning reproduction: teacher–student SGD in float64 for every (c2, a0) pair and seed, with the alignment recorded.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.unlearning.UnlearningOutcome.Run;
import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.TeacherStudent;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The run of the unlearning experiment. A two-layer network learns a single-index teacher
 * y = σ*(θ·x), x ~ N(0, I_d), with σ* = c1·He1 + c2·He2/√2, by online large-batch SGD in float64 with
 * one learning rate per layer:
 * <pre>
 *   f(x) = s · Σ_i a_i σ(w_i·x)          s = 1/N (mean field) or 1/√N
 *   loss = ½ · mean over the batch of (f(x) − y)²
 *   W ← W − η_w ∇_W loss,  a ← a − η_a ∇_a loss      (η = rate·N with --lr-scale width)
 *   w_i ~ N(0, (scale²/d)·I) at start;  a_i = a0 (or ±a0)
 * </pre>
 * Alignment A(t) is the mean over neurons of |cos(w_i, θ)|; its peak is taken over every step.
 */
final class UnlearningRun {
    private UnlearningRun() {}

    static UnlearningOutcome run(UnlearningConfig cfg, Path out, PrintStream log) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (double[] p : cfg.pairs()) {
                long t = System.nanoTime();
                Run r = simulate(cfg, p[0], p[1], seed);
                runs.add(r);
                log.printf(Locale.ROOT, "  c2 %s, a0 %s, seed %d: alignment %.4f → peak %.4f at step %d → %.4f (drop %.4f); mean a %.4g  (%.1f s)%n",
                        Statistics.sig(p[0]), Statistics.sig(p[1]), seed, r.initial(), r.peak(), r.peakStep(), r.last(), r.drop(), r.lastMeanA(),
                        (System.nanoTime() - t) / 1e9);
                UnlearningCsv.write(runs, out);
            }
        }
        return UnlearningOutcome.of(cfg, runs);
    }

    /** The steps recorded: 0, then about {@code points} log-spaced steps up to {@code steps}. */
    static List<Integer> recordedSteps(int steps, int points) {
        TreeSet<Integer> s = new TreeSet<>();
        s.add(0);
        for (int i = 0; i < points; i++) s.add((int) Math.round(Math.pow(steps, i / (double) (points - 1))));
        s.add(steps);
        return List.copyOf(s);
    }

    /**
     * One run.
     *
     * @param cfg  the settings
     * @param c2   the teacher's second Hermite coefficient
     * @param a0   the second layer's initial scale
     * @param seed the seed
     * @return the trajectory and its summary
     */
    static Run simulate(UnlearningConfig cfg, double c2, double a0, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom teacherRng = root.split(), initRng = root.split(), dataRng = root.split();
        TeacherStudent teacher = new TeacherStudent(cfg.dimension(), new double[] {0, cfg.c1(), c2}, teacherRng);
        if (cfg.labelNoise() > 0) teacher = teacher.withLabelNoise(cfg.labelNoise());
        int n = cfg.width(), d = cfg.dimension();
        double[] w0 = new double[n * d], a0s = new double[n];
        for (int i = 0; i < w0.length; i++) w0[i] = initRng.nextGaussian() * cfg.wInitScale() / Math.sqrt(d);
        for (int i = 0; i < n; i++) a0s[i] = cfg.randomSignA() && initRng.nextBoolean() ? -a0 : a0;
        Parameter w = new Parameter(Tensor.of(w0, n, d)), a = new Parameter(Tensor.of(a0s));
        SGD opt = new SGD(List.of(ParamGroup.of(w).with("lr", cfg.etaW()), ParamGroup.of(a).with("lr", cfg.etaA())));
        double scale = cfg.meanField() ? 1.0 / n : 1 / Math.sqrt(n);
        List<Integer> record = recordedSteps(cfg.steps(), cfg.points());
        List<double[]> trajectory = new ArrayList<>();
        double initial = teacher.alignment(w), peak = initial, loss = Double.NaN;
        int peakStep = 0, next = 0;
        trajectory.add(new double[] {0, initial, energyAlignment(w, teacher), mean(a), Double.NaN});
        next++;
        for (int t = 1; t <= cfg.steps(); t++) {
            Batch b = teacher.sample(cfg.batch(), DType.FLOAT64, dataRng);
            // Σ_i a_i σ(w_i·x) as a broadcast product and a row sum: core's dgemm is slow for a single output column.
            Tensor f = cfg.activation().apply(b.x().matmul(w.t())).mul(a).sum(1).mul(scale);
            Tensor l = f.sub(b.y()).square().mean().mul(0.5);
            loss = l.item();
            if (!Double.isFinite(loss)) throw new IllegalStateException("the loss became " + loss + " at step " + t + " (c2 " + c2 + ", a0 " + a0 + ", seed "
                    + seed + "): lower --lr-w/--lr-a");
            opt.zeroGrad();
            l.backward();
            opt.step();
            double al = teacher.alignment(w);
            if (al > peak) {
                peak = al;
                peakStep = t;
            }
            if (next < record.size() && t == record.get(next)) {
                trajectory.add(new double[] {t, al, energyAlignment(w, teacher), mean(a), loss});
                next++;
            }
        }
        double[] last = trajectory.getLast();
        return new Run(c2, a0, seed, List.copyOf(trajectory), initial, peak, peakStep, last[1], last[3], loss);
    }

    /** ‖Wθ‖²/‖W‖²_F: the share of the first layer's energy along θ. */
    static double energyAlignment(Tensor w, TeacherStudent teacher) {
        double[] v = w.toDoubleArray(), th = teacher.theta().toDoubleArray();
        int d = th.length, n = v.length / d;
        double along = 0, total = 0;
        for (int r = 0; r < n; r++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += v[r * d + j] * th[j];
                total += v[r * d + j] * v[r * d + j];
            }
            along += dot * dot;
        }
        return total == 0 ? 0 : along / total;
    }

    private static double mean(Tensor t) {
        return Statistics.mean(t.toDoubleArray());
    }
}
