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
import dev.descent.core.io.Safetensors;
import dev.descent.data.Batch;
import dev.descent.data.TeacherStudent;
import dev.descent.optim.ParamGroup;
import dev.descent.nn.Module;
import dev.descent.optim.SGD;
import dev.descent.train.Checkpoints;
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
 *
 * <p>The CSV files are rewritten after every run, and a run in progress checkpoints every
 * {@link UnlearningConfig#checkpointEvery} steps, so that {@code --resume} keeps the finished runs and continues the
 * interrupted one where it was ({@link Resumption}).
 */
final class UnlearningRun {
    private UnlearningRun() {}

    static UnlearningOutcome run(UnlearningConfig cfg, Path out, PrintStream log) throws IOException {
        java.util.Map<String, Run> earlier = new java.util.HashMap<>();
        if (cfg.resume() && Resumption.matches(out, cfg.fingerprint(), UnlearningCsv.RUNS) && Files.exists(out.resolve(UnlearningCsv.RUNS))) {
            for (Run r : UnlearningCsv.read(out)) earlier.put(key(r.cell(), r.seed()), r);
        }
        if (!cfg.resume()) Resumption.startFresh(out);
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Run> runs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (Cell c : cfg.cells()) {
                String key = key(c, seed);
                Run before = earlier.get(key);
                if (before != null) {
                    runs.add(before);
                    Resumption.finished(out, key); // a checkpoint left by a crash after the run's rows were written
                    log.printf(Locale.ROOT, "  %s, seed %d: read back from the earlier invocation%n", c, seed);
                    continue;
                }
                long t = System.nanoTime();
                Run r = simulate(cfg, c, seed, Resumption.runFolder(out, key), key, log);
                runs.add(r);
                log.printf(Locale.ROOT, "  %s, c2 %s, c3 %s, a0 %s%s, seed %d: alignment %.4f → peak %.4f at step %d → %.4f (drop %.4f); loss %.4g → %.4g;"
                                + " mean a %.4g  (%.1f s)%n", c.student().key(), Statistics.sig(c.c2()), Statistics.sig(c.c3()), Statistics.sig(c.a0()),
                        c.antithetic() ? ", antithetic" : "", seed, r.initial(), r.peak(), r.peakStep(), r.last(), r.drop(), r.peakLoss(), r.lastLoss(),
                        r.lastMeanA(), (System.nanoTime() - t) / 1e9);
                UnlearningCsv.write(runs, out);
                Resumption.finished(out, key);
            }
        }
        return UnlearningOutcome.of(cfg, runs);
    }

    /** A run's key in log lines, for --resume and its checkpoint folder: student/c2/c3/a0/batches/seed. */
    static String key(Cell c, long seed) {
        return c.student().key() + "/" + c.c2() + "/" + c.c3() + "/" + c.a0() + "/" + (c.antithetic() ? UnlearningCsv.ANTITHETIC : UnlearningCsv.IID) + "/" + seed;
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
     * One run, without checkpoints. The seed's three streams fix θ, the initial weights and the inputs, so two cells of a
     * seed differ only by their setting (an antithetic cell draws its inputs differently).
     *
     * @param cfg  the settings
     * @param cell the student, teacher, a0 and batch kind
     * @param seed the seed
     * @return the trajectory and its summary
     */
    static Run simulate(UnlearningConfig cfg, Cell cell, long seed) {
        try {
            return simulate(cfg, cell, seed, null, key(cell, seed), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // without checkpoints nothing is read or written
        }
    }

    /** The student's parameters as a module, so that a checkpoint's model file holds them by name (w, b, a). */
    static final class Weights extends Module {
        final Parameter w, b, a;

        Weights(Net net) {
            w = net.w();
            b = net.b();
            a = net.a();
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("the student's weights only: Net.loss computes f");
        }
    }

    /**
     * What a run has gathered besides the weights: the recorded steps and the running peak and loss. Kept in every
     * checkpoint as {@code run.safetensors} (float64, so exactly, NaN included).
     */
    static final class Progress {
        static final String FILE = "run.safetensors";
        final List<double[]> trajectory = new ArrayList<>();
        double peak, peakLoss = Double.NaN, loss = Double.NaN;
        int peakStep, next;

        void save(Path folder) throws IOException {
            double[] flat = new double[5 * trajectory.size()];
            for (int i = 0; i < trajectory.size(); i++) System.arraycopy(trajectory.get(i), 0, flat, 5 * i, 5);
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("trajectory", Tensor.of(flat, trajectory.size(), 5));
            t.put("scalars", Tensor.of(new double[] {peak, peakLoss, loss, peakStep, next}));
            Safetensors.save(t, Map.of(), folder.resolve(FILE));
        }

        void restore(Path folder) throws IOException {
            Path file = folder.resolve(FILE);
            Map<String, Tensor> t = Safetensors.load(file).tensors();
            Tensor tr = t.get("trajectory"), sc = t.get("scalars");
            if (tr == null || sc == null || tr.dim() != 2 || tr.size(1) != 5 || sc.numel() != 5 || tr.dtype() != DType.FLOAT64 || sc.dtype() != DType.FLOAT64) {
                throw new IOException(file + ": expected float64 tensors 'trajectory' (k × 5) and 'scalars' (5), found " + t.keySet());
            }
            double[] flat = tr.toDoubleArray(), s = sc.toDoubleArray();
            trajectory.clear();
            for (int i = 0; i < flat.length; i += 5) trajectory.add(java.util.Arrays.copyOfRange(flat, i, i + 5));
            peak = s[0];
            peakLoss = s[1];
            loss = s[2];
            peakStep = (int) s[3];
            next = (int) s[4];
        }
    }

    /**
     * One run, checkpointed every {@link UnlearningConfig#checkpointEvery} steps into {@code folder} (the weights, the
     * optimizer, the step and the {@link Progress}); when {@code folder} holds a checkpoint the run continues from it. The
     * input stream is replayed up to the checkpoint's step (its inputs drawn again and dropped: a {@link SplittableRandom}'s
     * state cannot be saved), so the continued run draws what an uninterrupted one draws, and ends bitwise equal to it.
     *
     * @param cfg    the settings
     * @param cell   the student, teacher, a0 and batch kind
     * @param seed   the seed
     * @param folder the run's checkpoint folder, or null for none
     * @param key    the run's key (for the messages and {@link Resumption#STEP_PROBE})
     * @param log    where a continuation is said, or null
     * @return the trajectory and its summary
     * @throws IOException when a checkpoint cannot be written, or the one to continue from cannot be read (the file is named)
     */
    static Run simulate(UnlearningConfig cfg, Cell cell, long seed, Path folder, String key, PrintStream log) throws IOException {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom teacherRng = root.split(), initRng = root.split(), dataRng = root.split();
        TeacherStudent teacher = teacher(cfg, cell.c2(), cell.c3(), teacherRng);
        Net net = Net.init(cfg, cell.student(), cell.a0(), initRng);
        List<ParamGroup> groups = new ArrayList<>();
        groups.add(ParamGroup.of(net.b() == null ? List.of(net.w()) : List.of(net.w(), net.b())).with("lr", cfg.etaW()));
        groups.add(ParamGroup.of(net.a()).with("lr", cfg.etaA()));
        SGD opt = new SGD(groups);
        List<Integer> record = recordedSteps(cfg.steps(), cfg.points());
        double initial = teacher.alignment(net.w());
        Progress p = new Progress();
        p.peak = initial;
        p.trajectory.add(new double[] {0, initial, energyAlignment(net.w(), teacher), mean(net.a()), Double.NaN});
        p.next = 1;
        Weights weights = new Weights(net);
        Checkpoints checkpoints = folder == null ? null : new Checkpoints(folder);
        int done = 0;
        try {
            Path latest = checkpoints == null ? null : checkpoints.latest();
            if (latest != null) {
                done = (int) checkpoints.restore(latest, weights, opt).steps();
                p.restore(latest);
            }
        } catch (IOException | RuntimeException e) {
            throw Resumption.unreadable(key, folder, e);
        }
        if (done > 0) {
            for (int t = 1; t <= done; t++) batch(teacher, cfg.batch(), cell.antithetic(), dataRng); // the inputs steps 1..done drew
            if (log != null) log.printf(Locale.ROOT, "  %s: continues from its checkpoint at step %d%n", key, done);
        }
        for (int t = done + 1; t <= cfg.steps(); t++) {
            Batch b = batch(teacher, cfg.batch(), cell.antithetic(), dataRng);
            Tensor l = net.loss(b);
            p.loss = l.item();
            if (!Double.isFinite(p.loss)) throw new IllegalStateException("the loss became " + p.loss + " at step " + t + " (" + cell + ", seed " + seed
                    + "): lower --lr-w/--lr-a");
            opt.zeroGrad();
            l.backward();
            opt.step();
            double al = teacher.alignment(net.w());
            if (al > p.peak) {
                p.peak = al;
                p.peakStep = t;
                p.peakLoss = p.loss;
            }
            if (p.next < record.size() && t == record.get(p.next)) {
                p.trajectory.add(new double[] {t, al, energyAlignment(net.w(), teacher), mean(net.a()), p.loss});
                p.next++;
            }
            Resumption.stepped(key, t);
            if (checkpoints != null && cfg.checkpointEvery() > 0 && t % cfg.checkpointEvery() == 0 && t < cfg.steps()) {
                checkpoints.save(weights, Map.of("run", key), opt, new Checkpoints.Position(0, t, t, 0, 0, 0, 0, List.of()), p::save);
            }
        }
        double[] last = p.trajectory.getLast();
        return new Run(cell, seed, List.copyOf(p.trajectory), initial, p.peak, p.peakStep, p.peakLoss, last[1], last[3], p.loss);
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
