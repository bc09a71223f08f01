package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adafactor against a float64 loop of PyTorch's documented algorithm in the paper's sum form
 * (R ← β2·R + (1 − β2)·Σ_j g², C likewise, V = R·C/ΣR), over a vector (group 0) and a matrix and a batch
 * of matrices (group 1), weight decay on; the factored state's shapes; resume; validation; convergence.
 */
class AdafactorTest {
    static final int STEPS = 20;
    static final int[][] SHAPES = {{3}, {2, 3}, {2, 2, 2}};
    static final int[] TENSORS_PER_GROUP = {2, 1};
    static final int[] GROUP_OF_TENSOR = {0, 0, 1};
    /** The gradient at step t is GROWTH^t·(Aθ + b): growing gradients make the update clipping (d) act. */
    static final double GROWTH = 1.3;

    final SplittableRandom rng = new SplittableRandom(53);
    final Quadratic q = Quadratic.random(rng, 17, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 17, 1);

    @TempDir
    Path dir;

    static final double[] LR = {0.02, 0.01}, TAU = {-0.6, -0.8}, EPS2 = {1e-3, 0.5}, D = {1.5, 1}, WD = {0.1, 0.05};

    /** The quadratic whose gradient is that of {@code q} times GROWTH^t. */
    static Quadratic at(Quadratic q, int t) {
        double c = Math.pow(GROWTH, t);
        double[][] a = new double[q.n][q.n];
        double[] b = new double[q.n];
        for (int i = 0; i < q.n; i++) {
            for (int j = 0; j < q.n; j++) a[i][j] = q.a[i][j] * c;
            b[i] = q.b[i] * c;
        }
        return new Quadratic(a, b);
    }

