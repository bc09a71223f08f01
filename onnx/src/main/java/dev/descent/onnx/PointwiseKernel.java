package dev.descent.onnx;

import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link PointwiseConv}: y[o, p] = Σ_c w[o, c]·x[c, p] over a strip of pixels, by register tiles of
 * four output channels × a strip of {@link #STRIP_VECTORS} vectors, straight from the planes (nothing packed: the
 * strip's C × strip inputs stay in L1 while every output channel passes over them), the bias and the activation applied
 * to the tile's rows right after its store, while they are in L1 (in registers, inlining the activation into the tile
 * loop made C2 box the vectors). Sums are one fused multiply-add chain per element over c in order,
 * which rounds like neither core's GEMM nor its implicit kernel: inference only.
 */
final class PointwiseKernel {
    private PointwiseKernel() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();

    /** Vectors of a strip: 4 with 32 vector registers (16 accumulators), else 2 (8 accumulators of 16 registers). */
    static final int STRIP_VECTORS = Gemm.MR == 6 ? 4 : 2;
    /** Pixels of a strip. */
    static final int STRIP = STRIP_VECTORS * L;

    /**
     * What follows a tile's store: the epilogue's bias, affine maps and activation, in the separate ops' order and
     * roundings; {@link #of} is null when an activation has no form here (sigmoid: the caller applies it afterwards).
     */
    record Finish(float[] bias, int bo, int kind, float min, float max, float preScale, float preShift, float scale, float shift) {
        static final int NONE = 0, RELU = 1, CLAMP = 2, HARDSWISH = 3, HARDSIGMOID = 4;

        /** The register form of e (null e: nothing to do), or null when it has none. */
        static Finish of(ConvEpilogue e) {
            if (e == null) return new Finish(null, 0, NONE, 0, 0, 1, 0, 1, 0);
            int kind;
            if (e.act() == null) kind = NONE;
            else {
                switch (e.act()) {
                    case RELU -> kind = RELU;
                    case CLAMP -> kind = CLAMP;
                    case HARDSWISH -> kind = HARDSWISH;
                    case HARDSIGMOID -> kind = HARDSIGMOID;
                    default -> {
                        return null;
                    }
                }
            }
            return new Finish(e.bias(), e.bo(), kind, e.min(), e.max(), e.preScale(), e.preShift(), e.scale(), e.shift());
        }

        /** Whether there is nothing to do. */
        boolean identity() {
            return bias == null && kind == NONE && preScale == 1f && preShift == 0f && scale == 1f && shift == 0f;
        }

        /** y[at + i] for i < width (a whole number of vectors) of channel ch, in place. */
        void row(float[] y, int at, int width, int ch) {
            float b = bias == null ? 0f : bias[bo + ch];
            boolean addB = bias != null, pre = preScale != 1f || preShift != 0f, post = scale != 1f || shift != 0f;
            for (int q = 0; q < width; q += L) {
                FloatVector v = FloatVector.fromArray(S, y, at + q);
                if (addB) v = v.add(b);
                if (pre) v = v.mul(preScale).add(preShift);
                v = switch (kind) {
                    case RELU -> v.max(0f);
                    case CLAMP -> v.max(min).min(max);
                    case HARDSWISH -> v.mul(v.add(3f).max(0f).min(6f)).div(6f);
                    case HARDSIGMOID -> v.add(3f).max(0f).min(6f).div(6f);
                    default -> v;
                };
                if (post) v = v.mul(scale).add(shift);
                v.intoArray(y, at + q);
            }
        }

        /** The scalar form of {@link #row} for one element (the masked tail). */
        float one(float v, int ch) {
            if (bias != null) v += bias[bo + ch];
            if (preScale != 1f || preShift != 0f) v = v * preScale + preShift;
            v = switch (kind) {
                case RELU -> v > 0 ? v : (v == v ? 0 : v);
                case CLAMP -> Math.min(Math.max(v, min), max);
                case HARDSWISH -> v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
                case HARDSIGMOID -> Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
                default -> v;
            };
            if (scale != 1f || shift != 0f) v = v * scale + shift;
            return v;
        }
    }

    /**
     * Output channels [0, o) of pixels [p0, p0 + len) of one image.
     *
     * @param x  the input planes, channel ci's at xi + ci·pixels
     * @param w  the weight [o, c] at wo
     * @param y  the output planes, channel oi's at yi + oi·pixels
     * @param f  what to apply before the store
     */
    static void block(float[] x, int xi, int c, int pixels, int p0, int len, float[] w, int wo, int o, float[] y, int yi, Finish f) {
        int end = p0 + len;
        boolean plain = f.identity();
        for (int p = p0; p < end; p += STRIP) {
            int width = Math.min(STRIP, end - p), oi = 0;
            if (width == STRIP) {
                for (; oi + 4 <= o; oi += 4) {
                    int at = yi + oi * pixels + p;
                    if (STRIP_VECTORS == 4) tile4x4(x, xi + p, c, pixels, w, wo + oi * c, y, at);
                    else tile4x2(x, xi + p, c, pixels, w, wo + oi * c, y, at);
                    if (!plain) for (int r = 0; r < 4; r++) f.row(y, at + r * pixels, STRIP, oi + r);
                }
            } else { // the last, narrower strip: four channels by one (masked) vector at a time
                for (; oi + 4 <= o; oi += 4) {
                    for (int q = 0; q < width; q += L) {
                        VectorMask<Float> m = S.indexInRange(q, width);
                        int at = yi + oi * pixels + p + q, n = Math.min(L, width - q);
                        tile4x1(x, xi + p + q, c, pixels, w, wo + oi * c, y, at, m);
                        if (!plain) for (int r = 0; r < 4; r++) for (int i = 0; i < n; i++) y[at + r * pixels + i] = f.one(y[at + r * pixels + i], oi + r);
                    }
                }
            }
            for (; oi < o; oi++) {
                for (int q = 0; q < width; q += L) {
                    VectorMask<Float> m = S.indexInRange(q, width);
                    row(x, xi + p + q, c, pixels, w, wo + oi * c, y, yi + oi * pixels + p + q, oi, f, m);
                }
            }
        }
    }

