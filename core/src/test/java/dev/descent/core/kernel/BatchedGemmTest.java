package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * BatchedGemm against its scalar twin and against Gemm (bit for bit: the same fused multiply-add chains, where Gemm does
 * not sum in depth slices), against a float64 product within the rounding bound of a chain of k fused multiply-adds,
 * and the same bits on 1 and 2 threads;
 * over shapes around its tiles (4 × 4 vectors, 8 × 2, 8 × 1, a ragged row block, columns past the last vector) and
 * Gemm's depth step KC = 256, with row-major, transposed and padded operands.
 */
class BatchedGemmTest {
    private static final int[] DIMS = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 80, 128, 255, 256, 257, 300};

    @Test
    void equalsItsScalarTwinAndGemmBitForBitAndTheFloat64ProductWithinTheChainBound() throws Exception {
        SplittableRandom rng = new SplittableRandom(20261202);
        for (int it = 0; it < 250; it++) {
            int m = DIMS[rng.nextInt(DIMS.length)], n = DIMS[rng.nextInt(DIMS.length)], k = DIMS[rng.nextInt(DIMS.length)];
            if ((long) m * n * k > 3_000_000) continue;
            check(rng, 1 + rng.nextInt(4), m, n, k, rng.nextBoolean(), rng.nextBoolean(), BatchedGemm.FULL);
        }
        // Depths around Gemm's depth step, where each chain restarts from zero.
        for (int k : new int[] {Gemm.KC - 1, Gemm.KC, Gemm.KC + 1, 2 * Gemm.KC + 3}) {
            check(rng, 2, 17, 33, k, rng.nextBoolean(), rng.nextBoolean(), BatchedGemm.FULL);
        }
    }

    @Test
    void causalStructuresSkipOnlyZeroTermsAndKeepTheFullProductsBits() throws Exception {
        // A holds zeros where the structure skips terms (as a causal attention's probabilities do); LOWER leaves the
        // elements past the diagonal at 0 or their product.
        SplittableRandom rng = new SplittableRandom(99);
        for (int structure : new int[] {BatchedGemm.LOWER, BatchedGemm.DEPTH_TO_ROW, BatchedGemm.DEPTH_FROM_ROW}) {
            for (int it = 0; it < 120; it++) {
                int m = DIMS[rng.nextInt(DIMS.length)], n = DIMS[rng.nextInt(DIMS.length)], k = DIMS[rng.nextInt(DIMS.length)];
                if ((long) m * n * k > 3_000_000) continue;
                check(rng, 1 + rng.nextInt(3), m, n, k, rng.nextBoolean(), rng.nextBoolean(), structure);
            }
            for (boolean ta : new boolean[] {false, true}) {
                check(rng, 16, 64, 64, 16, ta, true, structure);
                check(rng, 16, 64, 16, 64, ta, false, structure);
                check(rng, 3, 300, 40, 300, ta, false, structure);
            }
        }
    }

    @Test
    void attentionShapes() throws Exception {
        SplittableRandom rng = new SplittableRandom(16);
        // 32 × 4 heads of 64 × 16 (q·kᵀ, P·v, dq, dk, dv, dP of the default GPT)
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(rng, 128, 64, 64, 16, ta, tb, BatchedGemm.FULL);
                check(rng, 128, 64, 16, 64, ta, tb, BatchedGemm.FULL);
            }
        }
    }

    @Test
    void runsTheVectorPath() throws Exception {
        if (!Vectors.ENABLED) return;
        long before = Vectors.vectorCalls();
        check(new SplittableRandom(1), 2, 9, 40, 9, false, false, BatchedGemm.FULL);
        assertTrue(Vectors.vectorCalls() > before, "BatchedGemm did not take the vector path");
    }

    /** count products with padded leading dims, per-product offsets, A and B transposed or not. */
    private static void check(SplittableRandom rng, int count, int m, int n, int k, boolean transA, boolean transB, int structure) throws Exception {
        int lda = (transA ? m : k) + rng.nextInt(3), ldb = (transB ? k : n) + rng.nextInt(3), ldc = n + rng.nextInt(3);
        int aSize = (transA ? k : m) * lda + 2, bSize = (transB ? n : k) * ldb + 2, cSize = m * ldc + 2;
        float[] a = random(rng, count * aSize), b = random(rng, count * bSize);
        int[] aOff = new int[count], bOff = new int[count], cOff = new int[count];
        for (int t = 0; t < count; t++) {
            aOff[t] = t * aSize + rng.nextInt(3);
            bOff[t] = t * bSize + rng.nextInt(3);
            cOff[t] = t * cSize + rng.nextInt(3);
        }
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        for (int t = 0; t < count; t++) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    boolean skipped = structure == BatchedGemm.DEPTH_TO_ROW ? p > i : structure == BatchedGemm.DEPTH_FROM_ROW && p < i;
                    if (skipped) a[aOff[t] + i * ars + p * acs] = 0f;
                }
            }
        }
        float[] c0 = random(rng, count * cSize);
        float[] one = c0.clone(), two = c0.clone(), twin = c0.clone(), gemm = c0.clone();
        try (var _ = Threads.limit(1)) {
            BatchedGemm.sgemm(count, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, one, cOff, ldc, structure, true);
            BatchedGemm.sgemm(count, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, twin, cOff, ldc, structure, false);
            for (int t = 0; t < count; t++) Gemm.sgemm(m, n, k, a, aOff[t], ars, acs, b, bOff[t], brs, bcs, gemm, cOff[t], ldc, false);
        }
        try (var _ = Threads.limit(2)) {
            BatchedGemm.sgemm(count, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, two, cOff, ldc, structure, true);
        }
        String shape = count + " × m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " structure=" + structure;
        double u = 0x1p-24;
        for (int t = 0; t < count; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int ci = cOff[t] + i * ldc + j;
                    String at = "C" + t + "[" + i + "," + j + "] " + shape;
                    if (structure == BatchedGemm.LOWER && j > i) {
                        assertTrue(one[ci] == 0f || Float.floatToRawIntBits(one[ci]) == Float.floatToRawIntBits(gemm[ci]) || !Vectors.ENABLED,
                                () -> "past the diagonal neither 0 nor the product at " + at);
                        assertEquals(0f, twin[ci], () -> "the twin past the diagonal at " + at);
                        continue;
                    }
                    assertEquals(Float.floatToRawIntBits(twin[ci]), Float.floatToRawIntBits(one[ci]), () -> "vector vs scalar twin at " + at);
                    assertEquals(Float.floatToRawIntBits(one[ci]), Float.floatToRawIntBits(two[ci]), () -> "1 vs 2 threads at " + at);
                    if (Vectors.ENABLED && Gemm.depthParts(m, n, k, ars, acs) == 1) {
                        assertEquals(Float.floatToRawIntBits(gemm[ci]), Float.floatToRawIntBits(one[ci]), () -> "vs Gemm.sgemm at " + at);
                    }
                    double sum = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = (double) a[aOff[t] + i * ars + p * acs] * b[bOff[t] + p * brs + j * bcs];
                        sum += x;
                        abs += Math.abs(x);
                    }
                    double exact = sum;
                    // A chain of k fused multiply-adds (and the adds of its KC-term pieces): |error| ≤ γ_k·Σ|a·b|,
                    // γ_k = k·u/(1 − k·u), u = 2⁻²⁴.
                    double bound = k * u / (1 - k * u) * abs;
                    assertTrue(Math.abs(one[ci] - exact) <= bound, () -> at + ": " + one[ci] + " vs " + exact + ", bound " + bound);
                }
            }
        }
        // Nothing outside the C blocks was written.
        boolean[] inC = new boolean[c0.length];
        for (int t = 0; t < count; t++) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) inC[cOff[t] + i * ldc + j] = true;
        for (int i = 0; i < c0.length; i++) if (!inC[i]) assertEquals(c0[i], one[i], "wrote outside C at " + i + ": " + shape);
    }

    private static float[] random(SplittableRandom rng, int size) {
        float[] x = new float[Math.max(1, size)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        return x;
    }
}
