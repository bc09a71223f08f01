package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Keller Jordan et al., 2024, the reference
 * implementation {@code muon.py}): SGD with Nesterov momentum whose update, a matrix, is replaced by
 * the nearest semi-orthogonal matrix (approximately: U·Vᵀ of its SVD U·S·Vᵀ), computed by five steps of
 * a quintic Newton–Schulz iteration. Parameters that are not matrices, and by its authors' advice the
 * embedding and the output layer, go in groups with {@code use_muon = false}, which run AdamW.
 *
 * <pre>
 * a Muon group (use_muon = true), per parameter, viewed as a matrix [rows, cols] = [shape[0], the rest]
 * (a conv weight [out, in, kh, kw] is [out, in·kh·kw]):
 *     b ← b + (1 − μ)·(g − b)                        (momentum, PyTorch's lerp)
 *     u ← g + μ·(b − g) if nesterov, else b
 *     O ← NewtonSchulz(u)
 *     θ ← θ·(1 − lr·λ) − lr·sqrt(max(1, rows/cols))·O
 * NewtonSchulz(G), with (a, b, c) = (3.4445, −4.7750, 2.0315):
 *     X ← G (transposed if rows &gt; cols, so that X·Xᵀ is the smaller Gram matrix)
 *     X ← X/(‖X‖_F + ns_eps)
 *     ns_steps times:  A ← X·Xᵀ;  B ← b·A + c·A·A;  X ← a·X + B·X
 *     (transposed back)
 * an AdamW group (use_muon = false): AdamW's rule exactly (PyTorch's ε placement, decoupled λ)
 * </pre>
 *
 * The iteration's coefficients push every singular value of X towards the band the authors report,
 * roughly [0.7, 1.2], rather than to exactly 1: fast, and as good for training.
 *
 * <p><b>Precision.</b> The iteration runs in the parameter's dtype, every product through core's matmul: float32
 * parameters in float32 (the blocked, multi-threaded GEMM, the same bits on any thread count), float64 parameters
 * in float64. The reference runs it in bfloat16 (8 bits of mantissa against float32's 24), so float32 is the more
 * accurate of the two; float32 and float64 results agree to float32 rounding (MuonTest holds them together; the Gram
 * form below, used for large float32 matrices, is less accurate than float32 rounding on ill-conditioned inputs). The
 * momentum is computed per element in float64 and rounded once into the buffer; the update u (transposed when the
 * matrix is tall, so that X·Xᵀ is the smaller Gram matrix) is rounded to float32 once, into a scratch array the
 * optimizer keeps from step to step; θ's update is computed in float64 and rounded once. The scale uses the flattened
 * matrix's rows/cols (the reference's four-dimensional case reads the kernel's last two sizes instead).
 *
 * <p><b>Gram form.</b> A large float32 matrix, wide [m, n] after the transpose with n ≥ 4m and m²n ≥ 2²², runs the
 * same five steps on the m×m side: every iterate is X_k = P_k·X₀, so with A₀ = X₀·X₀ᵀ, A ← P·A₀·Pᵀ,
 * B ← b·A + c·A·A, P ← a·P + B·P and at the end X ← P·X₀ (the same function in exact arithmetic). On SimpleCNN's
 * 128×4096 dense layer that is about 0.35 GFLOP instead of 1.36, and the Newton–Schulz part of the step 5.0–5.2 ms
 * instead of 23–24 on one thread (the whole Muon step over SimpleCNN 7.1–7.6 ms instead of 22–25, minimum of 20,
 * load 2). It is less accurate: A₀'s float32 rounding is amplified by the later steps on ill-conditioned or low-rank
 * inputs. Against the float64 iteration, the largest error relative to the output's largest element measured 8.3e-4
 * on 128×4096 (rank 4 plus noise; 3e-6 on Gaussian input) against the float32 X form's 6.9e-5, and up to 1.6e-3 on
 * smaller shapes, all inside bfloat16's ε (3.9e-3), the reference's precision, and far below the reference's own
 * bfloat16 iteration simulated on the same inputs (4.5e-2 on Gaussian input, 0.2–1.8 on the others;
 * MuonGramFormTest). The rule keeps the X form where it is cheap; float64 parameters always take the X form.
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0, default 0.02, the reference's; AdamW groups usually
 * set about 3e-4), {@code weight_decay} λ (≥ 0, default 0, decoupled in both kinds of group),
 * {@code use_muon} (default true); Muon's {@code momentum} μ (in [0, 1), 0.95), {@code nesterov} (true),
 * {@code ns_steps} (≥ 1, 5), {@code ns_eps} (≥ 0, 1e-7); AdamW's {@code beta1} (0.9), {@code beta2} (0.95)
 * and {@code eps} (1e-10), the reference's {@code MuonWithAuxAdam} defaults. Buffers:
 * {@code momentum_buffer} in Muon groups; {@code exp_avg}, {@code exp_avg_sq} in AdamW groups.
 * A parameter with fewer than two dimensions in a Muon group is refused, naming it and its group.
 */
