package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import jdk.incubator.vector.FloatVector;
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
     * Whether {@link ImplicitConv#weightGrad} runs here: 32 vector registers, at most {@link #MAX_VECTORS} pixel vectors an
     * image ({@link ImplicitConv#SHORT_IMAGE} in the row-shifted copy), and output channels that fill at least three
     * quarters of their blocks ({@link #blockVectors}).
     */
    static boolean applies(Geometry q) {
        int vectors = ImplicitConv.vectors(q.pixels());
        return Gemm.MANY_REGISTERS && vectors <= (ImplicitConv.rowShifted(q) ? ImplicitConv.SHORT_IMAGE : MAX_VECTORS) && blockVectors(q.o()) > 0;
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
        int padded = ImplicitConv.paddedSize(q), xImage = q.c() * q.h() * q.w(), yImage = o * pixels;
        // The calling thread's buffer: every tile of every chunk is written (its first group from zero) before it is read.
        float[] partials = ImplicitConv.SCRATCH.get().partials(chunks * size);
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
                    for (int k = 0; k < images; k++) ImplicitConv.padImage(q, x, xo + (first + k) * xImage, xp, k * padded);
                    transposeDy(dy, go + first * yImage, o, o3, block, pixels, images, gp);
                    boolean accumulate = first > ch * ImplicitConv.CHUNK;
                    for (int b = 0; b < blocks; b++) {
                        int g = b * GROUP * pixels * block, steps = images * pixels;
                        // Padding rows past R re-read row R−1; their sums are never read.
                        for (int rb = 0; rb < r3; rb += ROWS) {
                            int x0 = offs[Math.min(rb, rows - 1)], x1 = offs[Math.min(rb + 1, rows - 1)], x2 = offs[Math.min(rb + 2, rows - 1)];
                            int x3 = offs[Math.min(rb + 3, rows - 1)], x4 = offs[Math.min(rb + 4, rows - 1)], x5 = offs[Math.min(rb + 5, rows - 1)];
                            int co = ch * size + rb * o3 + b * block;
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
     * dy of {@code images} images from dyImage, transposed per block of output channels: gp[((b·GROUP + n)·P + p)·block + j]
     * = dy[n, b·block + j, p], 0 for channels past O. (A gather of L channels a vector was twice as slow: 0.62 against
     * 0.33 ms for 128 images of 64→64 @8×8 at 512 bits.)
     */
    private static void transposeDy(float[] dy, int dyImage, int o, int o3, int block, int pixels, int images, float[] gp) {
        for (int n = 0; n < images; n++) {
            for (int oc = 0; oc < o3; oc++) {
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
}
