package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SymmetricEigen}'s vector loops against their scalar twins, bit for bit: each loop alone (sizes around the
 * vector width, offsets, zero weights and zero columns that the reflection must skip), the delayed, column-blocked application of the
 * QR sweeps against the rotations applied one by one over whole rows, and the whole decomposition; and the whole
 * decomposition against the algorithm as it was written before it was restructured ({@link #unrestructured}: every
 * Householder update over the full matrix, each rotation applied to Q as soon as it is made), to the same values.
 * Matrices: dense, low-rank with a ridge (Shampoo's statistics), repeated and graded spectra, diagonal, zero.
 */
class SymmetricEigenTest {

    private static double[] randomSymmetric(SplittableRandom rng, int n, int kind) {
        double[] m = new double[n * n];
        switch (kind) {
            case 0 -> { // dense, not symmetric: eigh reads ½(A + Aᵀ)
                for (int i = 0; i < n * n; i++) m[i] = rng.nextGaussian();
            }
            case 1, 2 -> { // G·Gᵀ + εI of rank n/3 or 1: a cluster of equal eigenvalues at ε
                int rank = kind == 1 ? Math.max(1, n / 3) : 1;
                double[] g = new double[n * rank];
                for (int i = 0; i < g.length; i++) g[i] = rng.nextGaussian();
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int r = 0; r < rank; r++) s += g[i * rank + r] * g[j * rank + r];
                    m[i * n + j] = s + (i == j ? 1e-4 : 0);
                }
            }
            case 3 -> { // graded diagonal, a small symmetric perturbation
                for (int i = 0; i < n; i++) for (int j = i; j < n; j++) {
                    double x = (i == j ? Math.pow(10, -(i % 12)) : 0) + 1e-9 * rng.nextGaussian();
                    m[i * n + j] = x;
                    m[j * n + i] = x;
                }
            }
            case 4 -> { // diagonal with repeated values: already tridiagonal, every reflection skipped
                for (int i = 0; i < n; i++) m[i * n + i] = i % 3;
            }
            default -> { } // zero
        }
        return m;
    }

    @Test
    void vectorDecompositionEqualsScalarTwinBitForBit() {
        qt().forAll(integers().between(1, 70), integers().between(0, 5), longs().all()).checkAssert((n, kind, seed) -> {
            double[] a = randomSymmetric(new SplittableRandom(seed), n, kind);
            double[] lv = new double[n], vv = new double[n * n], ls = new double[n], vs = new double[n * n];
            SymmetricEigen.decompose(a, 0, n, lv, 0, vv, 0, true);
            SymmetricEigen.decompose(a, 0, n, ls, 0, vs, 0, false);
            assertBits(ls, lv, "eigenvalues, n = " + n + ", kind " + kind);
            assertBits(vs, vv, "eigenvectors, n = " + n + ", kind " + kind);
        });
    }

    @Test
    void equalsTheUnrestructuredAlgorithm() {
        qt().forAll(integers().between(1, 70), integers().between(0, 5), longs().all()).checkAssert((n, kind, seed) -> {
            double[] a = randomSymmetric(new SplittableRandom(seed), n, kind);
            double[] lam = new double[n], vec = new double[n * n], lr = new double[n], vr = new double[n * n];
            SymmetricEigen.decompose(a, 0, n, lam, 0, vec, 0);
            unrestructured(a, 0, n, lr, 0, vr, 0);
            // Equal values; the sign of a zero may differ (x − (±0) in the rows the restructured version no longer updates).
            for (int i = 0; i < n; i++) assertEquals(lr[i], lam[i], 0.0, "eigenvalue " + i + ", n = " + n + ", kind " + kind);
            for (int i = 0; i < n * n; i++) assertEquals(vr[i], vec[i], 0.0, "eigenvector entry " + i + ", n = " + n + ", kind " + kind);
        });
    }

    @Test
    void eachLoopEqualsItsScalarTwin() {
        qt().forAll(integers().between(1, 70), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int k = rng.nextInt(n);
            double[] m = gaussian(rng, n * n), v = gaussian(rng, n), w = gaussian(rng, n);
            for (int i = 0; i < n; i++) if (rng.nextInt(4) == 0) w[i] = rng.nextBoolean() ? 0.0 : -0.0; // lanes the reflection skips
            double[] pv = new double[n], ps = new double[n];
            int iFrom = rng.nextInt(n);
            SymmetricEigen.combineRows(m, n, v, k, pv, iFrom, true);
            SymmetricEigen.combineRows(m, n, v, k, ps, iFrom, false);
            assertBits(ps, pv, "combineRows, n = " + n);
            double[] sv = m.clone(), ss = m.clone();
            SymmetricEigen.rankTwoUpdate(sv, n, v, w, k, true);
            SymmetricEigen.rankTwoUpdate(ss, n, v, w, k, false);
            assertBits(ss, sv, "rankTwoUpdate, n = " + n);
            double[] qv = m.clone(), qs = m.clone();
            int iFrom2 = rng.nextInt(n);
            SymmetricEigen.reflectRows(qv, n, v, w, k, iFrom2, true);
            SymmetricEigen.reflectRows(qs, n, v, w, k, iFrom2, false);
            assertBits(qs, qv, "reflectRows, n = " + n);
            // The fused reflection, with some columns of Q zero (their t is zero: left alone).
            double[] rv = m.clone();
            for (int i = 0; i < n; i++) if (rng.nextInt(4) == 0) for (int j = 0; j < n; j++) rv[j * n + i] = 0;
            double[] rs = rv.clone();
            SymmetricEigen.reflect(rv, n, v, k, new double[n], true);
            SymmetricEigen.reflect(rs, n, v, k, new double[n], false);
            assertBits(rs, rv, "reflect, n = " + n);
        });
    }

    @Test
    void delayedSweepsEqualRotationsAppliedOneByOne() {
        qt().forAll(integers().between(2, 70), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double[] q = gaussian(rng, n * n), qv = q.clone(), qs = q.clone();
            SymmetricEigen.Rotations rv = new SymmetricEigen.Rotations(n), rs = new SymmetricEigen.Rotations(n);
            int sweeps = 1 + rng.nextInt(3 * n); // past the buffer's capacity for small n: applied in several batches
            for (int t = 0; t < sweeps; t++) {
                int lo = rng.nextInt(n - 1), hi = lo + 1 + rng.nextInt(n - 1 - lo);
                int av = rv.sweep(lo, hi, qv, true), as = rs.sweep(lo, hi, qs, false);
                for (int k = lo; k < hi; k++) {
                    double angle = rng.nextDouble(2 * Math.PI), c = Math.cos(angle), s = rng.nextInt(8) == 0 ? 0.0 : Math.sin(angle);
                    rv.c[av + k - lo] = c;
                    rv.s[av + k - lo] = s;
                    rs.c[as + k - lo] = c;
                    rs.s[as + k - lo] = s;
                }
            }
            rv.apply(qv, true);
            rs.apply(qs, false);
            assertBits(qs, qv, "rotations, n = " + n + ", " + sweeps + " sweeps");
        });
    }

    @Test
    void runsTheVectorPath() {
        if (!Vectors.ENABLED) return;
        long before = Vectors.vectorCalls();
        SymmetricEigen.decompose(randomSymmetric(new SplittableRandom(1), 20, 0), 0, 20, new double[20], 0, new double[400], 0);
        assertTrue(Vectors.vectorCalls() > before, "eigh did not take the vector path");
    }

    private static double[] gaussian(SplittableRandom rng, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextGaussian();
        return x;
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    private static final double EPS = Math.ulp(1.0);

    /**
     * The algorithm as Linalg.eigh held it before it was restructured (commit f6a43bf): the Householder products and
     * updates over the whole matrix, every rotation applied to Qᵀ where it is made.
     */
    static void unrestructured(double[] a, int aOff, int n, double[] lam, int lOff, double[] vec, int vOff) {
        double[] s = new double[n * n], q = new double[n * n];
        for (int i = 0; i < n; i++) {
            q[i * n + i] = 1;
            for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[aOff + i * n + j] + a[aOff + j * n + i]);
        }
        double[] v = new double[n], p = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            double norm = 0;
            for (int i = k + 1; i < n; i++) norm += s[i * n + k] * s[i * n + k];
            norm = Math.sqrt(norm);
            if (norm == 0) continue;
            double alpha = s[(k + 1) * n + k] > 0 ? -norm : norm;
            Arrays.fill(v, 0);
            for (int i = k + 1; i < n; i++) v[i] = s[i * n + k];
            v[k + 1] -= alpha;
            double vv = 0;
            for (int i = k + 1; i < n; i++) vv += v[i] * v[i];
            if (vv == 0) continue;
            double inv = 1 / Math.sqrt(vv);
            for (int i = k + 1; i < n; i++) v[i] *= inv;
            double vp = 0;
            for (int i = 0; i < n; i++) {
                double t = 0;
                for (int j = k + 1; j < n; j++) t += s[i * n + j] * v[j];
                p[i] = t;
                vp += v[i] * t;
            }
            for (int i = 0; i < n; i++) p[i] -= vp * v[i];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s[i * n + j] -= 2 * (v[i] * p[j] + p[i] * v[j]);
            Arrays.fill(p, 0);
            for (int j = k + 1; j < n; j++) for (int i = 0; i < n; i++) p[i] += q[j * n + i] * v[j];
            for (int j = k + 1; j < n; j++) for (int i = 0; i < n; i++) if (p[i] != 0) q[j * n + i] -= 2 * p[i] * v[j];
        }
        double[] d = new double[n], e = new double[Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) d[i] = s[i * n + i];
        for (int i = 0; i + 1 < n; i++) e[i] = s[(i + 1) * n + i];
        int hi = n - 1;
        for (int iter = 0; hi > 0 && iter < 60 * n; iter++) {
            if (Math.abs(e[hi - 1]) <= EPS * (Math.abs(d[hi - 1]) + Math.abs(d[hi])) || Math.abs(e[hi - 1]) < Double.MIN_NORMAL) {
                e[hi - 1] = 0;
                hi--;
                continue;
            }
            int lo = hi - 1;
            while (lo > 0 && !(Math.abs(e[lo - 1]) <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo])) || Math.abs(e[lo - 1]) < Double.MIN_NORMAL)) lo--;
            double delta = (d[hi - 1] - d[hi]) / 2, eh = e[hi - 1];
            double mu = d[hi] - eh * eh / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, eh));
            double x = d[lo] - mu, z = e[lo];
            for (int k = lo; k < hi; k++) {
                double r = Math.hypot(x, z), c = r == 0 ? 1 : x / r, sn = r == 0 ? 0 : z / r;
                if (k > lo) e[k - 1] = r;
                double dk = d[k], ek = e[k], dk1 = d[k + 1];
                d[k] = c * c * dk + 2 * c * sn * ek + sn * sn * dk1;
                d[k + 1] = sn * sn * dk - 2 * c * sn * ek + c * c * dk1;
                e[k] = c * sn * (dk1 - dk) + (c * c - sn * sn) * ek;
                if (k + 1 < hi) {
                    z = sn * e[k + 1];
                    e[k + 1] *= c;
                }
                x = e[k];
                for (int i = 0, rk = k * n, rk1 = (k + 1) * n; i < n; i++) {
                    double qk = q[rk + i], qk1 = q[rk1 + i];
                    q[rk + i] = c * qk + sn * qk1;
                    q[rk1 + i] = -sn * qk + c * qk1;
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x1, y1) -> Double.compare(d[x1], d[y1]));
        for (int i = 0; i < n; i++) {
            int src = order[i];
            lam[lOff + i] = d[src];
            int best = 0;
            for (int k = 1; k < n; k++) if (Math.abs(q[src * n + k]) > Math.abs(q[src * n + best])) best = k;
            double sign = q[src * n + best] < 0 ? -1 : 1;
            for (int k = 0; k < n; k++) vec[vOff + k * n + i] = sign * q[src * n + k];
        }
    }
}
