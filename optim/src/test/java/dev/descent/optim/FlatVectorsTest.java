package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float64 vector loops of LBFGS: the Vector API path equals its scalar twin bit for bit, (both paths forced, so
 * both run whatever the machine), and both equal the plain index-order loops of the math to rounding, at lengths
 * around the four-lane blocks.
 */
class FlatVectorsTest {
    @Test
    void vectorAndScalarTwinsAgreeBitForBitAndWithThePlainLoops() {
        var rng = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 3, 4, 5, 8, 17, 1000, 4099}) {
            double[] a = Quadratic.gaussian(rng, n, 1), b = Quadratic.gaussian(rng, n, 2);
            double dot = 0, sumAbs = 0, maxAbs = 0;
            for (int i = 0; i < n; i++) {
                dot += a[i] * b[i];
                sumAbs += Math.abs(a[i]);
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            assertEquals(Double.doubleToLongBits(FlatVectors.dot(a, b, false)), Double.doubleToLongBits(FlatVectors.dot(a, b, true)), "dot, n = " + n);
            assertEquals(Double.doubleToLongBits(FlatVectors.sumAbs(a, false)), Double.doubleToLongBits(FlatVectors.sumAbs(a, true)), "sumAbs, n = " + n);
            assertEquals(dot, FlatVectors.dot(a, b), 1e-12 * (1 + sumAbs * 2), "dot against the plain loop, n = " + n);
            assertEquals(sumAbs, FlatVectors.sumAbs(a), 1e-12 * (1 + sumAbs), "sumAbs against the plain loop, n = " + n);
            assertEquals(maxAbs, FlatVectors.maxAbs(a, true), "maxAbs, n = " + n);
            assertEquals(maxAbs, FlatVectors.maxAbs(a, false), "maxAbs scalar, n = " + n);
            double[] y1 = b.clone(), y2 = b.clone(), want = b.clone();
            for (int i = 0; i < n; i++) want[i] = want[i] + 0.3 * a[i];
            FlatVectors.axpy(0.3, a, y1, true);
            FlatVectors.axpy(0.3, a, y2, false);
            assertArrayEquals(want, y1, "axpy, n = " + n);
            assertArrayEquals(want, y2, "axpy scalar, n = " + n);
        }
        assertTrue(Double.isNaN(FlatVectors.maxAbs(new double[] {1, Double.NaN, 2, 3, 4}, true)), "a NaN shows in maxAbs");
    }
}
