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
     * ascending from 0, and (k, i) is a copy of it. The vector loop runs along k (row j of Vᵀ, contiguous) and
     * computes every element with the same products and sums in the same order as its scalar twin: the same bits.
     */
    static double[][] congruence(double[][] v, double[] f) {
        return congruence(v, f, VECTOR);
    }

    static double[][] congruence(double[][] v, double[] f, boolean vector) {
        int n = v.length, l = D.length();
        double[] w = new double[n * n], a = new double[n]; // w = Vᵀ row-major
        for (int k = 0; k < n; k++) for (int j = 0; j < n; j++) w[j * n + k] = v[k][j];
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) a[j] = v[i][j] * f[j];
            double[] row = out[i];
            int k = i;
            if (vector) {
                for (; k + 4 * l <= n; k += 4 * l) {
                    DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
                    for (int j = 0; j < n; j++) {
                        int r = j * n + k;
                        double aj = a[j];
                        s0 = s0.add(DoubleVector.fromArray(D, w, r).mul(aj));
                        s1 = s1.add(DoubleVector.fromArray(D, w, r + l).mul(aj));
                        s2 = s2.add(DoubleVector.fromArray(D, w, r + 2 * l).mul(aj));
                        s3 = s3.add(DoubleVector.fromArray(D, w, r + 3 * l).mul(aj));
                    }
                    s0.intoArray(row, k);
                    s1.intoArray(row, k + l);
                    s2.intoArray(row, k + 2 * l);
                    s3.intoArray(row, k + 3 * l);
                }
                for (; k + l <= n; k += l) {
                    DoubleVector s0 = DoubleVector.zero(D);
                    for (int j = 0; j < n; j++) s0 = s0.add(DoubleVector.fromArray(D, w, j * n + k).mul(a[j]));
                    s0.intoArray(row, k);
                }
            }
            for (; k < n; k++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[j] * w[j * n + k];
                row[k] = s;
            }
            for (int c = i + 1; c < n; c++) out[c][i] = row[c];
        }
        return out;
    }
}
