// Reproduction of docs/papers.md §2: teacher–student runs sweeping c2 and a0, measuring feature unlearning.
package dev.descent.bench.reproduce;

import dev.descent.bench.report.LinePlot;
import dev.descent.core.io.AtomicFile;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code descent reproduce unlearning}: Imai, Nishiyama &amp; Imaizumi's feature learning and unlearning
 * (docs/papers.md §2). A two-layer network learns a single-index teacher y = σ*(θ·x), x ~ N(0, I_d), with
 * σ* = c1·He1 + c2·He2/√2, by online large-batch SGD in float64 with one learning rate per layer:
 * <pre>
 *   f(x) = s · Σ_i a_i σ(w_i·x)          s = 1/N (mean field) or 1/√N
 *   loss = ½ · mean over the batch of (f(x) − y)²
 *   W ← W − η_w ∇_W loss,  a ← a − η_a ∇_a loss      (η = rate·N with --lr-scale width)
 *   w_i ~ N(0, (scale²/d)·I) at start;  a_i = a0 (or ±a0)
 * </pre>
 * The paper's parametrisation is not public; every piece above is an option and the report states
 * the one used. Alignment A(t) is the mean over neurons of |cos(w_i, θ)|. Feature unlearning is
 * measured as the drop of A from its peak to its last value. Claim (i): a larger c2 gives a larger
 * drop; claim (ii): a larger a0 gives a smaller drop.
 */
public final class UnlearningExperiment {
    private UnlearningExperiment() {}

    /** The student's activation. */
    enum Activation {
        TANH, RELU, ERF;

        Tensor apply(Tensor h) {
            return switch (this) {
                case TANH -> h.tanh();
                case RELU -> h.relu();
                case ERF -> h.erf();
            };
        }
    }

    /** The monotonicity tolerance and the minimum effect of the verdicts (alignment units, in [0, 1]). */
    static final double TOLERANCE = 0.01, MARGIN = 0.02;

