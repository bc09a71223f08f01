package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shampoo (Gupta, Koren &amp; Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization", ICML 2018,
 * Algorithm 2): one preconditioner per dimension of each parameter tensor, built from the gradient's
 * matricisations, applied through inverse roots. For a matrix it is
 * {@code θ ← θ − lr·L^{-1/4}·G·R^{-1/4}} with {@code L = εI + Σ G·Gᵀ}, {@code R = εI + Σ Gᵀ·G}; for a
 * vector it is full-matrix AdaGrad, {@code θ ← θ − lr·(εI + Σ g·gᵀ)^{-1/2}·g}.
 *
 * <pre>
 * per parameter of k dimensions (sizes n_1 … n_k), step t (the parameter's count, from 1):
 *     g ← g + wd·θ                                    (L2 weight decay, off by default)
 *     for each dimension i:  H_i ← H_i + g_(i)·g_(i)ᵀ  (g_(i): g unfolded to [n_i, numel/n_i])
 *     if (t − 1) mod update_freq = 0:
 *         for each i:  P_i ← (H_i + εI)^{−1/(2k)}      (kept between recomputations)
 *     θ ← θ − lr·(g ×_1 P_1 ×_2 P_2 … ×_k P_k)        (×_i: multiply along dimension i)
 * </pre>
 *
 * <p><b>Why Shampoo and not SOAP.</b> Shampoo's update is one formula whose every term can be checked
 * against a loop; SOAP (Vyas et al. 2024) runs Adam in Shampoo's eigenbasis, with a basis refreshed every
 * N steps by QR power iteration, adding Adam's moments in a rotating basis and their projection rules to
 * the state: more to get subtly wrong for the same preconditioners. Shampoo is also the base SOAP builds on.
 *
 * <p><b>Linear algebra.</b> The inverse roots come from
 * {@code SymmetricMatrices} in this package: core's {@code Linalg.eigh} in float64,
 * {@code V·diag(λ^{−1/(2k)})·Vᵀ}. It costs O(n³) per dimension per recomputation; a dimension larger than
 * the constructor's {@code maxPreconditionerDim} (default 1024) is not preconditioned (its P is the
 * identity), as practical implementations bound it too; the exponent stays −1/(2k).
 *
 * <p><b>Precision and cost.</b> The per-step products — each g_(d)·g_(d)ᵀ and the multiplications by the roots —
 * run in the parameter's dtype through core's matmul (float32 parameters: the blocked, multi-threaded GEMM; the
 * first and last dimensions over views of g, a middle one over its unfolded copy). The statistics H_d accumulate
 * in float64, and the inverse roots are computed in float64 on these n_d × n_d matrices, then kept in the
 * parameter's dtype for the products until the next recomputation.
 *
 * <p><b>How often the roots are recomputed.</b> {@code update_freq} (≥ 1) is the number of steps between
 * recomputations; the statistics are updated every step. Its default is 1, the paper's Algorithm 2, which
 * computes the roots at every step, and the default of PyTorch's implementations of it (torch-optimizer's
 * {@code update_freq}, Meta's Distributed Shampoo's {@code precondition_frequency}). Anil et al. ("Scalable
 * Second Order Optimization for Deep Learning", 2020) compute them only every so many steps, since the roots
 * change slowly and cost O(n³); a larger value is a setting for the user, not a silent change of algorithm.
 * {@code descent train} and {@code descent bench optim} use 10.
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0, required: the paper prescribes none), {@code eps} ε
 * (&gt; 0, default 1e-4), {@code weight_decay} (≥ 0, 0), {@code update_freq} (≥ 1, 1). No momentum (the
 * paper's algorithm has none; combine with a schedule). State beyond the step counts: per parameter and
 * preconditioned dimension d, {@code shampoo.group.G.param.I.preconditioner.d} (Σ g_(d)·g_(d)ᵀ, without ε)
 * and {@code shampoo.group.G.param.I.inverse_root.d}, float64 {@code [n_d, n_d]}, saved and restored with
 * the rest.
 */
public final class Shampoo extends Optimizer {

    /** The hyperparameters Shampoo accepts, with defaults and ranges; its matrices are described above. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", Hyperparameters.Range.NON_NEGATIVE)
            .real("eps", 1e-4, Hyperparameters.Range.POSITIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .integer("update_freq", 1, 1)
            .build();

    /** Dimensions above this size are not preconditioned unless the constructor says otherwise. */
    public static final int DEFAULT_MAX_PRECONDITIONER_DIM = 1024;

    /** [group][param][dimension]: Σ g_(d)·g_(d)ᵀ and the current inverse root, row-major n×n; null when not preconditioned. */
    private final double[][][][] stats, roots;
    /** [group][param][dimension]: the inverse root in the parameter's dtype as the products use it; null until needed. */
    private final Tensor[][][] rootTensors;

    /**
     * Shampoo over {@code groups}, each of which must set {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Shampoo(List<ParamGroup> groups) {
        this(groups, Map.of(), DEFAULT_MAX_PRECONDITIONER_DIM);
    }

    /**
     * Shampoo whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Shampoo(List<ParamGroup> groups, double lr) {
        this(groups, Map.of("lr", lr), DEFAULT_MAX_PRECONDITIONER_DIM);
    }

    /**
     * Shampoo with a bound on the preconditioned dimensions.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     * @param maxPreconditionerDim dimensions larger than this are not preconditioned (≥ 1)
     */
    public Shampoo(List<ParamGroup> groups, double lr, int maxPreconditionerDim) {
        this(groups, Map.of("lr", lr), maxPreconditionerDim);
    }

    private Shampoo(List<ParamGroup> groups, Map<String, Object> defaults, int maxDim) {
        super(groups, SPEC, defaults);
        if (maxDim < 1) throw new IllegalArgumentException("maxPreconditionerDim must be >= 1, was " + maxDim);
        int ng = groups().size();
        stats = new double[ng][][][];
        roots = new double[ng][][][];
        rootTensors = new Tensor[ng][][];
        for (int g = 0; g < ng; g++) {
            List<Parameter> ps = group(g).parameters();
            stats[g] = new double[ps.size()][][];
            roots[g] = new double[ps.size()][][];
            rootTensors[g] = new Tensor[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                int[] shape = ps.get(i).shape();
                stats[g][i] = new double[shape.length][];
                roots[g][i] = new double[shape.length][];
                rootTensors[g][i] = new Tensor[shape.length];
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] > maxDim) continue;
                    stats[g][i][d] = new double[shape[d] * shape[d]];
                    roots[g][i][d] = new double[shape[d] * shape[d]];
                }
            }
        }
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double lr = hp.get("lr"), eps = hp.get("eps"), wd = hp.get("weight_decay");
        long freq = (long) hp.get("update_freq");
        // 1. The statistics of every parameter, with g (+ λθ) kept for step 3.
        Tensor[] gs = new Tensor[slots.size()];
        List<int[]> due = new ArrayList<>(); // (slot, dimension) whose root is recomputed this step
        for (int j = 0; j < slots.size(); j++) {
            Slot s = slots.get(j);
            Parameter param = s.param();
            int[] shape = param.shape();
            // Every product in the parameter's dtype (float32: core's GEMM); the statistics and roots stay float64.
            Tensor g = s.grad().to(param.dtype());
            g = wd != 0 ? g.add(param.mul(wd)) : g.contiguous();
            gs[j] = g;
            double[][] h = stats[group][s.index()];
            for (int d = 0; d < shape.length; d++) {
                if (h[d] == null) continue;
                Flat gram = Flat.of(gram(g, shape, d));
                double[] hd = h[d];
                for (int e = 0; e < hd.length; e++) hd[e] += gram.get(e);
                if ((s.step() - 1) % freq == 0) due.add(new int[] {j, d});
            }
        }
        // 2. The roots due, each on its own (independent float64 eigendecompositions, over the kernel threads).
        Threads.forRange(due.size(), 1, (from, to) -> {
            for (int q = from; q < to; q++) {
                Slot s = slots.get(due.get(q)[0]);
                int d = due.get(q)[1], k = s.param().dim(), n = s.param().shape()[d];
                double[] h = stats[group][s.index()][d], p = roots[group][s.index()][d];
                double[][] m = new double[n][n];
                for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) m[a][b] = h[a * n + b] + (a == b ? eps : 0);
                double[][] r = SymmetricMatrices.power(m, -1.0 / (2 * k));
                for (int a = 0; a < n; a++) System.arraycopy(r[a], 0, p, a * n, n);
                rootTensors[group][s.index()][d] = null;
            }
        });
        // 3. The preconditioned step.
        for (int j = 0; j < slots.size(); j++) {
            Slot s = slots.get(j);
            Parameter param = s.param();
            int[] shape = param.shape();
            double[][] p = roots[group][s.index()];
            Tensor[] applied = rootTensors[group][s.index()];
            Tensor x = gs[j];
            for (int d = 0; d < shape.length; d++) {
                if (p[d] == null) continue;
                if (applied[d] == null) applied[d] = Workspace.keep(Tensor.of(p[d], shape[d], shape[d]).to(param.dtype())); // lives across steps
                x = modeProduct(x, shape, d, applied[d]);
            }
            step(Flat.of(param), Flat.read(x), lr);
        }
    }

    /**
     * θ ← θ − lr·x, element by element (float32 arrays directly, the arithmetic in float64 as through {@link Flat}); a
     * float32 parameter's elements over the kernel threads (each element alone: the same bits on any thread count).
     */
    private static void step(Flat theta, Flat x, double lr) {
        float[] th = theta.floats(), xs = x.floats();
        if (th == null || xs == null) {
            for (int e = 0; e < theta.size(); e++) theta.set(e, theta.get(e) - lr * x.get(e));
            return;
        }
        int tho = theta.offset(), xo = x.offset();
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int e = from; e < to; e++) th[tho + e] = (float) (th[tho + e] - lr * xs[xo + e]);
        });
    }

    /** The product of the sizes of {@code shape[from, to)}. */
    private static int sizes(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    /**
     * g_(d)·g_(d)ᵀ for a contiguous g of {@code shape}: one matmul over a view when d is the first or the last
     * dimension, over the unfolded copy otherwise.
     */
    static Tensor gram(Tensor g, int[] shape, int d) {
        int n = shape[d], pre = sizes(shape, 0, d), post = sizes(shape, d + 1, shape.length);
        if (pre == 1) {
            Tensor u = g.reshape(n, post);
            return u.matmul(u.t());
        }
        if (post == 1) {
            Tensor u = g.reshape(pre, n);
            return u.t().matmul(u);
        }
        Tensor u = unfold(g, shape, d);
        return u.matmul(u.t());
    }

    /** g unfolded along dimension d: [n_d, numel/n_d], the other dimensions in order. */
    private static Tensor unfold(Tensor x, int[] shape, int d) {
        return x.permute(order(shape.length, d)).contiguous().reshape(shape[d], x.numel() / shape[d]);
    }

    /** d first, then the other dimensions in order. */
    private static int[] order(int k, int d) {
        int[] order = new int[k];
        order[0] = d;
        for (int i = 0, j = 1; i < k; i++) if (i != d) order[j++] = i;
        return order;
    }

    /**
     * x ×_d P for a contiguous x of {@code shape}: out[u, j, w] = Σ_l P[j][l]·x[u, l, w], contiguous. The first
     * dimension is P·x and the last x·Pᵀ, over views; a middle one goes through the unfolded copy.
     */
    static Tensor modeProduct(Tensor x, int[] shape, int d, Tensor p) {
        int k = shape.length, n = shape[d], pre = sizes(shape, 0, d), post = sizes(shape, d + 1, k);
        if (pre == 1) return p.matmul(x.reshape(n, post)).reshape(shape);
        if (post == 1) return x.reshape(pre, n).matmul(p.t()).reshape(shape);
        int[] order = order(k, d), inverse = new int[k], permuted = new int[k];
        for (int i = 0; i < k; i++) {
            inverse[order[i]] = i;
            permuted[i] = shape[order[i]];
        }
        return p.matmul(unfold(x, shape, d)).reshape(permuted).permute(inverse).contiguous();
    }

    /**
     * The state of {@link Optimizer#stateDict()} plus Shampoo's matrices ({@link #extraState()}).
     *
     * @return the state
     */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = super.stateDict();
        out.putAll(extraState());
        return out;
    }

    /**
     * Restores a state from {@link #stateDict()}, preconditioners included; every key and shape is checked
     * before anything changes.
     *
     * @param state the tensors
     */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> ours = new LinkedHashMap<>();
        for (var e : state.entrySet()) if (e.getKey().startsWith(PREFIX)) ours.put(e.getKey(), e.getValue());
        Runnable apply = checkExtraState(ours);
        super.loadStateDict(state); // checks every other key (and ours against stateDict()) before it changes anything
        apply.run();
    }

    private static final String PREFIX = "shampoo.";

    private static String key(int g, int i, String what, int d) {
        return PREFIX + "group." + g + ".param." + i + "." + what + "." + d;
    }

    /**
     * Shampoo's matrices, per preconditioned dimension d of parameter I of group G:
     * {@code shampoo.group.G.param.I.preconditioner.d} (Σ g_(d)·g_(d)ᵀ) and
     * {@code shampoo.group.G.param.I.inverse_root.d}, float64 {@code [n_d, n_d]} copies.
     *
     * @return the matrices by name
     */
    protected Map<String, Tensor> extraState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int g = 0; g < stats.length; g++) {
            for (int i = 0; i < stats[g].length; i++) {
                for (int d = 0; d < stats[g][i].length; d++) {
                    if (stats[g][i][d] == null) continue;
                    int n = (int) Math.round(Math.sqrt(stats[g][i][d].length));
                    out.put(key(g, i, "preconditioner", d), Tensor.of(stats[g][i][d], n, n));
                    out.put(key(g, i, "inverse_root", d), Tensor.of(roots[g][i][d], n, n));
                }
            }
        }
        return out;
    }

    /**
     * Checks Shampoo's matrices in a state being loaded (exactly the keys of {@link #extraState()}, float64,
     * the right sizes) and returns what installs them; changes nothing itself.
     *
     * @param extra the entries of the state outside the base optimizer's keys
     * @return the action that copies them in
     * @throws IllegalArgumentException naming a missing, unexpected or mismatched matrix
     */
    protected Runnable checkExtraState(Map<String, Tensor> extra) {
        Map<String, Tensor> want = extraState();
        java.util.TreeSet<String> missing = new java.util.TreeSet<>(want.keySet()), unexpected = new java.util.TreeSet<>(extra.keySet());
        missing.removeAll(extra.keySet());
        unexpected.removeAll(want.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("Shampoo state does not match: missing keys " + missing + ", unexpected keys " + unexpected);
        }
        for (var e : want.entrySet()) {
            Tensor got = extra.get(e.getKey());
            if (got.dtype() != e.getValue().dtype() || !java.util.Arrays.equals(got.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("Shampoo state '" + e.getKey() + "': expected " + e.getValue().dtype() + " "
                        + java.util.Arrays.toString(e.getValue().shape()) + ", found " + got.dtype() + " " + java.util.Arrays.toString(got.shape()));
            }
        }
        return () -> {
            for (int g = 0; g < stats.length; g++) {
                for (int i = 0; i < stats[g].length; i++) {
                    for (int d = 0; d < stats[g][i].length; d++) {
                        if (stats[g][i][d] == null) continue;
                        System.arraycopy(extra.get(key(g, i, "preconditioner", d)).toDoubleArray(), 0, stats[g][i][d], 0, stats[g][i][d].length);
                        System.arraycopy(extra.get(key(g, i, "inverse_root", d)).toDoubleArray(), 0, roots[g][i][d], 0, roots[g][i][d].length);
                        rootTensors[g][i][d] = null;
                    }
                }
            }
        };
    }
}
