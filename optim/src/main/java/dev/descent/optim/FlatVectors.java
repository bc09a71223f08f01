package dev.descent.optim;

import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions and updates over flat vectors: over float64 arrays for the optimizers that keep them (LBFGS: dot
 * products, sums of magnitudes, the largest magnitude and y ← y + α·x), and over a tensor's elements for the
 * projections ({@link Ball}: ‖x − c‖², with the scaling x ← c + (x − c)·f fused in). Every pass runs in blocks of
 * {@link #BLOCK} elements over the kernel threads; a block sums in four interleaved partial sums (element i into
 * sum i mod 4, combined as (s0 + s1) + (s2 + s3), then the tail in order), whether the Vector API's four lanes
 * compute them or the scalar twin beside each loop does, and the blocks' sums are added in order: the same bits
 * either way, at any vector width, on any thread count. No fused multiply-add, so the scalar twin rounds as the lanes do.
 */
final class FlatVectors {
    private FlatVectors() {}

    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    /** Whether the vector loops run (core's kernels are vectorised and at least 256 bits wide); the scalar twins otherwise. */
    static final boolean VECTOR = Kernels.vectorEnabled() && Kernels.vectorBits() >= D4.vectorBitSize();

    /** Σ a_i·b_i over a's length. */
    static double dot(double[] a, double[] b) {
        return dot(a, b, VECTOR);
    }

    static double dot(double[] a, double[] b, boolean vector) {
        return sumOverBlocks(a.length, (lo, hi) -> dot(a, b, lo, hi, vector));
    }

    /** y ← g − p and s ← t·d element by element, returning yᵀs summed as {@link #dot} sums it (the same bits). */
    static double differencesAndDot(double[] g, double[] p, double[] d, double t, double[] y, double[] s) {
        return differencesAndDot(g, p, d, t, y, s, VECTOR);
    }

    static double differencesAndDot(double[] g, double[] p, double[] d, double t, double[] y, double[] s, boolean vector) {
        return sumOverBlocks(y.length, (lo, hi) -> differencesAndDot(g, p, d, t, y, s, lo, hi, vector));
    }

    /** Σ |a_i|. */
    static double sumAbs(double[] a) {
        return sumAbs(a, VECTOR);
    }

    static double sumAbs(double[] a, boolean vector) {
        return sumOverBlocks(a.length, (lo, hi) -> sumAbs(a, lo, hi, vector));
    }

    /** max |a_i| (0 for an empty array; exact, so any order gives it). A NaN element gives NaN. */
    static double maxAbs(double[] a) {
        return maxAbs(a, VECTOR);
    }

