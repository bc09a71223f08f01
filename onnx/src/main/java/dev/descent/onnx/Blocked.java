package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.FusedConvolution;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference convolutions in a channel-blocked layout: a blocked value is a float32 tensor [N, ⌈C/B⌉, H, W, B] with
 * B = the vector length (16 floats at 512 bits, 8 at 256), so one vector holds B consecutive channels of one pixel;
 * channels past C are padding (any finite value: nothing reads them into a real channel). {@link ChannelBlocking}
 * decides which values of a plan take this layout and puts {@link #block} and {@link #planes} at the edges.
 *
 * <p>Two kernels, each with a scalar twin of the same bits (the same fused multiply-adds in the same order):
 * <ul>
 *   <li>depthwise 3×3 at any stride and padding ({@link #depthwise}): per output pixel nine vector multiply-adds with
 *       the block's nine weight vectors held in registers, no padded copy (border pixels skip the taps outside);</li>
 *   <li>1×1 at stride 1 ({@link #pointwise}): register tiles of 8 pixels × 2 output blocks, per input channel two
 *       weight vectors and eight broadcasts.</li>
 * </ul>
 * Each output is {@code act(Σ x·w + b)} with the sum in the order of the input channels (1×1) or the taps row by row
 * (3×3), started at zero, then the bias added, then the epilogue of {@link PointwiseKernel.Finish}. The bits differ
 * from the NCHW kernels' (other sums), so the path runs only where no gradient is recorded; results do not depend on
 * the thread count.
 */
final class Blocked {
    private Blocked() {}

    private static final VectorSpecies<Float> S = Vectors.F;

    /** Channels per block: one vector (a power of two: channel ci is lane {@code ci & (B − 1)} of block {@code ci / B}). */
    static final int B = Vectors.FL;

    /** On unless -Ddescent.onnx.blocked=false, and only with vectors of at least 8 floats. */
    static volatile boolean enabled = Vectors.ENABLED && B >= 8 && !"false".equals(System.getProperty("descent.onnx.blocked"));

    /** Output pixels of a 1×1 tile. */
    private static final int TILE = 8;

    /** Pixels per chunk of a reorder (a chunk's B channels of them stay in L1). */
    private static final int CHUNK = 256;

    /** {@return the blocks that hold c channels} */
    static int blocks(int c) {
        return (c + B - 1) / B;
    }

    /** Whether t is a blocked value (rank 5, last axis B, float32). */
    static boolean isBlocked(Tensor t) {
        return t != null && t.dim() == 5 && t.size(4) == B && t.dtype() == DType.FLOAT32;
    }

    /**
     * x [N, C, H, W] float32 (any strides) in the blocked layout, its padding channels zero.
     *
     * @return [N, ⌈C/B⌉, H, W, B], new
     */
    static Tensor block(Tensor x) {
        Tensor xc = x.contiguous();
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hw = h * w, cb = blocks(c);
        Tensor y = Tensor.empty(DType.FLOAT32, n, cb, h, w, B);
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset();
        Parallel.forRange(n * cb, Math.max(1, (1 << 14) / Math.max(1, hw * B)), (from, to) -> {
            for (int q = from; q < to; q++) {
                int img = q / cb, c0 = (q % cb) * B, lanes = Math.min(B, c - c0), dst = q * hw * B, src = xo + (img * c + c0) * hw;
                for (int p0 = 0; p0 < hw; p0 += CHUNK) {
                    int p1 = Math.min(hw, p0 + CHUNK);
                    for (int j = 0; j < lanes; j++) {
                        int s = src + j * hw;
                        for (int p = p0; p < p1; p++) ya[dst + p * B + j] = xa[s + p];
                    }
                    for (int j = lanes; j < B; j++) for (int p = p0; p < p1; p++) ya[dst + p * B + j] = 0f;
                }
            }
        });
        return y;
    }

    /**
     * A blocked value back in planes: its first c channels.
     *
     * @param xb the blocked value [N, Cb, H, W, B]
     * @param c  the channels it holds, ≤ Cb·B
     * @return [N, c, H, W], new
     */
    static Tensor planes(Tensor xb, int c) {
        Tensor xc = xb.contiguous();
        int n = xb.size(0), cb = xb.size(1), h = xb.size(2), w = xb.size(3), hw = h * w;
        if (c > cb * B || c <= (cb - 1) * B) {
            throw new IllegalArgumentException("a blocked value of " + cb + " blocks of " + B + " channels cannot hold " + c + " channels");
        }
        Tensor y = Tensor.empty(DType.FLOAT32, n, c, h, w);
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset();
        Parallel.forRange(n * cb, Math.max(1, (1 << 14) / Math.max(1, hw * B)), (from, to) -> {
            for (int q = from; q < to; q++) {
                int img = q / cb, c0 = (q % cb) * B, lanes = Math.min(B, c - c0), src = xo + q * hw * B, dst = (img * c + c0) * hw;
                for (int p0 = 0; p0 < hw; p0 += CHUNK) {
                    int p1 = Math.min(hw, p0 + CHUNK);
                    for (int j = 0; j < lanes; j++) {
                        int d = dst + j * hw;
                        for (int p = p0; p < p1; p++) ya[d + p] = xa[src + p * B + j];
                    }
                }
            }
        });
        return y;
    }

    /**
     * Whether {@link #conv} has a kernel for a convolution of this weight and these attributes: depthwise 3×3 (weight
     * [C, 1, 3, 3], C groups) at any stride and padding, or 1×1 at stride 1 without padding, one group; dilation 1.
     */
    static boolean supports(int[] weightShape, int groups, int[] strides, int[] dilations, int[] pads) {
        if (weightShape.length != 4 || dilations[0] != 1 || dilations[1] != 1) return false;
        int o = weightShape[0];
        if (weightShape[1] == 1 && weightShape[2] == 3 && weightShape[3] == 3 && groups == o) return true;
        return weightShape[2] == 1 && weightShape[3] == 1 && groups == 1 && strides[0] == 1 && strides[1] == 1 && pads[0] == 0 && pads[1] == 0 && pads[2] == 0
                && pads[3] == 0;
    }

    /**
     * The convolution of a blocked input, blocked output; pads [top, left, bottom, right]. One this layout has no
     * kernel for (see {@link #supports}; another dtype) runs on planes between two reorders.
     */
    static Tensor conv(Tensor xb, Tensor w, Tensor b, int[] pads, int[] strides, int[] dilations, int groups, FusedConvolution.Activation act, PackedWeights packed) {
        return conv(xb, w, b, pads, strides, dilations, groups, act, packed, true);
    }

    /** {@link #conv}, or its scalar twin (vector false); packed is the node's packed weights, or null: packed for this call. */
    static Tensor conv(Tensor xb, Tensor w, Tensor b, int[] pads, int[] strides, int[] dilations, int groups, FusedConvolution.Activation act, PackedWeights packed,
                       boolean vector) {
        if (!supports(w.shape(), groups, strides, dilations, pads) || w.dtype() != DType.FLOAT32 || (b != null && (b.dtype() != DType.FLOAT32 || b.numel() != w.size(0)))) {
            Tensor x = planes(xb, Math.multiplyExact(groups, w.size(1)));
            return block(OnnxOps.asymmetricConv(x, w, b, pads[0], pads[1], pads[2], pads[3], strides, dilations, groups, act, packed));
        }
        ConvEpilogue e = WinogradConv.epilogue(null, act);
        PointwiseKernel.Finish f = PointwiseKernel.Finish.of(e);
        boolean later = f == null; // sigmoid: as its own op afterwards
        if (later) f = PointwiseKernel.Finish.of(null);
        float[] wp = packed != null ? packed.of(w, PackedWeights.Form.BLOCKED) : pack(w.detach().contiguous().toFloatArray(), w.shape());
        float[] bias = b == null ? null : java.util.Arrays.copyOf(b.detach().contiguous().toFloatArray(), blocks(w.size(0)) * B);
        Tensor y = w.size(1) == 1 && w.size(2) == 3 ? depthwise(xb, wp, w.size(0), bias, strides[0], strides[1], pads, f, vector)
                : pointwise(xb, wp, w.size(1), w.size(0), bias, f, vector);
        return later ? act.apply(y) : y;
    }

    /**
     * A weight in the order this layout's kernels read it: a depthwise [c, 1, 3, 3] as nine vectors per block (tap t's
     * weights of the block's B channels, ⌈c/B⌉·9·B floats); a 1×1 [o, c, 1, 1] as, per input channel, the weights of
     * every output channel (c·⌈o/B⌉·B floats). Padding channels are zero.
     *
     * @param w     the weight's values, row-major
     * @param shape the weight's shape, one that {@link #supports}
     * @return the packed weight, new
     */
    static float[] pack(float[] w, int[] shape) {
        int o = shape[0], c = shape[1];
        if (c == 1 && shape[2] == 3) {
            float[] wp = new float[blocks(o) * 9 * B];
            for (int ch = 0; ch < o; ch++) for (int t = 0; t < 9; t++) wp[((ch / B) * 9 + t) * B + (ch & (B - 1))] = w[ch * 9 + t];
            return wp;
        }
        int op = blocks(o) * B;
        float[] wp = new float[c * op];
        for (int oc = 0; oc < o; oc++) for (int ci = 0; ci < c; ci++) wp[ci * op + oc] = w[oc * c + ci];
        return wp;
    }

    /**
     * Depthwise 3×3 of a blocked input.
     *
     * @param xb     the input [N, Cb, H, W, B] holding c channels
     * @param wp     the weight [c, 1, 3, 3] {@link #pack packed}
     * @param c      the channels
     * @param bias   the bias padded to Cb·B, or null
     * @param pads   [top, left, bottom, right]
     * @param f      the epilogue (its own bias unused)
     * @param vector false: the scalar twin
     * @return [N, Cb, Ho, Wo, B]
     */
    static Tensor depthwise(Tensor xb, float[] wp, int c, float[] bias, int sh, int sw, int[] pads, PointwiseKernel.Finish f, boolean vector) {
        int n = xb.size(0), cb = xb.size(1), h = xb.size(2), wd = xb.size(3);
        if (cb != blocks(c)) throw new IllegalArgumentException("Conv: a blocked input of " + cb + " blocks for a depthwise weight of " + c + " channels");
        int top = pads[0], left = pads[1], ho = (h + top + pads[2] - 3) / sh + 1, wo = (wd + left + pads[3] - 3) / sw + 1;
        if (h + top + pads[2] < 3 || wd + left + pads[3] < 3) throw new IllegalArgumentException("Conv: input " + h + "×" + wd + " is smaller than the 3×3 kernel");
        Tensor xc = xb.contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset();
        Tensor y = Tensor.empty(DType.FLOAT32, n, cb, ho, wo, B);
        float[] ya = y.storage().floats();
        // output columns whose three taps are all inside: iw0 = ow·sw − left ≥ 0 and iw0 + 2 < W
        int owLo = Math.min(wo, (left + sw - 1) / sw), owHi = Math.max(owLo, Math.min(wo, wd - 3 + left < 0 ? 0 : (wd - 3 + left) / sw + 1));
        Parallel.forRange(n * cb, Math.max(1, (1 << 15) / Math.max(1, ho * wo * B)), (from, to) -> {
            for (int q = from; q < to; q++) {
                int blk = q % cb, xq = xo + q * h * wd * B, yq = q * ho * wo * B;
                for (int oh = 0; oh < ho; oh++) {
                    int ih0 = oh * sh - top, yr = yq + oh * wo * B;
                    boolean rowInside = ih0 >= 0 && ih0 + 2 < h;
                    if (vector && rowInside) {
                        depthwiseEdge(xa, xq, h, wd, ih0, sw, left, 0, owLo, wp, blk, bias, f, ya, yr);
                        depthwiseRow(xa, xq + (ih0 * wd - left) * B, wd * B, sw * B, owLo, owHi, wp, blk, bias, f, ya, yr);
                        depthwiseEdge(xa, xq, h, wd, ih0, sw, left, owHi, wo, wp, blk, bias, f, ya, yr);
                    } else if (vector) {
                        depthwiseEdge(xa, xq, h, wd, ih0, sw, left, 0, wo, wp, blk, bias, f, ya, yr);
                    } else {
                        for (int ow = 0; ow < wo; ow++) depthwiseScalar(xa, xq, h, wd, ih0, ow * sw - left, wp, blk, bias, f, ya, yr + ow * B);
                    }
                }
            }
        });
        return y;
    }

    /** Output columns [lo, hi) of one row whose taps are all inside: the nine weight vectors held, taps unrolled. */
    private static void depthwiseRow(float[] x, int x0, int rowStride, int step, int lo, int hi, float[] wp, int blk, float[] bias, PointwiseKernel.Finish f,
                                     float[] y, int yr) {
        if (lo >= hi) return;
        int wb = blk * 9 * B;
        FloatVector w0 = FloatVector.fromArray(S, wp, wb), w1 = FloatVector.fromArray(S, wp, wb + B), w2 = FloatVector.fromArray(S, wp, wb + 2 * B);
        FloatVector w3 = FloatVector.fromArray(S, wp, wb + 3 * B), w4 = FloatVector.fromArray(S, wp, wb + 4 * B), w5 = FloatVector.fromArray(S, wp, wb + 5 * B);
        FloatVector w6 = FloatVector.fromArray(S, wp, wb + 6 * B), w7 = FloatVector.fromArray(S, wp, wb + 7 * B), w8 = FloatVector.fromArray(S, wp, wb + 8 * B);
        FloatVector zero = FloatVector.zero(S);
        for (int ow = lo; ow < hi; ow++) {
            int a = x0 + ow * step, b1 = a + rowStride, b2 = b1 + rowStride;
            FloatVector acc = FloatVector.fromArray(S, x, a).fma(w0, zero);
            acc = FloatVector.fromArray(S, x, a + B).fma(w1, acc);
            acc = FloatVector.fromArray(S, x, a + 2 * B).fma(w2, acc);
            acc = FloatVector.fromArray(S, x, b1).fma(w3, acc);
            acc = FloatVector.fromArray(S, x, b1 + B).fma(w4, acc);
            acc = FloatVector.fromArray(S, x, b1 + 2 * B).fma(w5, acc);
            acc = FloatVector.fromArray(S, x, b2).fma(w6, acc);
            acc = FloatVector.fromArray(S, x, b2 + B).fma(w7, acc);
            acc = FloatVector.fromArray(S, x, b2 + 2 * B).fma(w8, acc);
            acc.intoArray(y, yr + ow * B);
        }
        finish(y, yr + lo * B, (hi - lo) * B, bias, blk * B, f); // the row while it is in L1
    }

    /** Output columns [lo, hi) of one row, each tap checked: the taps outside the input are skipped. */
    private static void depthwiseEdge(float[] x, int xq, int h, int wd, int ih0, int sw, int left, int lo, int hi, float[] wp, int blk, float[] bias,
                                      PointwiseKernel.Finish f, float[] y, int yr) {
        for (int ow = lo; ow < hi; ow++) {
            int iw0 = ow * sw - left;
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < 3; i++) {
                int ih = ih0 + i;
                if (ih < 0 || ih >= h) continue;
                for (int j = 0; j < 3; j++) {
                    int iw = iw0 + j;
                    if (iw < 0 || iw >= wd) continue;
                    acc = FloatVector.fromArray(S, x, xq + (ih * wd + iw) * B).fma(FloatVector.fromArray(S, wp, (blk * 9 + i * 3 + j) * B), acc);
                }
            }
            acc.intoArray(y, yr + ow * B);
            finish(y, yr + ow * B, B, bias, blk * B, f);
        }
    }

    /** The scalar twin of one output pixel's B channels. */
    private static void depthwiseScalar(float[] x, int xq, int h, int wd, int ih0, int iw0, float[] wp, int blk, float[] bias, PointwiseKernel.Finish f,
                                        float[] y, int at) {
        for (int j = 0; j < B; j++) {
            float acc = 0f;
            for (int u = 0; u < 3; u++) {
                int ih = ih0 + u;
                if (ih < 0 || ih >= h) continue;
                for (int v = 0; v < 3; v++) {
                    int iw = iw0 + v;
                    if (iw < 0 || iw >= wd) continue;
                    acc = Math.fma(x[xq + (ih * wd + iw) * B + j], wp[(blk * 9 + u * 3 + v) * B + j], acc);
                }
            }
            y[at + j] = finishOne(acc, bias == null ? 0f : bias[blk * B + j], bias != null, f);
        }
    }

    /**
     * 1×1 convolution of a blocked input, stride 1, no padding.
     *
     * @param xb     the input [N, Cbi, H, W, B] holding c channels
     * @param wp     the weight [o, c, 1, 1] {@link #pack packed}
     * @param c      input channels
     * @param o      output channels
     * @param bias   the bias padded to ⌈o/B⌉·B, or null
     * @param f      the epilogue (its own bias unused)
     * @param vector false: the scalar twin
     * @return [N, ⌈o/B⌉, H, W, B]
     */
    static Tensor pointwise(Tensor xb, float[] wp, int c, int o, float[] bias, PointwiseKernel.Finish f, boolean vector) {
        int n = xb.size(0), cbi = xb.size(1), h = xb.size(2), wd = xb.size(3), hw = h * wd, cbo = blocks(o), op = cbo * B;
        if (cbi != blocks(c)) throw new IllegalArgumentException("Conv: a blocked input of " + cbi + " blocks for a 1×1 weight of " + c + " input channels");
        Tensor xc = xb.contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset();
        Tensor y = Tensor.empty(DType.FLOAT32, n, cbo, h, wd, B);
        float[] ya = y.storage().floats();
        int chunk = Math.max(TILE, Math.min(512, ((int) Math.max(1, (long) n * hw / (2L * Parallel.threads())) + TILE - 1) / TILE * TILE));
        int chunks = (hw + chunk - 1) / chunk;
        Parallel.forRange(n * chunks, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                int img = k / chunks, p0 = (k % chunks) * chunk, p1 = Math.min(hw, p0 + chunk);
                int xi = xo + img * cbi * hw * B, yi = img * cbo * hw * B;
                if (!vector) {
                    for (int ob = 0; ob < cbo; ob++) for (int p = p0; p < p1; p++) pointwiseScalar(xa, xi, hw, c, wp, op, ob, p, bias, f, ya, yi);
                    continue;
                }
                int ob = 0;
                for (; ob + 2 <= cbo; ob += 2) {
                    int p = p0;
                    for (; p + TILE <= p1; p += TILE) tile8x2(xa, xi, hw, c, wp, op, ob, p, bias, f, ya, yi);
                    for (; p < p1; p++) pixel(xa, xi, hw, c, wp, op, ob, 2, p, bias, f, ya, yi);
                }
                if (ob < cbo) {
                    int p = p0;
                    for (; p + TILE <= p1; p += TILE) tile8x1(xa, xi, hw, c, wp, op, ob, p, bias, f, ya, yi);
                    for (; p < p1; p++) pixel(xa, xi, hw, c, wp, op, ob, 1, p, bias, f, ya, yi);
                }
            }
        });
        return y;
    }

    /** Output blocks ob and ob + 1 of pixels p … p + 7: 16 accumulators. */
    private static void tile8x2(float[] x, int xi, int hw, int c, float[] wp, int op, int ob, int p, float[] bias, PointwiseKernel.Finish f, float[] y, int yi) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (int ci = 0; ci < c; ci++) {
            int at = xi + ((ci / B) * hw + p) * B + (ci & (B - 1)), wi = ci * op + ob * B;
            FloatVector u = FloatVector.fromArray(S, wp, wi), v = FloatVector.fromArray(S, wp, wi + B);
            FloatVector s = FloatVector.broadcast(S, x[at]);
            a0 = s.fma(u, a0);
            b0 = s.fma(v, b0);
            s = FloatVector.broadcast(S, x[at + B]);
            a1 = s.fma(u, a1);
            b1 = s.fma(v, b1);
            s = FloatVector.broadcast(S, x[at + 2 * B]);
            a2 = s.fma(u, a2);
            b2 = s.fma(v, b2);
            s = FloatVector.broadcast(S, x[at + 3 * B]);
            a3 = s.fma(u, a3);
            b3 = s.fma(v, b3);
            s = FloatVector.broadcast(S, x[at + 4 * B]);
            a4 = s.fma(u, a4);
            b4 = s.fma(v, b4);
            s = FloatVector.broadcast(S, x[at + 5 * B]);
            a5 = s.fma(u, a5);
            b5 = s.fma(v, b5);
            s = FloatVector.broadcast(S, x[at + 6 * B]);
            a6 = s.fma(u, a6);
            b6 = s.fma(v, b6);
            s = FloatVector.broadcast(S, x[at + 7 * B]);
            a7 = s.fma(u, a7);
            b7 = s.fma(v, b7);
        }
        int ya = yi + (ob * hw + p) * B, yb = ya + hw * B;
        a0.intoArray(y, ya);
        a1.intoArray(y, ya + B);
        a2.intoArray(y, ya + 2 * B);
        a3.intoArray(y, ya + 3 * B);
        a4.intoArray(y, ya + 4 * B);
        a5.intoArray(y, ya + 5 * B);
        a6.intoArray(y, ya + 6 * B);
        a7.intoArray(y, ya + 7 * B);
        b0.intoArray(y, yb);
        b1.intoArray(y, yb + B);
        b2.intoArray(y, yb + 2 * B);
        b3.intoArray(y, yb + 3 * B);
        b4.intoArray(y, yb + 4 * B);
        b5.intoArray(y, yb + 5 * B);
        b6.intoArray(y, yb + 6 * B);
        b7.intoArray(y, yb + 7 * B);
        finish(y, ya, TILE * B, bias, ob * B, f);
        finish(y, yb, TILE * B, bias, ob * B + B, f);
    }

    /** Output block ob (the last of an odd count) of pixels p … p + 7: 8 accumulators. */
    private static void tile8x1(float[] x, int xi, int hw, int c, float[] wp, int op, int ob, int p, float[] bias, PointwiseKernel.Finish f, float[] y, int yi) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int ci = 0; ci < c; ci++) {
            int at = xi + ((ci / B) * hw + p) * B + (ci & (B - 1));
            FloatVector u = FloatVector.fromArray(S, wp, ci * op + ob * B);
            a0 = FloatVector.broadcast(S, x[at]).fma(u, a0);
            a1 = FloatVector.broadcast(S, x[at + B]).fma(u, a1);
            a2 = FloatVector.broadcast(S, x[at + 2 * B]).fma(u, a2);
            a3 = FloatVector.broadcast(S, x[at + 3 * B]).fma(u, a3);
            a4 = FloatVector.broadcast(S, x[at + 4 * B]).fma(u, a4);
            a5 = FloatVector.broadcast(S, x[at + 5 * B]).fma(u, a5);
            a6 = FloatVector.broadcast(S, x[at + 6 * B]).fma(u, a6);
            a7 = FloatVector.broadcast(S, x[at + 7 * B]).fma(u, a7);
        }
        int ya = yi + (ob * hw + p) * B;
        a0.intoArray(y, ya);
        a1.intoArray(y, ya + B);
        a2.intoArray(y, ya + 2 * B);
        a3.intoArray(y, ya + 3 * B);
        a4.intoArray(y, ya + 4 * B);
        a5.intoArray(y, ya + 5 * B);
        a6.intoArray(y, ya + 6 * B);
        a7.intoArray(y, ya + 7 * B);
        finish(y, ya, TILE * B, bias, ob * B, f);
    }

    /** Output blocks [ob, ob + blocks) of one pixel (the tails), a vector each. */
    private static void pixel(float[] x, int xi, int hw, int c, float[] wp, int op, int ob, int blocks, int p, float[] bias, PointwiseKernel.Finish f,
                              float[] y, int yi) {
        for (int k = ob; k < ob + blocks; k++) {
            FloatVector acc = FloatVector.zero(S);
            for (int ci = 0; ci < c; ci++) {
                acc = FloatVector.broadcast(S, x[xi + ((ci / B) * hw + p) * B + (ci & (B - 1))]).fma(FloatVector.fromArray(S, wp, ci * op + k * B), acc);
            }
            acc.intoArray(y, yi + (k * hw + p) * B);
            finish(y, yi + (k * hw + p) * B, B, bias, k * B, f);
        }
    }

    /** The scalar twin of output block ob of one pixel. */
    private static void pointwiseScalar(float[] x, int xi, int hw, int c, float[] wp, int op, int ob, int p, float[] bias, PointwiseKernel.Finish f,
                                        float[] y, int yi) {
        for (int j = 0; j < B; j++) {
            int oc = ob * B + j;
            float acc = 0f;
            for (int ci = 0; ci < c; ci++) acc = Math.fma(x[xi + ((ci / B) * hw + p) * B + (ci & (B - 1))], wp[ci * op + oc], acc);
            y[yi + (ob * hw + p) * B + j] = finishOne(acc, bias == null ? 0f : bias[oc], bias != null, f);
        }
    }

    /**
     * The epilogue in place over y[at, at + len) (whole vectors, each of one block's B channels, whose bias starts at
     * bias[bo]): PointwiseKernel.Finish's operations. On the stored sums, not on the accumulators: a vector passed to
     * a method C2 does not inline is boxed, and the kernels' loops are large.
     */
    private static void finish(float[] y, int at, int len, float[] bias, int bo, PointwiseKernel.Finish f) {
        boolean addB = bias != null, pre = f.preScale() != 1f || f.preShift() != 0f, post = f.scale() != 1f || f.shift() != 0f;
        int kind = f.kind();
        if (!addB && !pre && !post && kind == PointwiseKernel.Finish.NONE) return;
        FloatVector b = addB ? FloatVector.fromArray(S, bias, bo) : null;
        for (int q = at, end = at + len; q < end; q += B) {
            FloatVector v = FloatVector.fromArray(S, y, q);
            if (addB) v = v.add(b);
            if (pre) v = v.mul(f.preScale()).add(f.preShift());
            v = switch (kind) {
                case PointwiseKernel.Finish.RELU -> v.max(0f);
                case PointwiseKernel.Finish.CLAMP -> v.max(f.min()).min(f.max());
                case PointwiseKernel.Finish.HARDSWISH -> v.mul(v.add(3f).max(0f).min(6f)).div(6f);
                case PointwiseKernel.Finish.HARDSIGMOID -> v.add(3f).max(0f).min(6f).div(6f);
                default -> v;
            };
            if (post) v = v.mul(f.scale()).add(f.shift());
            v.intoArray(y, q);
        }
    }

    /** The scalar twin of {@link #finish} for one channel. */
    private static float finishOne(float v, float b, boolean addBias, PointwiseKernel.Finish f) {
        if (addBias) v += b;
        return f.one(v, 0);
    }
}
