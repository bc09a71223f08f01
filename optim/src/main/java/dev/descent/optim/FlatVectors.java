package dev.descent.optim;

import dev.descent.core.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions and updates over float64 arrays for the optimizers that keep flat float64 vectors (LBFGS): dot
 * products, sums of magnitudes, the largest magnitude and y ← y + α·x. A sum runs in four interleaved partial
 * sums (element i into sum i mod 4, combined as (s0 + s1) + (s2 + s3), then the tail in order), whether the
 * Vector API's four lanes compute them or the scalar twin beside each loop does: the same bits either way, at
 * any vector width, on any thread count. No fused multiply-add, so the scalar twin rounds as the lanes do.
 */
final class FlatVectors {
    private FlatVectors() {}

    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /** Whether the vector loops run (core's kernels are vectorised and at least 256 bits wide); the scalar twins otherwise. */
    static final boolean VECTOR = Kernels.vectorEnabled() && Kernels.vectorBits() >= D4.vectorBitSize();

    /** Σ a_i·b_i over a's length. */
    static double dot(double[] a, double[] b) {
        return dot(a, b, VECTOR);
    }

    static double dot(double[] a, double[] b, boolean vector) {
        int n = a.length, i = 0, end = n / 4 * 4;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (vector) {
            DoubleVector acc = DoubleVector.zero(D4);
            for (; i < end; i += 4) acc = acc.add(DoubleVector.fromArray(D4, a, i).mul(DoubleVector.fromArray(D4, b, i)));
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
        }
        for (; i < end; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    /** Σ |a_i|. */
    static double sumAbs(double[] a) {
        return sumAbs(a, VECTOR);
    }

    static double sumAbs(double[] a, boolean vector) {
        int n = a.length, i = 0, end = n / 4 * 4;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (vector) {
            DoubleVector acc = DoubleVector.zero(D4);
            for (; i < end; i += 4) acc = acc.add(DoubleVector.fromArray(D4, a, i).abs());
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
        }
        for (; i < end; i += 4) {
            s0 += Math.abs(a[i]);
            s1 += Math.abs(a[i + 1]);
            s2 += Math.abs(a[i + 2]);
            s3 += Math.abs(a[i + 3]);
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < n; i++) s += Math.abs(a[i]);
        return s;
    }

    /** max |a_i| (0 for an empty array; exact, so any order gives it). A NaN element gives NaN. */
    static double maxAbs(double[] a) {
        return maxAbs(a, VECTOR);
    }

    static double maxAbs(double[] a, boolean vector) {
        int n = a.length, i = 0;
        double m = 0;
        if (vector) {
            DoubleVector acc = DoubleVector.zero(D4);
            for (int end = n / 4 * 4; i < end; i += 4) acc = acc.max(DoubleVector.fromArray(D4, a, i).abs());
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, Math.abs(a[i]));
        return m;
    }

    /** y ← y + α·x, element by element (multiply, then add). */
    static void axpy(double alpha, double[] x, double[] y) {
        axpy(alpha, x, y, VECTOR);
    }

    static void axpy(double alpha, double[] x, double[] y, boolean vector) {
        int n = y.length, i = 0;
        if (vector) {
            for (int end = n / 4 * 4; i < end; i += 4) {
                DoubleVector.fromArray(D4, y, i).add(DoubleVector.fromArray(D4, x, i).mul(alpha)).intoArray(y, i);
            }
        }
        for (; i < n; i++) y[i] = y[i] + alpha * x[i];
    }
}
