// Runs the unlearning reproduction: teacher–student SGD in float64 for every (c2, a0) pair and seed, with the alignment recorded.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Cell;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
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
 * y = σ*(θ·x), x ~ N(0, I_d), with σ* = c1·He1 + c2·He2/√2 + c3·He3/√6, by online large-batch SGD in float64
 * with one learning rate per layer:
 * <pre>
 *   f(x) = s · Σ_i a_i σ(w_i·x [+ b_i])  s = 1/N (mean field) or 1/√N; biases b_i start at 0
 *   loss = ½ · mean over the batch of (f(x) − y)²
 *   W ← W − η_w ∇_W loss,  a ← a − η_a ∇_a loss      (η = rate·N with --lr-scale width)
 *   w_i ~ N(0, (scale²/d)·I) at start;  a_i = a0 (or ±a0)
 * </pre>
 * Alignment A(t) is the mean over neurons of |cos(w_i, θ)|; its peak is taken over every step. Antithetic batches are
 * n/2 fresh inputs x and their negations −x (with independent label noise).
 */
final class UnlearningRun {
    private UnlearningRun() {}

    static UnlearningOutcome run(UnlearningConfig cfg, Path out, PrintStream log) throws IOException {
        java.util.Map<String, Run> earlier = new java.util.HashMap<>();
        if (cfg.resume() && Resumption.matches(out, cfg.fingerprint(), UnlearningCsv.RUNS)) {
            for (Run r : UnlearningCsv.read(out)) earlier.put(r.cell() + "/" + r.seed(), r);
        }
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Run> runs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (Cell c : cfg.cells()) {
                Run before = earlier.get(c + "/" + seed);
                if (before != null) {
                    runs.add(before);
                    log.printf(Locale.ROOT, "  %s, seed %d: read back from the earlier invocation%n", c, seed);
                    continue;
                }
                long t = System.nanoTime();
                Run r = simulate(cfg, c, seed);
                runs.add(r);
                log.printf(Locale.ROOT, "  %s, c2 %s, c3 %s, a0 %s%s, seed %d: alignment %.4f → peak %.4f at step %d → %.4f (drop %.4f); loss %.4g → %.4g;"
                                + " mean a %.4g  (%.1f s)%n", c.student().key(), Statistics.sig(c.c2()), Statistics.sig(c.c3()), Statistics.sig(c.a0()),
                        c.antithetic() ? ", antithetic" : "", seed, r.initial(), r.peak(), r.peakStep(), r.last(), r.drop(), r.peakLoss(), r.lastLoss(),
                        r.lastMeanA(), (System.nanoTime() - t) / 1e9);
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

    /** The teacher of a cell: the seed's direction θ, Hermite coefficients {0, c1, c2, c3}. */
    static TeacherStudent teacher(UnlearningConfig cfg, double c2, double c3, SplittableRandom teacherRng) {
        TeacherStudent teacher = new TeacherStudent(cfg.dimension(), new double[] {0, cfg.c1(), c2, c3}, teacherRng);
        return cfg.labelNoise() > 0 ? teacher.withLabelNoise(cfg.labelNoise()) : teacher;
    }

    /**
     * A batch of {@code n} examples: fresh ones, or (antithetic) n/2 fresh inputs followed by their negations. The inputs
     * depend on the random stream only, not on the teacher's coefficients.
     */
    static Batch batch(TeacherStudent teacher, int n, boolean antithetic, SplittableRandom rng) {
        if (!antithetic) return teacher.sample(n, DType.FLOAT64, rng);
        int d = teacher.dimension(), h = n / 2;
        double[] th = teacher.theta().toDoubleArray(), x = new double[n * d], y = new double[n];
        for (int i = 0; i < h * d; i++) {
            x[i] = rng.nextGaussian();
            x[h * d + i] = -x[i];
        }
        for (int r = 0; r < h; r++) {
            double z = 0;
            for (int j = 0; j < d; j++) z += th[j] * x[r * d + j];
            y[r] = teacher.activation(z);
            y[h + r] = teacher.activation(-z);
        }
        if (teacher.labelNoise() > 0) for (int r = 0; r < n; r++) y[r] += teacher.labelNoise() * rng.nextGaussian();
        return new Batch(Tensor.of(x, n, d), Tensor.of(y));
    }

    /** The student's parameters: W [N, d], the biases b [N] (null without), a [N]. */
    record Net(Student student, Parameter w, Parameter b, Parameter a, double scale) {
        /** The network at its initial weights: w_i ~ N(0, scale²/d·I), b = 0, a_i = a0 (or ±a0). */
        static Net init(UnlearningConfig cfg, Student student, double a0, SplittableRandom initRng) {
            int n = cfg.width(), d = cfg.dimension();
            double[] w0 = new double[n * d], as = new double[n];
            for (int i = 0; i < w0.length; i++) w0[i] = initRng.nextGaussian() * cfg.wInitScale() / Math.sqrt(d);
            for (int i = 0; i < n; i++) as[i] = cfg.randomSignA() && initRng.nextBoolean() ? -a0 : a0;
            return new Net(student, new Parameter(Tensor.of(w0, n, d)), student.bias ? new Parameter(Tensor.zeros(DType.FLOAT64, n)) : null,
                    new Parameter(Tensor.of(as)), cfg.meanField() ? 1.0 / n : 1 / Math.sqrt(n));
        }

        /** ½·mean (f(x) − y)² over the batch. */
        Tensor loss(Batch batch) {
            Tensor h = batch.x().matmul(w.t());
            if (b != null) h = h.add(b);
            // Σ_i a_i σ(h_i) as a broadcast product and a row sum: core's dgemm is slow for a single output column.
            Tensor f = student.activation.apply(h).mul(a).sum(1).mul(scale);
            return f.sub(batch.y()).square().mean().mul(0.5);
        }

        /** The parameters, first layer first. */
        List<Parameter> parameters() {
            return b == null ? List.of(w, a) : List.of(w, b, a);
        }

        /** The gradient of the loss on a batch, every parameter's flattened in order (the gradients are left zeroed). */
        double[] gradient(Batch batch) {
            for (Parameter p : parameters()) p.zeroGrad();
            loss(batch).backward();
            List<double[]> parts = new ArrayList<>();
            int n = 0;
            for (Parameter p : parameters()) {
                double[] g = p.grad().toDoubleArray();
                parts.add(g);
                n += g.length;
                p.zeroGrad();
            }
            double[] out = new double[n];
            int k = 0;
            for (double[] g : parts) {
                System.arraycopy(g, 0, out, k, g.length);
                k += g.length;
            }
            return out;
        }
    }

    /**
     * One run. The seed's three streams fix θ, the initial weights and the inputs, so two cells of a seed differ only by
     * their setting (an antithetic cell draws its inputs differently).
     *
     * @param cfg  the settings
     * @param cell the student, teacher, a0 and batch kind
     * @param seed the seed
     * @return the trajectory and its summary
     */
    static Run simulate(UnlearningConfig cfg, Cell cell, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom teacherRng = root.split(), initRng = root.split(), dataRng = root.split();
        TeacherStudent teacher = teacher(cfg, cell.c2(), cell.c3(), teacherRng);
        Net net = Net.init(cfg, cell.student(), cell.a0(), initRng);
        List<ParamGroup> groups = new ArrayList<>();
        groups.add(ParamGroup.of(net.b() == null ? List.of(net.w()) : List.of(net.w(), net.b())).with("lr", cfg.etaW()));
        groups.add(ParamGroup.of(net.a()).with("lr", cfg.etaA()));
        SGD opt = new SGD(groups);
        List<Integer> record = recordedSteps(cfg.steps(), cfg.points());
        List<double[]> trajectory = new ArrayList<>();
        double initial = teacher.alignment(net.w()), peak = initial, loss = Double.NaN, peakLoss = Double.NaN;
        int peakStep = 0, next = 0;
        trajectory.add(new double[] {0, initial, energyAlignment(net.w(), teacher), mean(net.a()), Double.NaN});
        next++;
        for (int t = 1; t <= cfg.steps(); t++) {
            Batch b = batch(teacher, cfg.batch(), cell.antithetic(), dataRng);
            Tensor l = net.loss(b);
            loss = l.item();
            if (!Double.isFinite(loss)) throw new IllegalStateException("the loss became " + loss + " at step " + t + " (" + cell + ", seed " + seed
                    + "): lower --lr-w/--lr-a");
            opt.zeroGrad();
            l.backward();
            opt.step();
            double al = teacher.alignment(net.w());
            if (al > peak) {
                peak = al;
                peakStep = t;
                peakLoss = loss;
            }
            if (next < record.size() && t == record.get(next)) {
                trajectory.add(new double[] {t, al, energyAlignment(net.w(), teacher), mean(net.a()), loss});
                next++;
            }
        }
        double[] last = trajectory.getLast();
        return new Run(cell, seed, List.copyOf(trajectory), initial, peak, peakStep, peakLoss, last[1], last[3], loss);
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
