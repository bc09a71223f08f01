package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * sgemm against the scalar reference on edge shapes, strided and transposed operands and accumulate;
 * and bitwise the same result on 1 and 2 threads (the depth blocking must not follow the split).
 */
class GemmTest {
    /**
     * Sizes around the tile and block edges: MR = 3 or 6, NR = 3 or 4 vectors (24…64 floats), MC = 96, KC = 256, KB = 1024,
     * and n = 256, the widest B whose row-major A is read in place (wider ones run
     * the 12 × 2 tile at 512 bits: see {@link #wideTileEdges}).
     */
    private static final int[] DIMS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49,
        63, 64, 65, 95, 96, 97, 100, 129, 255, 256, 257};

    @Test
    void matchesReferenceAndIsBitwiseIdenticalAcrossThreadCounts() throws Exception {
        SplittableRandom rng = new SplittableRandom(20261129);
        for (int it = 0; it < 300; it++) {
            int m = DIMS[rng.nextInt(DIMS.length)], n = DIMS[rng.nextInt(DIMS.length)], k = DIMS[rng.nextInt(DIMS.length)];
            check(rng, m, n, k, rng.nextBoolean(), rng.nextBoolean(), rng.nextBoolean());
        }
    }

    @Test
    void coversSeveralDepthColumnAndRowBlocks() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        // k spans several KC and KB blocks (with a ragged last one), m several MC blocks, n several NC blocks.
        check(rng, 200, 70, 1100, false, false, true);
        check(rng, 5, Gemm.NC + Gemm.NR + 7, 300, true, false, false);
        check(rng, 40, Gemm.NC + 50, 70, false, false, true);
        check(rng, 131, 41, 777, true, true, true);
        check(rng, 40, 300, 520, false, true, false);
        check(rng, 1, 1, 2000, false, false, true);
        // Enough columns that both threads pack the shared B block.
        check(rng, 30, 800, 600, false, false, true);
        // Row-major A read in place (n <= 256) over several depth and row blocks, with a ragged last micro-panel.
        check(rng, 203, 256, 1030, false, true, false);
        check(rng, 97, 130, 515, false, false, true);
    }

    /**
     * Products wider than 256 columns, which run the 12-row × 2-vector tile at 512 bits (and in the build's forced run
     * at 256 bits): ragged rows around 12 and 24, ragged column panels of one vector or less and of between one and
     * two, depth around KC.
     */
    @Test
    void wideTileEdges() throws Exception {
        SplittableRandom rng = new SplittableRandom(20261203);
        int[] ms = {1, 11, 12, 13, 25, 97}, ns = {257, 264, 272, 281, 288, 300, 513}, ks = {1, 255, 256, 257};
        for (int m : ms) {
            for (int n : ns) {
                check(rng, m, n, ks[rng.nextInt(ks.length)], rng.nextBoolean(), rng.nextBoolean(), rng.nextBoolean());
            }
        }
    }

    /**
     * The bits of the vector path follow from the order its sums are taken in, which the reproduction runs rely on:
     * per element and per depth step of KC, a sum from zero by fma in ascending p, then added to C (or stored, for the
     * first step without accumulate). Checked bit for bit against that order written as a scalar loop, across depth
     * steps (the 6 × 4 tiles' running sums carried between them), several packed depth blocks (KB), A read in place (n <= 256) and
     * packed, ragged tiles and strided operands, on 1 and 2 threads; and a transposed A over a long depth summed in
     * depth slices ({@link Gemm#depthParts}), the same bits on 1 and 2 threads.
     */
    @Test
    void followsTheDocumentedAccumulationOrderBitForBit() {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261202);
        int[][] shapes = {{7, 70, 300}, {13, 64, 256}, {12, 300, 257}, {25, 129, 1100}, {6, 520, 2100}, {100, 256, 640},
            {31, 33, 129}, {97, 257, 1030}, {1, 1000, 700}, {200, 40, 4096}, {64, 64, 2048}, {64, 113, 2100}, {256, 256, 3000},
            {7, 300, 9000}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int variant = 0; variant < 4; variant++) {
                boolean transA = (variant & 1) != 0, accumulate = (variant & 2) != 0;
                float[] a = random(rng, m * k), b = random(rng, k * n), c0 = random(rng, m * n);
                int ars = transA ? 1 : k, acs = transA ? m : 1;
                float[] expected = c0.clone();
                int parts = Gemm.depthParts(m, n, k, ars, acs);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float cij = expected[i * n + j];
                        // Depth slices (one, unless a transposed A over a long depth): each its own sum of KC steps, the
                        // first onto C, the others from zero and then added in order.
                        float[] slice = new float[parts];
                        for (int q = 0; q < parts; q++) {
                            int k0 = Gemm.sliceStart(k, q, parts), k1 = Gemm.sliceStart(k, q + 1, parts);
                            float acc = q == 0 ? cij : 0f;
                            for (int p0 = k0; p0 < k1; p0 += Gemm.KC) {
                                float sum = 0f;
                                for (int p = p0; p < Math.min(k1, p0 + Gemm.KC); p++) sum = Math.fma(a[i * ars + p * acs], b[p * n + j], sum);
                                acc = p0 == k0 && (q > 0 || !accumulate) ? sum : acc + sum;
                            }
                            slice[q] = acc;
                        }
                        cij = slice[0];
                        for (int q = 1; q < parts; q++) cij += slice[q];
                        expected[i * n + j] = cij;
                    }
                }
                for (int threads = 1; threads <= 2; threads++) {
                    float[] c = c0.clone();
                    try (var _ = Threads.limit(threads)) {
                        Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, n, 1, c, 0, n, accumulate);
                    }
                    for (int i = 0; i < c.length; i++) {
                        if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(expected[i])) {
                            throw new AssertionError("m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " accumulate=" + accumulate
                                    + " threads=" + threads + ": C[" + i / n + "," + i % n + "] = " + c[i] + ", the documented order gives " + expected[i]);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packing A, by its definition: panel q of a block of rows holds, for each depth step p, the panel's mrows values
     * A[row + q·mrows + i, kb + p] (zero past the block's last row) at q·mrows·kbs + p·mrows + i. Row-major, column-major
     * and general strides; the tiles' row counts and others; depths around multiples of the vector length (the
     * row-major vector transposition packs whole vectors of depth, the rest one step at a time). The buffer starts as
     * NaN, so a value left unwritten fails too.
     */
    @Test
    void packsAPanelsAsDefined() {
        SplittableRandom rng = new SplittableRandom(20261204);
        int lanes = Vectors.F.length();
        int[] rowCounts = {Gemm.MR, Gemm.WIDE_MR, 1, 3, 5};
        for (int it = 0; it < 400; it++) {
            int mrows = rowCounts[rng.nextInt(rowCounts.length)];
            int kbs = 1 + rng.nextInt(4 * lanes + 3), kb = rng.nextInt(5), rows = 1 + rng.nextInt(3 * mrows + 2), row = rng.nextInt(4);
            int depth = kb + kbs + rng.nextInt(3), height = row + rows + rng.nextInt(3), ao = rng.nextInt(5);
            int layout = rng.nextInt(3);
            int ars = layout == 0 ? depth : layout == 1 ? 1 : depth * 2 + 1, acs = layout == 0 ? 1 : layout == 1 ? height : 2;
            float[] a = random(rng, ao + (height - 1) * ars + (depth - 1) * acs + 1);
            int panels = (rows + mrows - 1) / mrows;
            float[] ap = new float[panels * mrows * kbs + 7];
            java.util.Arrays.fill(ap, Float.NaN);
            Gemm.packA(mrows, a, ao, ars, acs, row, rows, kb, kbs, ap);
            for (int q = 0; q < panels; q++) {
                for (int p = 0; p < kbs; p++) {
                    for (int i = 0; i < mrows; i++) {
                        int r = q * mrows + i;
                        float expected = r < rows ? a[ao + (row + r) * ars + (kb + p) * acs] : 0f;
                        int at = q * mrows * kbs + p * mrows + i;
                        if (Float.floatToRawIntBits(ap[at]) != Float.floatToRawIntBits(expected)) {
                            throw new AssertionError("mrows=" + mrows + " rows=" + rows + " kbs=" + kbs + " ars=" + ars + " acs=" + acs
                                    + ": panel " + q + " depth " + p + " row " + i + " holds " + ap[at] + ", A there is " + expected);
                        }
                    }
                }
            }
            for (int at = panels * mrows * kbs; at < ap.length; at++) assertTrue(Float.isNaN(ap[at]), "packA wrote past its panels at " + at);
        }
    }

    @Test
    void runsTheVectorPath() throws Exception {
        if (!Vectors.ENABLED) return;
        long before = Vectors.vectorCalls();
        check(new SplittableRandom(1), 9, 9, 9, false, false, false);
        assertTrue(Vectors.vectorCalls() > before, "sgemm did not take the vector path");
    }

    /** One case: transposes via strides, a padded leading dimension, offsets, optional accumulate. */
    private static void check(SplittableRandom rng, int m, int n, int k, boolean transA, boolean transB, boolean accumulate) throws Exception {
        int lda = (transA ? m : k) + rng.nextInt(3), ldb = (transB ? k : n) + rng.nextInt(3), ldc = n + rng.nextInt(3);
        int ao = rng.nextInt(4), bo = rng.nextInt(4), co = rng.nextInt(4);
        float[] a = random(rng, ao + (transA ? k : m) * lda), b = random(rng, bo + (transB ? n : k) * ldb);
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        float[] c0 = random(rng, co + m * ldc + 3);
        float[] expected = c0.clone(), one = c0.clone(), two = c0.clone();
        Gemm.sgemmReference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, expected, co, ldc, accumulate);
        try (var _ = Threads.limit(1)) {
            Gemm.sgemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, one, co, ldc, accumulate);
        }
        try (var _ = Threads.limit(2)) {
            Gemm.sgemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, two, co, ldc, accumulate);
        }
        String shape = "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " accumulate=" + accumulate;
        assertArrayEquals(one, two, "1 vs 2 threads differ: " + shape);
        for (int i = 0; i < c0.length; i++) {
            int row = ldc == 0 ? 0 : (i - co) / ldc, col = ldc == 0 ? 0 : (i - co) % ldc;
            boolean inC = ldc > 0 && i >= co && row < m && col < n;
            if (!inC) {
                assertEquals(c0[i], one[i], "wrote outside C at " + i + ": " + shape);
            } else {
                // Float sums in another order: the error grows with sqrt(k) for random data.
                float tol = 1e-5f * (float) Math.sqrt(k + 1) * (1 + Math.abs(expected[i]));
                assertEquals(expected[i], one[i], 4 * tol, "C[" + row + "," + col + "]: " + shape);
            }
        }
    }

    private static float[] random(SplittableRandom rng, int size) {
        float[] x = new float[Math.max(1, size)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        return x;
    }
}
