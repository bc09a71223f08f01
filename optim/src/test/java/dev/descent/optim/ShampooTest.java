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
 * Shampoo (issue 17) and its matrix-root routine: Jacobi's eigendecomposition rebuilds random symmetric
 * matrices (repeated eigenvalues included) with orthonormal vectors, and (A^{-1/4})⁴·A ≈ I for random
 * SPD A; 20 steps over two groups (a matrix; a 3-D tensor and a vector, roots every 3 steps; weight decay
 * in both) equal a float64 loop written from the paper's Algorithm 2 with explicit unfoldings, in both
 * dtypes; resume after save/load is bitwise, also between root recomputations; bad values are named;
 * it minimises a quadratic.
 */
class ShampooTest {
    static final int STEPS = 20;
    static final int[][] SHAPES = {{3, 4}, {2, 3, 2}, {5}};
    static final int[] GROUPS = {1, 2};
    static final int N = 12 + 12 + 5;

    final SplittableRandom rng = new SplittableRandom(31);
    final Quadratic q = Quadratic.random(rng, N, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, N, 1);

    @TempDir
    Path dir;

    static double[][] mul(double[][] x, double[][] y) {
        double[][] z = new double[x.length][y[0].length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < y[0].length; j++) for (int k = 0; k < y.length; k++) z[i][j] += x[i][k] * y[k][j];
        return z;
    }

