package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's API: {@code step(closure)} on every optimizer, the constructors that take parameters
 * directly, and the norm's scope (group or all parameters) of the clipping and normalised methods,
 * checked over two groups of different learning rates against float64 loops of the papers' rules.
 */
class ClosureAndScopeTest {
    static final int STEPS = 20;
    static final int[] BOUNDS = {0, 3, 7};
    static final int[] ONE_TENSOR_EACH = {1, 1};

    final SplittableRandom rng = new SplittableRandom(23);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 3);

    // ------------------------------------------------------------------ step(closure)

    @Test
    void stepWithAClosureCallsItOnceWithGradientsOnThenSteps() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] plain = Steps.run(q, theta0, dtype, STEPS, ps -> new Adam(ps, 0.05));
            List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
            Optimizer opt = new Adam(params, 0.05);
            int[] calls = {0};
            for (int s = 0; s < STEPS; s++) {
                Tensor want = Tensor.of(q.value(Quadratic.flat(params)));
                Tensor got;
                try (var _ = GradMode.noGrad()) { // the closure still runs with gradients enabled
                    got = opt.step(() -> {
                        assertTrue(GradMode.isEnabled(), "the closure runs with gradients enabled");
                        calls[0]++;
                        q.setGrads(params);
                        return want;
                    });
                }
                assertSame(want, got, "step(closure) returns the closure's loss");
            }
            assertEquals(STEPS, calls[0]);
            assertBitwise(plain, Quadratic.flat(params), "Adam through step(closure), " + dtype);
        }
    }

    @Test
    void aClosureThatRunsBackwardTrainsThroughAutograd() {
        // f(θ) = Σ (θ − c)²: the closure zeroes, builds the loss with tensor ops and calls backward.
        double[] c = {1, -2, 3};
        Parameter p = new Parameter("p", Tensor.of(new double[] {0, 0, 0}, 3));
        Tensor target = Tensor.of(c, 3);
        Optimizer opt = new SGD(List.of(p), 0.1);
        double[] ref = {0, 0, 0};
        for (int s = 0; s < 10; s++) {
            Tensor loss = opt.step(() -> {
                opt.zeroGrad();
                Tensor l = p.sub(target).square().sum();
                l.backward();
                return l;
            });
            double want = 0;
            for (int i = 0; i < 3; i++) want += (ref[i] - c[i]) * (ref[i] - c[i]);
            assertEquals(want, loss.item(), 1e-12, "loss of step " + s);
            for (int i = 0; i < 3; i++) ref[i] -= 0.1 * 2 * (ref[i] - c[i]);
        }
        assertClose(ref, p.toDoubleArray(), 1e-12, "SGD through an autograd closure");
    }

    @Test
    void aNullClosureOrANullLossIsRefused() {
        Optimizer opt = new SGD(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))), 0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> opt.step(null));
        assertEquals("SGD.step(closure): the closure must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.step(() -> null));
        assertEquals("SGD.step(closure): the closure returned null instead of the loss", e.getMessage());
    }

    // ------------------------------------------------------------------ List<Parameter> constructors

    @Test
    void everyOptimizerTakesAParameterListAsOneGroup() {
        ConvexSet ball = Ball.origin(2);
        List<BiFunction<List<Parameter>, Boolean, Optimizer>> builds = List.of(
                (ps, direct) -> direct ? new SGD(ps, 0.05) : new SGD(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new Adam(ps, 0.05) : new Adam(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new AdamW(ps, 0.05) : new AdamW(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new SteinRuleAdam(ps, 0.05) : new SteinRuleAdam(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new RMSprop(ps, 0.05) : new RMSprop(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new Adagrad(ps, 0.05) : new Adagrad(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new Adamax(ps, 0.05) : new Adamax(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new NAdam(ps, 0.05) : new NAdam(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new RAdam(ps, 0.05) : new RAdam(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new Adadelta(ps, 0.5) : new Adadelta(List.of(ParamGroup.of(ps)), 0.5),
                (ps, direct) -> direct ? new Rprop(ps, 0.05) : new Rprop(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new ASGD(ps, 0.05) : new ASGD(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new Lion(ps, 0.05) : new Lion(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new LAMB(ps, 0.05) : new LAMB(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new LARS(ps, 0.05) : new LARS(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new ClippedSGD(ps, 0.05, 1) : new ClippedSGD(List.of(ParamGroup.of(ps)), 0.05, 1),
                (ps, direct) -> direct ? new NormalizedSGD(ps, 0.05) : new NormalizedSGD(List.of(ParamGroup.of(ps)), 0.05),
                (ps, direct) -> direct ? new ClippingFramework(ps, 0.05, 1, 0.9, 0.5)
                        : new ClippingFramework(List.of(ParamGroup.of(ps)), 0.05, 1, 0.9, 0.5),
                (ps, direct) -> direct ? new ProjectedGradientDescent(ps, 0.05, ball)
                        : new ProjectedGradientDescent(List.of(ParamGroup.of(ps)), 0.05, ball));
        for (var build : builds) {
            double[] viaGroups = Steps.run(q, theta0, DType.FLOAT64, 5, ps -> build.apply(ps, false));
            List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, Steps.SHAPES);
            Optimizer direct = build.apply(params, true);
            assertEquals(1, direct.groups().size());
            assertEquals(params, direct.parameters());
            for (int s = 0; s < 5; s++) {
                q.setGrads(params);
                direct.step();
            }
            assertBitwise(viaGroups, Quadratic.flat(params), direct.getClass().getSimpleName() + " from a parameter list");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam((List<Parameter>) null, 1e-3));
        assertEquals("the parameter list must not be null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.<Parameter>of(), 1e-3));
        assertTrue(e.getMessage().startsWith("Adam got an empty parameter list"), e.getMessage());
    }

    // ------------------------------------------------------------------ norm scope

    static double decayed(double[] g, double[] th, int i, double wd) {
        return wd != 0 ? g[i] + wd * th[i] : g[i];
    }

    /** Σ (g + wd·θ)² over [from, to), each element with its own group's wd. */
    static double sumSq(double[] g, double[] th, int from, int to, double[] wd) {
        double s = 0;
        for (int k = 0; k < 2; k++) {
            for (int i = Math.max(from, BOUNDS[k]); i < Math.min(to, BOUNDS[k + 1]); i++) {
                double x = decayed(g, th, i, wd[k]);
                s += x * x;
            }
        }
        return s;
    }

    /** ClippedSGD (h = min(η, γη/N)) or NormalizedSGD (h = η/(N + β)), N over the group or over all parameters. */
    static double[] clippedReference(Quadratic q, double[] theta0, boolean normalized, boolean all, double[] lr, double[] gammaOrBeta,
            double[] wd) {
        double[] th = theta0.clone();
        for (int t = 0; t < STEPS; t++) {
            double[] g = q.grad(th);
            double allNorm = Math.sqrt(sumSq(g, th, 0, 7, wd));
            double[] h = new double[2];
            for (int k = 0; k < 2; k++) {
                double n = all ? allNorm : Math.sqrt(sumSq(g, th, BOUNDS[k], BOUNDS[k + 1], wd));
                h[k] = normalized ? lr[k] / (n + gammaOrBeta[k]) : Math.min(lr[k], gammaOrBeta[k] * lr[k] / n);
            }
            double[] next = th.clone();
            for (int k = 0; k < 2; k++) for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) next[i] = th[i] - h[k] * decayed(g, th, i, wd[k]);
            th = next;
        }
        return th;
    }

    /** The clipping framework: m ← βm + (1 − β)g; θ ← θ − (ν·h(‖m‖)·m + (1 − ν)·h(‖g‖)·g), h(u) = min(η, γ/‖u‖). */
    static double[] frameworkReference(Quadratic q, double[] theta0, boolean all, double[] lr, double[] gamma, double[] beta, double[] nu,
            double[] wd) {
        double[] th = theta0.clone(), m = new double[7];
        for (int t = 0; t < STEPS; t++) {
            double[] g = q.grad(th);
            double[] d = new double[7];
            for (int k = 0; k < 2; k++) {
                for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) {
                    d[i] = decayed(g, th, i, wd[k]);
                    m[i] = beta[k] * m[i] + (1 - beta[k]) * d[i];
                }
            }
            double[] next = th.clone();
            for (int k = 0; k < 2; k++) {
                int from = all ? 0 : BOUNDS[k], to = all ? 7 : BOUNDS[k + 1];
                double gn = 0, mn = 0;
                for (int i = from; i < to; i++) {
                    gn += d[i] * d[i];
                    mn += m[i] * m[i];
                }
                gn = Math.sqrt(gn);
                mn = Math.sqrt(mn);
                double a = nu[k] * Math.min(lr[k], gamma[k] / mn), b = (1 - nu[k]) * Math.min(lr[k], gamma[k] / gn);
                for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) next[i] = th[i] - (a * m[i] + b * d[i]);
            }
            th = next;
        }
        return th;
    }

    void checkBothScopes(String name, Function<NormScope, Function<List<List<Parameter>>, Optimizer>> build,
            Function<Boolean, double[]> reference) {
        double[] group = reference.apply(false), all = reference.apply(true);
        double diff = 0;
        for (int i = 0; i < 7; i++) diff = Math.max(diff, Math.abs(group[i] - all[i]));
        assertTrue(diff > 1e-3, name + ": the two scopes should give different trajectories, differ by " + diff);
        for (NormScope scope : NormScope.values()) {
            double[] want = scope == NormScope.ALL ? all : group;
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, build.apply(scope));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, name + " " + scope + " " + dtype);
            }
        }
        // One group: both scopes are the same set, so the same bits.
        double[] one = Steps.run(q, theta0, DType.FLOAT32, STEPS, Steps.SHAPES, new int[] {2},
                gs -> oneGroupOf(build.apply(NormScope.GROUP), gs.get(0)));
        double[] oneAll = Steps.run(q, theta0, DType.FLOAT32, STEPS, Steps.SHAPES, new int[] {2},
                gs -> oneGroupOf(build.apply(NormScope.ALL), gs.get(0)));
        assertBitwise(one, oneAll, name + " with one group, GROUP vs ALL");
    }

    /** The optimizer {@code build} makes for two groups, rebuilt over one group of all tensors with group 0's settings. */
    static Optimizer oneGroupOf(Function<List<List<Parameter>>, Optimizer> build, List<Parameter> params) {
        Optimizer two = build.apply(List.of(List.of(params.get(0)), List.of(params.get(1))));
        ParamGroup g = ParamGroup.of(params);
        for (var e : two.group(0).values().entrySet()) g.with(e.getKey(), e.getValue());
        Optimizer opt = switch (two) {
            case ClippedSGD c -> new ClippedSGD(List.of(g)).setNormScope(c.normScope());
            case NormalizedSGD n -> new NormalizedSGD(List.of(g)).setNormScope(n.normScope());
            case ClippingFramework f -> new ClippingFramework(List.of(g)).setNormScope(f.normScope());
            case ProjectedGradientDescent p -> new ProjectedGradientDescent(List.of(g)).setNormScope(p.normScope());
            default -> throw new IllegalArgumentException(two.toString());
        };
        return opt;
    }

    @Test
    void clippedSgdTakesItsNormOverTheGroupOrOverAllParameters() {
        double[] lr = {0.2, 0.05}, gamma = {1.5, 4}, wd = {0.1, 0.02};
        checkBothScopes("ClippedSGD", scope -> gs -> new ClippedSGD(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("gamma", gamma[0]).with("weight_decay", wd[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("gamma", gamma[1]).with("weight_decay", wd[1]))).setNormScope(scope),
                all -> clippedReference(q, theta0, false, all, lr, gamma, wd));
    }

    @Test
    void normalizedSgdTakesItsNormOverTheGroupOrOverAllParameters() {
        double[] lr = {0.2, 0.05}, beta = {0.5, 0}, wd = {0.1, 0.02};
        checkBothScopes("NormalizedSGD", scope -> gs -> new NormalizedSGD(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("beta", beta[0]).with("weight_decay", wd[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("beta", beta[1]).with("weight_decay", wd[1]))).setNormScope(scope),
                all -> clippedReference(q, theta0, true, all, lr, beta, wd));
    }

    @Test
    void clippingFrameworkTakesItsNormsOverTheGroupOrOverAllParameters() {
        double[] lr = {0.2, 0.05}, gamma = {0.3, 0.5}, beta = {0.9, 0.5}, nu = {0.7, 0.3}, wd = {0.1, 0.02};
        checkBothScopes("ClippingFramework", scope -> gs -> new ClippingFramework(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("gamma", gamma[0]).with("beta", beta[0]).with("nu", nu[0]).with("weight_decay", wd[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("gamma", gamma[1]).with("beta", beta[1]).with("nu", nu[1])
                        .with("weight_decay", wd[1]))).setNormScope(scope),
                all -> frameworkReference(q, theta0, all, lr, gamma, beta, nu, wd));
    }

    /** Per group θ ← θ − lr·(g + wd·θ), then the projection onto the ball ‖θ‖ ≤ r of each group's part, or of the whole vector. */
    static double[] projectedReference(Quadratic q, double[] theta0, boolean all, double[] lr, double[] wd, double r) {
        double[] th = theta0.clone();
        for (int t = 0; t < STEPS; t++) {
            double[] g = q.grad(th);
            for (int k = 0; k < 2; k++) for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) th[i] -= lr[k] * (g[i] + wd[k] * th[i]);
            for (int k = 0; k < (all ? 1 : 2); k++) {
                int from = all ? 0 : BOUNDS[k], to = all ? 7 : BOUNDS[k + 1];
                double n = 0;
                for (int i = from; i < to; i++) n += th[i] * th[i];
                n = Math.sqrt(n);
                if (n > r) for (int i = from; i < to; i++) th[i] *= r / n;
            }
        }
        return th;
    }

    @Test
    void projectedGradientDescentConstrainsEachGroupOrAllParameters() {
        double[] lr = {0.2, 0.05}, wd = {0.1, 0.02};
        ConvexSet ball = Ball.origin(0.5);
        checkBothScopes("ProjectedGradientDescent", scope -> gs -> new ProjectedGradientDescent(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("weight_decay", wd[0]).with("set", ball),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("weight_decay", wd[1]).with("set", ball))).setNormScope(scope),
                all -> projectedReference(q, theta0, all, lr, wd, 0.5));
        List<Parameter> ps = Quadratic.params(theta0, DType.FLOAT64, Steps.SHAPES);
        Optimizer two = new ProjectedGradientDescent(List.of(ParamGroup.of(ps.get(0)).with("set", ball),
                ParamGroup.of(ps.get(1)).with("set", Ball.origin(0.5))), 0.1, ball);
        ((ProjectedGradientDescent) two).setNormScope(NormScope.ALL);
        q.setGrads(ps);
        var e = assertThrows(IllegalStateException.class, two::step);
        assertTrue(e.getMessage().startsWith("with NormScope.ALL every group of ProjectedGradientDescent must hold the same set"), e.getMessage());
    }

    @Test
    void aNullScopeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ClippedSGD(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))), 0.1, 1).setNormScope(null));
        assertEquals("norm scope must not be null (GROUP or ALL)", e.getMessage());
        assertEquals(NormScope.GROUP, new NormalizedSGD(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))), 0.1).normScope());
    }
}
