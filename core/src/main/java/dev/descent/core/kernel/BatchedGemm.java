package dev.descent.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Many small float32 products C_b = A_b·B_b at once (attention's per-head q·kᵀ, P·v and their backward: m and n of
 * 16…256, k of 16…256, a few hundred of them), one product per thread at a time, nothing packed.
 *
 * <p>{@link Gemm#sgemm} packs A and B into micro-panels and forks over them; for a 64×16 by 16×64 product that costs
 * as much as the arithmetic. Here A's elements are broadcast from where they lie (any row and column stride), B's rows
 * are read in place when they are contiguous (column stride 1; else B is first copied row-major into a k×n scratch, a
 * small fraction of the product's work), and a register tile of 4 rows × 4 vectors, 8 × 2 or 8 × 1 accumulates over the
 * depth. The batch is split over {@link Parallel}'s threads, a whole product per task.
 *
 * <p><b>Bits.</b> Every element of C is Gemm's sum in Gemm's order: a chain of fused multiply-adds over the depth in
 * ascending order, starting from 0, restarted every {@link Gemm#KC} terms and the partial chains added to C in turn
 * ({@code c = chain + c}). So a product here has the bits Gemm gives it, at any vector width and thread count, and
 * {@code vector=false} (the scalar twin, also used for the columns past the last whole vector) gives the same bits;
 * except where Gemm sums a product in depth slices ({@link Gemm#depthParts}: a transposed A over 2048 or more terms
 * with a small C), which here is one sum over the whole depth: the bits differ there, each path's own for a shape.
 *
 * <p><b>Causal structure.</b> A causal attention's products are triangular: scores and their gradient are needed only
 * for key j ≤ query i ({@link #LOWER}), and the other four products sum over a depth whose terms past the diagonal are
 * zeros (the probabilities of masked keys are exactly 0): {@link #DEPTH_TO_ROW} (row i sums p ≤ i) and
 * {@link #DEPTH_FROM_ROW} (row j sums p ≥ j). Skipping those terms (by whole register tiles) leaves every sum's bits as
 * they are: a zero term adds ±0 to a chain that is never −0 (it starts at +0, and a round-to-nearest sum is −0 only when
 * both terms are), unless the other factor is infinite or NaN, or a product underflows to −0 before any other term.
 */
public final class BatchedGemm {
    private BatchedGemm() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Terms per accumulation chain: Gemm's depth step, so that the sums are Gemm's. */
    private static final int KC = Gemm.KC;
    /** Every element, every term. */
    public static final int FULL = 0;
    /**
     * C[i, j] is computed for j ≤ i; past the diagonal an element holds 0 or its product (whole register tiles past it
     * are not computed, but set to 0).
     */
    public static final int LOWER = 1;
    /** Row i sums the terms p ≤ i only (the others are zeros). */
    public static final int DEPTH_TO_ROW = 2;
    /** Row i sums the terms p ≥ i only (the others are zeros). */
    public static final int DEPTH_FROM_ROW = 3;

    /** Least work (flops) worth a task of its own. */
    private static final long MIN_TASK_FLOPS = 1_000_000L;

    /**
     * {@code C_b[i, j] = Σ_p A_b[i, p]·B_b[p, j]} for b &lt; count, with {@code A_b[i, p] = a[aOff[b] + i·ars + p·acs]},
     * {@code B_b[p, j] = b[bOff[b] + p·brs + j·bcs]} and {@code C_b[i, j] = c[cOff[b] + i·ldc + j]} (C's rows contiguous;
     * C is overwritten, and must not overlap A or B).
     *
     * @param vector whether to run the vector kernels (false: the scalar twin, the same bits)
     */
    public static void sgemm(int count, int m, int n, int k,
                             float[] a, int[] aOff, int ars, int acs,
                             float[] b, int[] bOff, int brs, int bcs,
                             float[] c, int[] cOff, int ldc, boolean vector) {
        sgemm(count, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, FULL, vector);
    }

    /**
     * {@link #sgemm(int, int, int, int, float[], int[], int, int, float[], int[], int, int, float[], int[], int, boolean)}
     * with a causal structure (see the class comment): {@link #FULL}, {@link #LOWER}, {@link #DEPTH_TO_ROW} or
     * {@link #DEPTH_FROM_ROW}. With DEPTH_TO_ROW or DEPTH_FROM_ROW, the terms skipped must be zeros (A's or B's) for the
     * result to be the full product.
     *
     * @param structure which elements and terms are computed
     * @param vector whether to run the vector kernels (false: the scalar twin, the same bits)
     */
    public static void sgemm(int count, int m, int n, int k,
                             float[] a, int[] aOff, int ars, int acs,
                             float[] b, int[] bOff, int brs, int bcs,
                             float[] c, int[] cOff, int ldc, int structure, boolean vector) {
        if (structure < FULL || structure > DEPTH_FROM_ROW) throw new IllegalArgumentException("BatchedGemm: unknown structure " + structure);
        if (count == 0 || m == 0 || n == 0) return;
        boolean vec = vector && Vectors.ENABLED;
        if (vec) Vectors.count();
        int grain = (int) Math.max(1, MIN_TASK_FLOPS / Math.max(1L, 2L * m * n * k));
        Parallel.forRange(count, grain, (from, to) -> {
            float[] scratch = vec && bcs != 1 ? new float[k * n] : null;
            int[] map = vec && bcs != 1 ? new int[L] : null;
            for (int t = from; t < to; t++) {
                if (!vec) scalar(m, n, k, a, aOff[t], ars, acs, b, bOff[t], brs, bcs, c, cOff[t], ldc, 0, structure);
                else if (bcs == 1) product(m, n, k, a, aOff[t], ars, acs, b, bOff[t], brs, c, cOff[t], ldc, structure);
                else {
                    transpose(k, n, b, bOff[t], brs, bcs, scratch, map);
                    product(m, n, k, a, aOff[t], ars, acs, scratch, 0, n, c, cOff[t], ldc, structure);
                }
            }
        });
    }

    /**
     * B's k×n block copied row-major (row stride n) into dst: each row of dst a vector at a time, gathered down B's
     * columns (L elements bcs apart), the columns past the last whole vector one by one. A copy: the values are B's.
     *
     * @param map scratch of L ints (the gather's offsets)
     */
    static void transpose(int k, int n, float[] b, int bo, int brs, int bcs, float[] dst, int[] map) {
        int whole = n / L * L;
        for (int l = 0; l < L; l++) map[l] = l * bcs;
        for (int p = 0; p < k; p++) {
            int src = bo + p * brs, d = p * n, j = 0;
            for (; j < whole; j += L) FloatVector.fromArray(S, b, src + j * bcs, map, 0).intoArray(dst, d + j);
            for (; j < n; j++) dst[d + j] = b[src + j * bcs];
        }
    }

    /**
     * The scalar twin from column j0 on: one fused multiply-add chain per element over the terms its structure keeps,
     * restarted at every multiple of KC.
     */
    static void scalar(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs, float[] c, int co, int ldc,
                       int j0, int structure) {
        for (int i = 0; i < m; i++) {
            int lo = structure == DEPTH_FROM_ROW ? Math.min(i, k) : 0, hi = structure == DEPTH_TO_ROW ? Math.min(k, i + 1) : k;
            for (int j = j0; j < n; j++) {
                int ci = co + i * ldc + j;
                if (structure == LOWER && j > i) c[ci] = 0f;
                else chain(lo, hi, a, ao + i * ars, acs, b, bo + j * bcs, brs, c, ci);
            }
        }
    }

    /** c[ci] = Σ_{lo ≤ p < hi} a[ai + p·acs]·b[bj + p·brs], chains restarted at multiples of KC (0 without terms). */
    private static void chain(int lo, int hi, float[] a, int ai, int acs, float[] b, int bj, int brs, float[] c, int ci) {
        if (lo >= hi) {
            c[ci] = 0f;
            return;
        }
        for (int pc = lo / KC * KC; pc < hi; pc += KC) {
            int from = Math.max(pc, lo), to = Math.min(pc + KC, hi);
            float acc = 0f;
            for (int p = from; p < to; p++) acc = Math.fma(a[ai + p * acs], b[bj + p * brs], acc);
            c[ci] = pc == lo / KC * KC ? acc : acc + c[ci];
        }
    }

    /**
     * One register tile of {@code width} vectors (4: 4 rows × 4 vectors; 2: 8 × 2; 1: 8 × 1) over the terms [lo, hi),
     * chains restarted at multiples of KC; A's rows and B's columns of the tile start at ao and bo (depth 0).
     */
    private static void tile(int width, int lo, int hi, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int cAt, int ldc) {
        for (int pc = lo / KC * KC; pc < hi; pc += KC) {
            int from = Math.max(pc, lo), kc = Math.min(pc + KC, hi) - from, aAt = ao + from * acs, bAt = bo + from * brs;
            boolean first = pc == lo / KC * KC;
            if (width == 4) k4x4(kc, a, aAt, ars, acs, b, bAt, brs, c, cAt, ldc, first);
            else if (width == 2) k8x2(kc, a, aAt, ars, acs, b, bAt, brs, c, cAt, ldc, first);
            else k8x1(kc, a, aAt, ars, acs, b, bAt, brs, c, cAt, ldc, first);
        }
    }

    /**
     * {@link #LOWER} by 8-row tiles only as wide as the diagonal needs (whole vectors covering columns ≤ the tile's last
     * row, by 8 × 2 and 8 × 1 tiles), the vectors past it set to 0; then the rows left one vector at a time and the
     * columns past the last vector by the twin.
     */
    private static void lower(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int co, int ldc) {
        int vectors = n / L, i = 0;
        for (; i + 8 <= m; i += 8) {
            int cAt = co + i * ldc, need = Math.min(vectors, (i + 8 + L - 1) / L), v = 0;
            for (; v + 2 <= need; v += 2) tile(2, 0, k, a, ao + i * ars, ars, acs, b, bo + v * L, brs, c, cAt + v * L, ldc);
            if (v < need) tile(1, 0, k, a, ao + i * ars, ars, acs, b, bo + v * L, brs, c, cAt + v * L, ldc);
            if (need < vectors) for (int r = 0; r < 8; r++) java.util.Arrays.fill(c, cAt + r * ldc + need * L, cAt + r * ldc + vectors * L, 0f);
        }
        for (; i < m; i++) {
            for (int v = 0; v < vectors; v++) {
                int cAt = co + i * ldc + v * L;
                if (v * L > i || k == 0) {
                    java.util.Arrays.fill(c, cAt, cAt + L, 0f);
                    continue;
                }
                for (int pc = 0; pc < k; pc += KC) k1x1(Math.min(KC, k - pc), a, ao + i * ars + pc * acs, acs, b, bo + pc * brs + v * L, brs, c, cAt, pc == 0);
            }
        }
        if (vectors * L < n) scalar(m, n, k, a, ao, ars, acs, b, bo, brs, 1, c, co, ldc, vectors * L, LOWER);
    }

    /** One product with B's rows contiguous (column stride 1): whole vectors by register tiles, the rest by the twin. */
    private static void product(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int co, int ldc,
                                int structure) {
        if (structure == LOWER && k > 0) {
            lower(m, n, k, a, ao, ars, acs, b, bo, brs, c, co, ldc);
            return;
        }
        int vectors = n / L, j = 0;
        while (vectors > 0) {
            int width = vectors >= 4 ? 4 : vectors >= 2 ? 2 : 1, rows = width == 4 ? 4 : 8;
            int i = 0;
            for (; i + rows <= m; i += rows) {
                int cAt = co + i * ldc + j;
                if (structure == LOWER && j > i + rows - 1) { // the whole tile lies past the diagonal
                    for (int r = 0; r < rows; r++) java.util.Arrays.fill(c, cAt + r * ldc, cAt + r * ldc + width * L, 0f);
                    continue;
                }
                int lo = structure == DEPTH_FROM_ROW ? Math.min(i, k) : 0, hi = structure == DEPTH_TO_ROW ? Math.min(k, i + rows) : k;
                if (lo >= hi) {
                    for (int r = 0; r < rows; r++) java.util.Arrays.fill(c, cAt + r * ldc, cAt + r * ldc + width * L, 0f);
                    continue;
                }
                tile(width, lo, hi, a, ao + i * ars, ars, acs, b, bo + j, brs, c, cAt, ldc);
            }
            for (; i < m; i++) {
                int lo = structure == DEPTH_FROM_ROW ? Math.min(i, k) : 0, hi = structure == DEPTH_TO_ROW ? Math.min(k, i + 1) : k;
                for (int v = 0; v < width; v++) {
                    int cAt = co + i * ldc + j + v * L;
                    if ((structure == LOWER && j + v * L > i) || lo >= hi) {
                        java.util.Arrays.fill(c, cAt, cAt + L, 0f);
                        continue;
                    }
                    for (int pc = lo / KC * KC; pc < hi; pc += KC) {
                        int from = Math.max(pc, lo), kc = Math.min(pc + KC, hi) - from;
                        k1x1(kc, a, ao + i * ars + from * acs, acs, b, bo + from * brs + j + v * L, brs, c, cAt, pc == lo / KC * KC);
                    }
                }
            }
            j += width * L;
            vectors -= width;
        }
        if (j < n) scalar(m, n, k, a, ao, ars, acs, b, bo, brs, 1, c, co, ldc, j, structure);
    }

    private static void k1x1(int kc, float[] a, int ao, int acs, float[] b, int bo, int brs, float[] c, int co, boolean first) {
        FloatVector c0 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) c0 = FloatVector.broadcast(S, a[ao + p * acs]).fma(FloatVector.fromArray(S, b, bo + p * brs), c0);
        if (!first) c0 = c0.add(FloatVector.fromArray(S, c, co));
        c0.intoArray(c, co);
    }

    private static void k4x4(int kc, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        int r0 = ao, r1 = ao + ars, r2 = ao + 2 * ars, r3 = ao + 3 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bo + p * brs, pa = p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector b2 = FloatVector.fromArray(S, b, pb + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, pb + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + pa]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + pa]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + pa]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc;
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0));
            c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c02 = c02.add(FloatVector.fromArray(S, c, o0 + 2 * L));
            c03 = c03.add(FloatVector.fromArray(S, c, o0 + 3 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1));
            c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c12 = c12.add(FloatVector.fromArray(S, c, o1 + 2 * L));
            c13 = c13.add(FloatVector.fromArray(S, c, o1 + 3 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2));
            c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c22 = c22.add(FloatVector.fromArray(S, c, o2 + 2 * L));
            c23 = c23.add(FloatVector.fromArray(S, c, o2 + 3 * L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3));
            c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c32 = c32.add(FloatVector.fromArray(S, c, o3 + 2 * L));
            c33 = c33.add(FloatVector.fromArray(S, c, o3 + 3 * L));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c02.intoArray(c, o0 + 2 * L);
        c03.intoArray(c, o0 + 3 * L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c12.intoArray(c, o1 + 2 * L);
        c13.intoArray(c, o1 + 3 * L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c22.intoArray(c, o2 + 2 * L);
        c23.intoArray(c, o2 + 3 * L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c32.intoArray(c, o3 + 2 * L);
        c33.intoArray(c, o3 + 3 * L);
    }

    private static void k8x2(int kc, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int r0 = ao, r1 = ao + ars, r2 = ao + 2 * ars, r3 = ao + 3 * ars, r4 = ao + 4 * ars, r5 = ao + 5 * ars, r6 = ao + 6 * ars, r7 = ao + 7 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bo + p * brs, pa = p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + pa]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + pa]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + pa]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + pa]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + pa]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[r6 + pa]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[r7 + pa]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc, o4 = co + 4 * ldc, o5 = co + 5 * ldc, o6 = co + 6 * ldc, o7 = co + 7 * ldc;
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0));
            c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1));
            c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2));
            c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3));
            c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, o4));
            c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, o5));
            c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
            c60 = c60.add(FloatVector.fromArray(S, c, o6));
            c61 = c61.add(FloatVector.fromArray(S, c, o6 + L));
            c70 = c70.add(FloatVector.fromArray(S, c, o7));
            c71 = c71.add(FloatVector.fromArray(S, c, o7 + L));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + L);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + L);
        c60.intoArray(c, o6);
        c61.intoArray(c, o6 + L);
        c70.intoArray(c, o7);
        c71.intoArray(c, o7 + L);
    }

    private static void k8x1(int kc, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, float[] c, int co, int ldc, boolean first) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        int r0 = ao, r1 = ao + ars, r2 = ao + 2 * ars, r3 = ao + 3 * ars, r4 = ao + 4 * ars, r5 = ao + 5 * ars, r6 = ao + 6 * ars, r7 = ao + 7 * ars;
        for (int p = 0; p < kc; p++) {
            int pa = p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bo + p * brs);
            c0 = FloatVector.broadcast(S, a[r0 + pa]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[r1 + pa]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[r2 + pa]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[r3 + pa]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[r4 + pa]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[r5 + pa]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[r6 + pa]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[r7 + pa]).fma(b0, c7);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc, o4 = co + 4 * ldc, o5 = co + 5 * ldc, o6 = co + 6 * ldc, o7 = co + 7 * ldc;
        if (!first) {
            c0 = c0.add(FloatVector.fromArray(S, c, o0));
            c1 = c1.add(FloatVector.fromArray(S, c, o1));
            c2 = c2.add(FloatVector.fromArray(S, c, o2));
            c3 = c3.add(FloatVector.fromArray(S, c, o3));
            c4 = c4.add(FloatVector.fromArray(S, c, o4));
            c5 = c5.add(FloatVector.fromArray(S, c, o5));
            c6 = c6.add(FloatVector.fromArray(S, c, o6));
            c7 = c7.add(FloatVector.fromArray(S, c, o7));
        }
        c0.intoArray(c, o0);
        c1.intoArray(c, o1);
        c2.intoArray(c, o2);
        c3.intoArray(c, o3);
        c4.intoArray(c, o4);
        c5.intoArray(c, o5);
        c6.intoArray(c, o6);
        c7.intoArray(c, o7);
    }
}