public final class Muon extends Optimizer {

    /** The Newton–Schulz coefficients of the reference. */
    static final double A = 3.4445, B = -4.7750, C = 2.0315;

    /** The hyperparameters Muon accepts, with defaults and ranges, and its buffers. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 0.02, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("use_muon", true)
            .real("momentum", 0.95, Hyperparameters.Range.UNIT_OPEN)
            .flag("nesterov", true)
            .integer("ns_steps", 5, 1)
            .real("ns_eps", 1e-7, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.95, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-10, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("momentum_buffer", g -> g.flag("use_muon"))
            .buffer("exp_avg", g -> !g.flag("use_muon"))
            .buffer("exp_avg_sq", g -> !g.flag("use_muon"))
            .build();

    /**
     * Muon over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters; matrices (and conv weights) in groups
     *     with {@code use_muon} true, everything else in groups with it false
     * @throws IllegalArgumentException for a bad value, or a parameter of fewer than two dimensions in a Muon group
     */
    public Muon(List<ParamGroup> groups) {
        super(groups, SPEC);
        checkShapes();
    }

    /**
     * Muon whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     * @throws IllegalArgumentException for a bad value, or a parameter of fewer than two dimensions in a Muon group
     */
    public Muon(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
        checkShapes();
    }

    private void checkShapes() {
        for (int g = 0; g < groups().size(); g++) {
            if (!group(g).flag("use_muon")) continue;
            for (Parameter p : group(g).parameters()) checkMatrix(p, g);
        }
    }

    private static void checkMatrix(Parameter p, int g) {
        if (p.dim() < 2) {
            throw new IllegalArgumentException("Muon orthogonalises matrices, but parameter " + describe(p) + " in group " + g + " has " + p.dim()
                    + " dimension(s): put it in a group with use_muon = false (the AdamW fallback), as biases, norms, embeddings and the output layer");
        }
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        if (!hp.flag("use_muon")) {
            for (Slot s : slots) {
                AdamFamily.update(new AdamFamily.Operands(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                        Flat.of(buffer(group, s.index(), "exp_avg_sq")), null), AdamFamily.Step.of(hp, AdamFamily.Decay.DECOUPLED, false, 1, s.step()));
            }
            return;
        }
        double lr = hp.get("lr"), wd = hp.get("weight_decay"), mu = hp.get("momentum"), nsEps = hp.get("ns_eps");
        boolean nesterov = hp.flag("nesterov");
        int nsSteps = (int) hp.get("ns_steps");
        for (Slot s : slots) {
            checkMatrix(s.param(), group);
            Flat theta = Flat.of(s.param()), grad = Flat.read(s.grad()), buf = Flat.of(buffer(group, s.index(), "momentum_buffer"));
            int n = theta.size(), rows = s.param().shape()[0], cols = n / rows;
            double step = lr * Math.sqrt(Math.max(1, (double) rows / cols)), keep = 1 - lr * wd;
            if (theta.floats() != null && grad.floats() != null && buf.floats() != null) {
                updateFloat(theta, grad, buf, rows, cols, mu, nesterov, nsSteps, nsEps, keep, step);
                continue;
            }
            double[] u = new double[n];
            for (int i = 0; i < n; i++) {
                double g = grad.get(i), b = buf.get(i);
                b = b + (1 - mu) * (g - b);
                buf.set(i, b);
                u[i] = nesterov ? g + mu * (b - g) : b;
            }
            double[] o = newtonSchulz(u, rows, cols, nsSteps, nsEps);
            for (int i = 0; i < n; i++) theta.set(i, theta.get(i) * keep - step * o[i]);
        }
    }

