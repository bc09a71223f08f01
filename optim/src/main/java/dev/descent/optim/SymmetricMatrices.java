package dev.descent.optim;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Linalg;

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
        double[][] out = new double[n][n];
        double[][] v = e.vectors();
        for (int i = 0; i < n; i++) {
            for (int k = i; k < n; k++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += v[i][j] * f[j] * v[k][j];
                out[i][k] = s;
                out[k][i] = s;
            }
        }
        return out;
    }
}
