package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.PoolKernels;
import dev.descent.core.kernel.Vectors;

/**
 * 2-D pooling over NCHW tensors. Max pooling finds, per output, the flat position of its window's
 * maximum (the first on ties; padding never wins), then picks those positions ({@link #pick}), whose
 * adjoint puts gradients back ({@link #place}); each is the other's backward. Average pooling
 * divides by the full window (padding counted, PyTorch's default) and its adjoint spreads the
 * gradient evenly ({@link #avgPool2dBackward}); again each is the other's backward.
 */
public final class Pooling {
    private Pooling() {}

    /**
     * Window size, stride and padding (height, width) of a 2-D pooling, as in {@code torch.nn.MaxPool2d}.
     *
     * @param kh the window height, ≥ 1
     * @param kw the window width, ≥ 1
     * @param sh the vertical stride, ≥ 1
     * @param sw the horizontal stride, ≥ 1
     * @param ph the padding above and below, between 0 and {@code kh/2}
     * @param pw the padding left and right, between 0 and {@code kw/2}
     */
    public record Window(int kh, int kw, int sh, int sw, int ph, int pw) {
        /**
         * Checks every field.
         *
         * @throws IllegalArgumentException when a size or stride is below 1, or a padding is negative or more
         *         than half the window
         */
        public Window {
            if (kh < 1 || kw < 1) throw new IllegalArgumentException("pool: kernel must be >= 1, was (" + kh + ", " + kw + ")");
            if (sh < 1 || sw < 1) throw new IllegalArgumentException("pool: stride must be >= 1, was (" + sh + ", " + sw + ")");
            if (ph < 0 || pw < 0 || 2 * ph > kh || 2 * pw > kw) {
                throw new IllegalArgumentException("pool: padding (" + ph + ", " + pw + ") must be between 0 and half the kernel (" + kh + ", " + kw + ")");
            }
        }

        /**
         * A square window with square stride and padding. (PyTorch's default stride, the kernel size, is the
         * caller's to pass: {@code Window.of(2, 2, 0)}.)
         *
         * @param kernel the window size, ≥ 1
         * @param stride the stride, ≥ 1
         * @param padding the padding, between 0 and {@code kernel/2}
         * @return the window
         * @throws IllegalArgumentException when a value is out of range
         */
        public static Window of(int kernel, int stride, int padding) {
            return new Window(kernel, kernel, stride, stride, padding, padding);
        }
    }

    static int[] outShape(String op, int[] xs, Window p) {
        if (xs.length != 4) throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got " + Shape.format(xs));
        int ho = (xs[2] + 2 * p.ph() - p.kh()) / p.sh() + 1, wo = (xs[3] + 2 * p.pw() - p.kw()) / p.sw() + 1;
        if (xs[2] + 2 * p.ph() < p.kh() || xs[3] + 2 * p.pw() < p.kw()) {
            throw new IllegalArgumentException(op + ": window " + p.kh() + "×" + p.kw() + " does not fit input " + Shape.format(xs));
        }
        return new int[] {xs[0], xs[1], ho, wo};
    }

