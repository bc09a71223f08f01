package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
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

    /** The update rule on one tensor, in place; {@code row}/{@code col} for ≥ 2 dimensions, else {@code variance}. */
    static void update(Flat theta, Flat grad, int[] shape, Flat row, Flat col, Flat variance, double lr, double beta2Decay, double eps1, double eps2,
            double d, double weightDecay, long t) {
        int numel = theta.size();
        if (eps1 == -1) eps1 = theta.dtype() == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1.0);
        double oneMinusBeta2 = Math.pow(t, beta2Decay);
        double rho = Math.min(lr, 1 / Math.sqrt(t));
        double alpha = Math.max(eps2, Math.sqrt(theta.sumOfSquares()) / Math.sqrt(numel)) * rho;
        if (weightDecay != 0) {
            double keep = 1 - lr * weightDecay;
            for (int i = 0; i < numel; i++) theta.set(i, theta.get(i) * keep);
        }
        double[] v = new double[numel];
        if (row != null) {
            int m = shape[shape.length - 2], n = shape[shape.length - 1], batches = m * n == 0 ? 0 : numel / (m * n);
            for (int b = 0; b < batches; b++) {
                int base = b * m * n;
                for (int i = 0; i < m; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        double g = grad.get(base + i * n + j);
                        s += g * g;
                    }
                    double r = row.get(b * m + i);
                    row.set(b * m + i, r + oneMinusBeta2 * (s / n - r));
                }
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int i = 0; i < m; i++) {
                        double g = grad.get(base + i * n + j);
                        s += g * g;
                    }
                    double c = col.get(b * n + j);
                    col.set(b * n + j, c + oneMinusBeta2 * (s / m - c));
                }
                double rowMean = 0;
                for (int i = 0; i < m; i++) rowMean += row.get(b * m + i);
                double denominator = Math.max(rowMean / m, eps1);
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) v[base + i * n + j] = row.get(b * m + i) * col.get(b * n + j) / denominator;
            }
        } else {
            for (int i = 0; i < numel; i++) {
                double g = grad.get(i), old = variance.get(i);
                variance.set(i, old + oneMinusBeta2 * (g * g - old));
                v[i] = variance.get(i);
            }
        }
        double uu = 0;
        for (int i = 0; i < numel; i++) {
            double u = grad.get(i) / Math.sqrt(Math.max(v[i], eps1 * eps1));
            v[i] = u;
            uu += u * u;
        }
        double step = alpha / Math.max(1, Math.sqrt(uu) / (Math.sqrt(numel) * d));
        for (int i = 0; i < numel; i++) theta.set(i, theta.get(i) - step * v[i]);
    }
}
