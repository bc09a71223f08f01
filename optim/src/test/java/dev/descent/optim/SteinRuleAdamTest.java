package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.optim.SteinRuleAdam.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Stein-rule Adam against an independent float64 reference of docs/papers.md §1 (both variants, two
 * groups), and every property docs/papers.md §1 lists for it, as QuickTheories properties.
 */
class SteinRuleAdamTest {

    /** Noisy gradients of a quadratic: ∇f(θ) + noise[step], the same for the optimizer and the reference. */
    record Noisy(Quadratic q, double[][] noise, double scale) {
        static Noisy random(SplittableRandom rng, int n, int steps, double noise) {
            double[][] z = new double[steps][];
            for (int s = 0; s < steps; s++) z[s] = Quadratic.gaussian(rng, n, noise);
            return new Noisy(Quadratic.random(rng, n, 0.5, 4), z, 1);
        }

        Noisy scaled(double k) {
            return new Noisy(q, noise, k);
        }

        double[] grad(double[] theta, int step) {
            double[] g = q.grad(theta);
            for (int i = 0; i < g.length; i++) g[i] = scale * (g[i] + noise[step][i]);
            return g;
        }

        void setGrads(List<Parameter> params, int step) {
            double[] g = grad(Quadratic.flat(params), step);
            int at = 0;
            for (Parameter p : params) {
                double[] part = new double[p.numel()];
                System.arraycopy(g, at, part, 0, part.length);
                at += part.length;
                p.setGrad(Tensor.of(part, p.shape()).to(p.dtype()));
            }
        }
    }

    /** Hyperparameters of one reference group over elements [lo, hi). */
    record RefGroup(int lo, int hi, double lr, double b1, double b2, double eps, double wd, int warmup, double cMin, double cMax,
            boolean shrink, Variant variant) {}

    /** docs/papers.md §1 as plain loops; returns θ after every step and c of every group and step. */
    static double[][][] reference(Noisy problem, double[] theta0, int steps, List<RefGroup> groups) {
        int n = theta0.length;
        double[] th = theta0.clone(), m = new double[n], v = new double[n], mr = new double[n], vr = new double[n];
        double[][] thetas = new double[steps][], cs = new double[steps][groups.size()];
        for (int t = 1; t <= steps; t++) {
            double[] g = problem.grad(th, t - 1);
            for (int k = 0; k < groups.size(); k++) {
                RefGroup r = groups.get(k);
                int p = r.hi - r.lo;
                double c = 1;
                if (r.shrink && t != 1 && t > r.warmup && p > 2) {
                    double s2 = 0, d = 0;
                    for (int i = r.lo; i < r.hi; i++) {
                        if (r.variant == Variant.PAPER) {
                            s2 += Math.max(v[i] - m[i] * m[i], 0);
                            d += (g[i] - m[i]) * (g[i] - m[i]);
                        } else if (r.variant == Variant.RAW_MOMENTS) {
                            // the raw gradient's moments after t − 1 steps, bias-corrected
                            double mHat = mr[i] / (1 - Math.pow(r.b1, t - 1)), vHat = vr[i] / (1 - Math.pow(r.b2, t - 1));
                            s2 += Math.max(vHat - mHat * mHat, 0);
                            d += (g[i] - m[i]) * (g[i] - m[i]);
                        } else {
                            double w = (g[i] - m[i]) / (Math.sqrt(v[i]) + r.eps);
                            s2 += w * w;
                            d += w * w;
                        }
                    }
                    s2 /= p;
                    c = Math.min(r.cMax, Math.max(r.cMin, 1 - (p - 2) * s2 / (d + 1e-12)));
                }
                cs[t - 1][k] = c;
                for (int i = r.lo; i < r.hi; i++) {
                    mr[i] = r.b1 * mr[i] + (1 - r.b1) * g[i];
                    vr[i] = r.b2 * vr[i] + (1 - r.b2) * g[i] * g[i];
                    double gh = m[i] + c * (g[i] - m[i]) + r.wd * th[i];
                    m[i] = r.b1 * m[i] + (1 - r.b1) * gh;
                    v[i] = r.b2 * v[i] + (1 - r.b2) * gh * gh;
                    th[i] -= r.lr * Math.sqrt(1 - Math.pow(r.b2, t)) / (1 - Math.pow(r.b1, t)) * m[i] / (Math.sqrt(v[i]) + r.eps);
                }
            }
            thetas[t - 1] = th.clone();
        }
        return new double[][][] {thetas, cs};
    }