    /**
     * The Muon rule on a float32 matrix: the momentum in float64 per element, rounded once into the buffer; the
     * update u rounded to float32, already transposed when the matrix is tall; Newton–Schulz in float32.
     */
    private void updateFloat(Flat theta, Flat grad, Flat buf, int rows, int cols, double mu, boolean nesterov, int nsSteps, double nsEps,
            double keep, double step) {
        int n = rows * cols;
        float[] th = theta.floats(), gr = grad.floats(), bf = buf.floats(), u = scratch(n);
        int tho = theta.offset(), gro = grad.offset(), bo = buf.offset();
        boolean tall = rows > cols;
        // Element by element, so the threads' ranges give the same bits on any thread count.
        // A tall matrix goes in transposed: X = uᵀ, [cols, rows]; the wide one's loop has plain indices, so the JIT
        // vectorises it (the same arithmetic per element either way).
        if (tall) {
            // The transposing write in tiles of TILE rows, column by column: u's writes run along its rows and the
            // tile's cache lines of the gradient and the buffer stay in L1 across the columns (a plain loop over i
            // writes with a stride of rows floats and misses on every element).
            Threads.forRange(rows, Math.max(1, ELEMENTS_PER_TASK / cols), (r0, r1) -> {
                for (int rb = r0; rb < r1; rb += TILE) {
                    int re = Math.min(r1, rb + TILE);
                    for (int j = 0; j < cols; j++) {
                        for (int r = rb; r < re; r++) {
                            int i = r * cols + j;
                            double g = gr[gro + i], b = bf[bo + i];
                            b = b + (1 - mu) * (g - b);
                            bf[bo + i] = (float) b;
                            u[j * rows + r] = (float) (nesterov ? g + mu * (b - g) : b);
                        }
                    }
                }
            });
        } else Elementwise.forRange(n, (from, to) -> {
            int start = Elementwise.VECTOR ? momentumVector(gr, gro, bf, bo, u, mu, nesterov, from, to) : from;
            if (nesterov) {
                for (int i = start; i < to; i++) {
                    double g = gr[gro + i], b = bf[bo + i];
                    b = b + (1 - mu) * (g - b);
                    bf[bo + i] = (float) b;
                    u[i] = (float) (g + mu * (b - g));
                }
            } else {
                for (int i = start; i < to; i++) {
                    double g = gr[gro + i], b = bf[bo + i];
                    b = b + (1 - mu) * (g - b);
                    bf[bo + i] = (float) b;
                    u[i] = (float) b;
                }
            }
        });
        Tensor x = Tensor.wrap(Storage.of(u), 0, tall ? new int[] {cols, rows} : new int[] {rows, cols},
                tall ? new int[] {rows, 1} : new int[] {cols, 1});
        Tensor o = gramForm(x.shape()[0], x.shape()[1]) ? orthogonaliseGram(x, nsSteps, nsEps) : orthogonalise(x, nsSteps, nsEps);
        float[] oa = o.storage().floats();
        int oo = o.storageOffset();
        if (tall) {
            Threads.forRange(rows, Math.max(1, ELEMENTS_PER_TASK / cols), (r0, r1) -> {
                for (int rb = r0; rb < r1; rb += TILE) {
                    int re = Math.min(r1, rb + TILE);
                    for (int j = 0; j < cols; j++) {
                        for (int r = rb; r < re; r++) th[tho + r * cols + j] = (float) (th[tho + r * cols + j] * keep - step * oa[oo + j * rows + r]);
                    }
                }
            });
        } else {
            Elementwise.forRange(n, (from, to) -> {
                int start = Elementwise.VECTOR ? applyVector(th, tho, oa, oo, keep, step, from, to) : from;
                for (int i = start; i < to; i++) th[tho + i] = (float) (th[tho + i] * keep - step * oa[oo + i]);
            });
        }
    }