    /** The final values; {@code clips[p]} counts the tensors of group p whose update was clipped. */
    static double[] reference(Quadratic q, double[] theta0, int steps, double eps1, int[] clips) {
        double[] th = theta0.clone();
        double[][] rows = new double[SHAPES.length][], cols = new double[SHAPES.length][], vs = new double[SHAPES.length][];
        for (int t = 1; t <= steps; t++) {
            double[] g = at(q, t).grad(th);
            int at = 0;
            for (int k = 0; k < SHAPES.length; k++) {
                int p = GROUP_OF_TENSOR[k];
                int[] shape = SHAPES[k];
                int numel = 1;
                for (int s : shape) numel *= s;
                double beta2 = 1 - Math.pow(t, TAU[p]);
                double rho = Math.min(LR[p], 1 / Math.sqrt(t));
                double ss = 0;
                for (int i = 0; i < numel; i++) ss += th[at + i] * th[at + i];
                double alpha = Math.max(EPS2[p], Math.sqrt(ss / numel)) * rho;
                for (int i = 0; i < numel; i++) th[at + i] *= 1 - LR[p] * WD[p];
                double[] v = new double[numel];
                if (shape.length >= 2) {
                    int m = shape[shape.length - 2], n = shape[shape.length - 1], batches = numel / (m * n);
                    if (rows[k] == null) {
                        rows[k] = new double[batches * m];
                        cols[k] = new double[batches * n];
                    }
                    for (int b = 0; b < batches; b++) {
                        for (int i = 0; i < m; i++) {
                            double s = 0;
                            for (int j = 0; j < n; j++) s += Math.pow(g[at + b * m * n + i * n + j], 2);
                            rows[k][b * m + i] = beta2 * rows[k][b * m + i] + (1 - beta2) * s;
                        }
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int i = 0; i < m; i++) s += Math.pow(g[at + b * m * n + i * n + j], 2);
                            cols[k][b * n + j] = beta2 * cols[k][b * n + j] + (1 - beta2) * s;
                        }
                        double total = 0;
                        for (int i = 0; i < m; i++) total += rows[k][b * m + i];
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) v[b * m * n + i * n + j] = rows[k][b * m + i] * cols[k][b * n + j] / Math.max(total, eps1);
                        }
                    }
                } else {
                    if (vs[k] == null) vs[k] = new double[numel];
                    for (int i = 0; i < numel; i++) {
                        vs[k][i] = beta2 * vs[k][i] + (1 - beta2) * g[at + i] * g[at + i];
                        v[i] = vs[k][i];
                    }
                }
                double[] u = new double[numel];
                double uu = 0;
                for (int i = 0; i < numel; i++) {
                    u[i] = g[at + i] / Math.max(Math.sqrt(v[i]), eps1);
                    uu += u[i] * u[i];
                }
                double clip = Math.max(1, Math.sqrt(uu / numel) / D[p]);
                if (clip > 1) clips[p]++;
                for (int i = 0; i < numel; i++) th[at + i] -= alpha / clip * u[i];
                at += numel;
            }
        }
        return th;
    }

    static Adafactor build(List<List<Parameter>> gs) {
        return new Adafactor(List.of(
                ParamGroup.of(gs.get(0)).with("lr", LR[0]).with("beta2_decay", TAU[0]).with("eps2", EPS2[0]).with("d", D[0]).with("weight_decay", WD[0]),
                ParamGroup.of(gs.get(1)).with("eps2", EPS2[1]).with("weight_decay", WD[1])));
    }

    @Test
    void matchesPyTorchsAlgorithmOverTwoGroups() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            int[] clips = new int[2];
            double[] want = reference(q, theta0, STEPS, dtype == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1.0), clips);
            assertTrue(clips[0] > 0 && clips[1] > 0, "the update clipping should act in both groups, acted " + clips[0] + " and " + clips[1] + " times");
            double[] got = run(q, theta0, dtype, SHAPES);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "Adafactor " + dtype);
        }
        // The factoring matters: the same steps with an unfactored second moment end elsewhere.
        double[] got = run(q, theta0, DType.FLOAT64, SHAPES);
        double[] flatShapes = run(q, theta0, DType.FLOAT64, new int[][] {{3}, {6}, {8}});
        assertTrue(Math.abs(got[5] - flatShapes[5]) > 1e-6, "factored and unfactored second moments should differ");
    }

    static double[] run(Quadratic q, double[] theta0, DType dtype, int[][] shapes) {
        List<Parameter> params = Quadratic.params(theta0, dtype, shapes);
        Optimizer opt = build(Steps.split(params, TENSORS_PER_GROUP));
        for (int t = 1; t <= STEPS; t++) {
            at(q, t).setGrads(params);
            opt.step();
        }
        return Quadratic.flat(params);
    }

    @Test
    void theFactoredStateHasRowAndColumnShapes() {
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT32, SHAPES);
        Adafactor opt = build(Steps.split(params, TENSORS_PER_GROUP));
        q.setGrads(params);
        opt.step();
        Map<String, Tensor> state = opt.stateDict();
        assertArrayEquals(new int[] {0}, state.get("group.0.param.0.row_var").shape());
        assertArrayEquals(new int[] {3}, state.get("group.0.param.0.variance").shape());
        assertArrayEquals(new int[] {2, 1}, state.get("group.0.param.1.row_var").shape());
        assertArrayEquals(new int[] {1, 3}, state.get("group.0.param.1.col_var").shape());
        assertArrayEquals(new int[] {0}, state.get("group.0.param.1.variance").shape());
        assertArrayEquals(new int[] {2, 2, 1}, state.get("group.1.param.0.row_var").shape());
        assertArrayEquals(new int[] {2, 1, 2}, state.get("group.1.param.0.col_var").shape());
        assertEquals(DType.FLOAT32, state.get("group.1.param.0.col_var").dtype());
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        Function<List<List<Parameter>>, Optimizer> make = AdafactorTest::build;
        double[] want = Steps.run(q, theta0, DType.FLOAT32, STEPS, SHAPES, TENSORS_PER_GROUP, make);
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT32, SHAPES);
        Optimizer opt = make.apply(Steps.split(params, TENSORS_PER_GROUP));
        for (int s = 0; s < STEPS / 2; s++) {
            q.setGrads(params);
            opt.step();
        }
        Path file = dir.resolve("adafactor.safetensors");
        OptimizerState.save(opt, file);
        List<Parameter> resumed = Quadratic.params(Quadratic.flat(params), DType.FLOAT32, SHAPES);
        Optimizer again = make.apply(Steps.split(resumed, TENSORS_PER_GROUP));
        OptimizerState.load(again, file);
        for (int s = STEPS / 2; s < STEPS; s++) {
            q.setGrads(resumed);
            again.step();
        }
        assertBitwise(want, Quadratic.flat(resumed), "Adafactor resumed");
    }

    @Test
    void badValuesAreNamedWithTheirGroupAndDefaultsArePyTorchs() {
        record Bad(String key, double value, String message) {}
        for (Bad b : List.of(
                new Bad("lr", -1, "lr must be >= 0, was -1.0 (group 1 of Adafactor)"),
                new Bad("beta2_decay", 0.5, "beta2_decay must be <= 0, was 0.5 (group 1 of Adafactor)"),
                new Bad("eps1", -0.5, "eps1 must be >= 0, or -1 for the dtype's machine epsilon, was -0.5 (group 1 of Adafactor)"),
                new Bad("eps1", -2, "eps1 must be >= -1, was -2.0 (group 1 of Adafactor)"),
                new Bad("eps2", -1e-3, "eps2 must be >= 0, was -0.001 (group 1 of Adafactor)"),
                new Bad("d", 0.5, "d must be >= 1, was 0.5 (group 1 of Adafactor)"),
                new Bad("weight_decay", Double.NaN, "weight_decay must be >= 0, was NaN (group 1 of Adafactor)"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Adafactor(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with(b.key, b.value))));
            assertEquals(b.message, e.getMessage());
        }
        ParamGroup g = new Adafactor(List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))).group(0);
        assertEquals(1e-2, g.get("lr"));
        assertEquals(-0.8, g.get("beta2_decay"));
        assertEquals(-1.0, g.get("eps1"));
        assertEquals(1e-3, g.get("eps2"));
        assertEquals(1.0, g.get("d"));
        assertEquals(0.0, g.get("weight_decay"));
    }

    @Test
    void minimisesAQuadratic() {
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, SHAPES);
        Adafactor opt = new Adafactor(params, 0.05);
        LrScheduler schedule = new LrScheduler(opt, Schedule.cosine(5000, 0));
        for (int s = 0; s < 5000; s++) {
            q.setGrads(params);
            opt.step();
            schedule.step();
        }
        double[] x = Quadratic.flat(params), star = q.minimiser();
        double d = 0;
        for (int i = 0; i < x.length; i++) d += (x[i] - star[i]) * (x[i] - star[i]);
        d = Math.sqrt(d);
        assertTrue(d <= 1e-3, "Adafactor ends " + d + " from the minimiser");
    }
}