    /**
     * The experiment's settings.
     *
     * @param dimension   d
     * @param width       N
     * @param batch       fresh examples per step
     * @param steps       SGD steps
     * @param activation  the student's σ
     * @param meanField   output scale 1/N (true) or 1/√N
     * @param lrW         first-layer rate
     * @param lrA         second-layer rate
     * @param lrTimesWidth whether the optimizer's η is rate·N (the probe's "0.5·N") or the rate itself
     * @param wInitScale  first-layer rows start as N(0, scale²/d · I), of norm about scale
     * @param randomSignA a_i = ±a0 with random signs instead of a_i = a0
     * @param c1          the teacher's first Hermite coefficient
     * @param c2Sweep     the c2 values of claim (i)
     * @param a0Sweep     the a0 values of claim (ii)
     * @param c2Base      c2 during the a0 sweep
     * @param a0Base      a0 during the c2 sweep
     * @param labelNoise  std of Gaussian noise on y
     * @param points      log-spaced steps recorded in the CSV and plots (every step counts for the peak)
     * @param seeds       seeds: the teacher's direction, the initial weights and the data stream (shared by every run of a seed)
     * @param quick       toy sizes; the report claims nothing
     */
    public record Config(int dimension, int width, int batch, int steps, Activation activation, boolean meanField, double lrW, double lrA,
                         boolean lrTimesWidth, double wInitScale, boolean randomSignA, double c1, List<Double> c2Sweep, List<Double> a0Sweep,
                         double c2Base, double a0Base, double labelNoise, int points, List<Long> seeds, boolean quick) {

        /** Validates every setting, naming the bad value. */
        public Config {
            if (dimension < 1) throw new IllegalArgumentException("--dimension must be >= 1, was " + dimension);
            if (width < 1) throw new IllegalArgumentException("--width must be >= 1, was " + width);
            if (batch < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batch);
            if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, was " + steps);
            if (!(lrW >= 0) || !(lrA >= 0)) throw new IllegalArgumentException("--lr-w and --lr-a must be >= 0, were " + lrW + ", " + lrA);
            if (!(wInitScale > 0)) throw new IllegalArgumentException("--w-init-scale must be > 0, was " + wInitScale);
            if (!(labelNoise >= 0)) throw new IllegalArgumentException("--label-noise must be >= 0, was " + labelNoise);
            if (points < 2) throw new IllegalArgumentException("--points must be >= 2, was " + points);
            ErmExperiment.requireNonEmpty("--c2", c2Sweep);
            ErmExperiment.requireNonEmpty("--a0", a0Sweep);
            ErmExperiment.requireNonEmpty("--seeds", seeds);
            for (double a : a0Sweep) if (!(a > 0)) throw new IllegalArgumentException("--a0 values must be > 0, was " + a);
            if (!(a0Base > 0)) throw new IllegalArgumentException("--a0-base must be > 0, was " + a0Base);
            c2Sweep = List.copyOf(new TreeSet<>(c2Sweep));
            a0Sweep = List.copyOf(new TreeSet<>(a0Sweep));
            seeds = List.copyOf(seeds);
        }

        /**
         * The full settings, those of the first probe in docs/papers.md §2: tanh, d = 32, N = 256, batch 2048, η_w = 0.5·N, η_a = 0.005·N, 4,000
         * steps, mean-field output, rows of norm about 1, a_i = a0; c2 ∈ {0, 0.5, 1, 2} at a0 = 0.1, a0 ∈ {0.01, 0.1, 1} at c2 = 1;
         * seeds 1 and 2.
         *
         * @return the full configuration
         */
        public static Config full() {
            return new Config(32, 256, 2048, 4000, Activation.TANH, true, 0.5, 0.005, true, 1, false, 1, List.of(0.0, 0.5, 1.0, 2.0),
                    List.of(0.01, 0.1, 1.0), 1, 0.1, 0, 120, List.of(1L, 2L), false);
        }

        /**
         * Toy sizes: d = 8, N = 32, batch 128, 150 steps, c2 ∈ {0, 1}, a0 ∈ {0.1, 1}, one seed.
         *
         * @return the quick configuration
         */
        public static Config toy() {
            return new Config(8, 32, 128, 150, Activation.TANH, true, 0.5, 0.005, true, 1, false, 1, List.of(0.0, 1.0), List.of(0.1, 1.0), 1, 0.1, 0, 40,
                    List.of(1L), true);
        }

        double etaW() {
            return lrTimesWidth ? lrW * width : lrW;
        }

        double etaA() {
            return lrTimesWidth ? lrA * width : lrA;
        }

        String parametrisation() {
            return String.format(Locale.ROOT, "f(x) = %s·Σ_i a_i·%s(w_i·x); loss ½·mean (f − y)²; SGD with η_w = %s, η_a = %s%s; w_i ~ N(0, %s²/d·I); a_i = %sa0",
                    meanField ? "(1/N)" : "(1/√N)", activation.name().toLowerCase(Locale.ROOT), Statistics.sig(etaW()), Statistics.sig(etaA()),
                    lrTimesWidth ? " (" + Statistics.sig(lrW) + "·N and " + Statistics.sig(lrA) + "·N)" : "", Statistics.sig(wInitScale),
                    randomSignA ? "±" : "");
        }
    }

    /** One run: a (c2, a0) pair and a seed, with its trajectory at the recorded steps and the exact peak. */
    record Run(double c2, double a0, long seed, List<double[]> trajectory, double initial, double peak, int peakStep, double last, double lastMeanA,
               double lastLoss) {
        double drop() {
            return peak - last;
        }

        /** The share of the alignment gained by the peak that was lost by the end (NaN when nothing was gained). */
        double gainLost() {
            return peak > initial ? (peak - last) / (peak - initial) : Double.NaN;
        }
    }