    /**
     * The wide matrix's momentum loop for indices [from, to) in steps of four, each float32 element widened to a float64
     * lane: b ← b + (1 − μ)·(g − b) stored rounded, u ← g + μ·(b − g) (from the unrounded b) or b, rounded; the scalar
     * loop's operations in its order, no fused multiply-add, so its bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    private static int momentumVector(float[] gr, int gro, float[] bf, int bo, float[] u, double mu, boolean nesterov, int from, int to) {
        double oneMinusMu = 1 - mu;
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector g = (DoubleVector) FloatVector.fromArray(F4, gr, gro + i).castShape(D4, 0);
            DoubleVector b = (DoubleVector) FloatVector.fromArray(F4, bf, bo + i).castShape(D4, 0);
            b = b.add(g.sub(b).mul(oneMinusMu));
            ((FloatVector) b.castShape(F4, 0)).intoArray(bf, bo + i);
            ((FloatVector) (nesterov ? g.add(b.sub(g).mul(mu)) : b).castShape(F4, 0)).intoArray(u, i);
        }
        return i;
    }

    /**
     * The wide matrix's update θ ← θ·(1 − lr·λ) − step·O for indices [from, to) in steps of four, in float64 lanes: the
     * scalar loop's operations, so its bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    private static int applyVector(float[] th, int tho, float[] oa, int oo, double keep, double step, int from, int to) {
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector t = ((DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0)).mul(keep);
            DoubleVector o = (DoubleVector) FloatVector.fromArray(F4, oa, oo + i).castShape(D4, 0);
            ((FloatVector) t.sub(o.mul(step)).castShape(F4, 0)).intoArray(th, tho + i);
        }
        return i;
    }

    private static final VectorSpecies<Float> F4 = Elementwise.F4;
    private static final VectorSpecies<Double> D4 = Elementwise.D4;

    /** Elements per task of the per-element loops around Newton–Schulz. */
    private static final int ELEMENTS_PER_TASK = Elementwise.ELEMENTS_PER_TASK;

    /** Rows per tile of a tall matrix's transposing loops. */
    private static final int TILE = 64;

    /** The update u of a float32 matrix, kept from step to step and parameter to parameter (not state: rewritten each use). */
    private float[] scratch = new float[0];

