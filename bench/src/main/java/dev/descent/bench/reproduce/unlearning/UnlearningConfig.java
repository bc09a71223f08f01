// The settings of the unlearning reproduction (docs/papers.md §2), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The unlearning experiment's settings. The paper's parametrisation is not public; every piece of the
 * one used here is a setting, and the report states it.
 *
 * @param dimension    d
 * @param width        N
 * @param batch        fresh examples per step
 * @param steps        SGD steps
 * @param students     the students, each run on every cell; the first is the main one (its verdicts come first)
 * @param meanField    output scale 1/N (true) or 1/√N
 * @param lrW          first-layer rate
 * @param lrA          second-layer rate
 * @param lrTimesWidth whether the optimizer's η is rate·N (the probe's "0.5·N") or the rate itself
 * @param wInitScale   first-layer rows start as N(0, scale²/d · I), of norm about scale
 * @param randomSignA  a_i = ±a0 with random signs instead of a_i = a0
 * @param c1           the teacher's first Hermite coefficient
 * @param c2Sweep      the c2 values of claim (i); kept sorted
 * @param a0Sweep      the a0 values of claim (ii); kept sorted
 * @param c2Base       c2 during the a0 sweep
 * @param a0Base       a0 during the c2 sweep
 * @param c3           the odd-teacher control's third Hermite coefficient (0: no control): for each odd student, c2 = 0 and c3 = this
 *                     at a0 base, against c2 = c3 = 0 — a nonlinear term an odd student can represent
 * @param antithetic   the antithetic control: each student's c2 sweep runs a second time on batches of pairs (x, −x), whose
 *                     gradient sees only the population's odd–even split (the even teacher term cancels for an odd student)
 * @param labelNoise   std of Gaussian noise on y
 * @param points       log-spaced steps recorded in the CSV and plots (every step counts for the peak)
 * @param seeds        seeds: the teacher's direction, the initial weights and the data stream (shared by every run of a seed)
 * @param quick        toy sizes; the report claims nothing
 * @param resume       read back the runs an earlier invocation with the same settings completed in the output folder, and continue
 *                     the interrupted one from its checkpoint
 * @param checkpointEvery SGD steps between a run's checkpoints ({@code --checkpoint-every}; 0: none); not part of the settings a
 *                     resumption must match
 */
