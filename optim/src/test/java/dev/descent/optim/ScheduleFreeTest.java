package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Schedule-free AdamW and SGD against a float64 loop in the other algebraic form of the method — the
 * authors' in-place one, which keeps y and z and moves y by y ← y + c·(z − y) + γ·(β(1 − c) − 1)·u, and
 * recovers x = y + (1 − 1/β)·(z − y) for evaluation — over two groups (warmup, r and weight_lr_power in
 * one, weight decay in both); eval()/train() round-trips bit for bit; resume; validation; convergence of x.
 */
class ScheduleFreeTest {
    static final int STEPS = 20;
    static final int[] BOUNDS = {0, 3, 7};
    static final int[] ONE_TENSOR_EACH = {1, 1};

    final SplittableRandom rng = new SplittableRandom(41);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    @TempDir
    Path dir;

    static final double[] LR = {0.05, 0.02}, BETA = {0.8, 0.9}, BETA2 = {0.99, 0.999}, EPS = {1e-6, 1e-8}, WD = {0.1, 0.02}, WARMUP = {5, 0},
            R = {0.5, 0}, POWER = {1, 2};

    /** Returns {y, x} after {@code steps} steps: the training weights and the evaluation weights. */
    static double[][] reference(Quadratic q, double[] theta0, boolean adam, int steps) {
        double[] y = theta0.clone(), z = theta0.clone(), v = new double[7];
        double[] lrMax = {-1, -1}, weightSum = {0, 0};
        for (int k = 1; k <= steps; k++) {
            double[] g = q.grad(y);
            for (int p = 0; p < 2; p++) {
                double sched = k - 1 < WARMUP[p] ? k / WARMUP[p] : 1;
                double lr = LR[p] * sched * (adam ? Math.sqrt(1 - Math.pow(BETA2[p], k)) : 1);
                lrMax[p] = Math.max(lr, lrMax[p]);
                double weight = Math.pow(k, R[p]) * Math.pow(lrMax[p], POWER[p]);
                weightSum[p] += weight;
                double c = weight / weightSum[p];
                for (int i = BOUNDS[p]; i < BOUNDS[p + 1]; i++) {
                    double u = g[i];
                    if (adam) {
                        v[i] = BETA2[p] * v[i] + (1 - BETA2[p]) * g[i] * g[i];
                        u = g[i] / (Math.sqrt(v[i]) + EPS[p]);
                    }
                    u += WD[p] * y[i];
                    y[i] += c * (z[i] - y[i]);
                    y[i] += lr * (BETA[p] * (1 - c) - 1) * u;
                    z[i] -= lr * u;
                }
            }
        }
        double[] x = new double[7];
        for (int p = 0; p < 2; p++) for (int i = BOUNDS[p]; i < BOUNDS[p + 1]; i++) x[i] = y[i] + (1 - 1 / BETA[p]) * (z[i] - y[i]);
        return new double[][] {y, x};
    }

    static ScheduleFree build(List<List<Parameter>> gs, boolean adam) {
        ParamGroup a = ParamGroup.of(gs.get(0)).with("lr", LR[0]).with("weight_decay", WD[0]).with("warmup_steps", WARMUP[0]).with("r", R[0])
                .with("weight_lr_power", POWER[0]);
        ParamGroup b = ParamGroup.of(gs.get(1)).with("lr", LR[1]).with("weight_decay", WD[1]);
        if (adam) {
            a.with("beta1", BETA[0]).with("beta2", BETA2[0]).with("eps", EPS[0]);
            return new ScheduleFreeAdamW(List.of(a, b));
        }
        a.with("momentum", BETA[0]);
        return new ScheduleFreeSGD(List.of(a, b));
    }

