package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LBFGS against a float64 reference that builds the inverse-Hessian approximation as a dense matrix by
 * the BFGS update H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ from H₀ = γI over the kept pairs (Nocedal &amp; Wright
 * (7.19), which the two-loop recursion evaluates without forming H), with PyTorch's first step
 * t = lr·min(1, 1/Σ|g|), curvature skip yᵀs ≤ 1e-10 and history limit; on a quadratic and on Rosenbrock's
 * function. With the strong-Wolfe line search it reaches Rosenbrock's minimiser to 1e-6.
 */
class LbfgsTest {

    @TempDir
    Path dir;

    /** A function with its gradient, over a flat vector. */
    interface Problem {
        double value(double[] x);

        double[] grad(double[] x);
    }

    static Problem quadratic(Quadratic q) {
        return new Problem() {
            public double value(double[] x) {
                return q.value(x);
            }

            public double[] grad(double[] x) {
                return q.grad(x);
            }
        };
    }

    /** Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)². */
    static final Problem ROSENBROCK = new Problem() {
        public double value(double[] x) {
            double f = 0;
            for (int i = 0; i + 1 < x.length; i++) f += 100 * Math.pow(x[i + 1] - x[i] * x[i], 2) + Math.pow(1 - x[i], 2);
            return f;
        }

        public double[] grad(double[] x) {
            double[] g = new double[x.length];
            for (int i = 0; i + 1 < x.length; i++) {
                double r = x[i + 1] - x[i] * x[i];
                g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
                g[i + 1] += 200 * r;
            }
            return g;
        }
    };

    /** The closure: sets every parameter's gradient from the problem and returns the loss; counts its calls. */
    static Supplier<Tensor> closure(Problem f, List<Parameter> params, int[] calls) {
        return () -> {
            calls[0]++;
            double[] x = Quadratic.flat(params);
            double[] g = f.grad(x);
            int at = 0;
            for (Parameter p : params) {
                double[] part = new double[p.numel()];
                System.arraycopy(g, at, part, 0, part.length);
                at += part.length;
                p.setGrad(Tensor.of(part, p.shape()).to(p.dtype()));
            }
            return Tensor.of(f.value(x));
        };
    }

