package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LAMB and LARS (issue 17): 20 steps with two groups (the second with {@code trust_ratio = false}) and
 * weight decay against float64 loops written from the papers' formulas; the groups without the trust
 * ratio bit for bit against AdamW/Adam and SGD; a save/load in mid-run resumes bit for bit; bad values
 * are named with their group; both minimise a quadratic.
 */
class LayerwiseTrustTest {
    static final int STEPS = 20;
    /** Steps.SHAPES is {3} then {2, 2}: elements [0, 3) are tensor 0 (group 0), [3, 7) tensor 1 (group 1). */
    static final int[] BOUNDS = {0, 3, 7};
    static final int[] ONE_TENSOR_EACH = {1, 1};

    final SplittableRandom rng = new SplittableRandom(17);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    @TempDir
    Path dir;

    static double norm(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i] * x[i];
        return Math.sqrt(s);
    }

    // ------------------------------------------------------------------ LAMB

    /**
     * LAMB as You et al. 2020 (Algorithm 2) write it, one tensor per group: m̂ = m/(1 − β1^t),
     * v̂ = v/(1 − β2^t), r = m̂/(sqrt(v̂) + ε) + λθ, θ ← θ − lr·φ(‖θ‖)/‖r‖·r (φ = identity; 1 when a
     * norm is 0 or the group has no trust ratio). Hyperparameters are indexed by group.
     */
    static double[] lambReference(Quadratic q, double[] theta0, int steps, double[] lr, double[] b1, double[] b2, double[] eps, double[] wd,
            boolean[] trust) {
        double[] th = theta0.clone(), m = new double[th.length], v = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int k = 0; k < 2; k++) {
                int from = BOUNDS[k], to = BOUNDS[k + 1];
                double[] r = new double[th.length];
                for (int i = from; i < to; i++) {
                    m[i] = b1[k] * m[i] + (1 - b1[k]) * g[i];
                    v[i] = b2[k] * v[i] + (1 - b2[k]) * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(b1[k], t)), vHat = v[i] / (1 - Math.pow(b2[k], t));
                    r[i] = mHat / (Math.sqrt(vHat) + eps[k]) + wd[k] * th[i];
                }
                double wn = norm(th, from, to), rn = norm(r, from, to);
                double ratio = trust[k] && wn > 0 && rn > 0 ? wn / rn : 1;
                for (int i = from; i < to; i++) th[i] -= lr[k] * ratio * r[i];
            }
        }
        return th;
    }

    static LAMB lamb(List<List<Parameter>> gs) {
        return new LAMB(List.of(
                ParamGroup.of(gs.get(0)).with("lr", 0.05).with("beta1", 0.8).with("beta2", 0.99).with("eps", 1e-6).with("weight_decay", 0.1),
                ParamGroup.of(gs.get(1)).with("lr", 0.02).with("eps", 1e-3).with("weight_decay", 0.05).with("trust_ratio", false)));
    }

    @Test
    void lambMatchesThePaperOverTwoGroups() {
        double[] want = lambReference(q, theta0, STEPS, new double[] {0.05, 0.02}, new double[] {0.8, 0.9}, new double[] {0.99, 0.999},
                new double[] {1e-6, 1e-3}, new double[] {0.1, 0.05}, new boolean[] {true, false});
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, LayerwiseTrustTest::lamb);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "LAMB " + dtype);
        }
        // The trust ratio matters: without it, group 0 ends elsewhere.
        double[] plain = lambReference(q, theta0, STEPS, new double[] {0.05, 0.02}, new double[] {0.8, 0.9}, new double[] {0.99, 0.999},
                new double[] {1e-6, 1e-3}, new double[] {0.1, 0.05}, new boolean[] {false, false});
        assertTrue(Math.abs(plain[0] - want[0]) > 1e-3, "the trust ratio should change group 0's steps");
    }

    @Test
    void lambWithoutTrustRatioIsAdamWAndWithoutDecayAdam() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] lamb = Steps.run(q, theta0, dtype, STEPS, ps -> new LAMB(List.of(ParamGroup.of(ps).with("lr", 0.03).with("eps", 1e-6)
                    .with("weight_decay", 0.1).with("trust_ratio", false))));
            double[] adamW = Steps.run(q, theta0, dtype, STEPS, ps -> new AdamW(List.of(ParamGroup.of(ps).with("lr", 0.03).with("eps", 1e-6)
                    .with("weight_decay", 0.1))));
            assertBitwise(adamW, lamb, "LAMB without trust ratio vs AdamW, " + dtype);
            double[] lamb0 = Steps.run(q, theta0, dtype, STEPS, ps -> new LAMB(List.of(ParamGroup.of(ps).with("lr", 0.03).with("beta1", 0.5)
                    .with("trust_ratio", false))));
            double[] adam = Steps.run(q, theta0, dtype, STEPS, ps -> new Adam(List.of(ParamGroup.of(ps).with("lr", 0.03).with("beta1", 0.5)
                    .with("eps", 1e-6))));
            assertBitwise(adam, lamb0, "LAMB without trust ratio or decay vs Adam, " + dtype);
        }
    }

    @Test
    void lambRatioIsOneWhenTheParameterIsZero() {
        // θ = 0 and λ = 0 on tensor 0: ‖θ‖ = 0, so the first step is Adam's (lr·r) there, not a zero step.
        double[] start = theta0.clone();
        for (int i = 0; i < 3; i++) start[i] = 0;
        double[] want = lambReference(q, start, 1, new double[] {0.05, 0.05}, new double[] {0.9, 0.9}, new double[] {0.999, 0.999},
                new double[] {1e-6, 1e-6}, new double[] {0, 0}, new boolean[] {true, true});
        double[] got = Steps.run(q, start, DType.FLOAT64, 1, Steps.SHAPES, ONE_TENSOR_EACH,
                gs -> new LAMB(List.of(ParamGroup.of(gs.get(0)), ParamGroup.of(gs.get(1))), 0.05));
        assertClose(want, got, 1e-12, "LAMB from θ = 0");
        for (int i = 0; i < 3; i++) assertNotEquals(0.0, got[i], "element " + i + " should move");
    }

    // ------------------------------------------------------------------ LARS

    /**
     * LARS as You et al. 2017 (Algorithm 1) write it, one tensor per group: local = η·‖θ‖/(‖∇θ‖ + λ‖θ‖ + ε)
     * (1 when a norm is 0 or the group has no trust ratio), v ← μ·v + γ·local·(∇θ + λθ), θ ← θ − v: the
     * rate inside the buffer (the same as lr outside it while lr is constant), v starting at 0.
     */
    static double[] larsReference(Quadratic q, double[] theta0, int steps, double[] lr, double[] mu, double[] wd, double[] eta, double[] eps,
            boolean[] trust) {
        double[] th = theta0.clone(), buf = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int k = 0; k < 2; k++) {
                int from = BOUNDS[k], to = BOUNDS[k + 1];
                double wn = norm(th, from, to), gn = norm(g, from, to);
                double local = trust[k] && wn > 0 && gn > 0 ? eta[k] * wn / (gn + wd[k] * wn + eps[k]) : 1;
                for (int i = from; i < to; i++) {
                    buf[i] = mu[k] * buf[i] + lr[k] * local * (g[i] + wd[k] * th[i]);
                    th[i] -= buf[i];
                }
            }
        }
        return th;
    }

    static LARS lars(List<List<Parameter>> gs) {
        return new LARS(List.of(
                ParamGroup.of(gs.get(0)).with("lr", 5.0).with("momentum", 0.8).with("weight_decay", 0.01).with("trust_coefficient", 0.02),
                ParamGroup.of(gs.get(1)).with("lr", 0.02).with("weight_decay", 0.05).with("trust_ratio", false)));
    }

    @Test
    void larsMatchesThePaperOverTwoGroups() {
        double[] want = larsReference(q, theta0, STEPS, new double[] {5.0, 0.02}, new double[] {0.8, 0.9}, new double[] {0.01, 0.05},
                new double[] {0.02, 1e-3}, new double[] {1e-8, 1e-8}, new boolean[] {true, false});
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, LayerwiseTrustTest::lars);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "LARS " + dtype);
        }
        double[] plain = larsReference(q, theta0, STEPS, new double[] {5.0, 0.02}, new double[] {0.8, 0.9}, new double[] {0.01, 0.05},
                new double[] {0.02, 1e-3}, new double[] {1e-8, 1e-8}, new boolean[] {false, false});
        assertTrue(Math.abs(plain[0] - want[0]) > 1e-3, "the local rate should change group 0's steps");
    }

    @Test
    void larsWithoutTrustRatioIsSgdWithMomentum() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (double mu : new double[] {0.9, 0}) {
                double[] lars = Steps.run(q, theta0, dtype, STEPS, ps -> new LARS(List.of(ParamGroup.of(ps).with("momentum", mu)
                        .with("weight_decay", 0.1).with("trust_ratio", false)), 0.05));
                double[] sgd = Steps.run(q, theta0, dtype, STEPS, ps -> new SGD(List.of(ParamGroup.of(ps).with("momentum", mu)
                        .with("weight_decay", 0.1)), 0.05));
                assertBitwise(sgd, lars, "LARS without trust ratio vs SGD, momentum " + mu + ", " + dtype);
            }
        }
    }

    // ------------------------------------------------------------------ state

    /** 20 uninterrupted steps equal 10 steps, a save, a fresh optimizer and parameters, a load and 10 more, bit for bit. */
    void assertResumes(String name, Function<List<List<Parameter>>, Optimizer> build) throws IOException {
        DType dtype = DType.FLOAT32;
        double[] want = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, build);

        List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
        Optimizer opt = build.apply(Steps.split(params, ONE_TENSOR_EACH));
        for (int s = 0; s < STEPS / 2; s++) {
            q.setGrads(params);
            opt.step();
        }
        Path file = dir.resolve(name + ".safetensors");
        OptimizerState.save(opt, file);
        double[] middle = Quadratic.flat(params);

        List<Parameter> resumed = Quadratic.params(middle, dtype, Steps.SHAPES);
        Optimizer again = build.apply(Steps.split(resumed, ONE_TENSOR_EACH));
        OptimizerState.load(again, file);
        for (int s = STEPS / 2; s < STEPS; s++) {
            q.setGrads(resumed);
            again.step();
        }
        assertBitwise(want, Quadratic.flat(resumed), name + " resumed");
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        assertResumes("LAMB", LayerwiseTrustTest::lamb);
        assertResumes("LARS", LayerwiseTrustTest::lars);
    }

    // ------------------------------------------------------------------ validation

    /** One bad value in group 1 (group 0 is fine). */
    record Bad(Function<List<ParamGroup>, Optimizer> build, String key, Object value, String message) {}

    @Test
    void badValuesAreNamedWithTheirGroup() {
        Function<List<ParamGroup>, Optimizer> lars = gs -> new LARS(gs, 0.1);
        List<Bad> bad = List.of(
                new Bad(LAMB::new, "lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of LAMB)"),
                new Bad(LAMB::new, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 1 of LAMB)"),
                new Bad(LAMB::new, "beta2", -0.1, "beta2 must be in [0, 1), was -0.1 (group 1 of LAMB)"),
                new Bad(LAMB::new, "eps", -1e-6, "eps must be >= 0, was -1.0E-6 (group 1 of LAMB)"),
                new Bad(LAMB::new, "weight_decay", Double.NaN, "weight_decay must be >= 0, was NaN (group 1 of LAMB)"),
                new Bad(LAMB::new, "trust_ratio", 1.0, "trust_ratio must be true or false, was Double 1.0 (group 1 of LAMB)"),
                new Bad(lars, "lr", -0.1, "lr must be >= 0, was -0.1 (group 1 of LARS)"),
                new Bad(lars, "momentum", -0.9, "momentum must be >= 0, was -0.9 (group 1 of LARS)"),
                new Bad(lars, "weight_decay", -1.0, "weight_decay must be >= 0, was -1.0 (group 1 of LARS)"),
                new Bad(lars, "trust_coefficient", 0.0, "trust_coefficient must be > 0, was 0.0 (group 1 of LARS)"),
                new Bad(lars, "eps", Double.POSITIVE_INFINITY, "eps must be >= 0, was Infinity (group 1 of LARS)"),
                new Bad(lars, "trust_ratio", "no", "trust_ratio must be true or false, was String no (group 1 of LARS)"));
        for (Bad b : bad) {
            List<ParamGroup> groups = List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with(b.key, b.value));
            var e = assertThrows(IllegalArgumentException.class, () -> b.build.apply(groups), b.message);
            assertEquals(b.message, e.getMessage());
        }
        var missing = assertThrows(IllegalArgumentException.class,
                () -> new LARS(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))))));
        assertEquals("lr is required (group 0 of LARS)", missing.getMessage());
        Optimizer opt = new LAMB(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))));
        var later = assertThrows(IllegalArgumentException.class, () -> opt.group(0).with("eps", -1.0));
        assertEquals("eps must be >= 0, was -1.0 (group 0 of LAMB)", later.getMessage());
    }

    @Test
    void defaults() {
        ParamGroup lamb = new LAMB(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))))).group(0);
        assertEquals(1e-3, lamb.get("lr"));
        assertEquals(0.9, lamb.get("beta1"));
        assertEquals(0.999, lamb.get("beta2"));
        assertEquals(1e-6, lamb.get("eps"));
        assertEquals(0.0, lamb.get("weight_decay"));
        assertTrue(lamb.flag("trust_ratio"));
        ParamGroup lars = new LARS(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))), 0.1).group(0);
        assertEquals(0.9, lars.get("momentum"));
        assertEquals(0.0, lars.get("weight_decay"));
        assertEquals(1e-3, lars.get("trust_coefficient"));
        assertEquals(1e-8, lars.get("eps"));
        assertTrue(lars.flag("trust_ratio"));
    }

    // ------------------------------------------------------------------ convergence

    /** Runs {@code steps} steps with the learning rates annealed to 0 by a cosine; the distance to the minimiser. */
    double distanceAfter(Quadratic p, double[] start, int steps, Function<List<List<Parameter>>, Optimizer> build) {
        List<Parameter> params = Quadratic.params(start, DType.FLOAT64, Steps.SHAPES);
        Optimizer opt = build.apply(Steps.split(params, ONE_TENSOR_EACH));
        LrScheduler schedule = new LrScheduler(opt, Schedule.cosine(steps, 0));
        for (int s = 0; s < steps; s++) {
            p.setGrads(params);
            opt.step();
            schedule.step();
        }
        double[] x = Quadratic.flat(params), star = p.minimiser();
        double d = 0;
        for (int i = 0; i < x.length; i++) d += (x[i] - star[i]) * (x[i] - star[i]);
        return Math.sqrt(d);
    }

    @Test
    void bothMinimiseAQuadratic() {
        double lambDistance = distanceAfter(q, theta0, 10_000, gs -> new LAMB(List.of(ParamGroup.of(gs.get(0)),
                ParamGroup.of(gs.get(1)).with("trust_ratio", false)), 0.05));
        assertTrue(lambDistance <= 1e-6, "LAMB ends " + lambDistance + " from the minimiser");
        double larsDistance = distanceAfter(q, theta0, 6_000, gs -> new LARS(List.of(ParamGroup.of(gs.get(0)).with("trust_coefficient", 0.01),
                ParamGroup.of(gs.get(1)).with("trust_ratio", false)), 0.05));
        assertTrue(larsDistance <= 1e-6, "LARS ends " + larsDistance + " from the minimiser");
    }
}
