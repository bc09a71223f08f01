package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.Functional;
import dev.descent.core.check.GradGradCheck;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The defining properties of each decomposition on larger and awkward inputs than the op sweep's (which checks values
 * against independent references and gradients against finite differences): A·solve(A, B) = B, QR = A with Q
 * orthonormal, VΛVᵀ = A, USVh = A, det(AB) = det A·det B; rank-deficient and wide matrices; degenerate inputs'
 * errors; gradients of gradients.
 */
class LinalgTest {

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(DType.FLOAT64, new SplittableRandom(seed), shape);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return maxAbs(a.sub(b));
    }

    private static Tensor t(Tensor a) {
        return a.transpose(-1, -2);
    }

    @Test
    void solveInvertsTheProduct() {
        qt().withExamples(40).forAll(integers().between(1, 24), integers().between(1, 5), longs().all()).checkAssert((n, k, seed) -> {
            Tensor a = randn(seed, 2, n, n).add(Tensor.eye(n, DType.FLOAT64).mul(2 * Math.sqrt(n)));
            Tensor b = randn(seed + 1, 2, n, k);
            Tensor x = Linalg.solve(a, b);
            assertTrue(maxDiff(a.matmul(x), b) < 1e-11 * n, "n " + n);
            assertTrue(maxDiff(Linalg.inverse(a).matmul(a), Tensor.eye(n, DType.FLOAT64)) < 1e-11 * n, "inverse, n " + n);
        });
    }

    @Test
    void qrIsOrthonormalTimesUpperTriangular() {
        qt().withExamples(40).forAll(integers().between(1, 16), integers().between(0, 8), longs().all()).checkAssert((n, extra, seed) -> {
            int m = n + extra;
            Tensor a = randn(seed, m, n);
            Linalg.QR qr = Linalg.qr(a);
            assertTrue(maxDiff(qr.q().matmul(qr.r()), a) < 1e-12 * m);
            assertTrue(maxDiff(t(qr.q()).matmul(qr.q()), Tensor.eye(n, DType.FLOAT64)) < 1e-12 * m);
            double[] r = qr.r().toDoubleArray();
            for (int i = 0; i < n; i++) {
                assertTrue(r[i * n + i] >= 0, "non-negative diagonal");
                for (int j = 0; j < i; j++) assertEquals(0.0, r[i * n + j], "upper triangular");
            }
        });
    }

    @Test
    void eighDiagonalisesTheSymmetricPart() {
        qt().withExamples(30).forAll(integers().between(1, 32), longs().all()).checkAssert((n, seed) -> {
            Tensor a = randn(seed, n, n), s = a.add(t(a)).mul(0.5);
            Linalg.Eigh e = Linalg.eigh(a);
            Tensor v = e.eigenvectors();
            assertTrue(maxDiff(v.mul(e.eigenvalues().unsqueeze(0)).matmul(t(v)), s) < 1e-12 * n * Math.max(1, maxAbs(s)));
            assertTrue(maxDiff(t(v).matmul(v), Tensor.eye(n, DType.FLOAT64)) < 1e-12 * n);
            double[] l = e.eigenvalues().toDoubleArray();
            for (int i = 1; i < n; i++) assertTrue(l[i - 1] <= l[i], "ascending");
        });
    }

    @Test
    void eighHandlesRepeatedClusteredAndGradedSpectra() {
        int n = 12;
        Tensor q = Linalg.qr(randn(21, n, n)).q();
        double[][] spectra = {
            {1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4},                                   // repeated
            {1, 1 + 1e-13, 1 + 2e-13, 5, 5, 5 + 1e-9, -3, -3, 0, 0, 0, 7},          // clustered, signed, zeros
            {1e-12, 1e-9, 1e-6, 1e-3, 1, 1e3, 1e6, 1e9, 2, 3, 4, 5}};               // graded over 21 decades
        for (double[] spectrum : spectra) {
            Tensor a = q.mul(Tensor.of(spectrum, n).unsqueeze(0)).matmul(t(q));
            Linalg.Eigh e = Linalg.eigh(a);
            double[] want = spectrum.clone(), got = e.eigenvalues().toDoubleArray();
            java.util.Arrays.sort(want);
            double scale = Math.max(1, maxAbs(a));
            for (int i = 0; i < n; i++) assertEquals(want[i], got[i], 1e-12 * n * scale, "eigenvalue " + i + " of " + java.util.Arrays.toString(spectrum));
            Tensor v = e.eigenvectors();
            assertTrue(maxDiff(t(v).matmul(v), Tensor.eye(n, DType.FLOAT64)) < 1e-12 * n, "orthonormal");
            assertTrue(maxDiff(v.mul(e.eigenvalues().unsqueeze(0)).matmul(t(v)), a) < 1e-12 * n * scale, "reconstruction");
        }
    }

    @Test
    void svdReconstructsTallWideAndRankDeficientMatrices() {
        qt().withExamples(40).forAll(integers().between(1, 20), integers().between(1, 20), integers().between(0, 3), longs().all()).checkAssert((m, n, kind, seed) -> {
            Tensor a = switch (kind) {
                case 0 -> randn(seed, m, n);
                case 1 -> randn(seed, m, 1).matmul(randn(seed + 1, 1, n));                  // rank 1
                case 2 -> Tensor.zeros(DType.FLOAT64, m, n);                               // rank 0
                default -> randn(seed, m, 2).matmul(randn(seed + 1, 2, n)).mul(1e-3);      // rank ≤ 2, small
            };
            int k = Math.min(m, n);
            Linalg.SVD s = Linalg.svd(a);
            Tensor usv = s.u().mul(s.s().unsqueeze(0)).matmul(s.vh());
            assertTrue(maxDiff(usv, a) < 1e-12 * (m + n) * Math.max(1, maxAbs(a)), "kind " + kind + " " + m + "×" + n);
            assertTrue(maxDiff(t(s.u()).matmul(s.u()), Tensor.eye(k, DType.FLOAT64)) < 1e-12 * (m + n), "U orthonormal, kind " + kind);
            assertTrue(maxDiff(s.vh().matmul(t(s.vh())), Tensor.eye(k, DType.FLOAT64)) < 1e-12 * (m + n), "V orthonormal, kind " + kind);
            double[] sv = s.s().toDoubleArray();
            for (int i = 1; i < k; i++) assertTrue(sv[i - 1] >= sv[i] && sv[i] >= 0, "descending, non-negative");
        });
    }

    @Test
    void determinantIsMultiplicative() {
        qt().withExamples(40).forAll(integers().between(1, 10), longs().all()).checkAssert((n, seed) -> {
            Tensor a = randn(seed, n, n), b = randn(seed + 1, n, n);
            double da = Linalg.det(a).item(), db = Linalg.det(b).item(), dab = Linalg.det(a.matmul(b)).item();
            assertEquals(da * db, dab, 1e-10 * Math.max(1, Math.abs(da * db)));
            Linalg.SignLogDet sl = Linalg.slogdet(a);
            assertEquals(da, sl.sign().item() * Math.exp(sl.logAbsDet().item()), 1e-10 * Math.max(1, Math.abs(da)));
        });
    }

    @Test
    void batchDimensionsBroadcastInSolve() {
        Tensor a = randn(1, 3, 1, 4, 4).add(Tensor.eye(4, DType.FLOAT64).mul(5)), b = randn(2, 1, 5, 4, 2);
        Tensor x = Linalg.solve(a, b);
        assertEquals(List.of(3, 5, 4, 2), List.of(x.size(0), x.size(1), x.size(2), x.size(3)));
        assertTrue(maxDiff(a.matmul(x), b.expand(3, 5, 4, 2)) < 1e-12);
    }

    @Test
    void float32InFloat32Out() {
        Tensor a = randn(3, 5, 5).add(Tensor.eye(5, DType.FLOAT64).mul(5)).to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, Linalg.inverse(a).dtype());
        assertEquals(DType.FLOAT32, Linalg.svd(a).u().dtype());
        assertEquals(DType.FLOAT32, Linalg.eigh(a).eigenvalues().dtype());
    }

    @Test
    void degenerateInputsGetClearErrors() {
        Tensor singular = Tensor.of(new double[] {1, 2, 2, 4}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Linalg.solve(singular, Tensor.ones(DType.FLOAT64, 2, 1)));
        assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("matrix 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Linalg.inverse(singular));
        assertEquals(0.0, Linalg.det(singular).item(), "det of a singular matrix is 0, not an error");
        e = assertThrows(IllegalArgumentException.class, () -> Linalg.cholesky(Tensor.of(new double[] {1, 2, 2, 1}, 2, 2)));
        assertTrue(e.getMessage().contains("not positive definite") && e.getMessage().contains("order 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Linalg.qr(randn(1, 2, 3)));
        assertTrue(e.getMessage().contains("m ≥ n") && e.getMessage().contains("[2,3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Linalg.solve(randn(1, 3, 3), randn(2, 4, 1)));
        assertTrue(e.getMessage().contains("[3,3]") && e.getMessage().contains("[4,1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Linalg.einsum("ij,jk->ik", randn(1, 2, 3), randn(2, 4, 5)));
        assertTrue(e.getMessage().contains("'j'") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[4,5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Linalg.einsum("ii->i", randn(1, 3, 3)), "diagonals are not supported");
        assertThrows(IllegalArgumentException.class, () -> Linalg.det(randn(1, 2, 3)), "not square");
    }

    @Test
    void eigenvectorGradientsAtRepeatedEigenvaluesThrowEigenvalueGradientsDoNot() {
        Tensor a = Tensor.eye(3, DType.FLOAT64).requiresGrad(true); // eigenvalue 1, three times
        Linalg.Eigh e = Linalg.eigh(a);
        Tensor valuesOnly = e.eigenvalues().sum();
        assertTrue(maxDiff(Autograd.grad(valuesOnly, List.of(a)).get(0), Tensor.eye(3, DType.FLOAT64)) < 1e-15, "d(trace)/dA = I");
        Tensor vectors = Linalg.eigh(a).eigenvectors().sum();
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(vectors, List.of(a)));
        assertTrue(x.getMessage().contains("coincide"), x.getMessage());
        Tensor z = Tensor.zeros(DType.FLOAT64, 2, 2).requiresGrad(true);
        Tensor u = Linalg.svd(z).u().sum();
        assertThrows(IllegalArgumentException.class, () -> Autograd.grad(u, List.of(z)), "singular vectors of a zero matrix");
        Tensor d = Linalg.det(Tensor.of(new double[] {1, 2, 2, 4}, 2, 2).requiresGrad(true));
        assertThrows(IllegalArgumentException.class, () -> d.backward(), "det's gradient at a singular matrix");
    }

    @Test
    void forwardModeAtDegenerateInputsGivesValueTangentsAndNaNVectorTangents() {
        Tensor dir = randn(3, 3, 3);
        Tensor sym = dir.add(t(dir));
        ForwardAD.Result values = Autograd.jvp(x -> Linalg.eigh(x).eigenvalues(), Tensor.eye(3, DType.FLOAT64), sym);
        // at A = I every eigenvalue is 1; the eigenvalue tangents are defined, and sum to tr(dA)
        assertEquals(sym.get(0, 0) + sym.get(1, 1) + sym.get(2, 2), values.tangent().sum().item(), 1e-12, "Σ dλ = tr(dA)");
        Tensor vectorTangent = Autograd.jvp(x -> Linalg.eigh(x).eigenvectors(), Tensor.eye(3, DType.FLOAT64), sym).tangent();
        for (double v : vectorTangent.toDoubleArray()) assertTrue(Double.isNaN(v), "eigenvector tangents at a repeated eigenvalue are NaN, not garbage");
        Tensor zero = Tensor.zeros(DType.FLOAT64, 2, 2), d2 = randn(4, 2, 2);
        for (double v : Autograd.jvp(x -> Linalg.svd(x).u(), zero, d2).tangent().toDoubleArray()) assertTrue(Double.isNaN(v));
        for (double v : Autograd.jvp(x -> Linalg.svdvals(x), randn(9, 3, 2), randn(10, 3, 2)).tangent().toDoubleArray()) assertTrue(Double.isFinite(v), "singular-value tangents stay defined");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.jvp(Linalg::det, Tensor.of(new double[] {1, 2, 2, 4}, 2, 2), d2));
        assertTrue(e.getMessage().contains("det forward mode") && e.getMessage().contains("singular"), e.getMessage());
    }

    @Test
    void forwardOverReverseAndReverseOverForwardThroughTheDecompositionsEqualReverseOverReverse() {
        Tensor a = randn(11, 3, 3).mul(0.3).add(Tensor.of(new double[] {2, 0, 0, 0, 5, 0, 0, 0, 8}, 3, 3)), b = randn(12, 3, 2);
        List<Function<Tensor, Tensor>> losses = List.of(
                x -> Linalg.solve(x, b).square().sum(),
                x -> Linalg.inverse(x).square().sum(),
                x -> Linalg.logAbsDet(x).add(Linalg.det(x).square()),
                x -> Linalg.cholesky(x.matmul(t(x))).square().sum(),
                x -> Linalg.qr(x).q().mul(b.narrow(1, 0, 1)).sum().add(Linalg.qr(x).r().square().sum()),
                x -> Linalg.eigh(x).eigenvalues().square().sum().add(Linalg.eigh(x).eigenvectors().mul(b.narrow(1, 1, 1)).sum()),
                x -> Linalg.svd(x).s().square().sum().add(Linalg.svd(x).u().mul(b.narrow(1, 0, 1)).sum()).add(Linalg.svd(x).vh().square().mul(x).sum()));
        for (int i = 0; i < losses.size(); i++) {
            for (int trial = 0; trial < 2; trial++) {
                Tensor v = randn(20 + 2 * i + trial, 3, 3);
                Tensor fwd = Functional.hvp(losses.get(i), a, v, Functional.Mode.FORWARD), rev = Functional.hvp(losses.get(i), a, v, Functional.Mode.REVERSE);
                assertTrue(maxDiff(fwd, rev) < 1e-9 * (1 + maxAbs(rev)), "loss " + i + ": forward over reverse " + fwd + " vs reverse over reverse " + rev);
                // reverse over forward: the gradient of the tangent ∇L·v (a JVP rule's output, differentiated in reverse mode) is H·v too
                Tensor leaf = a.detach().requiresGrad(true);
                Tensor directional = ForwardAD.tangent(losses.get(i).apply(ForwardAD.dual(leaf, v)));
                Tensor overForward = Autograd.grad(directional, List.of(leaf)).get(0);
                assertTrue(maxDiff(overForward, rev) < 1e-9 * (1 + maxAbs(rev)), "loss " + i + ": reverse over forward " + overForward + " vs " + rev);
            }
        }
    }

    @Test
    void gradientsOfGradientsMatchFiniteDifferences() {
        Tensor a = randn(5, 3, 3).add(Tensor.eye(3, DType.FLOAT64).mul(4)), b = randn(6, 3, 2);
        checkGradOfGrad("solve", x -> Linalg.solve(x, b).square().sum(), a);
        checkGradOfGrad("inverse", x -> Linalg.inverse(x).square().sum(), a);
        checkGradOfGrad("cholesky", x -> Linalg.cholesky(x.matmul(t(x)).add(Tensor.eye(3, DType.FLOAT64))).square().sum(), a);
        checkGradOfGrad("eigh", x -> Linalg.eigh(x.add(Tensor.of(new double[] {0, 0, 0, 0, 3, 0, 0, 0, 6}, 3, 3))).eigenvalues().square().sum(),
                randn(7, 3, 3).mul(0.25));
        checkGradOfGrad("logAbsDet", x -> Linalg.logAbsDet(x), a);
    }

    @Test
    void batchedSvdGradientsOfTallAndWideMatrices() {
        // A batch as long as k: a broadcasting slip in S⁻¹ (batch against k) once gave wrong values here silently.
        for (int[] s : new int[][] {{2, 3, 2}, {2, 2, 3}, {2, 2, 1}, {2, 1, 2}, {3, 4, 3}}) {
            int m = s[1], n = s[2];
            double[] d = new double[m * n];
            for (int i = 0; i < Math.min(m, n); i++) d[i * n + i] = 2 + 3 * i;
            Tensor a = randn(s[0] * 7L + m, s).mul(0.25).add(Tensor.of(d, m, n));
            Function<Tensor, Tensor> f = x -> {
                Linalg.SVD r = Linalg.svd(x);
                return r.u().mul(r.s().mul(r.s()).unsqueeze(-2)).matmul(r.vh());
            };
            dev.descent.core.check.GradCheck.check("svd " + java.util.Arrays.toString(s), in -> f.apply(in[0]), a);
            checkGradOfGrad("svd " + java.util.Arrays.toString(s), x -> f.apply(x).square().sum(), a);
        }
    }

    private static void checkGradOfGrad(String name, Function<Tensor, Tensor> f, Tensor at) {
        GradGradCheck.check(name, in -> f.apply(in[0]), at);
    }

    @Test
    void matrixNormsAgreeWithTheirDefinitions() {
        Tensor a = randn(9, 5, 3);
        double fro = Math.sqrt(a.square().sum().item());
        assertEquals(fro, Linalg.matrixNorm(a, "fro").item(), 1e-12);
        // The spectral norm by power iteration on AᵀA.
        Tensor v = Tensor.ones(DType.FLOAT64, 3, 1), ata = t(a).matmul(a);
        for (int i = 0; i < 500; i++) v = ata.matmul(v).div(Math.sqrt(ata.matmul(v).square().sum().item()));
        assertEquals(Math.sqrt(t(v).matmul(ata).matmul(v).item()), Linalg.matrixNorm(a, "2").item(), 1e-10);
        Tensor psd = a.matmul(t(a));
        assertEquals(Linalg.trace(psd).item(), Linalg.matrixNorm(psd, "nuc").item(), 1e-10, "nuclear norm of a PSD matrix is its trace");
        assertThrows(IllegalArgumentException.class, () -> Linalg.matrixNorm(a, "inf"));
    }
}
