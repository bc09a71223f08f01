package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Threads;
import java.util.List;
import java.util.Map;

/**
 * Adafactor (Shazeer &amp; Stern, ICML 2018), with the semantics and defaults of PyTorch's
 * {@code torch.optim.Adafactor} (its documented algorithm): second moments factored into row and column
 * statistics for tensors of two or more dimensions, a step relative to the parameter's scale, a decaying
 * β2, update clipping, no first moment.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     β2_t ← 1 − t^τ;   ρ_t ← min(lr, 1/sqrt(t));   α_t ← max(ε2, RMS(θ))·ρ_t
 *     θ ← θ·(1 − lr·λ)                                        (decoupled weight decay)
 *     if θ has ≥ 2 dimensions [..., m, n]:
 *         R ← R + (1 − β2_t)·(mean_j g² − R)                  ([..., m, 1]: row means of g²)
 *         C ← C + (1 − β2_t)·(mean_i g² − C)                  ([..., 1, n]: column means of g²)
 *         V ← R·C / max(mean_i R, ε1)                         (= (Σ_j g²)(Σ_i g²)/Σ g² of the paper, in means)
 *     else:
 *         V ← V + (1 − β2_t)·(g² − V)
 *     U ← g / max(sqrt(V), ε1)
 *     θ ← θ − α_t/max(1, RMS(U)/d) · U
 * </pre>
 *
 * RMS(x) = ‖x‖/sqrt(numel), taken per tensor (over its batch dimensions too, as PyTorch). Hyperparameters
 * (per group): {@code lr} (≥ 0, default 1e-2), {@code beta2_decay} τ (≤ 0, default −0.8), {@code eps1}
 * (≥ 0, or −1, the default, for PyTorch's {@code None}: the machine epsilon of the parameter's dtype,
 * 2^−23 for float32 and 2^−52 for float64), {@code eps2} (≥ 0, default 1e-3), {@code d} (≥ 1, default
 * 1), {@code weight_decay} λ (≥ 0, default 0). Buffers (PyTorch's names): {@code row_var} [..., m, 1] and
 * {@code col_var} [..., 1, n] for tensors of two or more dimensions, {@code variance} (the parameter's
 * shape) for the others; a parameter's unused buffers are empty. The row and column means are summed in
 * float64 (PyTorch squares a norm); a test checks the paper's sum form against them.
 */
public final class Adafactor extends Optimizer {

