package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.ConvKernels.Geometry;
import dev.descent.core.kernel.DepthwiseConv;
import dev.descent.core.kernel.DirectConv;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;

/**
 * A 2-D convolution followed by an activation, {@code act(conv2d(x, w, bias))}, fused for inference (ONNX Runtime's
 * Conv + activation fusion). When no input records a gradient or carries a tangent and all are float32, the bias and
 * the activation run on each image's output right after the convolution computed it, while it is in cache, instead of
 * as separate passes over freshly allocated tensors; and a depthwise convolution (groups = input channels) runs a
 * direct kernel ({@link DepthwiseConv}) instead of im2col and GEMM, so does a convolution of at most four input
 * channels ({@link DirectConv}, a first layer on an image), and a 1×1 convolution of 1×1 maps one GEMM over the
 * batch. Otherwise (training, forward mode, float64) it is exactly {@code act.apply(Convolution.conv2d(x, w, bias, p))}:
 * the two ops and their gradients. Half-precision inputs are widened to float32 and the result rounded once at the end.
 *
 * <p>Bits: outside depthwise, few-channel and 1×1 maps, the fused result equals the separate ops' bit for bit (the same convolution
 * kernel, the same float32 operations on each element). A depthwise or few-channel convolution, and the batched 1×1 product, differ
 * from {@link Convolution#conv2d} by float32 rounding only (sums of the same products, in another kernel).
 */
public final class FusedConvolution {
    private FusedConvolution() {}

    /**
     * The activation applied to the convolution's output, optionally between two scalar affine maps: {@code z·preScale +
     * preShift} before it and {@code a·scale + shift} after it, each as two ops (a multiply, then an add, each rounded;
     * PP-LCNet's learnable affine maps around its activations). An identity factor or term is skipped, as the op is.
     *
     * @param kind     what it computes
     * @param min      the lower bound of {@link Kind#CLAMP} (−∞ for none); ignored otherwise
     * @param max      the upper bound of {@link Kind#CLAMP} (+∞ for none); ignored otherwise
     * @param preScale the factor before the activation (1 for none)
     * @param preShift the term added after that factor (0 for none)
     * @param scale    the factor after the activation (1 for none)
     * @param shift    the term added after the factor (0 for none)
     */
    public record Activation(Kind kind, double min, double max, double preScale, double preShift, double scale, double shift) {
        /** The activations. */
        public enum Kind {
            /** The identity: only the bias is fused. */
            NONE,
            /** {@link Tensor#relu()}. */
            RELU,
            /** {@link Tensor#sigmoid()}. */
            SIGMOID,
            /** {@link Tensor#hardswish()}. */
            HARDSWISH,
            /** {@link Tensor#hardsigmoid()}. */
            HARDSIGMOID,
            /** {@link Tensor#clamp(double, double)} (ReLU6 is clamp(0, 6)). */
            CLAMP
        }

        /**
         * Checks the bounds.
         *
         * @throws IllegalArgumentException when the kind is null, or a clamp's min is NaN or above its max
         */
        public Activation {
            if (kind == null) throw new IllegalArgumentException("Activation: kind must not be null");
            if (kind == Kind.CLAMP && !(min <= max)) throw new IllegalArgumentException("Activation: clamp min " + min + " must be <= max " + max);
            if (!Double.isFinite(scale) || !Double.isFinite(shift) || !Double.isFinite(preScale) || !Double.isFinite(preShift)) {
                throw new IllegalArgumentException("Activation: scales " + preScale + ", " + scale + " and shifts " + preShift + ", " + shift
                        + " must be finite");
            }
        }

        /**
         * {@return {@code z·scale + shift} applied before this activation} (replacing any such map it had).
         *
         * @param scale the factor
         * @param shift the term added after it
         * @throws IllegalArgumentException when either is not finite
         */
        public Activation beforeAffine(double scale, double shift) {
            return new Activation(kind, min, max, scale, shift, this.scale, this.shift);
        }

        /**
         * {@return this activation followed by {@code a·scale + shift}} (replacing any affine map it had).
         *
         * @param scale the factor
         * @param shift the term added after it
         * @throws IllegalArgumentException when either is not finite
         */
        public Activation thenAffine(double scale, double shift) {
            return new Activation(kind, min, max, preScale, preShift, scale, shift);
        }

