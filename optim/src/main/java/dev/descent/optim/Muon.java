package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.Map;

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
 * roughly [0.7, 1.2], rather than to exactly 1: fast, and as good for training. The reference runs it in
 * bfloat16; here everything is float64, rounded once into the parameter. The scale uses the flattened
 * matrix's rows/cols (the reference's four-dimensional case reads the kernel's last two sizes instead).
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
            double[] u = new double[n];
            for (int i = 0; i < n; i++) {
                double g = grad.get(i), b = buf.get(i);
                b = b + (1 - mu) * (g - b);
                buf.set(i, b);
                u[i] = nesterov ? g + mu * (b - g) : b;
            }
            double[] o = newtonSchulz(u, rows, cols, nsSteps, nsEps);
            double step = lr * Math.sqrt(Math.max(1, (double) rows / cols)), keep = 1 - lr * wd;
            for (int i = 0; i < n; i++) theta.set(i, theta.get(i) * keep - step * o[i]);
        }
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
        double norm = 0;
        for (double v : g) norm += v * v;
        norm = Math.sqrt(norm) + eps;
        // Core's float64 matmul (blocked, vectorised, fixed chunking: the same bits on every run).
        Tensor x = Tensor.of(g, rows, cols).div(norm);
        if (transpose) x = x.t().contiguous();
        for (int step = 0; step < steps; step++) {
            Tensor a = x.matmul(x.t());
            Tensor b = a.mul(B).add(a.matmul(a).mul(C));
            x = x.mul(A).add(b.matmul(x));
        }
        return (transpose ? x.t() : x).contiguous().toDoubleArray();
    }
}
