package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 convolution as an implicit GEMM: the patch matrix is never written. Each image is copied
 * once into a zero-padded buffer [C, H+2ph, W+2pw]; the patch value of row r = (c, i, j) at output
 * pixel (oh, ow) is then the padded image at {@code offs[r] + oh·Wp + ow}, so eight consecutive output
 * pixels of one row are eight consecutive floats of the buffer, one vector load. The micro-kernels
 * read the GEMM's B operand straight from that buffer (which stays in L1/L2) instead of from an
 * im2col copy that the GEMM would pack a second time.
 *
 * <p>Applies to no dilation, one group, and an output width that is a multiple of the vector length (so
 * that a vector never straddles two output rows) or else at least one vector of output pixels (read through a
 * row-shifted copy, {@code padRows}, in which a vector may span output rows: 8×8 in 16 lanes; when the pixels are
 * not whole vectors, 14×14 or 28×28 in 16 lanes, each plane of the copy ends in zeros that the lanes of an image's
 * partial last vector read past it: the forward drops those lanes, the weight gradient multiplies them by zeros of dy);
 * {@link dev.descent.core.ops.Convolution} falls back to im2col + GEMM otherwise, and for the scalar twin
 * ({@code -Ddescent.kernels=scalar}). At a stride above 1 the padded copy is split into its stride phases
 * ({@code padStrided}), on which a strided convolution reads consecutive floats for consecutive output
 * pixels like a stride-1 one. The layout decides only where a value is
 * read, never the order of a sum: every layout gives the same bits.
 *
 * <ul>
 *   <li>forward: y[n] = bias + W · patches(x[n]); 3 output channels × 3 vectors of pixels per tile with 16 vector
 *       registers, 4 × 4 with 32 (6 × 4 from 64 patch rows on), the accumulators starting at the bias (no separate
 *       bias pass);
 *   <li>input gradient: the same kernel on dy with the flipped, transposed weight and padding k−1−p
 *       (the transposed convolution of a stride-1 convolution is a convolution); at a larger stride one such
 *       convolution per stride phase of dx, with the taps of w that reach it ({@link #stridedInputGrad});
 *   <li>weight gradient: dW[o, r] = Σ_p dy[o, p] · patches[r, p] as lane-wise dot products, 3 output
 *       channels × 3 patch rows per tile (with 32 registers 8 × 3, 6 × 4 or 4 × 4, dy packed per channel panel), each lane
 *       summing the pixels p ≡ lane (mod L); lanes are added in a fixed order at the end (never with
 *       reduceLanes, whose rounding differs between interpreter and compiler). Images of few pixels (8×8 and 16×16 at
 *       512 bits) with enough output channels take {@code ChannelWeightGrad} instead: output channels across the lanes,
 *       no lanes to add.
 * </ul>
 *
 * <p>Determinism: forward and input gradient are one task per image. The weight gradient sums fixed
 * chunks of {@link #CHUNK} images, each into its own partial, and adds the partials in chunk order: the
 * result is the same on any thread count. The kernels are flat methods (see {@link Gemm}): a helper
 * taking or returning vectors that was not inlined would box them.
 */
public final class ImplicitConv {
    private ImplicitConv() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Forward tile: output channels × vectors of pixels (9 accumulators + 3 loads + 3 broadcasts ≤ 16 ymm). */
    private static final int MR = 3, NV = 3;
    /**
     * With 32 vector registers (AVX-512, at either width) the tiles are 4 × 4 (16 accumulators): per patch row the
     * forward tile loads 4 pixel vectors and 4 weights for 16 FMAs instead of 3 + 3 for 9. At 512 bits a vector is a
     * whole cache line, so nearly every load from a Java array straddles two lines and costs two loads: the 3 × 3
     * tiles were load-bound there. Used when the output has more than 3 channels (3 fit the 3 × 3 tile exactly).
     */
    private static final boolean WIDE = Gemm.MANY_REGISTERS;
    /** The wide tile: output channels × vectors of pixels (forward), output channels × patch rows (weight gradient). */
    private static final int MR4 = 4, NV4 = 4;
    /**
     * The forward's tall tile with 32 registers: 6 output channels × 4 pixel vectors (24 accumulators, as the GEMM's),
     * 15 load slots per 24 FMAs at 512 bits instead of 13 per 16. Taken when there are at least {@link #TALL_ROWS}
     * patch rows: 32→64 @16 forward 12.4 → 10.6 ms; with 27 rows (3 input channels) the 4 × 4 tile was faster, the
     * output's stores and the padding channels of 32 = 6·6 − 4 weighing more than the loads.
     */
    private static final int MR6 = 6;
    /** Least patch rows for the 6 × 4 forward tile. */
    private static final int TALL_ROWS = 64;
    /** Channels of the forward's 12 × 2 tile (see {@link #forward12}). */
    private static final int MR12 = 12;
    /** Images per partial sum of the weight gradient: fixed, so the order of the sum never follows the thread count. */
    public static final int CHUNK = 16;
    /** Images the weight-gradient tile runs over before its partial sums go back to memory; divides CHUNK. */
    private static final int GROUP = 4;
    /** Pixel vectors per image from which the weight gradient takes its images one at a time. */
    private static final int LONG_IMAGE = 64;
    /**
     * Pixel vectors per image up to which the weight gradient takes its images 2·GROUP at a time (a tile call then runs
     * 32 steps of 4-vector images instead of 16): 64→64 @8×8 at 512 bits 8.7–9.2 → 7.9–8.6 ms (GEMM: 9.3–9.4), stride-2
     * 32→64 @16×16 5.0–5.3 → 4.7 (GEMM: 4.9–5.4), 1 thread, CPU time, same runs, load ~9; at 256 bits 64→64 @8×8 (8
     * vectors) 7.8–8.0 → 7.1–7.3. Only where partial sums go to memory changes: each lane's sum keeps its order.
     */
    static final int SHORT_IMAGE = 8;

    /** Per-thread buffers of the convolutions ({@link ChannelWeightGrad} uses them too: one padded copy per thread, not two). */
    static final class Scratch {
        float[] padded = new float[0];
        float[] partials = new float[0];
        float[] stage = new float[0];
        float[] dyPanel = new float[0];
        final float[] tile = new float[2 * MR6 * NV4 * L];
        /** The lane tables of the last row-shifted copy made here ({@link #copyTables}), and what they depend on. */
        private CopyTables copyTables;
        private CopyKey copyKey;

        /**
         * The lane tables of {@link #padRowsSame} (halving false: its masks) or {@link #padRowsHalving} (true: its lane
         * indices and padding) for q: made once per layer and thread, not per image.
         */
        CopyTables copyTables(Geometry q, boolean halving) {
            CopyKey key = new CopyKey(halving, q.h(), q.w(), q.ph(), q.pw(), q.kw());
            if (!key.equals(copyKey)) {
                copyTables = halving ? halvingTables(q) : new CopyTables(null, sameRowsMasks(q));
                copyKey = key;
            }
            return copyTables;
        }

        float[] padded(int size) {
            if (padded.length < size) padded = new float[size];
            return padded;
        }

        float[] dyPanel(int size) {
            if (dyPanel.length < size) dyPanel = new float[size];
            return dyPanel;
        }

        float[] stage(int size) {
            if (stage.length < size) stage = new float[size];
            return stage;
        }

        float[] partials(int size) {
            if (partials.length < size) partials = new float[size];
            return partials;
        }
    }

    /** What a row-shifted copy's lane tables depend on (see {@link Scratch#copyTables}). */
    private record CopyKey(boolean halving, int h, int w, int ph, int pw, int kw) {}

    /** A row-shifted copy's lane tables: lane indices (null for {@link #padRowsSame}) and lane masks. */
    record CopyTables(float[] index, boolean[] masks) {}

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Whether forward and weight gradient of this float32 convolution can run here: no dilation, one group, and output rows
     * of whole vectors or else at least one vector of output pixels (read through the row-shifted copy, in which a vector
     * spans output rows; the last vector of an image is partial when its pixels are not whole vectors: 14×14 = 12¼ vectors
     * of 16, Fashion-MNIST's second layer). Smaller outputs stay with im2col + GEMM.
     */
    public static boolean applies(Geometry q) {
        return Vectors.ENABLED && q.dh() == 1 && q.dw() == 1 && q.groups() == 1 && (q.wo() % L == 0 || q.pixels() >= L);
    }

    /**
     * Whether the weight gradient should run here rather than through im2col + GEMM: always for a stride-1 convolution
     * whose output rows are whole vectors (as before strided and row-spanning layouts existed), otherwise from 4 pixel
     * vectors an image ({@code MIN_VECTORS}). With the flat-loop tiles and groups of 8 short images it measured as fast
     * as the GEMM or faster (512 bits, CPU time, same runs, load ~9: 64→64 @8×8 7.9–8.6 against 9.3–9.4 ms, stride-2
     * 32→64 @16×16 4.7 against 4.9–5.4, stride-2 16→32 @32×32 6.4 against 9.1; at 256 bits stride-2 32→64 4.6–4.8
     * against 4.5–4.6); before them, with 4 vectors it was 10–30% slower.
     *
     * @param q the convolution
     * @return whether {@link #weightGrad} applies and is the faster path (with 16 registers only for whole vectors of pixels: the
     *         3 × 3 tile reads dy in place, where a partial last vector would read the next channel's; so also at a width
     *         where a CPU may have 16 registers, {@link Gemm#REGISTERS_FIXED_BY_WIDTH}, for the same bits on all of them)
     */
    public static boolean weightGradApplies(Geometry q) {
        return weightGradFits(q) && (Gemm.REGISTERS_FIXED_BY_WIDTH || q.pixels() % L == 0);
    }

    /** The shape half of {@link #weightGradApplies}, whatever the registers: {@link #weightGrad} can run it. */
    static boolean weightGradFits(Geometry q) {
        return applies(q) && (q.sh() == 1 && q.sw() == 1 && q.wo() % L == 0 || q.pixels() / L >= MIN_VECTORS);
    }

    /** Least pixel vectors an image for the weight gradient of a strided or row-spanning convolution. */
    private static final int MIN_VECTORS = 4;

    /**
     * Whether the kernels read the row-shifted copy ({@link #padRows}) rather than the padded image: when the output
     * width is not a multiple of the vector length, so that a vector of consecutive output pixels spans output rows.
     */
    static boolean rowShifted(Geometry q) {
        return q.wo() % L != 0;
    }

    /**
     * Whether the input gradient can run here: the transposed convolution is again such a convolution ({@link #applies}
     * for an output of the input's size: rows of whole vectors or at least one vector of pixels, through the row-shifted
     * copy: 64→64 @8×8 at 512 bits, 14–22% faster than GEMM + col2im since that copy moves vectors).
     */
    public static boolean inputGradApplies(Geometry q) {
        return Vectors.ENABLED && q.dh() == 1 && q.dw() == 1 && q.groups() == 1 && q.sh() == 1 && q.sw() == 1 && (q.w() % L == 0 || q.h() * q.w() >= L)
                && q.ph() <= q.kh() - 1 && q.pw() <= q.kw() - 1;
    }

    /** Pixel vectors of one output image, the last partial when the pixels are not whole vectors. */
    static int vectors(int pixels) {
        return (pixels + L - 1) / L;
    }

    /**
     * Floats past a plane of the row-shifted copy that a partial last pixel vector reads: zeros, so that its lanes past the
     * image read 0 (the forward drops them; in the weight gradient they meet zeros of dy).
     */
    private static int tail(Geometry q) {
        return rowShifted(q) ? vectors(q.pixels()) * L - q.pixels() : 0;
    }

    /** Floats from one plane of the copy the kernels read to the next: planeH × planeW, and the {@link #tail}. */
    private static int planeSize(Geometry q) {
        return planeH(q) * planeW(q) + tail(q);
    }

    /**
     * Offset of patch row r = (c, i, j) in the (phase-split) padded image: c·Hp·Wp + i·Wp + j at stride 1; at stride
     * (sh, sw) the plane of phase (i mod sh, j mod sw) of channel c, plus (i / sh)·Wq + j / sw (see {@link #padStrided}).
     * hq × wq is the size of one plane: the padded image at stride 1, a phase plane otherwise.
     */
    static int[] offsets(Geometry q, int hq, int wq) {
        int[] offs = new int[q.rows()];
        int sh = q.sh(), sw = q.sw();
        boolean shifted = rowShifted(q);
        int plane = hq * wq + tail(q);
        for (int r = 0; r < offs.length; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            offs[r] = shifted ? ((c * q.kw() + j) * sh + i % sh) * plane + (i / sh) * wq
                    : ((c * sh + i % sh) * sw + j % sw) * plane + (i / sh) * wq + j / sw;
        }
        return offs;
    }

    /** Floats of one image's copy as the kernels read it (see {@link #padImage}). */
    static int paddedSize(Geometry q) {
        return q.c() * (rowShifted(q) ? q.kw() : q.sw()) * q.sh() * planeSize(q);
    }

    /** Rows of one plane of the padded image as the kernels read it: ⌈Hp / sh⌉ (Hp at stride 1). */
    static int planeH(Geometry q) {
        return (q.h() + 2 * q.ph() + q.sh() - 1) / q.sh();
    }

    /**
     * Columns of one plane of the padded image as the kernels read it: ⌈Wp / sw⌉ (Wp at stride 1); the output width for
     * the row-shifted copy, whose planes hold exactly the columns read (then pixel p of the output is float p of a plane).
     */
    static int planeW(Geometry q) {
        return rowShifted(q) ? q.wo() : (q.w() + 2 * q.pw() + q.sw() - 1) / q.sw();
    }

    /**
     * Image x (at xo) into xp as the kernels read it: {@link #pad} at stride 1, {@link #padStrided} at a larger stride,
     * {@link #padRows} when the output width is not a multiple of the vector length.
     */
    static void padImage(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        if (rowShifted(q) && sameRows(q)) padRowsSame(q, x, xo, xp, xpo);
        else if (rowShifted(q) && halvingRows(q)) padRowsHalving(q, x, xo, xp, xpo);
        else if (rowShifted(q)) padRows(q, x, xo, xp, xpo);
        else if (q.sh() == 1 && q.sw() == 1) pad(x, xo, q.c(), q.h(), q.w(), q.ph(), q.pw(), xp, xpo);
        else padStrided(q, x, xo, xp, xpo);
    }

    /**
     * Whether the row-shifted copy of this convolution's image can be made by {@link #padRowsSame}: stride 1, output rows
     * as wide as the input's ("same" padding) and a vector holding whole rows (8×8 in 16 lanes).
     */
    static boolean sameRows(Geometry q) {
        return q.sh() == 1 && q.sw() == 1 && q.wo() == q.w() && q.ho() == q.h() && L % q.w() == 0 && q.h() * q.w() % L == 0;
    }

    /**
     * {@link #padRows} for a {@link #sameRows} convolution: plane (c, j) is the image's channel c shifted by j − pw
     * columns, between ph zero rows above and below. The channel's rows are consecutive floats of x, so the whole plane,
     * pad rows included, is the run of x from ph rows before the channel plus the shift, masked: its lanes whose column
     * the shift moves past the row's ends, and those of the pad rows, read 0 (the masks in {@link #sameRowsMasks}, made
     * once per layer and thread). So a plane is a few masked vector loads and stores (5 of each for 8×8 at 512 bits)
     * with no fills between them. A vector that would start before x or end past it (the first and last channels of a tensor's first and last images) is
     * assembled lane by lane: a masked load there takes the Vector API's out-of-range path, which cost about 60 µs each
     * (0.12 ms of a 128-image pass at 64 × 8×8).
     * Before (fills of the pad rows around a masked copy of the channel, masks made per call): 0.53–0.57 ms a pass of 128
     * images of 64 × 8×8 at 512 bits, 0.41–0.44 with x away from the array's ends; now 0.25–0.27 ms either way. A
     * per-vector test for the ends instead of the per-plane one deoptimised the loop again and again (passes of 30 ms).
     * When none of the image's vectors leaves x, the loops run shift by shift and vector by vector, each over the
     * channels, so that each mask is loaded once an image rather than once a plane: 0.23–0.36 → 0.17–0.20 ms a pass (64 ×
     * 8×8, 1 thread, 512 bits, pinned, JVMs alternating). The same values.
     */
    static void padRowsSame(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        int h = q.h(), w = q.w(), kw = q.kw(), size = h * w, lead = q.ph() * w;
        int plane = planeH(q) * w, vecs = (plane + L - 1) / L, full = plane / L;
        boolean[] masks = SCRATCH.get().copyTables(q, false).masks();
        VectorMask<Float> last = S.indexInRange(0, plane - full * L);
        int first = xo - lead - q.pw(), c = q.c();
        if (first >= 0 && first + (c - 1) * size + kw - 1 + vecs * L <= x.length) {
            for (int j = 0; j < kw; j++) {
                for (int v = 0; v < vecs; v++) {
                    VectorMask<Float> m = VectorMask.fromArray(S, masks, (j * vecs + v) * L);
                    int src = first + j + v * L, dst = xpo + j * plane + v * L, step = kw * plane;
                    if (v < full) {
                        for (int ch = 0; ch < c; ch++) FloatVector.fromArray(S, x, src + ch * size, m).intoArray(xp, dst + ch * step);
                    } else {
                        for (int ch = 0; ch < c; ch++) FloatVector.fromArray(S, x, src + ch * size, m).intoArray(xp, dst + ch * step, last);
                    }
                }
            }
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            for (int j = 0; j < kw; j++) {
                int src = first + ch * size + j, dst = xpo + (ch * kw + j) * plane, m = j * vecs * L;
                if (src < 0 || src + vecs * L > x.length) {
                    edgePlane(x, src, masks, m, plane, xp, dst);
                    continue;
                }
                int v = 0;
                for (; v < full; v++) FloatVector.fromArray(S, x, src + v * L, VectorMask.fromArray(S, masks, m + v * L)).intoArray(xp, dst + v * L);
                if (v < vecs) FloatVector.fromArray(S, x, src + v * L, VectorMask.fromArray(S, masks, m + v * L)).intoArray(xp, dst + v * L, last);
            }
        }
    }

    /** A plane of {@link #padRowsSame} whose vectors would start before x or end past it, float by float. */
    private static void edgePlane(float[] x, int src, boolean[] masks, int m, int plane, float[] xp, int dst) {
        for (int e = 0; e < plane; e++) xp[dst + e] = masks[m + e] ? x[src + e] : 0f;
    }

    /**
     * The masks of {@link #padRowsSame}: for shift j and vector v of a plane, at (j·vectors + v)·L, the lanes whose plane
     * position e = v·L + lane lies in the image's rows (ph·w ≤ e < (ph + h)·w) and whose column moved by j − pw stays in
     * the row.
     */
    static boolean[] sameRowsMasks(Geometry q) {
        int h = q.h(), w = q.w(), ph = q.ph(), pw = q.pw(), kw = q.kw();
        int plane = planeH(q) * w, vecs = (plane + L - 1) / L;
        boolean[] masks = new boolean[kw * vecs * L];
        for (int j = 0; j < kw; j++) {
            for (int e = 0; e < vecs * L; e++) {
                int col = e % w + j - pw;
                masks[j * vecs * L + e] = e >= ph * w && e < (ph + h) * w && col >= 0 && col < w;
            }
        }
        return masks;
    }

    /**
     * Whether the row-shifted copy of this convolution's image can be made by {@link #padRowsHalving}: stride 2 in both
     * directions, input rows of exactly one vector and output rows of half of one (16×16 → 8×8 at 512 bits, 8×8 → 4×4 at
     * 256: ResNet's stride-2 transitions), and kernels at most 4 wide (the shifts' selections are kept in registers).
     */
    static boolean halvingRows(Geometry q) {
        return q.sh() == 2 && q.sw() == 2 && q.w() == L && 2 * q.wo() == L && q.kw() <= 4;
    }

    /**
     * {@link #padRows} for a {@link #halvingRows} convolution, straight from the image without the stage: the vector of
     * plane (c, j, a) at its rows yq and yq + 1 holds columns 2·ow + j − pw of input rows 2·yq + a − ph and
     * 2·yq + 2 + a − ph, one two-vector lane selection, zero where the column or the row is padding. The same values as
     * {@link #padRows}. Each pair of input rows is loaded once for every shift j (at most 4: the selections and masks
     * stay in registers). (Through the stage this copy was a third of the stride-2 32→64 @16×16 forward: 0.78–0.85 ms
     * for 128 images at 512 bits; a selection per plane row, the shifts in the outer loop and a {@code VectorShuffle}
     * (which C2 expanded to two permutes, a compare and a blend, with spills): 0.43–0.44 ms; now 0.19 ms, one JVM,
     * alternating, pinned to one CPU. Two stages in turn, so that a stage's stores would be in L1 before its reads,
     * changed nothing.)
     */
    static void padRowsHalving(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        int h = q.h(), ph = q.ph(), kw = q.kw(), wo = q.wo(), hq = planeH(q), plane = planeSize(q), half = L / 2;
        CopyTables tables = SCRATCH.get().copyTables(q, true);
        float[] index = tables.index();
        boolean[] padding = tables.masks();
        FloatVector zero = FloatVector.zero(S);
        FloatVector i0 = FloatVector.fromArray(S, index, 0), i1 = FloatVector.fromArray(S, index, L);
        FloatVector i2 = FloatVector.fromArray(S, index, 2 * L), i3 = FloatVector.fromArray(S, index, 3 * L);
        VectorMask<Float> m0 = VectorMask.fromArray(S, padding, 0), m1 = VectorMask.fromArray(S, padding, L);
        VectorMask<Float> m2 = VectorMask.fromArray(S, padding, 2 * L), m3 = VectorMask.fromArray(S, padding, 3 * L);
        VectorMask<Float> low = S.indexInRange(0, half);
        int pairs = hq / 2;
        for (int ch = 0; ch < q.c(); ch++) {
            int src = xo + ch * h * L;
            for (int a = 0; a < 2; a++) {
                int dst = xpo + (ch * kw * 2 + a) * plane;
                for (int t = 0; t < (hq + 1) / 2; t++) {
                    int r0 = 4 * t + a - ph, r1 = r0 + 2, d = dst + 2 * t * wo;
                    FloatVector v0 = r0 >= 0 && r0 < h ? FloatVector.fromArray(S, x, src + r0 * L) : zero;
                    FloatVector v1 = t < pairs && r1 >= 0 && r1 < h ? FloatVector.fromArray(S, x, src + r1 * L) : zero;
                    if (t < pairs) {
                        i0.selectFrom(v0, v1).blend(zero, m0).intoArray(xp, d);
                        if (kw > 1) i1.selectFrom(v0, v1).blend(zero, m1).intoArray(xp, d + 2 * plane);
                        if (kw > 2) i2.selectFrom(v0, v1).blend(zero, m2).intoArray(xp, d + 4 * plane);
                        if (kw > 3) i3.selectFrom(v0, v1).blend(zero, m3).intoArray(xp, d + 6 * plane);
                    } else {
                        i0.selectFrom(v0, v1).blend(zero, m0).intoArray(xp, d, low);
                        if (kw > 1) i1.selectFrom(v0, v1).blend(zero, m1).intoArray(xp, d + 2 * plane, low);
                        if (kw > 2) i2.selectFrom(v0, v1).blend(zero, m2).intoArray(xp, d + 4 * plane, low);
                        if (kw > 3) i3.selectFrom(v0, v1).blend(zero, m3).intoArray(xp, d + 6 * plane, low);
                    }
                }
                if (hq * wo < plane) {
                    for (int j = 0; j < kw; j++) {
                        int p0 = dst + 2 * j * plane;
                        java.util.Arrays.fill(xp, p0 + hq * wo, p0 + plane, 0f);
                    }
                }
            }
        }
    }

    /**
     * The lane tables of {@link #padRowsHalving}, per shift j (at most 4) at j·L: lane k takes column 2·(k mod L/2) + j − pw
     * of the first row (k < L/2) or of the second (an index past L), and is padding (0) where that column is outside the
     * row.
     */
    private static CopyTables halvingTables(Geometry q) {
        int pw = q.pw(), half = L / 2;
        float[] index = new float[4 * L];
        boolean[] padding = new boolean[4 * L];
        for (int j = 0; j < q.kw(); j++) {
            for (int k = 0; k < L; k++) {
                int col = 2 * (k % half) + j - pw;
                padding[j * L + k] = col < 0 || col >= L;
                index[j * L + k] = padding[j * L + k] ? 0 : col + (k < half ? 0 : L);
            }
        }
        return new CopyTables(index, padding);
    }

    /**
     * Image x (at xo, [c, h, w]) as kw column-shifted, row-phase-split copies of its padded image, each row only the
     * output's columns: xp[c, j, a, yq, ow] = padded[c, yq·sh + a, ow·sw + j] (0 past the padded image), planes
     * planeH × wo. Patch row (c, i, j) at output pixel p = oh·wo + ow reads plane (c, j, i mod sh) at (i / sh)·wo + p:
     * consecutive output pixels are consecutive floats even across output rows, so a vector may span rows (an 8×8
     * output in 16 lanes). A partial im2col (kw copies instead of kh·kw) that the stride-1 kernels run on unchanged.
     *
     * <p>Each channel is first padded into a small stage (in L1), whose rows then hold every value a row of xp reads:
     * a row of xp is one strided move from it, whole vectors, with no edge to test. (Element by element with a bounds
     * test per value this copy cost a third of the 8×8 and stride-2 forwards.)
     */
    static void padRows(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        int sh = q.sh(), sw = q.sw(), h = q.h(), w = q.w(), ph = q.ph(), pw = q.pw(), kw = q.kw(), wo = q.wo();
        int hq = planeH(q), plane = planeSize(q), hp = h + 2 * ph, wp = w + 2 * pw;
        // The stage: one padded channel, then zero rows up to hq·sh (the rows a phase plane reads past the padded image).
        int stageRows = hq * sh;
        float[] stage = SCRATCH.get().stage(stageRows * wp + 2 * L);
        java.util.Arrays.fill(stage, hp * wp, stageRows * wp, 0f);
        // Two rows of xp in one vector when a row is half a vector (8×8 in 16 lanes) and every column read is inside the
        // padded row: the two source rows' vectors, one lane permutation.
        boolean pairs = 2 * wo == L && (sw == 1 || sw == 2) && (wo - 1) * sw + kw - 1 < wp;
        FloatVector pick = sw == 1 ? HALVES : EVENS;
        for (int ch = 0; ch < q.c(); ch++) {
            pad(x, xo + ch * h * w, 1, h, w, ph, pw, stage, 0);
            for (int j = 0; j < kw; j++) {
                for (int a = 0; a < sh; a++) {
                    int dst0 = xpo + ((ch * kw + j) * sh + a) * plane;
                    int yq = 0;
                    if (pairs) {
                        for (; yq + 2 <= hq; yq += 2) {
                            int src = (yq * sh + a) * wp + j;
                            FloatVector v0 = FloatVector.fromArray(S, stage, src), v1 = FloatVector.fromArray(S, stage, src + sh * wp);
                            pick.selectFrom(v0, v1).intoArray(xp, dst0 + yq * wo);
                        }
                    }
                    for (; yq < hq; yq++) {
                        int y = yq * sh + a, dst = dst0 + yq * wo;
                        // Columns ow·sw + j past the padded row read 0; only a kernel wider than the padding reaches them.
                        int n = Math.max(0, Math.min(wo, (wp - j + sw - 1) / sw));
                        stridedCopy(stage, y * wp + j, sw, xp, dst, n);
                        if (n < wo) java.util.Arrays.fill(xp, dst + n, dst + wo, 0f);
                    }
                    java.util.Arrays.fill(xp, dst0 + hq * wo, dst0 + plane, 0f); // the tail a partial last vector reads
                }
            }
        }
    }

    /**
     * Image x (at xo, [c, h, w]) zero-padded and split into its stride phases: xp[c, a, b, yq, xq] = padded[c, yq·sh + a,
     * xq·sw + b] (0 past the padded image), each phase plane planeH × planeW. Output pixel (oh, ow) of patch row
     * (c, i, j) reads padded[c, oh·sh + i, ow·sw + j] = plane (c, i mod sh, j mod sw) at (oh + i / sh, ow + j / sw):
     * consecutive output pixels are consecutive floats again, so the stride-1 kernels run unchanged on this layout.
     * Through a padded stage per channel, as {@link #padRows}.
     */
    static void padStrided(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        if (q.sw() == 2) {
            padStrided2(q, x, xo, xp, xpo);
            return;
        }
        int sh = q.sh(), sw = q.sw(), h = q.h(), w = q.w(), ph = q.ph(), pw = q.pw();
        int hq = planeH(q), hp = h + 2 * ph, wp = w + 2 * pw, wq = (wp + sw - 1) / sw, plane = hq * wq;
        float[] stage = SCRATCH.get().stage(hp * wp + 2 * L);
        for (int ch = 0; ch < q.c(); ch++) {
            pad(x, xo + ch * h * w, 1, h, w, ph, pw, stage, 0);
            for (int a = 0; a < sh; a++) {
                for (int b = 0; b < sw; b++) {
                    int dst0 = xpo + ((ch * sh + a) * sw + b) * plane;
                    int n = (wp - b + sw - 1) / sw;
                    for (int yq = 0; yq < hq; yq++) {
                        int y = yq * sh + a, dst = dst0 + yq * wq;
                        int m = y >= hp ? 0 : n;
                        if (m > 0) stridedCopy(stage, y * wp + b, sw, xp, dst, m);
                        if (m < wq) java.util.Arrays.fill(xp, dst + m, dst + wq, 0f);
                    }
                }
            }
        }
    }

    /**
     * {@link #padStrided} at a column stride of 2, straight from the image without a padded stage: the image's planes are
     * zeroed at once, then each image row is split into its even and odd columns (two lane permutations per 2·L floats),
     * which are the rows of the two column phases, shifted by the padding. The same values as through the stage.
     * (Through the stage, the copy was a third of a stride-2 forward.) The permutations take int lane indices on the
     * floats' bits: with float indices each {@code selectFrom} also converted its indices and tested them for NaN. 128
     * images of 16 × 32×32 at 512 bits, 1 thread: 0.58–0.64 → 0.35–0.37 ms (zero rows and columns written one by one
     * before, float indices 0.44–0.47).
     */
    static void padStrided2(Geometry q, float[] x, int xo, float[] xp, int xpo) {
        int sh = q.sh(), h = q.h(), w = q.w(), ph = q.ph(), pw = q.pw();
        int hq = planeH(q), wq = (w + 2 * pw + 1) / 2, plane = hq * wq;
        java.util.Arrays.fill(xp, xpo, xpo + q.c() * sh * 2 * plane, 0f);
        // phase b reads columns 2·xq + b − pw: parity e = (b − pw) mod 2, from xq = (e − b + pw) / 2 on
        int e0 = Math.floorMod(-pw, 2), e1 = Math.floorMod(1 - pw, 2);
        int s0 = (e0 + pw) / 2, s1 = (e1 - 1 + pw) / 2, n0 = (w - e0 + 1) / 2, n1 = (w - e1 + 1) / 2;
        IntVector i0 = e0 == 0 ? EVEN_LANES : ODD_LANES, i1 = e1 == 0 ? EVEN_LANES : ODD_LANES;
        for (int ch = 0; ch < q.c(); ch++) {
            for (int a = 0; a < sh; a++) {
                int dst0 = xpo + ((ch * sh + a) * 2) * plane;
                for (int yq = 0; yq < hq; yq++) {
                    int y = yq * sh + a - ph;
                    if (y < 0 || y >= h) continue;
                    int r0 = dst0 + yq * wq + s0, r1 = dst0 + plane + yq * wq + s1, src = xo + (ch * h + y) * w;
                    int t = 0;
                    for (; 2 * t + 2 * L <= w; t += L) {
                        IntVector v0 = FloatVector.fromArray(S, x, src + 2 * t).reinterpretAsInts();
                        IntVector v1 = FloatVector.fromArray(S, x, src + 2 * t + L).reinterpretAsInts();
                        i0.selectFrom(v0, v1).reinterpretAsFloats().intoArray(xp, r0 + t);
                        i1.selectFrom(v0, v1).reinterpretAsFloats().intoArray(xp, r1 + t);
                    }
                    for (int k = t; k < n0; k++) xp[r0 + k] = x[src + 2 * k + e0];
                    for (int k = t; k < n1; k++) xp[r1 + k] = x[src + 2 * k + e1];
                }
            }
        }
    }

    /** Lane indices 0, 2, 4, … and 1, 3, 5, …: the even and the odd lanes of two vectors side by side, as ints. */
    private static final IntVector EVEN_LANES = IntVector.fromArray(Vectors.I, laneIndices(0), 0);
    private static final IntVector ODD_LANES = IntVector.fromArray(Vectors.I, laneIndices(1), 0);

    private static int[] laneIndices(int first) {
        int[] idx = new int[L];
        for (int k = 0; k < L; k++) idx[k] = 2 * k + first;
        return idx;
    }

    /** Lane indices 0, 2, 4, …: the even lanes of two vectors side by side, for {@link #stridedCopy} and {@link #padRows}. */
    private static final FloatVector EVENS = evens();

    /** Lane indices 0 … L/2−1, then L … 3L/2−1: the low halves of two vectors side by side. */
    private static final FloatVector HALVES = halves();

    private static FloatVector halves() {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = k < L / 2 ? k : k + L / 2;
        return FloatVector.fromArray(S, idx, 0);
    }

    private static FloatVector evens() {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = 2 * k;
        return FloatVector.fromArray(S, idx, 0);
    }

    /**
     * dst[d + k] = src[s + k·stride] for k in [0, n). Stride 1: {@link ConvKernels#copyRow}; stride 2: the even lanes of
     * two vectors, while the 2·L floats read stay inside src; scalars otherwise.
     */
    static void stridedCopy(float[] src, int s, int stride, float[] dst, int d, int n) {
        if (stride == 1) {
            ConvKernels.copyRow(src, s, dst, d, n);
            return;
        }
        int k = 0;
        if (stride == 2) {
            for (; k + L <= n && s + 2 * k + 2 * L <= src.length; k += L) {
                FloatVector v0 = FloatVector.fromArray(S, src, s + 2 * k), v1 = FloatVector.fromArray(S, src, s + 2 * k + L);
                EVENS.selectFrom(v0, v1).intoArray(dst, d + k);
            }
        }
        for (; k < n; k++) dst[d + k] = src[s + k * stride];
    }

    /** Image x (at xo, [c, h, w]) into xp as [c, h+2ph, w+2pw] with a zero border. */
    static void pad(float[] x, int xo, int c, int h, int w, int ph, int pw, float[] xp, int xpo) {
        int hp = h + 2 * ph, wp = w + 2 * pw;
        if (Vectors.ENABLED && w == L) {
            // Rows of one vector (16×16 at 512 bits, 8×8 at 256): the planes zeroed at once, then a vector move a row.
            // (A row at a time through stridedCopy with scalar borders: 11% of 32→32 @16×16's forward samples.)
            java.util.Arrays.fill(xp, xpo, xpo + c * hp * wp, 0f);
            for (int ch = 0; ch < c; ch++) {
                int src = xo + ch * h * w, dst = xpo + ch * hp * wp + ph * wp + pw;
                for (int row = 0; row < h; row++) FloatVector.fromArray(S, x, src + row * w).intoArray(xp, dst + row * wp);
            }
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            int plane = xpo + ch * hp * wp;
            java.util.Arrays.fill(xp, plane, plane + ph * wp, 0f);
            for (int row = 0; row < h; row++) {
                int dst = plane + (ph + row) * wp;
                for (int k = 0; k < pw; k++) {
                    xp[dst + k] = 0f;
                    xp[dst + pw + w + k] = 0f;
                }
                stridedCopy(x, xo + (ch * h + row) * w, 1, xp, dst + pw, w);
            }
            java.util.Arrays.fill(xp, plane + (ph + h) * wp, plane + hp * wp, 0f);
        }
    }

    // ------------------------------------------------------------ forward

    /** y = conv2d(x, w) + bias over the batch (bias [O] or null); y is fully overwritten. */
    public static void forward(Geometry q, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y) {
        forward(q, x, xo, w, wo, bias, bo, y, null);
    }

    /**
     * {@link #forward(Geometry, float[], int, float[], int, float[], int, float[])}, then {@code afterImage} on each
     * image index once that image's output is complete, on the thread that computed it (an inference epilogue: bias
     * and activation while the image is in cache). The sums are the same with or without it.
     */
    public static void forward(Geometry q, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, java.util.function.IntConsumer afterImage) {
        int c = q.c(), h = q.h(), wd = q.w(), o = q.o(), rows = q.rows();
        // The plane the kernels index (the padded image at stride 1); padded: the whole buffer of one image.
        int hp = planeH(q), wp = planeW(q), paddedSize = paddedSize(q);
        int[] offs = offsets(q, hp, wp);
        boolean wide = wideForward(o), tall = wide && rows >= TALL_ROWS, twelve = tall && forward12(q);
        int mr = twelve ? MR12 : tall ? MR6 : wide ? MR4 : MR;
        // W as mr-row panels over the whole depth, zero rows past O: ap[(panel·rows + r)·mr + k].
        int panels = (o + mr - 1) / mr;
        float[] ap = new float[panels * mr * rows];
        for (int oc = 0; oc < o; oc++) {
            int base = (oc / mr) * mr * rows + oc % mr;
            for (int r = 0; r < rows; r++) ap[base + r * mr] = w[wo + oc * rows + r];
        }
        int xImage = c * h * wd, yImage = o * q.pixels();
        Vectors.count();
        // Without padding the padded image is the image itself: the kernels read x in place, each patch row's offset
        // moved to the image (the same values read, the same sums; the copy was a pass over the input for nothing).
        boolean inPlace = q.ph() == 0 && q.pw() == 0 && q.sh() == 1 && q.sw() == 1 && !rowShifted(q);
        // An input larger than L2 is read ahead of each image's copy (see Prefetch): the copy's own loads arrive slowly.
        boolean ahead = !inPlace && Prefetch.worth((long) q.n() * xImage * Float.BYTES);
        Parallel.forRange(q.n(), 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            float[] xp = inPlace ? x : s.padded(paddedSize);
            int[] imageOffs = inPlace ? new int[rows] : offs;
            for (int n = from; n < to; n++) {
                if (inPlace) {
                    for (int r = 0; r < rows; r++) imageOffs[r] = offs[r] + xo + n * xImage;
                } else {
                    int at = xo + n * xImage;
                    if (ahead) Prefetch.lines(x, at, xImage);
                    padImage(q, x, at, xp, 0);
                }
                if (twelve) forwardImage12(q, xp, wp, imageOffs, ap, bias, bo, y, n * yImage, s.tile);
                else if (tall) forwardImage6(q, xp, wp, imageOffs, ap, bias, bo, y, n * yImage, s.tile);
                else if (wide) forwardImage4(q, xp, wp, imageOffs, ap, bias, bo, y, n * yImage, s.tile);
                else forwardImage(q, xp, wp, imageOffs, ap, bias, bo, y, n * yImage, s.tile);
                if (afterImage != null) afterImage.accept(n);
            }
        });
    }

    private static void forwardImage(Geometry q, float[] xp, int wp, int[] offs, float[] ap, float[] bias, int bo,
                                     float[] y, int yOff, float[] tile) {
        int o = q.o(), rows = q.rows(), pixels = q.pixels(), wo = q.wo(), vectors = vectors(pixels);
        // Pixel tiles outside, channel panels inside (see forwardImage4).
        for (int v = 0; v < vectors; v += NV) {
            int nv = Math.min(NV, vectors - v), valid = Math.min(nv * L, pixels - v * L);
            int base0 = pixelBase(v, wo, wp);
            // A missing vector of a partial tile re-reads vector 0 (in bounds); its sums are dropped.
            int base1 = nv > 1 ? pixelBase(v + 1, wo, wp) : base0, base2 = nv > 2 ? pixelBase(v + 2, wo, wp) : base0;
            for (int ob = 0; ob < o; ob += MR) {
                int mr = Math.min(MR, o - ob), apo = (ob / MR) * MR * rows;
                float b0 = bias == null ? 0f : bias[bo + ob];
                float b1 = bias == null || mr < 2 ? 0f : bias[bo + ob + 1];
                float b2 = bias == null || mr < 3 ? 0f : bias[bo + ob + 2];
                int co = yOff + ob * pixels + v * L;
                if (mr == MR && nv == NV && valid == NV * L) {
                    forwardKernel(rows, ap, apo, offs, xp, base0, base1, base2, b0, b1, b2, y, co, pixels);
                } else {
                    forwardKernel(rows, ap, apo, offs, xp, base0, base1, base2, b0, b1, b2, tile, 0, NV * L);
                    for (int k = 0; k < mr; k++) System.arraycopy(tile, k * NV * L, y, co + k * pixels, valid);
                }
            }
        }
    }

    /**
     * Whether a forward that takes the 6 × 4 tile takes the 12 channels × 2 pixel vectors tile instead: at 512 bits, for
     * 8, 20 or 32 output channels (12·k + 8, k ≤ 2) and more than 4 pixel vectors an image. Such an O ends the 6 × 4
     * tile's panels in one of 2 channels, whose 8 FMAs a patch row cost 4 pixel loads (each a whole cache line that
     * nearly always straddles two) and 2 broadcasts; the 12 × 2 tile ends in 8 channels, 16 FMAs per 2 loads and 8
     * broadcasts, and its full panels load 2 pixel vectors and broadcast 12 weights per 24 FMAs (6 × 4: 4 and 6). It
     * streams the weights once per 2 pixel vectors instead of 4, which loses where the 2-channel panel is a small part:
     * {@code tools/kernel-ab}, 1 thread, 128 images, over the 6 × 4 tile: 32→8 @16×16 1.18×, 64→20 1.04×, 64→32 1.13×,
     * 32→32 1.05×, 16→32 1.05×, 32→32 @32×32 1.02×, 16→32 @32×32 stride 2 1.03×; not taken: 64→44 @16×16 0.99×,
     * 64→128 0.955×, 32→96 0.99×, 16→24 @32×32 0.985× (no 2-channel panel), 16→16 @32×32 0.99× and 32→64 @16×16
     * 0.995× (a last panel of 4 on the 12 × 2 tile), and images of 4 pixel vectors (8×8 outputs, one 6 × 4 pixel tile
     * an image: 64→64 0.92×, stride-2 32→64 @16×16 0.995×). Each output is the same fma chain from the bias in either tile.
     */
    static boolean forward12(Geometry q) {
        return L >= 16 && wideForward(q.o()) && q.rows() >= TALL_ROWS && vectors(q.pixels()) > NV4 && q.o() % MR12 == 8 && q.o() <= 32;
    }

    /** Whether a forward with {@code o} output channels takes the 4 × 4 tile. */
    static boolean wideForward(int o) {
        return WIDE && o > MR;
    }

    /** {@link #forwardImage} with the 4 channels × 4 pixel vectors tile (panels of 4 rows in ap). */
    private static void forwardImage4(Geometry q, float[] xp, int wp, int[] offs, float[] ap, float[] bias, int bo,
                                      float[] y, int yOff, float[] tile) {
        int o = q.o(), rows = q.rows(), pixels = q.pixels(), wo = q.wo(), vectors = vectors(pixels);
        // Pixel tiles outside, channel panels inside: the few padded rows one pixel tile reads stay in L1 for every
        // panel, and what is re-read from L2 is the panel's weights (4 floats per patch row), not 4 pixel vectors.
        for (int v = 0; v < vectors; v += NV4) {
            int nv = Math.min(NV4, vectors - v), valid = Math.min(nv * L, pixels - v * L);
            int base0 = pixelBase(v, wo, wp);
            // A missing vector of a partial tile re-reads vector 0 (in bounds); its sums are dropped.
            int base1 = nv > 1 ? pixelBase(v + 1, wo, wp) : base0, base2 = nv > 2 ? pixelBase(v + 2, wo, wp) : base0;
            int base3 = nv > 3 ? pixelBase(v + 3, wo, wp) : base0;
            for (int ob = 0; ob < o; ob += MR4) {
                int mr = Math.min(MR4, o - ob), apo = (ob / MR4) * MR4 * rows;
                float b0 = bias == null ? 0f : bias[bo + ob];
                float b1 = bias == null || mr < 2 ? 0f : bias[bo + ob + 1];
                float b2 = bias == null || mr < 3 ? 0f : bias[bo + ob + 2];
                float b3 = bias == null || mr < 4 ? 0f : bias[bo + ob + 3];
                int co = yOff + ob * pixels + v * L;
                if (mr == MR4 && valid == NV4 * L) {
                    forwardKernel4(rows, ap, apo, offs, xp, base0, base1, base2, base3, b0, b1, b2, b3, y, co, pixels);
                } else {
                    forwardKernel4(rows, ap, apo, offs, xp, base0, base1, base2, base3, b0, b1, b2, b3, tile, 0, NV4 * L);
                    for (int k = 0; k < mr; k++) System.arraycopy(tile, k * NV4 * L, y, co + k * pixels, valid);
                }
            }
        }
    }

    /** The 4 channels × 4 pixel vectors tile over all patch rows, starting from the bias. Flat on purpose. */
    private static void forwardKernel4(int rows, float[] ap, int apo, int[] offs, float[] xp, int base0, int base1, int base2,
                                       int base3, float bias0, float bias1, float bias2, float bias3, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.broadcast(S, bias0), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = FloatVector.broadcast(S, bias1), c11 = c10, c12 = c10, c13 = c10;
        FloatVector c20 = FloatVector.broadcast(S, bias2), c21 = c20, c22 = c20, c23 = c20;
        FloatVector c30 = FloatVector.broadcast(S, bias3), c31 = c30, c32 = c30, c33 = c30;
        for (int r = 0, pa = apo; r < rows; r++, pa += MR4) {
            int off = offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, base0 + off);
            FloatVector x1 = FloatVector.fromArray(S, xp, base1 + off);
            FloatVector x2 = FloatVector.fromArray(S, xp, base2 + off);
            FloatVector x3 = FloatVector.fromArray(S, xp, base3 + off);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(x0, c00);
            c01 = a0.fma(x1, c01);
            c02 = a0.fma(x2, c02);
            c03 = a0.fma(x3, c03);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(x0, c10);
            c11 = a1.fma(x1, c11);
            c12 = a1.fma(x2, c12);
            c13 = a1.fma(x3, c13);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(x0, c20);
            c21 = a2.fma(x1, c21);
            c22 = a2.fma(x2, c22);
            c23 = a2.fma(x3, c23);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(x0, c30);
            c31 = a3.fma(x1, c31);
            c32 = a3.fma(x2, c32);
            c33 = a3.fma(x3, c33);
        }
        int c1 = co + ldc, c2 = co + 2 * ldc, c3 = co + 3 * ldc;
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c12.intoArray(c, c1 + 2 * L);
        c13.intoArray(c, c1 + 3 * L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c22.intoArray(c, c2 + 2 * L);
        c23.intoArray(c, c2 + 3 * L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c32.intoArray(c, c3 + 2 * L);
        c33.intoArray(c, c3 + 3 * L);
    }

    /**
     * {@link #forwardImage} with the 6 channels × 4 pixel vectors tile (panels of 6 rows in ap). The kernels read the tile's
     * four pixel vectors at base, base + s1, base + s2 and base + s1 + s2 (plus each patch row's offset): consecutive
     * vectors (s1 = L, s2 = 2L: the row-shifted copy, rows of 4 or more vectors), a vector a row (s1 = Wp, s2 = 2Wp),
     * two a row (s1 = L, s2 = Wp), or fewer vectors than four (the missing ones re-read present ones). One offset and two
     * steps, where four offsets each took a register, and three of them were reloaded from the stack on every patch row
     * (64→64 @8×8 at 512 bits: 3.27–3.34 → 3.02–3.05 ms a forward of 128 images, one JVM each, alternating). A tile whose
     * vectors fit no such form (three vectors, or rows of three) runs as two tiles of two vectors.
     */
    private static void forwardImage6(Geometry q, float[] xp, int wp, int[] offs, float[] ap, float[] bias, int bo,
                                      float[] y, int yOff, float[] tile) {
        int o = q.o(), rows = q.rows(), pixels = q.pixels(), wo = q.wo(), vectors = vectors(pixels);
        for (int v = 0; v < vectors; v += NV4) {
            int nv = Math.min(NV4, vectors - v), valid = Math.min(nv * L, pixels - v * L);
            int base0 = pixelBase(v, wo, wp);
            int base1 = nv > 1 ? pixelBase(v + 1, wo, wp) : base0, base2 = nv > 2 ? pixelBase(v + 2, wo, wp) : base0;
            int base3 = nv > 3 ? pixelBase(v + 3, wo, wp) : nv == 2 ? base1 : base0;
            boolean even = base3 - base0 == (base1 - base0) + (base2 - base0);
            for (int ob = 0; ob < o; ob += MR6) {
                int mr = Math.min(MR6, o - ob), apo = (ob / MR6) * MR6 * rows;
                int co = yOff + ob * pixels + v * L;
                if (!even) {
                    // Two tiles of two vectors (the second's missing ones re-read its first), side by side in the scratch tile.
                    int second = nv > 3 ? base3 : base2;
                    forwardPanel6(rows, ap, apo, offs, xp, base0, base1 - base0, 0, bias, bo + ob, mr, tile, 0, 2 * NV4 * L);
                    forwardPanel6(rows, ap, apo, offs, xp, base2, second - base2, 0, bias, bo + ob, mr, tile, NV4 * L, 2 * NV4 * L);
                    for (int k = 0; k < mr; k++) {
                        System.arraycopy(tile, k * 2 * NV4 * L, y, co + k * pixels, 2 * L);
                        System.arraycopy(tile, k * 2 * NV4 * L + NV4 * L, y, co + k * pixels + 2 * L, valid - 2 * L);
                    }
                    continue;
                }
                // The last panel of O = 6·k + 2 or 6·k + 4 channels (32, 64, 16) runs only its channels (the rows past O are
                // zero weights): the 6-row tile spent 12% of 32→32's FMAs on them.
                boolean direct = valid == NV4 * L && (mr == MR6 || mr == 4 || mr == 2);
                float[] out = direct ? y : tile;
                int oo = direct ? co : 0, ldo = direct ? pixels : NV4 * L;
                forwardPanel6(rows, ap, apo, offs, xp, base0, base1 - base0, base2 - base0, bias, bo + ob, mr, out, oo, ldo);
                if (!direct) {
                    for (int k = 0; k < mr; k++) System.arraycopy(tile, k * NV4 * L, y, co + k * pixels, valid);
                }
            }
        }
    }

    /** One panel of 6 (or fewer: mr) channels × 4 pixel vectors, by the kernel of its channel count. */
    private static void forwardPanel6(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1, int s2,
                                      float[] bias, int bo, int mr, float[] c, int co, int ldc) {
        if (mr <= 2) forwardKernel2of6(rows, ap, apo, offs, xp, base, s1, s2, bias, bo, mr, c, co, ldc);
        else if (mr <= 4) forwardKernel4of6(rows, ap, apo, offs, xp, base, s1, s2, bias, bo, mr, c, co, ldc);
        else forwardKernel6(rows, ap, apo, offs, xp, base, s1, s2, bias, bo, mr, c, co, ldc);
    }

    /** The 6 channels × 4 pixel vectors tile over all patch rows, starting from the bias (channels past mr: 0). Flat on purpose. */
    private static void forwardKernel6(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1, int s2,
                                       float[] bias, int bo, int mr, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 0]), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = FloatVector.broadcast(S, bias == null || mr < 2 ? 0f : bias[bo + 1]), c11 = c10, c12 = c10, c13 = c10;
        FloatVector c20 = FloatVector.broadcast(S, bias == null || mr < 3 ? 0f : bias[bo + 2]), c21 = c20, c22 = c20, c23 = c20;
        FloatVector c30 = FloatVector.broadcast(S, bias == null || mr < 4 ? 0f : bias[bo + 3]), c31 = c30, c32 = c30, c33 = c30;
        FloatVector c40 = FloatVector.broadcast(S, bias == null || mr < 5 ? 0f : bias[bo + 4]), c41 = c40, c42 = c40, c43 = c40;
        FloatVector c50 = FloatVector.broadcast(S, bias == null || mr < 6 ? 0f : bias[bo + 5]), c51 = c50, c52 = c50, c53 = c50;
        int s12 = s1 + s2;
        for (int r = 0, pa = apo; r < rows; r++, pa += MR6) {
            int off = base + offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, off);
            FloatVector x1 = FloatVector.fromArray(S, xp, off + s1);
            FloatVector x2 = FloatVector.fromArray(S, xp, off + s2);
            FloatVector x3 = FloatVector.fromArray(S, xp, off + s12);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa + 0]);
            c00 = a0.fma(x0, c00);
            c01 = a0.fma(x1, c01);
            c02 = a0.fma(x2, c02);
            c03 = a0.fma(x3, c03);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(x0, c10);
            c11 = a1.fma(x1, c11);
            c12 = a1.fma(x2, c12);
            c13 = a1.fma(x3, c13);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(x0, c20);
            c21 = a2.fma(x1, c21);
            c22 = a2.fma(x2, c22);
            c23 = a2.fma(x3, c23);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(x0, c30);
            c31 = a3.fma(x1, c31);
            c32 = a3.fma(x2, c32);
            c33 = a3.fma(x3, c33);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(x0, c40);
            c41 = a4.fma(x1, c41);
            c42 = a4.fma(x2, c42);
            c43 = a4.fma(x3, c43);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(x0, c50);
            c51 = a5.fma(x1, c51);
            c52 = a5.fma(x2, c52);
            c53 = a5.fma(x3, c53);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c12.intoArray(c, co + 1 * ldc + 2 * L);
        c13.intoArray(c, co + 1 * ldc + 3 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
        c23.intoArray(c, co + 2 * ldc + 3 * L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c32.intoArray(c, co + 3 * ldc + 2 * L);
        c33.intoArray(c, co + 3 * ldc + 3 * L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c42.intoArray(c, co + 4 * ldc + 2 * L);
        c43.intoArray(c, co + 4 * ldc + 3 * L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c52.intoArray(c, co + 5 * ldc + 2 * L);
        c53.intoArray(c, co + 5 * ldc + 3 * L);
    }

    /**
     * The last 2 (or fewer: mr) channels of a panel of 6 in ap × 4 pixel vectors, over all patch rows from the bias: the
     * remainder of {@link #forwardKernel6} when O is not a multiple of 6 (32 = 5·6 + 2), without FMAs on zero weights.
     * The same sums as {@link #forwardKernel6}'s. Flat on purpose.
     */
    private static void forwardKernel2of6(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1, int s2,
                                       float[] bias, int bo, int mr, float[] c, int co, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 0]), c0_1 = c0_0, c0_2 = c0_0, c0_3 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, bias == null || mr < 2 ? 0f : bias[bo + 1]), c1_1 = c1_0, c1_2 = c1_0, c1_3 = c1_0;
        int s12 = s1 + s2;
        for (int r = 0, pa = apo; r < rows; r++, pa += 6) {
            int off = base + offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, off);
            FloatVector x1 = FloatVector.fromArray(S, xp, off + s1);
            FloatVector x2 = FloatVector.fromArray(S, xp, off + s2);
            FloatVector x3 = FloatVector.fromArray(S, xp, off + s12);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa + 0]);
            c0_0 = a0.fma(x0, c0_0);
            c0_1 = a0.fma(x1, c0_1);
            c0_2 = a0.fma(x2, c0_2);
            c0_3 = a0.fma(x3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(x0, c1_0);
            c1_1 = a1.fma(x1, c1_1);
            c1_2 = a1.fma(x2, c1_2);
            c1_3 = a1.fma(x3, c1_3);
        }
        c0_0.intoArray(c, co + 0 * ldc + 0 * L);
        c0_1.intoArray(c, co + 0 * ldc + 1 * L);
        c0_2.intoArray(c, co + 0 * ldc + 2 * L);
        c0_3.intoArray(c, co + 0 * ldc + 3 * L);
        c1_0.intoArray(c, co + 1 * ldc + 0 * L);
        c1_1.intoArray(c, co + 1 * ldc + 1 * L);
        c1_2.intoArray(c, co + 1 * ldc + 2 * L);
        c1_3.intoArray(c, co + 1 * ldc + 3 * L);
    }

    /**
     * The last 4 (or fewer: mr) channels of a panel of 6 in ap × 4 pixel vectors, over all patch rows from the bias: the
     * remainder of {@link #forwardKernel6} when O is not a multiple of 6 (32 = 5·6 + 2), without FMAs on zero weights.
     * The same sums as {@link #forwardKernel6}'s. Flat on purpose.
     */
    private static void forwardKernel4of6(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1, int s2,
                                       float[] bias, int bo, int mr, float[] c, int co, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 0]), c0_1 = c0_0, c0_2 = c0_0, c0_3 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, bias == null || mr < 2 ? 0f : bias[bo + 1]), c1_1 = c1_0, c1_2 = c1_0, c1_3 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, bias == null || mr < 3 ? 0f : bias[bo + 2]), c2_1 = c2_0, c2_2 = c2_0, c2_3 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, bias == null || mr < 4 ? 0f : bias[bo + 3]), c3_1 = c3_0, c3_2 = c3_0, c3_3 = c3_0;
        int s12 = s1 + s2;
        for (int r = 0, pa = apo; r < rows; r++, pa += 6) {
            int off = base + offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, off);
            FloatVector x1 = FloatVector.fromArray(S, xp, off + s1);
            FloatVector x2 = FloatVector.fromArray(S, xp, off + s2);
            FloatVector x3 = FloatVector.fromArray(S, xp, off + s12);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa + 0]);
            c0_0 = a0.fma(x0, c0_0);
            c0_1 = a0.fma(x1, c0_1);
            c0_2 = a0.fma(x2, c0_2);
            c0_3 = a0.fma(x3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(x0, c1_0);
            c1_1 = a1.fma(x1, c1_1);
            c1_2 = a1.fma(x2, c1_2);
            c1_3 = a1.fma(x3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c2_0 = a2.fma(x0, c2_0);
            c2_1 = a2.fma(x1, c2_1);
            c2_2 = a2.fma(x2, c2_2);
            c2_3 = a2.fma(x3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c3_0 = a3.fma(x0, c3_0);
            c3_1 = a3.fma(x1, c3_1);
            c3_2 = a3.fma(x2, c3_2);
            c3_3 = a3.fma(x3, c3_3);
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
    }

    /** {@link #forwardImage} with the 12 channels × 2 pixel vectors tile of {@link #forward12} (panels of 12 rows in ap). */
    private static void forwardImage12(Geometry q, float[] xp, int wp, int[] offs, float[] ap, float[] bias, int bo,
                                       float[] y, int yOff, float[] tile) {
        int o = q.o(), rows = q.rows(), pixels = q.pixels(), wo = q.wo(), vectors = vectors(pixels);
        for (int v = 0; v < vectors; v += 2) {
            int nv = Math.min(2, vectors - v), valid = Math.min(nv * L, pixels - v * L);
            int base0 = pixelBase(v, wo, wp);
            // A missing second vector re-reads the first (in bounds); its sums are dropped.
            int base1 = nv > 1 ? pixelBase(v + 1, wo, wp) : base0;
            for (int ob = 0; ob < o; ob += MR12) {
                int mr = Math.min(MR12, o - ob), apo = (ob / MR12) * MR12 * rows;
                int co = yOff + ob * pixels + v * L;
                // Whole panels of 12 channels and a last one of 8 (forward12), each by its kernel.
                boolean direct = valid == 2 * L;
                float[] out = direct ? y : tile;
                int oo = direct ? co : 0, ldo = direct ? pixels : 2 * L;
                if (mr == MR12) forwardKernel12(rows, ap, apo, offs, xp, base0, base1 - base0, bias, bo + ob, out, oo, ldo);
                else forwardKernel8of12(rows, ap, apo, offs, xp, base0, base1 - base0, bias, bo + ob, out, oo, ldo);
                if (!direct) {
                    for (int k = 0; k < mr; k++) System.arraycopy(tile, k * 2 * L, y, co + k * pixels, valid);
                }
            }
        }
    }

    /** The 12 channels × 2 pixel vectors tile over all patch rows, starting from the bias. Flat on purpose. */
    private static void forwardKernel12(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1,
                                        float[] bias, int bo, float[] c, int co, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 0]), c0_1 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 1]), c1_1 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 2]), c2_1 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 3]), c3_1 = c3_0;
        FloatVector c4_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 4]), c4_1 = c4_0;
        FloatVector c5_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 5]), c5_1 = c5_0;
        FloatVector c6_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 6]), c6_1 = c6_0;
        FloatVector c7_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 7]), c7_1 = c7_0;
        FloatVector c8_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 8]), c8_1 = c8_0;
        FloatVector c9_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 9]), c9_1 = c9_0;
        FloatVector c10_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 10]), c10_1 = c10_0;
        FloatVector c11_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 11]), c11_1 = c11_0;
        for (int r = 0, pa = apo; r < rows; r++, pa += MR12) {
            int off = base + offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, off);
            FloatVector x1 = FloatVector.fromArray(S, xp, off + s1);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa + 0]);
            c0_0 = a0.fma(x0, c0_0);
            c0_1 = a0.fma(x1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(x0, c1_0);
            c1_1 = a1.fma(x1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c2_0 = a2.fma(x0, c2_0);
            c2_1 = a2.fma(x1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c3_0 = a3.fma(x0, c3_0);
            c3_1 = a3.fma(x1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c4_0 = a4.fma(x0, c4_0);
            c4_1 = a4.fma(x1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c5_0 = a5.fma(x0, c5_0);
            c5_1 = a5.fma(x1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c6_0 = a6.fma(x0, c6_0);
            c6_1 = a6.fma(x1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c7_0 = a7.fma(x0, c7_0);
            c7_1 = a7.fma(x1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8]);
            c8_0 = a8.fma(x0, c8_0);
            c8_1 = a8.fma(x1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9]);
            c9_0 = a9.fma(x0, c9_0);
            c9_1 = a9.fma(x1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10]);
            c10_0 = a10.fma(x0, c10_0);
            c10_1 = a10.fma(x1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11]);
            c11_0 = a11.fma(x0, c11_0);
            c11_1 = a11.fma(x1, c11_1);
        }
        c0_0.intoArray(c, co + 0 * ldc);
        c0_1.intoArray(c, co + 0 * ldc + L);
        c1_0.intoArray(c, co + 1 * ldc);
        c1_1.intoArray(c, co + 1 * ldc + L);
        c2_0.intoArray(c, co + 2 * ldc);
        c2_1.intoArray(c, co + 2 * ldc + L);
        c3_0.intoArray(c, co + 3 * ldc);
        c3_1.intoArray(c, co + 3 * ldc + L);
        c4_0.intoArray(c, co + 4 * ldc);
        c4_1.intoArray(c, co + 4 * ldc + L);
        c5_0.intoArray(c, co + 5 * ldc);
        c5_1.intoArray(c, co + 5 * ldc + L);
        c6_0.intoArray(c, co + 6 * ldc);
        c6_1.intoArray(c, co + 6 * ldc + L);
        c7_0.intoArray(c, co + 7 * ldc);
        c7_1.intoArray(c, co + 7 * ldc + L);
        c8_0.intoArray(c, co + 8 * ldc);
        c8_1.intoArray(c, co + 8 * ldc + L);
        c9_0.intoArray(c, co + 9 * ldc);
        c9_1.intoArray(c, co + 9 * ldc + L);
        c10_0.intoArray(c, co + 10 * ldc);
        c10_1.intoArray(c, co + 10 * ldc + L);
        c11_0.intoArray(c, co + 11 * ldc);
        c11_1.intoArray(c, co + 11 * ldc + L);
    }

    /**
     * The first 8 channels of a panel of 12 × 2 pixel vectors, the last panel of O = 12·k + 8 channels:
     * {@link #forwardKernel12} without FMAs on zero weights, the same sums. Flat on purpose.
     */
    private static void forwardKernel8of12(int rows, float[] ap, int apo, int[] offs, float[] xp, int base, int s1,
                                           float[] bias, int bo, float[] c, int co, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 0]), c0_1 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 1]), c1_1 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 2]), c2_1 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 3]), c3_1 = c3_0;
        FloatVector c4_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 4]), c4_1 = c4_0;
        FloatVector c5_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 5]), c5_1 = c5_0;
        FloatVector c6_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 6]), c6_1 = c6_0;
        FloatVector c7_0 = FloatVector.broadcast(S, bias == null ? 0f : bias[bo + 7]), c7_1 = c7_0;
        for (int r = 0, pa = apo; r < rows; r++, pa += MR12) {
            int off = base + offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, off);
            FloatVector x1 = FloatVector.fromArray(S, xp, off + s1);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa + 0]);
            c0_0 = a0.fma(x0, c0_0);
            c0_1 = a0.fma(x1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(x0, c1_0);
            c1_1 = a1.fma(x1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c2_0 = a2.fma(x0, c2_0);
            c2_1 = a2.fma(x1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c3_0 = a3.fma(x0, c3_0);
            c3_1 = a3.fma(x1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c4_0 = a4.fma(x0, c4_0);
            c4_1 = a4.fma(x1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c5_0 = a5.fma(x0, c5_0);
            c5_1 = a5.fma(x1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c6_0 = a6.fma(x0, c6_0);
            c6_1 = a6.fma(x1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c7_0 = a7.fma(x0, c7_0);
            c7_1 = a7.fma(x1, c7_1);
        }
        c0_0.intoArray(c, co + 0 * ldc);
        c0_1.intoArray(c, co + 0 * ldc + L);
        c1_0.intoArray(c, co + 1 * ldc);
        c1_1.intoArray(c, co + 1 * ldc + L);
        c2_0.intoArray(c, co + 2 * ldc);
        c2_1.intoArray(c, co + 2 * ldc + L);
        c3_0.intoArray(c, co + 3 * ldc);
        c3_1.intoArray(c, co + 3 * ldc + L);
        c4_0.intoArray(c, co + 4 * ldc);
        c4_1.intoArray(c, co + 4 * ldc + L);
        c5_0.intoArray(c, co + 5 * ldc);
        c5_1.intoArray(c, co + 5 * ldc + L);
        c6_0.intoArray(c, co + 6 * ldc);
        c6_1.intoArray(c, co + 6 * ldc + L);
        c7_0.intoArray(c, co + 7 * ldc);
        c7_1.intoArray(c, co + 7 * ldc + L);
    }

    /** Offset in the padded image of the first pixel of pixel vector v: oh·Wp + ow. */
    private static int pixelBase(int v, int wo, int wp) {
        int p = v * L;
        return (p / wo) * wp + p % wo;
    }

    /** The 3 channels × 3 pixel vectors tile over all patch rows, starting from the bias. Flat on purpose. */
    private static void forwardKernel(int rows, float[] ap, int apo, int[] offs, float[] xp, int base0, int base1, int base2,
                                      float bias0, float bias1, float bias2, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.broadcast(S, bias0), c01 = c00, c02 = c00;
        FloatVector c10 = FloatVector.broadcast(S, bias1), c11 = c10, c12 = c10;
        FloatVector c20 = FloatVector.broadcast(S, bias2), c21 = c20, c22 = c20;
        for (int r = 0, pa = apo; r < rows; r++, pa += MR) {
            int off = offs[r];
            FloatVector x0 = FloatVector.fromArray(S, xp, base0 + off);
            FloatVector x1 = FloatVector.fromArray(S, xp, base1 + off);
            FloatVector x2 = FloatVector.fromArray(S, xp, base2 + off);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(x0, c00);
            c01 = a0.fma(x1, c01);
            c02 = a0.fma(x2, c02);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(x0, c10);
            c11 = a1.fma(x1, c11);
            c12 = a1.fma(x2, c12);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(x0, c20);
            c21 = a2.fma(x1, c21);
            c22 = a2.fma(x2, c22);
        }
        int c1 = co + ldc, c2 = co + 2 * ldc;
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c12.intoArray(c, c1 + 2 * L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c22.intoArray(c, c2 + 2 * L);
    }

    // ------------------------------------------------------------ input gradient

    /** dx = the input gradient of conv2d for dy, when {@link #inputGradApplies}; dx is fully overwritten. */
    public static void inputGrad(Geometry q, float[] dy, int go, float[] w, int wo, float[] dx) {
        int kh = q.kh(), kw = q.kw(), c = q.c(), o = q.o();
        // W′[c, o, i, j] = W[o, c, kh−1−i, kw−1−j]
        float[] flipped = new float[o * c * kh * kw];
        for (int oc = 0; oc < o; oc++) {
            for (int cc = 0; cc < c; cc++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        flipped[((cc * o + oc) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = w[wo + ((oc * c + cc) * kh + i) * kw + j];
                    }
                }
            }
        }
        Geometry t = new Geometry(q.n(), o, q.ho(), q.wo(), c, kh, kw, 1, 1, kh - 1 - q.ph(), kw - 1 - q.pw(), 1, 1, 1, q.h(), q.w());
        forward(t, dy, go, flipped, 0, null, 0, dx);
    }

    // ------------------------------------------------------------ strided input gradient

    /**
     * Whether the input gradient of a strided convolution can run here, as sh·sw stride-1 convolutions of dy, one per
     * stride phase of dx ({@link #stridedInputGrad}): no dilation, one group, a stride above 1, a kernel at least as
     * large as the stride (so every phase has a tap), an input whose height and width the stride divides (every phase
     * of dx the same size), and phase rows of whole vectors or, narrower than one vector, phases of whole vectors.
     *
     * @param q the convolution
     * @return whether {@link #stridedInputGrad} applies
     */
    public static boolean stridedInputGradApplies(Geometry q) {
        if (!Vectors.ENABLED || q.dh() != 1 || q.dw() != 1 || q.groups() != 1 || q.sh() * q.sw() == 1) return false;
        if (q.kh() < q.sh() || q.kw() < q.sw() || q.h() % q.sh() != 0 || q.w() % q.sw() != 0) return false;
        int mh = q.h() / q.sh(), mw = q.w() / q.sw();
        return mw % L == 0 || mw < L && mh * mw % L == 0;
    }

    /**
     * One dimension of a stride phase of the input gradient: dx at {@code s·m + a} is Σ_u dy[m + start + u] ·
     * w[tap(u)] for u in [0, taps), tap(u) = first + s·(taps − 1 − u): a stride-1 correlation of dy with the
     * reversed taps of w that are ≡ a + p (mod s).
     */
    private record Phase(int first, int taps, int start) {
        static Phase of(int a, int s, int p, int k) {
            int first = Math.floorMod(a + p, s), taps = (k - first + s - 1) / s;
            return new Phase(first, taps, (a + p - first) / s - (taps - 1));
        }

        int tap(int u, int s) {
            return first + s * (taps - 1 - u);
        }
    }

    /**
     * dx = the input gradient of a strided conv2d for dy, when {@link #stridedInputGradApplies}; dx is fully
     * overwritten. Each stride phase (a, b) of dx, dx[n, c, s_h·m + a, s_w·m′ + b], is a stride-1 convolution of dy
     * with the taps of w that reach it (1×1, 1×2, 2×1 and 2×2 for a 3×3 kernel at stride 2: together the kernel's 9,
     * so no product with an inserted zero), run by the forward's tiles on dy zero-padded once per image; the phases are
     * then interleaved into dx. Each element of dx sums its (o, u, v) products in order from 0 as fused multiply-adds;
     * one task per image, so the result does not depend on the thread count. (Through im2col, GEMM and col2im this
     * gradient ran at a third of the forward's speed.)
     */
    public static void stridedInputGrad(Geometry q, float[] dy, int go, float[] w, int wo, float[] dx) {
        int sh = q.sh(), sw = q.sw(), c = q.c(), o = q.o(), kh = q.kh(), kw = q.kw(), ho = q.ho(), wout = q.wo();
        int mh = q.h() / sh, mw = q.w() / sw, pixels = mh * mw, phases = sh * sw;
        Phase[] rowPhase = new Phase[sh], colPhase = new Phase[sw];
        for (int a = 0; a < sh; a++) rowPhase[a] = Phase.of(a, sh, q.ph(), kh);
        for (int b = 0; b < sw; b++) colPhase[b] = Phase.of(b, sw, q.pw(), kw);
        // dy padded by lo above / left and hi below / right: every row and column a phase reads.
        int loH = 0, hiH = 0, loW = 0, hiW = 0, dMin = Integer.MAX_VALUE, dMax = Integer.MIN_VALUE;
        for (Phase f : rowPhase) {
            loH = Math.max(loH, -f.start());
            hiH = Math.max(hiH, mh - 1 + f.start() + f.taps() - 1 - (ho - 1));
        }
        for (Phase f : colPhase) {
            loW = Math.max(loW, -f.start());
            hiW = Math.max(hiW, mw - 1 + f.start() + f.taps() - 1 - (wout - 1));
            dMin = Math.min(dMin, f.start());
            dMax = Math.max(dMax, f.start() + f.taps() - 1);
        }
        int hp = ho + loH + hiH, wp = wout + loW + hiW, plane = hp * wp, top = loH, left = loW;
        // Phase rows narrower than a vector: dy as copies shifted by each column offset d a phase reads (the row-shifted
        // layout of padRows, shared by all phases), copy[oc, d − dMin, y + lo, m′] = dy[oc, y, m′ + d] (0 outside dy),
        // so that pixel p of a phase's output reads float (u + start + lo)·mw + p of a copy.
        boolean shifted = mw % L != 0;
        int shifts = dMax - dMin + 1, copyPlane = hp * mw;
        // Per phase: its stride-1 geometry (o → c channels, taps_a × taps_b), weights as the forward's panels, offsets.
        Geometry[] geo = new Geometry[phases];
        float[][] panels = new float[phases][];
        int[][] offsets = new int[phases][];
        for (int a = 0; a < sh; a++) {
            for (int b = 0; b < sw; b++) {
                Phase fa = rowPhase[a], fb = colPhase[b];
                int ta = fa.taps(), tb = fb.taps(), rows = o * ta * tb, ph = a * sw + b;
                geo[ph] = new Geometry(1, o, hp, wp, c, ta, tb, 1, 1, 0, 0, 1, 1, 1, mh, mw);
                boolean wide = wideForward(c), tall = wide && rows >= TALL_ROWS;
                int mr = tall ? MR6 : wide ? MR4 : MR;
                float[] ap = new float[(c + mr - 1) / mr * mr * rows];
                for (int cc = 0; cc < c; cc++) {
                    int base = (cc / mr) * mr * rows + cc % mr;
                    for (int oc = 0; oc < o; oc++) {
                        for (int u = 0; u < ta; u++) {
                            for (int v = 0; v < tb; v++) {
                                int r = (oc * ta + u) * tb + v;
                                ap[base + r * mr] = w[wo + ((oc * c + cc) * kh + fa.tap(u, sh)) * kw + fb.tap(v, sw)];
                            }
                        }
                    }
                }
                panels[ph] = ap;
                int[] offs = new int[rows];
                for (int oc = 0; oc < o; oc++) {
                    for (int u = 0; u < ta; u++) {
                        for (int v = 0; v < tb; v++) {
                            offs[(oc * ta + u) * tb + v] = shifted ? ((oc * shifts + fb.start() + v - dMin) * hp + u + fa.start() + loH) * mw
                                    : oc * plane + (u + fa.start() + loH) * wp + v + fb.start() + loW;
                        }
                    }
                }
                offsets[ph] = offs;
            }
        }
        // The shifted copies by whole vectors when a vector holds whole rows of dy as wide as the phases: one masked
        // load per vector, the mask zeroing the columns a shift moves past the row's ends.
        boolean vectorShifts = shifted && mw == wout && L % mw == 0 && ho * wout % L == 0;
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] shiftMask = new VectorMask[shifts];
        for (int d = dMin; d <= dMax; d++) {
            boolean[] in = new boolean[L];
            for (int k = 0; k < L; k++) in[k] = k % mw + d >= 0 && k % mw + d < wout;
            shiftMask[d - dMin] = VectorMask.fromArray(S, in, 0);
        }
        int yImage = o * ho * wout, xImage = c * q.h() * q.w(), first = dMin;
        boolean ahead = Prefetch.worth((long) q.n() * yImage * Float.BYTES);
        Vectors.count();
        Parallel.forRange(q.n(), 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            // zeros outside what every image overwrites
            float[] src = shifted ? new float[o * shifts * copyPlane] : new float[o * plane];
            float[] out = new float[phases * c * pixels];
            for (int n = from; n < to; n++) {
                int dyn = go + n * yImage;
                if (ahead) Prefetch.lines(dy, dyn, yImage);
                for (int oc = 0; oc < o; oc++) {
                    if (!shifted) {
                        for (int y = 0; y < ho; y++) stridedCopy(dy, dyn + (oc * ho + y) * wout, 1, src, oc * plane + (y + top) * wp + left, wout);
                        continue;
                    }
                    for (int d = first; d < first + shifts; d++) {
                        int dst = ((oc * shifts + d - first) * hp + top) * mw, at = dyn + oc * ho * wout;
                        if (vectorShifts) {
                            VectorMask<Float> mask = shiftMask[d - first];
                            for (int p = 0; p < ho * wout; p += L) FloatVector.fromArray(S, dy, at + p + d, mask).intoArray(src, dst + p);
                        } else {
                            for (int y = 0; y < ho; y++) {
                                for (int k = 0; k < mw; k++) src[dst + y * mw + k] = k + d >= 0 && k + d < wout ? dy[at + y * wout + k + d] : 0f;
                            }
                        }
                    }
                }
                for (int a = 0; a < sh; a++) {
                    for (int b = 0; b < sw; b++) {
                        int ph = a * sw + b;
                        Geometry t = geo[ph];
                        int wq = shifted ? mw : wp;
                        boolean wide = wideForward(c), tall = wide && t.rows() >= TALL_ROWS;
                        if (tall) forwardImage6(t, src, wq, offsets[ph], panels[ph], null, 0, out, ph * c * pixels, s.tile);
                        else if (wide) forwardImage4(t, src, wq, offsets[ph], panels[ph], null, 0, out, ph * c * pixels, s.tile);
                        else forwardImage(t, src, wq, offsets[ph], panels[ph], null, 0, out, ph * c * pixels, s.tile);
                    }
                }
                interleave(out, c, sh, sw, mh, mw, dx, n * xImage);
            }
        });
    }

    /** Lanes 0, L, 1, L+1, …: the low halves of two vectors interleaved. */
    private static final FloatVector ZIP_LOW = zip(0);
    /** Lanes L/2, 3L/2, L/2+1, …: the high halves of two vectors interleaved. */
    private static final FloatVector ZIP_HIGH = zip(L / 2);

    private static FloatVector zip(int from) {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = k % 2 == 0 ? from + k / 2 : L + from + k / 2;
        return FloatVector.fromArray(S, idx, 0);
    }

    /**
     * dx[c, sh·m + a, sw·m′ + b] = out[(a·sw + b), c, m·mw + m′] for one image at dxo. At a column stride of 2 with phase
     * rows of whole half vectors, the two column phases' vectors interleaved by one lane permutation each; elementwise
     * otherwise.
     */
    private static void interleave(float[] out, int c, int sh, int sw, int mh, int mw, float[] dx, int dxo) {
        int pixels = mh * mw, wd = sw * mw, hd = sh * mh;
        for (int cc = 0; cc < c; cc++) {
            int plane = dxo + cc * hd * wd;
            for (int a = 0; a < sh; a++) {
                if (sw == 2 && mw % (L / 2) == 0) {
                    int p0 = ((a * 2) * c + cc) * pixels, p1 = ((a * 2 + 1) * c + cc) * pixels;
                    for (int p = 0; p < pixels; p += L) {
                        FloatVector v0 = FloatVector.fromArray(S, out, p0 + p), v1 = FloatVector.fromArray(S, out, p1 + p);
                        int m = p / mw, col = p % mw;
                        ZIP_LOW.selectFrom(v0, v1).intoArray(dx, plane + (sh * m + a) * wd + 2 * col);
                        int ph = p + L / 2;
                        m = ph / mw;
                        col = ph % mw;
                        ZIP_HIGH.selectFrom(v0, v1).intoArray(dx, plane + (sh * m + a) * wd + 2 * col);
                    }
                    continue;
                }
                for (int b = 0; b < sw; b++) {
                    int src = ((a * sw + b) * c + cc) * pixels;
                    for (int m = 0; m < mh; m++) {
                        int dst = plane + (sh * m + a) * wd + b;
                        for (int k = 0; k < mw; k++) dx[dst + sw * k] = out[src + m * mw + k];
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ weight gradient

    /** dw [O, C, kh, kw] = Σ_n dy[n] · patches(x[n])ᵀ; dw is fully overwritten. */
    public static void weightGrad(Geometry q, float[] x, int xo, float[] dy, int go, float[] dw) {
        if (ChannelWeightGrad.applies(q)) {
            ChannelWeightGrad.weightGrad(q, x, xo, dy, go, dw);
            return;
        }
        int c = q.c(), h = q.h(), wd = q.w(), o = q.o(), rows = q.rows(), pixels = q.pixels();
        int hp = planeH(q), wp = planeW(q);
        int[] offs = offsets(q, hp, wp);
        // The tile (output channels × patch rows) decides only which sums share registers, not their order. Pixels ending in a
        // partial vector take the packed-dy tiles at any O: the 3 × 3 tile reads dy in place, past the image's last pixel.
        boolean wide = wideForward(o) || WIDE && pixels % L != 0;
        int tm = wide ? weightTileChannels(o) : MR, tn = wide ? (tm == 8 ? 3 : 4) : NV;
        int o3 = (o + tm - 1) / tm * tm, r3 = (rows + tn - 1) / tn * tn;
        int chunks = (q.n() + CHUNK - 1) / CHUNK;
        int size = o3 * r3 * L;
        // Per chunk, lane-wise partial sums [o3, r3, L]: lane l holds the sum over pixels p ≡ l (mod L).
        // Rows and columns past O and R pad the tiles and are never read.
        // The calling thread's buffer: every tile of every chunk is written before it is read.
        float[] partials = SCRATCH.get().partials(chunks * size);
        int xImage = c * h * wd, yImage = o * pixels;
        int vectors = vectors(pixels);
        int[] posTable = new int[vectors];
        for (int v = 0; v < vectors; v++) posTable[v] = pixelBase(v, q.wo(), wp);
        boolean ahead = Prefetch.worth((long) q.n() * xImage * Float.BYTES);
        Vectors.count();
        int padded = paddedSize(q);
        // One image per group when it alone gives a tile call LONG_IMAGE vector steps: a 3→32 @32×32 tile then works
        // on 14 KB of padded image and 16 KB of dy (L1) instead of four times that (weight gradient 5.3 → 4.5 ms CPU at
        // 512 bits, 5.6 → 5.0 at 256); 32→64 @16×16 (16 steps an image) stays at GROUP, 1 or 2 were 5–20% slower.
        int group = vectors >= LONG_IMAGE ? 1 : vectors <= SHORT_IMAGE ? 2 * GROUP : GROUP;
        boolean pairs = wide && tm == 8 && group == 1 && pairedRows(q);
        Parallel.forRange(chunks, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            float[] xp = s.padded(group * padded);
            float[] gp = wide ? s.dyPanel(tm * group * vectors * L) : null;
            // Offset of step t = (image n, vector v) of a group in its padded copies: one flat loop in the tiles.
            int[] posT = new int[group * vectors];
            for (int t = 0; t < posT.length; t++) posT[t] = (t / vectors) * padded + posTable[t % vectors];
            for (int ch = from; ch < to; ch++) {
                int chunkEnd = Math.min(q.n(), (ch + 1) * CHUNK);
                // Groups of `group` images: their padded copies and dy (≈ 400 KB for 32→64 @16) stay in L2 while
                // every tile runs over all of them, so a partial tile is loaded and stored once per group.
                for (int first = ch * CHUNK; first < chunkEnd; first += group) {
                    int images = Math.min(group, chunkEnd - first);
                    if (ahead) {
                        Prefetch.lines(x, xo + first * xImage, images * xImage);
                        Prefetch.lines(dy, go + first * yImage, images * yImage);
                    }
                    for (int k = 0; k < images; k++) padImage(q, x, xo + (first + k) * xImage, xp, k * padded);
                    int dyImage = go + first * yImage;
                    boolean accumulate = first > ch * CHUNK;
                    for (int ob = 0; ob < o3; ob += tm) {
                        if (wide) {
                            packDy(dy, dyImage, yImage, pixels, Math.min(tm, o - ob), ob, tm, images, gp);
                            for (int rb = 0; rb < r3; rb += tn) {
                                int off0 = offs[Math.min(rb, rows - 1)], off1 = offs[Math.min(rb + 1, rows - 1)];
                                int off2 = offs[Math.min(rb + 2, rows - 1)], off3 = offs[Math.min(rb + 3, rows - 1)];
                                int co = ch * size + (ob * r3 + rb) * L;
                                if (pairs && off1 == off0 + 1 && off2 == off0 + 2) {
                                    weightKernel8x3Pairs(vectors, wp, gp, xp, off0, partials, co, r3 * L, accumulate);
                                } else if (tm == 8) {
                                    weightKernel8x3(images * vectors, posT, gp, xp, off0, off1, off2, partials, co, r3 * L, accumulate);
                                } else if (tm == 6) {
                                    weightKernel6x4(images * vectors, posT, gp, xp, off0, off1, off2, off3, partials, co, r3 * L, accumulate);
                                } else {
                                    weightKernel4x4(images * vectors, posT, gp, xp, off0, off1, off2, off3, partials, co, r3 * L, accumulate);
                                }
                            }
                            continue;
                        }
                        // Padding rows past O re-read row O−1; padding patch rows re-read row R−1.
                        int d0 = dyImage + Math.min(ob, o - 1) * pixels, d1 = dyImage + Math.min(ob + 1, o - 1) * pixels;
                        int d2 = dyImage + Math.min(ob + 2, o - 1) * pixels;
                        for (int rb = 0; rb < r3; rb += tn) {
                            int off0 = offs[Math.min(rb, rows - 1)], off1 = offs[Math.min(rb + 1, rows - 1)];
                            int off2 = offs[Math.min(rb + 2, rows - 1)];
                            int co = ch * size + (ob * r3 + rb) * L;
                            weightKernel(images, padded, yImage, vectors, posTable, dy, d0, d1, d2, xp, off0, off1, off2,
                                    partials, co, r3 * L, accumulate);
                        }
                    }
                }
            }
        });
        // dw[o, r] = Σ over chunks in order, then over lanes in order: chunks·L dependent additions per element (128 for
        // 32→64 at 512 bits, 2.4 M in all), which on one thread, one chain at a time, waited on the adder's latency.
        // Output channels split across threads, four rows' chains interleaved: each element's sum is unchanged.
        int grain = (int) Math.max(1, 200_000L / ((long) rows * chunks * L));
        Parallel.forRange(o, grain, (from, to) -> {
            for (int oc = from; oc < to; oc++) {
                int r = 0;
                for (; r + 4 <= rows; r += 4) {
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                    for (int ch = 0; ch < chunks; ch++) {
                        int base = ch * size + (oc * r3 + r) * L;
                        for (int l = 0; l < L; l++) {
                            s0 += partials[base + l];
                            s1 += partials[base + L + l];
                            s2 += partials[base + 2 * L + l];
                            s3 += partials[base + 3 * L + l];
                        }
                    }
                    dw[oc * rows + r] = s0;
                    dw[oc * rows + r + 1] = s1;
                    dw[oc * rows + r + 2] = s2;
                    dw[oc * rows + r + 3] = s3;
                }
                for (; r < rows; r++) {
                    float sum = 0f;
                    for (int ch = 0; ch < chunks; ch++) {
                        int base = ch * size + (oc * r3 + r) * L;
                        for (int l = 0; l < L; l++) sum += partials[base + l];
                    }
                    dw[oc * rows + r] = sum;
                }
            }
        });
    }

    /**
     * Whether the 8 × 3 weight tile of q computes each step's position ({@link #weightKernel8x3Pairs}) for its triples of
     * patch rows: stride 1, the padded image (not the row-shifted copy), output rows of two vectors, and 512-bit vectors.
     * 16→16 @32×32's weight gradient, 1 thread, pinned, JVMs alternating: 5.5–6.2 → 4.2–4.4 ms; 3→32 @32×32 2.6–2.7 →
     * 2.0–2.3. At 256 bits the same form measured slower than the table (16→16 @64×16: 6.8–7.0 → 7.2–7.3 ms; rows of four
     * vectors, (t >> 2)·Wp + (t & 3)·L, 16→16 @32×32: 6.9 → 7.8), so there the table stays.
     */
    static boolean pairedRows(Geometry q) {
        return L == 16 && q.sh() == 1 && q.sw() == 1 && !rowShifted(q) && q.wo() == 2 * L;
    }

    /**
     * Output channels of the weight-gradient tile with 32 registers: 8 (× 3 patch rows), 6 or 4 (× 4), whichever pads O
     * least, the larger on a tie. 8 × 3 reads 11 vectors per 24 FMAs, 4 × 4 8 per 16: 32→64 @16×16's weight gradient
     * 16.0 → 12.6–12.9 ms, 32→32 @16×16 7.9 → 6.3–7.3 (512 bits, 1 thread, CPU time, same runs, load ~8).
     */
    static int weightTileChannels(int o) {
        int best = 8;
        for (int tm : new int[] {6, 4}) if ((o + tm - 1) / tm * tm < (o + best - 1) / best * best) best = tm;
        return best;
    }

    /**
     * The dy rows of output channels [ob, ob + m) of {@code images} images from dyImage (images yStride apart) as the
     * weight-gradient tile reads them, one vector of each channel after the other: gp[((n·V + v)·tm + k)·L + l] =
     * dy[n, ob + k, v·L + l], channels past m repeating the last (their sums are never read). The tile then reads dy at
     * one moving offset instead of one per channel (integer registers the 24-accumulator tiles ran out of).
     */
    private static void packDy(float[] dy, int dyImage, int yStride, int pixels, int m, int ob, int tm, int images, float[] gp) {
        int whole = pixels / L, vectors = vectors(pixels);
        VectorMask<Float> last = S.indexInRange(whole * L, pixels);
        for (int n = 0; n < images; n++) {
            for (int k = 0; k < tm; k++) {
                int src = dyImage + n * yStride + (ob + Math.min(k, m - 1)) * pixels;
                int dst = (n * vectors * tm + k) * L;
                for (int v = 0; v < whole; v++, src += L, dst += tm * L) FloatVector.fromArray(S, dy, src).intoArray(gp, dst);
                // A partial last vector: its lanes past the image are 0 (the patches there read the plane's zero tail).
                if (whole < vectors) FloatVector.fromArray(S, dy, src, last).intoArray(gp, dst);
            }
        }
    }

    /**
     * Lane-wise partial sums of a 4 output channels × 4 patch rows tile of dW, dy read from its packed panel (see
     * {@link #packDy}): C[k, l, :] (+)= Σ_n Σ_v dy[n, o_k, v·L : v·L+L] ∘ patches[n, r_l, v·L : v·L+L], n and v in order. Flat
     * on purpose.
     */
    private static void weightKernel4x4(int steps, int[] posT, float[] gp,
                                          float[] xp, int off0, int off1, int off2, int off3, float[] c, int co, int ldo, boolean accumulate) {
        FloatVector c0_0, c0_1, c0_2, c0_3;
        FloatVector c1_0, c1_1, c1_2, c1_3;
        FloatVector c2_0, c2_1, c2_2, c2_3;
        FloatVector c3_0, c3_1, c3_2, c3_3;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldo + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldo + 1 * L);
            c0_2 = FloatVector.fromArray(S, c, co + 0 * ldo + 2 * L);
            c0_3 = FloatVector.fromArray(S, c, co + 0 * ldo + 3 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldo + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldo + 1 * L);
            c1_2 = FloatVector.fromArray(S, c, co + 1 * ldo + 2 * L);
            c1_3 = FloatVector.fromArray(S, c, co + 1 * ldo + 3 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldo + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldo + 1 * L);
            c2_2 = FloatVector.fromArray(S, c, co + 2 * ldo + 2 * L);
            c2_3 = FloatVector.fromArray(S, c, co + 2 * ldo + 3 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldo + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldo + 1 * L);
            c3_2 = FloatVector.fromArray(S, c, co + 3 * ldo + 2 * L);
            c3_3 = FloatVector.fromArray(S, c, co + 3 * ldo + 3 * L);
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
        }
        for (int t = 0, g = 0; t < steps; t++, g += 4 * L) {
            {
                int pos = posT[t];
                FloatVector x0 = FloatVector.fromArray(S, xp, off0 + pos);
                FloatVector x1 = FloatVector.fromArray(S, xp, off1 + pos);
                FloatVector x2 = FloatVector.fromArray(S, xp, off2 + pos);
                FloatVector x3 = FloatVector.fromArray(S, xp, off3 + pos);
                FloatVector g0 = FloatVector.fromArray(S, gp, g + 0 * L);
                c0_0 = g0.fma(x0, c0_0);
                c0_1 = g0.fma(x1, c0_1);
                c0_2 = g0.fma(x2, c0_2);
                c0_3 = g0.fma(x3, c0_3);
                FloatVector g1 = FloatVector.fromArray(S, gp, g + 1 * L);
                c1_0 = g1.fma(x0, c1_0);
                c1_1 = g1.fma(x1, c1_1);
                c1_2 = g1.fma(x2, c1_2);
                c1_3 = g1.fma(x3, c1_3);
                FloatVector g2 = FloatVector.fromArray(S, gp, g + 2 * L);
                c2_0 = g2.fma(x0, c2_0);
                c2_1 = g2.fma(x1, c2_1);
                c2_2 = g2.fma(x2, c2_2);
                c2_3 = g2.fma(x3, c2_3);
                FloatVector g3 = FloatVector.fromArray(S, gp, g + 3 * L);
                c3_0 = g3.fma(x0, c3_0);
                c3_1 = g3.fma(x1, c3_1);
                c3_2 = g3.fma(x2, c3_2);
                c3_3 = g3.fma(x3, c3_3);
            }
        }
        c0_0.intoArray(c, co + 0 * ldo + 0 * L);
        c0_1.intoArray(c, co + 0 * ldo + 1 * L);
        c0_2.intoArray(c, co + 0 * ldo + 2 * L);
        c0_3.intoArray(c, co + 0 * ldo + 3 * L);
        c1_0.intoArray(c, co + 1 * ldo + 0 * L);
        c1_1.intoArray(c, co + 1 * ldo + 1 * L);
        c1_2.intoArray(c, co + 1 * ldo + 2 * L);
        c1_3.intoArray(c, co + 1 * ldo + 3 * L);
        c2_0.intoArray(c, co + 2 * ldo + 0 * L);
        c2_1.intoArray(c, co + 2 * ldo + 1 * L);
        c2_2.intoArray(c, co + 2 * ldo + 2 * L);
        c2_3.intoArray(c, co + 2 * ldo + 3 * L);
        c3_0.intoArray(c, co + 3 * ldo + 0 * L);
        c3_1.intoArray(c, co + 3 * ldo + 1 * L);
        c3_2.intoArray(c, co + 3 * ldo + 2 * L);
        c3_3.intoArray(c, co + 3 * ldo + 3 * L);
    }

    /**
     * Lane-wise partial sums of a 6 output channels × 4 patch rows tile of dW, dy read from its packed panel (see
     * {@link #packDy}): C[k, l, :] (+)= Σ_n Σ_v dy[n, o_k, v·L : v·L+L] ∘ patches[n, r_l, v·L : v·L+L], n and v in order. Flat
     * on purpose.
     */
    private static void weightKernel6x4(int steps, int[] posT, float[] gp,
                                          float[] xp, int off0, int off1, int off2, int off3, float[] c, int co, int ldo, boolean accumulate) {
        FloatVector c0_0, c0_1, c0_2, c0_3;
        FloatVector c1_0, c1_1, c1_2, c1_3;
        FloatVector c2_0, c2_1, c2_2, c2_3;
        FloatVector c3_0, c3_1, c3_2, c3_3;
        FloatVector c4_0, c4_1, c4_2, c4_3;
        FloatVector c5_0, c5_1, c5_2, c5_3;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldo + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldo + 1 * L);
            c0_2 = FloatVector.fromArray(S, c, co + 0 * ldo + 2 * L);
            c0_3 = FloatVector.fromArray(S, c, co + 0 * ldo + 3 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldo + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldo + 1 * L);
            c1_2 = FloatVector.fromArray(S, c, co + 1 * ldo + 2 * L);
            c1_3 = FloatVector.fromArray(S, c, co + 1 * ldo + 3 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldo + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldo + 1 * L);
            c2_2 = FloatVector.fromArray(S, c, co + 2 * ldo + 2 * L);
            c2_3 = FloatVector.fromArray(S, c, co + 2 * ldo + 3 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldo + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldo + 1 * L);
            c3_2 = FloatVector.fromArray(S, c, co + 3 * ldo + 2 * L);
            c3_3 = FloatVector.fromArray(S, c, co + 3 * ldo + 3 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldo + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldo + 1 * L);
            c4_2 = FloatVector.fromArray(S, c, co + 4 * ldo + 2 * L);
            c4_3 = FloatVector.fromArray(S, c, co + 4 * ldo + 3 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldo + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldo + 1 * L);
            c5_2 = FloatVector.fromArray(S, c, co + 5 * ldo + 2 * L);
            c5_3 = FloatVector.fromArray(S, c, co + 5 * ldo + 3 * L);
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
        for (int t = 0, g = 0; t < steps; t++, g += 6 * L) {
            {
                int pos = posT[t];
                FloatVector x0 = FloatVector.fromArray(S, xp, off0 + pos);
                FloatVector x1 = FloatVector.fromArray(S, xp, off1 + pos);
                FloatVector x2 = FloatVector.fromArray(S, xp, off2 + pos);
                FloatVector x3 = FloatVector.fromArray(S, xp, off3 + pos);
                FloatVector g0 = FloatVector.fromArray(S, gp, g + 0 * L);
                c0_0 = g0.fma(x0, c0_0);
                c0_1 = g0.fma(x1, c0_1);
                c0_2 = g0.fma(x2, c0_2);
                c0_3 = g0.fma(x3, c0_3);
                FloatVector g1 = FloatVector.fromArray(S, gp, g + 1 * L);
                c1_0 = g1.fma(x0, c1_0);
                c1_1 = g1.fma(x1, c1_1);
                c1_2 = g1.fma(x2, c1_2);
                c1_3 = g1.fma(x3, c1_3);
                FloatVector g2 = FloatVector.fromArray(S, gp, g + 2 * L);
                c2_0 = g2.fma(x0, c2_0);
                c2_1 = g2.fma(x1, c2_1);
                c2_2 = g2.fma(x2, c2_2);
                c2_3 = g2.fma(x3, c2_3);
                FloatVector g3 = FloatVector.fromArray(S, gp, g + 3 * L);
                c3_0 = g3.fma(x0, c3_0);
                c3_1 = g3.fma(x1, c3_1);
                c3_2 = g3.fma(x2, c3_2);
                c3_3 = g3.fma(x3, c3_3);
                FloatVector g4 = FloatVector.fromArray(S, gp, g + 4 * L);
                c4_0 = g4.fma(x0, c4_0);
                c4_1 = g4.fma(x1, c4_1);
                c4_2 = g4.fma(x2, c4_2);
                c4_3 = g4.fma(x3, c4_3);
                FloatVector g5 = FloatVector.fromArray(S, gp, g + 5 * L);
                c5_0 = g5.fma(x0, c5_0);
                c5_1 = g5.fma(x1, c5_1);
                c5_2 = g5.fma(x2, c5_2);
                c5_3 = g5.fma(x3, c5_3);
            }
        }
        c0_0.intoArray(c, co + 0 * ldo + 0 * L);
        c0_1.intoArray(c, co + 0 * ldo + 1 * L);
        c0_2.intoArray(c, co + 0 * ldo + 2 * L);
        c0_3.intoArray(c, co + 0 * ldo + 3 * L);
        c1_0.intoArray(c, co + 1 * ldo + 0 * L);
        c1_1.intoArray(c, co + 1 * ldo + 1 * L);
        c1_2.intoArray(c, co + 1 * ldo + 2 * L);
        c1_3.intoArray(c, co + 1 * ldo + 3 * L);
        c2_0.intoArray(c, co + 2 * ldo + 0 * L);
        c2_1.intoArray(c, co + 2 * ldo + 1 * L);
        c2_2.intoArray(c, co + 2 * ldo + 2 * L);
        c2_3.intoArray(c, co + 2 * ldo + 3 * L);
        c3_0.intoArray(c, co + 3 * ldo + 0 * L);
        c3_1.intoArray(c, co + 3 * ldo + 1 * L);
        c3_2.intoArray(c, co + 3 * ldo + 2 * L);
        c3_3.intoArray(c, co + 3 * ldo + 3 * L);
        c4_0.intoArray(c, co + 4 * ldo + 0 * L);
        c4_1.intoArray(c, co + 4 * ldo + 1 * L);
        c4_2.intoArray(c, co + 4 * ldo + 2 * L);
        c4_3.intoArray(c, co + 4 * ldo + 3 * L);
        c5_0.intoArray(c, co + 5 * ldo + 0 * L);
        c5_1.intoArray(c, co + 5 * ldo + 1 * L);
        c5_2.intoArray(c, co + 5 * ldo + 2 * L);
        c5_3.intoArray(c, co + 5 * ldo + 3 * L);
    }

    /**
     * Lane-wise partial sums of a 8 output channels × 3 patch rows tile of dW, dy read from its packed panel (see
     * {@link #packDy}): C[k, l, :] (+)= Σ_n Σ_v dy[n, o_k, v·L : v·L+L] ∘ patches[n, r_l, v·L : v·L+L], n and v in order. Flat
     * on purpose.
     */
    private static void weightKernel8x3(int steps, int[] posT, float[] gp,
                                          float[] xp, int off0, int off1, int off2, float[] c, int co, int ldo, boolean accumulate) {
        FloatVector c0_0, c0_1, c0_2;
        FloatVector c1_0, c1_1, c1_2;
        FloatVector c2_0, c2_1, c2_2;
        FloatVector c3_0, c3_1, c3_2;
        FloatVector c4_0, c4_1, c4_2;
        FloatVector c5_0, c5_1, c5_2;
        FloatVector c6_0, c6_1, c6_2;
        FloatVector c7_0, c7_1, c7_2;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldo + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldo + 1 * L);
            c0_2 = FloatVector.fromArray(S, c, co + 0 * ldo + 2 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldo + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldo + 1 * L);
            c1_2 = FloatVector.fromArray(S, c, co + 1 * ldo + 2 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldo + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldo + 1 * L);
            c2_2 = FloatVector.fromArray(S, c, co + 2 * ldo + 2 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldo + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldo + 1 * L);
            c3_2 = FloatVector.fromArray(S, c, co + 3 * ldo + 2 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldo + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldo + 1 * L);
            c4_2 = FloatVector.fromArray(S, c, co + 4 * ldo + 2 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldo + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldo + 1 * L);
            c5_2 = FloatVector.fromArray(S, c, co + 5 * ldo + 2 * L);
            c6_0 = FloatVector.fromArray(S, c, co + 6 * ldo + 0 * L);
            c6_1 = FloatVector.fromArray(S, c, co + 6 * ldo + 1 * L);
            c6_2 = FloatVector.fromArray(S, c, co + 6 * ldo + 2 * L);
            c7_0 = FloatVector.fromArray(S, c, co + 7 * ldo + 0 * L);
            c7_1 = FloatVector.fromArray(S, c, co + 7 * ldo + 1 * L);
            c7_2 = FloatVector.fromArray(S, c, co + 7 * ldo + 2 * L);
        } else {
            c0_0 = FloatVector.zero(S);
            c0_1 = c0_0;
            c0_2 = c0_0;
            c1_0 = c0_0;
            c1_1 = c0_0;
            c1_2 = c0_0;
            c2_0 = c0_0;
            c2_1 = c0_0;
            c2_2 = c0_0;
            c3_0 = c0_0;
            c3_1 = c0_0;
            c3_2 = c0_0;
            c4_0 = c0_0;
            c4_1 = c0_0;
            c4_2 = c0_0;
            c5_0 = c0_0;
            c5_1 = c0_0;
            c5_2 = c0_0;
            c6_0 = c0_0;
            c6_1 = c0_0;
            c6_2 = c0_0;
            c7_0 = c0_0;
            c7_1 = c0_0;
            c7_2 = c0_0;
        }
        for (int t = 0, g = 0; t < steps; t++, g += 8 * L) {
            {
                int pos = posT[t];
                FloatVector x0 = FloatVector.fromArray(S, xp, off0 + pos);
                FloatVector x1 = FloatVector.fromArray(S, xp, off1 + pos);
                FloatVector x2 = FloatVector.fromArray(S, xp, off2 + pos);
                FloatVector g0 = FloatVector.fromArray(S, gp, g + 0 * L);
                c0_0 = g0.fma(x0, c0_0);
                c0_1 = g0.fma(x1, c0_1);
                c0_2 = g0.fma(x2, c0_2);
                FloatVector g1 = FloatVector.fromArray(S, gp, g + 1 * L);
                c1_0 = g1.fma(x0, c1_0);
                c1_1 = g1.fma(x1, c1_1);
                c1_2 = g1.fma(x2, c1_2);
                FloatVector g2 = FloatVector.fromArray(S, gp, g + 2 * L);
                c2_0 = g2.fma(x0, c2_0);
                c2_1 = g2.fma(x1, c2_1);
                c2_2 = g2.fma(x2, c2_2);
                FloatVector g3 = FloatVector.fromArray(S, gp, g + 3 * L);
                c3_0 = g3.fma(x0, c3_0);
                c3_1 = g3.fma(x1, c3_1);
                c3_2 = g3.fma(x2, c3_2);
                FloatVector g4 = FloatVector.fromArray(S, gp, g + 4 * L);
                c4_0 = g4.fma(x0, c4_0);
                c4_1 = g4.fma(x1, c4_1);
                c4_2 = g4.fma(x2, c4_2);
                FloatVector g5 = FloatVector.fromArray(S, gp, g + 5 * L);
                c5_0 = g5.fma(x0, c5_0);
                c5_1 = g5.fma(x1, c5_1);
                c5_2 = g5.fma(x2, c5_2);
                FloatVector g6 = FloatVector.fromArray(S, gp, g + 6 * L);
                c6_0 = g6.fma(x0, c6_0);
                c6_1 = g6.fma(x1, c6_1);
                c6_2 = g6.fma(x2, c6_2);
                FloatVector g7 = FloatVector.fromArray(S, gp, g + 7 * L);
                c7_0 = g7.fma(x0, c7_0);
                c7_1 = g7.fma(x1, c7_1);
                c7_2 = g7.fma(x2, c7_2);
            }
        }
        c0_0.intoArray(c, co + 0 * ldo + 0 * L);
        c0_1.intoArray(c, co + 0 * ldo + 1 * L);
        c0_2.intoArray(c, co + 0 * ldo + 2 * L);
        c1_0.intoArray(c, co + 1 * ldo + 0 * L);
        c1_1.intoArray(c, co + 1 * ldo + 1 * L);
        c1_2.intoArray(c, co + 1 * ldo + 2 * L);
        c2_0.intoArray(c, co + 2 * ldo + 0 * L);
        c2_1.intoArray(c, co + 2 * ldo + 1 * L);
        c2_2.intoArray(c, co + 2 * ldo + 2 * L);
        c3_0.intoArray(c, co + 3 * ldo + 0 * L);
        c3_1.intoArray(c, co + 3 * ldo + 1 * L);
        c3_2.intoArray(c, co + 3 * ldo + 2 * L);
        c4_0.intoArray(c, co + 4 * ldo + 0 * L);
        c4_1.intoArray(c, co + 4 * ldo + 1 * L);
        c4_2.intoArray(c, co + 4 * ldo + 2 * L);
        c5_0.intoArray(c, co + 5 * ldo + 0 * L);
        c5_1.intoArray(c, co + 5 * ldo + 1 * L);
        c5_2.intoArray(c, co + 5 * ldo + 2 * L);
        c6_0.intoArray(c, co + 6 * ldo + 0 * L);
        c6_1.intoArray(c, co + 6 * ldo + 1 * L);
        c6_2.intoArray(c, co + 6 * ldo + 2 * L);
        c7_0.intoArray(c, co + 7 * ldo + 0 * L);
        c7_1.intoArray(c, co + 7 * ldo + 1 * L);
        c7_2.intoArray(c, co + 7 * ldo + 2 * L);
    }

    /**
     * {@link #weightKernel8x3} over one image whose output rows are two vectors, for three patch rows at off, off + 1 and
     * off + 2 (a 3-wide kernel's (c, i, 0…2) on the padded image): step t reads the pixels at (t >> 1)·Wp + (t & 1)·L,
     * computed rather than looked up in {@code posT}, and the three rows at one index. The table's load and three range
     * checks a step held the tile of 16→16 @32×32 (512 bits) at about half the peak; the same FMAs in the same order:
     * the same sums. Flat on purpose.
     */
    private static void weightKernel8x3Pairs(int steps, int wp, float[] gp,
                                          float[] xp, int off, float[] c, int co, int ldo, boolean accumulate) {
        FloatVector c0_0, c0_1, c0_2;
        FloatVector c1_0, c1_1, c1_2;
        FloatVector c2_0, c2_1, c2_2;
        FloatVector c3_0, c3_1, c3_2;
        FloatVector c4_0, c4_1, c4_2;
        FloatVector c5_0, c5_1, c5_2;
        FloatVector c6_0, c6_1, c6_2;
        FloatVector c7_0, c7_1, c7_2;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, co + 0 * ldo + 0 * L);
            c0_1 = FloatVector.fromArray(S, c, co + 0 * ldo + 1 * L);
            c0_2 = FloatVector.fromArray(S, c, co + 0 * ldo + 2 * L);
            c1_0 = FloatVector.fromArray(S, c, co + 1 * ldo + 0 * L);
            c1_1 = FloatVector.fromArray(S, c, co + 1 * ldo + 1 * L);
            c1_2 = FloatVector.fromArray(S, c, co + 1 * ldo + 2 * L);
            c2_0 = FloatVector.fromArray(S, c, co + 2 * ldo + 0 * L);
            c2_1 = FloatVector.fromArray(S, c, co + 2 * ldo + 1 * L);
            c2_2 = FloatVector.fromArray(S, c, co + 2 * ldo + 2 * L);
            c3_0 = FloatVector.fromArray(S, c, co + 3 * ldo + 0 * L);
            c3_1 = FloatVector.fromArray(S, c, co + 3 * ldo + 1 * L);
            c3_2 = FloatVector.fromArray(S, c, co + 3 * ldo + 2 * L);
            c4_0 = FloatVector.fromArray(S, c, co + 4 * ldo + 0 * L);
            c4_1 = FloatVector.fromArray(S, c, co + 4 * ldo + 1 * L);
            c4_2 = FloatVector.fromArray(S, c, co + 4 * ldo + 2 * L);
            c5_0 = FloatVector.fromArray(S, c, co + 5 * ldo + 0 * L);
            c5_1 = FloatVector.fromArray(S, c, co + 5 * ldo + 1 * L);
            c5_2 = FloatVector.fromArray(S, c, co + 5 * ldo + 2 * L);
            c6_0 = FloatVector.fromArray(S, c, co + 6 * ldo + 0 * L);
            c6_1 = FloatVector.fromArray(S, c, co + 6 * ldo + 1 * L);
            c6_2 = FloatVector.fromArray(S, c, co + 6 * ldo + 2 * L);
            c7_0 = FloatVector.fromArray(S, c, co + 7 * ldo + 0 * L);
            c7_1 = FloatVector.fromArray(S, c, co + 7 * ldo + 1 * L);
            c7_2 = FloatVector.fromArray(S, c, co + 7 * ldo + 2 * L);
        } else {
            c0_0 = FloatVector.zero(S);
            c0_1 = c0_0;
            c0_2 = c0_0;
            c1_0 = c0_0;
            c1_1 = c0_0;
            c1_2 = c0_0;
            c2_0 = c0_0;
            c2_1 = c0_0;
            c2_2 = c0_0;
            c3_0 = c0_0;
            c3_1 = c0_0;
            c3_2 = c0_0;
            c4_0 = c0_0;
            c4_1 = c0_0;
            c4_2 = c0_0;
            c5_0 = c0_0;
            c5_1 = c0_0;
            c5_2 = c0_0;
            c6_0 = c0_0;
            c6_1 = c0_0;
            c6_2 = c0_0;
            c7_0 = c0_0;
            c7_1 = c0_0;
            c7_2 = c0_0;
        }
        for (int t = 0, g = 0; t < steps; t++, g += 8 * L) {
            {
                int pos = off + (t >> 1) * wp + (t & 1) * L;
                FloatVector x0 = FloatVector.fromArray(S, xp, pos);
                FloatVector x1 = FloatVector.fromArray(S, xp, pos + 1);
                FloatVector x2 = FloatVector.fromArray(S, xp, pos + 2);
                FloatVector g0 = FloatVector.fromArray(S, gp, g + 0 * L);
                c0_0 = g0.fma(x0, c0_0);
                c0_1 = g0.fma(x1, c0_1);
                c0_2 = g0.fma(x2, c0_2);
                FloatVector g1 = FloatVector.fromArray(S, gp, g + 1 * L);
                c1_0 = g1.fma(x0, c1_0);
                c1_1 = g1.fma(x1, c1_1);
                c1_2 = g1.fma(x2, c1_2);
                FloatVector g2 = FloatVector.fromArray(S, gp, g + 2 * L);
                c2_0 = g2.fma(x0, c2_0);
                c2_1 = g2.fma(x1, c2_1);
                c2_2 = g2.fma(x2, c2_2);
                FloatVector g3 = FloatVector.fromArray(S, gp, g + 3 * L);
                c3_0 = g3.fma(x0, c3_0);
                c3_1 = g3.fma(x1, c3_1);
                c3_2 = g3.fma(x2, c3_2);
                FloatVector g4 = FloatVector.fromArray(S, gp, g + 4 * L);
                c4_0 = g4.fma(x0, c4_0);
                c4_1 = g4.fma(x1, c4_1);
                c4_2 = g4.fma(x2, c4_2);
                FloatVector g5 = FloatVector.fromArray(S, gp, g + 5 * L);
                c5_0 = g5.fma(x0, c5_0);
                c5_1 = g5.fma(x1, c5_1);
                c5_2 = g5.fma(x2, c5_2);
                FloatVector g6 = FloatVector.fromArray(S, gp, g + 6 * L);
                c6_0 = g6.fma(x0, c6_0);
                c6_1 = g6.fma(x1, c6_1);
                c6_2 = g6.fma(x2, c6_2);
                FloatVector g7 = FloatVector.fromArray(S, gp, g + 7 * L);
                c7_0 = g7.fma(x0, c7_0);
                c7_1 = g7.fma(x1, c7_1);
                c7_2 = g7.fma(x2, c7_2);
            }
        }
        c0_0.intoArray(c, co + 0 * ldo + 0 * L);
        c0_1.intoArray(c, co + 0 * ldo + 1 * L);
        c0_2.intoArray(c, co + 0 * ldo + 2 * L);
        c1_0.intoArray(c, co + 1 * ldo + 0 * L);
        c1_1.intoArray(c, co + 1 * ldo + 1 * L);
        c1_2.intoArray(c, co + 1 * ldo + 2 * L);
        c2_0.intoArray(c, co + 2 * ldo + 0 * L);
        c2_1.intoArray(c, co + 2 * ldo + 1 * L);
        c2_2.intoArray(c, co + 2 * ldo + 2 * L);
        c3_0.intoArray(c, co + 3 * ldo + 0 * L);
        c3_1.intoArray(c, co + 3 * ldo + 1 * L);
        c3_2.intoArray(c, co + 3 * ldo + 2 * L);
        c4_0.intoArray(c, co + 4 * ldo + 0 * L);
        c4_1.intoArray(c, co + 4 * ldo + 1 * L);
        c4_2.intoArray(c, co + 4 * ldo + 2 * L);
        c5_0.intoArray(c, co + 5 * ldo + 0 * L);
        c5_1.intoArray(c, co + 5 * ldo + 1 * L);
        c5_2.intoArray(c, co + 5 * ldo + 2 * L);
        c6_0.intoArray(c, co + 6 * ldo + 0 * L);
        c6_1.intoArray(c, co + 6 * ldo + 1 * L);
        c6_2.intoArray(c, co + 6 * ldo + 2 * L);
        c7_0.intoArray(c, co + 7 * ldo + 0 * L);
        c7_1.intoArray(c, co + 7 * ldo + 1 * L);
        c7_2.intoArray(c, co + 7 * ldo + 2 * L);
    }

    /**
     * Lane-wise partial sums of a 3 output channels × 3 patch rows tile of dW over {@code images}
     * consecutive images (padded copies {@code xStride} apart, dy images {@code yStride} apart):
     * C[k, l, :] (+)= Σ_n Σ_v dy[n, o_k, v·L : v·L+L] ∘ patches[n, r_l, v·L : v·L+L]. Flat on purpose.
     */
    private static void weightKernel(int images, int xStride, int yStride, int vectors, int[] posTable, float[] dy, int d0, int d1, int d2, float[] xp, int off0, int off1, int off2,
                                     float[] c, int co, int ldo, boolean accumulate) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22;
        int c1 = co + ldo, c2 = co + 2 * ldo;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c02 = FloatVector.fromArray(S, c, co + 2 * L);
            c10 = FloatVector.fromArray(S, c, c1);
            c11 = FloatVector.fromArray(S, c, c1 + L);
            c12 = FloatVector.fromArray(S, c, c1 + 2 * L);
            c20 = FloatVector.fromArray(S, c, c2);
            c21 = FloatVector.fromArray(S, c, c2 + L);
            c22 = FloatVector.fromArray(S, c, c2 + 2 * L);
        } else {
            c00 = FloatVector.zero(S);
            c01 = c00;
            c02 = c00;
            c10 = c00;
            c11 = c00;
            c12 = c00;
            c20 = c00;
            c21 = c00;
            c22 = c00;
        }
        for (int n = 0; n < images; n++, off0 += xStride, off1 += xStride, off2 += xStride, d0 += yStride, d1 += yStride, d2 += yStride) {
        // One flat loop over the pixel vectors (an output row holds only wo/L of them: 2 for 16 pixels).
        for (int v = 0, p = 0; v < vectors; v++, p += L) {
            int pos = posTable[v];
                FloatVector x0 = FloatVector.fromArray(S, xp, off0 + pos);
                FloatVector x1 = FloatVector.fromArray(S, xp, off1 + pos);
                FloatVector x2 = FloatVector.fromArray(S, xp, off2 + pos);
                FloatVector g0 = FloatVector.fromArray(S, dy, d0 + p);
                c00 = g0.fma(x0, c00);
                c01 = g0.fma(x1, c01);
                c02 = g0.fma(x2, c02);
                FloatVector g1 = FloatVector.fromArray(S, dy, d1 + p);
                c10 = g1.fma(x0, c10);
                c11 = g1.fma(x1, c11);
                c12 = g1.fma(x2, c12);
                FloatVector g2 = FloatVector.fromArray(S, dy, d2 + p);
                c20 = g2.fma(x0, c20);
                c21 = g2.fma(x1, c21);
                c22 = g2.fma(x2, c22);
        }
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c12.intoArray(c, c1 + 2 * L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c22.intoArray(c, c2 + 2 * L);
    }
}
