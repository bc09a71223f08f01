package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 convolution of an input with few channels (a network's first layer on an RGB or RGBA image), computed
 * directly: with 3 or 4 input channels the patch matrix has 27 to 100 rows, so im2col writes 9 to 25 times the image
 * and the GEMM, at these shapes, runs far below its peak. Each input plane is copied once into {@link DepthwiseConv}'s
 * zero-padded buffer split into stride phases, so a tap of a row of output pixels is one contiguous vector load at any
 * stride; four output channels × four vectors of a row accumulate at a time (16 accumulators), each load serving four
 * fused multiply-adds. Each output element sums its c · kh · kw products in (c, i, j) order as fused multiply-adds
 * from 0; the scalar twin ({@code vector=false}) does the same operations, so the two agree bit for bit.
 *
 * <p>Used for inference only ({@link dev.descent.core.ops.FusedConvolution} without gradients): training keeps
 * im2col + GEMM, whose sums round differently. Work is split over (image, block of four output channels): results do
 * not depend on the thread count.
 */
public final class DirectConv {
    private DirectConv() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Output channels per block. */
    private static final int MB = 4;
    /** The most input channels this kernel takes (above, the GEMM's rows are enough to run it well). */
    public static final int MAX_CHANNELS = 4;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * Whether the geometry is for this kernel: one group, at most {@link #MAX_CHANNELS} input channels, a kernel
     * larger than 1×1 (a 1×1 convolution reads the image in place in the GEMM) and at least one output channel block.
     */
    public static boolean applies(Geometry q) {
        return q.groups() == 1 && q.c() <= MAX_CHANNELS && q.kh() * q.kw() > 1 && q.o() >= 1 && q.pixels() >= L;
    }

    /**
     * y = conv2d(x, w) for such a geometry, then the epilogue (bias and activation) on each output plane.
     *
     * @param q      the geometry ({@link #applies} holds)
     * @param x      the input [N, C, H, W] from xo
     * @param w      the weight [O, C, kH, kW] from wo
     * @param y      the output [N, O, Ho, Wo], fully overwritten
     * @param e      the epilogue (its bias is added here), or null
     * @param vector false for the scalar twin
     */
    public static void forward(Geometry q, float[] x, int xo, float[] w, int wo, float[] y, ConvEpilogue e, boolean vector) {
        int blocks = (q.o() + MB - 1) / MB, pixels = q.pixels(), c = q.c();
        int hp = DepthwiseConv.paddedRows(q), wp = DepthwiseConv.paddedColumns(q), sw = q.sw();
        int pl = (wp + sw - 1) / sw + L, planeSize = sw * hp * pl;
        boolean vec = vector && Vectors.ENABLED;
        if (vec) Vectors.count();
        int grain = Math.max(1, (1 << 16) / Math.max(1, pixels * MB * c * q.kh() * q.kw()));
        Parallel.forRange(q.n() * blocks, grain, (from, to) -> {
            float[][] holder = SCRATCH.get();
            if (holder[0].length < c * planeSize) holder[0] = new float[c * planeSize];
            float[] buf = holder[0];
            java.util.Arrays.fill(buf, 0, c * planeSize, 0f); // the padding: the planes below write only the image's pixels
            int image = -1;
            int[] tap = taps(q, hp, pl, planeSize);
            float[] wb = new float[MB * tap.length];
            for (int task = from; task < to; task++) {
                int n = task / blocks, o0 = (task % blocks) * MB, mb = Math.min(MB, q.o() - o0);
                if (n != image) {
                    for (int ch = 0; ch < c; ch++) DepthwiseConv.phases(q, x, xo + (n * c + ch) * q.h() * q.w(), buf, ch * planeSize, hp, pl);
                    image = n;
                }
                // the block's weights, tap-major: wb[t·MB + m] (zeros for channels past the end)
                java.util.Arrays.fill(wb, 0f);
                for (int m = 0; m < mb; m++) for (int t = 0; t < tap.length; t++) wb[t * MB + m] = w[wo + (o0 + m) * tap.length + t];
                int yOff = (n * q.o() + o0) * pixels;
                if (vec) blockVector(q, buf, pl, tap, wb, y, yOff, mb);
                else blockScalar(q, buf, pl, tap, wb, y, yOff, mb);
                if (e != null) e.apply(y, yOff, o0, mb, pixels, true);
            }
        });
    }

    /** The buffer offset of each tap (c, i, j), relative to an output row's start: its plane, phase, row and column. */
    private static int[] taps(Geometry q, int hp, int pl, int planeSize) {
        int kh = q.kh(), kw = q.kw(), sw = q.sw();
        int[] tap = new int[q.c() * kh * kw];
        for (int ch = 0; ch < q.c(); ch++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int t = j * q.dw();
                    tap[(ch * kh + i) * kw + j] = ch * planeSize + ((t % sw) * hp + i * q.dh()) * pl + t / sw;
                }
            }
        }
        return tap;
    }

    private static void blockScalar(Geometry q, float[] buf, int pl, int[] tap, float[] wb, float[] y, int yOff, int mb) {
        int ho = q.ho(), wout = q.wo(), pixels = q.pixels();
        for (int oh = 0; oh < ho; oh++) {
            int rowBase = oh * q.sh() * pl;
            for (int ow = 0; ow < wout; ow++) {
                for (int m = 0; m < mb; m++) {
                    float acc = 0f;
                    for (int t = 0; t < tap.length; t++) acc = Math.fma(buf[rowBase + tap[t] + ow], wb[t * MB + m], acc);
                    y[yOff + m * pixels + oh * wout + ow] = acc;
                }
            }
        }
    }

    private static void blockVector(Geometry q, float[] buf, int pl, int[] tap, float[] wb, float[] y, int yOff, int mb) {
        int ho = q.ho(), wout = q.wo(), pixels = q.pixels(), k = tap.length;
        int y1 = yOff + Math.min(1, mb - 1) * pixels, y2 = yOff + Math.min(2, mb - 1) * pixels, y3 = yOff + Math.min(3, mb - 1) * pixels;
        // a block of mb < 4 channels: the missing ones (zero weights) write into the last real channel's plane, and
        // the stores run from channel 3 down to 0, so that plane's own values are written last
        for (int oh = 0; oh < ho; oh++) {
            int rowBase = oh * q.sh() * pl, yr = oh * wout;
            int ow = 0;
            for (; ow + 4 * L <= wout; ow += 4 * L) {
                FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
                FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
                FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
                FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S);
                for (int t = 0; t < k; t++) {
                    int at = rowBase + tap[t] + ow;
                    FloatVector v0 = FloatVector.fromArray(S, buf, at), v1 = FloatVector.fromArray(S, buf, at + L);
                    FloatVector v2 = FloatVector.fromArray(S, buf, at + 2 * L), v3 = FloatVector.fromArray(S, buf, at + 3 * L);
                    FloatVector w0 = FloatVector.broadcast(S, wb[t * MB]), w1 = FloatVector.broadcast(S, wb[t * MB + 1]);
                    FloatVector w2 = FloatVector.broadcast(S, wb[t * MB + 2]), w3 = FloatVector.broadcast(S, wb[t * MB + 3]);
                    a00 = v0.fma(w0, a00); a01 = v1.fma(w0, a01); a02 = v2.fma(w0, a02); a03 = v3.fma(w0, a03);
                    a10 = v0.fma(w1, a10); a11 = v1.fma(w1, a11); a12 = v2.fma(w1, a12); a13 = v3.fma(w1, a13);
                    a20 = v0.fma(w2, a20); a21 = v1.fma(w2, a21); a22 = v2.fma(w2, a22); a23 = v3.fma(w2, a23);
                    a30 = v0.fma(w3, a30); a31 = v1.fma(w3, a31); a32 = v2.fma(w3, a32); a33 = v3.fma(w3, a33);
                }
                int at = yr + ow;
                a30.intoArray(y, y3 + at); a31.intoArray(y, y3 + at + L); a32.intoArray(y, y3 + at + 2 * L); a33.intoArray(y, y3 + at + 3 * L);
                a20.intoArray(y, y2 + at); a21.intoArray(y, y2 + at + L); a22.intoArray(y, y2 + at + 2 * L); a23.intoArray(y, y2 + at + 3 * L);
                a10.intoArray(y, y1 + at); a11.intoArray(y, y1 + at + L); a12.intoArray(y, y1 + at + 2 * L); a13.intoArray(y, y1 + at + 3 * L);
                a00.intoArray(y, yOff + at); a01.intoArray(y, yOff + at + L); a02.intoArray(y, yOff + at + 2 * L); a03.intoArray(y, yOff + at + 3 * L);
            }
            for (; ow < wout; ow += L) { // one vector at a time, the row's last one masked
                VectorMask<Float> mask = S.indexInRange(ow, wout);
                FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
                for (int t = 0; t < k; t++) {
                    FloatVector v = FloatVector.fromArray(S, buf, rowBase + tap[t] + ow, mask);
                    a0 = v.fma(FloatVector.broadcast(S, wb[t * MB]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, wb[t * MB + 1]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, wb[t * MB + 2]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, wb[t * MB + 3]), a3);
                }
                int at = yr + ow;
                a3.intoArray(y, y3 + at, mask);
                a2.intoArray(y, y2 + at, mask);
                a1.intoArray(y, y1 + at, mask);
                a0.intoArray(y, yOff + at, mask);
            }
        }
    }
}
