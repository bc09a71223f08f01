package dev.descent.core.kernel;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The eigendecomposition of a real symmetric matrix in float64, behind {@code Linalg.eigh}: Householder reduction to
 * tridiagonal form T = QᵀSQ, then implicit QR steps with Wilkinson shifts on T (bulge chasing by Givens rotations,
 * accumulated into Q), with deflation where an off-diagonal falls below the rounding of its neighbours.
 *
 * <p>Where the time goes, and what is vectorised: the O(n³) parts are the Householder reduction (the product S·v, the
 * rank-2 update of S, and the update of Q) and the rotations applied to Q; the QR iteration on the tridiagonal itself
 * is O(n²) and scalar. Q is held transposed (row-major Qᵀ), so that every one of these passes runs along contiguous
 * rows, and each has a Vector API loop and a scalar twin that compute every element with the same operations in the
 * same order (multiply, then add; no fused multiply-add; sums along the same index in the same sequence): the vector
 * path gives the same bits as the scalar one, at any vector width. The reduction touches only the trailing block it
 * changes (rows and columns k… at step k); the rows above it hold finished parts of T that the algorithm never reads
 * again. The QR iteration runs on the tridiagonal alone and records its rotations, sweep by sweep; they are applied
 * to Q afterwards a block of columns of Qᵀ at a time, each block carried through a whole sweep in registers (a
 * rotation of rows k and k+1 hands row k+1's new value straight to the next one), which reads and writes each element
 * of Q once per sweep instead of twice per rotation. Each element still sees the same rotations in the same order.
 *
 * <p>Deterministic: no threads, no order that depends on anything but n and the input.
 */
public final class SymmetricEigen {
    private SymmetricEigen() {}

    private static final VectorSpecies<Double> D = Vectors.D;
    private static final int L = Vectors.DL;
    /** 2⁻⁵², the spacing of doubles at 1. */
    private static final double EPS = Math.ulp(1.0);

    /**
     * The eigendecomposition of ½(A + Aᵀ) for the n×n row-major matrix at {@code a[aOff]}: ascending eigenvalues to
     * {@code lam[lOff…]}, the eigenvectors as the columns of the n×n row-major matrix at {@code vec[vOff]}, each with its
     * largest-magnitude component positive (the first of equal magnitudes).
     *
     * @param a the matrix (not changed)
     * @param aOff its offset
     * @param n its size
     * @param lam receives the eigenvalues
     * @param lOff their offset
     * @param vec receives the eigenvectors
     * @param vOff their offset
     * @throws IllegalStateException when the QR iteration does not converge in 60·n steps
     */
    public static void decompose(double[] a, int aOff, int n, double[] lam, int lOff, double[] vec, int vOff) {
        decompose(a, aOff, n, lam, lOff, vec, vOff, Vectors.ENABLED);
    }

    /** {@link #decompose(double[], int, int, double[], int, double[], int)} with the vector loops or their scalar twins. */
    static void decompose(double[] a, int aOff, int n, double[] lam, int lOff, double[] vec, int vOff, boolean vector) {
        if (vector) Vectors.count();
        double[] s = new double[n * n], q = new double[n * n];
        for (int i = 0; i < n; i++) {
            q[i * n + i] = 1;
            for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[aOff + i * n + j] + a[aOff + j * n + i]);
        }
        tridiagonalise(s, q, n, vector);
        double[] d = new double[n], e = new double[Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) d[i] = s[i * n + i];
        for (int i = 0; i + 1 < n; i++) e[i] = s[(i + 1) * n + i];
        qrIteration(d, e, q, n, vector);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(d[x], d[y]));
        for (int i = 0; i < n; i++) {
            int src = order[i];
            lam[lOff + i] = d[src];
            double sign = largestPositiveRow(q, src, n);
            for (int k = 0; k < n; k++) vec[vOff + k * n + i] = sign * q[src * n + k];
        }
    }

    /**
     * Householder: zero column k of S below its subdiagonal, k = 0 … n−3, accumulating the reflections into Qᵀ (held
     * in {@code q}). With v a unit vector on rows k+1…, H·S·H = S − 2v·wᵀ − 2w·vᵀ where p = S·v and w = p − (vᵀp)·v.
     * S stays exactly symmetric (each update adds the same two products to S[i][j] and S[j][i]), so (S·v)_i is
     * Σ_j S[j][i]·v[j]: rows of S combined, contiguous.
     */
    static void tridiagonalise(double[] s, double[] q, int n, boolean vector) {
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
            combineRows(s, n, v, k + 1, p, k, vector);      // p_i = (S·v)_i for i ≥ k
            double vp = 0;
            for (int i = k + 1; i < n; i++) vp += v[i] * p[i];
            for (int i = k; i < n; i++) p[i] -= vp * v[i];  // now w
            rankTwoUpdate(s, n, v, p, k, vector);
            reflect(q, n, v, k + 1, p, vector);
        }
    }

    /**
     * {@code p[i] = Σ_{j = from}^{n−1} m[j·n + i]·v[j]} for i in [iFrom, n), summed over j ascending from 0: a
     * combination of the rows from..n−1 of the n×n row-major m with weights v.
     */
    static void combineRows(double[] m, int n, double[] v, int from, double[] p, int iFrom, boolean vector) {
        int i = iFrom;
        if (vector) {
            for (; i + 4 * L <= n; i += 4 * L) {
                DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
                for (int j = from; j < n; j++) {
                    DoubleVector w = DoubleVector.broadcast(D, v[j]);
                    int r = j * n + i;
                    a0 = a0.add(DoubleVector.fromArray(D, m, r).mul(w));
                    a1 = a1.add(DoubleVector.fromArray(D, m, r + L).mul(w));
                    a2 = a2.add(DoubleVector.fromArray(D, m, r + 2 * L).mul(w));
                    a3 = a3.add(DoubleVector.fromArray(D, m, r + 3 * L).mul(w));
                }
                a0.intoArray(p, i);
                a1.intoArray(p, i + L);
                a2.intoArray(p, i + 2 * L);
                a3.intoArray(p, i + 3 * L);
            }
            for (; i + L <= n; i += L) {
                DoubleVector a0 = DoubleVector.zero(D);
                for (int j = from; j < n; j++) a0 = a0.add(DoubleVector.fromArray(D, m, j * n + i).mul(v[j]));
                a0.intoArray(p, i);
            }
        }
        for (; i < n; i++) {
            double t = 0;
            for (int j = from; j < n; j++) t += m[j * n + i] * v[j];
            p[i] = t;
        }
    }

    /** {@code s[i][j] −= 2·(v[i]·w[j] + w[i]·v[j])} on the trailing block i, j ≥ k of the n×n row-major s. */
    static void rankTwoUpdate(double[] s, int n, double[] v, double[] w, int k, boolean vector) {
        for (int i = k; i < n; i++) {
            double vi = v[i], wi = w[i];
            int r = i * n, j = k;
            if (vector) {
                DoubleVector bv = DoubleVector.broadcast(D, vi), bw = DoubleVector.broadcast(D, wi);
                for (; j + L <= n; j += L) {
                    DoubleVector t = bv.mul(DoubleVector.fromArray(D, w, j)).add(bw.mul(DoubleVector.fromArray(D, v, j)));
                    DoubleVector.fromArray(D, s, r + j).sub(t.mul(2.0)).intoArray(s, r + j);
                }
            }
            for (; j < n; j++) s[r + j] -= 2 * (vi * w[j] + wi * v[j]);
        }
    }

    /**
     * Q ← Q·H for H = I − 2v·vᵀ (v zero before row {@code from}), on Qᵀ held row-major in q: t = Q·v, a combination of
     * the rows from… of Qᵀ ({@link #combineRows}), then Qᵀ[j] −= 2·v[j]·t ({@link #reflectRows}). The vector path does
     * both a block of columns at a time, so that the block's rows are still in the L1 cache when they are updated;
     * each element's sum and update are the scalar twin's. {@code t} is scratch of length n.
     */
    static void reflect(double[] q, int n, double[] v, int from, double[] t, boolean vector) {
        int i = 0;
        if (vector) {
            for (; i + 4 * L <= n; i += 4 * L) {
                DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
                for (int j = from; j < n; j++) {
                    DoubleVector w = DoubleVector.broadcast(D, v[j]);
                    int r = j * n + i;
                    a0 = a0.add(DoubleVector.fromArray(D, q, r).mul(w));
                    a1 = a1.add(DoubleVector.fromArray(D, q, r + L).mul(w));
                    a2 = a2.add(DoubleVector.fromArray(D, q, r + 2 * L).mul(w));
                    a3 = a3.add(DoubleVector.fromArray(D, q, r + 3 * L).mul(w));
                }
                VectorMask<Double> m0 = a0.compare(VectorOperators.NE, 0.0), m1 = a1.compare(VectorOperators.NE, 0.0);
                VectorMask<Double> m2 = a2.compare(VectorOperators.NE, 0.0), m3 = a3.compare(VectorOperators.NE, 0.0);
                a0 = a0.mul(2.0);
                a1 = a1.mul(2.0);
                a2 = a2.mul(2.0);
                a3 = a3.mul(2.0);
                for (int j = from; j < n; j++) {
                    double vj = v[j];
                    int r = j * n + i;
                    DoubleVector.fromArray(D, q, r).lanewise(VectorOperators.SUB, a0.mul(vj), m0).intoArray(q, r);
                    DoubleVector.fromArray(D, q, r + L).lanewise(VectorOperators.SUB, a1.mul(vj), m1).intoArray(q, r + L);
                    DoubleVector.fromArray(D, q, r + 2 * L).lanewise(VectorOperators.SUB, a2.mul(vj), m2).intoArray(q, r + 2 * L);
                    DoubleVector.fromArray(D, q, r + 3 * L).lanewise(VectorOperators.SUB, a3.mul(vj), m3).intoArray(q, r + 3 * L);
                }
            }
        }
        // The rest of the columns (all of them on the scalar path): the two passes as written.
        combineRows(q, n, v, from, t, i, vector);
        reflectRows(q, n, v, t, from, i, vector);
    }

    /**
     * {@code q[j][i] −= 2·t[i]·v[j]} for rows j ≥ from and the columns i ≥ iFrom with t[i] ≠ 0 (the others are left as
     * they are).
     */
    static void reflectRows(double[] q, int n, double[] v, double[] t, int from, int iFrom, boolean vector) {
        for (int j = from; j < n; j++) {
            double vj = v[j];
            int r = j * n, i = iFrom;
            if (vector) {
                DoubleVector bv = DoubleVector.broadcast(D, vj);
                for (; i + L <= n; i += L) {
                    DoubleVector ti = DoubleVector.fromArray(D, t, i);
                    VectorMask<Double> live = ti.compare(VectorOperators.NE, 0.0);
                    DoubleVector x = DoubleVector.fromArray(D, q, r + i);
                    x.lanewise(VectorOperators.SUB, ti.mul(2.0).mul(bv), live).intoArray(q, r + i);
                }
            }
            for (; i < n; i++) if (t[i] != 0) q[r + i] -= 2 * t[i] * vj;
        }
    }

    /**
     * Implicit QR steps with Wilkinson shifts on the tridiagonal (d, e) until every off-diagonal has deflated; d then
     * holds the eigenvalues, and the rotations, recorded sweep by sweep, are applied to the rows of Qᵀ in {@code q}.
     */
    static void qrIteration(double[] d, double[] e, double[] q, int n, boolean vector) {
        Rotations rot = new Rotations(n);
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
            int at = rot.sweep(lo, hi, q, vector);
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
                rot.c[at + k - lo] = c;
                rot.s[at + k - lo] = sn;
            }
        }
        rot.apply(q, vector);
        if (hi > 0) throw new IllegalStateException("eigh: the QR iteration did not converge in " + 60 * n + " steps (n = " + n + ")");
    }

    /**
     * The Givens rotations of QR sweeps not yet applied to Qᵀ: sweep t rotates rows (k, k+1) for k = lo[t] … hi[t]−1
     * in turn, rotation k by (c, s) at index start[t] + k − lo[t]: row k ← c·row k + s·row k+1, row k+1 ← −s·row k +
     * c·row k+1. At most about n²/2 rotations wait (as much memory as Q's half); then they are applied.
     */
    static final class Rotations {
        final int n, capacity;
        double[] c, s;
        int[] lo = new int[16], hi = new int[16], start = new int[16];
        int sweeps, used;

        Rotations(int n) {
            this.n = n;
            this.capacity = Math.max(4 * n, n * n / 2);
            c = new double[Math.min(capacity, 64 * n)];
            s = new double[c.length];
        }

        /** Starts a sweep over rows lo…hi, first applying what waits if it would not fit; returns its first index. */
        int sweep(int l, int h, double[] q, boolean vector) {
            int len = h - l;
            if (used + len > capacity) apply(q, vector);
            if (used + len > c.length) {
                int size = Math.max(used + len, Math.min(capacity, 2 * c.length));
                c = Arrays.copyOf(c, size);
                s = Arrays.copyOf(s, size);
            }
            if (sweeps == lo.length) {
                lo = Arrays.copyOf(lo, 2 * sweeps);
                hi = Arrays.copyOf(hi, 2 * sweeps);
                start = Arrays.copyOf(start, 2 * sweeps);
            }
            lo[sweeps] = l;
            hi[sweeps] = h;
            start[sweeps] = used;
            sweeps++;
            used += len;
            return used - len;
        }

        /** Applies every waiting sweep, in order, to the rows of the n×n row-major q, and empties the list. */
        void apply(double[] q, boolean vector) {
            int i = 0;
            if (vector) {
                for (; i + 4 * L <= n; i += 4 * L) chainFour(q, i);
                for (; i + L <= n; i += L) chainOne(q, i);
                for (; i < n; i++) chainScalar(q, i);
            } else {
                applyInPlace(q);
            }
            sweeps = 0;
            used = 0;
        }

        /** The scalar reference: each rotation in turn over whole rows, as the algorithm is written. */
        private void applyInPlace(double[] q) {
            for (int t = 0; t < sweeps; t++) {
                for (int k = lo[t]; k < hi[t]; k++) {
                    double ck = c[start[t] + k - lo[t]], sk = s[start[t] + k - lo[t]];
                    for (int i = 0, rk = k * n, rk1 = (k + 1) * n; i < n; i++) {
                        double qk = q[rk + i], qk1 = q[rk1 + i];
                        q[rk + i] = ck * qk + sk * qk1;
                        q[rk1 + i] = -sk * qk + ck * qk1;
                    }
                }
            }
        }

        /** Column i of every sweep, row k+1's new value carried to the next rotation (the tail of the vector path). */
        private void chainScalar(double[] q, int i) {
            for (int t = 0; t < sweeps; t++) {
                int l = lo[t], h = hi[t], at = start[t] - l;
                double x = q[l * n + i];
                for (int k = l; k < h; k++) {
                    double ck = c[at + k], sk = s[at + k], y = q[(k + 1) * n + i];
                    q[k * n + i] = ck * x + sk * y;
                    x = -sk * x + ck * y;
                }
                q[h * n + i] = x;
            }
        }

        /** Columns i … i+L−1, as {@link #chainScalar} lane by lane. */
        private void chainOne(double[] q, int i) {
            for (int t = 0; t < sweeps; t++) {
                int l = lo[t], h = hi[t], at = start[t] - l;
                DoubleVector x = DoubleVector.fromArray(D, q, l * n + i);
                for (int k = l; k < h; k++) {
                    double ck = c[at + k], sk = s[at + k];
                    DoubleVector y = DoubleVector.fromArray(D, q, (k + 1) * n + i);
                    x.mul(ck).add(y.mul(sk)).intoArray(q, k * n + i);
                    x = x.mul(-sk).add(y.mul(ck));
                }
                x.intoArray(q, h * n + i);
            }
        }

        /** Columns i … i+4L−1: four independent chains, so that one rotation's latency hides behind the others. */
        private void chainFour(double[] q, int i) {
            for (int t = 0; t < sweeps; t++) {
                int l = lo[t], h = hi[t], at = start[t] - l, r = l * n + i;
                DoubleVector x0 = DoubleVector.fromArray(D, q, r), x1 = DoubleVector.fromArray(D, q, r + L);
                DoubleVector x2 = DoubleVector.fromArray(D, q, r + 2 * L), x3 = DoubleVector.fromArray(D, q, r + 3 * L);
                for (int k = l; k < h; k++) {
                    DoubleVector cv = DoubleVector.broadcast(D, c[at + k]), sv = DoubleVector.broadcast(D, s[at + k]), nv = sv.neg();
                    int r0 = k * n + i, r1 = r0 + n;
                    DoubleVector y0 = DoubleVector.fromArray(D, q, r1), y1 = DoubleVector.fromArray(D, q, r1 + L);
                    DoubleVector y2 = DoubleVector.fromArray(D, q, r1 + 2 * L), y3 = DoubleVector.fromArray(D, q, r1 + 3 * L);
                    cv.mul(x0).add(sv.mul(y0)).intoArray(q, r0);
                    cv.mul(x1).add(sv.mul(y1)).intoArray(q, r0 + L);
                    cv.mul(x2).add(sv.mul(y2)).intoArray(q, r0 + 2 * L);
                    cv.mul(x3).add(sv.mul(y3)).intoArray(q, r0 + 3 * L);
                    x0 = nv.mul(x0).add(cv.mul(y0));
                    x1 = nv.mul(x1).add(cv.mul(y1));
                    x2 = nv.mul(x2).add(cv.mul(y2));
                    x3 = nv.mul(x3).add(cv.mul(y3));
                }
                int rh = h * n + i;
                x0.intoArray(q, rh);
                x1.intoArray(q, rh + L);
                x2.intoArray(q, rh + 2 * L);
                x3.intoArray(q, rh + 3 * L);
            }
        }
    }

    /** +1 or −1: the sign that makes row {@code row} of the n×n row-major matrix have its largest-magnitude entry positive. */
    private static double largestPositiveRow(double[] m, int row, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) if (Math.abs(m[row * n + k]) > Math.abs(m[row * n + best])) best = k;
        return m[row * n + best] < 0 ? -1 : 1;
    }
}
