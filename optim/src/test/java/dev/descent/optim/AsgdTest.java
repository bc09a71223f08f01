package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ASGD} against a plain float64 loop written from PyTorch's documented algorithm (not by calling
 * the optimizer): 20 steps, two groups with their own learning rate, λ, α, t0 and weight decay (one
 * group's t0 small enough that averaging starts within the 20 steps), parameters and averages, in
 * float64 (to 1e-12) and float32 (to 1e-5); bitwise resumption through {@link OptimizerState}; the
 * defaults; bad values named with their group; and the average converging on a noisy quadratic.
 */
class AsgdTest {
    static final int STEPS = 20;
    final SplittableRandom rng = new SplittableRandom(17);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    @TempDir
    Path dir;

    /** One group's hyperparameters. */
    record Hp(double lr, double lambd, double alpha, double t0, double wd) {
        ParamGroup apply(ParamGroup g) {
            return g.with("lr", lr).with("lambd", lambd).with("alpha", alpha).with("t0", t0).with("weight_decay", wd);
        }
    }

    /** Steps.SHAPES is {3} then {2, 2}: the first 3 elements are group 0, the other 4 group 1. */
    static Hp[] perElement(Hp group0, Hp group1) {
        Hp[] v = new Hp[7];
        Arrays.fill(v, 0, 3, group0);
        Arrays.fill(v, 3, 7, group1);
        return v;
    }

    /** θ and ax after {@code steps} steps of the documented algorithm, element by element. */
    static double[][] reference(Quadratic q, double[] theta0, int steps, Hp[] hp) {
        int n = theta0.length;
        double[] th = theta0.clone(), ax = theta0.clone(), eta = new double[n], mu = new double[n];
        for (int i = 0; i < n; i++) {
            eta[i] = hp[i].lr;
            mu[i] = 1;
        }
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < n; i++) {
                Hp h = hp[i];
                double gi = g[i] + h.wd * th[i];
                th[i] = th[i] * (1 - h.lambd * eta[i]);
                th[i] = th[i] - eta[i] * gi;
                if (mu[i] != 1) ax[i] = ax[i] + (th[i] - ax[i]) * mu[i];
                else ax[i] = th[i];
                eta[i] = h.lr / Math.pow(1 + h.lambd * h.lr * t, h.alpha);
                mu[i] = 1 / Math.max(1, t - h.t0);
            }
        }
        return new double[][] {th, ax};
    }

    static ASGD build(List<Parameter> params, Hp g0, Hp g1) {
        return new ASGD(List.of(g0.apply(ParamGroup.of(params.subList(0, 1))), g1.apply(ParamGroup.of(params.subList(1, 2)))));
    }

    static double[] averages(ASGD opt, List<Parameter> params) {
        return Quadratic.flat(params.stream().map(opt::averaged).toList());
    }

    @Test
    void matchesTheDocumentedAlgorithmInBothDtypes() {
        Hp[][] configs = {
                {new Hp(0.05, 1e-2, 0.75, 1e6, 0.1), new Hp(0.02, 0.05, 0.6, 5, 0.01)},
                {new Hp(0.01, 1e-4, 0.75, 3, 0), new Hp(0.08, 0.5, 1.5, 1e6, 0.3)},
                {new Hp(0.03, 0.2, 0.75, 0, 0.05), new Hp(0.04, 0, 0.75, 2.5, 0)}};
        for (Hp[] c : configs) {
            double[][] want = reference(q, theta0, STEPS, perElement(c[0], c[1]));
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
                ASGD opt = build(params, c[0], c[1]);
                for (int s = 0; s < STEPS; s++) {
                    q.setGrads(params);
                    opt.step();
                }
                double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
                String what = "ASGD " + Arrays.toString(c) + " " + dtype;
                assertClose(want[0], Quadratic.flat(params), tol, what + " θ");
                assertClose(want[1], averages(opt, params), tol, what + " ax");
            }
        }
        // The test can fail: in the first config group 1's average differs from its last iterate, group 0's does not.
        double[][] want = reference(q, theta0, STEPS, perElement(configs[0][0], configs[0][1]));
        for (int i = 0; i < 3; i++) assertEquals(want[0][i], want[1][i], "group 0 (t0 = 1e6) is not averaging yet");
        for (int i = 3; i < 7; i++) assertTrue(Math.abs(want[0][i] - want[1][i]) > 1e-6, "group 1 (t0 = 5) averages: element " + i);
    }

    @Test
    void averageIsTheMeanOfTheIteratesAfterStepT0PlusTwo() {
        // With λ = 0, η = lr throughout; for t0 = 4 the average after step 10 is the mean of θ after steps 6..10.
        Parameter p = new Parameter(Tensor.of(new double[] {1, -2}));
        ASGD opt = new ASGD(List.of(ParamGroup.of(p).with("lambd", 0.0).with("t0", 4.0)), 0.25);
        double[] sum = new double[2];
        for (int t = 1; t <= 10; t++) {
            p.setGrad(Tensor.of(new double[] {t, 1.0 / t}));
            opt.step();
            if (t >= 6) for (int i = 0; i < 2; i++) sum[i] += p.toDoubleArray()[i];
        }
        assertClose(new double[] {sum[0] / 5, sum[1] / 5}, opt.averaged(p).toDoubleArray(), 1e-14, "mean of 5 iterates");
    }

    @Test
    void resumesBitwiseFromSavedState() throws IOException {
        Hp g0 = new Hp(0.05, 1e-2, 0.75, 1e6, 0.1), g1 = new Hp(0.02, 0.05, 0.6, 3, 0.01);
        int n = 7, k = 8;
        List<Parameter> a = Quadratic.params(theta0, DType.FLOAT32, Steps.SHAPES);
        ASGD optA = build(a, g0, g1);
        for (int s = 0; s < n; s++) {
            q.setGrads(a);
            optA.step();
        }
        double[] saved = Quadratic.flat(a);
        Path state = dir.resolve("asgd.safetensors");
        OptimizerState.save(optA, state);
        for (int s = 0; s < k; s++) {
            q.setGrads(a);
            optA.step();
        }

        List<Parameter> b = Quadratic.params(saved, DType.FLOAT32, Steps.SHAPES);
        ASGD optB = build(b, g0, g1);
        OptimizerState.load(optB, state);
        for (int s = 0; s < k; s++) {
            q.setGrads(b);
            optB.step();
        }
        assertBitwise(Quadratic.flat(a), Quadratic.flat(b), "resumed θ vs uninterrupted");
        assertBitwise(averages(optA, a), averages(optB, b), "resumed ax vs uninterrupted");
        assertEquals(optA.stateDict().keySet(), optB.stateDict().keySet());

        // The test can fail: without the state (η, μ and ax start afresh) the continuation differs.
        List<Parameter> c = Quadratic.params(saved, DType.FLOAT32, Steps.SHAPES);
        ASGD optC = build(c, g0, g1);
        for (int s = 0; s < k; s++) {
            q.setGrads(c);
            optC.step();
        }
        assertFalse(Arrays.equals(averages(optA, a), averages(optC, c)), "a fresh optimizer should not reproduce the averages");
    }

    @Test
    void stateHoldsEtaMuAndTheAverage() {
        Parameter p = new Parameter(Tensor.of(new double[] {1, 2}));
        ASGD opt = new ASGD(List.of(ParamGroup.of(p).with("t0", 0.0)), 0.5);
        var before = opt.stateDict();
        assertTrue(Double.isNaN(before.get("group.0.param.0.eta").item()), "eta before the first step");
        assertEquals(1.0, before.get("group.0.param.0.mu").item());
        assertEquals(List.of(2L), Arrays.stream(before.get("group.0.param.0.ax").shape()).mapToObj(d -> (long) d).toList());
        p.setGrad(Tensor.of(new double[] {1, 1}));
        opt.step();
        opt.step();
        var after = opt.stateDict();
        assertEquals(0.5 / Math.pow(1 + 1e-4 * 0.5 * 2, 0.75), after.get("group.0.param.0.eta").item());
        assertEquals(0.5, after.get("group.0.param.0.mu").item());
    }

    @Test
    void averagedReadsACopyAndRefusesForeignParameters() {
        Parameter p = new Parameter(Tensor.of(new float[] {1, 2}));
        ASGD opt = new ASGD(List.of(ParamGroup.of(p)));
        Tensor before = opt.averaged(p);
        assertNotSame(p, before);
        assertEquals(DType.FLOAT32, before.dtype());
        assertBitwise(p.toDoubleArray(), before.toDoubleArray(), "ax₀ = θ₀");
        assertFalse(before.requiresGrad());
        p.setGrad(Tensor.of(new float[] {1, 1}));
        opt.step();
        Tensor after = opt.averaged(p);
        assertBitwise(p.toDoubleArray(), after.toDoubleArray(), "μ = 1: ax = θ");
        after.storage().floats()[after.storageOffset()] = 99; // writing the copy leaves the state alone
        assertBitwise(p.toDoubleArray(), opt.averaged(p).toDoubleArray(), "averaged returns a copy");
        Parameter other = new Parameter("other", Tensor.zeros(DType.FLOAT32, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> opt.averaged(other));
        assertEquals("parameter 'other' [3] FLOAT32 is not optimized by this ASGD", e.getMessage());
    }

    @Test
    void defaultsArePyTorchs() {
        ParamGroup g = new ASGD(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))))).group(0);
        assertEquals(1e-2, g.get("lr"));
        assertEquals(1e-4, g.get("lambd"));
        assertEquals(0.75, g.get("alpha"));
        assertEquals(1e6, g.get("t0"));
        assertEquals(0.0, g.get("weight_decay"));
    }

    /** One bad value in group 1 (group 0 is fine): the message names the key, the rule, the value and group 1. */
    @Test
    void badValuesAreNamedWithTheirGroup() {
        Object[][] bad = {
                {"lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of ASGD)"},
                {"lambd", -1e-4, "lambd must be >= 0, was -1.0E-4 (group 1 of ASGD)"},
                {"alpha", Double.NaN, "alpha must be >= 0, was NaN (group 1 of ASGD)"},
                {"t0", -1.0, "t0 must be >= 0, was -1.0 (group 1 of ASGD)"},
                {"t0", Double.POSITIVE_INFINITY, "t0 must be >= 0, was Infinity (group 1 of ASGD)"},
                {"weight_decay", -0.5, "weight_decay must be >= 0, was -0.5 (group 1 of ASGD)"}};
        for (Object[] b : bad) {
            List<ParamGroup> groups = List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with((String) b[0], b[1]));
            var e = assertThrows(IllegalArgumentException.class, () -> new ASGD(groups), (String) b[2]);
            assertEquals(b[2], e.getMessage());
        }
        ASGD opt = new ASGD(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))));
        var later = assertThrows(IllegalArgumentException.class, () -> opt.group(0).with("alpha", -0.5));
        assertEquals("alpha must be >= 0, was -0.5 (group 0 of ASGD)", later.getMessage());
    }

    static double distance(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(s);
    }

    @Test
    void averageConvergesOnANoisyQuadratic() {
        // Gradients Aθ + b + N(0, 1) noise: at a constant-ish step the iterate keeps jittering about the
        // minimiser, while the average of the iterates after t0 closes in on it (Polyak–Juditsky).
        double[] min = q.minimiser();
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, Steps.SHAPES);
        ASGD opt = new ASGD(List.of(ParamGroup.of(params).with("t0", 200.0)), 0.05);
        SplittableRandom noise = new SplittableRandom(5);
        double lastDistance = 0;
        int steps = 20_000;
        for (int s = 1; s <= steps; s++) {
            double[] g = q.grad(Quadratic.flat(params));
            for (int i = 0; i < g.length; i++) g[i] += noise.nextGaussian();
            Parameter p0 = params.get(0), p1 = params.get(1);
            p0.setGrad(Tensor.of(Arrays.copyOfRange(g, 0, 3), p0.shape()));
            p1.setGrad(Tensor.of(Arrays.copyOfRange(g, 3, 7), p1.shape()));
            opt.step();
            if (s == steps) lastDistance = distance(Quadratic.flat(params), min);
        }
        double averageDistance = distance(averages(opt, params), min);
        assertTrue(averageDistance < 0.1, "average is " + averageDistance + " from the minimiser");
        assertTrue(averageDistance < lastDistance / 3, "average " + averageDistance + " should be much closer than the last iterate " + lastDistance);
    }
}