    /**
     * The maximum over each window: {@code y[n, c, oh, ow] = max x[n, c, oh·sh − ph + i, ow·sw − pw + j]} over
     * the window's positions inside the image (padding never wins). The gradient goes to the position of the
     * maximum only: the first in row-major window order on ties (unlike {@link Tensor#max()}, which splits);
     * a NaN wins over any number.
     *
     * @param x the input {@code [N, C, H, W]}, float32 or float64
     * @param p the window
     * @return {@code [N, C, Ho, Wo]} with {@code Ho = ⌊(H + 2·ph − kh)/sh⌋ + 1} (likewise Wo)
     * @throws IllegalArgumentException when x is not 4-D or not floating point, or the window does not fit the
     *         padded input
     */
    public static Tensor maxPool2d(Tensor x, Window p) {
        if (HalfCompute.any(x)) return HalfCompute.round(maxPool2d(x.to(DType.FLOAT32), p), x.dtype());
        int[] xs = x.shape(), os = outShape("maxPool2d", xs, p);
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException("maxPool2d: expects a float tensor, got " + x.dtype());
        Tensor xc = x.detach().contiguous();
        int planes = os[0] * os[1], ho = os[2], wo = os[3], h = xs[2], w = xs[3];
        int base = xc.storageOffset();
        if (x.dtype() == DType.FLOAT32) {
            Workspace.IntLease lease = Workspace.ints(planes * ho * wo);
            int[] index = lease.array();
            // One pass: each window's maximum goes to y as its position goes to index (no second gather).
            float[] xa = xc.storage().floats();
            Tensor y = Tensor.empty(x.dtype(), os);
            float[] ya = y.storage().floats();
            boolean twoByTwo = p.kh() == 2 && p.kw() == 2 && p.sh() == 2 && p.sw() == 2 && p.ph() == 0 && p.pw() == 0;
            Parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, ho * wo * p.kh() * p.kw())), (from, to) -> {
                if (twoByTwo) {
                    PoolKernels.max2x2F(xa, base + from * h * w, h * w, w, ho, wo, to - from, ya, from * ho * wo, index, from * ho * wo, Vectors.ENABLED);
                    return;
                }
                for (int pl = from; pl < to; pl++) {
                    int in = base + pl * h * w, out = pl * ho * wo;
                    maxPlaneF(xa, in, h, w, p, ho, wo, index, out);
                    for (int k = 0; k < ho * wo; k++) ya[out + k] = xa[in + index[out + k]];
                }
            });
            return Autograd.record("maxPool2d", y, g -> new Tensor[] {place(g, lease.array(), xs)}, t -> pick(t[0], lease.array(), os), x);
        } else {
            int[] index = new int[planes * ho * wo];
            Storage s = xc.storage();
            Parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, ho * wo * p.kh() * p.kw())), (from, to) -> {
                for (int pl = from; pl < to; pl++) maxPlaneGeneric(s, base + pl * h * w, h, w, p, ho, wo, index, pl * ho * wo);
            });
            return pick(x, index, os);
        }
    }

    /** Window maxima of one float plane: index[out0 + k] = flat position in the plane (first on ties; NaN wins). */
    private static void maxPlaneF(float[] x, int in, int h, int w, Window p, int ho, int wo, int[] index, int out0) {
        for (int oh = 0; oh < ho; oh++) {
            int ih0 = oh * p.sh() - p.ph();
            for (int ow = 0; ow < wo; ow++) {
                int iw0 = ow * p.sw() - p.pw();
                int best = -1;
                float bv = Float.NEGATIVE_INFINITY;
                for (int i = Math.max(0, -ih0); i < p.kh() && ih0 + i < h; i++) {
                    int row = in + (ih0 + i) * w;
                    for (int j = Math.max(0, -iw0); j < p.kw() && iw0 + j < w; j++) {
                        float v = x[row + iw0 + j];
                        if (best < 0 || v > bv || (v != v && bv == bv)) {
                            bv = v;
                            best = (ih0 + i) * w + iw0 + j;
                        }
                    }
                }
                index[out0 + oh * wo + ow] = best;
            }
        }
    }

    /** {@link #maxPlaneF} for any float dtype, through the storage's generic accessors. */
    private static void maxPlaneGeneric(Storage s, int in, int h, int w, Window p, int ho, int wo, int[] index, int out0) {
        for (int oh = 0; oh < ho; oh++) {
            int ih0 = oh * p.sh() - p.ph();
            for (int ow = 0; ow < wo; ow++) {
                int iw0 = ow * p.sw() - p.pw();
                int best = -1;
                double bv = Double.NEGATIVE_INFINITY;
                for (int i = Math.max(0, -ih0); i < p.kh() && ih0 + i < h; i++) {
                    for (int j = Math.max(0, -iw0); j < p.kw() && iw0 + j < w; j++) {
                        double v = s.getDouble(in + (ih0 + i) * w + iw0 + j);
                        if (best < 0 || v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) {
                            bv = v;
                            best = (ih0 + i) * w + iw0 + j;
                        }
                    }
                }
                index[out0 + oh * wo + ow] = best;
            }
        }
    }

    /** y[plane, k] = x[plane, index[plane·K + k]] for each plane of x: max pooling's selection. */
    private static Tensor pick(Tensor x, int[] index, int[] outShape) {
        int[] xs = x.shape();
        int hw = xs[2] * xs[3], k = outShape[2] * outShape[3];
        Tensor xc = x.detach().contiguous();
        Tensor y = Tensor.zeros(x.dtype(), outShape);
        int base = xc.storageOffset();
        int planes = index.length / Math.max(1, k);
        if (x.dtype() == DType.FLOAT32) {
            float[] xa = xc.storage().floats(), ya = y.storage().floats();
            for (int pl = 0; pl < planes; pl++) {
                int in = base + pl * hw, out = pl * k;
                for (int j = 0; j < k; j++) ya[out + j] = xa[in + index[out + j]];
            }
        } else {
            double[] xa = xc.storage().doubles(), ya = y.storage().doubles();
            for (int pl = 0; pl < planes; pl++) {
                int in = base + pl * hw, out = pl * k;
                for (int j = 0; j < k; j++) ya[out + j] = xa[in + index[out + j]];
            }
        }
        return Autograd.record("maxPool2d", y, g -> new Tensor[] {place(g, index, xs)}, t -> pick(t[0], index, outShape), x);
    }

    /** The adjoint of {@link #pick}: dx[plane, index[o]] += g[o]. */
    private static Tensor place(Tensor g, int[] index, int[] inShape) {
        int[] gs = g.shape();
        int hw = inShape[2] * inShape[3], k = gs[2] * gs[3];
        Tensor gc = g.detach().contiguous();
        Tensor dx = Tensor.zeros(g.dtype(), inShape);
        int base = gc.storageOffset();
        int planes = index.length / Math.max(1, k);
        // Planes in parallel: each writes only its own plane of dx, in the same order as one thread would.
        if (g.dtype() == DType.FLOAT32) {
            float[] ga = gc.storage().floats(), xa = dx.storage().floats();
            Parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, k)), (from, to) -> {
                for (int pl = from; pl < to; pl++) {
                    int out = pl * k, in = pl * hw;
                    for (int j = 0; j < k; j++) xa[in + index[out + j]] += ga[base + out + j];
                }
            });
        } else {
            double[] ga = gc.storage().doubles(), xa = dx.storage().doubles();
            for (int pl = 0; pl < planes; pl++) {
                int out = pl * k, in = pl * hw;
                for (int j = 0; j < k; j++) xa[in + index[out + j]] += ga[base + out + j];
            }
        }
        return Autograd.record("maxPool2dBackward", dx, h -> new Tensor[] {pick(h, index, gs)}, t -> place(t[0], index, inShape), g);
    }

    /**
     * The mean over each window, dividing by the full window size {@code kh·kw} (padding counted as zeros,
     * PyTorch's default {@code count_include_pad=True}). The gradient of each output is spread evenly over
     * its window ({@link #avgPool2dBackward}).
     *
     * @param x the input {@code [N, C, H, W]}, float32 or float64
     * @param p the window
     * @return {@code [N, C, Ho, Wo]} with {@code Ho = ⌊(H + 2·ph − kh)/sh⌋ + 1} (likewise Wo)
     * @throws IllegalArgumentException when x is not 4-D or not floating point, or the window does not fit the
     *         padded input
     */
    public static Tensor avgPool2d(Tensor x, Window p) {
        if (HalfCompute.any(x)) return HalfCompute.round(avgPool2d(x.to(DType.FLOAT32), p), x.dtype());
        int[] xs = x.shape(), os = outShape("avgPool2d", xs, p);
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException("avgPool2d: expects a float tensor, got " + x.dtype());
        Tensor xc = x.detach().contiguous();
        Tensor y = Tensor.zeros(x.dtype(), os);
        double inv = 1.0 / (p.kh() * p.kw());
        windows(xs, os, p, (in, out, pos) -> y.storage().setDouble(out, y.storage().getDouble(out) + xc.storage().getDouble(xc.storageOffset() + in) * inv));
        return Autograd.record("avgPool2d", y, g -> new Tensor[] {avgPool2dBackward(g, xs, p)}, t -> avgPool2d(t[0], p), x);
    }

    /**
     * The adjoint of avgPool2d: each output's gradient, divided by {@code kh·kw}, added to every input
     * position of its window. Its own backward is avgPool2d.
     *
     * @param g the gradient of avgPool2d's output
     * @param inShape avgPool2d's input shape {@code [N, C, H, W]}
     * @param p the window
     * @return the gradient with respect to the input, of shape {@code inShape}
     * @throws IllegalArgumentException when g's shape is not the output shape of {@code inShape} under p
     */
    public static Tensor avgPool2dBackward(Tensor g, int[] inShape, Window p) {
        if (HalfCompute.any(g)) return HalfCompute.round(avgPool2dBackward(g.to(DType.FLOAT32), inShape, p), g.dtype());
        int[] os = outShape("avgPool2dBackward", inShape, p);
        if (!java.util.Arrays.equals(g.shape(), os)) {
            throw new IllegalArgumentException("avgPool2dBackward: gradient of shape " + Shape.format(g.shape()) + " should be " + Shape.format(os));
        }
        Tensor gc = g.detach().contiguous();
        Tensor dx = Tensor.zeros(g.dtype(), inShape);
        double inv = 1.0 / (p.kh() * p.kw());
        windows(inShape, os, p, (in, out, pos) -> dx.storage().setDouble(in, dx.storage().getDouble(in) + gc.storage().getDouble(gc.storageOffset() + out) * inv));
        return Autograd.record("avgPool2dBackward", dx, h -> new Tensor[] {avgPool2d(h, p)}, t -> avgPool2dBackward(t[0], inShape, p), g);
    }

    /**
     * Averages each {@code [H, W]} plane to one value: {@code [N, C, H, W] → [N, C]}, i.e. {@code x.mean({2, 3})}.
     *
     * @param x the input {@code [N, C, H, W]}
     * @return the per-channel means {@code [N, C]}
     * @throws IllegalArgumentException when x is not 4-D
     */
    public static Tensor globalAvgPool2d(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(globalAvgPool2d(x.to(DType.FLOAT32)), x.dtype());
        if (x.dim() != 4) throw new IllegalArgumentException("globalAvgPool2d: input must be [N, C, H, W], got " + Shape.format(x.shape()));
        return x.mean(new int[] {2, 3}, false);
    }

    @FunctionalInterface
    private interface Visit {
        void at(int inFlat, int outFlat, int pos);
    }

    /** Visits every (input element, output element) pair of every window inside the image, planes in parallel. */
    private static void windows(int[] xs, int[] os, Window p, Visit v) {
        int planes = os[0] * os[1], ho = os[2], wo = os[3], h = xs[2], w = xs[3];
        Parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, ho * wo * p.kh() * p.kw())), (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) {
                        int out = (pl * ho + oh) * wo + ow;
                        for (int i = 0; i < p.kh(); i++) {
                            int ih = oh * p.sh() - p.ph() + i;
                            if (ih < 0 || ih >= h) continue;
                            for (int j = 0; j < p.kw(); j++) {
                                int iw = ow * p.sw() - p.pw() + j;
                                if (iw >= 0 && iw < w) v.at(pl * h * w + ih * w + iw, out, i * p.kw() + j);
                            }
                        }
                    }
                }
            }
        });
    }
}
