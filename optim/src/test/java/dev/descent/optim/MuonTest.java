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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Muon (issue 17): the Newton–Schulz output's singular values lie in the iteration's band; 20 steps over
 * three groups (Muon with Nesterov on a tall and a wide matrix, Muon without Nesterov on a conv weight,
 * the AdamW fallback on a vector; weight decay in each) equal a float64 loop written from the reference
 * implementation, in both dtypes; float32 Muon, whose iteration runs in float32, follows that loop on larger
 * wide and tall matrices; the AdamW groups are AdamW bit for bit; resume after save/load is
 * bitwise; bad values and a vector in a Muon group are named; it minimises a quadratic.
 */
class MuonTest {
    static final int STEPS = 20;
    static final int[][] SHAPES = {{4, 3}, {3, 4}, {2, 1, 2, 2}, {5}};
    static final int[] GROUPS = {2, 1, 1};
    static final int N = 12 + 12 + 8 + 5;

    final SplittableRandom rng = new SplittableRandom(29);
    final Quadratic q = Quadratic.random(rng, N, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, N, 1);

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ the reference, as double[][] matrices

    static double[][] mul(double[][] x, double[][] y) {
        double[][] z = new double[x.length][y[0].length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < y[0].length; j++) for (int k = 0; k < y.length; k++) z[i][j] += x[i][k] * y[k][j];
        return z;
    }

