package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.optim.ClippingFramework.Clip;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The clipping family (docs/papers.md §4) against independent float64 references, and every property
 * docs/papers.md §4 lists for clipping as QuickTheories properties, including the exact special cases.
 */
class ClippingTest {
    static final int STEPS = 6;

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    // ------------------------------------------------------------------ references

    /** Clipped GD (ICLR 2020); counts the steps that were clipped in clipped[0]. */
    static double[] clippedReference(Quadratic q, double[] theta0, int steps, double eta, double gamma, double wd, int[] clipped) {
        double[] th = theta0.clone();
        for (int t = 0; t < steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) g[i] += wd * th[i];
            double n = norm(g);
            double h = Math.min(eta, gamma * eta / n);
            if (h < eta) clipped[0]++;
            for (int i = 0; i < th.length; i++) th[i] -= h * g[i];
        }
        return th;
    }

    static double[] normalizedReference(Quadratic q, double[] theta0, int steps, double eta, double beta, double wd) {
        double[] th = theta0.clone();
        for (int t = 0; t < steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) g[i] += wd * th[i];
            double h = eta / (norm(g) + beta);
            for (int i = 0; i < th.length; i++) th[i] -= h * g[i];
        }
        return th;
    }

    static double hReference(double[] u, double eta, double gamma, boolean hard) {
        double n = norm(u);
        return hard ? Math.min(eta, gamma / n) : eta / (1 + eta * n / gamma);
    }

    /** The NeurIPS 2020 framework; counts steps whose h(m) or h(g) was below η in clipped[0]. */
    static double[] frameworkReference(Quadratic q, double[] theta0, int steps, double eta, double gamma, double beta, double nu, double wd,
            boolean hard, int[] clipped) {
        double[] th = theta0.clone(), m = new double[th.length];
        for (int t = 0; t < steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                g[i] += wd * th[i];
                m[i] = beta * m[i] + (1 - beta) * g[i];
            }
            double hm = hReference(m, eta, gamma, hard), hg = hReference(g, eta, gamma, hard);
            if (hm < eta * 0.999 || hg < eta * 0.999) clipped[0]++;
            for (int i = 0; i < th.length; i++) th[i] -= nu * hm * m[i] + (1 - nu) * hg * g[i];
        }
        return th;
    }

    final SplittableRandom rng = new SplittableRandom(8);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 3);

    @Test
    void clippedSgdMatchesReference() {
        double[][] configs = {{0.1, 1.0, 0}, {0.2, 2.0, 0.1}, {0.05, 1e9, 0}}; // η, γ, wd
        for (double[] c : configs) {
            int[] clipped = {0};
            double[] want = clippedReference(q, theta0, STEPS, c[0], c[1], c[2], clipped);
            if (c[1] < 1e9) assertTrue(clipped[0] > 0, "the reference never clips: the test would be vacuous");
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new ClippedSGD(List.of(ParamGroup.of(ps).with("lr", c[0])
                        .with("gamma", c[1]).with("weight_decay", c[2]))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "clipped SGD " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    @Test
    void normalizedSgdMatchesReference() {
        double[][] configs = {{0.1, 0, 0}, {0.3, 0.5, 0.1}}; // η, β, wd
        for (double[] c : configs) {
            double[] want = normalizedReference(q, theta0, STEPS, c[0], c[1], c[2]);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new NormalizedSGD(List.of(ParamGroup.of(ps).with("lr", c[0])
                        .with("beta", c[1]).with("weight_decay", c[2]))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "normalised SGD " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    @Test
    void frameworkMatchesReference() {
        double[][] configs = { // η, γ, β, ν, wd, hard (1) / soft (0)
                {0.1, 1.0, 0.9, 1, 0, 1}, {0.1, 0.5, 0.999, 0.7, 0.01, 1}, {0.15, 0.25, 0.9, 1, 0, 0}, {0.1, 1.0, 0.999, 0.7, 5e-4, 0},
                {0.1, 1.0, 0.5, 0, 0, 1}};
        for (double[] c : configs) {
            int[] clipped = {0};
            double[] want = frameworkReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], c[4], c[5] == 1, clipped);
            assertTrue(clipped[0] > 0, "the reference never clips: the test would be vacuous");
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new ClippingFramework(List.of(ParamGroup.of(ps).with("lr", c[0])
                        .with("gamma", c[1]).with("beta", c[2]).with("nu", c[3]).with("weight_decay", c[4])
                        .with("clip", c[5] == 1 ? Clip.HARD : Clip.SOFT))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "framework " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    // ------------------------------------------------------------------ property drivers

    /** A run on random gradients: before each step every gradient is set to a fresh random tensor. */
    static final class RandomRun {
        final SplittableRandom rng;
        final int[][] shapes;
        final List<Parameter> params;
        final double gradScale;

        /** Parameters of the given shapes (drawn by QuickTheories: they shrink); values and hyperparameters from the seed. */
        RandomRun(int[][] shapes, long seed) {
            rng = new SplittableRandom(seed);
            this.shapes = shapes;
            int n = ParamShapes.numel(shapes);
            gradScale = Math.exp(rng.nextDouble(-5, 5));
            params = Quadratic.params(Quadratic.gaussian(rng, n, 1), DType.FLOAT64, shapes);
        }

        /** A copy of the starting parameters (same values, new tensors). */
        List<Parameter> twin() {
            List<Parameter> out = new ArrayList<>();
            for (Parameter p : params) out.add(new Parameter(p.name(), p));
            return out;
        }

        /** Random gradients for one step, as arrays, to set on any number of twins. */
        double[][] gradients() {
            double[][] g = new double[params.size()][];
            for (int i = 0; i < g.length; i++) g[i] = Quadratic.gaussian(rng, params.get(i).numel(), gradScale);
            return g;
        }

        static void set(List<Parameter> ps, double[][] g) {
            for (int i = 0; i < ps.size(); i++) ps.get(i).setGrad(Tensor.of(g[i], ps.get(i).shape()));
        }

        static double gradNorm(double[][] g) {
            double s = 0;
            for (double[] x : g) for (double v : x) s += v * v;
            return Math.sqrt(s);
        }
    }

    static double[] difference(double[] after, double[] before) {
        double[] d = new double[after.length];
        for (int i = 0; i < d.length; i++) d[i] = after[i] - before[i];
        return d;
    }

    // ------------------------------------------------------------------ properties (docs/papers.md §4)

    @Test
    void clippedStepIsNeverLongerThanGammaEta() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = Math.exp(run.rng.nextDouble(-5, 1)), gamma = Math.exp(run.rng.nextDouble(-3, 3));
            var opt = new ClippedSGD(List.of(ParamGroup.of(run.params).with("lr", eta).with("gamma", gamma)
                    .with("weight_decay", run.rng.nextBoolean() ? 0 : run.rng.nextDouble(0, 0.1))));
            for (int s = 0; s < 5; s++) {
                RandomRun.set(run.params, run.gradients());
                double[] before = Quadratic.flat(run.params);
                opt.step();
                double len = norm(difference(Quadratic.flat(run.params), before));
                assertTrue(len <= gamma * eta * (1 + 1e-12), "step " + len + " > γη = " + gamma * eta);
            }
        });
    }

    @Test
    void frameworkStepWithHardClippingIsNeverLongerThanGammaForEveryNu() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = run.rng.nextInt(8) == 0 ? Double.POSITIVE_INFINITY : Math.exp(run.rng.nextDouble(-5, 3));
            double gamma = Math.exp(run.rng.nextDouble(-3, 3)), nu = run.rng.nextInt(4) == 0 ? run.rng.nextInt(2) : run.rng.nextDouble();
            var opt = new ClippingFramework(List.of(ParamGroup.of(run.params).with("lr", eta).with("gamma", gamma).with("nu", nu)
                    .with("beta", run.rng.nextDouble(0, 0.9999)).with("weight_decay", run.rng.nextBoolean() ? 0 : run.rng.nextDouble(0, 0.1))));
            for (int s = 0; s < 6; s++) {
                RandomRun.set(run.params, run.gradients());
                double[] before = Quadratic.flat(run.params);
                opt.step();
                double len = norm(difference(Quadratic.flat(run.params), before));
                assertTrue(len <= gamma * (1 + 1e-12), "step " + len + " > γ = " + gamma + " (ν = " + nu + ", η = " + eta + ")");
            }
        });
    }

    @Test
    void belowTheThresholdClippedSgdIsExactlySgd() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double[][][] grads = new double[5][][];
            double largest = 0;
            for (int s = 0; s < grads.length; s++) {
                grads[s] = run.gradients();
                largest = Math.max(largest, RandomRun.gradNorm(grads[s]));
            }
            double eta = Math.exp(run.rng.nextDouble(-5, 0)), gamma = largest * run.rng.nextDouble(1, 3);
            List<Parameter> a = run.params, b = run.twin();
            var clipped = new ClippedSGD(List.of(ParamGroup.of(a).with("lr", eta).with("gamma", gamma)));
            var sgd = new SGD(List.of(ParamGroup.of(b).with("lr", eta)));
            for (double[][] g : grads) {
                RandomRun.set(a, g);
                RandomRun.set(b, g);
                clipped.step();
                sgd.step();
            }
            assertBitwise(Quadratic.flat(b), Quadratic.flat(a), "clipped SGD below the threshold vs SGD");
        });
    }

    /** Runs two framework configurations on the same random gradients; returns both parameter vectors. */
    static double[][] twoFrameworks(RandomRun run, int steps, Function<List<Parameter>, Optimizer> first,
            Function<List<Parameter>, Optimizer> second) {
        List<Parameter> a = run.params, b = run.twin();
        Optimizer oa = first.apply(a), ob = second.apply(b);
        for (int s = 0; s < steps; s++) {
            double[][] g = run.gradients();
            RandomRun.set(a, g);
            RandomRun.set(b, g);
            oa.step();
            ob.step();
        }
        return new double[][] {Quadratic.flat(a), Quadratic.flat(b)};
    }

    @Test
    void nuOneWithBetaZeroEqualsNuZero() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = Math.exp(run.rng.nextDouble(-5, 1)), gamma = Math.exp(run.rng.nextDouble(-3, 3)), beta = run.rng.nextDouble(0, 0.999);
            double wd = run.rng.nextBoolean() ? 0 : 0.01;
            Clip clip = run.rng.nextBoolean() ? Clip.HARD : Clip.SOFT;
            double[][] r = twoFrameworks(run, 6,
                    ps -> new ClippingFramework(List.of(ParamGroup.of(ps).with("lr", eta).with("gamma", gamma).with("nu", 1.0).with("beta", 0.0)
                            .with("weight_decay", wd).with("clip", clip))),
                    ps -> new ClippingFramework(List.of(ParamGroup.of(ps).with("lr", eta).with("gamma", gamma).with("nu", 0.0).with("beta", beta)
                            .with("weight_decay", wd).with("clip", clip))));
            assertBitwise(r[1], r[0], "ν = 1, β = 0 vs ν = 0");
        });
    }

    @Test
    void nuZeroIsClippedSgd() {
        // The framework's threshold bounds the step (γ'), the ICLR one the gradient (γ = γ'/η). With η a
        // power of two γ'/η·η is exact, so the two must agree bit for bit; otherwise to rounding.
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            boolean exact = run.rng.nextBoolean();
            double eta = exact ? Math.scalb(1.0, -run.rng.nextInt(0, 8)) : Math.exp(run.rng.nextDouble(-5, 1));
            double gammaStep = Math.exp(run.rng.nextDouble(-3, 3)), wd = run.rng.nextBoolean() ? 0 : 0.01;
            double[][] r = twoFrameworks(run, 6,
                    ps -> new ClippingFramework(List.of(ParamGroup.of(ps).with("lr", eta).with("gamma", gammaStep).with("nu", 0.0)
                            .with("beta", run.rng.nextDouble(0, 0.999)).with("weight_decay", wd))),
                    ps -> new ClippedSGD(List.of(ParamGroup.of(ps).with("lr", eta).with("gamma", gammaStep / eta).with("weight_decay", wd))));
            if (exact) assertBitwise(r[1], r[0], "framework ν = 0 vs clipped SGD, η = " + eta);
            else assertClose(r[1], r[0], 1e-12, "framework ν = 0 vs clipped SGD, η = " + eta);
        });
    }

    @Test
    void infiniteGammaGivesSgdEmaMomentumAndQuasiHyperbolicMomentum() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = Math.exp(run.rng.nextDouble(-5, 0)), beta = run.rng.nextDouble(0, 0.999), wd = run.rng.nextBoolean() ? 0 : 0.01;
            double nu = switch (run.rng.nextInt(3)) {
                case 0 -> 0.0;
                case 1 -> 1.0;
                default -> run.rng.nextDouble();
            };
            List<Parameter> a = run.params, b = run.twin();
            var framework = new ClippingFramework(List.of(ParamGroup.of(a).with("lr", eta).with("gamma", Double.POSITIVE_INFINITY)
                    .with("nu", nu).with("beta", beta).with("weight_decay", wd).with("clip", run.rng.nextBoolean() ? Clip.HARD : Clip.SOFT)));
            var sgd = new SGD(List.of(ParamGroup.of(b).with("lr", eta).with("weight_decay", wd)));
            double[] th = Quadratic.flat(a), m = new double[th.length]; // QHM reference: x ← x − η·(ν·m + (1 − ν)·g)
            for (int s = 0; s < 6; s++) {
                double[][] g = run.gradients();
                RandomRun.set(a, g);
                RandomRun.set(b, g);
                framework.step();
                sgd.step();
                int at = 0;
                for (double[] part : g) {
                    for (double gi : part) {
                        double gd = gi + wd * th[at];
                        m[at] = beta * m[at] + (1 - beta) * gd;
                        th[at] -= eta * (nu * m[at] + (1 - nu) * gd);
                        at++;
                    }
                }
            }
            assertClose(th, Quadratic.flat(a), 1e-12, "γ = ∞, ν = " + nu + " vs EMA/QHM momentum");
            if (nu == 0) assertBitwise(Quadratic.flat(b), Quadratic.flat(a), "γ = ∞, ν = 0 vs SGD");
        });
    }

    @Test
    void infiniteEtaWithNuOneIsNormalisedMomentum() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double gamma = Math.exp(run.rng.nextDouble(-3, 1)), beta = run.rng.nextDouble(0, 0.999);
            Clip clip = run.rng.nextBoolean() ? Clip.HARD : Clip.SOFT;
            var opt = new ClippingFramework(List.of(ParamGroup.of(run.params).with("lr", Double.POSITIVE_INFINITY).with("gamma", gamma)
                    .with("nu", 1.0).with("beta", beta).with("clip", clip)));
            double[] th = Quadratic.flat(run.params), m = new double[th.length];
            for (int s = 0; s < 5; s++) {
                double[][] g = run.gradients();
                RandomRun.set(run.params, g);
                opt.step();
                double[] gf = flatten(g);
                for (int i = 0; i < m.length; i++) m[i] = beta * m[i] + (1 - beta) * gf[i];
                double n = norm(m);
                for (int i = 0; i < th.length; i++) th[i] -= gamma * m[i] / n;
            }
            assertClose(th, Quadratic.flat(run.params), 1e-12, "η = ∞, ν = 1 vs normalised momentum");
        });
    }

    @Test
    void softClippingIsWithinAFactorTwoOfHard() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double n = Math.exp(rng.nextDouble(-20, 20)), eta = Math.exp(rng.nextDouble(-10, 5)), gamma = Math.exp(rng.nextDouble(-10, 5));
            double hard = ClippingFramework.h(n, eta, gamma, Clip.HARD), soft = ClippingFramework.h(n, eta, gamma, Clip.SOFT);
            assertTrue(soft <= hard * (1 + 1e-15) && hard <= 2 * soft * (1 + 1e-15), "soft " + soft + ", hard " + hard);
        });
    }

    @Test
    void normalisedSgdMovesExactlyEta() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = Math.exp(run.rng.nextDouble(-8, 2));
            var opt = new NormalizedSGD(List.of(ParamGroup.of(run.params).with("lr", eta)));
            for (int s = 0; s < 4; s++) {
                RandomRun.set(run.params, run.gradients());
                double[] before = Quadratic.flat(run.params);
                opt.step();
                double len = norm(difference(Quadratic.flat(run.params), before));
                assertEquals(eta, len, 1e-9 * (eta + norm(before)), "normalised step length");
            }
        });
    }

    @Test
    void zeroGradientMovesNothingAndMakesNoNaN() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double eta = run.rng.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : Math.exp(run.rng.nextDouble(-5, 1));
            double gamma = Math.exp(run.rng.nextDouble(-3, 3));
            List<Optimizer> opts = new ArrayList<>();
            if (Double.isFinite(eta)) {
                opts.add(new ClippedSGD(List.of(ParamGroup.of(run.params).with("lr", eta).with("gamma", gamma))));
                opts.add(new NormalizedSGD(List.of(ParamGroup.of(run.params).with("lr", eta).with("beta", run.rng.nextBoolean() ? 0 : 0.5))));
            }
            opts.add(new ClippingFramework(List.of(ParamGroup.of(run.params).with("lr", eta).with("gamma", gamma).with("nu", run.rng.nextDouble())
                    .with("beta", run.rng.nextDouble(0, 0.999)).with("clip", run.rng.nextBoolean() ? Clip.HARD : Clip.SOFT))));
            double[] before = Quadratic.flat(run.params);
            for (Optimizer opt : opts) {
                for (Parameter p : run.params) p.setGrad(Tensor.zerosLike(p));
                opt.step(); // the framework's first step: m = 0 as well
                assertBitwise(before, Quadratic.flat(run.params), opt.getClass().getSimpleName() + " with g = 0");
            }
            var framework = opts.getLast();
            for (int i = 0; i < run.params.size(); i++) {
                for (double x : framework.buffer(0, i, "momentum_buffer").toDoubleArray()) assertTrue(x == 0, "momentum became " + x);
            }
        });
    }

    @Test
    void stepIsParallelToMinusGradientForNuZeroAndToMinusMomentumForNuOne() {
        qt().forAll(ParamShapes.matrices(), longs().all()).checkAssert((shapes, seed) -> {
            RandomRun run = new RandomRun(shapes, seed);
            double nu = run.rng.nextInt(2);
            var opt = new ClippingFramework(List.of(ParamGroup.of(run.params).with("lr", Math.exp(run.rng.nextDouble(-5, 1)))
                    .with("gamma", Math.exp(run.rng.nextDouble(-3, 3))).with("nu", nu).with("beta", run.rng.nextDouble(0, 0.999))
                    .with("clip", run.rng.nextBoolean() ? Clip.HARD : Clip.SOFT)));
            for (int s = 0; s < 5; s++) {
                double[][] g = run.gradients();
                RandomRun.set(run.params, g);
                double[] before = Quadratic.flat(run.params);
                opt.step();
                double[] step = difference(Quadratic.flat(run.params), before);
                double[] direction = nu == 0 ? flatten(g) : momentum(opt, run.params.size());
                double cos = -SteinRuleAdamTest.dot(step, direction) / (norm(step) * norm(direction));
                assertEquals(1.0, cos, 1e-12, "cos(step, −" + (nu == 0 ? "g" : "m") + ")");
            }
        });
    }

    static double[] flatten(double[][] parts) {
        List<Tensor> ts = new ArrayList<>();
        for (double[] p : parts) ts.add(Tensor.of(p));
        return Quadratic.flat(ts);
    }

    static double[] momentum(Optimizer opt, int tensors) {
        List<Tensor> m = new ArrayList<>();
        for (int i = 0; i < tensors; i++) m.add(opt.buffer(0, i, "momentum_buffer"));
        return Quadratic.flat(m);
    }

    @Test
    void deterministicClippedGdIsMonotoneOnXToTheFourth() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double x0 = (rng.nextBoolean() ? 1 : -1) * Math.exp(rng.nextDouble(Math.log(0.1), Math.log(100)));
            Parameter x = new Parameter(Tensor.of(new double[] {x0}));
            double eta = 1.0 / 120, gamma = 4; // the ICLR theorem's choice for (L0, L1) = (12, 3)
            var opt = new ClippedSGD(List.of(ParamGroup.of(x)), eta, gamma);
            double f = Math.pow(x0, 4);
            for (int s = 0; s < 300; s++) {
                double xv = x.item();
                x.setGrad(Tensor.of(new double[] {4 * xv * xv * xv}));
                opt.step();
                double next = Math.pow(x.item(), 4);
                assertTrue(next <= f, "f rose from " + f + " to " + next + " at step " + (s + 1) + " from x0 = " + x0);
                f = next;
            }
        });
    }
}
