package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.kernel.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 loops of the inference shortcuts (no gradients), each computing what the ops it replaces compute, element by
 * element with the same float32 operations, so the results have the separate ops' bits; only the passes over memory
 * and the intermediate tensors go away. Work is split over channel planes; results do not depend on the thread count.
 */
final class InferenceKernels {
    private InferenceKernels() {}

    private static final VectorSpecies<Float> S = Vectors.F;

    /**
     * In place, per plane: {@code y = y + r} for the first {@code cr} channels of each image, {@code y = y + 0} for the
     * rest (the zeros a channel Concat added), then Relu when asked ({@code max(v, 0)}, NaN kept), as Add and Relu do.
     *
     * @param y      the output [n, c, pixels], from offset 0
     * @param n      images
     * @param c      channels of y
     * @param pixels floats per plane
     * @param r      the residual [n, cr, pixels]
     * @param ro     its offset
     * @param cr     its channels, ≤ c
     * @param relu   whether a Relu follows
     */
    static void addResidual(float[] y, int n, int c, int pixels, float[] r, int ro, int cr, boolean relu) {
        Threads.forRange(n * c, Math.max(1, (1 << 14) / Math.max(1, pixels)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int b = p / c, ch = p % c, yo = p * pixels;
                if (ch < cr) addRow(y, yo, r, ro + (b * cr + ch) * pixels, pixels, relu);
                else addZeroRow(y, yo, pixels, relu);
            }
        });
    }

    private static void addRow(float[] y, int yo, float[] r, int ro, int len, boolean relu) {
        int i = 0;
        if (Vectors.ENABLED) {
            for (int upper = S.loopBound(len); i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, r, ro + i));
                if (relu) v = v.max(0f);
                v.intoArray(y, yo + i);
            }
        }
        for (; i < len; i++) {
            float v = y[yo + i] + r[ro + i];
            y[yo + i] = relu ? relu(v) : v;
        }
    }

    private static void addZeroRow(float[] y, int yo, int len, boolean relu) {
        int i = 0;
        if (Vectors.ENABLED) {
            for (int upper = S.loopBound(len); i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, yo + i).add(0f);
                if (relu) v = v.max(0f);
                v.intoArray(y, yo + i);
            }
        }
        for (; i < len; i++) {
            float v = y[yo + i] + 0f;
            y[yo + i] = relu ? relu(v) : v;
        }
    }

    /** Relu as core's kernel computes it: NaN stays NaN. */
    private static float relu(float v) {
        return v > 0 ? v : (v == v ? 0 : v);
    }

    /** Whether every element of a float32 tensor is +0.0 (the bits 0: −0.0 would add differently). */
    static boolean allPositiveZero(Tensor t) {
        if (t.dtype() != DType.FLOAT32) return false;
        Tensor c = t.contiguous();
        float[] a = c.storage().floats();
        for (int i = c.storageOffset(), end = i + c.numel(); i < end; i++) if (Float.floatToRawIntBits(a[i]) != 0) return false;
        return true;
    }

    /**
     * x [N, C, H, W] float32 with {@code value} added above, below, left and right, in one pass (Pad's and an
     * asymmetric Conv padding's values, exactly: a copy).
     *
     * @param x the input, float32, rank 4
     * @return the padded tensor, new
     */
    static Tensor pad(Tensor x, int top, int bottom, int left, int right, float value) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hp = h + top + bottom, wp = w + left + right;
        // read x through its strides (an NHWC input's Transpose is a view): one pass instead of a copy and then the pad
        int s0 = x.stride(0), s1 = x.stride(1), s2 = x.stride(2), s3 = x.stride(3), xo = x.storageOffset();
        Tensor y = Tensor.empty(DType.FLOAT32, n, c, hp, wp);
        float[] xa = x.storage().floats(), ya = y.storage().floats();
        Threads.forRange(n * c, Math.max(1, (1 << 14) / Math.max(1, hp * wp)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int dst = p * hp * wp, src = xo + (p / c) * s0 + (p % c) * s1;
                java.util.Arrays.fill(ya, dst, dst + top * wp + left, value);
                for (int r = 0; r < h; r++) {
                    int at = dst + (top + r) * wp + left, from2 = src + r * s2;
                    if (s3 == 1) System.arraycopy(xa, from2, ya, at, w);
                    else for (int j = 0; j < w; j++) ya[at + j] = xa[from2 + j * s3];
                    // this row's right padding and the next row's left padding
                    java.util.Arrays.fill(ya, at + w, at + w + right + (r + 1 < h ? left : 0), value);
                }
                java.util.Arrays.fill(ya, dst + (top + h) * wp, dst + hp * wp, value);
            }
        });
        return y;
    }

    /**
     * Linear resize of the last two axes of a float32 [N, C, H, W] tensor, as two separable passes that compute what
     * Resampling's per-axis ops compute, element by element: along the rows {@code a + (b − a)·t} (each operation
     * rounded to float32), then the same along the columns of that result. One task per plane, no index tensors.
     *
     * @param x     the input
     * @param rowLo for each output row, the lower input row; rowHi the upper; rowT the float32 weight of the upper (all
     *              three null: the rows are kept, no pass along them)
     * @param colLo the same for the columns
     * @return the resized tensor, new
     */
    static Tensor linearPlanes(Tensor x, int[] rowLo, int[] rowHi, float[] rowT, int[] colLo, int[] colHi, float[] colT) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), ho = rowLo == null ? h : rowLo.length, wo = colLo == null ? w : colLo.length;
        Tensor xc = x.contiguous();
        Tensor y = Tensor.empty(DType.FLOAT32, n, c, ho, wo);
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset();
        Threads.forRange(n * c, Math.max(1, (1 << 14) / Math.max(1, ho * wo)), (from, to) -> {
            float[] mid = new float[ho * w];
            for (int p = from; p < to; p++) {
                int src = xo + p * h * w, dst = p * ho * wo;
                if (rowLo == null) System.arraycopy(xa, src, mid, 0, h * w); // rows kept: no pass along them
                for (int i = 0; rowLo != null && i < ho; i++) {
                    int a = src + rowLo[i] * w, b = src + rowHi[i] * w, m = i * w;
                    float t = rowT[i];
                    int j = 0;
                    if (Vectors.ENABLED) {
                        for (int upper = S.loopBound(w); j < upper; j += S.length()) {
                            FloatVector va = FloatVector.fromArray(S, xa, a + j);
                            va.add(FloatVector.fromArray(S, xa, b + j).sub(va).mul(t)).intoArray(mid, m + j);
                        }
                    }
                    for (; j < w; j++) mid[m + j] = xa[a + j] + (xa[b + j] - xa[a + j]) * t;
                }
                if (colLo == null) {
                    System.arraycopy(mid, 0, ya, dst, ho * w);
                    continue;
                }
                for (int i = 0; i < ho; i++) {
                    int m = i * w, row = dst + i * wo, j = 0;
                    if (Vectors.ENABLED) { // the same three operations per element, the two inputs gathered
                        for (int upper = S.loopBound(wo); j < upper; j += S.length()) {
                            FloatVector a = FloatVector.fromArray(S, mid, m, colLo, j);
                            a.add(FloatVector.fromArray(S, mid, m, colHi, j).sub(a).mul(FloatVector.fromArray(S, colT, j))).intoArray(ya, row + j);
                        }
                    }
                    for (; j < wo; j++) {
                        float a = mid[m + colLo[j]];
                        ya[row + j] = a + (mid[m + colHi[j]] - a) * colT[j];
                    }
                }
            }
        });
        return y;
    }
    /**
     * Max pooling of a float32 [N, C, H, W] tensor over kh×kw windows at strides sh, sw, after padding with −∞ (top,
     * left, bottom, right), as core's maxPool2d computes it: the windows' elements in row-major order, the first kept on
     * ties and the first NaN winning, so the same values; at stride 1 along the rows a vector of output columns per step.
     * No indices are kept (nothing will be differentiated).
     *
     * @return the pooled tensor, new, or null when no window fits (the op reports it)
     */
    static Tensor maxPool(Tensor x, int kh, int kw, int sh, int sw, int top, int left, int bottom, int right) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hp = h + top + bottom, wp = w + left + right;
        if (hp < kh || wp < kw) return null;
        int ho = (hp - kh) / sh + 1, wo = (wp - kw) / sw + 1;
        Tensor xc = x.contiguous();
        Tensor y = Tensor.empty(DType.FLOAT32, n, c, ho, wo);
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset(), len = S.length();
        Threads.forRange(n * c, Math.max(1, (1 << 14) / Math.max(1, ho * wo * kh * kw)), (from, to) -> {
            float[] buf = new float[hp * wp + len];
            java.util.Arrays.fill(buf, Float.NEGATIVE_INFINITY);
            for (int p = from; p < to; p++) {
                for (int r = 0; r < h; r++) System.arraycopy(xa, xo + (p * h + r) * w, buf, (top + r) * wp + left, w);
                int dst = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    int row0 = oh * sh * wp, out = dst + oh * wo, ow = 0;
                    if (Vectors.ENABLED && sw == 1) {
                        for (int upper = S.loopBound(wo); ow < upper; ow += len) {
                            FloatVector best = FloatVector.fromArray(S, buf, row0 + ow);
                            for (int i = 0; i < kh; i++) {
                                for (int j = i == 0 ? 1 : 0; j < kw; j++) {
                                    FloatVector v = FloatVector.fromArray(S, buf, row0 + i * wp + ow + j);
                                    var take = v.compare(jdk.incubator.vector.VectorOperators.GT, best)
                                            .or(v.test(jdk.incubator.vector.VectorOperators.IS_NAN).andNot(best.test(jdk.incubator.vector.VectorOperators.IS_NAN)));
                                    best = best.blend(v, take);
                                }
                            }
                            best.intoArray(ya, out + ow);
                        }
                    }
                    for (; ow < wo; ow++) {
                        int at = row0 + ow * sw;
                        float best = buf[at];
                        for (int i = 0; i < kh; i++) {
                            for (int j = i == 0 ? 1 : 0; j < kw; j++) {
                                float v = buf[at + i * wp + j];
                                if (v > best || (v != v && best == best)) best = v;
                            }
                        }
                        ya[out + ow] = best;
                    }
                }
                // the padding stays −∞; the image's rows are overwritten by the next plane
            }
        });
        return y;
    }
    /**
     * y = x·s[c] + t[c] per channel of a float32 [N, C, ...] tensor in one pass, a multiply then an add (two roundings,
     * as {@code x.mul(s).add(t)} computes them), split over planes.
     *
     * @return the result, new
     */
    static Tensor channelAffine(Tensor x, float[] s, float[] t) {
        Tensor xc = x.contiguous();
        int n = x.size(0), c = x.size(1), plane = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        Tensor y = Tensor.empty(DType.FLOAT32, x.shape());
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset();
        Threads.forRange(n * c, Math.max(1, (1 << 14) / Math.max(1, plane)), (from, to) -> {
            for (int p = from; p < to; p++) {
                float sc = s[p % c], sh = t[p % c];
                int src = xo + p * plane, dst = p * plane, i = 0;
                if (Vectors.ENABLED) {
                    for (int upper = S.loopBound(plane); i < upper; i += S.length()) {
                        FloatVector.fromArray(S, xa, src + i).mul(sc).add(sh).intoArray(ya, dst + i);
                    }
                }
                for (; i < plane; i++) ya[dst + i] = xa[src + i] * sc + sh;
            }
        });
        return y;
    }
}