    static double[][] t(double[][] x) {
        double[][] z = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x[0].length; j++) z[j][i] = x[i][j];
        return z;
    }

    /** zeropower_via_newtonschulz5 of the reference: transpose when tall, normalise, five quintic steps. */
    static double[][] newtonSchulz(double[][] g) {
        boolean tall = g.length > g[0].length;
        double[][] x = tall ? t(g) : g;
        double norm = 0;
        for (double[] row : x) for (double v : row) norm += v * v;
        norm = Math.sqrt(norm) + 1e-7;
        double[][] y = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x[0].length; j++) y[i][j] = x[i][j] / norm;
        for (int s = 0; s < 5; s++) {
            double[][] a = mul(y, t(y)), aa = mul(a, a), b = new double[a.length][a.length];
            for (int i = 0; i < a.length; i++) for (int j = 0; j < a.length; j++) b[i][j] = -4.7750 * a[i][j] + 2.0315 * aa[i][j];
            double[][] by = mul(b, y);
            for (int i = 0; i < y.length; i++) for (int j = 0; j < y[0].length; j++) y[i][j] = 3.4445 * y[i][j] + by[i][j];
        }
        return tall ? t(y) : y;
    }

    static double[][] matrix(double[] flat, int from, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i][j] = flat[from + i * cols + j];
        return m;
    }

    /** muon_update and the MuonWithAuxAdam step, per tensor; Adam per PyTorch's AdamW. Hyperparameters as in {@link #muon}. */
    static double[] reference(Quadratic q, double[] theta0, int steps) {
        double[] th = theta0.clone(), buf = new double[N], m = new double[N], v = new double[N];
        int[][] tensors = {{0, 4, 3}, {12, 3, 4}, {24, 2, 4}}; // offset, rows, cols (the conv weight as [2, 1·2·2])
        double[] lr = {0.05, 0.03}, wd = {0.1, 0.2}, mu = {0.9, 0.95};
        boolean[] nesterov = {true, false};
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int k = 0; k < tensors.length; k++) {
                int grp = k < 2 ? 0 : 1, off = tensors[k][0], rows = tensors[k][1], cols = tensors[k][2];
                double[] u = new double[rows * cols];
                for (int i = 0; i < u.length; i++) {
                    buf[off + i] = buf[off + i] + (1 - mu[grp]) * (g[off + i] - buf[off + i]);
                    u[i] = nesterov[grp] ? g[off + i] + mu[grp] * (buf[off + i] - g[off + i]) : buf[off + i];
                }
                double[][] o = newtonSchulz(matrix(u, 0, rows, cols));
                double scale = Math.sqrt(Math.max(1, (double) rows / cols));
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        int e = off + i * cols + j;
                        th[e] = th[e] * (1 - lr[grp] * wd[grp]) - lr[grp] * scale * o[i][j];
                    }
                }
            }
            double alr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-8, awd = 0.05;
            for (int e = 32; e < N; e++) {
                m[e] = b1 * m[e] + (1 - b1) * g[e];
                v[e] = b2 * v[e] + (1 - b2) * g[e] * g[e];
                th[e] *= 1 - alr * awd;
                th[e] -= alr * (m[e] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[e] / (1 - Math.pow(b2, t))) + eps);
            }
        }
        return th;
    }

    static Muon muon(List<List<Parameter>> gs) {
        return new Muon(List.of(ParamGroup.of(gs.get(0)).with("lr", 0.05).with("weight_decay", 0.1).with("momentum", 0.9),
                ParamGroup.of(gs.get(1)).with("lr", 0.03).with("weight_decay", 0.2).with("nesterov", false),
                ParamGroup.of(gs.get(2)).with("use_muon", false).with("lr", 0.01).with("beta1", 0.8).with("eps", 1e-8).with("weight_decay", 0.05)));
    }

    @Test
    void newtonSchulzSingularValuesLieInTheIterationsBand() {
        var r = new SplittableRandom(3);
        for (int[] shape : new int[][] {{6, 10}, {10, 6}, {8, 8}, {1, 5}, {5, 1}, {16, 40}}) {
            int rows = shape[0], cols = shape[1];
            double[] g = Quadratic.gaussian(r, rows * cols, 3);
            double[] x = Muon.newtonSchulz(g, rows, cols, 5, 1e-7);
            // The smaller Gram matrix X·Xᵀ or Xᵀ·X: its eigenvalues are the squared singular values.
            double[][] xm = matrix(x, 0, rows, cols), gram = rows <= cols ? mul(xm, t(xm)) : mul(t(xm), xm);
            for (double l : SymmetricMatrices.eigen(gram).values()) {
                double sigma = Math.sqrt(l);
                assertTrue(sigma >= 0.65 && sigma <= 1.25, "singular value " + sigma + " of NS(" + rows + "×" + cols + ") outside [0.65, 1.25]");
            }
            assertClose(flatten(newtonSchulz(matrix(g, 0, rows, cols))), x, 1e-12, "NS against the reference's " + rows + "×" + cols);
        }
    }

    @Test
    void float32NewtonSchulzOnLargerMatricesFollowsTheFloat64Loop() {
        // Float32 runs the iteration in float32 (core's GEMM): ten steps on a wide and a tall matrix, gradient θ − θ*,
        // against the reference's float64 loop, to float32 rounding. 24×200 and 200×24 take the X form, 64×1024 and
        // 1024×64 the Gram form (Muon.gramForm).
        assertTrue(!Muon.gramForm(24, 200) && Muon.gramForm(64, 1024), "the shapes cover both forms");
        var r = new SplittableRandom(41);
        for (int[] shape : new int[][] {{24, 200}, {200, 24}, {64, 1024}, {1024, 64}}) {
            int rows = shape[0], cols = shape[1], n = rows * cols;
            double[] start = Quadratic.gaussian(r, n, 0.1), target = Quadratic.gaussian(r, n, 0.1);
            double lr = 0.02, mu = 0.95, wd = 0.01, scale = Math.sqrt(Math.max(1, (double) rows / cols));
            double[] th = start.clone(), buf = new double[n];
            Parameter p = new Parameter(Tensor.of(start, rows, cols).to(DType.FLOAT32));
            Muon opt = new Muon(List.of(ParamGroup.of(p).with("lr", lr).with("weight_decay", wd)));
            for (int step = 0; step < 10; step++) {
                double[] g = new double[n], u = new double[n];
                for (int i = 0; i < n; i++) {
                    g[i] = th[i] - target[i];
                    buf[i] = buf[i] + (1 - mu) * (g[i] - buf[i]);
                    u[i] = g[i] + mu * (buf[i] - g[i]);
                }
                double[] o = flatten(newtonSchulz(matrix(u, 0, rows, cols)));
                for (int i = 0; i < n; i++) th[i] = th[i] * (1 - lr * wd) - lr * scale * o[i];
                p.setGrad(p.detach().sub(Tensor.of(target, rows, cols).to(DType.FLOAT32)));
                opt.step();
            }
            assertClose(th, p.detach().to(DType.FLOAT64).toDoubleArray(), 1e-5, "float32 Muon on " + rows + "×" + cols + " against the float64 loop");
        }
    }

    static double[] flatten(double[][] m) {
        double[] f = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, f, i * m[0].length, m[0].length);
        return f;
    }

    @Test
    void muonMatchesTheReferenceOverThreeGroups() {
        double[] want = reference(q, theta0, STEPS);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, STEPS, SHAPES, GROUPS, MuonTest::muon);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "Muon " + dtype);
        }
    }

    @Test
    void theFallbackGroupIsAdamW() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] muon = Steps.run(q, theta0, dtype, STEPS, SHAPES, new int[] {4}, gs -> new Muon(List.of(ParamGroup.of(gs.get(0)).with("use_muon", false).with("lr", 0.01)
                    .with("beta2", 0.99).with("eps", 1e-8).with("weight_decay", 0.1))));
            double[] adamW = Steps.run(q, theta0, dtype, STEPS, SHAPES, new int[] {4}, gs -> new AdamW(List.of(ParamGroup.of(gs.get(0)).with("lr", 0.01).with("beta2", 0.99)
                    .with("eps", 1e-8).with("weight_decay", 0.1))));
            assertBitwise(adamW, muon, "Muon's AdamW group " + dtype);
        }
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        Function<List<List<Parameter>>, Optimizer> build = MuonTest::muon;
        DType dtype = DType.FLOAT32;
        double[] want = Steps.run(q, theta0, dtype, STEPS, SHAPES, GROUPS, build);
        List<Parameter> params = Quadratic.params(theta0, dtype, SHAPES);
        Optimizer opt = build.apply(Steps.split(params, GROUPS));
        for (int s = 0; s < STEPS / 2; s++) {
            q.setGrads(params);
            opt.step();
        }
        Path file = dir.resolve("muon.safetensors");
        OptimizerState.save(opt, file);
        List<Parameter> resumed = Quadratic.params(Quadratic.flat(params), dtype, SHAPES);
        Optimizer again = build.apply(Steps.split(resumed, GROUPS));
        OptimizerState.load(again, file);
        for (int s = STEPS / 2; s < STEPS; s++) {
            q.setGrads(resumed);
            again.step();
        }
        assertBitwise(want, Quadratic.flat(resumed), "Muon resumed");
    }

    @Test
    void badValuesAreNamedWithTheirGroup() {
        Object[][] bad = {{"lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of Muon)"},
                {"momentum", 1.0, "momentum must be in [0, 1), was 1.0 (group 1 of Muon)"},
                {"weight_decay", -0.1, "weight_decay must be >= 0, was -0.1 (group 1 of Muon)"},
                {"ns_eps", Double.NaN, "ns_eps must be >= 0, was NaN (group 1 of Muon)"},
                {"beta2", 1.5, "beta2 must be in [0, 1), was 1.5 (group 1 of Muon)"}};
        for (Object[] b : bad) {
            List<ParamGroup> groups = List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3, 2))).with((String) b[0], b[1]));
            assertEquals(b[2], assertThrows(IllegalArgumentException.class, () -> new Muon(groups)).getMessage());
        }
        var steps = assertThrows(IllegalArgumentException.class,
                () -> new Muon(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2, 2))).with("ns_steps", 0.0))));
        assertTrue(steps.getMessage().startsWith("ns_steps must be"), steps.getMessage());
        var vector = assertThrows(IllegalArgumentException.class, () -> new Muon(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2, 2))),
                ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 5))))));
        assertTrue(vector.getMessage().contains("[5] FLOAT64 in group 1 has 1 dimension(s)") && vector.getMessage().contains("use_muon = false"),
                vector.getMessage());
        ParamGroup d = new Muon(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2, 2))))).group(0);
        assertEquals(0.02, d.get("lr"));
        assertEquals(0.95, d.get("momentum"));
        assertEquals(5.0, d.get("ns_steps"));
        assertTrue(d.flag("nesterov") && d.flag("use_muon"));
    }

    @Test
    void minimisesAQuadratic() {
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, SHAPES);
        Optimizer opt = new Muon(List.of(ParamGroup.of(params.subList(0, 3)).with("lr", 0.05),
                ParamGroup.of(params.subList(3, 4)).with("use_muon", false).with("lr", 0.05)));
        LrScheduler schedule = new LrScheduler(opt, Schedule.cosine(3000, 0));
        for (int s = 0; s < 3000; s++) {
            q.setGrads(params);
            opt.step();
            schedule.step();
        }
        double[] x = Quadratic.flat(params), star = q.minimiser();
        double d = 0, d0 = 0;
        for (int i = 0; i < x.length; i++) {
            d += (x[i] - star[i]) * (x[i] - star[i]);
            d0 += (theta0[i] - star[i]) * (theta0[i] - star[i]);
        }
        assertTrue(Math.sqrt(d) <= 1e-3 * Math.sqrt(d0), "Muon ends " + Math.sqrt(d) + " from the minimiser, from " + Math.sqrt(d0));
    }
}