public record UnlearningConfig(int dimension, int width, int batch, int steps, List<Student> students, boolean meanField, double lrW, double lrA,
                               boolean lrTimesWidth, double wInitScale, boolean randomSignA, double c1, List<Double> c2Sweep, List<Double> a0Sweep,
                               double c2Base, double a0Base, double c3, boolean antithetic, double labelNoise, int points, List<Long> seeds, boolean quick,
                               boolean resume, long checkpointEvery) implements Experiment.Config {

    /**
     * SGD steps between a run's checkpoints by default. At the full settings a step takes 40–70 ms on two cores, so this is
     * a checkpoint every 20–35 s of work; writing one (W is N × d doubles, and the trajectory) takes well under a second,
     * mostly the file system's syncs. Continuing from a checkpoint replays the input stream up to it, drawing its inputs
     * again without the network: about 1 ms a step (measured: 1.1 ms against 40 ms for the step), 4 s for 3,500 steps.
     */
    public static final long CHECKPOINT_EVERY = 500;

    /**
     * The settings with a checkpoint every {@link #CHECKPOINT_EVERY} steps.
     *
     * @param dimension    d
     * @param width        N
     * @param batch        fresh examples per step
     * @param steps        SGD steps
     * @param students     the students
     * @param meanField    output scale 1/N (true) or 1/√N
     * @param lrW          first-layer rate
     * @param lrA          second-layer rate
     * @param lrTimesWidth whether η is rate·N
     * @param wInitScale   first-layer scale
     * @param randomSignA  a_i = ±a0
     * @param c1           the teacher's first Hermite coefficient
     * @param c2Sweep      the c2 values
     * @param a0Sweep      the a0 values
     * @param c2Base       c2 during the a0 sweep
     * @param a0Base       a0 during the c2 sweep
     * @param c3           the odd-teacher control's c3
     * @param antithetic   the antithetic control
     * @param labelNoise   std of the label noise
     * @param points       recorded steps
     * @param seeds        seeds
     * @param quick        toy sizes
     * @param resume       resume an interrupted invocation
     */
    public UnlearningConfig(int dimension, int width, int batch, int steps, List<Student> students, boolean meanField, double lrW, double lrA,
                            boolean lrTimesWidth, double wInitScale, boolean randomSignA, double c1, List<Double> c2Sweep, List<Double> a0Sweep,
                            double c2Base, double a0Base, double c3, boolean antithetic, double labelNoise, int points, List<Long> seeds, boolean quick,
                            boolean resume) {
        this(dimension, width, batch, steps, students, meanField, lrW, lrA, lrTimesWidth, wInitScale, randomSignA, c1, c2Sweep, a0Sweep, c2Base, a0Base, c3,
                antithetic, labelNoise, points, seeds, quick, resume, CHECKPOINT_EVERY);
    }

    /**
     * The same settings with another checkpoint interval.
     *
     * @param every SGD steps between a run's checkpoints (0: none)
     * @return the settings
     */
    public UnlearningConfig withCheckpointEvery(long every) {
        return new UnlearningConfig(dimension, width, batch, steps, students, meanField, lrW, lrA, lrTimesWidth, wInitScale, randomSignA, c1, c2Sweep, a0Sweep,
                c2Base, a0Base, c3, antithetic, labelNoise, points, seeds, quick, resume, every);
    }

    /** The student's activation. */
    public enum Activation {
        /** tanh. */
        TANH,
        /** max(0, h). */
        RELU,
        /** the error function. */
        ERF;

        Tensor apply(Tensor h) {
            return switch (this) {
                case TANH -> h.tanh();
                case RELU -> h.relu();
                case ERF -> h.erf();
            };
        }
    }

    /**
     * The student network: its activation and whether the first layer has biases b_i (σ(w_i·x + b_i), starting at 0).
     * Without biases tanh and erf give an odd function of x, which cannot represent the teacher's even He2 term; ReLU
     * without biases can (max(0, h) = (h + |h|)/2 has the even part |h|/2).
     */
    public enum Student {
        /** a_i·tanh(w_i·x): odd in x. */
        TANH(Activation.TANH, false),
        /** a_i·tanh(w_i·x + b_i). */
        TANH_BIAS(Activation.TANH, true),
        /** a_i·max(0, w_i·x). */
        RELU(Activation.RELU, false),
        /** a_i·max(0, w_i·x + b_i). */
        RELU_BIAS(Activation.RELU, true),
        /** a_i·erf(w_i·x): odd in x. */
        ERF(Activation.ERF, false),
        /** a_i·erf(w_i·x + b_i). */
        ERF_BIAS(Activation.ERF, true);

        final Activation activation;
        final boolean bias;

        Student(Activation activation, boolean bias) {
            this.activation = activation;
            this.bias = bias;
        }

        /**
         * Whether the student is an odd function of x whatever its weights (tanh or erf without biases), so that the
         * teacher's even terms reach its population gradient not at all.
         *
         * @return true for {@link #TANH} and {@link #ERF}
         */
        public boolean odd() {
            return !bias && activation != Activation.RELU;
        }

        /**
         * The option value and CSV key.
         *
         * @return e.g. {@code tanh-bias}
         */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * The student whose key this is.
         *
         * @param key e.g. {@code relu}
         * @return the student
         * @throws IllegalArgumentException naming the value and the accepted ones
         */
        public static Student of(String key) {
            for (Student s : values()) if (s.key().equals(key)) return s;
            List<String> keys = new ArrayList<>();
            for (Student s : values()) keys.add(s.key());
            throw new IllegalArgumentException("--student values must be among " + String.join(", ", keys) + ", was '" + key + "'");
        }

        /**
         * The student's function, as the report states it.
         *
         * @return e.g. {@code tanh(w_i·x + b_i)}
         */
        public String formula() {
            return activation.name().toLowerCase(Locale.ROOT) + "(w_i·x" + (bias ? " + b_i" : "") + ")";
        }
    }

    /**
     * One run's setting: the student, the teacher's c2 and c3, a0, and the kind of batches.
     *
     * @param student    the student
     * @param c2         the teacher's second Hermite coefficient
     * @param c3         the teacher's third Hermite coefficient
     * @param a0         the second layer's initial scale
     * @param antithetic batches of pairs (x, −x)
     */
    public record Cell(Student student, double c2, double c3, double a0, boolean antithetic) {}

    /** Validates every setting, naming the bad value. */
    public UnlearningConfig {
        if (dimension < 1) throw new IllegalArgumentException("--dimension must be >= 1, was " + dimension);
        if (width < 1) throw new IllegalArgumentException("--width must be >= 1, was " + width);
        if (batch < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batch);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, was " + steps);
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0, was " + checkpointEvery);
        if (!(lrW >= 0) || !(lrA >= 0)) throw new IllegalArgumentException("--lr-w and --lr-a must be >= 0, were " + lrW + ", " + lrA);
        if (!(wInitScale > 0)) throw new IllegalArgumentException("--w-init-scale must be > 0, was " + wInitScale);
        if (!(labelNoise >= 0)) throw new IllegalArgumentException("--label-noise must be >= 0, was " + labelNoise);
        if (points < 2) throw new IllegalArgumentException("--points must be >= 2, was " + points);
        Experiment.Config.requireNonEmpty("--c2", c2Sweep);
        Experiment.Config.requireNonEmpty("--a0", a0Sweep);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        Experiment.Config.requireNonEmpty("--student", students);
        if (!(c3 >= 0) || Double.isInfinite(c3)) throw new IllegalArgumentException("--c3 must be a finite number >= 0, was " + c3);
        if (antithetic && batch % 2 != 0) throw new IllegalArgumentException("--antithetic needs an even --batch-size, was " + batch);
        for (double a : a0Sweep) if (!(a > 0)) throw new IllegalArgumentException("--a0 values must be > 0, was " + a);
        if (!(a0Base > 0)) throw new IllegalArgumentException("--a0-base must be > 0, was " + a0Base);
        c2Sweep = List.copyOf(new TreeSet<>(c2Sweep));
        a0Sweep = List.copyOf(new TreeSet<>(a0Sweep));
        seeds = List.copyOf(seeds);
        students = students.stream().distinct().toList();
    }

    /**
     * The full settings, those of the first probe in docs/papers.md §2 — d = 32, N = 256, batch 2048, η_w = 0.5·N, η_a = 0.005·N, 4,000
     * steps, mean-field output, rows of norm about 1, a_i = a0; c2 ∈ {0, 0.5, 1, 2} at a0 = 0.1, a0 ∈ {0.01, 0.1, 1} at c2 = 1 — with
     * two students, tanh with biases (main) and the probe's odd tanh, the odd-teacher control at c3 = 1 and the antithetic control;
     * seeds 1 to 5.
     *
     * @return the full configuration
     */
    public static UnlearningConfig full() {
        return new UnlearningConfig(32, 256, 2048, 4000, List.of(Student.TANH_BIAS, Student.TANH), true, 0.5, 0.005, true, 1, false, 1,
                List.of(0.0, 0.5, 1.0, 2.0), List.of(0.01, 0.1, 1.0), 1, 0.1, 1, true, 0, 120, List.of(1L, 2L, 3L, 4L, 5L), false, false);
    }

    /**
     * Toy sizes: d = 8, N = 32, batch 128, 150 steps, c2 ∈ {0, 1}, a0 ∈ {0.1, 1}, the same students and controls, one seed.
     *
     * @return the quick configuration
     */
    public static UnlearningConfig toy() {
        return new UnlearningConfig(8, 32, 128, 150, List.of(Student.TANH_BIAS, Student.TANH), true, 0.5, 0.005, true, 1, false, 1, List.of(0.0, 1.0),
                List.of(0.1, 1.0), 1, 0.1, 1, true, 0, 40,
                List.of(1L), true, false);
    }

    double etaW() {
        return lrTimesWidth ? lrW * width : lrW;
    }

    double etaA() {
        return lrTimesWidth ? lrA * width : lrA;
    }

    /**
     * The cells each seed runs, in order, for each student: the c2 sweep at a0 base; the a0 sweep at c2 base without the cell
     * already run; for an odd student with c3 &gt; 0, (c2 = 0, c3) and (c2 = 0, c3 = 0) at a0 base; with the antithetic
     * control, the c2 sweep again on antithetic batches.
     *
     * @return the distinct cells
     */
    public List<Cell> cells() {
        java.util.LinkedHashSet<Cell> cells = new java.util.LinkedHashSet<>();
        for (Student s : students) {
            for (double c2 : c2Sweep) cells.add(new Cell(s, c2, 0, a0Base, false));
            for (double a0 : a0Sweep) cells.add(new Cell(s, c2Base, 0, a0, false));
            if (c3 > 0 && s.odd()) {
                cells.add(new Cell(s, 0, 0, a0Base, false));
                cells.add(new Cell(s, 0, c3, a0Base, false));
            }
            if (antithetic) for (double c2 : c2Sweep) cells.add(new Cell(s, c2, 0, a0Base, true));
        }
        return List.copyOf(cells);
    }

    /** The settings that must match for {@code --resume} (everything but the flag itself). */
    String fingerprint() {
        return "unlearning d " + dimension + " N " + width + " batch " + batch + " steps " + steps + " students " + students + " mean-field " + meanField
                + " lr " + lrW + "/" + lrA + " times-width " + lrTimesWidth + " w-init " + wInitScale + " sign-a " + randomSignA + " c1 " + c1 + " c2 "
                + c2Sweep + " a0 " + a0Sweep + " c2-base " + c2Base + " a0-base " + a0Base + " c3 " + c3 + " antithetic " + antithetic + " noise "
                + labelNoise + " points " + points + " seeds " + seeds + " quick " + quick;
    }

    /**
     * The parametrisation as the report and the log state it.
     *
     * @return e.g. {@code f(x) = (1/N)·Σ_i a_i·tanh(w_i·x); …}
     */
    public String parametrisation() {
        List<String> forms = new ArrayList<>();
        for (Student s : students) forms.add(s.formula());
        return String.format(Locale.ROOT, "f(x) = %s·Σ_i a_i·σ_i(x), σ_i(x) ∈ {%s} (biases start at 0 and share η_w); loss ½·mean (f − y)²; SGD with η_w = %s, η_a = %s%s; w_i ~ N(0, %s²/d·I); a_i = %sa0",
                meanField ? "(1/N)" : "(1/√N)", String.join(", ", forms), Statistics.sig(etaW()), Statistics.sig(etaA()),
                lrTimesWidth ? " (" + Statistics.sig(lrW) + "·N and " + Statistics.sig(lrA) + "·N)" : "", Statistics.sig(wInitScale),
                randomSignA ? "±" : "");
    }
}
