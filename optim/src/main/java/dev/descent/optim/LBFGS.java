package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Limited-memory BFGS (Liu &amp; Nocedal 1989; Nocedal &amp; Wright, <i>Numerical Optimization</i>,
 * Algorithm 7.4 for the two-loop recursion and §3.5 for the strong-Wolfe line search), with the
 * semantics and defaults of PyTorch's {@code torch.optim.LBFGS}. It needs the closure: each
 * {@link #step(Supplier)} evaluates the loss and gradient several times. One parameter group, as in
 * PyTorch; its tensors are one vector θ.
 *
 * <pre>
 * step(closure):
 *     f, g ← closure()                                      (counts one evaluation)
 *     if max|g| ≤ tolerance_grad: return f
 *     repeat up to max_iter times (k counts iterations over all steps):
 *         if k = 1:  d ← −g; history ← ∅; γ ← 1
 *         else:      y ← g − g_prev; s ← t·d
 *                    if yᵀs &gt; 1e-10: push (s, y, ρ = 1/yᵀs), dropping the oldest beyond history_size; γ ← yᵀs/yᵀy
 *                    d ← −H·g by the two-loop recursion with H₀ = γI
 *         g_prev ← g;  f_prev ← f
 *         t ← lr·min(1, 1/Σ|g|) if k = 1, else lr
 *         if gᵀd &gt; −tolerance_change: stop
 *         line search none:          θ ← θ + t·d; f, g ← closure() (not on the last iteration)
 *         line search strong_wolfe:  t, f, g ← strong-Wolfe search from t along d (c1 = 1e-4, c2 = 0.9, ≤ 25
 *                                    evaluations, cubic interpolation); θ ← θ + t·d
 *         stop when: max_iter iterations this step, ≥ max_eval evaluations this step, max|g| ≤ tolerance_grad,
 *                    max|t·d| ≤ tolerance_change, or |f − f_prev| &lt; tolerance_change
 *     return the first f
 * </pre>
 *
 * Hyperparameters: {@code lr} (≥ 0, default 1), {@code max_iter} (≥ 1, default 20), {@code max_eval}
 * (≥ 0; 0, the default, means PyTorch's {@code None}: max_iter·5/4 rounded down), {@code tolerance_grad}
 * (≥ 0, default 1e-7), {@code tolerance_change} (≥ 0, default 1e-9), {@code history_size} (≥ 1,
 * default 100), {@code line_search_fn} ({@link LineSearch#NONE} or {@link LineSearch#STRONG_WOLFE},
 * default none). There is no weight decay (PyTorch has none).
 *
 * <p>Differences from PyTorch: the direction, the history and every dot product are float64 whatever
 * the parameters' dtype (PyTorch keeps them in the parameters' dtype), and θ + t·d is rounded once into
 * float32 parameters. Gradient transforms do not run (the closure's gradients are used as they are), so
 * {@link #addGradientTransform} is refused. The history (d, t, the (s, y, ρ) pairs, γ, g_prev, f_prev and
 * the iteration and evaluation counts) is saved with the state under {@code lbfgs.*}; the base's step
 * counts ({@link #groupStep}) stay 0. {@link #step()} without a closure throws.
 */
public final class LBFGS extends Optimizer {

    /** The line search. */
    public enum LineSearch {
        /** A fixed step t = lr (PyTorch's {@code line_search_fn=None}). */
        NONE,
        /** A line search satisfying the strong Wolfe conditions (PyTorch's {@code "strong_wolfe"}). */
        STRONG_WOLFE
    }

    /** The hyperparameters LBFGS accepts, with defaults and ranges. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1, Hyperparameters.Range.NON_NEGATIVE)
            .integer("max_iter", 20, 1)
            .integer("max_eval", 0, 0)
            .real("tolerance_grad", 1e-7, Hyperparameters.Range.NON_NEGATIVE)
            .real("tolerance_change", 1e-9, Hyperparameters.Range.NON_NEGATIVE)
            .integer("history_size", 100, 1)
            .choice("line_search_fn", LineSearch.NONE)
            .build();

    private static final double C1 = 1e-4, C2 = 0.9, LINE_SEARCH_TOLERANCE = 1e-9;
    private static final int MAX_LINE_SEARCH = 25;

    private final List<Parameter> params;
    private final int n;
    private double[] d, prevFlatGrad;
    private double t = Double.NaN, hDiag = 1, prevLoss = Double.NaN;
    private final List<double[]> oldDirs = new ArrayList<>(), oldSteps = new ArrayList<>();
    private final List<Double> ro = new ArrayList<>();
    /** The gradient's array between evaluations, and the arrays of a refused or dropped pair, reused for the next. */
    private double[] gradBuffer, spareY, spareS;
    private long nIter, funcEvals;

    /**
     * LBFGS over one group (PyTorch allows no more); keys it does not set take the defaults above.
     *
     * @param groups exactly one parameter group
     * @throws IllegalArgumentException for more than one group, or a bad value (named with the group)
     */
    public LBFGS(List<ParamGroup> groups) {
        super(oneGroupOnly(groups), SPEC);
        this.params = group(0).parameters();
        int size = 0;
        for (Parameter p : params) size += p.numel();
        this.n = size;
    }

    /**
     * LBFGS over {@code params} as one group, with the defaults above.
     *
     * @param params the parameters (for example {@code model.parameters()})
     */
    public LBFGS(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * LBFGS with learning rate {@code lr}, a maximum of {@code maxIter} iterations per step and a line search.
     *
     * @param params the parameters (for example {@code model.parameters()})
     * @param lr the learning rate (the step before the line search)
     * @param maxIter iterations per {@link #step(Supplier)}
     * @param lineSearch {@link LineSearch#NONE} or {@link LineSearch#STRONG_WOLFE}
     */
    public LBFGS(Iterable<? extends Parameter> params, double lr, int maxIter, LineSearch lineSearch) {
        this(List.of(oneGroup(params).get(0).with("lr", lr).with("max_iter", maxIter).with("line_search_fn", lineSearch)));
    }

    private static List<ParamGroup> oneGroupOnly(List<ParamGroup> groups) {
        if (groups != null && groups.size() > 1) {
            throw new IllegalArgumentException("LBFGS takes one parameter group (as PyTorch's), got " + groups.size());
        }
        return groups;
    }

    /** Always true: LBFGS evaluates the loss several times per step. */
    @Override
    public boolean requiresClosure() {
        return true;
    }

    /**
     * Refused: LBFGS steps on the closure's gradients as they are.
     *
     * @param transform ignored
     * @return never
     * @throws UnsupportedOperationException always
     */
    @Override
    public Optimizer addGradientTransform(GradientTransform transform) {
        throw new UnsupportedOperationException("LBFGS does not run gradient transforms (its line search re-evaluates the closure)");
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        throw new IllegalStateException("LBFGS steps only through step(closure)");
    }

    /**
     * The number of closure evaluations over all steps.
     *
     * @return PyTorch's {@code func_evals}
     */
    public long functionEvaluations() {
        return funcEvals;
    }

    /**
     * The number of iterations over all steps.
     *
     * @return PyTorch's {@code n_iter}
     */
    public long iterations() {
        return nIter;
    }

    /**
     * Runs up to {@code max_iter} LBFGS iterations, evaluating the closure as the algorithm needs.
     *
     * @param closure zeroes the gradients, computes the loss, calls backward and returns the loss
     * @return the loss of the first evaluation (at the parameters as they were)
     */
    @Override
    public Tensor step(Supplier<Tensor> closure) {
        ParamGroup hp = group(0);
        double lr = hp.get("lr"), tolGrad = hp.get("tolerance_grad"), tolChange = hp.get("tolerance_change");
        int maxIter = (int) hp.get("max_iter"), historySize = (int) hp.get("history_size");
        int maxEval = hp.get("max_eval") == 0 ? maxIter * 5 / 4 : (int) hp.get("max_eval");
        LineSearch lineSearch = hp.option("line_search_fn", LineSearch.class);

        Tensor origLoss = evaluate(closure);
        double loss = origLoss.item();
        int currentEvals = 1;
        funcEvals++;
        if (gradBuffer == null) gradBuffer = new double[n];
        double[] flatGrad = gatherFlatGrad(gradBuffer);
        boolean optCond = gatheredMaxAbs <= tolGrad;
        if (optCond) return origLoss;

        int iter = 0;
        while (iter < maxIter) {
            iter++;
            nIter++;
            if (nIter == 1) {
                if (d == null || d.length != n) d = new double[n];
                for (int i = 0; i < n; i++) d[i] = -flatGrad[i];
                oldDirs.clear();
                oldSteps.clear();
                ro.clear();
                hDiag = 1;
            } else {
                // y and s go into the arrays of the last pair dropped or refused: once the history is full, no
                // iteration allocates.
                double[] y = spareY != null ? spareY : new double[n], s = spareS != null ? spareS : new double[n];
                spareY = y;
                spareS = s;
                double ys = FlatVectors.differencesAndDot(flatGrad, prevFlatGrad, d, t, y, s); // y = g − g_prev, s = t·d, yᵀs
                if (ys > 1e-10) {
                    spareY = null;
                    spareS = null;
                    if (oldDirs.size() == historySize) {
                        spareY = oldDirs.removeFirst();
                        spareS = oldSteps.removeFirst();
                        ro.removeFirst();
                    }
                    oldDirs.add(y);
                    oldSteps.add(s);
                    ro.add(1 / ys);
                    hDiag = ys / dot(y, y);
                }
                twoLoop(flatGrad, d);
            }
            // g_prev ← g by swapping arrays: the old g_prev's array takes the next gradient (never one g_prev now holds:
            // a line search can return the very array it started from)
            double[] old = prevFlatGrad;
            prevFlatGrad = flatGrad;
            if (old != null && old != flatGrad && old.length == n) gradBuffer = old;
            else if (gradBuffer == null || gradBuffer == flatGrad) gradBuffer = new double[n];
            prevLoss = loss;
            t = nIter == 1 ? Math.min(1, 1 / sumAbs(flatGrad)) * lr : lr;
            double gtd = dot(flatGrad, d);
            if (gtd > -tolChange) break;

            int lsEvals = 0;
            if (lineSearch == LineSearch.STRONG_WOLFE) {
                double[][] x0 = snapshot();
                SearchResult r = strongWolfe(closure, x0, t, d, loss, flatGrad, gtd);
                loss = r.f;
                flatGrad = r.g;
                t = r.t;
                lsEvals = r.evals;
                addToParams(t, d);
                optCond = maxAbs(flatGrad) <= tolGrad;
            } else {
                addToParams(t, d);
                if (iter != maxIter) {
                    loss = evaluate(closure).item();
                    flatGrad = gatherFlatGrad(gradBuffer);
                    optCond = gatheredMaxAbs <= tolGrad;
                    lsEvals = 1;
                }
            }
            currentEvals += lsEvals;
            funcEvals += lsEvals;
            if (iter == maxIter || currentEvals >= maxEval || optCond) break;
            if (maxAbs(d) * Math.abs(t) <= tolChange) break;
            if (Math.abs(loss - prevLoss) < tolChange) break;
        }
        return origLoss;
    }

    /** r ← −H·g by the two-loop recursion over the stored pairs, H₀ = γI, in place in r (q and r are one array). */
    private void twoLoop(double[] g, double[] r) {
        int k = oldDirs.size();
        if (k == 0) {
            for (int i = 0; i < n; i++) r[i] = -g[i] * hDiag; // the general path's two passes in one: the same bits
            return;
        }
        double[] al = new double[k];
        for (int i = 0; i < n; i++) r[i] = -g[i];
        for (int j = k - 1; j >= 0; j--) {
            al[j] = dot(oldSteps.get(j), r) * ro.get(j);
            axpy(-al[j], oldDirs.get(j), r);
        }
        for (int i = 0; i < n; i++) r[i] *= hDiag;
        for (int j = 0; j < k; j++) {
            double be = dot(oldDirs.get(j), r) * ro.get(j);
            axpy(al[j] - be, oldSteps.get(j), r);
        }
    }

    private record SearchResult(double f, double[] g, double t, int evals) {}

    /** Sets θ = x0 + t·d, evaluates the closure, restores θ = x0; returns {f, g}. */
    private Object[] directionalEvaluate(Supplier<Tensor> closure, double[][] x0, double step, double[] dir) {
        addToParams(step, dir);
        double f = evaluate(closure).item();
        double[] g = gatherFlatGrad(new double[n]); // the search keeps the gradients of its bracket
        restore(x0);
        return new Object[] {f, g};
    }

    /**
     * A step length t along d satisfying the strong Wolfe conditions f(t) ≤ f + c1·t·gᵀd and
     * |g(t)ᵀd| ≤ −c2·gᵀd: bracketing with cubic-interpolated extrapolation (between t + 0.01·(t − t_prev)
     * and 10t), then zoom by cubic interpolation kept 10% inside the bracket (minFunc's scheme, as PyTorch).
     */
    private SearchResult strongWolfe(Supplier<Tensor> closure, double[][] x0, double step, double[] dir, double f, double[] g, double gtd) {
        double dNorm = maxAbs(dir);
        Object[] e = directionalEvaluate(closure, x0, step, dir);
        double fNew = (Double) e[0];
        double[] gNew = (double[]) e[1];
        int evals = 1;
        double gtdNew = dot(gNew, dir);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        double[] gPrev = g;
        boolean done = false;
        int lsIter = 0;
        double[] bracket = null, bracketF = null, bracketGtd = null;
        double[][] bracketG = null;
        while (lsIter < MAX_LINE_SEARCH) {
            if (fNew > f + C1 * step * gtd || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[] {tPrev, step};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -C2 * gtd) {
                bracket = new double[] {step};
                bracketF = new double[] {fNew};
                bracketG = new double[][] {gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, step};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            double minStep = step + 0.01 * (step - tPrev), maxStep = step * 10;
            double previous = step;
            step = cubicInterpolate(tPrev, fPrev, gtdPrev, step, fNew, gtdNew, minStep, maxStep);
            tPrev = previous;
            fPrev = fNew;
            gPrev = gNew;
            gtdPrev = gtdNew;
            e = directionalEvaluate(closure, x0, step, dir);
            fNew = (Double) e[0];
            gNew = (double[]) e[1];
            evals++;
            gtdNew = dot(gNew, dir);
            lsIter++;
        }
        if (lsIter == MAX_LINE_SEARCH) {
            bracket = new double[] {0, step};
            bracketF = new double[] {f, fNew};
            bracketG = new double[][] {g, gNew};
        }
        boolean insufficientProgress = false;
        int low = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1, high = 1 - low;
        while (!done && lsIter < MAX_LINE_SEARCH) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < LINE_SEARCH_TOLERANCE) break;
            double lo = Math.min(bracket[0], bracket[1]), hi = Math.max(bracket[0], bracket[1]);
            step = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], lo, hi);
            double margin = 0.1 * (hi - lo);
            if (Math.min(hi - step, step - lo) < margin) {
                if (insufficientProgress || step >= hi || step <= lo) {
                    step = Math.abs(step - hi) < Math.abs(step - lo) ? hi - margin : lo + margin;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            e = directionalEvaluate(closure, x0, step, dir);
            fNew = (Double) e[0];
            gNew = (double[]) e[1];
            evals++;
            gtdNew = dot(gNew, dir);
            lsIter++;
            if (fNew > f + C1 * step * gtd || fNew >= bracketF[low]) {
                bracket[high] = step;
                bracketF[high] = fNew;
                bracketG[high] = gNew;
                bracketGtd[high] = gtdNew;
                low = bracketF[0] <= bracketF[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -C2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
                    bracket[high] = bracket[low];
                    bracketF[high] = bracketF[low];
                    bracketG[high] = bracketG[low];
                    bracketGtd[high] = bracketGtd[low];
                }
                bracket[low] = step;
                bracketF[low] = fNew;
                bracketG[low] = gNew;
                bracketGtd[low] = gtdNew;
            }
        }
        return new SearchResult(bracketF[low], bracketG[low], bracket[low], evals);
    }

    /**
     * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to [lo, hi];
     * the middle of [lo, hi] when the cubic has no minimiser.
     */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }

    // ------------------------------------------------------------------ flat vectors

    /** The largest magnitude of the last gathered gradient (exact: the same as {@link #maxAbs} of it). */
    private double gatheredMaxAbs;

    /** The gradients of the parameters, in order, into {@code out} (zeros for a parameter without one); sets {@link #gatheredMaxAbs}. */
    private double[] gatherFlatGrad(double[] out) {
        int at = 0;
        double max = 0;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g != null) {
                if (!Arrays.equals(g.shape(), p.shape())) {
                    throw new IllegalStateException("gradient of " + describe(p) + " has shape " + Arrays.toString(g.shape()) + ", the parameter "
                            + Arrays.toString(p.shape()));
                }
                Flat f = Flat.read(g);
                float[] fs = f.floats();
                if (fs != null) {
                    for (int i = 0, o = f.offset(); i < f.size(); i++) {
                        double v = fs[o + i];
                        out[at + i] = v;
                        max = Math.max(max, Math.abs(v));
                    }
                } else {
                    for (int i = 0; i < f.size(); i++) {
                        double v = f.get(i);
                        out[at + i] = v;
                        max = Math.max(max, Math.abs(v));
                    }
                }
            } else {
                Arrays.fill(out, at, at + p.numel(), 0);
            }
            at += p.numel();
        }
        gatheredMaxAbs = max;
        return out;
    }

    /** θ ← θ + step·dir over the parameters in order, rounded once into float32 parameters. */
    private void addToParams(double step, double[] dir) {
        int at = 0;
        for (Parameter p : params) {
            Flat f = Flat.of(p);
            float[] fs = f.floats();
            int base = at, o = f.offset();
            Elementwise.forRange(f.size(), (from, to) -> {
                if (fs != null) {
                    for (int i = from; i < to; i++) fs[o + i] = (float) (fs[o + i] + step * dir[base + i]);
                } else {
                    for (int i = from; i < to; i++) f.set(i, f.get(i) + step * dir[base + i]);
                }
            });
            at += f.size();
        }
    }

    private double[][] snapshot() {
        double[][] out = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) {
            Flat f = Flat.of(params.get(k));
            out[k] = new double[f.size()];
            for (int i = 0; i < f.size(); i++) out[k][i] = f.get(i);
        }
        return out;
    }

    private void restore(double[][] x0) {
        for (int k = 0; k < params.size(); k++) {
            Flat f = Flat.of(params.get(k));
            for (int i = 0; i < f.size(); i++) f.set(i, x0[k][i]);
        }
    }

    private static double dot(double[] a, double[] b) {
        return FlatVectors.dot(a, b);
    }

    /** y ← y + alpha·x. */
    private static void axpy(double alpha, double[] x, double[] y) {
        FlatVectors.axpy(alpha, x, y);
    }

    private static double maxAbs(double[] a) {
        return FlatVectors.maxAbs(a);
    }

    private static double sumAbs(double[] a) {
        return FlatVectors.sumAbs(a);
    }

    // ------------------------------------------------------------------ state

    @Override
    protected Map<String, Tensor> extraState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int k = oldDirs.size();
        out.put("lbfgs.n_iter", Tensor.of(new long[] {nIter}).reshape());
        out.put("lbfgs.func_evals", Tensor.of(new long[] {funcEvals}).reshape());
        out.put("lbfgs.d", Tensor.of(d != null ? d.clone() : new double[n], n));
        out.put("lbfgs.t", Tensor.of(t));
        out.put("lbfgs.h_diag", Tensor.of(hDiag));
        out.put("lbfgs.prev_flat_grad", Tensor.of(prevFlatGrad != null ? prevFlatGrad.clone() : new double[n], n));
        out.put("lbfgs.prev_loss", Tensor.of(prevLoss));
        double[] dirs = new double[k * n], steps = new double[k * n], rho = new double[k];
        for (int j = 0; j < k; j++) {
            System.arraycopy(oldDirs.get(j), 0, dirs, j * n, n);
            System.arraycopy(oldSteps.get(j), 0, steps, j * n, n);
            rho[j] = ro.get(j);
        }
        out.put("lbfgs.old_dirs", Tensor.of(dirs, k, n));
        out.put("lbfgs.old_stps", Tensor.of(steps, k, n));
        out.put("lbfgs.ro", Tensor.of(rho, k));
        return out;
    }

    @Override
    protected Runnable checkExtraState(Map<String, Tensor> extra) {
        List<String> keys = List.of("lbfgs.n_iter", "lbfgs.func_evals", "lbfgs.d", "lbfgs.t", "lbfgs.h_diag", "lbfgs.prev_flat_grad",
                "lbfgs.prev_loss", "lbfgs.old_dirs", "lbfgs.old_stps", "lbfgs.ro");
        for (String key : keys) if (!extra.containsKey(key)) throw new IllegalArgumentException("LBFGS state does not match: missing key " + key);
        for (String key : extra.keySet()) if (!keys.contains(key)) throw new IllegalArgumentException("LBFGS state does not match: unexpected key " + key);
        Tensor ro = extra.get("lbfgs.ro");
        int k = ro.shape().length == 1 ? ro.shape()[0] : -1;
        expect(extra, "lbfgs.n_iter", DType.INT64);
        expect(extra, "lbfgs.func_evals", DType.INT64);
        expect(extra, "lbfgs.d", DType.FLOAT64, n);
        expect(extra, "lbfgs.t", DType.FLOAT64);
        expect(extra, "lbfgs.h_diag", DType.FLOAT64);
        expect(extra, "lbfgs.prev_flat_grad", DType.FLOAT64, n);
        expect(extra, "lbfgs.prev_loss", DType.FLOAT64);
        expect(extra, "lbfgs.ro", DType.FLOAT64, Math.max(k, 0));
        expect(extra, "lbfgs.old_dirs", DType.FLOAT64, k, n);
        expect(extra, "lbfgs.old_stps", DType.FLOAT64, k, n);
        long iters = extra.get("lbfgs.n_iter").toLongArray()[0], evals = extra.get("lbfgs.func_evals").toLongArray()[0];
        if (iters < 0 || evals < 0) throw new IllegalArgumentException("LBFGS state: counts must be >= 0, were n_iter " + iters + ", func_evals " + evals);
        double[] dirs = extra.get("lbfgs.old_dirs").toDoubleArray(), steps = extra.get("lbfgs.old_stps").toDoubleArray(), rho = ro.toDoubleArray();
        double[] dd = extra.get("lbfgs.d").toDoubleArray(), pg = extra.get("lbfgs.prev_flat_grad").toDoubleArray();
        double tt = extra.get("lbfgs.t").item(), hd = extra.get("lbfgs.h_diag").item(), pl = extra.get("lbfgs.prev_loss").item();
        return () -> {
            nIter = iters;
            funcEvals = evals;
            oldDirs.clear();
            oldSteps.clear();
            this.ro.clear();
            for (int j = 0; j < k; j++) {
                oldDirs.add(Arrays.copyOfRange(dirs, j * n, (j + 1) * n));
                oldSteps.add(Arrays.copyOfRange(steps, j * n, (j + 1) * n));
                this.ro.add(rho[j]);
            }
            d = iters > 0 ? dd : null;
            prevFlatGrad = iters > 0 ? pg : null;
            t = tt;
            hDiag = hd;
            prevLoss = pl;
        };
    }

    private static void expect(Map<String, Tensor> state, String key, DType dtype, int... shape) {
        Tensor x = state.get(key);
        if (x.dtype() != dtype || !Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException("LBFGS state '" + key + "': expected " + dtype + " " + Arrays.toString(shape) + ", found " + x.dtype() + " "
                    + Arrays.toString(x.shape()));
        }
    }
}
