package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.FusedConvolution;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference-only 3×3 stride-2 convolution of an image of few channels (a network's stem: RGB or RGBA in, 16–32
 * channels out at half the size), any zero padding including TensorFlow's asymmetric SAME. For each band of output rows
 * the input rows it reads are split into their padded even and odd columns ({@link WinogradConv#splitColumns}), so the three taps of a filter row over a
 * vector of output columns are three contiguous loads (even[q], odd[q], even[q + 1]); register tiles of four output
 * channels × two vectors of columns sum the C·9 taps, and the bias and activation follow on the tile's rows in L1.
 * Its sums (taps in (c, i, j) order, one fused chain per element) may round differently from core's direct kernel:
 * only where no gradient is recorded.
 */
final class StemConv {
    private StemConv() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();

    /** Output rows per band of work. */
    private static final int BAND = 8;

    /** Per-thread split rows of a band. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** On unless -Ddescent.onnx.stem=false. */
    static volatile boolean enabled = !"false".equals(System.getProperty("descent.onnx.stem"));

    /**
     * Whether a convolution takes this path: 3×3, stride 2, dilation 1, one group, at most 4 input channels, a multiple
     * of 4 output channels, an output at least a vector wide.
     *
     * @return whether {@link #tryConv} computes it
     */
    static boolean applies(int c, int o, int kh, int kw, int sh, int sw, int dh, int dw, int groups, int wo) {
        return enabled && Vectors.ENABLED && kh == 3 && kw == 3 && sh == 2 && sw == 2 && dh == 1 && dw == 1 && groups == 1 && c <= 4 && o % 4 == 0 && wo >= L;
    }

    /**
     * The convolution when it qualifies (float32, no gradient recorded, {@link #applies}), else null.
     *
     * @param x   the input [N, C, H, W]
     * @param w   the weight [O, C, 3, 3]
     * @param b   the bias [O], or null
     * @param pads [top, left, bottom, right]
     * @param strides the strides
     * @param dil the dilations
     * @param groups the groups
     * @param act the fused activation
     * @return the output, or null
     */
    static Tensor tryConv(Tensor x, Tensor w, Tensor b, int[] pads, int[] strides, int[] dil, int groups, FusedConvolution.Activation act) {
        if (x.dim() != 4 || w.dim() != 4 || x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32 || x.size(1) != w.size(1)
                || (b != null && (b.dtype() != DType.FLOAT32 || b.dim() != 1 || b.size(0) != w.size(0))) || Autograd.isRecording(x, w, b)) {
            return null;
        }
        int h = x.size(2), wd = x.size(3), top = pads[0], left = pads[1], bottom = pads[2], right = pads[3];
        int ho = (h + top + bottom - 3) / 2 + 1, wo = (wd + left + right - 3) / 2 + 1;
        if (ho < 1 || !applies(x.size(1), w.size(0), w.size(2), w.size(3), strides[0], strides[1], dil[0], dil[1], groups, wo)) return null;
        PointwiseKernel.Finish f = PointwiseKernel.Finish.of(WinogradConv.epilogue(b, act));
        ConvEpilogue e = f == null ? WinogradConv.epilogue(b, act) : null;
        return forward(x, w, top, left, ho, wo, f == null ? PointwiseKernel.Finish.of(null) : f, e);
    }

    /**
     * y = conv(x, w) with padding top and left (and zeros below and right as far as the output reads), then f on each
     * tile's rows and e (when not null: an activation f has no form for) over each plane.
     */
    static Tensor forward(Tensor x, Tensor w, int top, int left, int ho, int wo, PointwiseKernel.Finish f, ConvEpilogue e) {
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
        float[] xa = xc.storage().floats(), wa = wc.storage().floats();
        int xo = xc.storageOffset(), woff = wc.storageOffset(), n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0);
        int pl = Math.max(wo + 1, (wd + left + 1) / 2) + 2 * L; // a phase row: every column read, and room for whole vectors
        // bands of output rows: each splits only the padded rows it reads (2·band + 1 per channel, in L2) and runs every
        // output channel over them
        int band = Math.max(1, Math.min(BAND, (int) ((long) ho * n / (2L * Parallel.threads()))));
        int bands = (ho + band - 1) / band, hb = 2 * band + 1;
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, ho, wo);
        float[] ya = out.storage().floats();
        Parallel.forRange(n * bands, 1, (from, to) -> {
            float[][] holder = SCRATCH.get();
            if (holder[0].length < c * hb * 2 * pl) holder[0] = new float[c * hb * 2 * pl];
            float[] split = holder[0];
            for (int t = from; t < to; t++) {
                int img = t / bands, y0 = (t % bands) * band, y1 = Math.min(ho, y0 + band), r0 = 2 * y0; // padded row r0 is the band's first
                for (int ci = 0; ci < c; ci++) {
                    int plane = xo + (img * c + ci) * h * wd, skip = Math.max(0, r0 - top); // image rows above the band
                    if (skip >= h) java.util.Arrays.fill(split, ci * hb * 2 * pl, (ci + 1) * hb * 2 * pl, 0f);
                    else WinogradConv.splitColumns(xa, plane + skip * wd, h - skip, wd, Math.max(0, top - r0), left, split, ci * hb * 2 * pl, hb, pl);
                }
                for (int y = y0; y < y1; y++) {
                    int sb = 2 * (y - y0) * 2 * pl;
                    for (int oi = 0; oi < o; oi += 4) {
                        int yb = (img * o + oi) * ho * wo + y * wo, ox = 0, wa0 = woff + oi * c * 9;
                        for (; ox + 2 * L <= wo; ox += 2 * L) tile(split, sb + ox, c, hb, pl, wa, wa0, ya, yb + ox, ho * wo, null);
                        for (; ox < wo; ox += L) tile(split, sb + ox, c, hb, pl, wa, wa0, ya, yb + ox, ho * wo, S.indexInRange(ox, wo));
                        if (!f.identity()) {
                            int whole = wo / L * L;
                            for (int r = 0; r < 4; r++) {
                                int at = yb + r * ho * wo;
                                f.row(ya, at, whole, oi + r);
                                for (int i = whole; i < wo; i++) ya[at + i] = f.one(ya[at + i], oi + r);
                            }
                        }
                    }
                }
            }
        });
        if (e != null) {
            int pixels = ho * wo;
            Parallel.forRange(n * o, Math.max(1, (1 << 14) / pixels), (from, to) -> {
                for (int p = from; p < to; p++) e.apply(ya, p * pixels, p % o, 1, pixels, true);
            });
        }
        return out;
    }

    /**
     * Four output channels × two vectors of columns (one, masked, when m is not null) of one output row: taps (c, i, j)
     * in order, row i of channel c at sb + (c·hp + i)·2·pl in the split (even columns, then odd ones pl later).
     */
    private static void tile(float[] sp, int sb, int c, int hp, int pl, float[] w, int wa, float[] y, int ya, int plane, VectorMask<Float> m) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        boolean two = m == null;
        int c9 = c * 9;
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < 3; i++) {
                int row = sb + (ci * hp + i) * 2 * pl, k = ci * 9 + i * 3;
                for (int j = 0; j < 3; j++) {
                    int at = row + (j & 1) * pl + (j >> 1);
                    FloatVector v0 = FloatVector.fromArray(S, sp, at), v1 = two ? FloatVector.fromArray(S, sp, at + L) : v0;
                    FloatVector wv = FloatVector.broadcast(S, w[wa + k + j]);
                    a0 = wv.fma(v0, a0);
                    a1 = wv.fma(v1, a1);
                    wv = FloatVector.broadcast(S, w[wa + c9 + k + j]);
                    b0 = wv.fma(v0, b0);
                    b1 = wv.fma(v1, b1);
                    wv = FloatVector.broadcast(S, w[wa + 2 * c9 + k + j]);
                    c0 = wv.fma(v0, c0);
                    c1 = wv.fma(v1, c1);
                    wv = FloatVector.broadcast(S, w[wa + 3 * c9 + k + j]);
                    d0 = wv.fma(v0, d0);
                    d1 = wv.fma(v1, d1);
                }
            }
        }
        if (two) {
            a0.intoArray(y, ya);
            a1.intoArray(y, ya + L);
            b0.intoArray(y, ya + plane);
            b1.intoArray(y, ya + plane + L);
            c0.intoArray(y, ya + 2 * plane);
            c1.intoArray(y, ya + 2 * plane + L);
            d0.intoArray(y, ya + 3 * plane);
            d1.intoArray(y, ya + 3 * plane + L);
        } else {
            a0.intoArray(y, ya, m);
            b0.intoArray(y, ya + plane, m);
            c0.intoArray(y, ya + 2 * plane, m);
            d0.intoArray(y, ya + 3 * plane, m);
        }
    }
}
