package dev.descent.core.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * What an inference convolution does to each output plane while it is still in cache: add the channel's bias and apply
 * an activation (between optional scalar affine maps), in place. Each step is the float32 operation the separate op would do ({@code y + b}, then
 * {@link UnaryKernels}' relu, sigmoid, hardswish or hardsigmoid, or clamp as max then min), so a plane comes out with
 * the bits of the separate ops run one after the other, one pass over memory instead of two or three.
 *
 * @param bias the bias array, or null for none
 * @param bo   the offset of channel 0's bias in it
 * @param act  the activation, null for none
 * @param min  the lower bound of a clamp (−∞: none)
 * @param max  the upper bound of a clamp (+∞: none)
 * @param preScale multiplies the convolution's output before the activation (1: none), rounded, before
 * @param preShift is added (0: none), rounded
 * @param scale multiplies the activation's result (1: none), rounded, before
 * @param shift is added (0: none), rounded: the separate Mul and Add's operations
 */
public record ConvEpilogue(float[] bias, int bo, Activation act, float min, float max, float preScale, float preShift, float scale, float shift) {
    /** The activations an output loop can apply; CLAMP takes the record's bounds. */
    public enum Activation { RELU, SIGMOID, HARDSWISH, HARDSIGMOID, CLAMP }

    /**
     * Channels [first, first + channels) of an output whose planes of {@code pixels} floats start at {@code off}.
     *
     * @param y        the output
     * @param off      where channel {@code first}'s plane starts
     * @param first    the first channel (its bias is {@code bias[bo + first]})
     * @param channels how many consecutive planes
     * @param pixels   the floats of one plane
     * @param addBias  whether to add the bias (false when the convolution started its sums at it)
     */
    public void apply(float[] y, int off, int first, int channels, int pixels, boolean addBias) {
        for (int k = 0; k < channels; k++) {
            int at = off + k * pixels;
            if (addBias && bias != null) addRow(y, at, pixels, bias[bo + first + k], Vectors.ENABLED);
            if (preScale != 1f || preShift != 0f) affineRow(y, at, pixels, preScale, preShift, Vectors.ENABLED);
            if (act != null) activate(y, at, pixels);
            if (scale != 1f || shift != 0f) affineRow(y, at, pixels, scale, shift, Vectors.ENABLED);
        }
    }

    private void activate(float[] y, int at, int pixels) {
        switch (act) {
            case RELU -> UnaryKernels.rowF(UnaryKernels.Kind.RELU, y, at, 1, y, at, pixels, Vectors.ENABLED);
            case SIGMOID -> UnaryKernels.rowF(UnaryKernels.Kind.SIGMOID, y, at, 1, y, at, pixels, Vectors.ENABLED);
            case HARDSWISH -> UnaryKernels.rowF(UnaryKernels.Kind.HARDSWISH, y, at, 1, y, at, pixels, Vectors.ENABLED);
            case HARDSIGMOID -> UnaryKernels.rowF(UnaryKernels.Kind.HARDSIGMOID, y, at, 1, y, at, pixels, Vectors.ENABLED);
            case CLAMP -> clampRow(y, at, pixels, min, max, Vectors.ENABLED);
        }
    }

    /**
     * y[i] = y[i]·s + t over n floats as two roundings (a multiply, then an add; never fused), each skipped when it is
     * the identity (s = 1, t = 0), as the separate ops are; scalar twin when not vector.
     */
    static void affineRow(float[] y, int yo, int n, float s, float t, boolean vector) {
        boolean mul = s != 1f, add = t != 0f;
        int i = 0;
        if (vector && n >= Vectors.FL) {
            var S = Vectors.F;
            for (int upper = S.loopBound(n); i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, yo + i);
                if (mul) v = v.mul(s);
                if (add) v = v.add(t);
                v.intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            float v = y[yo + i];
            if (mul) v = v * s;
            if (add) v = v + t;
            y[yo + i] = v;
        }
    }

    /** y[i] += b over n floats; {@code vector=false}: the scalar twin. */
    static void addRow(float[] y, int yo, int n, float b, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.FL) {
            var S = Vectors.F;
            for (int upper = S.loopBound(n); i < upper; i += S.length()) FloatVector.fromArray(S, y, yo + i).add(b).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += b;
    }

    /** y[i] = min(max(y[i], lo), hi) over n floats, each bound skipped when infinite (as {@code Tensor.clamp}); scalar twin when not vector. */
    static void clampRow(float[] y, int yo, int n, float lo, float hi, boolean vector) {
        boolean low = lo != Float.NEGATIVE_INFINITY, high = hi != Float.POSITIVE_INFINITY;
        int i = 0;
        if (vector && n >= Vectors.FL) {
            var S = Vectors.F;
            for (int upper = S.loopBound(n); i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, yo + i);
                if (low) v = v.max(lo);
                if (high) v = v.min(hi);
                v.intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            float v = y[yo + i];
            if (low) v = Math.max(v, lo);
            if (high) v = Math.min(v, hi);
            y[yo + i] = v;
        }
    }
}