    /** {@link #scratch}, grown to at least {@code n} elements. */
    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[n];
        return scratch;
    }

    /**
     * The quintic Newton–Schulz iteration on a row-major {@code rows × cols} matrix.
     *
     * @param g the matrix (not changed)
     * @param rows its rows
     * @param cols its columns
     * @param steps iterations (the reference: 5)
     * @param eps added to the Frobenius norm before dividing (the reference: 1e-7)
     * @return the approximately semi-orthogonal matrix, row-major {@code rows × cols}
     */
    static double[] newtonSchulz(double[] g, int rows, int cols, int steps, double eps) {
        boolean transpose = rows > cols;
        Tensor x = Tensor.of(g, rows, cols);
        if (transpose) x = x.t().contiguous();
        return (transpose ? orthogonalise(x, steps, eps).t() : orthogonalise(x, steps, eps)).contiguous().toDoubleArray();
    }

    /**
     * The quintic Newton–Schulz iteration on a contiguous wide (or square) matrix X [m, n], m ≤ n, in X's dtype:
     * X/(‖X‖_F + eps), then {@code steps} times A ← X·Xᵀ, B ← b·A + c·A·A, X ← a·X + B·X, every product through
     * core's matmul (float32: the blocked, multi-threaded GEMM; the same bits on any thread count). The Frobenius
     * norm is summed in float64 in index order.
     *
     * @param x the matrix (not changed), float32 or float64
     * @param steps iterations
     * @param eps added to the norm
     * @return the contiguous result, [m, n]
     */
    static Tensor orthogonalise(Tensor x, int steps, double eps) {
        Flat f = Flat.of(x);
        double norm = Math.sqrt(f.sumOfSquares()) + eps;
        x = x.div(norm);
        for (int step = 0; step < steps; step++) {
            Tensor a = gram(x);
            Tensor b = a.mul(B).add(a.matmul(a).mul(C));
            x = x.mul(A).add(b.matmul(x));
        }
        return x;
    }

    /**
     * Whether a float32 wide matrix [m, n] (m ≤ n) is orthogonalised in Gram form ({@link #orthogonaliseGram}): when
     * n ≥ 4m and m²n ≥ 2²² (four million multiply-adds per m²n product: the X form's five steps take over a millisecond).
     * The Gram form takes 2m²n + 20m³ multiply-adds against the X form's 10m²n + 5m³ (equal at n ≈ 2m, 1.6 times fewer
     * at n = 4m, 3.9 times fewer at SimpleCNN's 128×4096), but it is less accurate: A₀'s float32 rounding is amplified
     * by the later steps on ill-conditioned and low-rank inputs (MuonGramFormTest: up to 8.3e-4 relative on 128×4096
     * and 1.6e-3 on small shapes, against the float32 X form's 7e-5; bfloat16's ε, the reference's precision, is 3.9e-3).
     * So it is used only where it saves real time; small matrices, where the X form costs little, keep the X form.
     */
    static boolean gramForm(int m, int n) {
        return n >= 4L * m && (long) m * m * n >= 1L << 22;
    }

    /**
     * The same quintic Newton–Schulz iteration as {@link #orthogonalise} in Gram form, for a contiguous wide float32
     * matrix X₀ [m, n], m ≤ n: every iterate is X_k = P_k·X₀ with P_k an m×m matrix, so the iteration runs on
     * m×m matrices. With A₀ = X₀·X₀ᵀ (X₀ normalised as in {@link #orthogonalise}) and P₀ = I:
     * {@code steps} times A ← P·A₀·Pᵀ (= X_k·X_kᵀ), B ← b·A + c·A·A, P ← a·P + B·P; then X ← P·X₀. The same
     * function in exact arithmetic, at one m²n product for A₀, small m×m products, and one m²n product at the end
     * (on SimpleCNN's 128×4096 layer about 0.35 GFLOP against the X form's 1.36); the rounding differs (A₀'s float32
     * rounding is carried through the steps instead of A being recomputed from X; MuonGramFormTest measures both
     * forms against the float64 X-form loop). Every product through core's matmul in float32. X₀ itself is not
     * formed while the norm N (‖X‖_F + eps) lies in (1e-10, 1e15): A₀ = (X·Xᵀ)/N² and X ← (P/N)·X, with no pass over
     * the large matrix; outside that range X is divided by N first, as in the X form.
     *
     * @param x the matrix (not changed), float32, m ≤ n
     * @param steps iterations
     * @param eps added to the norm
     * @return the contiguous result, [m, n]
     */
    static Tensor orthogonaliseGram(Tensor x, int steps, double eps) {
        // ‖x‖² is the trace of x·xᵀ, which the iteration needs anyway: no separate pass over the large matrix (its
        // float32 diagonal sums are ~1e-7 relative from a float64 sum: the normalisation only has to bound the
        // spectral norm by about 1). X₀ = x/norm is not formed either: 1/norm goes into A₀ and into P at the end, while
        // x·xᵀ is safely inside float32's range (norm² far from overflow, far above the smallest normal over ε);
        // outside that range, or when the trace is not finite, x is divided first and the Gram matrix recomputed.
        Tensor g = gram(x);
        double norm = Math.sqrt(trace(g)) + eps;
        boolean fold = norm > 1e-10 && norm < 1e15;
        if (!fold) {
            norm = Math.sqrt(Flat.of(x).sumOfSquares()) + eps;
            x = x.div(norm);
        }
        Tensor a0 = fold ? g.div(norm * norm) : gram(x), p = null;
        for (int step = 0; step < steps; step++) {
            Tensor a = p == null ? a0 : p.matmul(a0).matmul(p.t());
            Tensor b = a.mul(B).add(a.matmul(a).mul(C));
            p = p == null ? b.add(Tensor.eye(a0.shape()[0], x.dtype()).mul(A)) : p.mul(A).add(b.matmul(p));
        }
        if (p == null) return fold ? x.div(norm) : x;
        return (fold ? p.div(norm) : p).matmul(x);
    }

    /**
     * X·Xᵀ of a contiguous [m, n] matrix: one product. A float32 X is multiplied by a contiguous copy of Xᵀ
     * ({@link #transposed}) rather than by the transposed view: core's GEMM packs B by copying it, so the values packed
     * and every sum are the same (the same bits, checked on 1 and 2 threads at 512 and 256 bits), but packing the view
     * reads it at a stride of n floats (the 128×4096 Gram product: 1.67 ms on 1 thread against 0.87 ms from a
     * contiguous B, and the copy ~0.2 ms). Its symmetry is not used: computing only the lower triangle in strips of 32
     * rows ([32, n]·[n, 32·(i+1)], 5/8 of the work at m = 128) measured no faster than the one product with core's GEMM
     * (128×4096: best 3.0 against 2.1 ms; each strip packs its operand again, and 32-row products run below the
     * kernel's best rate).
     */
    static Tensor gram(Tensor x) {
        if (x.dtype() == DType.FLOAT32 && x.dim() == 2 && x.isContiguous()) return x.matmul(transposed(x));
        return x.matmul(x.t());
    }

    /**
     * A contiguous copy of the transpose of a contiguous float32 matrix [m, n]: blocks of 16 columns (a cache line of
     * each row) over the kernel threads, written as 16 runs along the copy's rows.
     */
    static Tensor transposed(Tensor x) {
        int m = x.shape()[0], n = x.shape()[1], ao = x.storageOffset();
        float[] a = x.storage().floats(), t = new float[m * n];
        Threads.forRange(n, Math.max(1, ELEMENTS_PER_TASK / Math.max(1, m)), (j0, j1) -> {
            for (int jb = j0; jb < j1; jb += 16) {
                int je = Math.min(j1, jb + 16);
                for (int i = 0; i < m; i++) {
                    int src = ao + i * n;
                    for (int j = jb; j < je; j++) t[j * m + i] = a[src + j];
                }
            }
        });
        return Tensor.wrap(Storage.of(t), 0, new int[] {n, m}, new int[] {m, 1});
    }

    /** The trace of a square matrix, summed in float64 along the diagonal (NaN or ∞ when an entry is). */
    private static double trace(Tensor a) {
        Tensor c = a.contiguous();
        int m = c.shape()[0], off = c.storageOffset();
        Storage st = c.storage();
        double t = 0;
        for (int i = 0; i < m; i++) t += st.getDouble(off + i * (m + 1));
        return Double.isFinite(t) ? t : Double.NaN;
    }
}