    @Test
    void bothMatchTheInPlaceFormOverTwoGroupsInTrainAndEvalMode() {
        for (boolean adam : new boolean[] {true, false}) {
            double[][] want = reference(q, theta0, adam, STEPS);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
                ScheduleFree opt = build(Steps.split(params, ONE_TENSOR_EACH), adam);
                for (int s = 0; s < STEPS; s++) {
                    q.setGrads(params);
                    opt.step();
                }
                double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
                String name = (adam ? "schedule-free AdamW " : "schedule-free SGD ") + dtype;
                assertClose(want[0], Quadratic.flat(params), tol, name + ", y (train mode)");
                opt.eval();
                assertFalse(opt.isTrainMode());
                assertClose(want[1], Quadratic.flat(params), tol, name + ", x (eval mode)");
            }
        }
    }

    @Test
    void evalThenTrainRestoresTheWeightsBitForBit() {
        for (boolean adam : new boolean[] {true, false}) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<Parameter> params = Quadratic.params(theta0, dtype, Steps.SHAPES);
                ScheduleFree opt = build(Steps.split(params, ONE_TENSOR_EACH), adam);
                double[] start = Quadratic.flat(params);
                opt.eval(); // before any step: nothing to swap
                assertBitwise(start, Quadratic.flat(params), "eval before the first step");
                opt.train();
                for (int s = 0; s < STEPS; s++) {
                    q.setGrads(params);
                    opt.step();
                    double[] y = Quadratic.flat(params);
                    opt.eval();
                    opt.eval(); // twice: still x
                    double[] x = Quadratic.flat(params);
                    opt.train();
                    opt.train();
                    assertBitwise(y, Quadratic.flat(params), "train() after eval() at step " + s + ", " + dtype);
                    if (s > 0) assertTrue(!java.util.Arrays.equals(x, y), "x and y differ after step " + s);
                }
                opt.eval();
                q.setGrads(params);
                long before = opt.groupStep(0);
                var e = assertThrows(IllegalStateException.class, opt::step);
                assertEquals(opt.getClass().getSimpleName() + " is in eval mode (the parameters hold the averaged x): call train() before step()",
                        e.getMessage());
                assertEquals(before, opt.groupStep(0), "a refused step counts nothing");
            }
        }
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        for (boolean adam : new boolean[] {true, false}) {
            Function<List<List<Parameter>>, Optimizer> make = gs -> build(gs, adam);
            double[] want = Steps.run(q, theta0, DType.FLOAT32, STEPS, Steps.SHAPES, ONE_TENSOR_EACH, make);
            List<Parameter> params = Quadratic.params(theta0, DType.FLOAT32, Steps.SHAPES);
            ScheduleFree opt = build(Steps.split(params, ONE_TENSOR_EACH), adam);
            for (int s = 0; s < STEPS / 2; s++) {
                q.setGrads(params);
                opt.step();
            }
            opt.eval(); // saved in eval mode, with the x weights in the parameters
            Path file = dir.resolve("sf-" + adam + ".safetensors");
            OptimizerState.save(opt, file);
            List<Parameter> resumed = Quadratic.params(Quadratic.flat(params), DType.FLOAT32, Steps.SHAPES);
            ScheduleFree again = build(Steps.split(resumed, ONE_TENSOR_EACH), adam);
            OptimizerState.load(again, file);
            assertFalse(again.isTrainMode(), "the mode is restored");
            again.train();
            for (int s = STEPS / 2; s < STEPS; s++) {
                q.setGrads(resumed);
                again.step();
            }
            assertBitwise(want, Quadratic.flat(resumed), (adam ? "AdamW" : "SGD") + " resumed");
        }
    }

    @Test
    void badValuesAreNamedWithTheirGroupAndDefaultsAreTheAuthors() {
        Function<ParamGroup, Optimizer> adamw = g -> new ScheduleFreeAdamW(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))), g));
        Function<ParamGroup, Optimizer> sgd = g -> new ScheduleFreeSGD(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))), g));
        record Bad(Function<ParamGroup, Optimizer> build, String key, Object value, String message) {}
        for (Bad b : List.of(
                new Bad(adamw, "lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of ScheduleFreeAdamW)"),
                new Bad(adamw, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 1 of ScheduleFreeAdamW)"),
                new Bad(adamw, "beta2", -0.5, "beta2 must be in [0, 1), was -0.5 (group 1 of ScheduleFreeAdamW)"),
                new Bad(adamw, "warmup_steps", 2.5, "warmup_steps must be a whole number, was 2.5 (group 1 of ScheduleFreeAdamW)"),
                new Bad(adamw, "weight_lr_power", -2.0, "weight_lr_power must be >= 0, was -2.0 (group 1 of ScheduleFreeAdamW)"),
                new Bad(sgd, "momentum", 1.0, "momentum must be in [0, 1), was 1.0 (group 1 of ScheduleFreeSGD)"),
                new Bad(sgd, "r", Double.NaN, "r must be finite, was NaN (group 1 of ScheduleFreeSGD)"),
                new Bad(sgd, "weight_decay", -0.1, "weight_decay must be >= 0, was -0.1 (group 1 of ScheduleFreeSGD)"))) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> b.build.apply(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with(b.key, b.value)));
            assertEquals(b.message, e.getMessage());
        }
        ParamGroup a = new ScheduleFreeAdamW(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))).group(0);
        assertEquals(0.0025, a.get("lr"));
        assertEquals(0.9, a.get("beta1"));
        assertEquals(0.999, a.get("beta2"));
        assertEquals(1e-8, a.get("eps"));
        assertEquals(0.0, a.get("warmup_steps"));
        assertEquals(2.0, a.get("weight_lr_power"));
        ParamGroup s = new ScheduleFreeSGD(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))).group(0);
        assertEquals(1.0, s.get("lr"));
        assertEquals(0.9, s.get("momentum"));
    }

    @Test
    void theAveragedWeightsReachTheMinimiserWithoutASchedule() {
        double[] star = q.minimiser();
        for (boolean adam : new boolean[] {true, false}) {
            List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, Steps.SHAPES);
            ScheduleFree opt = adam ? new ScheduleFreeAdamW(params, 0.02) : new ScheduleFreeSGD(params, 0.1);
            for (int s = 0; s < 5000; s++) {
                q.setGrads(params);
                opt.step();
            }
            opt.eval();
            double[] x = Quadratic.flat(params);
            double d = 0;
            for (int i = 0; i < x.length; i++) d += (x[i] - star[i]) * (x[i] - star[i]);
            d = Math.sqrt(d);
            assertTrue(d <= 1e-2, (adam ? "AdamW" : "SGD") + ": x ends " + d + " from the minimiser");
        }
    }
}
