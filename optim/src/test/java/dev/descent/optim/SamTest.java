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
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAM and ASAM over SGD with momentum and weight decay, two groups with different learning rates and
 * radii, against a float64 loop of Foret et al.'s Algorithm 1 (and Kwon et al.'s adaptive
 * neighbourhood); two closure passes per step; ρ = 0 is the base's step bit for bit; resume; validation;
 * convergence.
 */
class SamTest {
    static final int STEPS = 20;
    static final int[] BOUNDS = {0, 3, 7};
    static final int[] ONE_TENSOR_EACH = {1, 1};

    final SplittableRandom rng = new SplittableRandom(31);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    @TempDir
    Path dir;

    static final double[] LR = {0.05, 0.02}, MU = {0.9, 0.5}, WD = {0.1, 0.01}, RHO = {0.1, 0.3};

    /**
     * Foret et al. Algorithm 1 (p = 2): ε = ρ·g/‖g‖ (ASAM: ρ·w²·g/‖|w|·g‖), g' = ∇f(w + ε), then SGD with
     * momentum and L2 decay on g' at w (PyTorch's SGD: b ← d on the first step, b ← μb + d after, w ← w − lr·b).
     */
    static double[] reference(Quadratic q, double[] theta0, boolean adaptive, boolean allScope) {
        double[] w = theta0.clone(), b = new double[7];
        for (int t = 1; t <= STEPS; t++) {
            double[] g = q.grad(w);
            double[] sq = new double[2];
            for (int k = 0; k < 2; k++) {
                for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) {
                    double x = adaptive ? Math.abs(w[i]) * g[i] : g[i];
                    sq[k] += x * x;
                }
            }
            double[] wp = w.clone();
            for (int k = 0; k < 2; k++) {
                double norm = Math.sqrt(allScope ? sq[0] + sq[1] : sq[k]);
                for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) {
                    wp[i] += RHO[k] / (norm + 1e-12) * (adaptive ? w[i] * w[i] : 1) * g[i];
                }
            }
            double[] g2 = q.grad(wp);
            for (int k = 0; k < 2; k++) {
                for (int i = BOUNDS[k]; i < BOUNDS[k + 1]; i++) {
                    double d = g2[i] + WD[k] * w[i];
                    b[i] = t == 1 ? d : MU[k] * b[i] + d;
                    w[i] -= LR[k] * b[i];
                }
            }
        }
        return w;
    }

    static SAM build(List<List<Parameter>> gs, boolean adaptive) {
        SGD base = new SGD(List.of(
                ParamGroup.of(gs.get(0)).with("lr", LR[0]).with("momentum", MU[0]).with("weight_decay", WD[0]),
                ParamGroup.of(gs.get(1)).with("lr", LR[1]).with("momentum", MU[1]).with("weight_decay", WD[1])));
        return new SAM(base, List.of(ParamGroup.of(gs.get(0)).with("rho", RHO[0]).with("adaptive", adaptive),
                ParamGroup.of(gs.get(1)).with("rho", RHO[1]).with("adaptive", adaptive)));
    }

    /** Sets the gradients from the quadratic and returns its value, counting calls. */
    static Supplier<Tensor> closure(Quadratic q, List<Parameter> params, int[] calls) {
        return () -> {
            calls[0]++;
            q.setGrads(params);
            return Tensor.of(q.value(Quadratic.flat(params)));
        };
    }

    double[] run(DType dtype, Function<List<List<Parameter>>, SAM> make, int[] calls) {
        List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
        SAM opt = make.apply(Steps.split(params, ONE_TENSOR_EACH));
        for (int s = 0; s < STEPS; s++) {
            double before = q.value(Quadratic.flat(params));
            Tensor loss = opt.step(closure(q, params, calls));
            assertEquals(before, loss.item(), "step(closure) returns the loss at w");
        }
        return Quadratic.flat(params);
    }

    @Test
    void samMatchesForetsAlgorithmOverTwoGroups() {
        for (boolean adaptive : new boolean[] {false, true}) {
            double[] want = reference(q, theta0, adaptive, true);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                int[] calls = {0};
                double[] got = run(dtype, gs -> build(gs, adaptive), calls);
                assertEquals(2 * STEPS, calls[0], "two closure passes per step");
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, (adaptive ? "ASAM " : "SAM ") + dtype);
            }
            double[] perGroup = reference(q, theta0, adaptive, false);
            double[] got = run(DType.FLOAT64, gs -> build(gs, adaptive).setNormScope(NormScope.GROUP), new int[] {0});
            assertClose(perGroup, got, 1e-12, (adaptive ? "ASAM" : "SAM") + " with the norm per group");
            assertTrue(Math.abs(perGroup[0] - want[0]) > 1e-6, "the scope should matter");
        }
        // The perturbation matters: plain SGD on the same gradients ends elsewhere.
        double[] sgd = Steps.run(q, theta0, DType.FLOAT64, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, gs -> build(gs, false).base());
        assertTrue(Math.abs(sgd[0] - reference(q, theta0, false, true)[0]) > 1e-4);
    }

    @Test
    void rhoZeroIsTheBaseStepBitForBit() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] base = Steps.run(q, theta0, dtype, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, gs -> build(gs, false).base());
            double[] sam = run(dtype, gs -> new SAM(build(gs, false).base(), 0, false), new int[] {0});
            assertBitwise(base, sam, "SAM with rho 0, " + dtype);
        }
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        DType dtype = DType.FLOAT32;
        double[] want = run(dtype, gs -> build(gs, true), new int[] {0});
        List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
        SAM opt = build(Steps.split(params, ONE_TENSOR_EACH), true);
        for (int s = 0; s < STEPS / 2; s++) opt.step(closure(q, params, new int[] {0}));
        Path file = dir.resolve("sam.safetensors");
        OptimizerState.save(opt, file);
        List<Parameter> resumed = Quadratic.params(Quadratic.flat(params), dtype, Steps.SHAPES);
        SAM again = build(Steps.split(resumed, ONE_TENSOR_EACH), true);
        OptimizerState.load(again, file);
        for (int s = STEPS / 2; s < STEPS; s++) again.step(closure(q, resumed, new int[] {0}));
        assertBitwise(want, Quadratic.flat(resumed), "SAM resumed");
        assertTrue(opt.stateDict().containsKey("base.group.0.param.0.momentum_buffer"));
    }

    @Test
    void badValuesAndMisuseAreNamed() {
        Parameter a = new Parameter(Tensor.zeros(DType.FLOAT64, 2)), b = new Parameter(Tensor.zeros(DType.FLOAT64, 3));
        SGD base = new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b)), 0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> new SAM(base, List.of(ParamGroup.of(a), ParamGroup.of(b).with("rho", -0.1))));
        assertEquals("rho must be >= 0, was -0.1 (group 1 of SAM)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SAM(base, List.of(ParamGroup.of(a), ParamGroup.of(b).with("eps", Double.NaN))));
        assertEquals("eps must be >= 0, was NaN (group 1 of SAM)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SAM(base, List.of(ParamGroup.of(a))));
        assertEquals("SAM needs one group per group of its base (2), got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SAM(base, List.of(ParamGroup.of(b), ParamGroup.of(a))));
        assertEquals("group 0 of SAM must hold the same parameters, in the same order, as group 0 of its base SGD", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SAM(null));
        assertEquals("SAM needs a base optimizer, got null", e.getMessage());
        SAM sam = new SAM(base);
        e = assertThrows(IllegalArgumentException.class, () -> new SAM(sam));
        assertEquals("SAM's base must step without a closure, got SAM", e.getMessage());
        var s = assertThrows(IllegalStateException.class, sam::step);
        assertEquals("SAM needs a closure that recomputes the loss: call step(closure), not step()", s.getMessage());
        assertEquals(0.05, sam.group(1).get("rho"));
        assertEquals(false, sam.group(1).flag("adaptive"));
        assertEquals(0.1, sam.lr(1));
        ClipByGlobalNorm clip = new ClipByGlobalNorm(1);
        sam.addGradientTransform(clip);
        assertEquals(List.of(clip), base.gradientTransforms(), "transforms go to the base, which applies the perturbed gradient");
        assertEquals(List.of(clip), sam.gradientTransforms());
    }

    @Test
    void samAndAsamMinimiseAQuadratic() {
        for (boolean adaptive : new boolean[] {false, true}) {
            List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, Steps.SHAPES);
            SAM opt = new SAM(new SGD(params, 0.1), adaptive ? 1e-3 : 1e-4, adaptive);
            LrScheduler schedule = new LrScheduler(opt.base(), Schedule.cosine(3000, 0));
            for (int s = 0; s < 3000; s++) {
                opt.step(closure(q, params, new int[] {0}));
                schedule.step();
            }
            double[] x = Quadratic.flat(params), star = q.minimiser();
            double d = 0;
            for (int i = 0; i < x.length; i++) d += (x[i] - star[i]) * (x[i] - star[i]);
            d = Math.sqrt(d);
            assertTrue(d <= 1e-3, (adaptive ? "ASAM" : "SAM") + " ends " + d + " from the minimiser");
        }
    }
}