    /** The hyperparameters Adafactor accepts, with defaults and ranges, and its buffers: row_var, col_var, variance. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-2, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta2_decay", -0.8, new Hyperparameters.Range(Double.NEGATIVE_INFINITY, true, 0, false))
            .real("eps1", -1, new Hyperparameters.Range(-1, false, Double.POSITIVE_INFINITY, true))
            .real("eps2", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("d", 1, new Hyperparameters.Range(1, false, Double.POSITIVE_INFINITY, true))
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .check(g -> {
                double e = g.get("eps1");
                if (e < 0 && e != -1) throw new IllegalArgumentException("eps1 must be >= 0, or -1 for the dtype's machine epsilon, was " + e);
            })
            .buffer("row_var", g -> true, s -> s.length >= 2 ? withDim(s, s.length - 1, 1) : new int[] {0})
            .buffer("col_var", g -> true, s -> s.length >= 2 ? withDim(s, s.length - 2, 1) : new int[] {0})
            .buffer("variance", g -> true, s -> s.length >= 2 ? new int[] {0} : s)
            .build();

    private static int[] withDim(int[] shape, int dim, int size) {
        int[] out = shape.clone();
        out[dim] = size;
        return out;
    }

    /**
     * Adafactor over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adafactor(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adafactor whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adafactor(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Adafactor over one group of {@code params}, with the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Adafactor(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Adafactor over one group of {@code params} with learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate
     */
    public Adafactor(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            int[] shape = s.param().shape();
            boolean factored = shape.length >= 2;
            update(Flat.of(s.param()), Flat.read(s.grad()), shape, factored ? Flat.of(buffer(group, s.index(), "row_var")) : null,
                    factored ? Flat.of(buffer(group, s.index(), "col_var")) : null, factored ? null : Flat.of(buffer(group, s.index(), "variance")),
                    hp.get("lr"), hp.get("beta2_decay"), hp.get("eps1"), hp.get("eps2"), hp.get("d"), hp.get("weight_decay"), s.step());
        }
    }

    /**
     * The update rule on one tensor, in place; {@code row}/{@code col} for ≥ 2 dimensions, else {@code variance}.
     *
     * <p>Every sum runs in one fixed order whatever the thread count: a row's Σ_j g² along j, a column's Σ_i g² along i
     * (all of a block of columns at once, row by row, so the reads run along rows), Σ θ² and Σ u² over the tensor in
     * index order (in one loop); rows, column blocks and elements are split
     * over the kernel threads. So the same bits on any thread count.
     */
    static void update(Flat theta, Flat grad, int[] shape, Flat row, Flat col, Flat variance, double lr, double beta2Decay, double eps1, double eps2,
            double d, double weightDecay, long t) {
        int numel = theta.size();
        double e1 = eps1 == -1 ? (theta.dtype() == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1.0)) : eps1, floor = e1 * e1;
        double oneMinusBeta2 = Math.pow(t, beta2Decay);
        double rho = Math.min(lr, 1 / Math.sqrt(t));
        double[] u = new double[numel];
        if (row != null) {
            int m = shape[shape.length - 2], n = shape[shape.length - 1], batches = m * n == 0 ? 0 : numel / (m * n);
            // Row statistics: row r = b·m + i of the [batches·m, n] view, Σ_j g² along j.
            Threads.forRange(batches * m, Math.max(1, Elementwise.ELEMENTS_PER_TASK / Math.max(1, n)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    double sum = 0;
                    for (int j = 0, base = r * n; j < n; j++) {
                        double g = grad.get(base + j);
                        sum += g * g;
                    }
                    double old = row.get(r);
                    row.set(r, old + oneMinusBeta2 * (sum / n - old));
                }
            });
            // Column statistics: column c = b·n + j, Σ_i g² along i; a block of columns adds row after row.
            Threads.forRange(batches * n, Math.max(1, Elementwise.ELEMENTS_PER_TASK / Math.max(1, m)), (c0, c1) -> {
                double[] sums = new double[c1 - c0];
                for (int b = c0 / n; b * n < c1; b++) {
                    int j0 = Math.max(c0, b * n) - b * n, j1 = Math.min(c1, (b + 1) * n) - b * n, at = b * n + j0 - c0;
                    for (int i = 0; i < m; i++) {
                        int base = (b * m + i) * n;
                        for (int j = j0; j < j1; j++) {
                            double g = grad.get(base + j);
                            sums[at + j - j0] += g * g;
                        }
                    }
                }
                for (int c = c0; c < c1; c++) {
                    double old = col.get(c);
                    col.set(c, old + oneMinusBeta2 * (sums[c - c0] / m - old));
                }
            });
            double[] denominator = new double[batches];
            for (int b = 0; b < batches; b++) {
                double rowMean = 0;
                for (int i = 0; i < m; i++) rowMean += row.get(b * m + i);
                denominator[b] = Math.max(rowMean / m, e1);
            }
            Threads.forRange(batches * m, Math.max(1, Elementwise.ELEMENTS_PER_TASK / Math.max(1, n)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int b = r / m, base = r * n;
                    double ri = row.get(r), den = denominator[b];
                    for (int j = 0; j < n; j++) u[base + j] = ri * col.get(b * n + j) / den; // V, then U below (two plain loops run faster than one)
                    for (int j = 0; j < n; j++) u[base + j] = grad.get(base + j) / Math.sqrt(Math.max(u[base + j], floor));
                }
            });
        } else {
            Elementwise.forRange(numel, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double g = grad.get(i), old = variance.get(i);
                    variance.set(i, old + oneMinusBeta2 * (g * g - old));
                    u[i] = g / Math.sqrt(Math.max(variance.get(i), floor));
                }
            });
        }
        // Σ θ² (θ before the decay) and Σ u², each in index order, in one loop: two independent chains of additions,
        // which the core overlaps (each alone is bound by the latency of its additions).
        double thetaSq = 0, uu = 0;
        for (int i = 0; i < numel; i++) {
            double th = theta.get(i), x = u[i];
            thetaSq += th * th;
            uu += x * x;
        }
        double[] sums = {thetaSq, uu};
        double alpha = Math.max(eps2, Math.sqrt(sums[0]) / Math.sqrt(numel)) * rho;
        double step = alpha / Math.max(1, Math.sqrt(sums[1]) / (Math.sqrt(numel) * d));
        double keep = 1 - lr * weightDecay;
        Elementwise.forRange(numel, (from, to) -> {
            for (int i = from; i < to; i++) {
                if (weightDecay != 0) theta.set(i, theta.get(i) * keep);
                theta.set(i, theta.get(i) - step * u[i]);
            }
        });
    }
}