    /** One output channel, one vector of pixels (masked). */
    private static void row(float[] x, int xa, int c, int pixels, float[] w, int wa, float[] y, int ya, int oi, Finish f, VectorMask<Float> m) {
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0; k < c; k++) acc = FloatVector.broadcast(S, w[wa + k]).fma(FloatVector.fromArray(S, x, xa + k * pixels, m), acc);
        acc.intoArray(y, ya, m);
        for (int i = 0, n = m.trueCount(); i < n; i++) y[ya + i] = f.one(y[ya + i], oi);
    }

    private static void tile4x1(float[] x, int xa, int c, int pixels, float[] w, int wa, float[] y, int ya, VectorMask<Float> m) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int w0 = wa, w1 = w0 + c, w2 = w1 + c, w3 = w2 + c;
        for (int k = 0, at = xa; k < c; k++, at += pixels) {
            FloatVector x0 = FloatVector.fromArray(S, x, at, m);
            c0 = FloatVector.broadcast(S, w[w0 + k]).fma(x0, c0);
            c1 = FloatVector.broadcast(S, w[w1 + k]).fma(x0, c1);
            c2 = FloatVector.broadcast(S, w[w2 + k]).fma(x0, c2);
            c3 = FloatVector.broadcast(S, w[w3 + k]).fma(x0, c3);
        }
        c0.intoArray(y, ya, m);
        c1.intoArray(y, ya + pixels, m);
        c2.intoArray(y, ya + 2 * pixels, m);
        c3.intoArray(y, ya + 3 * pixels, m);
    }

    private static void tile4x4(float[] x, int xa, int c, int pixels, float[] w, int wa, float[] y, int ya) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int w0 = wa, w1 = w0 + c, w2 = w1 + c, w3 = w2 + c;
        for (int k = 0, at = xa; k < c; k++, at += pixels) {
            FloatVector x0 = FloatVector.fromArray(S, x, at), x1 = FloatVector.fromArray(S, x, at + L);
            FloatVector x2 = FloatVector.fromArray(S, x, at + 2 * L), x3 = FloatVector.fromArray(S, x, at + 3 * L);
            FloatVector a = FloatVector.broadcast(S, w[w0 + k]);
            c00 = a.fma(x0, c00);
            c01 = a.fma(x1, c01);
            c02 = a.fma(x2, c02);
            c03 = a.fma(x3, c03);
            a = FloatVector.broadcast(S, w[w1 + k]);
            c10 = a.fma(x0, c10);
            c11 = a.fma(x1, c11);
            c12 = a.fma(x2, c12);
            c13 = a.fma(x3, c13);
            a = FloatVector.broadcast(S, w[w2 + k]);
            c20 = a.fma(x0, c20);
            c21 = a.fma(x1, c21);
            c22 = a.fma(x2, c22);
            c23 = a.fma(x3, c23);
            a = FloatVector.broadcast(S, w[w3 + k]);
            c30 = a.fma(x0, c30);
            c31 = a.fma(x1, c31);
            c32 = a.fma(x2, c32);
            c33 = a.fma(x3, c33);
        }
        store4(y, ya, c00, c01, c02, c03);
        store4(y, ya + pixels, c10, c11, c12, c13);
        store4(y, ya + 2 * pixels, c20, c21, c22, c23);
        store4(y, ya + 3 * pixels, c30, c31, c32, c33);
    }

    private static void store4(float[] y, int at, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        v0.intoArray(y, at);
        v1.intoArray(y, at + L);
        v2.intoArray(y, at + 2 * L);
        v3.intoArray(y, at + 3 * L);
    }

    private static void tile4x2(float[] x, int xa, int c, int pixels, float[] w, int wa, float[] y, int ya) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int w0 = wa, w1 = w0 + c, w2 = w1 + c, w3 = w2 + c;
        for (int k = 0, at = xa; k < c; k++, at += pixels) {
            FloatVector x0 = FloatVector.fromArray(S, x, at), x1 = FloatVector.fromArray(S, x, at + L);
            FloatVector a = FloatVector.broadcast(S, w[w0 + k]);
            c00 = a.fma(x0, c00);
            c01 = a.fma(x1, c01);
            a = FloatVector.broadcast(S, w[w1 + k]);
            c10 = a.fma(x0, c10);
            c11 = a.fma(x1, c11);
            a = FloatVector.broadcast(S, w[w2 + k]);
            c20 = a.fma(x0, c20);
            c21 = a.fma(x1, c21);
            a = FloatVector.broadcast(S, w[w3 + k]);
            c30 = a.fma(x0, c30);
            c31 = a.fma(x1, c31);
        }
        c00.intoArray(y, ya);
        c01.intoArray(y, ya + L);
        c10.intoArray(y, ya + pixels);
        c11.intoArray(y, ya + pixels + L);
        c20.intoArray(y, ya + 2 * pixels);
        c21.intoArray(y, ya + 2 * pixels + L);
        c30.intoArray(y, ya + 3 * pixels);
        c31.intoArray(y, ya + 3 * pixels + L);
    }
}