        /** {@return whether an affine map precedes or follows the activation} */
        public boolean hasAffine() {
            return scale != 1 || shift != 0 || preScale != 1 || preShift != 0;
        }

        /** No activation. */
        public static final Activation NONE = new Activation(Kind.NONE, 0, 0, 1, 0, 1, 0);
        /** ReLU. */
        public static final Activation RELU = new Activation(Kind.RELU, 0, 0, 1, 0, 1, 0);
        /** The logistic sigmoid. */
        public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0, 0, 1, 0, 1, 0);
        /** Hard swish. */
        public static final Activation HARDSWISH = new Activation(Kind.HARDSWISH, 0, 0, 1, 0, 1, 0);
        /** Hard sigmoid. */
        public static final Activation HARDSIGMOID = new Activation(Kind.HARDSIGMOID, 0, 0, 1, 0, 1, 0);

        /**
         * {@return clamp to [min, max]} (an infinite bound is none).
         *
         * @param min the lower bound
         * @param max the upper bound, ≥ min
         * @throws IllegalArgumentException when min is NaN or above max
         */
        public static Activation clamp(double min, double max) {
            return new Activation(Kind.CLAMP, min, max, 1, 0, 1, 0);
        }

        /**
         * {@return the activation (and the affine map) applied to y as separate ops}
         *
         * @param y the input
         */
        public Tensor apply(Tensor y) {
            Tensor z = preScale != 1 ? y.mul(preScale) : y;
            Tensor a = activation(preShift != 0 ? z.add(preShift) : z);
            if (scale != 1) a = a.mul(scale);
            return shift != 0 ? a.add(shift) : a;
        }

