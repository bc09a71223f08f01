package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float64 vector loops of LBFGS: the Vector API path equals its scalar twin bit for bit, (both paths forced, so
 * both run whatever the machine), and both equal the plain index-order loops of the math to rounding, at lengths
 * around the four-lane blocks; the tensor sum of squares (with its fused scaling) gives the same bits with and without
 * vectors, on one and two threads, fused or not.
 */
class FlatVectorsTest {
    @Test
    void vectorAndScalarTwinsAgreeBitForBitAndWithThePlainLoops() {
        var rng = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 3, 4, 5, 8, 17, 1000, 4099, 2 * FlatVectors.BLOCK + 7}) {
            double[] a = Quadratic.gaussian(rng, n, 1), b = Quadratic.gaussian(rng, n, 2);
            double dot = 0, sumAbs = 0, maxAbs = 0;
            for (int i = 0; i < n; i++) {
                dot += a[i] * b[i];
                sumAbs += Math.abs(a[i]);
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            assertEquals(Double.doubleToLongBits(FlatVectors.dot(a, b, false)), Double.doubleToLongBits(FlatVectors.dot(a, b, true)), "dot, n = " + n);
            assertEquals(Double.doubleToLongBits(FlatVectors.sumAbs(a, false)), Double.doubleToLongBits(FlatVectors.sumAbs(a, true)), "sumAbs, n = " + n);
            double scale = 0;
            for (int i = 0; i < n; i++) scale += Math.abs(a[i] * b[i]);
            assertEquals(dot, FlatVectors.dot(a, b), 1e-12 * (1 + scale), "dot against the plain loop, n = " + n);
            assertEquals(sumAbs, FlatVectors.sumAbs(a), 1e-12 * (1 + sumAbs), "sumAbs against the plain loop, n = " + n);
            assertEquals(maxAbs, FlatVectors.maxAbs(a, true), "maxAbs, n = " + n);
            assertEquals(maxAbs, FlatVectors.maxAbs(a, false), "maxAbs scalar, n = " + n);
            double[] y1 = b.clone(), y2 = b.clone(), want = b.clone();
            for (int i = 0; i < n; i++) want[i] = want[i] + 0.3 * a[i];
            FlatVectors.axpy(0.3, a, y1, true);
            FlatVectors.axpy(0.3, a, y2, false);
            double[] ya = new double[n], sa = new double[n], yb = new double[n], sb = new double[n];
            double ysVector = FlatVectors.differencesAndDot(a, b, want, 0.7, ya, sa, true), ysScalar = FlatVectors.differencesAndDot(a, b, want, 0.7, yb, sb, false);
            double[] yWant = new double[n], sWant = new double[n];
            for (int i = 0; i < n; i++) {
                yWant[i] = a[i] - b[i];
                sWant[i] = want[i] * 0.7;
            }
            assertArrayEquals(yWant, ya, "y = g − g_prev, n = " + n);
            assertArrayEquals(sWant, sa, "s = t·d, n = " + n);
            assertArrayEquals(yWant, yb, "y scalar, n = " + n);
            assertArrayEquals(sWant, sb, "s scalar, n = " + n);
            assertEquals(Double.doubleToLongBits(FlatVectors.dot(yWant, sWant, false)), Double.doubleToLongBits(ysVector), "yᵀs as dot sums it, n = " + n);
            assertEquals(Double.doubleToLongBits(ysVector), Double.doubleToLongBits(ysScalar), "yᵀs vector = scalar, n = " + n);
            assertArrayEquals(want, y1, "axpy, n = " + n);
            assertArrayEquals(want, y2, "axpy scalar, n = " + n);
        }
        assertTrue(Double.isNaN(FlatVectors.maxAbs(new double[] {1, Double.NaN, 2, 3, 4}, true)), "a NaN shows in maxAbs");
    }

    @Test
    void theFloat64PassesGiveTheSameBitsOnOneAndTwoThreads() {
        var rng = new SplittableRandom(6);
        int n = 3 * FlatVectors.BLOCK + 11;
        double[] a = Quadratic.gaussian(rng, n, 1), b = Quadratic.gaussian(rng, n, 1);
        double[][] results = new double[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (var _ = Threads.limit(threads)) {
                double[] y = new double[n], s = new double[n], z = b.clone();
                FlatVectors.axpy(0.25, a, z);
                results[threads - 1] = new double[] {FlatVectors.dot(a, b), FlatVectors.sumAbs(a), FlatVectors.maxAbs(a),
                        FlatVectors.differencesAndDot(a, b, z, 0.5, y, s), FlatVectors.dot(z, z), FlatVectors.dot(y, s)};
            }
        }
        for (int i = 0; i < results[0].length; i++) {
            assertEquals(Double.doubleToLongBits(results[0][i]), Double.doubleToLongBits(results[1][i]), "result " + i + " on 1 and 2 threads");
        }
        assertEquals(Double.doubleToLongBits(results[0][3]), Double.doubleToLongBits(results[0][5]), "yᵀs fused = dot(y, s)");
    }

    @Test
    void scaleAndSquareGivesTheSameBitsWithAndWithoutVectorsOnAnyThreadCountAndFused() {
        var rng = new SplittableRandom(9);
        for (int n : new int[] {1, 6, FlatVectors.BLOCK * 3 + 5}) {
            float[] x0 = new float[n];
            double plain = 0;
            for (int i = 0; i < n; i++) {
                x0[i] = (float) rng.nextGaussian();
                plain += (double) x0[i] * x0[i];
            }
            Long measured = null, scaled = null;
            float[] scaledX = null;
            for (int threads : new int[] {1, 2}) {
                for (boolean vector : new boolean[] {true, false}) {
                    try (var _ = Threads.limit(threads)) {
                        float[] x = x0.clone();
                        double s = FlatVectors.scaleAndSquare(flat(x), null, 1, false, vector);
                        assertEquals(plain, s, 1e-12 * plain, "the sum of squares against the plain loop");
                        double fused = FlatVectors.scaleAndSquare(flat(x), null, 0.37, true, vector);
                        assertEquals(Double.doubleToLongBits(FlatVectors.scaleAndSquare(flat(x), null, 1, false, vector)), Double.doubleToLongBits(fused),
                                "scaling and measuring in one pass = measuring after");
                        if (measured == null) {
                            measured = Double.doubleToLongBits(s);
                            scaled = Double.doubleToLongBits(fused);
                            scaledX = x;
                        }
                        assertEquals(measured, Double.doubleToLongBits(s), "n = " + n + ", vector " + vector + ", " + threads + " thread(s)");
                        assertEquals(scaled, Double.doubleToLongBits(fused), "scaled, n = " + n + ", vector " + vector + ", " + threads + " thread(s)");
                        assertArrayEquals(scaledX, x, "the scaled elements, n = " + n + ", vector " + vector);
                        for (int i = 0; i < n; i++) assertEquals((float) (0.0 + (x0[i] - 0.0) * 0.37), x[i], "element " + i);
                    }
                }
            }
        }
    }

    private static Flat flat(float[] a) {
        return Flat.of(Tensor.wrap(Storage.of(a), 0, new int[] {a.length}, new int[] {1}));
    }
}
