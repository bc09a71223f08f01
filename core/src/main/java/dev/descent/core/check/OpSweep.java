package dev.descent.core.check;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The op sweep, public: the properties Descent checks on every one of its own ops, for an op of yours, from a test of
 * any framework in one statement. An op is a function of tensors plus a generator of valid inputs (and optionally a
 * reference: the same result computed another way, e.g. with plain loops). The sweep draws cases from a seed and checks:
 * <ol>
 *   <li><b>gradients</b>: the backward rule against central finite differences in float64 ({@link GradCheck});
 *   <li><b>second order</b>: the backward rule's own derivatives ({@link GradGradCheck}), for ops whose backward is
 *       written with differentiable ops;
 *   <li><b>forward mode</b>: the JVP rule on dual inputs ({@link #checkForwardMode}): J·v against central finite
 *       differences along v, and the transpose identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ against the backward rule;
 *   <li><b>reference</b>: the op against the reference, in float32 and float64;
 *   <li><b>layout</b>: strided, permuted, offset inputs ({@link TensorGen#nonContiguous}) give the result contiguous
 *       ones do.
 * </ol>
 * Broadcasting and size-1 dimensions are the generator's to draw ({@link Draw#broadcastPair()} helps). The forward-mode
 * property is on by default for an op with gradients, so the op needs a JVP rule ({@code CustomOp.jvp}, or the rule
 * argument of {@code Autograd.record}); {@link Sweep#forwardMode(boolean) forwardMode(false)} is for an op used in
 * reverse mode only.
 *
 * <pre>{@code
 * @Test
 * void mySoftsignIsRight() {
 *     OpSweep.of("softsign", d -> {
 *         Tensor x = d.tensor(d.shape(0), TensorGen.Values.NORMAL);
 *         return new OpSweep.Case("softsign " + Arrays.toString(x.shape()), new Tensor[] {x},
 *                 in -> MyOps.softsign(in[0]),
 *                 in -> in[0].div(in[0].abs().add(1)));              // the reference, composed from built-in ops
 *     }).run();
 * }
 * }</pre>
 *
 * <p><b>Shrinking.</b> A failure is not reported as found: the sweep then searches for the smallest failing case by
 * lowering the generator's size budget ({@link Draw#maxRank()}, {@link Draw#maxDim()}) and trying fresh seeds at each
 * budget, smallest first, and reports that case beside the first one, with the seed that reproduces each.
 */
public final class OpSweep {
    private OpSweep() {}

    /**
     * One generated case.
     *
     * @param description what was drawn (shapes, settings), printed on failure
     * @param inputs      the op's inputs; floating-point ones are differentiated
     * @param op          the op
     * @param reference   the same result computed another way, or null for none
     * @param gradOptions tolerances of the gradient checks
     */
    public record Case(String description, Tensor[] inputs, Function<Tensor[], Tensor> op, Function<Tensor[], Tensor> reference,
                       GradCheck.Options gradOptions) {
        /**
         * A case with default gradient tolerances.
         *
         * @param description what was drawn
         * @param inputs      the inputs
         * @param op          the op
         * @param reference   the reference, or null
         */
        public Case(String description, Tensor[] inputs, Function<Tensor[], Tensor> op, Function<Tensor[], Tensor> reference) {
            this(description, inputs, op, reference, GradCheck.Options.defaults());
        }
    }

    /**
     * What a generator draws from: the randomness, the dtype to make float inputs in, whether the case is for gradient
     * checks (then draw values where finite differences are valid: away from kinks), and the size budget.
     *
     * @param rng         the randomness
     * @param dtype       float32 or float64
     * @param forGradient the case will be gradient-checked
     * @param maxRank     the largest rank to draw
     * @param maxDim      the largest dimension size to draw
     */
    public record Draw(RandomGenerator rng, DType dtype, boolean forGradient, int maxRank, int maxDim) {
        /**
         * A random shape within the budget ({@link TensorGen#shape}; about one dimension in four has size 1).
         *
         * @param minRank the smallest rank (raised to the budget's rank when above it)
         * @return the shape
         */
        public int[] shape(int minRank) {
            return TensorGen.shape(rng, minRank, Math.max(minRank, maxRank), maxDim);
        }

        /**
         * Two shapes that broadcast together, within the budget ({@link TensorGen#broadcastPair}).
         *
         * @return the shapes
         */
        public int[][] broadcastPair() {
            return TensorGen.broadcastPair(rng, maxRank, maxDim);
        }

        /**
         * A size in [1, maxDim].
         *
         * @return the size
         */
        public int size() {
            return 1 + rng.nextInt(maxDim);
        }

        /**
         * A tensor of this draw's dtype.
         *
         * @param shape   its shape
         * @param profile how values are drawn
         * @return the tensor
         */
        public Tensor tensor(int[] shape, TensorGen.Values profile) {
            return TensorGen.tensor(rng, dtype, shape, profile);
        }
    }

    /** Makes a case from a draw. */
    @FunctionalInterface
    public interface Generator {
        /**
         * Draws one case.
         *
         * @param draw the randomness, dtype and budget
         * @return the case
         */
        Case make(Draw draw);
    }

    /** A failed property, with the smallest failing case the shrinking found. */
    public static final class Failure extends AssertionError {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts a sweep of an op.
     *
     * @param name      the op's name, in messages
     * @param generator draws its cases
     * @return the sweep, to configure and {@link Sweep#run()}
     */
    public static Sweep of(String name, Generator generator) {
        return new Sweep(name, generator);
    }

    /** The settings of one op's sweep; {@link #run()} checks every enabled property. */
    public static final class Sweep {
        private final String name;
        private final Generator generator;
        private int examples = 40, maxRank = 3, maxDim = 4;
        private long seed = 0x5EED;
        private boolean gradients = true, secondOrder = false, forwardMode = true, layout = true;
        private double rtol32 = 1e-5, atol32 = 1e-6, rtol64 = 1e-10, atol64 = 1e-12;

        private Sweep(String name, Generator generator) {
            this.name = name;
            this.generator = generator;
        }

        /**
         * How many cases each property draws (default 40).
         *
         * @param n the count, ≥ 1
         * @return this sweep
         */
        public Sweep examples(int n) {
            if (n < 1) throw new IllegalArgumentException("examples must be >= 1, was " + n);
            examples = n;
            return this;
        }

        /**
         * The seed cases are drawn from (default fixed), for reproducing a reported failure or widening a search.
         *
         * @param s the seed
         * @return this sweep
         */
        public Sweep seed(long s) {
            seed = s;
            return this;
        }

        /**
         * The size budget (default rank ≤ 3, dimensions ≤ 4).
         *
         * @param rank the largest rank
         * @param dim  the largest dimension size, ≥ 1
         * @return this sweep
         */
        public Sweep maxSize(int rank, int dim) {
            if (rank < 0 || dim < 1) throw new IllegalArgumentException("budget must be rank >= 0 and dim >= 1, was " + rank + ", " + dim);
            maxRank = rank;
            maxDim = dim;
            return this;
        }

        /**
         * Whether to check gradients (default on; off for ops without one, such as comparisons).
         *
         * @param on the switch
         * @return this sweep
         */
        public Sweep gradients(boolean on) {
            gradients = on;
            return this;
        }

        /**
         * Whether to check second derivatives with {@link GradGradCheck} (default off: on for ops whose backward is
         * written with differentiable ops).
         *
         * @param on the switch
         * @return this sweep
         */
        public Sweep secondOrder(boolean on) {
            secondOrder = on;
            return this;
        }

        /**
         * Whether to check the forward-mode (JVP) rule with {@link #checkForwardMode} (default on; off for ops without
         * gradients).
         *
         * @param on the switch
         * @return this sweep
         */
        public Sweep forwardMode(boolean on) {
            forwardMode = on;
            return this;
        }

        /**
         * Whether to compare non-contiguous inputs with contiguous ones (default on).
         *
         * @param on the switch
         * @return this sweep
         */
        public Sweep layout(boolean on) {
            layout = on;
            return this;
        }

        /**
         * Tolerances of the reference comparison: |got − want| ≤ atol + rtol·|want| (defaults float32 1e-5/1e-6, float64
         * 1e-10/1e-12).
         *
         * @param rtol32 relative, float32
         * @param atol32 absolute, float32
         * @param rtol64 relative, float64
         * @param atol64 absolute, float64
         * @return this sweep
         */
        public Sweep tolerance(double rtol32, double atol32, double rtol64, double atol64) {
            this.rtol32 = rtol32;
            this.atol32 = atol32;
            this.rtol64 = rtol64;
            this.atol64 = atol64;
            return this;
        }

        /**
         * Runs every enabled property.
         *
         * @throws Failure naming the op, the property, the smallest failing case found and the first one
         */
        public void run() {
            if (gradients) sweep("gradients", (d, c) -> checkGradients(c));
            if (secondOrder) sweep("second-order gradients", (d, c) -> checkSecondOrder(c));
            if (gradients && forwardMode) sweep("forward-mode gradients", (d, c) -> checkForwardMode(c));
            sweep("reference", (d, c) -> {
                if (c.reference() != null) checkReference(c, d.dtype() == DType.FLOAT32 ? rtol32 : rtol64, d.dtype() == DType.FLOAT32 ? atol32 : atol64);
            });
            if (layout) sweep("layout", (d, c) -> checkLayout(c, d.rng(), d.dtype() == DType.FLOAT32 ? 1e-6 : 1e-13));
        }

        @FunctionalInterface
        private interface Property {
            void check(Draw draw, Case c);
        }

        private void sweep(String property, Property p) {
            boolean grad = property.contains("gradients");
            DType[] dtypes = grad ? new DType[] {DType.FLOAT64} : new DType[] {DType.FLOAT32, DType.FLOAT64};
            for (int i = 0; i < examples; i++) {
                for (DType dt : dtypes) {
                    long s = caseSeed(seed, i);
                    Throwable t = attempt(p, dt, grad, s, maxRank, maxDim);
                    if (t != null) throw shrunk(property, p, dt, grad, s, t);
                }
            }
        }

        private Throwable attempt(Property p, DType dt, boolean grad, long s, int rank, int dim) {
            Case c = null;
            try {
                Draw d = new Draw(new SplittableRandom(s), dt, grad, rank, dim);
                c = generator.make(d);
                p.check(d, c);
                return null;
            } catch (RuntimeException | AssertionError e) {
                return new CaseError(c == null ? "(the generator failed)" : c.description(), e);
            }
        }

        /** Searches budgets from the smallest up for a failing case, and reports it with the first failure. */
        private Failure shrunk(String property, Property p, DType dt, boolean grad, long firstSeed, Throwable first) {
            String smallest = null;
            search:
            for (int dim = 1; dim <= maxDim; dim++) {
                for (int rank = 0; rank <= maxRank; rank++) {
                    for (int k = 0; k < 50; k++) {
                        long s = caseSeed(firstSeed ^ (31L * dim + rank), 1000 + k);
                        Throwable t = attempt(p, dt, grad, s, rank, dim);
                        if (t != null) {
                            smallest = String.format("%s (size budget rank ≤ %d, dims ≤ %d; %s; reproduce with draw seed %d): %s", ((CaseError) t).description, rank,
                                    dim, dt, s, t.getCause().getMessage());
                            break search;
                        }
                    }
                }
            }
            String firstText = ((CaseError) first).description + " (" + dt + "; draw seed " + firstSeed + "): " + first.getCause().getMessage();
            String message = "op '" + name + "' fails its " + property + " check.\n  smallest failing case found: " + (smallest == null ? "none smaller" : smallest)
                    + "\n  first failing case: " + firstText;
            return new Failure(message, first.getCause());
        }

        private static long caseSeed(long seed, int i) {
            return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (i + 1)).nextLong();
        }
    }

    /** A property's failure on a described case. */
    private static final class CaseError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String description;

        CaseError(String description, Throwable cause) {
            super(description, cause);
            this.description = description;
        }
    }

    // ------------------------------------------------------------------ the properties, one case each

    /**
     * The gradient property on one case: {@link GradCheck} with the case's options.
     *
     * @param c the case (float64 inputs)
     * @throws GradCheck.GradCheckFailure when a gradient is wrong
     */
    public static void checkGradients(Case c) {
        GradCheck.check(c.gradOptions(), c.description(), c.op(), c.inputs());
    }

    /**
     * The second-order property on one case: {@link GradGradCheck} with the case's options.
     *
     * @param c the case (float64 inputs)
     * @throws GradCheck.GradCheckFailure when a second derivative is wrong
     */
    public static void checkSecondOrder(Case c) {
        GradGradCheck.check(c.gradOptions(), c.description(), c.op(), c.inputs());
    }

    /**
     * The forward-mode property on one case, in float64: the op on dual inputs (every floating-point input x paired
     * with a random direction v) returns the plain op's value and a tangent J·v that (1) equals the central difference
     * (f(x + εv) − f(x − εv)) / 2ε within the case's gradient tolerances, and (2) is the transpose of the backward rule:
     * ⟨u, J·v⟩ = Σᵢ⟨Jᵢᵀ·u, vᵢ⟩ for a random u, to 1e-10 of the terms' magnitude. An op without a JVP rule fails here.
     *
     * @param c the case (float64 inputs)
     * @throws AssertionError naming the property, the element and the values when the rule is wrong
     */
    public static void checkForwardMode(Case c) {
        SplittableRandom rng = new SplittableRandom(c.gradOptions().seed() ^ 0xF0A7D);
        Tensor[] x = new Tensor[c.inputs().length], dual = new Tensor[x.length], leaves = new Tensor[x.length], v = new Tensor[x.length];
        List<Tensor> wrt = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            Tensor in = c.inputs()[i];
            if (!in.dtype().isFloatingPoint()) {
                x[i] = dual[i] = leaves[i] = in;
                continue;
            }
            try (var _ = GradMode.noGrad()) {
                x[i] = in.detach().to(DType.FLOAT64).clone();
            }
            v[i] = direction(rng, x[i].shape());
            dual[i] = ForwardAD.dual(x[i], v[i]);
            leaves[i] = x[i].detach().requiresGrad(true);
            wrt.add(leaves[i]);
        }
        if (wrt.isEmpty()) throw new IllegalArgumentException("checkForwardMode: " + c.description() + " has no floating-point input");
        Tensor plain, y;
        try (var _ = GradMode.noGrad()) {
            plain = c.op().apply(x);
            y = c.op().apply(dual);
        }
        if (!Arrays.equals(plain.shape(), y.shape()) || !y.allClose(plain, 1e-12, 1e-12)) {
            throw new AssertionError(c.description() + ": the op on dual inputs gives the value " + y + ", on plain inputs " + plain);
        }
        double[] jv = y.tangent() == null ? new double[y.numel()] : y.tangent().toDoubleArray();
        // (1) J·v against central differences along v
        double eps = c.gradOptions().eps();
        double[] plus, minus;
        try (var _ = GradMode.noGrad()) {
            plus = c.op().apply(shifted(x, v, eps)).toDoubleArray();
            minus = c.op().apply(shifted(x, v, -eps)).toDoubleArray();
        }
        for (int k = 0; k < jv.length; k++) {
            double numerical = (plus[k] - minus[k]) / (2 * eps), err = Math.abs(numerical - jv[k]);
            if (!(err <= c.gradOptions().atol() + c.gradOptions().rtol() * Math.abs(numerical)) && !(Double.isNaN(numerical) && Double.isNaN(jv[k]))) {
                throw new AssertionError(c.description() + ": forward mode gives (J·v)[" + k + "] = " + jv[k] + ", finite differences " + numerical
                        + " (|diff| " + err + ")");
            }
        }
        // (2) the transpose identity against the backward rule
        Tensor u = direction(rng, y.shape());
        double[] ud = u.toDoubleArray();
        double lhs = 0, scale = 0;
        for (int k = 0; k < jv.length; k++) {
            if (Double.isNaN(jv[k])) continue;
            lhs += ud[k] * jv[k];
            scale += Math.abs(ud[k] * jv[k]);
        }
        double rhs = 0;
        Tensor out = c.op().apply(leaves);
        if (out.requiresGrad()) {
            List<Tensor> g = dev.descent.core.autograd.Autograd.grad(out, wrt, u, false);
            for (int j = 0, i = 0; i < x.length; i++) {
                if (v[i] == null) continue;
                double[] gd = g.get(j++).toDoubleArray(), vd = v[i].toDoubleArray();
                for (int e = 0; e < gd.length; e++) {
                    if (Double.isNaN(gd[e])) continue;
                    rhs += gd[e] * vd[e];
                    scale += Math.abs(gd[e] * vd[e]);
                }
            }
        }
        if (!(Math.abs(lhs - rhs) <= 1e-10 * scale + 1e-12)) {
            throw new AssertionError(c.description() + ": the transpose identity fails: ⟨u, J·v⟩ = " + lhs + " by forward mode, ⟨Jᵀ·u, v⟩ = " + rhs
                    + " by reverse mode");
        }
    }

    /**
     * A random float64 direction whose values are float32 numbers: a cast through float32 (to(FLOAT32) then back) then
     * rounds neither the tangent nor the gradient, so its transpose identity holds exactly, as every other op's does.
     */
    private static Tensor direction(SplittableRandom rng, int[] shape) {
        try (var _ = GradMode.noGrad()) {
            return Tensor.randn(DType.FLOAT64, rng, shape).to(DType.FLOAT32).to(DType.FLOAT64);
        }
    }

    private static Tensor[] shifted(Tensor[] x, Tensor[] v, double eps) {
        Tensor[] s = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) s[i] = v[i] == null ? x[i] : x[i].add(v[i].mul(eps));
        return s;
    }

    /**
     * The reference property on one case: same shape, and every element within atol + rtol·|want| (a float32 result
     * is compared with the reference rounded to float32; NaN matches NaN).
     *
     * @param c    the case, with a reference
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @throws AssertionError naming the element and both values
     */
    public static void checkReference(Case c, double rtol, double atol) {
        Tensor got, want;
        try (var _ = GradMode.noGrad()) {
            got = c.op().apply(c.inputs());
            want = c.reference().apply(c.inputs());
        }
        if (!Arrays.equals(got.shape(), want.shape())) {
            throw new AssertionError(c.description() + ": shape " + Shape.format(got.shape()) + ", the reference's " + Shape.format(want.shape()));
        }
        double[] g = got.toDoubleArray(), w = want.toDoubleArray();
        boolean f32 = got.dtype() == DType.FLOAT32;
        for (int i = 0; i < g.length; i++) {
            double e = f32 ? (float) w[i] : w[i];
            boolean ok = (Double.isNaN(g[i]) && Double.isNaN(e)) || g[i] == e || Math.abs(g[i] - e) <= atol + rtol * Math.abs(e);
            if (!ok) throw new AssertionError(c.description() + " " + got.dtype() + ": element " + i + " is " + g[i] + ", the reference says " + e);
        }
    }

    /**
     * The layout property on one case: the op on non-contiguous copies of the inputs equals the op on the inputs.
     *
     * @param c   the case
     * @param rng draws the layouts
     * @param tol relative and absolute tolerance
     * @throws AssertionError when they differ
     */
    public static void checkLayout(Case c, RandomGenerator rng, double tol) {
        Tensor[] strided = Arrays.stream(c.inputs()).map(t -> TensorGen.nonContiguous(rng, t)).toArray(Tensor[]::new);
        Tensor a, b;
        try (var _ = GradMode.noGrad()) {
            a = c.op().apply(c.inputs());
            b = c.op().apply(strided);
        }
        if (!Arrays.equals(a.shape(), b.shape()) || !a.allClose(b, tol, tol)) {
            throw new AssertionError(c.description() + ": contiguous inputs give " + a + ", strided ones " + b);
        }
    }
}
