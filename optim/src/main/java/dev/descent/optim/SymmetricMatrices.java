package dev.descent.optim;

/**
 * Dense linear algebra on small symmetric matrices for the preconditioned optimizers ({@link Shampoo}'s
 * inverse roots, {@link Muon}'s checks): an eigendecomposition by the cyclic Jacobi method and matrix
 * powers built from it. Core has no linear algebra yet, so this lives here, in float64 on
 * {@code double[n][n]} arrays; when core gains {@code eigh}, these should move onto it.
 *
 * <p>Jacobi: sweep over every pair (p, q), p &lt; q, in a fixed order, each time rotating rows and columns p
 * and q by the angle that zeroes a[p][q]; stop when the off-diagonal mass is below 1e-30 of the squared
 * Frobenius norm (or after 100 sweeps). The method is slow, O(n³) per sweep with about ten sweeps,
 * but it is accurate to rounding for every symmetric matrix, including repeated eigenvalues, and
 * deterministic.
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
        double[][] m = new double[n][n], v = new double[n][n];
        double frob = 0;
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
            for (int j = 0; j < n; j++) {
                m[i][j] = i <= j ? a[i][j] : a[j][i];
                frob += m[i][j] * m[i][j];
            }
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += 2 * m[p][q] * m[p][q];
            if (off <= 1e-30 * frob || off == 0) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p][q];
                    if (apq == 0) continue;
                    // The rotation (c, s) with tangent t, the smaller root of t² + 2θt − 1 = 0, zeroes m[p][q].
                    double theta = (m[q][q] - m[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) { // columns p and q
                        double kp = m[k][p], kq = m[k][q];
                        m[k][p] = c * kp - s * kq;
                        m[k][q] = s * kp + c * kq;
                    }
                    for (int k = 0; k < n; k++) { // rows p and q
                        double pk = m[p][k], qk = m[q][k];
                        m[p][k] = c * pk - s * qk;
                        m[q][k] = s * pk + c * qk;
                    }
                    m[p][q] = m[q][p] = 0;
                    for (int k = 0; k < n; k++) {
                        double kp = v[k][p], kq = v[k][q];
                        v[k][p] = c * kp - s * kq;
                        v[k][q] = s * kp + c * kq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i][i];
        return new Eigen(values, v);
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
