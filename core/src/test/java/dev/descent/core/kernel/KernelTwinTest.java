package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.check.TensorGen;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Each vector kernel against its scalar twin, on rows of every length around the vector width, at
 * random offsets, with values that include the edges (0, ±1, ±1e4, subnormals). Elementwise kernels
 * must agree bit for bit (exp, log, tanh are our own polynomials with exact twins); sums differ only
 * in summation order. Lengths, offsets and row counts are QuickTheories draws (a failure shrinks to the
 * shortest row); the element values come from a seed it draws: shrinking each would say little more.
 */
class KernelTwinTest {

    private static float[] floats(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) TensorGen.value(rng, TensorGen.Values.EDGES);
        return a;
    }

    private static double[] doubles(SplittableRandom rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = TensorGen.value(rng, TensorGen.Values.EDGES);
        return a;
    }


    @Test
    void unaryVectorEqualsScalarTwin() {
        qt().forAll(integers().between(0, 70), integers().between(0, 4), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            for (UnaryKernels.Kind k : UnaryKernels.Kind.values()) {
                float[] x = floats(rng, n + off);
                float[] v = new float[n], s = new float[n];
                UnaryKernels.rowF(k, x, off, 1, v, 0, n, true);
                UnaryKernels.rowF(k, x, off, 1, s, 0, n, false);
                for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(s[i]), Float.floatToIntBits(v[i]), k + " float at " + i + " of " + x[off + i]);
                double[] xd = doubles(rng, n + off);
                double[] vd = new double[n], sd = new double[n];
                UnaryKernels.rowD(k, xd, off, 1, vd, 0, n, true);
                UnaryKernels.rowD(k, xd, off, 1, sd, 0, n, false);
                for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(sd[i]), Double.doubleToLongBits(vd[i]), k + " double at " + i + " of " + xd[off + i]);
            }
        });
    }

    @Test
    void binaryVectorEqualsScalarTwinForEachStridePattern() {
        qt().forAll(integers().between(0, 70), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int[][] patterns = {{1, 1}, {1, 0}, {0, 1}};
            for (BinaryKernels.Kind k : BinaryKernels.Kind.values()) {
                for (int[] p : patterns) {
                    float[] a = floats(rng, n + 3), b = floats(rng, n + 3);
                    float[] v = new float[n], s = new float[n];
                    BinaryKernels.rowF(k, a, 1, p[0], b, 2, p[1], v, 0, n, true);
                    BinaryKernels.rowF(k, a, 1, p[0], b, 2, p[1], s, 0, n, false);
                    for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(s[i]), Float.floatToIntBits(v[i]), k + " float pattern " + p[0] + p[1]);
                    double[] ad = doubles(rng, n + 3), bd = doubles(rng, n + 3);
                    double[] vd = new double[n], sd = new double[n];
                    BinaryKernels.rowD(k, ad, 1, p[0], bd, 2, p[1], vd, 0, n, true);
                    BinaryKernels.rowD(k, ad, 1, p[0], bd, 2, p[1], sd, 0, n, false);
                    for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(sd[i]), Double.doubleToLongBits(vd[i]), k + " double pattern " + p[0] + p[1]);
                }
            }
        });
    }

    @Test
    void reductionVectorEqualsScalarTwin() {
        qt().forAll(integers().between(1, 100), integers().between(1, 4), longs().all()).checkAssert((n, rows, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            for (ReduceKernels.Kind k : ReduceKernels.Kind.values()) {
                float[] x = new float[n + 2];
                for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
                float v = ReduceKernels.rowF(k, x, 2, n, true), s = ReduceKernels.rowF(k, x, 2, n, false);
                // Sums differ in order (lanes vs left to right): within rounding of the absolute sum.
                double scale = 0;
                for (int i = 2; i < n + 2; i++) scale += Math.abs(x[i]);
                if (k == ReduceKernels.Kind.SUM) assertEquals(s, v, 1e-6 * scale + 1e-7);
                else assertEquals(s, v, 0.0);
                float[] xf = new float[rows * n + 1];
                for (int i = 0; i < xf.length; i++) xf[i] = (float) rng.nextGaussian();
                float[] yv = new float[n], ys = new float[n];
                ReduceKernels.foldF(k, xf, 1, rows, n, yv, 0, n, true);
                ReduceKernels.foldF(k, xf, 1, rows, n, ys, 0, n, false);
                for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(ys[i]), Float.floatToIntBits(yv[i]), "fold " + k); // same order: exact
                double[] xd = new double[n];
                for (int i = 0; i < n; i++) xd[i] = rng.nextGaussian();
                double vd = ReduceKernels.rowD(k, xd, 0, n, true), sd = ReduceKernels.rowD(k, xd, 0, n, false);
                assertEquals(sd, vd, k == ReduceKernels.Kind.SUM ? 1e-13 * n : 0.0);
            }
        });
    }

    @Test
    void theVectorPathRunsByDefault() {
        assertTrue(Vectors.ENABLED, "vector kernels are disabled (descent.kernels=scalar, or a CPU without vectors)");
        assertTrue(Vectors.FL >= 4, "float vectors have " + Vectors.FL + " lanes");
        long before = Vectors.vectorCalls();
        dev.descent.core.Tensor.ones(1000).exp();
        dev.descent.core.Tensor.ones(64, 64).matmul(dev.descent.core.Tensor.ones(64, 64));
        assertTrue(Vectors.vectorCalls() >= before + 2, "no vector kernel ran for exp and matmul");
    }

    @Test
    void parallelChunkBoundariesForAKnownCase() {
        // 1000/3 = 333.3 and 2000/3 = 666.7, each rounded down to a multiple of 64.
        assertArrayEquals(new int[] {0, 320, 640, 1000}, Parallel.bounds(1000, 3, 64));
        assertArrayEquals(new int[] {0, 0, 0, 0, 5}, Parallel.bounds(5, 4, 8), "every inner boundary below one alignment unit is 0");
        assertArrayEquals(new int[] {0, 25, 50, 75, 100}, Parallel.bounds(100, 4, 1));
    }

    /**
     * What the chunking promises (Parallel.bounds' Javadoc and the determinism rule): chunks + 1 boundaries from
     * 0 to n, in order, so the chunks cover [0, n) exactly once; inner boundary c is the largest multiple of align
     * at most n·c/chunks (so a chunk is within one alignment unit of n/chunks); and the same answer every call.
     */
    @Test
    void parallelChunkBoundariesCoverTheRangeInAlignedNearEqualChunks() {
        qt().forAll(integers().between(0, 100_000), integers().between(1, 64), integers().between(1, 256)).checkAssert((n, chunks, align) -> {
            int[] b = Parallel.bounds(n, chunks, align);
            String what = "bounds(" + n + ", " + chunks + ", " + align + ") = " + Arrays.toString(b);
            assertEquals(chunks + 1, b.length, what);
            assertEquals(0, b[0], what);
            assertEquals(n, b[chunks], what);
            for (int c = 1; c < chunks; c++) {
                assertTrue(b[c - 1] <= b[c], what + ": not ascending at " + c);
                assertEquals(0, b[c] % align, what + ": boundary " + c + " is not aligned");
                long target = (long) n * c;    // b[c] ≤ n·c/chunks < b[c] + align, in integers
                assertTrue((long) b[c] * chunks <= target && ((long) b[c] + align) * chunks > target, what + ": boundary " + c);
            }
            assertTrue(b[chunks - 1] <= n, what);
            assertArrayEquals(b, Parallel.bounds(n, chunks, align), "a second call");
        });
    }

    @Test
    void maxPool2x2VectorEqualsScalarTwin() {
        // Planes narrower and wider than a vector, plane sizes that are and are not multiples of L, several planes a call (the
        // vector path's groups of planes), odd widths and a gap between planes.
        Gen<int[]> geometry = integers().between(1, 40).zip(integers().between(1, 9), booleans().all(), integers().between(0, 3),
                (wo, ho, oddWidth, in) -> new int[] {wo, ho, 2 * wo + (oddWidth ? 1 : 0), in});
        qt().forAll(geometry.describedAs(g -> "wo " + g[0] + " ho " + g[1] + " w " + g[2] + " offset " + g[3]), integers().between(1, 20),
                integers().between(0, 2), longs().all()).checkAssert(KernelTwinTest::maxPoolTwins);
    }

    @Test
    void maxPool2x2RowsOfWholeVectorsEqualScalarTwin() {
        // Output rows of 1–3 whole vectors: the vector path without gathers.
        int lanes = Vectors.FL;
        Gen<int[]> geometry = integers().between(1, 3).zip(integers().between(1, 6), booleans().all(), integers().between(0, 3),
                (v, ho, oddWidth, in) -> new int[] {v * lanes, ho, 2 * v * lanes + (oddWidth ? 1 : 0), in});
        qt().forAll(geometry.describedAs(g -> "wo " + g[0] + " ho " + g[1] + " w " + g[2] + " offset " + g[3]), integers().between(1, 6),
                integers().between(0, 2), longs().all()).checkAssert(KernelTwinTest::maxPoolTwins);
    }

    /** The vector and scalar twins of 2×2 max pooling on one random geometry, with ties and NaNs in the windows. */
    private static void maxPoolTwins(int[] g, int planes, int gap, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int wo = g[0], ho = g[1], w = g[2], in = g[3], stride = 2 * ho * w + gap;
        float[] x = floats(rng, in + planes * stride);
        // Ties and NaNs in the windows: the first in window order must win in both.
        for (int i = 0; i < x.length; i++) {
            if (rng.nextInt(5) == 0) x[i] = x[Math.max(0, i - 1 - rng.nextInt(2))];
            if (rng.nextInt(40) == 0) x[i] = Float.NaN;
        }
        int n = planes * ho * wo;
        float[] yv = new float[n + 1], ys = new float[n + 1];
        int[] iv = new int[n + 1], is = new int[n + 1];
        PoolKernels.max2x2F(x, in, stride, w, ho, wo, planes, yv, 1, iv, 1, true);
        PoolKernels.max2x2F(x, in, stride, w, ho, wo, planes, ys, 1, is, 1, false);
        for (int k = 0; k < n; k++) {
            int p = k / (ho * wo), oh = k % (ho * wo) / wo, ow = k % wo, at = 2 * oh * w + 2 * ow;
            assertEquals(is[k + 1], iv[k + 1], "index of window " + k);
            assertEquals(Float.floatToIntBits(ys[k + 1]), Float.floatToIntBits(yv[k + 1]), "max of window " + k);
            // The scalar twin against the window itself: the index is in the window and holds the maximum (or a NaN).
            int i = is[k + 1];
            assertTrue(i == at || i == at + 1 || i == at + w || i == at + w + 1, "window " + k + " index " + i);
            assertEquals(Float.floatToIntBits(x[in + p * stride + i]), Float.floatToIntBits(ys[k + 1]));
        }
    }
}
