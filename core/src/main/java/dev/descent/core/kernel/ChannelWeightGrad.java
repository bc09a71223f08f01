package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of an {@link ImplicitConv} convolution with the output channels across the vector lanes, for images
 * of few pixels (8×8 and 16×16 at 512 bits, 8×8 at 256): dWᵀ[r, o] = Σ_n Σ_p patches[n, r, p] · dy[n, o, p] as a GEMM
 * whose depth is the pixels of a chunk of images, image after image. A tile holds 6 patch rows × 4 vectors of output
 * channels (24 accumulators, as {@link Gemm}'s): per pixel it broadcasts the 6 patch values, read in place from the
 * image's copy that the forward reads ({@link ImplicitConv#padImage}), and loads 4 vectors of a transposed copy of dy.
 *
 * <p>Why: {@link ImplicitConv#weightGrad}'s own tiles sum each weight in L lanes (pixels p ≡ l mod L) and add the lanes
 * at the end. With 64 output channels and 576 patch rows that is a partial sum of 64·576·L floats per chunk of images —
 * 2.4 MB at 512 bits, more than L2 — loaded and stored again by every group of images, and then 4.7 M scalar additions
 * for the lanes. Here a chunk's partial is dWᵀ itself (147 KB), each tile's sums stay in registers across a group's
 * pixels, and the chunks' partials are added a vector at a time. 1 thread, 512 bits, JVMs alternating, ms: 64→64 @8×8
 * 8.1–8.6 → 4.3–4.6 (70 → 140 GFLOP/s; its forward: 160–175), 32→32 @16×16 5.8–5.9 → 5.0, stride-2 32→64 @16×16 4.1–4.7
 * → 3.0, 32→64 @16×16 8.9–14.5 (two speeds from JVM to JVM) → 8.4–8.9; 256 bits: 64→64 @8×8 7.0–7.1 → 6.5–6.7.
 *
 * <p>Order: each element of a chunk's partial is one fused multiply-add chain over the chunk's images in order and each
 * image's pixels in order, from 0; dW is the first chunk's partial plus the others, in chunk order. Chunks are fixed
 * ({@link ImplicitConv#CHUNK} images), so the bits depend on neither the thread count nor {@link #GROUP}. The shapes of
 * the papers' reproductions (Fashion-MNIST's 28×28 and 14×14) stay with {@link ImplicitConv}'s tiles and their bits.
 */
final class ChannelWeightGrad {
    private ChannelWeightGrad() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final VectorSpecies<Integer> I = Vectors.I;
    private static final int L = S.length();
    /** Patch rows of the tile. */
    static final int ROWS = 6;
    /**
     * Images a tile runs over between a load and a store of its partial sums: 2 (their transposed dy, 32 KB for 8×8 at
     * 512 bits, stays in L1 while the 96 tiles of 64→64 read it). 4 and 8 measured the same.
     */
    static final int GROUP = 2;
    /**
     * Most pixel vectors an image in the padded (not row-shifted) copy: 16×16 at 512 bits, 8×8 at 256. The row-shifted
     * copy keeps {@link ImplicitConv#SHORT_IMAGE}, so that Fashion-MNIST's 14×14 (13 vectors at 512 bits) keeps its bits.
     */
    static final int MAX_VECTORS = 16;

    /**
     * Whether {@link ImplicitConv#weightGrad} runs here: 32 vector registers on every CPU of this width
     * ({@link Gemm#REGISTERS_FIXED_BY_WIDTH}: its sums are in another order than ImplicitConv's tiles, so at 256 bits an
     * AVX-512 CPU taking it would give other bits than an AVX2 one), at most {@link #MAX_VECTORS} pixel vectors an image
     * ({@link ImplicitConv#SHORT_IMAGE} in the row-shifted copy), and output channels that fill at least three quarters
     * of their blocks ({@link #blockVectors}).
     */
    static boolean applies(Geometry q) {
        return Gemm.REGISTERS_FIXED_BY_WIDTH && fits(q);
    }

    /**
     * The shape half of {@link #applies}: what {@link #weightGrad} needs of a convolution that {@link ImplicitConv}'s
     * weight gradient takes, whatever the registers (the tests run it so at 256 bits on x86, where it is not chosen).
     */
    static boolean fits(Geometry q) {
        int vectors = ImplicitConv.vectors(q.pixels());
        return vectors <= (ImplicitConv.rowShifted(q) ? ImplicitConv.SHORT_IMAGE : MAX_VECTORS) && blockVectors(q.o()) > 0;
    }

    /**
     * Vectors of output channels per tile for O channels: 4, or 2 (32 channels at 512 bits), whichever fills at least
     * three quarters of its blocks; 0 when neither does.
     */
    static int blockVectors(int o) {
        for (int nv = 4; nv >= 2; nv -= 2) {
            int block = nv * L, o3 = (o + block - 1) / block * block;
            if (3 * o3 <= 4 * o) return nv;
        }
        return 0;
    }

    /** dw [O, C, kh, kw] = Σ_n dy[n] · patches(x[n])ᵀ, in the order of the class comment; dw is fully overwritten. */
    static void weightGrad(Geometry q, float[] x, int xo, float[] dy, int go, float[] dw) {
        int o = q.o(), rows = q.rows(), pixels = q.pixels();
        int nv = blockVectors(o), block = nv * L;
        int o3 = (o + block - 1) / block * block, r3 = (rows + ROWS - 1) / ROWS * ROWS, blocks = o3 / block;
        int chunks = (q.n() + ImplicitConv.CHUNK - 1) / ImplicitConv.CHUNK, size = r3 * o3;
        int[] offs = ImplicitConv.offsets(q, ImplicitConv.planeH(q), ImplicitConv.planeW(q));
        boolean triples = triples(offs);
        int padded = ImplicitConv.paddedSize(q), xImage = q.c() * q.h() * q.w(), yImage = o * pixels;
        // The calling thread's buffer: every tile of every chunk is written (its first group from zero) before it is read.
        float[] partials = ImplicitConv.SCRATCH.get().partials(chunks * size);
        boolean ahead = Prefetch.worth((long) q.n() * xImage * Float.BYTES);
        Vectors.count();
        Parallel.forRange(chunks, 1, (from, to) -> {
            ImplicitConv.Scratch s = ImplicitConv.SCRATCH.get();
            float[] xp = s.padded(GROUP * padded);
            float[] gp = s.dyPanel(blocks * GROUP * pixels * block);
            // Where pixel t of the group's images sits in their copies (its patch row's offset added): pixel p = oh·wo + ow of
            // image k at k·padded + p in the row-shifted copy, k·padded + oh·wq + ow in the padded one.
            int[] posT = new int[GROUP * pixels];
            boolean shifted = ImplicitConv.rowShifted(q);
            int wq = ImplicitConv.planeW(q), wo = q.wo();
            for (int t = 0; t < posT.length; t++) {
                int p = t % pixels;
                posT[t] = (t / pixels) * padded + (shifted ? p : p / wo * wq + p % wo);
            }
            for (int ch = from; ch < to; ch++) {
                int chunkEnd = Math.min(q.n(), (ch + 1) * ImplicitConv.CHUNK);
                for (int first = ch * ImplicitConv.CHUNK; first < chunkEnd; first += GROUP) {
                    int images = Math.min(GROUP, chunkEnd - first);
                    if (ahead) {
                        Prefetch.lines(x, xo + first * xImage, images * xImage);
                        Prefetch.lines(dy, go + first * yImage, images * yImage);
                    }
                    for (int k = 0; k < images; k++) ImplicitConv.padImage(q, x, xo + (first + k) * xImage, xp, k * padded);
                    transposeDy(dy, go + first * yImage, o, o3, block, pixels, images, gp);
                    boolean accumulate = first > ch * ImplicitConv.CHUNK;
                    for (int b = 0; b < blocks; b++) {
                        int g = b * GROUP * pixels * block, steps = images * pixels;
                        // Padding rows past R re-read row R−1; their sums are never read.
                        for (int rb = 0; rb < r3; rb += ROWS) {
                            int co = ch * size + rb * o3 + b * block;
                            if (triples && nv == 2) {
                                // A padding half re-reads the last triple.
                                int y0 = offs[rb], y1 = offs[Math.min(rb + 3, rows - 3)];
                                kernel6x2Triples(steps, posT, xp, y0, y1, gp, g, partials, co, o3, accumulate);
                                continue;
                            }
                            int x0 = offs[Math.min(rb, rows - 1)], x1 = offs[Math.min(rb + 1, rows - 1)], x2 = offs[Math.min(rb + 2, rows - 1)];
                            int x3 = offs[Math.min(rb + 3, rows - 1)], x4 = offs[Math.min(rb + 4, rows - 1)], x5 = offs[Math.min(rb + 5, rows - 1)];
                            if (nv == 4) kernel6x4(steps, posT, xp, x0, x1, x2, x3, x4, x5, gp, g, partials, co, o3, accumulate);
                            else kernel6x2(steps, posT, xp, x0, x1, x2, x3, x4, x5, gp, g, partials, co, o3, accumulate);
                        }
                    }
                }
            }
        });
        // dw[o, r] = partial_0[r, o] + partial_1[r, o] + ..., chunk by chunk, a vector of channels at a time.
        int grain = (int) Math.max(1, 100_000L / ((long) chunks * o3));
        Parallel.forRange(rows, grain, (from, to) -> {
            float[] row = new float[o3];
            for (int r = from; r < to; r++) {
                for (int j = 0; j < o3; j += L) {
                    FloatVector sum = FloatVector.fromArray(S, partials, r * o3 + j);
                    for (int ch = 1; ch < chunks; ch++) sum = sum.add(FloatVector.fromArray(S, partials, ch * size + r * o3 + j));
                    sum.intoArray(row, j);
                }
                for (int oc = 0; oc < o; oc++) dw[oc * rows + r] = row[oc];
            }
        });
    }

    /**
     * Whether the patch rows come in triples of consecutive floats, offs[3k + e] = offs[3k] + e (3-wide kernels on the
     * padded copy at column stride 1), for {@link #kernel6x2Triples}: 32→32 @16×16's tile 13–25% faster in a loop on its
     * own data (193–215 against 170–173 GFLOP/s, 1 thread, 512 bits, pinned); its weight gradient 3.83–3.89 → 3.33–3.38 ms.
     */
    private static boolean triples(int[] offs) {
        if (offs.length % 3 != 0) return false;
        for (int r = 0; r < offs.length; r++) if (offs[r] != offs[r - r % 3] + r % 3) return false;
        return true;
    }

    /**
     * dy of {@code images} images from dyImage, transposed per block of output channels: gp[((b·GROUP + n)·P + p)·block + j]
     * = dy[n, b·block + j, p], 0 for channels past O. L channels × L pixels at a time in registers when L is 8 or 16 and the
     * pixels are whole vectors, the rest float by float. (A gather of L channels a vector was twice as slow as float by
     * float: 0.62 against 0.33 ms for 128 images of 64→64 @8×8 at 512 bits. Float by float, 128 images of 32 × 16×16 took
     * 0.52–0.56 ms, or 1.3–1.5 in some JVMs, its strided stores depending on where the arrays lie; in registers 0.12–0.31.
     * A transposition through a buffer in memory instead of registers: 0.44–0.57.)
     */
    private static void transposeDy(float[] dy, int dyImage, int o, int o3, int block, int pixels, int images, float[] gp) {
        int whole = (L == 16 || L == 8) && pixels % L == 0 ? o / L * L : 0;
        for (int n = 0; n < images; n++) {
            for (int oc = 0; oc < whole; oc += L) {
                int src = dyImage + (n * o + oc) * pixels, dst = ((oc / block * GROUP + n) * pixels) * block + oc % block;
                if (L == 16) transpose16(dy, src, pixels, pixels / L, gp, dst, block);
                else transpose8(dy, src, pixels, pixels / L, gp, dst, block);
            }
            for (int oc = whole; oc < o3; oc++) {
                int b = oc / block, dst = ((b * GROUP + n) * pixels) * block + oc % block;
                if (oc < o) {
                    int src = dyImage + (n * o + oc) * pixels;
                    for (int p = 0; p < pixels; p++) gp[dst + p * block] = dy[src + p];
                } else {
                    for (int p = 0; p < pixels; p++) gp[dst + p * block] = 0f;
                }
            }
        }
    }

    /**
     * dst[d + t·block + i] = src[so + i·stride + t] for i, t in [0, L), over {@code count} blocks of L columns (so advancing
     * by L, d by L·block): {@link #transpose16} or {@link #transpose8}; L must be 16 or 8.
     */
    static void transposeBlocks(float[] src, int so, int stride, int count, float[] dst, int d, int block) {
        if (L == 16) transpose16(src, so, stride, count, dst, d, block);
        else transpose8(src, so, stride, count, dst, d, block);
    }

    /**
     * Lane tables of {@link #transpose16} and {@link #transpose8}: round s swaps the lane blocks of d = L / 2^(s+1) between
     * rows i and i + d (i with bit d clear), so that after the last round row i holds column i. At 2s·L, for row i's new
     * lanes: its own lane l where l has bit d clear, else lane l − d of row i + d (index L + l − d of the pair); at
     * (2s+1)·L, for row i + d's: lane l + d of row i where l has bit d clear, else its own lane l (index L + l).
     */
    private static final int[] SWAPS = swaps();

    private static int[] swaps() {
        int rounds = Integer.numberOfTrailingZeros(L);
        int[] t = new int[2 * rounds * L];
        for (int s = 0; s < rounds; s++) {
            int d = L >> (s + 1);
            for (int l = 0; l < L; l++) {
                t[2 * s * L + l] = (l & d) == 0 ? l : L + l - d;
                t[(2 * s + 1) * L + l] = (l & d) == 0 ? l + d : L + l;
            }
        }
        return t;
    }

    /**
     * gp[dst + t·block + i] = dy[src + i·pixels + t] for i, t in [0, 16), for {@code count} blocks of 16 pixels (src
     * advancing by 16, dst by 16·block): a 16 × 16 transposition in registers, 4 rounds that swap lane blocks of 8, 4, 2
     * and 1 between pairs of rows ({@link #SWAPS}). Flat so that the 16 rows stay in registers.
     */
    private static void transpose16(float[] dy, int src, int pixels, int count, float[] gp, int dst, int block) {
        IntVector lo0 = IntVector.fromArray(I, SWAPS, 0 * L), hi0 = IntVector.fromArray(I, SWAPS, 1 * L);
        IntVector lo1 = IntVector.fromArray(I, SWAPS, 2 * L), hi1 = IntVector.fromArray(I, SWAPS, 3 * L);
        IntVector lo2 = IntVector.fromArray(I, SWAPS, 4 * L), hi2 = IntVector.fromArray(I, SWAPS, 5 * L);
        IntVector lo3 = IntVector.fromArray(I, SWAPS, 6 * L), hi3 = IntVector.fromArray(I, SWAPS, 7 * L);
        for (int k = 0; k < count; k++, src += L, dst += L * block) {
            IntVector r0 = FloatVector.fromArray(S, dy, src + 0 * pixels).reinterpretAsInts();
            IntVector r1 = FloatVector.fromArray(S, dy, src + 1 * pixels).reinterpretAsInts();
            IntVector r2 = FloatVector.fromArray(S, dy, src + 2 * pixels).reinterpretAsInts();
            IntVector r3 = FloatVector.fromArray(S, dy, src + 3 * pixels).reinterpretAsInts();
            IntVector r4 = FloatVector.fromArray(S, dy, src + 4 * pixels).reinterpretAsInts();
            IntVector r5 = FloatVector.fromArray(S, dy, src + 5 * pixels).reinterpretAsInts();
            IntVector r6 = FloatVector.fromArray(S, dy, src + 6 * pixels).reinterpretAsInts();
            IntVector r7 = FloatVector.fromArray(S, dy, src + 7 * pixels).reinterpretAsInts();
            IntVector r8 = FloatVector.fromArray(S, dy, src + 8 * pixels).reinterpretAsInts();
            IntVector r9 = FloatVector.fromArray(S, dy, src + 9 * pixels).reinterpretAsInts();
            IntVector r10 = FloatVector.fromArray(S, dy, src + 10 * pixels).reinterpretAsInts();
            IntVector r11 = FloatVector.fromArray(S, dy, src + 11 * pixels).reinterpretAsInts();
            IntVector r12 = FloatVector.fromArray(S, dy, src + 12 * pixels).reinterpretAsInts();
            IntVector r13 = FloatVector.fromArray(S, dy, src + 13 * pixels).reinterpretAsInts();
            IntVector r14 = FloatVector.fromArray(S, dy, src + 14 * pixels).reinterpretAsInts();
            IntVector r15 = FloatVector.fromArray(S, dy, src + 15 * pixels).reinterpretAsInts();
            IntVector s0_0 = lo0.selectFrom(r0, r8), s0_8 = hi0.selectFrom(r0, r8);
            IntVector s0_1 = lo0.selectFrom(r1, r9), s0_9 = hi0.selectFrom(r1, r9);
            IntVector s0_2 = lo0.selectFrom(r2, r10), s0_10 = hi0.selectFrom(r2, r10);
            IntVector s0_3 = lo0.selectFrom(r3, r11), s0_11 = hi0.selectFrom(r3, r11);
            IntVector s0_4 = lo0.selectFrom(r4, r12), s0_12 = hi0.selectFrom(r4, r12);
            IntVector s0_5 = lo0.selectFrom(r5, r13), s0_13 = hi0.selectFrom(r5, r13);
            IntVector s0_6 = lo0.selectFrom(r6, r14), s0_14 = hi0.selectFrom(r6, r14);
            IntVector s0_7 = lo0.selectFrom(r7, r15), s0_15 = hi0.selectFrom(r7, r15);
            IntVector s1_0 = lo1.selectFrom(s0_0, s0_4), s1_4 = hi1.selectFrom(s0_0, s0_4);
            IntVector s1_1 = lo1.selectFrom(s0_1, s0_5), s1_5 = hi1.selectFrom(s0_1, s0_5);
            IntVector s1_2 = lo1.selectFrom(s0_2, s0_6), s1_6 = hi1.selectFrom(s0_2, s0_6);
            IntVector s1_3 = lo1.selectFrom(s0_3, s0_7), s1_7 = hi1.selectFrom(s0_3, s0_7);
            IntVector s1_8 = lo1.selectFrom(s0_8, s0_12), s1_12 = hi1.selectFrom(s0_8, s0_12);
            IntVector s1_9 = lo1.selectFrom(s0_9, s0_13), s1_13 = hi1.selectFrom(s0_9, s0_13);
            IntVector s1_10 = lo1.selectFrom(s0_10, s0_14), s1_14 = hi1.selectFrom(s0_10, s0_14);
            IntVector s1_11 = lo1.selectFrom(s0_11, s0_15), s1_15 = hi1.selectFrom(s0_11, s0_15);
            IntVector s2_0 = lo2.selectFrom(s1_0, s1_2), s2_2 = hi2.selectFrom(s1_0, s1_2);
            IntVector s2_1 = lo2.selectFrom(s1_1, s1_3), s2_3 = hi2.selectFrom(s1_1, s1_3);
            IntVector s2_4 = lo2.selectFrom(s1_4, s1_6), s2_6 = hi2.selectFrom(s1_4, s1_6);
            IntVector s2_5 = lo2.selectFrom(s1_5, s1_7), s2_7 = hi2.selectFrom(s1_5, s1_7);
            IntVector s2_8 = lo2.selectFrom(s1_8, s1_10), s2_10 = hi2.selectFrom(s1_8, s1_10);
            IntVector s2_9 = lo2.selectFrom(s1_9, s1_11), s2_11 = hi2.selectFrom(s1_9, s1_11);
            IntVector s2_12 = lo2.selectFrom(s1_12, s1_14), s2_14 = hi2.selectFrom(s1_12, s1_14);
            IntVector s2_13 = lo2.selectFrom(s1_13, s1_15), s2_15 = hi2.selectFrom(s1_13, s1_15);
            IntVector s3_0 = lo3.selectFrom(s2_0, s2_1), s3_1 = hi3.selectFrom(s2_0, s2_1);
            IntVector s3_2 = lo3.selectFrom(s2_2, s2_3), s3_3 = hi3.selectFrom(s2_2, s2_3);
            IntVector s3_4 = lo3.selectFrom(s2_4, s2_5), s3_5 = hi3.selectFrom(s2_4, s2_5);
            IntVector s3_6 = lo3.selectFrom(s2_6, s2_7), s3_7 = hi3.selectFrom(s2_6, s2_7);
            IntVector s3_8 = lo3.selectFrom(s2_8, s2_9), s3_9 = hi3.selectFrom(s2_8, s2_9);
            IntVector s3_10 = lo3.selectFrom(s2_10, s2_11), s3_11 = hi3.selectFrom(s2_10, s2_11);
            IntVector s3_12 = lo3.selectFrom(s2_12, s2_13), s3_13 = hi3.selectFrom(s2_12, s2_13);
            IntVector s3_14 = lo3.selectFrom(s2_14, s2_15), s3_15 = hi3.selectFrom(s2_14, s2_15);
            s3_0.reinterpretAsFloats().intoArray(gp, dst + 0 * block);
            s3_1.reinterpretAsFloats().intoArray(gp, dst + 1 * block);
            s3_2.reinterpretAsFloats().intoArray(gp, dst + 2 * block);
            s3_3.reinterpretAsFloats().intoArray(gp, dst + 3 * block);
            s3_4.reinterpretAsFloats().intoArray(gp, dst + 4 * block);
            s3_5.reinterpretAsFloats().intoArray(gp, dst + 5 * block);
            s3_6.reinterpretAsFloats().intoArray(gp, dst + 6 * block);
            s3_7.reinterpretAsFloats().intoArray(gp, dst + 7 * block);
            s3_8.reinterpretAsFloats().intoArray(gp, dst + 8 * block);
            s3_9.reinterpretAsFloats().intoArray(gp, dst + 9 * block);
            s3_10.reinterpretAsFloats().intoArray(gp, dst + 10 * block);
            s3_11.reinterpretAsFloats().intoArray(gp, dst + 11 * block);
            s3_12.reinterpretAsFloats().intoArray(gp, dst + 12 * block);
            s3_13.reinterpretAsFloats().intoArray(gp, dst + 13 * block);
            s3_14.reinterpretAsFloats().intoArray(gp, dst + 14 * block);
            s3_15.reinterpretAsFloats().intoArray(gp, dst + 15 * block);
        }
    }

    /**
     * {@link #transpose16} for 8 lanes: 8 × 8 blocks, 3 rounds (lane blocks of 4, 2 and 1).
     */
    private static void transpose8(float[] dy, int src, int pixels, int count, float[] gp, int dst, int block) {
        IntVector lo0 = IntVector.fromArray(I, SWAPS, 0 * L), hi0 = IntVector.fromArray(I, SWAPS, 1 * L);
        IntVector lo1 = IntVector.fromArray(I, SWAPS, 2 * L), hi1 = IntVector.fromArray(I, SWAPS, 3 * L);
        IntVector lo2 = IntVector.fromArray(I, SWAPS, 4 * L), hi2 = IntVector.fromArray(I, SWAPS, 5 * L);
        for (int k = 0; k < count; k++, src += L, dst += L * block) {
            IntVector r0 = FloatVector.fromArray(S, dy, src + 0 * pixels).reinterpretAsInts();
            IntVector r1 = FloatVector.fromArray(S, dy, src + 1 * pixels).reinterpretAsInts();
            IntVector r2 = FloatVector.fromArray(S, dy, src + 2 * pixels).reinterpretAsInts();
            IntVector r3 = FloatVector.fromArray(S, dy, src + 3 * pixels).reinterpretAsInts();
            IntVector r4 = FloatVector.fromArray(S, dy, src + 4 * pixels).reinterpretAsInts();
            IntVector r5 = FloatVector.fromArray(S, dy, src + 5 * pixels).reinterpretAsInts();
            IntVector r6 = FloatVector.fromArray(S, dy, src + 6 * pixels).reinterpretAsInts();
            IntVector r7 = FloatVector.fromArray(S, dy, src + 7 * pixels).reinterpretAsInts();
            IntVector s0_0 = lo0.selectFrom(r0, r4), s0_4 = hi0.selectFrom(r0, r4);
            IntVector s0_1 = lo0.selectFrom(r1, r5), s0_5 = hi0.selectFrom(r1, r5);
            IntVector s0_2 = lo0.selectFrom(r2, r6), s0_6 = hi0.selectFrom(r2, r6);
            IntVector s0_3 = lo0.selectFrom(r3, r7), s0_7 = hi0.selectFrom(r3, r7);
            IntVector s1_0 = lo1.selectFrom(s0_0, s0_2), s1_2 = hi1.selectFrom(s0_0, s0_2);
            IntVector s1_1 = lo1.selectFrom(s0_1, s0_3), s1_3 = hi1.selectFrom(s0_1, s0_3);
            IntVector s1_4 = lo1.selectFrom(s0_4, s0_6), s1_6 = hi1.selectFrom(s0_4, s0_6);
            IntVector s1_5 = lo1.selectFrom(s0_5, s0_7), s1_7 = hi1.selectFrom(s0_5, s0_7);
            IntVector s2_0 = lo2.selectFrom(s1_0, s1_1), s2_1 = hi2.selectFrom(s1_0, s1_1);
            IntVector s2_2 = lo2.selectFrom(s1_2, s1_3), s2_3 = hi2.selectFrom(s1_2, s1_3);
            IntVector s2_4 = lo2.selectFrom(s1_4, s1_5), s2_5 = hi2.selectFrom(s1_4, s1_5);
            IntVector s2_6 = lo2.selectFrom(s1_6, s1_7), s2_7 = hi2.selectFrom(s1_6, s1_7);
            s2_0.reinterpretAsFloats().intoArray(gp, dst + 0 * block);
            s2_1.reinterpretAsFloats().intoArray(gp, dst + 1 * block);
            s2_2.reinterpretAsFloats().intoArray(gp, dst + 2 * block);
            s2_3.reinterpretAsFloats().intoArray(gp, dst + 3 * block);
            s2_4.reinterpretAsFloats().intoArray(gp, dst + 4 * block);
            s2_5.reinterpretAsFloats().intoArray(gp, dst + 5 * block);
            s2_6.reinterpretAsFloats().intoArray(gp, dst + 6 * block);
            s2_7.reinterpretAsFloats().intoArray(gp, dst + 7 * block);
        }
    }

    /**
     * C[i, 0:4L] (+)= Σ_t patch(r_i, t) · gp[g + t·4L : + 4L] over the group's pixels t in order, patch(r_i, t) =
     * xp[x_i + posT[t]] (x_i the patch row's offset): one fused multiply-add chain per element. Flat on purpose (see
     * {@link Gemm}); a loop over images around a loop over pixels spilled accumulators to the stack.
     */
    private static void kernel6x4(int steps, int[] posT, float[] xp, int x0, int x1, int x2, int x3, int x4, int x5,
                                   float[] gp, int g, float[] c, int co, int ldc, boolean accumulate) {
        FloatVector c0_0, c0_1, c0_2, c0_3;
        FloatVector c1_0, c1_1, c1_2, c1_3;
        FloatVector c2_0, c2_1, c2_2, c2_3;
        FloatVector c3_0, c3_1, c3_2, c3_3;
        FloatVector c4_0, c4_1, c4_2, c4_3;
        FloatVector c5_0, c5_1, c5_2, c5_3;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldc + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldc + 1 * L);
            c0_2 = FloatVector.fromArray(S, c, co + 0 * ldc + 2 * L);
            c0_3 = FloatVector.fromArray(S, c, co + 0 * ldc + 3 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldc + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldc + 1 * L);
            c1_2 = FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L);
            c1_3 = FloatVector.fromArray(S, c, co + 1 * ldc + 3 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldc + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldc + 1 * L);
            c2_2 = FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L);
            c2_3 = FloatVector.fromArray(S, c, co + 2 * ldc + 3 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldc + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldc + 1 * L);
            c3_2 = FloatVector.fromArray(S, c, co + 3 * ldc + 2 * L);
            c3_3 = FloatVector.fromArray(S, c, co + 3 * ldc + 3 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldc + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldc + 1 * L);
            c4_2 = FloatVector.fromArray(S, c, co + 4 * ldc + 2 * L);
            c4_3 = FloatVector.fromArray(S, c, co + 4 * ldc + 3 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldc + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldc + 1 * L);
            c5_2 = FloatVector.fromArray(S, c, co + 5 * ldc + 2 * L);
            c5_3 = FloatVector.fromArray(S, c, co + 5 * ldc + 3 * L);
        } else {
            c0_0 = FloatVector.zero(S);
            c0_1 = c0_0;
            c0_2 = c0_0;
            c0_3 = c0_0;
            c1_0 = c0_0;
            c1_1 = c0_0;
            c1_2 = c0_0;
            c1_3 = c0_0;
            c2_0 = c0_0;
            c2_1 = c0_0;
            c2_2 = c0_0;
            c2_3 = c0_0;
            c3_0 = c0_0;
            c3_1 = c0_0;
            c3_2 = c0_0;
            c3_3 = c0_0;
            c4_0 = c0_0;
            c4_1 = c0_0;
            c4_2 = c0_0;
            c4_3 = c0_0;
            c5_0 = c0_0;
            c5_1 = c0_0;
            c5_2 = c0_0;
            c5_3 = c0_0;
        }
        for (int t = 0, q = g; t < steps; t++, q += 4 * L) {
            int pos = posT[t];
            FloatVector b0 = FloatVector.fromArray(S, gp, q + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, gp, q + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, gp, q + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, gp, q + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, xp[x0 + pos]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, xp[x1 + pos]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, xp[x2 + pos]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, xp[x3 + pos]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, xp[x4 + pos]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, xp[x5 + pos]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
        }
        c0_0.intoArray(c, co + 0 * ldc + 0 * L);
        c0_1.intoArray(c, co + 0 * ldc + 1 * L);
        c0_2.intoArray(c, co + 0 * ldc + 2 * L);
        c0_3.intoArray(c, co + 0 * ldc + 3 * L);
        c1_0.intoArray(c, co + 1 * ldc + 0 * L);
        c1_1.intoArray(c, co + 1 * ldc + 1 * L);
        c1_2.intoArray(c, co + 1 * ldc + 2 * L);
        c1_3.intoArray(c, co + 1 * ldc + 3 * L);
        c2_0.intoArray(c, co + 2 * ldc + 0 * L);
        c2_1.intoArray(c, co + 2 * ldc + 1 * L);
        c2_2.intoArray(c, co + 2 * ldc + 2 * L);
        c2_3.intoArray(c, co + 2 * ldc + 3 * L);
        c3_0.intoArray(c, co + 3 * ldc + 0 * L);
        c3_1.intoArray(c, co + 3 * ldc + 1 * L);
        c3_2.intoArray(c, co + 3 * ldc + 2 * L);
        c3_3.intoArray(c, co + 3 * ldc + 3 * L);
        c4_0.intoArray(c, co + 4 * ldc + 0 * L);
        c4_1.intoArray(c, co + 4 * ldc + 1 * L);
        c4_2.intoArray(c, co + 4 * ldc + 2 * L);
        c4_3.intoArray(c, co + 4 * ldc + 3 * L);
        c5_0.intoArray(c, co + 5 * ldc + 0 * L);
        c5_1.intoArray(c, co + 5 * ldc + 1 * L);
        c5_2.intoArray(c, co + 5 * ldc + 2 * L);
        c5_3.intoArray(c, co + 5 * ldc + 3 * L);
    }

    /** {@link #kernel6x4} for blocks of 2 vectors of output channels. */
    private static void kernel6x2(int steps, int[] posT, float[] xp, int x0, int x1, int x2, int x3, int x4, int x5,
                                   float[] gp, int g, float[] c, int co, int ldc, boolean accumulate) {
        FloatVector c0_0, c0_1;
        FloatVector c1_0, c1_1;
        FloatVector c2_0, c2_1;
        FloatVector c3_0, c3_1;
        FloatVector c4_0, c4_1;
        FloatVector c5_0, c5_1;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldc + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldc + 1 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldc + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldc + 1 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldc + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldc + 1 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldc + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldc + 1 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldc + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldc + 1 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldc + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldc + 1 * L);
        } else {
            c0_0 = FloatVector.zero(S);
            c0_1 = c0_0;
            c1_0 = c0_0;
            c1_1 = c0_0;
            c2_0 = c0_0;
            c2_1 = c0_0;
            c3_0 = c0_0;
            c3_1 = c0_0;
            c4_0 = c0_0;
            c4_1 = c0_0;
            c5_0 = c0_0;
            c5_1 = c0_0;
        }
        for (int t = 0, q = g; t < steps; t++, q += 2 * L) {
            int pos = posT[t];
            FloatVector b0 = FloatVector.fromArray(S, gp, q + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, gp, q + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, xp[x0 + pos]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, xp[x1 + pos]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, xp[x2 + pos]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, xp[x3 + pos]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, xp[x4 + pos]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, xp[x5 + pos]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        c0_0.intoArray(c, co + 0 * ldc + 0 * L);
        c0_1.intoArray(c, co + 0 * ldc + 1 * L);
        c1_0.intoArray(c, co + 1 * ldc + 0 * L);
        c1_1.intoArray(c, co + 1 * ldc + 1 * L);
        c2_0.intoArray(c, co + 2 * ldc + 0 * L);
        c2_1.intoArray(c, co + 2 * ldc + 1 * L);
        c3_0.intoArray(c, co + 3 * ldc + 0 * L);
        c3_1.intoArray(c, co + 3 * ldc + 1 * L);
        c4_0.intoArray(c, co + 4 * ldc + 0 * L);
        c4_1.intoArray(c, co + 4 * ldc + 1 * L);
        c5_0.intoArray(c, co + 5 * ldc + 0 * L);
        c5_1.intoArray(c, co + 5 * ldc + 1 * L);
    }

    /**
     * {@link #kernel6x2} for patch rows in two triples of consecutive floats (offsets y0, y0 + 1, y0 + 2 and y1, y1 + 1,
     * y1 + 2: a 3-wide kernel on the padded copy at column stride 1): two offsets live instead of six (C2 kept four of
     * the six on the stack, reloading them every step), and constant displacements folded into the loads. The same sums
     * as {@link #kernel6x2}'s. (The same change to the 6 × 4 tile measured within the noise: 32→64 @16×16 6.37–6.71
     * against 6.04–6.77 ms.)
     */
    private static void kernel6x2Triples(int steps, int[] posT, float[] xp, int y0, int y1, float[] gp, int g, float[] c, int co,
                                         int ldc, boolean accumulate) {
        FloatVector c0_0, c0_1;
        FloatVector c1_0, c1_1;
        FloatVector c2_0, c2_1;
        FloatVector c3_0, c3_1;
        FloatVector c4_0, c4_1;
        FloatVector c5_0, c5_1;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldc + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldc + 1 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldc + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldc + 1 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldc + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldc + 1 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldc + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldc + 1 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldc + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldc + 1 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldc + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldc + 1 * L);
        } else {
            c0_0 = FloatVector.zero(S);
            c0_1 = c0_0;
            c1_0 = c0_0;
            c1_1 = c0_0;
            c2_0 = c0_0;
            c2_1 = c0_0;
            c3_0 = c0_0;
            c3_1 = c0_0;
            c4_0 = c0_0;
            c4_1 = c0_0;
            c5_0 = c0_0;
            c5_1 = c0_0;
        }
        for (int t = 0, q = g; t < steps; t++, q += 2 * L) {
            int p0 = y0 + posT[t], p1 = y1 + posT[t];
            FloatVector b0 = FloatVector.fromArray(S, gp, q + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, gp, q + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, xp[p0]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, xp[p0 + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, xp[p0 + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, xp[p1]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, xp[p1 + 1]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, xp[p1 + 2]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        c0_0.intoArray(c, co + 0 * ldc + 0 * L);
        c0_1.intoArray(c, co + 0 * ldc + 1 * L);
        c1_0.intoArray(c, co + 1 * ldc + 0 * L);
        c1_1.intoArray(c, co + 1 * ldc + 1 * L);
        c2_0.intoArray(c, co + 2 * ldc + 0 * L);
        c2_1.intoArray(c, co + 2 * ldc + 1 * L);
        c3_0.intoArray(c, co + 3 * ldc + 0 * L);
        c3_1.intoArray(c, co + 3 * ldc + 1 * L);
        c4_0.intoArray(c, co + 4 * ldc + 0 * L);
        c4_1.intoArray(c, co + 4 * ldc + 1 * L);
        c5_0.intoArray(c, co + 5 * ldc + 0 * L);
        c5_1.intoArray(c, co + 5 * ldc + 1 * L);
    }
}