    /** What the experiment produced, for tests. */
    record Outcome(List<Verdict> verdicts, List<Run> runs) {}

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
    static Run simulate(Config cfg, double c2, double a0, long seed) {
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

    /**
     * Runs both sweeps and writes {@code report.md}, {@code unlearning-trajectories.csv}, {@code unlearning-runs.csv}, the plots and
     * {@code summary.md} into {@code out}. The run shared by both sweeps (c2 base, a0 base) is computed once.
     *
     * @param cfg     the settings
     * @param out     the output folder
     * @param command the command line, for the report
     * @param log     progress lines
     * @return the verdicts and runs
     * @throws IOException when a file cannot be written
     */
    static Outcome run(Config cfg, Path out, String command, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        List<double[]> pairs = new ArrayList<>();
        for (double c2 : cfg.c2Sweep()) pairs.add(new double[] {c2, cfg.a0Base()});
        for (double a0 : cfg.a0Sweep()) {
            boolean dup = false;
            for (double[] p : pairs) dup |= p[0] == cfg.c2Base() && p[1] == a0;
            if (!dup) pairs.add(new double[] {cfg.c2Base(), a0});
        }
        List<Run> runs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (double[] p : pairs) {
                long t = System.nanoTime();
                Run r = simulate(cfg, p[0], p[1], seed);
                runs.add(r);
                log.printf(Locale.ROOT, "  c2 %s, a0 %s, seed %d: alignment %.4f → peak %.4f at step %d → %.4f (drop %.4f); mean a %.4g  (%.1f s)%n",
                        Statistics.sig(p[0]), Statistics.sig(p[1]), seed, r.initial(), r.peak(), r.peakStep(), r.last(), r.drop(), r.lastMeanA(),
                        (System.nanoTime() - t) / 1e9);
                writeCsv(runs, out);
            }
        }
        List<Verdict> verdicts = List.of(sweepVerdict(cfg, runs, true), sweepVerdict(cfg, runs, false));
        plots(cfg, runs, out);
        double wall = (System.nanoTime() - t0) / 1e9;
        writeReport(cfg, runs, verdicts, out, command, wall);
        double dropAtZero = meanOf(runs, cfg.c2Sweep().getFirst(), cfg.a0Base(), Run::drop);
        AtomicFile.writeString(out.resolve("summary.md"), String.format(Locale.ROOT, "[Feature unlearning](unlearning/report.md) (Imai et al., §2):"
                + " claim (i), more c2 → more unlearning: %s; claim (ii), larger a0 → less: %s; alignment drop from its peak %s at c2 = %s"
                + " (parametrisation of the first probe in [docs/papers.md §2](../papers.md#2-feature-learning-and-unlearning); the paper's is not public).%n",
                verdicts.get(0).outcome().label().toLowerCase(Locale.ROOT), verdicts.get(1).outcome().label().toLowerCase(Locale.ROOT),
                Statistics.format(dropAtZero, 3), Statistics.sig(cfg.c2Sweep().getFirst())));
        return new Outcome(verdicts, runs);
    }

    /** The mean over seeds of a run statistic at (c2, a0). */
    static double meanOf(List<Run> runs, double c2, double a0, java.util.function.ToDoubleFunction<Run> f) {
        return Statistics.mean(runs.stream().filter(r -> r.c2() == c2 && r.a0() == a0).mapToDouble(f).toArray());
    }

    static double[] valuesOf(List<Run> runs, double c2, double a0, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().filter(r -> r.c2() == c2 && r.a0() == a0).mapToDouble(f).toArray();
    }

