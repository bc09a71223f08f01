package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 depthwise convolution (groups = input channels, each output channel reading one input channel), computed
 * directly: no patch matrix and no GEMM, whose packing costs more than the nine multiply-adds per pixel of a 3×3
 * depthwise filter. Each input plane is copied once into a zero-padded buffer split into {@code sw} column phases
 * ({@code phase p, column k} holds padded column {@code k·sw + p}), so the tap (i, j) of the output pixels
 * {@code ow .. ow + L − 1} of one row is one contiguous vector load at any stride; the sum over taps runs in (i, j)
 * order as fused multiply-adds from 0, a row's last partial vector masked. The scalar twin ({@code vector=false}, and
 * {@code -Ddescent.kernels=scalar}) does the same fused multiply-adds in the same order, so the two agree bit for bit.
 *
 * <p>Used for inference only ({@link dev.descent.core.ops.FusedConvolution} without gradients): the training path keeps
 * its im2col + GEMM kernel, whose sums round differently. Work is split over (image, channel) planes, each computed
 * by one thread: results do not depend on the thread count.
 */
public final class DepthwiseConv {
    private DepthwiseConv() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();

    /** Lanes i < L/2 take lane 2i (EVEN) or 2i + 1 (ODD) of the first vector, lanes i ≥ L/2 lane 2(i − L/2) (+ 1) of the second. */
    private static final VectorShuffle<Float> EVEN_LOW = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i : 0);
    private static final VectorShuffle<Float> EVEN_HIGH = VectorShuffle.fromOp(S, i -> i >= L / 2 ? 2 * (i - L / 2) : 0);
    private static final VectorShuffle<Float> ODD_LOW = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i + 1 : 0);
    private static final VectorShuffle<Float> ODD_HIGH = VectorShuffle.fromOp(S, i -> i >= L / 2 ? 2 * (i - L / 2) + 1 : 0);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Whether the geometry is depthwise: one input channel per group. */
    public static boolean applies(Geometry q) {
        return q.groups() == q.c() && q.cg() == 1;
    }

    /**
     * y = conv2d(x, w) for a depthwise geometry, then the epilogue (bias and activation) on each output plane.
     *
     * @param q      the geometry ({@link #applies} holds)
     * @param x      the input [N, C, H, W] from xo
     * @param w      the weight [O, 1, kH, kW] from wo
     * @param y      the output [N, O, Ho, Wo], fully overwritten
     * @param e      the epilogue (its bias is added here), or null
     * @param vector false for the scalar twin
     */
    public static void forward(Geometry q, float[] x, int xo, float[] w, int wo, float[] y, ConvEpilogue e, boolean vector) {
        int planes = q.n() * q.c(), pixels = q.pixels();
        int grain = Math.max(1, (1 << 15) / Math.max(1, pixels * q.og() * q.kh() * q.kw()));
        boolean vec = vector && Vectors.ENABLED;
        if (vec) Vectors.count();
        Parallel.forRange(planes, grain, (from, to) -> {
            int hp = paddedRows(q), wp = paddedColumns(q), sw = q.sw();
            int pl = (wp + sw - 1) / sw + L; // a phase row, with room for a full vector past its end
            float[][] holder = SCRATCH.get();
            if (holder[0].length < sw * hp * pl) holder[0] = new float[sw * hp * pl];
            float[] buf = holder[0];
            java.util.Arrays.fill(buf, 0, sw * hp * pl, 0f); // the padding: every plane below writes only the image's pixels
            int[] tap = taps(q, hp, pl); // once per chunk: its divisions cost more than a small plane's arithmetic
            for (int plane = from; plane < to; plane++) {
                int n = plane / q.c(), c = plane % q.c();
                phases(q, x, xo + plane * q.h() * q.w(), buf, 0, hp, pl);
                for (int m = 0; m < q.og(); m++) {
                    int o = c * q.og() + m, yOff = (n * q.o() + o) * pixels;
                    plane(q, pl, tap, buf, w, wo + o * q.kh() * q.kw(), y, yOff, vec, e, o);
                }
            }
        });
    }

    /**
     * The rows of the zero-padded plane: H + 2·ph, or more when the output reads further down (padding below larger
     * than above, {@link dev.descent.core.ops.FusedConvolution}'s asymmetric form: the extra rows are zeros).
     */
    static int paddedRows(Geometry q) {
        return Math.max(q.h() + 2 * q.ph(), (q.ho() - 1) * q.sh() + (q.kh() - 1) * q.dh() + 1);
    }

    /** The columns of the zero-padded plane, as {@link #paddedRows}. */
    static int paddedColumns(Geometry q) {
        return Math.max(q.w() + 2 * q.pw(), (q.wo() - 1) * q.sw() + (q.kw() - 1) * q.dw() + 1);
    }

    /**
     * The image's pixels of the padded plane into sw column phases: buf[bo + (p·hp + r)·pl + k] = padded[r][k·sw + p]
     * for the positions inside the image; the padding around them is left as it is (zero: the caller clears the buffer
     * once for all the planes it fills).
     */
    static void phases(Geometry q, float[] x, int xo, float[] buf, int bo, int hp, int pl) {
        int h = q.h(), wd = q.w(), ph = q.ph(), pw = q.pw(), sw = q.sw();
        if (sw == 1) {
            for (int r = ph; r < ph + h; r++) System.arraycopy(x, xo + (r - ph) * wd, buf, bo + r * pl + pw, wd);
            return;
        }
        if (sw == 2 && Vectors.ENABLED && wd >= 2 * L) { // stride 2: each pair of vectors split into its even and odd columns
            int pe = pw & 1, po = (pw + 1) & 1;
            for (int r = ph; r < ph + h; r++) {
                int src = xo + (r - ph) * wd, de = bo + (pe * hp + r) * pl, dodd = bo + (po * hp + r) * pl;
                int col = 0;
                for (; col + 2 * L <= wd; col += 2 * L) { // col even: columns col + 2m go to phase pe at (col + pw)/2 + m
                    FloatVector v0 = FloatVector.fromArray(S, x, src + col), v1 = FloatVector.fromArray(S, x, src + col + L);
                    v0.rearrange(EVEN_LOW).blend(v1.rearrange(EVEN_HIGH), UPPER).intoArray(buf, de + ((col + pw) >> 1));
                    v0.rearrange(ODD_LOW).blend(v1.rearrange(ODD_HIGH), UPPER).intoArray(buf, dodd + ((col + 1 + pw) >> 1));
                }
                for (; col < wd; col++) {
                    int c = col + pw;
                    buf[bo + ((c & 1) * hp + r) * pl + (c >> 1)] = x[src + col];
                }
            }
            return;
        }
        for (int p = 0; p < sw; p++) {
            // phase p, column kk holds padded column kk·sw + p, image column kk·sw + p − pw: the first kk inside the image
            int first = Math.max(0, (pw - p + sw - 1) / sw);
            for (int r = ph; r < ph + h; r++) {
                int src = xo + (r - ph) * wd + p - pw, dst = bo + (p * hp + r) * pl;
                for (int kk = first, col = kk * sw + p - pw; col < wd; kk++, col += sw) buf[dst + kk] = x[src + kk * sw];
            }
        }
    }

    /** Each tap's offset in the phase buffer: tap (i, j) at ((j·dw mod sw)·hp + i·dh)·pl + ⌊j·dw / sw⌋. */
    private static int[] taps(Geometry q, int hp, int pl) {
        int kh = q.kh(), kw = q.kw(), sw = q.sw();
        int[] tap = new int[kh * kw];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int t = j * q.dw();
                tap[i * kw + j] = ((t % sw) * hp + i * q.dh()) * pl + t / sw;
            }
        }
        return tap;
    }

    /**
     * One output plane: y[oh, ow] = Σ_{i, j} w[i, j] · padded[oh·sh + i·dh][ow·sw + j·dw], fused multiply-adds in
     * (i, j) order from 0. Tap (i, j) reads the buffer at {@code oh·sh·pl + tap[i·kw + j] + ow} (its phase and offset
     * from {@link #taps}, computed once per chunk of planes). Then the epilogue e (null: none) of output channel o, on
     * each band of rows as soon as it is written.
     */
    private static void plane(Geometry q, int pl, int[] tap, float[] buf, float[] w, int wo, float[] y, int yOff, boolean vector, ConvEpilogue e, int o) {
        int k = tap.length, sh = q.sh(), ho = q.ho(), wout = q.wo();
        // the epilogue on bands of rows just written, while they are in L1, not in a pass over the whole plane afterwards
        // (hard swish, one thread, 512 bits, medians: 144 planes of 80×80 1.03 → 0.96 ms, 32 of 160×160 0.92 → 0.85, 96 of
        // 160×160 at stride 2 1.43 → 1.37; planes of 40×40 and less, a band or two, unchanged)
        int band = Math.max(1, EPILOGUE_BAND / wout);
        for (int r0 = 0; r0 < ho; r0 += band) {
            int r1 = Math.min(ho, r0 + band);
            if (vector && k == 9) {
                rows3x3(buf, sh * pl, tap, w, wo, y, yOff, r0, r1, wout);
            } else {
                for (int oh = r0; oh < r1; oh++) {
                    int yRow = yOff + oh * wout, rowBase = oh * sh * pl;
                    int ow = vector ? rowVectors(buf, rowBase, tap, w, wo, y, yRow, 0, wout) : 0;
                    for (; ow < wout; ow++) {
                        float acc = 0f;
                        for (int t = 0; t < k; t++) acc = Math.fma(buf[rowBase + tap[t] + ow], w[wo + t], acc);
                        y[yRow + ow] = acc;
                    }
                }
            }
            if (e != null) e.apply(y, yOff + r0 * wout, o, 1, (r1 - r0) * wout, true);
        }
    }

    /** Output floats per band of rows between epilogue passes (see {@link #plane}). */
    private static final int EPILOGUE_BAND = 1024;

    /**
     * One output row from pixel ow on (its taps at rowBase): four, two, then one vector per pass over the taps, the last
     * partial vector masked. Returns wout.
     */
    private static int rowVectors(float[] buf, int rowBase, int[] tap, float[] w, int wo, float[] y, int yRow, int ow, int wout) {
        int k = tap.length;
        for (; ow + 4 * L <= wout; ow += 4 * L) { // each tap's weight and offset serve four FMAs
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int t = 0; t < k; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
                int at = rowBase + tap[t] + ow;
                a0 = FloatVector.fromArray(S, buf, at).fma(wt, a0);
                a1 = FloatVector.fromArray(S, buf, at + L).fma(wt, a1);
                a2 = FloatVector.fromArray(S, buf, at + 2 * L).fma(wt, a2);
                a3 = FloatVector.fromArray(S, buf, at + 3 * L).fma(wt, a3);
            }
            a0.intoArray(y, yRow + ow);
            a1.intoArray(y, yRow + ow + L);
            a2.intoArray(y, yRow + ow + 2 * L);
            a3.intoArray(y, yRow + ow + 3 * L);
        }
        if (ow + 2 * L <= wout) { // a 96-wide row of 16 lanes is 4 + 2
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
            for (int t = 0; t < k; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
                int at = rowBase + tap[t] + ow;
                a0 = FloatVector.fromArray(S, buf, at).fma(wt, a0);
                a1 = FloatVector.fromArray(S, buf, at + L).fma(wt, a1);
            }
            a0.intoArray(y, yRow + ow);
            a1.intoArray(y, yRow + ow + L);
            ow += 2 * L;
        }
        for (; ow + L <= wout; ow += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, buf, rowBase + tap[t] + ow).fma(FloatVector.broadcast(S, w[wo + t]), acc);
            acc.intoArray(y, yRow + ow);
        }
        return ow < wout ? partialVector(buf, rowBase, tap, w, wo, y, yRow, ow, wout) : wout;
    }

    /**
     * The row's last, partial vector from pixel ow, masked; the same fused multiply-adds in the same order as the full
     * vectors (a method of its own: inside the 3×3 row loop, {@link #rows3x3}, C1 ran out of virtual registers compiling
     * it, and the method could then stay in its limited-profile C1 form, ~30 times slower). Returns wout.
     */
    private static int partialVector(float[] buf, int rowBase, int[] tap, float[] w, int wo, float[] y, int yRow, int ow, int wout) {
        VectorMask<Float> mask = S.indexInRange(ow, wout);
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0; t < tap.length; t++) acc = FloatVector.fromArray(S, buf, rowBase + tap[t] + ow, mask).fma(FloatVector.broadcast(S, w[wo + t]), acc);
        acc.intoArray(y, yRow + ow, mask);
        return wout;
    }

    /**
     * Output rows [r0, r1) of a plane of a 3×3 filter: the nine weights broadcast once and held in registers, the rows
     * in a loop here (a call per row, which set them up again, took 5–24% longer at 512 bits and 9–15% at 256: M-LSD's
     * depthwise shapes, one thread), each row's last partial vector masked; the same fused multiply-adds in the same
     * order as the general loop.
     *
     * @param rowStep floats from one output row's taps to the next (sh·pl)
     */
    private static void rows3x3(float[] buf, int rowStep, int[] tap, float[] w, int wo, float[] y, int yOff, int r0, int r1, int wout) {
        FloatVector w0 = FloatVector.broadcast(S, w[wo]), w1 = FloatVector.broadcast(S, w[wo + 1]), w2 = FloatVector.broadcast(S, w[wo + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wo + 3]), w4 = FloatVector.broadcast(S, w[wo + 4]), w5 = FloatVector.broadcast(S, w[wo + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wo + 6]), w7 = FloatVector.broadcast(S, w[wo + 7]), w8 = FloatVector.broadcast(S, w[wo + 8]);
        int t1 = tap[1] - tap[0], t2 = tap[2] - tap[0], t3 = tap[3] - tap[0], t4 = tap[4] - tap[0];
        int t5 = tap[5] - tap[0], t6 = tap[6] - tap[0], t7 = tap[7] - tap[0], t8 = tap[8] - tap[0];
        for (int oh = r0, rowBase = tap[0] + r0 * rowStep, yRow = yOff + r0 * wout; oh < r1; oh++, rowBase += rowStep, yRow += wout) {
            int ow = 0;
            for (; ow + L <= wout; ow += L) {
                int at = rowBase + ow;
                FloatVector acc = FloatVector.fromArray(S, buf, at).fma(w0, FloatVector.zero(S));
                acc = FloatVector.fromArray(S, buf, at + t1).fma(w1, acc);
                acc = FloatVector.fromArray(S, buf, at + t2).fma(w2, acc);
                acc = FloatVector.fromArray(S, buf, at + t3).fma(w3, acc);
                acc = FloatVector.fromArray(S, buf, at + t4).fma(w4, acc);
                acc = FloatVector.fromArray(S, buf, at + t5).fma(w5, acc);
                acc = FloatVector.fromArray(S, buf, at + t6).fma(w6, acc);
                acc = FloatVector.fromArray(S, buf, at + t7).fma(w7, acc);
                acc = FloatVector.fromArray(S, buf, at + t8).fma(w8, acc);
                acc.intoArray(y, yRow + ow);
            }
            if (ow < wout) partialVector(buf, rowBase - tap[0], tap, w, wo, y, yRow, ow, wout);
        }
    }
}