    static ParamGroup group(List<Parameter> params, RefGroup r) {
        return ParamGroup.of(params).with("lr", r.lr).with("beta1", r.b1).with("beta2", r.b2).with("eps", r.eps).with("weight_decay", r.wd)
                .with("warmup", r.warmup).with("c_min", r.cMin).with("c_max", r.cMax).with("shrink", r.shrink).with("variant", r.variant);
    }

    static final int[][] SHAPES = {{3}, {2, 2}, {4}};

    /** One tensor's gradient and moments, as the statistics read them (θ is not read). */
    static AdamFamily.Operands[] operands(double[] g, double[] m, double[] v) {
        return new AdamFamily.Operands[] {new AdamFamily.Operands(Flat.zeros(g.length), Flat.wrap(g), Flat.wrap(m), Flat.wrap(v), null)};
    }

    @Test
    void matchesTheReferenceInEveryVariantAndBothDtypes() {
        SplittableRandom rng = new SplittableRandom(11);
        int steps = 12;
        Noisy problem = Noisy.random(rng, 11, steps, 2.0);
        double[] theta0 = Quadratic.gaussian(rng, 11, 1);
        List<List<RefGroup>> configs = List.of(
                List.of(new RefGroup(0, 7, 0.05, 0.9, 0.999, 1e-8, 0, 2, 0.1, 1, true, Variant.PAPER),
                        new RefGroup(7, 11, 0.01, 0.8, 0.99, 1e-6, 0.01, 5, 0.1, 1, false, Variant.PAPER)),
                List.of(new RefGroup(0, 7, 0.05, 0.5, 0.9, 1e-8, 0.1, 0, 0.2, 0.9, true, Variant.PAPER),
                        new RefGroup(7, 11, 0.02, 0.9, 0.999, 1e-3, 0, 3, 0.05, 1, true, Variant.WHITENED)),
                List.of(new RefGroup(0, 7, 0.05, 0.9, 0.99, 1e-8, 0.01, 2, 0.05, 1, true, Variant.RAW_MOMENTS),
                        new RefGroup(7, 11, 0.02, 0.8, 0.999, 1e-8, 0, 0, 0.1, 1, true, Variant.RAW_MOMENTS)));
        for (List<RefGroup> config : configs) {
            double[][][] ref = reference(problem, theta0, steps, config);
            boolean interior = false; // the test must exercise a factor strictly inside (c_min, c_max)
            for (double[] c : ref[1]) interior |= c[0] > config.get(0).cMin() && c[0] < config.get(0).cMax();
            assertTrue(interior, "the reference problem never shrinks strictly inside (c_min, c_max): the test would be vacuous");
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<Parameter> params = Quadratic.params(theta0, dtype, SHAPES);
                var opt = new SteinRuleAdam(List.of(group(params.subList(0, 2), config.get(0)), group(params.subList(2, 3), config.get(1))));
                double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-4;
                for (int s = 0; s < steps; s++) {
                    problem.setGrads(params, s);
                    opt.step();
                    assertClose(ref[0][s], Quadratic.flat(params), tol, "θ after step " + (s + 1) + " " + dtype + " " + config);
                    for (int k = 0; k < 2; k++) {
                        assertEquals(ref[1][s][k], opt.lastShrinkage(k), tol, "c of group " + k + " at step " + (s + 1) + " " + dtype);
                    }
                }
            }
        }
    }

    @Test
    void defaultsAreThePapers() {
        var opt = new SteinRuleAdam(List.of(ParamGroup.of(new Parameter(Tensor.zeros(3)))));
        ParamGroup g = opt.group(0);
        assertEquals(1e-3, g.lr());
        assertEquals(0.9, g.get("beta1"));
        assertEquals(0.999, g.get("beta2"));
        assertEquals(1e-8, g.get("eps"));
        assertEquals(5, g.get("warmup"));
        assertEquals(0.1, g.get("c_min"));
        assertEquals(1.0, g.get("c_max"));
        assertEquals(true, g.flag("shrink"));
        assertEquals(Variant.PAPER, g.option("variant", Variant.class));
        assertTrue(Double.isNaN(opt.lastShrinkage(0)), "no factor before the first step");
    }

    // ------------------------------------------------------------------ properties (docs/papers.md §1)

    /** A random SR-Adam configuration over one group of the given parameters. */
    static ParamGroup randomGroup(SplittableRandom rng, List<Parameter> params) {
        double cMin = rng.nextDouble(0, 1), cMax = rng.nextDouble(cMin, 1);
        return ParamGroup.of(params).with("lr", rng.nextDouble(1e-3, 0.1)).with("beta1", rng.nextDouble(0, 0.99))
                .with("beta2", rng.nextDouble(0.5, 0.9999)).with("eps", rng.nextBoolean() ? 1e-8 : rng.nextDouble(0, 1e-2))
                .with("warmup", rng.nextInt(0, 4)).with("c_min", cMin).with("c_max", cMax)
                .with("variant", rng.nextBoolean() ? Variant.PAPER : Variant.WHITENED);
    }

    static int numel(int[][] shapes) {
        int n = 0;
        for (int[] s : shapes) n += s.length == 1 ? s[0] : s[0] * s[1];
        return n;
    }

    @Test
    void factorOneIsExactlyAdam() {
        qt().forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes), steps = 8;
            Noisy problem = Noisy.random(rng, n, steps, rng.nextDouble(0, 3));
            double[] theta0 = Quadratic.gaussian(rng, n, 1);
            DType dtype = rng.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32;
            double lr = rng.nextDouble(1e-3, 0.1), b1 = rng.nextDouble(0, 0.99), b2 = rng.nextDouble(0.5, 0.9999), wd = rng.nextDouble(0, 0.1);
            boolean shrinkOff = rng.nextBoolean(); // c ≡ 1 either by switching shrinkage off or by c_min = 1
            List<Parameter> a = Quadratic.params(theta0, dtype, shapes), b = Quadratic.params(theta0, dtype, shapes);
            var adam = new Adam(List.of(ParamGroup.of(a).with("lr", lr).with("beta1", b1).with("beta2", b2).with("weight_decay", wd)
                    .with("paper_epsilon", true)));
            var sr = new SteinRuleAdam(List.of(ParamGroup.of(b).with("lr", lr).with("beta1", b1).with("beta2", b2).with("weight_decay", wd)
                    .with("warmup", 0).with("shrink", !shrinkOff).with("c_min", shrinkOff ? 0.1 : 1.0)));
            for (int s = 0; s < steps; s++) {
                problem.setGrads(a, s);
                problem.setGrads(b, s);
                adam.step();
                sr.step();
                assertEquals(1.0, sr.lastShrinkage(0));
            }
            assertBitwise(Quadratic.flat(a), Quadratic.flat(b), "SR-Adam with c ≡ 1 vs Adam");
        });
    }

    @Test
    void factorStaysWithinItsBounds() {
        qt().forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes), steps = 8;
            Noisy problem = Noisy.random(rng, n, steps, rng.nextDouble(0, 5));
            List<Parameter> params = Quadratic.params(Quadratic.gaussian(rng, n, 1), DType.FLOAT64, shapes);
            var opt = new SteinRuleAdam(List.of(randomGroup(rng, params)));
            ParamGroup g = opt.group(0);
            for (int s = 0; s < steps; s++) {
                problem.setGrads(params, s);
                opt.step();
                double c = opt.lastShrinkage(0);
                if (n <= 2 || s + 1 <= Math.max(1, g.get("warmup"))) assertEquals(1.0, c, "no shrinkage in warm-up or for p <= 2");
                else assertTrue(c >= g.get("c_min") && c <= g.get("c_max"), "c = " + c + " outside [" + g.get("c_min") + ", " + g.get("c_max") + "]");
            }
        });
        qt().forAll(longs().all()).checkAssert(seed -> { // the pure factor, over extreme statistics too
            SplittableRandom rng = new SplittableRandom(seed);
            double cMin = rng.nextDouble(0, 1), cMax = rng.nextDouble(cMin, 1);
            double s2 = rng.nextBoolean() ? 0 : Math.exp(rng.nextDouble(-40, 40)), d = rng.nextBoolean() ? 0 : Math.exp(rng.nextDouble(-40, 40));
            long p = rng.nextLong(3, 1_000_000);
            double c = SteinRuleAdam.shrinkageFactor(p, s2, d, cMin, cMax);
            assertTrue(c >= cMin && c <= cMax, "c = " + c);
            assertEquals(1.0, SteinRuleAdam.shrinkageFactor(rng.nextLong(0, 3), s2, d, cMin, cMax), "p <= 2 gives c = 1");
        });
    }

    @Test
    void shrunkGradientLiesOnTheSegmentFromMToG() {
        // With β1 = 0 the new first moment is ĝ itself: m ← m + (ĝ − m).
        qt().forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes), steps = 6;
            Noisy problem = Noisy.random(rng, n, steps, rng.nextDouble(0, 5));
            List<Parameter> params = Quadratic.params(Quadratic.gaussian(rng, n, 1), DType.FLOAT64, shapes);
            var opt = new SteinRuleAdam(List.of(randomGroup(rng, params).with("beta1", 0.0)));
            for (int s = 0; s < steps; s++) {
                problem.setGrads(params, s);
                double[] m = moment(opt, params.size()), g = grads(params);
                opt.step();
                double[] gh = moment(opt, params.size());
                for (int i = 0; i < n; i++) {
                    double lo = Math.min(m[i], g[i]), hi = Math.max(m[i], g[i]), slack = 1e-12 * (Math.abs(lo) + Math.abs(hi));
                    assertTrue(gh[i] >= lo - slack && gh[i] <= hi + slack, "ĝ = " + gh[i] + " outside [" + lo + ", " + hi + "] at step " + (s + 1));
                }
            }
        });
    }

    static double[] moment(Optimizer opt, int tensors) {
        List<Tensor> m = new ArrayList<>();
        for (int i = 0; i < tensors; i++) m.add(opt.buffer(0, i, "exp_avg"));
        return Quadratic.flat(m);
    }

    static double[] grads(List<Parameter> params) {
        List<Tensor> g = new ArrayList<>();
        for (Parameter p : params) g.add(p.grad());
        return Quadratic.flat(g);
    }

    @Test
    void factorZeroFreezesTheFirstMoment() {
        qt().withExamples(50).forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes), steps = 6;
            if (n <= 2) return; // p <= 2 never shrinks
            Noisy problem = Noisy.random(rng, n, steps, 1);
            List<Parameter> params = Quadratic.params(Quadratic.gaussian(rng, n, 1), rng.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32, shapes);
            var opt = new SteinRuleAdam(List.of(randomGroup(rng, params).with("warmup", 1).with("c_min", 0.0).with("c_max", 0.0)));
            problem.setGrads(params, 0);
            opt.step();
            double[] frozen = moment(opt, params.size());
            for (int s = 1; s < steps; s++) {
                problem.setGrads(params, s);
                opt.step();
                assertEquals(0.0, opt.lastShrinkage(0));
                assertBitwise(frozen, moment(opt, params.size()), "m at step " + (s + 1));
            }
        });
    }

    @Test
    void gradientEqualToTheMomentGivesNoNaN() {
        qt().withExamples(50).forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes);
            Noisy problem = Noisy.random(rng, n, 3, 1);
            List<Parameter> params = Quadratic.params(Quadratic.gaussian(rng, n, 1), DType.FLOAT64, shapes);
            var opt = new SteinRuleAdam(List.of(randomGroup(rng, params).with("warmup", 1)));
            for (int s = 0; s < 3; s++) {
                problem.setGrads(params, s);
                opt.step();
            }
            for (int i = 0; i < params.size(); i++) params.get(i).setGrad(opt.buffer(0, i, "exp_avg").clone());
            opt.step();
            assertTrue(Double.isFinite(opt.lastShrinkage(0)), "c = " + opt.lastShrinkage(0));
            for (double x : Quadratic.flat(params)) assertTrue(Double.isFinite(x), "θ became " + x);
        });
    }

    @Test
    void scalingTheLossLeavesTheFactorUnchanged() {
        // With ε = 0 Adam's trajectory is scale-free, so the gradients of k·f are k times those of f at
        // every step, and c must not change (up to the 1e-12 guard and rounding).
        qt().withExamples(50).forAll(ParamShapes.vectorsAndMatrices(), longs().all()).checkAssert((shapes, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int n = numel(shapes), steps = 8;
            Noisy problem = Noisy.random(rng, n, steps, rng.nextDouble(0.5, 3));
            double k = Math.exp(rng.nextDouble(Math.log(1e-2), Math.log(1e2)));
            double[] theta0 = Quadratic.gaussian(rng, n, 1);
            List<Parameter> a = Quadratic.params(theta0, DType.FLOAT64, shapes), b = Quadratic.params(theta0, DType.FLOAT64, shapes);
            long config = rng.nextLong();
            var optA = new SteinRuleAdam(List.of(randomGroup(new SplittableRandom(config), a).with("eps", 0.0)));
            var optB = new SteinRuleAdam(List.of(randomGroup(new SplittableRandom(config), b).with("eps", 0.0)));
            Noisy scaled = problem.scaled(k);
            for (int s = 0; s < steps; s++) {
                problem.setGrads(a, s);
                scaled.setGrads(b, s);
                optA.step();
                optB.step();
                assertEquals(optA.lastShrinkage(0), optB.lastShrinkage(0), 1e-8, "c at step " + (s + 1) + " with k = " + k);
            }
        });
        // the statistics themselves: c(kg, km, k²v) = c(g, m, v); p and the scale k shrink, the vectors come from the seed
        qt().forAll(integers().between(3, 49), doubles().between(Math.log(1e-3), Math.log(1e3)), longs().all()).checkAssert((p, logK, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double k = Math.exp(logK);
            double[] g = Quadratic.gaussian(rng, p, 1), m = Quadratic.gaussian(rng, p, 1), v = new double[p];
            for (int i = 0; i < p; i++) v[i] = m[i] * m[i] + rng.nextDouble(0, 2);
            double[] gk = g.clone(), mk = m.clone(), vk = v.clone();
            for (int i = 0; i < p; i++) {
                gk[i] *= k;
                mk[i] *= k;
                vk[i] *= k * k;
            }
            for (Variant variant : Variant.values()) {
                double[] st = SteinRuleAdam.statistics(operands(g, m, v), variant, 0);
                double[] sk = SteinRuleAdam.statistics(operands(gk, mk, vk), variant, 0);
                assertEquals(SteinRuleAdam.shrinkageFactor(p, st[0], st[1], 0, 1), SteinRuleAdam.shrinkageFactor(p, sk[0], sk[1], 0, 1), 1e-6,
                        variant + " with k = " + k);
            }
        });
    }

    @Test
    void whitenedVariantGivesTheConstantFactorTwoOverP() {
        qt().forAll(integers().between(3, 63), longs().all()).checkAssert((p, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // values and hyperparameters
            int steps = 6;
            Noisy problem = Noisy.random(rng, p, steps, rng.nextDouble(0.1, 3));
            List<Parameter> params = Quadratic.params(Quadratic.gaussian(rng, p, 1), DType.FLOAT64, new int[] {p});
            var opt = new SteinRuleAdam(List.of(randomGroup(rng, params).with("variant", Variant.WHITENED).with("warmup", 1).with("c_max", 1.0)));
            double cMin = opt.group(0).get("c_min");
            for (int s = 0; s < steps; s++) {
                problem.setGrads(params, s);
                opt.step();
                if (s == 0) continue;
                assertEquals(Math.max(cMin, 2.0 / p), opt.lastShrinkage(0), 1e-9, "p = " + p + " at step " + (s + 1));
            }
        });
    }

    @Test
    void oneGroupsStatisticsNeverAffectAnother() {
        qt().withExamples(50).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int steps = 8;
            Noisy problem = Noisy.random(rng, 7, steps, 1); // group 0's gradients depend on group 0 only
            double[] theta0 = Quadratic.gaussian(rng, 11, 1);
            long config0 = rng.nextLong(), config1 = rng.nextLong(), other = rng.nextLong();
            List<Parameter> a = Quadratic.params(theta0, DType.FLOAT64, SHAPES), b = Quadratic.params(theta0, DType.FLOAT64, SHAPES);
            var optA = new SteinRuleAdam(List.of(randomGroup(new SplittableRandom(config0), a.subList(0, 2)),
                    randomGroup(new SplittableRandom(config1), a.subList(2, 3))));
            var optB = new SteinRuleAdam(List.of(randomGroup(new SplittableRandom(config0), b.subList(0, 2)),
                    randomGroup(new SplittableRandom(other), b.subList(2, 3))));
            SplittableRandom noiseA = new SplittableRandom(config1), noiseB = new SplittableRandom(other);
            for (int s = 0; s < steps; s++) {
                problem.setGrads(a.subList(0, 2), s);
                problem.setGrads(b.subList(0, 2), s);
                a.get(2).setGrad(Tensor.of(Quadratic.gaussian(noiseA, 4, 1))); // group 1 differs in gradients
                b.get(2).setGrad(Tensor.of(Quadratic.gaussian(noiseB, 4, 10))); // and in hyperparameters
                optA.step();
                optB.step();
                assertEquals(optA.lastShrinkage(0), optB.lastShrinkage(0), "c of group 0 at step " + (s + 1));
                assertBitwise(Quadratic.flat(a.subList(0, 2)), Quadratic.flat(b.subList(0, 2)), "group 0 at step " + (s + 1));
            }
        });
    }

    @Test
    void positivePartJamesSteinBeatsTheRawObservationInMeanSquaredError() {
        // X = θ + σ·z in p ≥ 3 dimensions, known σ²: shrinking X toward a target m by the factor the
        // optimizer uses (c_min = 0, c_max = 1) must have lower MSE than X. Paired over the same draws.
        qt().withExamples(30).forAll(integers().between(3, 29), doubles().between(-3, 3), longs().all()).checkAssert((p, logSigma, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed); // θ, the target and the noise
            int trials = 2000;
            double sigma = Math.exp(logSigma);
            double[] target = Quadratic.gaussian(rng, p, 1), theta = new double[p];
            double distance = rng.nextDouble(0, 3 * Math.sqrt(p)) * sigma; // ||θ − m|| up to 3σ√p
            double[] dir = Quadratic.gaussian(rng, p, 1);
            double dn = Math.sqrt(dot(dir, dir));
            for (int i = 0; i < p; i++) theta[i] = target[i] + distance * dir[i] / dn;
            double rawError = 0, steinError = 0;
            double[] x = new double[p];
            for (int t = 0; t < trials; t++) {
                double d = 0;
                for (int i = 0; i < p; i++) {
                    x[i] = theta[i] + sigma * rng.nextGaussian();
                    d += (x[i] - target[i]) * (x[i] - target[i]);
                }
                double c = SteinRuleAdam.shrinkageFactor(p, sigma * sigma, d, 0, 1);
                for (int i = 0; i < p; i++) {
                    double est = target[i] + c * (x[i] - target[i]);
                    rawError += (x[i] - theta[i]) * (x[i] - theta[i]);
                    steinError += (est - theta[i]) * (est - theta[i]);
                }
            }
            assertTrue(steinError < rawError, "James–Stein MSE " + steinError / trials + " >= raw " + rawError / trials + " (p = " + p + ")");
        });
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