    /** Claim (i) (c2 sweep, drop should rise) or claim (ii) (a0 sweep, drop should fall). */
    static Verdict sweepVerdict(Config cfg, List<Run> runs, boolean c2Sweep) {
        List<Double> values = c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep();
        double[] drops = new double[values.size()];
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < drops.length; i++) {
            double c2 = c2Sweep ? values.get(i) : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : values.get(i);
            drops[i] = meanOf(runs, c2, a0, Run::drop);
            parts.add((c2Sweep ? "c2 = " : "a0 = ") + Statistics.sig(values.get(i)) + ": " + Statistics.format(drops[i], 4));
        }
        String claim = c2Sweep ? "(i) A stronger primary nonlinear term of the teacher (its second Hermite coefficient c2) induces feature unlearning."
                : "(ii) A larger initial scale a0 of the second layer mitigates feature unlearning.";
        String criterion = c2Sweep ? String.format(Locale.ROOT, "the alignment drop from its peak to its last value (mean over seeds) rises along the c2 sweep"
                + " (a0 = %s): every consecutive change is ≥ −%s and the drop at the largest c2 exceeds the drop at the smallest by ≥ %s.",
                Statistics.sig(cfg.a0Base()), TOLERANCE, MARGIN)
                : String.format(Locale.ROOT, "the alignment drop from its peak to its last value (mean over seeds) falls along the a0 sweep (c2 = %s):"
                + " every consecutive change is ≤ +%s and the drop at the smallest a0 exceeds the drop at the largest by ≥ %s.",
                Statistics.sig(cfg.c2Base()), TOLERANCE, MARGIN);
        if (drops.length < 2) return new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "the sweep has one value: " + String.join("; ", parts) + ".");
        double sign = c2Sweep ? 1 : -1;
        boolean monotone = true;
        for (int i = 1; i < drops.length; i++) monotone &= sign * (drops[i] - drops[i - 1]) >= -TOLERANCE;
        double effect = sign * (drops[drops.length - 1] - drops[0]);
        return new Verdict(claim, criterion, Verdict.Outcome.of(monotone && effect >= MARGIN), "drops " + String.join("; ", parts) + String.format(Locale.ROOT,
                " (%s; %s by %s).", monotone ? "monotone within the tolerance" : "not monotone", c2Sweep ? "largest − smallest c2" : "smallest − largest a0",
                Statistics.format(effect, 4)));
    }

    /** What the end of a sweep shows: whether the alignment still falls at the smallest c2, or at the largest a0. */
    static String observation(Config cfg, List<Run> runs, boolean c2Sweep) {
        double c2 = c2Sweep ? cfg.c2Sweep().getFirst() : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : cfg.a0Sweep().getLast();
        double drop = meanOf(runs, c2, a0, Run::drop), peak = meanOf(runs, c2, a0, Run::peak), last = meanOf(runs, c2, a0, Run::last);
        String at = c2Sweep ? "c2 = " + Statistics.sig(c2) : "a0 = " + Statistics.sig(a0);
        String numbers = String.format(Locale.ROOT, "from %s to %s (drop %s)", Statistics.format(peak, 4), Statistics.format(last, 4), Statistics.format(drop, 4));
        if (drop < MARGIN) {
            return "At " + at + " the alignment keeps its peak: " + numbers + ", below the " + MARGIN + " that counts as an effect here.";
        }
        return c2Sweep ? "At " + at + " — no second Hermite term in the teacher — the alignment still falls " + numbers + ": in this parametrisation"
                + " unlearning happens without the nonlinear term, and c2 changes only how much. A strict reading of claim (i), that the nonlinear"
                + " term is what induces unlearning, is not borne out here."
                : "At the largest initial scale, " + at + ", the alignment still falls " + numbers + ": a larger a0 does not remove unlearning here.";
    }

    private static void writeCsv(List<Run> runs, Path out) throws IOException {
        CsvTable traj = new CsvTable("c2", "a0", "seed", "step", "alignment", "energy_alignment", "mean_a", "batch_loss");
        CsvTable sum = new CsvTable("c2", "a0", "seed", "initial_alignment", "peak_alignment", "peak_step", "final_alignment", "drop", "gain_lost",
                "final_mean_a", "final_batch_loss");
        for (Run r : runs) {
            for (double[] p : r.trajectory()) traj.row(r.c2(), r.a0(), r.seed(), (int) p[0], p[1], p[2], p[3], p[4]);
            sum.row(r.c2(), r.a0(), r.seed(), r.initial(), r.peak(), r.peakStep(), r.last(), r.drop(), r.gainLost(), r.lastMeanA(), r.lastLoss());
        }
        traj.write(out.resolve("unlearning-trajectories.csv"));
        sum.write(out.resolve("unlearning-runs.csv"));
    }

    private static void plots(Config cfg, List<Run> runs, Path out) throws IOException {
        for (boolean c2Sweep : new boolean[] {true, false}) {
            String name = c2Sweep ? "c2" : "a0";
            String fixed = c2Sweep ? "a0 = " + Statistics.sig(cfg.a0Base()) : "c2 = " + Statistics.sig(cfg.c2Base());
            LinePlot al = new LinePlot("Alignment mean |cos(w_i, θ)|, sweep over " + name + " (" + fixed + ")", "step", "alignment").logScale(true, false);
            List<double[][]> meanA = new ArrayList<>();
            boolean positive = true;
            List<Double> values = c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep();
            for (double v : values) {
                double c2 = c2Sweep ? v : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : v;
                List<Run> mine = runs.stream().filter(r -> r.c2() == c2 && r.a0() == a0).toList();
                int k = mine.getFirst().trajectory().size();
                double[] step = new double[k], a = new double[k], m = new double[k];
                for (int i = 0; i < k; i++) {
                    int j = i;
                    step[i] = mine.getFirst().trajectory().get(i)[0];
                    a[i] = Statistics.mean(mine.stream().mapToDouble(r -> r.trajectory().get(j)[1]).toArray());
                    m[i] = Statistics.mean(mine.stream().mapToDouble(r -> r.trajectory().get(j)[3]).toArray());
                    positive &= m[i] > 0;
                }
                al.add(name + " = " + Statistics.sig(v), step, a);
                meanA.add(new double[][] {step, m, {v}});
            }
            LinePlot sl = new LinePlot("Mean second-layer weight, sweep over " + name + " (" + fixed + ")", "step", "mean a_i").logScale(true, positive);
            for (double[][] s : meanA) sl.add(name + " = " + Statistics.sig(s[2][0]), s[0], s[1]);
            al.write(out.resolve("unlearning-alignment-" + name + ".png"));
            sl.write(out.resolve("unlearning-second-layer-" + name + ".png"));
        }
    }

    private static void writeReport(Config cfg, List<Run> runs, List<Verdict> verdicts, Path out, String command, double wall) throws IOException {
        Report r = new Report("Feature learning and unlearning (Imai, Nishiyama, Imaizumi, arXiv 2602.07378)", cfg.quick());
        r.paragraph("What the paper claims ([docs/papers.md §2](../../papers.md#2-feature-learning-and-unlearning)):"
                + " in a two-layer network trained by large-batch SGD on a single-index teacher, the first-layer"
                + " alignment with the teacher's direction grows fast, then the slow growth of the second layer decides whether the network keeps the"
                + " feature or progressively loses it (\"feature unlearning\"). (i) A stronger primary nonlinear term of the teacher (its low-order"
                + " nonlinear Hermite coefficient, here c2) induces unlearning; (ii) a larger initial scale of the second layer mitigates it.");
        r.paragraph("**The paper's exact parametrisation, ODEs and unlearning condition are not public** (they are in the paper's body). This run uses"
                + " the parametrisation below — that of the first probe described in [docs/papers.md §2](../../papers.md#2-feature-learning-and-unlearning)"
                + " — and every piece of it is an option of the command. The digest records that this probe showed a rise-then-fall growing with c2,"
                + " but also at c2 = 0, and not mitigated by a0 = 1.");
        r.section("Setup");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("teacher", "y = σ*(θ·x), x ~ N(0, I_d), σ* = c1·He1(z) + c2·He2(z)/√2 with c1 = " + Statistics.sig(cfg.c1()) + " (`TeacherStudent`, θ uniform on"
                + " the sphere)" + (cfg.labelNoise() > 0 ? ", label noise std " + cfg.labelNoise() : ", no label noise"));
        s.put("student and training", cfg.parametrisation());
        s.put("d, N", cfg.dimension() + ", " + cfg.width());
        s.put("batch", cfg.batch() + " fresh examples per step (online SGD: no example is seen twice)");
        s.put("steps", cfg.steps());
        s.put("sweep (i)", "c2 ∈ " + cfg.c2Sweep() + " at a0 = " + Statistics.sig(cfg.a0Base()));
        s.put("sweep (ii)", "a0 ∈ " + cfg.a0Sweep() + " at c2 = " + Statistics.sig(cfg.c2Base()));
        s.put("seeds", cfg.seeds() + " (each seed fixes θ, the initial first layer and the input stream, shared by every (c2, a0) of that seed)");
        s.put("alignment A", "mean over neurons of |cos(w_i, θ)| (a random first layer gives about √(2/(πd)) = "
                + Statistics.format(Math.sqrt(2 / (Math.PI * cfg.dimension())), 3) + "); `energy_alignment` in the CSV is ‖Wθ‖²/‖W‖²_F");
        s.put("unlearning", "drop = peak A (over every step) − A at the last step; \"gain lost\" = drop/(peak − A(0))");
        s.put("arithmetic", "float64 throughout");
        r.settings(s);

        r.section("Results");
        for (boolean c2Sweep : new boolean[] {true, false}) {
            r.subsection(c2Sweep ? "Claim (i): sweep over c2 (a0 = " + Statistics.sig(cfg.a0Base()) + ")" : "Claim (ii): sweep over a0 (c2 = "
                    + Statistics.sig(cfg.c2Base()) + ")");
            List<List<String>> rows = new ArrayList<>();
            for (double v : c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep()) {
                double c2 = c2Sweep ? v : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : v;
                rows.add(List.of(Statistics.sig(c2), Statistics.sig(a0), Statistics.format(meanOf(runs, c2, a0, Run::initial), 4),
                        Statistics.format(meanOf(runs, c2, a0, Run::peak), 4), Statistics.format(meanOf(runs, c2, a0, Run::peakStep), 0),
                        Statistics.format(meanOf(runs, c2, a0, Run::last), 4), Statistics.meanStd(valuesOf(runs, c2, a0, Run::drop), 4),
                        Statistics.format(meanOf(runs, c2, a0, Run::gainLost), 3), Statistics.sig(meanOf(runs, c2, a0, Run::lastMeanA)),
                        Statistics.sig(meanOf(runs, c2, a0, Run::lastLoss))));
            }
            r.paragraph("Means over seeds (every run is in `unlearning-runs.csv`, every recorded step in `unlearning-trajectories.csv`).");
            r.table(List.of("c2", "a0", "A(0)", "peak A", "peak step", "final A", "drop (ours)", "gain lost", "final mean a", "final batch loss"), rows);
            r.paragraph(observation(cfg, runs, c2Sweep));
            String n = c2Sweep ? "c2" : "a0";
            r.image("Alignment against step (log axis), sweep over " + n, "unlearning-alignment-" + n + ".png");
            r.image("Mean second-layer weight against step (log axis), sweep over " + n, "unlearning-second-layer-" + n + ".png");
        }
        r.paragraph("The paper publishes no numbers for this setup to put beside ours; its claims are qualitative, and so are the verdicts.");
        r.section("Verdicts");
        r.verdicts(verdicts);
        r.section("Files");
        r.bullets(List.of("`unlearning-trajectories.csv`: one row per run and recorded step: alignment, energy alignment, mean a, batch loss",
                "`unlearning-runs.csv`: one row per run: initial, peak (and its step), final alignment, drop, gain lost, final mean a and loss",
                "`unlearning-alignment-c2.png`, `unlearning-second-layer-c2.png`, `unlearning-alignment-a0.png`, `unlearning-second-layer-a0.png`"));
        r.provenance(Machine.current(), command, wall);
        r.write(out.resolve("report.md"));
    }

    /** {@code descent reproduce unlearning}. */
    @Command(name = "unlearning", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"docs/papers.md §2: teacher–student runs in float64 with per-layer learning rates; sweeps over the teacher's c2 and the",
                "second layer's initial scale a0; alignment and mean second-layer weight against step. The parametrisation is configurable."})
    static final class Cli implements Callable<Integer> {
        @Mixin
        ReproduceCommand.Common common;
        @Option(names = "--dimension", description = "d (default: 32; quick 8)")
        Integer dimension;
        @Option(names = "--width", description = "N (default: 256; quick 32)")
        Integer width;
        @Option(names = "--batch-size", description = "examples per step (default: 2048; quick 128)")
        Integer batch;
        @Option(names = "--steps", description = "SGD steps (default: 4000; quick 150)")
        Integer steps;
        @Option(names = "--activation", description = "student σ: tanh (default), relu, erf")
        String activation = "tanh";
        @Option(names = "--output-scale", description = "mean-field (1/N, default) or sqrt (1/√N)")
        String outputScale = "mean-field";
        @Option(names = "--lr-w", description = "first-layer rate (default: 0.5)")
        Double lrW;
        @Option(names = "--lr-a", description = "second-layer rate (default: 0.005)")
        Double lrA;
        @Option(names = "--lr-scale", description = "width (default: η = rate·N) or none (η = rate)")
        String lrScale = "width";
        @Option(names = "--w-init-scale", description = "first-layer rows start as N(0, scale²/d·I) (default: 1)")
        Double wInitScale;
        @Option(names = "--a-init", description = "const (default: a_i = a0) or sign (a_i = ±a0)")
        String aInit = "const";
        @Option(names = "--c1", description = "teacher's first Hermite coefficient (default: 1)")
        Double c1;
        @Option(names = "--c2", split = ",", description = "c2 sweep (default: 0,0.5,1,2; quick 0,1)")
        List<Double> c2;
        @Option(names = "--a0", split = ",", description = "a0 sweep (default: 0.01,0.1,1; quick 0.1,1)")
        List<Double> a0;
        @Option(names = "--c2-base", description = "c2 during the a0 sweep (default: 1)")
        Double c2Base;
        @Option(names = "--a0-base", description = "a0 during the c2 sweep (default: 0.1)")
        Double a0Base;
        @Option(names = "--label-noise", description = "std of noise on y (default: 0)")
        Double labelNoise;
        @Option(names = "--points", description = "log-spaced steps recorded (default: 120; quick 40)")
        Integer points;
        @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2; quick 1)")
        List<Long> seeds;

        @Override
        public Integer call() throws IOException {
            Config d = common.quick ? Config.toy() : Config.full();
            Activation act = switch (activation) {
                case "tanh" -> Activation.TANH;
                case "relu" -> Activation.RELU;
                case "erf" -> Activation.ERF;
                default -> throw new IllegalArgumentException("--activation must be tanh, relu or erf, was '" + activation + "'");
            };
            boolean meanField = switch (outputScale) {
                case "mean-field" -> true;
                case "sqrt" -> false;
                default -> throw new IllegalArgumentException("--output-scale must be mean-field or sqrt, was '" + outputScale + "'");
            };
            boolean times = switch (lrScale) {
                case "width" -> true;
                case "none" -> false;
                default -> throw new IllegalArgumentException("--lr-scale must be width or none, was '" + lrScale + "'");
            };
            boolean sign = switch (aInit) {
                case "const" -> false;
                case "sign" -> true;
                default -> throw new IllegalArgumentException("--a-init must be const or sign, was '" + aInit + "'");
            };
            Config cfg = new Config(or(dimension, d.dimension()), or(width, d.width()), or(batch, d.batch()), or(steps, d.steps()), act, meanField,
                    or(lrW, d.lrW()), or(lrA, d.lrA()), times, or(wInitScale, d.wInitScale()), sign, or(c1, d.c1()), c2 != null ? c2 : d.c2Sweep(),
                    a0 != null ? a0 : d.a0Sweep(), or(c2Base, d.c2Base()), or(a0Base, d.a0Base()), or(labelNoise, d.labelNoise()), or(points, d.points()),
                    seeds != null ? seeds : d.seeds(), common.quick);
            Path out = common.out("unlearning");
            ReproduceCommand.prepare(out);
            System.out.printf(Locale.ROOT, "reproduce unlearning%s: d %d, N %d, batch %d, %d steps; %s%n", cfg.quick() ? " (quick)" : "", cfg.dimension(),
                    cfg.width(), cfg.batch(), cfg.steps(), cfg.parametrisation());
            Outcome o = run(cfg, out, common.command(), System.out);
            return ReproduceCommand.done("unlearning", out, o.verdicts(), cfg.quick(), System.out);
        }

        private static <T> T or(T v, T fallback) {
            return v != null ? v : fallback;
        }
    }
}