        private Tensor activation(Tensor y) {
            return switch (kind) {
                case NONE -> y;
                case RELU -> y.relu();
                case SIGMOID -> y.sigmoid();
                case HARDSWISH -> y.hardswish();
                case HARDSIGMOID -> y.hardsigmoid();
                case CLAMP -> y.clamp(min, max);
            };
        }
    }

    /**
     * {@code act(conv2d(x, w, bias, p))}, fused when nothing records a gradient (see the class comment).
     *
     * @param x    the input {@code [N, C, H, W]}
     * @param w    the kernel {@code [O, C/G, kH, kW]}
     * @param bias {@code [O]}, or null for none
     * @param p    stride, padding, dilation and groups
     * @param act  the activation ({@link Activation#NONE} for none)
     * @return the output {@code [N, O, Ho, Wo]}, as {@link Convolution#conv2d(Tensor, Tensor, Tensor, Convolution.Params)}'s
     * @throws IllegalArgumentException as {@link Convolution#conv2d(Tensor, Tensor, Tensor, Convolution.Params)}, or when act is null
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Convolution.Params p, Activation act) {
        if (act == null) throw new IllegalArgumentException("conv2d: activation must not be null (Activation.NONE for none)");
        if (HalfCompute.any(x, w, bias)) { // compute in float32, round once on store
            return HalfCompute.round(conv2d(HalfCompute.widen(x), HalfCompute.widen(w), HalfCompute.widen(bias), p, act), HalfCompute.storeAs(x, w, bias));
        }
        boolean f32 = x.dtype() == DType.FLOAT32 && w.dtype() == DType.FLOAT32 && (bias == null || bias.dtype() == DType.FLOAT32);
        if (!f32 || Autograd.isRecording(x, w, bias)) return act.apply(Convolution.conv2d(x, w, bias, p));
        Geometry q = Convolution.geometry("conv2d", x.shape(), w.shape(), p);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != q.o())) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shape.format(bias.shape()) + " should be [" + q.o() + "]");
        }
        ConvEpilogue e = epilogue(bias, act);
        if (DepthwiseConv.applies(q)) {
            Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
            Tensor out = Tensor.empty(DType.FLOAT32, q.n(), q.o(), q.ho(), q.wo());
            DepthwiseConv.forward(q, xc.storage().floats(), xc.storageOffset(), wc.storage().floats(), wc.storageOffset(), out.storage().floats(), e,
                    Vectors.ENABLED);
            return out;
        }
        if (DirectConv.applies(q)) { // a first layer on 3 or 4 channels: direct, no patch matrix
            Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
            Tensor out = Tensor.empty(DType.FLOAT32, q.n(), q.o(), q.ho(), q.wo());
            DirectConv.forward(q, xc.storage().floats(), xc.storageOffset(), wc.storage().floats(), wc.storageOffset(), out.storage().floats(), e,
                    Vectors.ENABLED);
            return out;
        }
        if (q.pixels() == 1 && q.kh() == 1 && q.kw() == 1 && q.ph() == 0 && q.pw() == 0 && q.groups() == 1) {
            // A 1×1 convolution of 1×1 maps (a squeeze-excitation gate) is one product over the batch, Y = X·Wᵀ, instead
            // of one product of a single column per image.
            Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
            Tensor out = Tensor.empty(DType.FLOAT32, q.n(), q.o(), 1, 1);
            float[] ya = out.storage().floats();
            Gemm.sgemm(q.n(), q.o(), q.c(), xc.storage().floats(), xc.storageOffset(), q.c(), 1, wc.storage().floats(), wc.storageOffset(), 1, q.c(),
                    ya, 0, q.o(), false);
            if (e != null) for (int n = 0; n < q.n(); n++) e.apply(ya, n * q.o(), 0, q.o(), 1, true);
            return out;
        }
        int d = q.dh();
        if (d > 1 && q.dw() == d && q.sh() == 1 && q.sw() == 1 && q.groups() == 1 && q.ph() % d == 0 && q.pw() % d == 0 && q.h() % d == 0 && q.w() % d == 0
                && q.ho() % d == 0 && q.wo() % d == 0) {
            return dilatedAsBatch(q, x, w, bias, e);
        }
        if (q.n() < Parallel.threads() && q.groups() == 1 && q.o() >= 24 && (long) q.o() * q.pixels() * q.rows() >= 1L << 22) {
            return channelBlocks(q, x, w, bias, e, Parallel.threads());
        }
        return Convolution.forward(q, x, w, bias, e);
    }

    /**
     * A stride-1 convolution dilated by d whose paddings and sizes divide by d, as an undilated one over d² times as
     * many images: output pixel (d·u + r, d·v + s) reads only input pixels of row phase r and column phase s, so each
     * phase's sub-image [H/d, W/d] convolved with the same weights (padding p/d, no dilation) gives that phase of the
     * output (TensorFlow computes atrous convolution so). The undilated kernels apply (the implicit GEMM; im2col of a
     * dilated kernel reads scattered columns), with the sub-images as a batch. Each output element is the same sum of
     * the same products, in the kernel's order.
     */
    private static Tensor dilatedAsBatch(Geometry q, Tensor x, Tensor w, Tensor bias, ConvEpilogue e) {
        int d = q.dh(), n = q.n(), c = q.c(), h = q.h(), wd = q.w(), hs = h / d, ws = wd / d, hos = q.ho() / d, wos = q.wo() / d;
        Tensor xc = x.detach().contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset();
        Tensor xs = Tensor.empty(DType.FLOAT32, n * d * d, c, hs, ws);
        float[] sa = xs.storage().floats();
        // xs[(n·d + r)·d + s, ch, u, v] = x[n, ch, d·u + r, d·v + s]
        Parallel.forRange(n * c, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int img = p / c, ch = p % c, src = xo + p * h * wd;
                for (int r = 0; r < d; r++) for (int sph = 0; sph < d; sph++) {
                    int dst = ((((img * d + r) * d + sph) * c) + ch) * hs * ws;
                    for (int u = 0; u < hs; u++) {
                        int row = src + (d * u + r) * wd + sph, at = dst + u * ws;
                        for (int v = 0; v < ws; v++) sa[at + v] = xa[row + d * v];
                    }
                }
            }
        });
        Geometry qs = new Geometry(n * d * d, c, hs, ws, q.o(), q.kh(), q.kw(), 1, 1, q.ph() / d, q.pw() / d, 1, 1, 1, hos, wos);
        Tensor ys = q.n() * d * d < Parallel.threads() ? channelBlocks(qs, xs, w, bias, e, Parallel.threads()) : Convolution.forward(qs, xs, w, bias, e);
        Tensor ysc = ys.contiguous();
        float[] ysa = ysc.storage().floats();
        int yso = ysc.storageOffset(), o = q.o(), ho = q.ho(), wo = q.wo();
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, ho, wo);
        float[] ya = out.storage().floats();
        Parallel.forRange(n * o, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int img = p / o, ch = p % o, dst = p * ho * wo;
                for (int r = 0; r < d; r++) for (int sph = 0; sph < d; sph++) {
                    int src = yso + ((((img * d + r) * d + sph) * o) + ch) * hos * wos;
                    for (int u = 0; u < hos; u++) {
                        int row = dst + (d * u + r) * wo + sph, at = src + u * wos;
                        for (int v = 0; v < wos; v++) ya[row + d * v] = ysa[at + v];
                    }
                }
            }
        });
        return out;
    }

    /**
     * A convolution of fewer images than threads (batch 1): the convolution kernels split their work over images, so
     * here the output channels are cut into one block per thread, each block a convolution of its own (the same kernel
     * on the block's weights: each output element's sum is computed as in the whole), copied into place.
     */
    private static Tensor channelBlocks(Geometry q, Tensor x, Tensor w, Tensor bias, ConvEpilogue e, int parts) {
        Tensor out = Tensor.empty(DType.FLOAT32, q.n(), q.o(), q.ho(), q.wo());
        float[] ya = out.storage().floats();
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous(), bc = bias == null ? null : bias.detach().contiguous();
        int per = (q.o() + parts - 1) / parts, pixels = q.pixels();
        per = Math.min(q.o(), (per + 11) / 12 * 12); // whole tiles of the kernels (3, 4 or 6 channels)
        int blocks = (q.o() + per - 1) / per, size = per;
        Parallel.forRange(blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                int o0 = k * size, len = Math.min(size, q.o() - o0);
                Geometry qk = new Geometry(q.n(), q.c(), q.h(), q.w(), len, q.kh(), q.kw(), q.sh(), q.sw(), q.ph(), q.pw(), q.dh(), q.dw(), 1, q.ho(), q.wo());
                ConvEpilogue ek = e == null ? null : new ConvEpilogue(e.bias(), e.bo() + o0, e.act(), e.min(), e.max(), e.preScale(), e.preShift(), e.scale(), e.shift());
                Tensor yk = Convolution.forward(qk, xc, wc.narrow(0, o0, len), bc == null ? null : bc.narrow(0, o0, len), ek);
                float[] ys = yk.storage().floats();
                for (int n = 0; n < q.n(); n++) System.arraycopy(ys, yk.storageOffset() + n * len * pixels, ya, (n * q.o() + o0) * pixels, len * pixels);
            }
        });
        return out;
    }

    /**
     * {@code act(conv2d(x, w, bias))} with asymmetric zero padding: {@code p}'s paddings above and left, {@code padBottom}
     * and {@code padRight} below and right (TensorFlow's "SAME" at stride 2 pads one more below than above). Without
     * gradients a depthwise or few-channel convolution reads the padding from its own zero-padded buffer (no padded copy
     * of the input); otherwise the input is padded with zeros (differentiable ops) and convolved as
     * {@link #conv2d(Tensor, Tensor, Tensor, Convolution.Params, Activation)} does.
     *
     * @param x         the input {@code [N, C, H, W]}
     * @param w         the kernel {@code [O, C/G, kH, kW]}
     * @param bias      {@code [O]}, or null for none
     * @param p         stride, padding above ({@code ph}) and left ({@code pw}), dilation and groups
     * @param padBottom the zero rows below, ≥ 0
     * @param padRight  the zero columns right, ≥ 0
     * @param act       the activation ({@link Activation#NONE} for none)
     * @return the output {@code [N, O, Ho, Wo]}, Ho = ⌊(H + ph + padBottom − dh·(kH − 1) − 1) / sh⌋ + 1 (Wo likewise)
     * @throws IllegalArgumentException as {@link Convolution#conv2d(Tensor, Tensor, Tensor, Convolution.Params)}, when a
     *         padding is negative, or when act is null
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Convolution.Params p, int padBottom, int padRight, Activation act) {
        if (padBottom < 0 || padRight < 0) throw new IllegalArgumentException("conv2d: paddings " + padBottom + " below and " + padRight + " right must be >= 0");
        if (padBottom == p.ph() && padRight == p.pw()) return conv2d(x, w, bias, p, act);
        if (act == null) throw new IllegalArgumentException("conv2d: activation must not be null (Activation.NONE for none)");
        boolean f32 = x.dtype() == DType.FLOAT32 && w.dtype() == DType.FLOAT32 && (bias == null || bias.dtype() == DType.FLOAT32);
        if (f32 && x.dim() == 4 && w.dim() == 4 && !Autograd.isRecording(x, w, bias)) {
            // the shapes checked as for the larger of each pair of paddings, then the asymmetric geometry
            Geometry big = Convolution.geometry("conv2d", x.shape(), w.shape(),
                    new Convolution.Params(p.sh(), p.sw(), Math.max(p.ph(), padBottom), Math.max(p.pw(), padRight), p.dh(), p.dw(), p.groups()));
            int eh = p.dh() * (big.kh() - 1) + 1, ew = p.dw() * (big.kw() - 1) + 1;
            int hp = big.h() + p.ph() + padBottom, wp = big.w() + p.pw() + padRight;
            if (hp >= eh && wp >= ew) {
                Geometry q = new Geometry(big.n(), big.c(), big.h(), big.w(), big.o(), big.kh(), big.kw(), p.sh(), p.sw(), p.ph(), p.pw(), p.dh(), p.dw(),
                        p.groups(), (hp - eh) / p.sh() + 1, (wp - ew) / p.sw() + 1);
                boolean depthwise = DepthwiseConv.applies(q);
                if (depthwise || DirectConv.applies(q)) {
                    if (bias != null && (bias.dim() != 1 || bias.size(0) != q.o())) {
                        throw new IllegalArgumentException("conv2d: bias of shape " + Shape.format(bias.shape()) + " should be [" + q.o() + "]");
                    }
                    ConvEpilogue e = epilogue(bias, act);
                    Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
                    Tensor out = Tensor.empty(DType.FLOAT32, q.n(), q.o(), q.ho(), q.wo());
                    if (depthwise) {
                        DepthwiseConv.forward(q, xc.storage().floats(), xc.storageOffset(), wc.storage().floats(), wc.storageOffset(), out.storage().floats(), e,
                                Vectors.ENABLED);
                    } else {
                        DirectConv.forward(q, xc.storage().floats(), xc.storageOffset(), wc.storage().floats(), wc.storageOffset(), out.storage().floats(), e,
                                Vectors.ENABLED);
                    }
                    return out;
                }
            }
        }
        Tensor xp = zeroPad(x, p.ph(), padBottom, p.pw(), padRight);
        return conv2d(xp, w, bias, new Convolution.Params(p.sh(), p.sw(), 0, 0, p.dh(), p.dw(), p.groups()), act);
    }

    /** The bias and activation as an output-loop epilogue, or null when there is nothing to do. */
    private static ConvEpilogue epilogue(Tensor bias, Activation act) {
        Tensor bc = bias == null ? null : bias.detach().contiguous();
        ConvEpilogue.Activation a = switch (act.kind()) {
            case NONE -> null;
            case RELU -> ConvEpilogue.Activation.RELU;
            case SIGMOID -> ConvEpilogue.Activation.SIGMOID;
            case HARDSWISH -> ConvEpilogue.Activation.HARDSWISH;
            case HARDSIGMOID -> ConvEpilogue.Activation.HARDSIGMOID;
            case CLAMP -> ConvEpilogue.Activation.CLAMP;
        };
        return bc == null && a == null && !act.hasAffine() ? null
                : new ConvEpilogue(bc == null ? null : bc.storage().floats(), bc == null ? 0 : bc.storageOffset(), a, (float) act.min(), (float) act.max(),
                        (float) act.preScale(), (float) act.preShift(), (float) act.scale(), (float) act.shift());
    }

    /** x [N, C, H, W] with zeros above, below, left and right, as differentiable concatenations. */
    private static Tensor zeroPad(Tensor x, int top, int bottom, int left, int right) {
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d: input must be [N, C, H, W], got " + Shape.format(x.shape()));
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        java.util.List<Tensor> rows = new java.util.ArrayList<>();
        if (top > 0) rows.add(Tensor.zeros(x.dtype(), n, c, top, w));
        rows.add(x);
        if (bottom > 0) rows.add(Tensor.zeros(x.dtype(), n, c, bottom, w));
        Tensor y = rows.size() == 1 ? x : Tensor.cat(rows, 2);
        java.util.List<Tensor> cols = new java.util.ArrayList<>();
        if (left > 0) cols.add(Tensor.zeros(x.dtype(), n, c, h + top + bottom, left));
        cols.add(y);
        if (right > 0) cols.add(Tensor.zeros(x.dtype(), n, c, h + top + bottom, right));
        return cols.size() == 1 ? y : Tensor.cat(cols, 3);
    }
}