    /** {@code iterations} L-BFGS iterations without line search, H formed densely. */
    static double[] reference(Problem f, double[] x0, int iterations, double lr, int historySize) {
        int n = x0.length;
        double[] x = x0.clone(), g = f.grad(x), d = null, gPrev = null;
        double t = 0, gamma = 1;
        List<double[]> ss = new ArrayList<>(), ys = new ArrayList<>();
        for (int k = 1; k <= iterations; k++) {
            if (k == 1) {
                d = new double[n];
                for (int i = 0; i < n; i++) d[i] = -g[i];
            } else {
                double[] y = new double[n], s = new double[n];
                double sy = 0, yy = 0;
                for (int i = 0; i < n; i++) {
                    y[i] = g[i] - gPrev[i];
                    s[i] = t * d[i];
                    sy += s[i] * y[i];
                    yy += y[i] * y[i];
                }
                if (sy > 1e-10) {
                    ss.add(s);
                    ys.add(y);
                    if (ss.size() > historySize) {
                        ss.removeFirst();
                        ys.removeFirst();
                    }
                    gamma = sy / yy;
                }
                double[][] h = new double[n][n];
                for (int i = 0; i < n; i++) h[i][i] = gamma;
                for (int p = 0; p < ss.size(); p++) h = bfgsUpdate(h, ss.get(p), ys.get(p));
                d = new double[n];
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) d[i] -= h[i][j] * g[j];
            }
            gPrev = g;
            double l1 = 0;
            for (double v : g) l1 += Math.abs(v);
            t = k == 1 ? Math.min(1, 1 / l1) * lr : lr;
            for (int i = 0; i < n; i++) x[i] += t * d[i];
            g = f.grad(x);
        }
        return x;
    }

    /** (I − ρsyᵀ)·H·(I − ρysᵀ) + ρssᵀ, ρ = 1/(yᵀs). */
    static double[][] bfgsUpdate(double[][] h, double[] s, double[] y) {
        int n = s.length;
        double sy = 0;
        for (int i = 0; i < n; i++) sy += s[i] * y[i];
        double rho = 1 / sy;
        double[][] v = new double[n][n]; // V = I − ρ·y·sᵀ
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) v[i][j] = (i == j ? 1 : 0) - rho * y[i] * s[j];
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) acc += v[a][i] * h[a][b] * v[b][j];
                out[i][j] = acc + rho * s[i] * s[j];
            }
        }
        return out;
    }

    /** {@code calls} calls of step(closure) with {@code maxIter} iterations each and no early stop. */
    static double[] run(Problem f, double[] x0, DType dtype, int calls, int maxIter, double lr, int historySize, int[] shapesSplit,
            int[] closureCalls) {
        List<Parameter> params = Quadratic.params(x0, dtype, shapes(shapesSplit));
        LBFGS opt = new LBFGS(List.of(ParamGroup.of(params).with("lr", lr).with("max_iter", maxIter).with("history_size", historySize)
                .with("tolerance_grad", 0.0).with("tolerance_change", 0.0)));
        Supplier<Tensor> c = closure(f, params, closureCalls);
        for (int s = 0; s < calls; s++) opt.step(c);
        assertEquals((long) calls * maxIter, opt.iterations());
        assertEquals(closureCalls[0], opt.functionEvaluations());
        return Quadratic.flat(params);
    }

    static int[][] shapes(int[] sizes) {
        int[][] out = new int[sizes.length][];
        for (int k = 0; k < sizes.length; k++) out[k] = new int[] {sizes[k]};
        return out;
    }

    @Test
    void withoutLineSearchMatchesTheDenseBfgsReferenceOnAQuadratic() {
        SplittableRandom rng = new SplittableRandom(5);
        Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
        double[] x0 = Quadratic.gaussian(rng, 7, 2);
        double[] want = reference(quadratic(q), x0, 20, 0.5, 3);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            int[] calls = {0};
            double[] got = run(quadratic(q), x0, dtype, 4, 5, 0.5, 3, new int[] {3, 4}, calls);
            // Each step evaluates once at its start and once after every iteration but its last.
            assertEquals(4 * 5, calls[0]);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "LBFGS on a quadratic, " + dtype);
        }
    }

    @Test
    void withoutLineSearchMatchesTheDenseBfgsReferenceOnRosenbrock() {
        double[] x0 = {-1.2, 1, -0.5, 0.8};
        double[] want = reference(ROSENBROCK, x0, 20, 0.1, 5);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = run(ROSENBROCK, x0, dtype, 2, 10, 0.1, 5, new int[] {2, 2}, new int[] {0});
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "LBFGS on Rosenbrock, " + dtype);
        }
    }

    @Test
    void withStrongWolfeItReachesRosenbrocksMinimiser() {
        for (double[] x0 : List.of(new double[] {-1.2, 1}, new double[] {-1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1})) {
            List<Parameter> params = Quadratic.params(x0, DType.FLOAT64, new int[] {x0.length});
            LBFGS opt = new LBFGS(List.of(ParamGroup.of(params).with("max_iter", 200).with("line_search_fn", LBFGS.LineSearch.STRONG_WOLFE)
                    .with("tolerance_grad", 1e-12).with("tolerance_change", 1e-15)));
            Supplier<Tensor> c = closure(ROSENBROCK, params, new int[] {0});
            for (int s = 0; s < 5; s++) opt.step(c);
            double[] x = Quadratic.flat(params);
            double dist = 0;
            for (double v : x) dist += (v - 1) * (v - 1);
            dist = Math.sqrt(dist);
            assertTrue(dist <= 1e-6, x0.length + "-d Rosenbrock: LBFGS ends " + dist + " from (1, …, 1) after " + opt.iterations()
                    + " iterations, " + opt.functionEvaluations() + " evaluations");
        }
    }

    @Test
    void theStrongWolfeStepSatisfiesBothConditions() {
        // One iteration per step: each accepted step must satisfy f(x + t·d) ≤ f + 1e-4·t·gᵀd and |g(x + t·d)ᵀd| ≤ 0.9·|gᵀd|,
        // checked here from the iterates: d = Δx/t is unknown, but both conditions are invariant to scaling d, so Δx serves.
        double[] x0 = {-1.2, 1, 0.3};
        List<Parameter> params = Quadratic.params(x0, DType.FLOAT64, new int[] {3});
        LBFGS opt = new LBFGS(List.of(ParamGroup.of(params).with("max_iter", 1).with("line_search_fn", LBFGS.LineSearch.STRONG_WOLFE)));
        Supplier<Tensor> c = closure(ROSENBROCK, params, new int[] {0});
        for (int s = 0; s < 15; s++) {
            double[] before = Quadratic.flat(params);
            opt.step(c);
            double[] after = Quadratic.flat(params), dx = new double[3];
            for (int i = 0; i < 3; i++) dx[i] = after[i] - before[i];
            double[] g0 = ROSENBROCK.grad(before), g1 = ROSENBROCK.grad(after);
            double gtd0 = 0, gtd1 = 0;
            for (int i = 0; i < 3; i++) {
                gtd0 += g0[i] * dx[i];
                gtd1 += g1[i] * dx[i];
            }
            if (gtd0 == 0) break;
            assertTrue(ROSENBROCK.value(after) <= ROSENBROCK.value(before) + 1e-4 * gtd0 + 1e-12, "sufficient decrease at step " + s);
            assertTrue(Math.abs(gtd1) <= 0.9 * Math.abs(gtd0) + 1e-12, "curvature condition at step " + s + ": " + gtd1 + " vs " + gtd0);
        }
    }

    @Test
    void aZeroGradientStopsAtOnce() {
        Quadratic q = new Quadratic(new double[][] {{2, 0}, {0, 2}}, new double[] {0, 0});
        List<Parameter> params = Quadratic.params(new double[] {0, 0}, DType.FLOAT64, new int[] {2});
        LBFGS opt = new LBFGS(params);
        int[] calls = {0};
        Tensor loss = opt.step(closure(quadratic(q), params, calls));
        assertEquals(0.0, loss.item());
        assertEquals(1, calls[0]);
        assertEquals(0, opt.iterations());
    }

    @Test
    void toleranceChangeStopsAStepEarly() {
        // A quadratic in one variable: the second iteration's secant step lands on the minimiser, so f stops changing.
        Quadratic q = new Quadratic(new double[][] {{2}}, new double[] {-2});
        List<Parameter> params = Quadratic.params(new double[] {5}, DType.FLOAT64, new int[] {1});
        LBFGS opt = new LBFGS(params);
        int[] calls = {0};
        opt.step(closure(quadratic(q), params, calls));
        assertTrue(opt.iterations() < 20, "stopped after " + opt.iterations() + " iterations");
        assertEquals(1.0, Quadratic.flat(params)[0], 1e-12);
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        for (LBFGS.LineSearch ls : LBFGS.LineSearch.values()) {
            double[] x0 = {-1.2, 1, -0.5, 0.8};
            Function<List<Parameter>, LBFGS> build = ps -> new LBFGS(List.of(ParamGroup.of(ps).with("lr", ls == LBFGS.LineSearch.NONE ? 0.1 : 1)
                    .with("max_iter", 4).with("history_size", 3).with("line_search_fn", ls)));
            List<Parameter> straight = Quadratic.params(x0, DType.FLOAT32, new int[] {2}, new int[] {2});
            LBFGS a = build.apply(straight);
            for (int s = 0; s < 6; s++) a.step(closure(ROSENBROCK, straight, new int[] {0}));

            List<Parameter> first = Quadratic.params(x0, DType.FLOAT32, new int[] {2}, new int[] {2});
            LBFGS b = build.apply(first);
            for (int s = 0; s < 3; s++) b.step(closure(ROSENBROCK, first, new int[] {0}));
            Path file = dir.resolve("lbfgs-" + ls + ".safetensors");
            OptimizerState.save(b, file);
            List<Parameter> resumed = Quadratic.params(Quadratic.flat(first), DType.FLOAT32, new int[] {2}, new int[] {2});
            LBFGS c = build.apply(resumed);
            OptimizerState.load(c, file);
            for (int s = 3; s < 6; s++) c.step(closure(ROSENBROCK, resumed, new int[] {0}));
            assertBitwise(Quadratic.flat(straight), Quadratic.flat(resumed), "LBFGS " + ls + " resumed");
            assertEquals(a.functionEvaluations(), c.functionEvaluations());
        }
    }

    @Test
    void aFreshStateSavesAndLoadsAndAMismatchedHistoryIsRefused() throws IOException {
        double[] x0 = {-1.2, 1, -0.5, 0.8};
        List<Parameter> ps = Quadratic.params(x0, DType.FLOAT64, new int[] {4});
        LBFGS fresh = new LBFGS(ps);
        Path file = dir.resolve("fresh.safetensors");
        OptimizerState.save(fresh, file);
        LBFGS other = new LBFGS(Quadratic.params(x0, DType.FLOAT64, new int[] {4}));
        OptimizerState.load(other, file);
        assertEquals(0, other.iterations());
        assertEquals(0, other.stateDict().get("lbfgs.old_dirs").shape()[0]);
        // A history over 5 values does not fit 4 parameters' worth of elements.
        LBFGS wider = new LBFGS(Quadratic.params(new double[] {1, 2, 3, 4, 5}, DType.FLOAT64, new int[] {5}));
        var e = assertThrows(IllegalArgumentException.class, () -> wider.loadStateDict(fresh.stateDict()));
        assertTrue(e.getMessage().contains("does not match") || e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void misuseIsRefusedWithAMessage() {
        Parameter p = new Parameter(Tensor.zeros(DType.FLOAT64, 2));
        LBFGS opt = new LBFGS(List.of(p));
        var state = assertThrows(IllegalStateException.class, opt::step);
        assertEquals("LBFGS needs a closure that recomputes the loss: call step(closure), not step()", state.getMessage());
        var groups = assertThrows(IllegalArgumentException.class,
                () -> new LBFGS(List.of(ParamGroup.of(p), ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))))));
        assertEquals("LBFGS takes one parameter group (as PyTorch's), got 2", groups.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> new LBFGS(List.of(ParamGroup.of(p).with("history_size", 0))));
        assertEquals("history_size must be >= 1, was 0.0 (group 0 of LBFGS)", bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> new LBFGS(List.of(ParamGroup.of(p).with("max_iter", 2.5))));
        assertEquals("max_iter must be a whole number, was 2.5 (group 0 of LBFGS)", bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> new LBFGS(List.of(ParamGroup.of(p).with("tolerance_grad", -1.0))));
        assertEquals("tolerance_grad must be >= 0, was -1.0 (group 0 of LBFGS)", bad.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> opt.addGradientTransform(new ClipByGlobalNorm(1)));
        ParamGroup g = opt.group(0);
        assertEquals(1.0, g.get("lr"));
        assertEquals(20.0, g.get("max_iter"));
        assertEquals(1e-7, g.get("tolerance_grad"));
        assertEquals(1e-9, g.get("tolerance_change"));
        assertEquals(100.0, g.get("history_size"));
        assertEquals(LBFGS.LineSearch.NONE, g.option("line_search_fn", LBFGS.LineSearch.class));
    }
}