    static double maxAbs(double[] a, boolean vector) {
        int n = a.length, blocks = (n + BLOCK - 1) / BLOCK;
        double[] maxima = new double[blocks];
        Threads.forRange(blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) maxima[k] = maxAbs(a, k * BLOCK, Math.min(n, (k + 1) * BLOCK), vector);
        });
        double m = 0;
        for (double v : maxima) m = Math.max(m, v);
        return m;
    }

    /** y ← y + α·x, element by element (multiply, then add). */
    static void axpy(double alpha, double[] x, double[] y) {
        axpy(alpha, x, y, VECTOR);
    }

    static void axpy(double alpha, double[] x, double[] y, boolean vector) {
        int n = y.length, blocks = (n + BLOCK - 1) / BLOCK;
        Threads.forRange(blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) axpy(alpha, x, y, k * BLOCK, Math.min(n, (k + 1) * BLOCK), vector);
        });
    }

    /** A sum over [lo, hi). */
    @FunctionalInterface
    private interface BlockSum {
        double sum(int lo, int hi);
    }

    /**
     * The sum over [0, n) as blocks of {@link #BLOCK} elements, each summed on its own (on the kernel threads), then added
     * in order: the same bits on any thread count. Short kernels called per block are also compiled by the JIT within a
     * few steps, where one call per 545k-element pass would run the Vector API's slow uncompiled path for hundreds.
     */
    private static double sumOverBlocks(int n, BlockSum body) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        if (blocks <= 1) return body.sum(0, n);
        double[] sums = new double[blocks];
        Threads.forRange(blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) sums[k] = body.sum(k * BLOCK, Math.min(n, (k + 1) * BLOCK));
        });
        double s = 0;
        for (double v : sums) s += v;
        return s;
    }

    private static double dot(double[] a, double[] b, int lo, int hi, boolean vector) {
        int i = lo, end = lo + (hi - lo) / 4 * 4;
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
        for (; i < hi; i++) s += a[i] * b[i];
        return s;
    }

    private static double differencesAndDot(double[] g, double[] p, double[] d, double t, double[] y, double[] s, int lo, int hi, boolean vector) {
        int i = lo, end = lo + (hi - lo) / 4 * 4;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (vector) {
            DoubleVector acc = DoubleVector.zero(D4);
            for (; i < end; i += 4) {
                DoubleVector yv = DoubleVector.fromArray(D4, g, i).sub(DoubleVector.fromArray(D4, p, i));
                DoubleVector sv = DoubleVector.fromArray(D4, d, i).mul(t);
                yv.intoArray(y, i);
                sv.intoArray(s, i);
                acc = acc.add(yv.mul(sv));
            }
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
        }
        for (; i < end; i += 4) {
            s0 += difference(g, p, d, t, y, s, i);
            s1 += difference(g, p, d, t, y, s, i + 1);
            s2 += difference(g, p, d, t, y, s, i + 2);
            s3 += difference(g, p, d, t, y, s, i + 3);
        }
        double sum = (s0 + s1) + (s2 + s3);
        for (; i < hi; i++) sum += difference(g, p, d, t, y, s, i);
        return sum;
    }

    private static double difference(double[] g, double[] p, double[] d, double t, double[] y, double[] s, int i) {
        y[i] = g[i] - p[i];
        s[i] = d[i] * t;
        return y[i] * s[i];
    }

    private static double sumAbs(double[] a, int lo, int hi, boolean vector) {
        int i = lo, end = lo + (hi - lo) / 4 * 4;
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
        for (; i < hi; i++) s += Math.abs(a[i]);
        return s;
    }

    private static double maxAbs(double[] a, int lo, int hi, boolean vector) {
        int i = lo;
        double m = 0;
        if (vector) {
            DoubleVector acc = DoubleVector.zero(D4);
            for (int end = lo + (hi - lo) / 4 * 4; i < end; i += 4) acc = acc.max(DoubleVector.fromArray(D4, a, i).abs());
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < hi; i++) m = Math.max(m, Math.abs(a[i]));
        return m;
    }

    private static void axpy(double alpha, double[] x, double[] y, int lo, int hi, boolean vector) {
        int i = lo;
        if (vector) {
            for (int end = lo + (hi - lo) / 4 * 4; i < end; i += 4) {
                DoubleVector.fromArray(D4, y, i).add(DoubleVector.fromArray(D4, x, i).mul(alpha)).intoArray(y, i);
            }
        }
        for (; i < hi; i++) y[i] = y[i] + alpha * x[i];
    }

    /** Elements per block of the tensor sums: a block is summed on one thread, the blocks' sums added in order. */
    static final int BLOCK = 16_384;

    /**
     * Σ (x_i − c_i)² over a tensor's elements (c null: the origin), after first setting x_i ← c_i + (x_i − c_i)·factor
     * (rounded into x's dtype, and the stored value is the one measured) when {@code scale} is true. The blocks of
     * {@link #BLOCK} run on the kernel threads, each in four interleaved partial sums; float32 x around the origin
     * takes the vector loop. The same bits with and without vectors and on any thread count, and scaling then
     * measuring in one call gives the bits of the two calls.
     *
     * @param x the tensor's elements (written when {@code scale})
     * @param c the centre's elements, or null for the origin
     * @param factor the scale factor (ignored unless {@code scale})
     * @param scale whether to scale first
     * @return the sum of squares, in float64
     */
    static double scaleAndSquare(Flat x, Flat c, double factor, boolean scale) {
        return scaleAndSquare(x, c, factor, scale, VECTOR);
    }

    static double scaleAndSquare(Flat x, Flat c, double factor, boolean scale, boolean vectors) {
        int n = x.size(), blocks = (n + BLOCK - 1) / BLOCK;
        boolean vector = vectors && c == null && x.floats() != null;
        double[] sums = new double[blocks];
        Threads.forRange(blocks, 1, (from, to) -> {
            for (int b = from; b < to; b++) sums[b] = scaleAndSquare(x, c, factor, scale, vector, b * BLOCK, Math.min(n, (b + 1) * BLOCK));
        });
        double s = 0;
        for (double v : sums) s += v;
        return s;
    }

    private static double scaleAndSquare(Flat x, Flat c, double factor, boolean scale, boolean vector, int lo, int hi) {
        int i = lo, end = lo + (hi - lo) / 4 * 4;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (vector) {
            float[] xs = x.floats();
            int xo = x.offset();
            DoubleVector zero = DoubleVector.zero(D4), acc = zero;
            for (; i < end; i += 4) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(F4, xs, xo + i).castShape(D4, 0);
                if (scale) {
                    FloatVector stored = (FloatVector) zero.add(v.sub(zero).mul(factor)).castShape(F4, 0);
                    stored.intoArray(xs, xo + i);
                    v = (DoubleVector) stored.castShape(D4, 0);
                }
                DoubleVector d = v.sub(zero);
                acc = acc.add(d.mul(d));
            }
            s0 = acc.lane(0);
            s1 = acc.lane(1);
            s2 = acc.lane(2);
            s3 = acc.lane(3);
        }
        for (; i < end; i += 4) {
            s0 += squared(x, c, factor, scale, i);
            s1 += squared(x, c, factor, scale, i + 1);
            s2 += squared(x, c, factor, scale, i + 2);
            s3 += squared(x, c, factor, scale, i + 3);
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < hi; i++) s += squared(x, c, factor, scale, i);
        return s;
    }

    /** (x_i − c_i)², after scaling x_i when asked: the scalar twin of one lane. */
    private static double squared(Flat x, Flat c, double factor, boolean scale, int i) {
        double ci = c == null ? 0 : c.get(i);
        if (scale) x.set(i, ci + (x.get(i) - ci) * factor);
        double d = x.get(i) - ci;
        return d * d;
    }
}
