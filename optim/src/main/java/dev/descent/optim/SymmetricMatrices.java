package dev.descent.optim;

import dev.descent.core.Kernels;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Linalg;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense linear algebra on small symmetric matrices for the preconditioned optimizers ({@link Shampoo}'s
 * inverse roots, {@link Muon}'s checks), in float64 on {@code double[n][n]} arrays: the eigendecomposition is core's
 * {@link dev.descent.core.ops.Linalg#eigh} (Householder tridiagonalisation and implicit QR, accurate to rounding
 * including repeated eigenvalues, deterministic), and matrix powers are built from it.
 */
final class SymmetricMatrices {
    private SymmetricMatrices() {}

    /**
     * An eigendecomposition {@code A = V·diag(values)·Vᵀ}.
     *
     * @param values the eigenvalues (in no particular order)
     * @param vectors V, whose column j is the eigenvector of values[j]
     */
    record Eigen(double[] values, double[][] vectors) {}

    /** The eigendecomposition of the symmetric matrix {@code a} (only its upper triangle is read; a is not changed). */
    static Eigen eigen(double[][] a) {
        int n = a.length;
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) flat[i * n + j] = i <= j ? a[i][j] : a[j][i];
        Linalg.Eigh e = Linalg.eigh(Tensor.of(flat, n, n));
        double[] vectors = e.eigenvectors().toDoubleArray();
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(vectors, i * n, v[i], 0, n);
        return new Eigen(e.eigenvalues().toDoubleArray(), v);
    }

    /**
     * {@code A^power} of a symmetric positive semi-definite matrix, through its eigendecomposition:
     * {@code V·diag(λ^power)·Vᵀ}. For a negative power an eigenvalue ≤ 0 (rounding of a singular matrix)
     * contributes 0, as in a pseudo-inverse.
     */
    static double[][] power(double[][] a, double power) {
        Eigen e = eigen(a);
        int n = a.length;
        double[] f = new double[n];
        for (int j = 0; j < n; j++) {
            double l = e.values()[j];
            f[j] = l > 0 ? StrictMath.pow(l, power) : power < 0 ? 0 : power == 0 ? 1 : 0;
        }
        return congruence(e.vectors(), f);
    }

    /** Whether {@link #congruence} takes its vector loop: core's kernels are vectorised (its scalar twin otherwise). */
    static final boolean VECTOR = Kernels.vectorEnabled();
    /** The kernels' vector width (the result does not depend on it: each lane sums along its own j). */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(Kernels.vectorBits()));

    /**
     * {@code V·diag(f)·Vᵀ}, exactly symmetric: element (i, k) for k ≥ i is Σ_j (V[i][j]·f[j])·V[k][j], summed over j
     * ascending from 0, and (k, i) is a copy of it. The vector loop runs along k (row j of Vᵀ, contiguous), four rows i
     * at a time, and computes every element with the same products and sums in the same order as its scalar twin: the
     * same bits.
     */
    static double[][] congruence(double[][] v, double[] f) {
        return congruence(v, f, VECTOR);
    }

    static double[][] congruence(double[][] v, double[] f, boolean vector) {
        int n = v.length, l = D.length();
        double[] w = new double[n * n], a = new double[ROWS * n]; // w = Vᵀ row-major; a: rows i… of V·diag(f)
        for (int k = 0; k < n; k++) for (int j = 0; j < n; j++) w[j * n + k] = v[k][j];
        double[][] out = new double[n][n];
        for (int i0 = 0; i0 < n; i0 += ROWS) {
            int rows = Math.min(ROWS, n - i0);
            for (int r = 0; r < rows; r++) for (int j = 0; j < n; j++) a[r * n + j] = v[i0 + r][j] * f[j];
            int k = i0;
            if (vector && rows == ROWS) {
                // Four rows i0… at once, each loaded piece of Vᵀ used four times; the columns k < i of a row i > i0 are
                // computed too and then overwritten by the mirror below.
                for (; k + 2 * l <= n; k += 2 * l) {
                    DoubleVector s00 = DoubleVector.zero(D), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
                    for (int j = 0; j < n; j++) {
                        int r = j * n + k;
                        DoubleVector w0 = DoubleVector.fromArray(D, w, r), w1 = DoubleVector.fromArray(D, w, r + l);
                        double a0 = a[j], a1 = a[n + j], a2 = a[2 * n + j], a3 = a[3 * n + j];
                        s00 = s00.add(w0.mul(a0));
                        s01 = s01.add(w1.mul(a0));
                        s10 = s10.add(w0.mul(a1));
                        s11 = s11.add(w1.mul(a1));
                        s20 = s20.add(w0.mul(a2));
                        s21 = s21.add(w1.mul(a2));
                        s30 = s30.add(w0.mul(a3));
                        s31 = s31.add(w1.mul(a3));
                    }
                    s00.intoArray(out[i0], k);
                    s01.intoArray(out[i0], k + l);
                    s10.intoArray(out[i0 + 1], k);
                    s11.intoArray(out[i0 + 1], k + l);
                    s20.intoArray(out[i0 + 2], k);
                    s21.intoArray(out[i0 + 2], k + l);
                    s30.intoArray(out[i0 + 3], k);
                    s31.intoArray(out[i0 + 3], k + l);
                }
            }
            for (int r = 0; r < rows; r++) {
                double[] row = out[i0 + r];
                for (int c = Math.max(k, i0 + r); c < n; c++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += a[r * n + j] * w[j * n + c];
                    row[c] = s;
                }
            }
            for (int r = 0; r < rows; r++) for (int c = i0 + r + 1; c < n; c++) out[c][i0 + r] = out[i0 + r][c];
        }
        return out;
    }

    /** Rows of {@link #congruence}'s result computed together. */
    private static final int ROWS = 4;
}
