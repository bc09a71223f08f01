package dev.descent.optim;

import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Adamax, NAdam and RAdam against plain float64 loops written from PyTorch's documented algorithms
 * (not by calling the optimizers): 20 steps, two groups with their own learning rate and weight decay,
 * in float64 (to 1e-12) and float32 (to 1e-5); their defaults; NAdam's {@code mu_product} state; and
 * bad values named with their group. Resumption is in {@link StateTest}, validation of group 0 in
 * {@link ValidationTest}, convergence in {@link ConvergenceTest}.
 */
class AdamVariantsTest {
    static final int STEPS = 20;
    final SplittableRandom rng = new SplittableRandom(17);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    /** Steps.SHAPES is {3} then {2, 2}: the first 3 elements are group 0, the other 4 group 1. */
    static double[] perElement(double group0, double group1) {
        double[] v = new double[7];
        Arrays.fill(v, 0, 3, group0);
        Arrays.fill(v, 3, 7, group1);
        return v;
    }

    /** Runs {@code build} over the two groups {3} and {2, 2}, in both dtypes, against {@code want}. */
    void assertMatches(double[] want, Function<List<List<Parameter>>, Optimizer> build, String what) {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, new int[] {1, 1}, build);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, what + " " + dtype);
        }
    }

    // ------------------------------------------------------------------ Adamax

    static double[] adamaxReference(Quadratic q, double[] theta0, int steps, double[] lr, double b1, double b2, double eps, double[] wd) {
        double[] th = theta0.clone(), m = new double[th.length], u = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                double gi = g[i] + wd[i] * th[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                u[i] = Math.max(b2 * u[i], Math.abs(gi) + eps);
                th[i] -= lr[i] / (1 - Math.pow(b1, t)) * m[i] / u[i];
            }
        }
        return th;
    }

    @Test
    void adamaxMatchesReference() {
        double[][] configs = {{2e-3, 1e-2, 0.9, 0.999, 1e-8, 1e-2, 0.1}, {0.05, 0.01, 0.5, 0.9, 1e-3, 0.2, 0.05}};
        for (double[] c : configs) { // lr0, lr1, β1, β2, ε, wd0, wd1
            double[] want = adamaxReference(q, theta0, STEPS, perElement(c[0], c[1]), c[2], c[3], c[4], perElement(c[5], c[6]));
            assertMatches(want, gs -> new Adamax(List.of(
                    ParamGroup.of(gs.get(0)).with("lr", c[0]).with("weight_decay", c[5]),
                    ParamGroup.of(gs.get(1)).with("lr", c[1]).with("weight_decay", c[6])).stream()
                    .map(g -> g.with("beta1", c[2]).with("beta2", c[3]).with("eps", c[4])).toList()), "Adamax " + Arrays.toString(c));
        }
    }

    // ------------------------------------------------------------------ NAdam

    static double[] nadamReference(Quadratic q, double[] theta0, int steps, double[] lr, double b1, double b2, double eps, double[] wd,
            double psi, boolean decoupled) {
        double[] th = theta0.clone(), m = new double[th.length], v = new double[th.length];
        double muProduct = 1;
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            double mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi)), muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
            muProduct *= mu;
            for (int i = 0; i < th.length; i++) {
                double gi = g[i];
                if (decoupled) th[i] *= 1 - lr[i] * wd[i];
                else gi += wd[i] * th[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mHat = muNext * m[i] / (1 - muProduct * muNext) + (1 - mu) * gi / (1 - muProduct);
                double vHat = v[i] / (1 - Math.pow(b2, t));
                th[i] -= lr[i] * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return th;
    }

    @Test
    void nadamMatchesReference() {
        double[][] configs = { // lr0, lr1, β1, β2, ε, wd0, wd1, ψ, decoupled
                {2e-3, 1e-2, 0.9, 0.999, 1e-8, 1e-2, 0.1, 4e-3, 0}, {0.05, 0.01, 0.8, 0.95, 1e-4, 0.2, 0.05, 0.1, 0},
                {0.05, 0.02, 0.9, 0.999, 1e-8, 0.5, 0.1, 4e-3, 1}};
        for (double[] c : configs) {
            double[] want = nadamReference(q, theta0, STEPS, perElement(c[0], c[1]), c[2], c[3], c[4], perElement(c[5], c[6]), c[7], c[8] == 1);
            assertMatches(want, gs -> new NAdam(List.of(
                    ParamGroup.of(gs.get(0)).with("lr", c[0]).with("weight_decay", c[5]),
                    ParamGroup.of(gs.get(1)).with("lr", c[1]).with("weight_decay", c[6])).stream()
                    .map(g -> g.with("beta1", c[2]).with("beta2", c[3]).with("eps", c[4]).with("momentum_decay", c[7])
                            .with("decoupled_weight_decay", c[8] == 1)).toList()), "NAdam " + Arrays.toString(c));
        }
    }

    @Test
    void nadamKeepsTheProductOfItsMomentumCoefficientsPerParameter() {
        Parameter a = new Parameter("a", Tensor.of(new double[] {1, 2})), b = new Parameter("b", Tensor.of(new double[] {3}));
        NAdam opt = new NAdam(List.of(ParamGroup.of(a), ParamGroup.of(b).with("beta1", 0.5)));
        double productA = 1, productB = 1;
        for (int t = 1; t <= 3; t++) {
            a.setGrad(Tensor.of(new double[] {0.1, -0.2}));
            productA *= 0.9 * (1 - 0.5 * Math.pow(0.96, t * 4e-3));
            if (t != 2) { // b has no gradient on step 2: its product and step count stand still
                b.setGrad(Tensor.of(new double[] {0.3}));
                productB *= 0.5 * (1 - 0.5 * Math.pow(0.96, (t == 1 ? 1 : 2) * 4e-3));
            } else {
                b.setGrad(null);
            }
            opt.step();
        }
        var state = opt.stateDict();
        assertEquals(productA, state.get("group.0.param.0.mu_product").item(), 1e-15);
        assertEquals(productB, state.get("group.1.param.0.mu_product").item(), 1e-15);
        assertEquals(DType.FLOAT64, state.get("group.1.param.0.mu_product").dtype());
        assertEquals(0, state.get("group.1.param.0.mu_product").dim());
        assertEquals(1.0, new NAdam(List.of(ParamGroup.of(a))).stateDict().get("group.0.param.0.mu_product").item());
    }

    // ------------------------------------------------------------------ RAdam

    static double[] radamReference(Quadratic q, double[] theta0, int steps, double[] lr, double b1, double b2, double eps, double[] wd,
            boolean decoupled) {
        double[] th = theta0.clone(), m = new double[th.length], v = new double[th.length];
        double rhoInf = 2 / (1 - b2) - 1;
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            double rhoT = rhoInf - 2 * t * Math.pow(b2, t) / (1 - Math.pow(b2, t));
            for (int i = 0; i < th.length; i++) {
                double gi = g[i];
                if (decoupled) th[i] *= 1 - lr[i] * wd[i];
                else gi += wd[i] * th[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                if (rhoT > 5) {
                    double l = Math.sqrt(1 - Math.pow(b2, t)) / (Math.sqrt(v[i]) + eps);
                    double r = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                    th[i] -= lr[i] * mHat * r * l;
                } else {
                    th[i] -= lr[i] * mHat;
                }
            }
        }
        return th;
    }

    static double rho(double b2, int t) {
        return 2 / (1 - b2) - 1 - 2 * t * Math.pow(b2, t) / (1 - Math.pow(b2, t));
    }

    @Test
    void radamMatchesReferenceOnBothSidesOfTheRectification() {
        // Every config crosses ρt = 5 within the 20 steps, so both branches are compared.
        double[][] configs = { // lr0, lr1, β1, β2, ε, wd0, wd1, decoupled
                {1e-3, 1e-2, 0.9, 0.999, 1e-8, 1e-2, 0.1, 0}, {0.02, 0.005, 0.8, 0.9, 1e-4, 0.2, 0.05, 0}, {0.01, 0.02, 0.9, 0.99, 1e-8, 0.5, 0.1, 1}};
        for (double[] c : configs) {
            assertTrue(rho(c[3], 1) <= 5 && rho(c[3], STEPS) > 5, "β2 = " + c[3] + " should cross ρt = 5 within " + STEPS + " steps");
            double[] want = radamReference(q, theta0, STEPS, perElement(c[0], c[1]), c[2], c[3], c[4], perElement(c[5], c[6]), c[7] == 1);
            assertMatches(want, gs -> new RAdam(List.of(
                    ParamGroup.of(gs.get(0)).with("lr", c[0]).with("weight_decay", c[5]),
                    ParamGroup.of(gs.get(1)).with("lr", c[1]).with("weight_decay", c[6])).stream()
                    .map(g -> g.with("beta1", c[2]).with("beta2", c[3]).with("eps", c[4]).with("decoupled_weight_decay", c[7] == 1)).toList()),
                    "RAdam " + Arrays.toString(c));
        }
    }

    @Test
    void radamTakesUnAdaptedStepsWhileRhoIsAtMostFive() {
        // With the default β2 = 0.999, steps 1–5 are lr·m̂: on a constant gradient g, exactly θ − t·lr·g.
        assertTrue(rho(0.999, 5) <= 5 && rho(0.999, 6) > 5, "ρ5 = " + rho(0.999, 5) + ", ρ6 = " + rho(0.999, 6));
        Parameter p = new Parameter(Tensor.of(new double[] {1, -1}));
        RAdam opt = new RAdam(List.of(ParamGroup.of(p)), 0.25);
        for (int t = 1; t <= 5; t++) {
            p.setGrad(Tensor.of(new double[] {2, 4}));
            opt.step();
            assertClose(new double[] {1 - t * 0.25 * 2, -1 - t * 0.25 * 4}, p.toDoubleArray(), 1e-14, "RAdam un-adapted step " + t);
        }
    }

    // ------------------------------------------------------------------ defaults and validation

    @Test
    void defaultsArePyTorchs() {
        Parameter p = new Parameter(Tensor.zeros(DType.FLOAT64, 2));
        ParamGroup adamax = new Adamax(List.of(ParamGroup.of(p))).group(0);
        ParamGroup nadam = new NAdam(List.of(ParamGroup.of(p))).group(0);
        ParamGroup radam = new RAdam(List.of(ParamGroup.of(p))).group(0);
        for (ParamGroup g : List.of(adamax, nadam, radam)) {
            assertEquals(0.9, g.get("beta1"));
            assertEquals(0.999, g.get("beta2"));
            assertEquals(1e-8, g.get("eps"));
            assertEquals(0.0, g.get("weight_decay"));
        }
        assertEquals(2e-3, adamax.get("lr"));
        assertEquals(2e-3, nadam.get("lr"));
        assertEquals(1e-3, radam.get("lr"));
        assertEquals(4e-3, nadam.get("momentum_decay"));
        assertEquals(false, nadam.flag("decoupled_weight_decay"));
        assertEquals(false, radam.flag("decoupled_weight_decay"));
    }

    /** One bad value in group 1 (group 0 is fine): the message names the key, the rule, the value and group 1. */
    record Bad(Function<List<ParamGroup>, Optimizer> build, String key, Object value, String message) {}

    @Test
    void badValuesAreNamedWithTheirGroup() {
        List<Bad> bad = List.of(
                new Bad(Adamax::new, "lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of Adamax)"),
                new Bad(Adamax::new, "beta2", 1.0, "beta2 must be in [0, 1), was 1.0 (group 1 of Adamax)"),
                new Bad(NAdam::new, "momentum_decay", Double.NaN, "momentum_decay must be >= 0, was NaN (group 1 of NAdam)"),
                new Bad(NAdam::new, "eps", -1.0, "eps must be >= 0, was -1.0 (group 1 of NAdam)"),
                new Bad(RAdam::new, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 1 of RAdam)"),
                new Bad(RAdam::new, "weight_decay", -0.5, "weight_decay must be >= 0, was -0.5 (group 1 of RAdam)"));
        for (Bad b : bad) {
            List<ParamGroup> groups = List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with(b.key, b.value));
            var e = assertThrows(IllegalArgumentException.class, () -> b.build.apply(groups), b.message);
            assertEquals(b.message, e.getMessage());
        }
        Optimizer opt = new NAdam(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))));
        var later = assertThrows(IllegalArgumentException.class, () -> opt.group(0).with("beta1", -0.5));
        assertEquals("beta1 must be in [0, 1), was -0.5 (group 0 of NAdam)", later.getMessage());
    }
}