    static double[][] randomSpd(SplittableRandom r, int n) {
        double[][] b = new double[n][n];
        for (double[] row : b) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            for (int k = 0; k < n; k++) a[i][j] += b[i][k] * b[j][k];
            if (i == j) a[i][j] += 0.1;
        }
        return a;
    }

    static void assertIdentity(double[][] m, double tol, String what) {
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) {
            assertEquals(i == j ? 1 : 0, m[i][j], tol, what + " at [" + i + "][" + j + "]");
        }
    }

    @Test
    void jacobiRebuildsSymmetricMatrices() {
        var r = new SplittableRandom(5);
        for (int n = 1; n <= 9; n++) {
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) for (int j = i; j < n; j++) a[i][j] = a[j][i] = r.nextGaussian();
            check(a, "random " + n + "×" + n);
        }
        check(new double[][] {{2, 0, 0}, {0, 2, 0}, {0, 0, 3}}, "repeated eigenvalues");
        check(new double[][] {{1, 1}, {1, 1}}, "singular");
        check(new double[][] {{0, 0}, {0, 0}}, "zero");
    }

    static void check(double[][] a, String what) {
        int n = a.length;
        var e = SymmetricMatrices.eigen(a);
        double[][] v = e.vectors(), vt = new double[n][n], vd = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            vt[i][j] = v[j][i];
            vd[i][j] = v[i][j] * e.values()[j];
        }
        assertIdentity(mul(vt, v), 1e-13, what + ": VᵀV");
        double[][] back = mul(vd, vt);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(a[i][j], back[i][j], 1e-12, what + ": V·Λ·Vᵀ at " + i + "," + j);
    }

    @Test
    void inverseFourthRootTimesItselfFourTimesTimesAIsTheIdentity() {
        var r = new SplittableRandom(6);
        for (int n = 1; n <= 8; n++) {
            double[][] a = randomSpd(r, n), p = SymmetricMatrices.power(a, -0.25);
            assertIdentity(mul(mul(mul(mul(p, p), p), p), a), 1e-9, "(A^-1/4)^4·A, n = " + n);
            double[][] h = SymmetricMatrices.power(a, -0.5);
            assertIdentity(mul(mul(h, h), a), 1e-9, "(A^-1/2)^2·A, n = " + n);
        }
        double[][] d = SymmetricMatrices.power(new double[][] {{16, 0}, {0, 81}}, -0.25);
        assertEquals(0.5, d[0][0], 1e-15);
        assertEquals(1 / 3.0, d[1][1], 1e-15);
        assertEquals(0, d[0][1], 0.0);
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1 on (1, 1)/√2 and (1, −1)/√2: its inverse square root is known in closed form.
        double[][] h = SymmetricMatrices.power(new double[][] {{2, 1}, {1, 2}}, -0.5);
        double u = 1 / Math.sqrt(3);
        assertEquals((u + 1) / 2, h[0][0], 1e-15);
        assertEquals((u - 1) / 2, h[0][1], 1e-15);
        assertEquals((u + 1) / 2, h[1][1], 1e-15);
    }

    // ------------------------------------------------------------------ the paper's algorithm, unfolded explicitly

    /** Unfoldings of a [2, 3, 2] tensor (index (a, b, c) at a·6 + b·2 + c) along each dimension: [n_d, numel/n_d]. */
    static double[][] unfold3(double[] x, int off, int d) {
        int[] s = {2, 3, 2};
        double[][] m = new double[s[d]][12 / s[d]];
        int[] col = new int[s[d]];
        for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) for (int c = 0; c < 2; c++) {
            int row = d == 0 ? a : d == 1 ? b : c;
            m[row][col[row]++] = x[off + a * 6 + b * 2 + c];
        }
        return m;
    }

    static double[][] gram(double[][] m) {
        double[][] g = new double[m.length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) for (int k = 0; k < m[0].length; k++) g[i][j] += m[i][k] * m[j][k];
        return g;
    }

    static double[][] plusEps(double[][] h, double eps) {
        double[][] m = new double[h.length][h.length];
        for (int i = 0; i < h.length; i++) for (int j = 0; j < h.length; j++) m[i][j] = h[i][j] + (i == j ? eps : 0);
        return m;
    }

    static void addInto(double[][] h, double[][] g) {
        for (int i = 0; i < h.length; i++) for (int j = 0; j < h.length; j++) h[i][j] += g[i][j];
    }

    static double[] reference(Quadratic q, double[] theta0, int steps) {
        double[] th = theta0.clone();
        double[][] l = new double[3][3], rr = new double[4][4], h0 = new double[2][2], h1 = new double[3][3], h2 = new double[2][2], hv = new double[5][5];
        double[][] p0 = null, p1 = null, p2 = null, pv = null;
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            // Group 0: the 3×4 matrix, lr 0.1, eps 1e-3, wd 0.01, roots every step: L^{-1/4}·G·R^{-1/4}.
            double[][] gm = new double[3][4];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) gm[i][j] = g[i * 4 + j] + 0.01 * th[i * 4 + j];
            double[][] gmt = new double[4][3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) gmt[j][i] = gm[i][j];
            addInto(l, mul(gm, gmt));
            addInto(rr, mul(gmt, gm));
            double[][] upd = mul(mul(SymmetricMatrices.power(plusEps(l, 1e-3), -0.25), gm), SymmetricMatrices.power(plusEps(rr, 1e-3), -0.25));
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) th[i * 4 + j] -= 0.1 * upd[i][j];
            // Group 1: lr 0.05, eps 1e-2, wd 0.02, roots at steps 1, 4, 7, …
            boolean recompute = (t - 1) % 3 == 0;
            double[] g3 = new double[24 + 5];
            for (int e = 12; e < N; e++) g3[e] = g[e] + 0.02 * th[e];
            addInto(h0, gram(unfold3(g3, 12, 0)));
            addInto(h1, gram(unfold3(g3, 12, 1)));
            addInto(h2, gram(unfold3(g3, 12, 2)));
            if (recompute) {
                p0 = SymmetricMatrices.power(plusEps(h0, 1e-2), -1.0 / 6);
                p1 = SymmetricMatrices.power(plusEps(h1, 1e-2), -1.0 / 6);
                p2 = SymmetricMatrices.power(plusEps(h2, 1e-2), -1.0 / 6);
            }
            // g ×_1 P0 ×_2 P1 ×_3 P2, written as one sum over the three indices.
            for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) for (int c = 0; c < 2; c++) {
                double s = 0;
                for (int x = 0; x < 2; x++) for (int y = 0; y < 3; y++) for (int z = 0; z < 2; z++) {
                    s += p0[a][x] * p1[b][y] * p2[c][z] * g3[12 + x * 6 + y * 2 + z];
                }
                th[12 + a * 6 + b * 2 + c] -= 0.05 * s;
            }
            // The vector: full-matrix AdaGrad, (εI + Σ g·gᵀ)^{-1/2}·g.
            for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) hv[i][j] += g3[24 + i] * g3[24 + j];
            if (recompute) pv = SymmetricMatrices.power(plusEps(hv, 1e-2), -0.5);
            for (int i = 0; i < 5; i++) {
                double s = 0;
                for (int j = 0; j < 5; j++) s += pv[i][j] * g3[24 + j];
                th[24 + i] -= 0.05 * s;
            }
        }
        return th;
    }

    static Shampoo shampoo(List<List<Parameter>> gs) {
        return new Shampoo(List.of(ParamGroup.of(gs.get(0)).with("lr", 0.1).with("eps", 1e-3).with("weight_decay", 0.01),
                ParamGroup.of(gs.get(1)).with("lr", 0.05).with("eps", 1e-2).with("weight_decay", 0.02).with("update_freq", 3.0)));
    }

    @Test
    void shampooMatchesThePaperOverTwoGroups() {
        double[] want = reference(q, theta0, STEPS);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, STEPS, SHAPES, GROUPS, ShampooTest::shampoo);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "Shampoo " + dtype);
        }
    }

    @Test
    void saveAndLoadInMidRunResumeBitForBit() throws IOException {
        Function<List<List<Parameter>>, Optimizer> build = ShampooTest::shampoo;
        for (int cut : new int[] {10, 11}) { // 10 steps: the next root is recomputed; 11: the next step reuses saved roots
            DType dtype = DType.FLOAT32;
            double[] want = Steps.run(q, theta0, dtype, STEPS, SHAPES, GROUPS, build);
            List<Parameter> params = Quadratic.params(theta0, dtype, SHAPES);
            Optimizer opt = build.apply(Steps.split(params, GROUPS));
            for (int s = 0; s < cut; s++) {
                q.setGrads(params);
                opt.step();
            }
            Path file = dir.resolve("shampoo" + cut + ".safetensors");
            OptimizerState.save(opt, file);
            List<Parameter> resumed = Quadratic.params(Quadratic.flat(params), dtype, SHAPES);
            Optimizer again = build.apply(Steps.split(resumed, GROUPS));
            OptimizerState.load(again, file);
            for (int s = cut; s < STEPS; s++) {
                q.setGrads(resumed);
                again.step();
            }
            assertBitwise(want, Quadratic.flat(resumed), "Shampoo resumed after " + cut);
        }
    }

    @Test
    void stateHoldsThePreconditionersOfTheBoundedDimensions() {
        List<Parameter> ps = List.of(new Parameter(Tensor.zeros(DType.FLOAT32, 3, 40)));
        var s = new Shampoo(List.of(ParamGroup.of(ps)), 0.1, 16).stateDict();
        assertEquals(List.of(3L, 3L), java.util.Arrays.stream(s.get("shampoo.group.0.param.0.preconditioner.0").shape()).boxed().map(Long::valueOf).toList());
        assertTrue(s.containsKey("shampoo.group.0.param.0.inverse_root.0"));
        assertFalse(s.containsKey("shampoo.group.0.param.0.preconditioner.1"), "40 > 16: not preconditioned");
        var bad = new java.util.LinkedHashMap<>(s);
        bad.put("shampoo.group.0.param.0.preconditioner.0", Tensor.zeros(DType.FLOAT64, 2, 2));
        var opt = new Shampoo(List.of(ParamGroup.of(ps)), 0.1, 16);
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
        assertTrue(e.getMessage().contains("preconditioner.0"), e.getMessage());
    }

    @Test
    void badValuesAreNamedWithTheirGroup() {
        Object[][] bad = {{"lr", -1.0, "lr must be >= 0, was -1.0 (group 1 of Shampoo)"}, {"eps", 0.0, "eps must be > 0, was 0.0 (group 1 of Shampoo)"},
                {"weight_decay", -1.0, "weight_decay must be >= 0, was -1.0 (group 1 of Shampoo)"}};
        for (Object[] b : bad) {
            List<ParamGroup> groups = List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2, 2))),
                    ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with((String) b[0], b[1]));
            assertEquals(b[2], assertThrows(IllegalArgumentException.class, () -> new Shampoo(groups, 0.1)).getMessage());
        }
        var freq = assertThrows(IllegalArgumentException.class,
                () -> new Shampoo(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))).with("update_freq", 0.0)), 0.1));
        assertTrue(freq.getMessage().startsWith("update_freq must be"), freq.getMessage());
        assertEquals("lr is required (group 0 of Shampoo)",
                assertThrows(IllegalArgumentException.class, () -> new Shampoo(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))))))
                        .getMessage());
        assertEquals("maxPreconditionerDim must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> new Shampoo(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))), 0.1, 0)).getMessage());
        assertEquals(1e-4, new Shampoo(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)))), 0.1).group(0).get("eps"));
    }

    @Test
    void minimisesAQuadratic() {
        List<Parameter> params = Quadratic.params(theta0, DType.FLOAT64, SHAPES);
        Optimizer opt = new Shampoo(List.of(ParamGroup.of(params)), 0.5);
        for (int s = 0; s < 3000; s++) {
            q.setGrads(params);
            opt.step();
        }
        double[] x = Quadratic.flat(params), star = q.minimiser();
        double d = 0, d0 = 0;
        for (int i = 0; i < x.length; i++) {
            d += (x[i] - star[i]) * (x[i] - star[i]);
            d0 += (theta0[i] - star[i]) * (theta0[i] - star[i]);
        }
        assertTrue(Math.sqrt(d) <= 1e-3 * Math.sqrt(d0), "Shampoo ends " + Math.sqrt(d) + " from the minimiser, from " + Math.sqrt(d0));
    }
}
