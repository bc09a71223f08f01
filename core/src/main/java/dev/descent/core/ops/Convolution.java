package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.ConvKernels.Geometry;
import dev.descent.core.kernel.ConvKernels;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.ImplicitConv;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Winograd;

/**
 * 2-D convolution (NCHW, stride, padding, dilation, groups) as im2col + GEMM, and its two adjoints.
 *
 * <p>Three ops form a closed family, so that every derivative of every order stays inside it:
 * <pre>
 *   y  = conv2d(x, w)                  forward
 *   dx = conv2dInputGrad(dy, w)        the transpose of conv2d in x
 *   dw = conv2dWeightGrad(x, dy)       the correlation of x with dy
 * </pre>
 * Each is linear in each argument, so each one's backward is made of the other two (and itself).
 *
 * <p>Parallel work is split so that each output element is computed by one thread in a fixed order:
 * the forward and the input gradient split over images, the weight gradient over patch rows (each
 * thread sums over all images in order). Results do not depend on the thread count.
 */
public final class Convolution {
    private Convolution() {}

    /**
     * Stride, padding, dilation (height, width) and groups of a 2-D convolution, as in {@code torch.nn.Conv2d}.
     *
     * @param sh the vertical stride, ≥ 1
     * @param sw the horizontal stride, ≥ 1
     * @param ph the zero padding added above and below, ≥ 0
     * @param pw the zero padding added left and right, ≥ 0
     * @param dh the vertical dilation (spacing between kernel taps), ≥ 1
     * @param dw the horizontal dilation, ≥ 1
     * @param groups the number of groups: input and output channels split into that many independent
     *        convolutions (1: ordinary, C: depthwise), ≥ 1
     */
    public record Params(int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        /**
         * Checks every field.
         *
         * @throws IllegalArgumentException naming the field when a stride, dilation or groups is below 1, or a
         *         padding is negative
         */
        public Params {
            if (sh < 1 || sw < 1) throw new IllegalArgumentException("conv2d: stride must be >= 1, was (" + sh + ", " + sw + ")");
            if (ph < 0 || pw < 0) throw new IllegalArgumentException("conv2d: padding must be >= 0, was (" + ph + ", " + pw + ")");
            if (dh < 1 || dw < 1) throw new IllegalArgumentException("conv2d: dilation must be >= 1, was (" + dh + ", " + dw + ")");
            if (groups < 1) throw new IllegalArgumentException("conv2d: groups must be >= 1, was " + groups);
        }

        /**
         * Square stride and padding, no dilation, one group.
         *
         * @param stride the stride in both directions, ≥ 1
         * @param padding the zero padding on every side, ≥ 0
         * @return the parameters
         * @throws IllegalArgumentException when {@code stride < 1} or {@code padding < 0}
         */
        public static Params of(int stride, int padding) {
            return new Params(stride, stride, padding, padding, 1, 1, 1);
        }
    }

    /**
     * conv2d with a square kernel's usual arguments: {@code conv2d(x, w, bias, Params.of(stride, padding))}.
     *
     * @param x the input {@code [N, C, H, W]}
     * @param w the kernel {@code [O, C, kH, kW]}
     * @param bias {@code [O]}, or null for none
     * @param stride the stride in both directions, ≥ 1
     * @param padding the zero padding on every side, ≥ 0
     * @return the output {@code [N, O, Ho, Wo]}, {@code Ho = (H + 2·padding − kH)/stride + 1} (rounded down)
     * @throws IllegalArgumentException when shapes disagree, the kernel does not fit, or stride or padding
     *         is out of range
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        return conv2d(x, w, bias, Params.of(stride, padding));
    }

    /**
     * y[n, o, oh, ow] = bias[o] + Σ_{c,i,j} x[n, g·C/G + c, oh·sh − ph + i·dh, ow·sw − pw + j·dw] · w[o, c, i, j]
     * (g the group of o, G the number of groups; x is zero outside the image), computed as im2col + GEMM.
     * Gradients: {@link #conv2dInputGrad} for x, {@link #conv2dWeightGrad} for w, Σ over n, oh, ow for bias.
     *
     * @param x the input {@code [N, C, H, W]}
     * @param w the kernel {@code [O, C/G, kH, kW]}
     * @param bias {@code [O]}, or null for none
     * @param p stride, padding, dilation and groups
     * @return the output {@code [N, O, Ho, Wo]} with {@code Ho = ⌊(H + 2·ph − dh·(kH − 1) − 1)/sh⌋ + 1} (likewise
     *         Wo), of x and w's promoted dtype
     * @throws IllegalArgumentException when x or w is not 4-D, the channel counts do not match the groups,
     *         bias is not {@code [O]}, or the dilated kernel does not fit the padded input
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Params p) {
        if (HalfCompute.any(x, w, bias)) {
            return HalfCompute.round(conv2d(HalfCompute.widen(x), HalfCompute.widen(w), HalfCompute.widen(bias), p), HalfCompute.storeAs(x, w, bias));
        }
        Geometry q = geometry("conv2d", x.shape(), w.shape(), p);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != q.o())) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shape.format(bias.shape()) + " should be [" + q.o() + "]");
        }
        Tensor[] xw = Elementwise.promote(x, w);
        Tensor xs = xw[0], ws = xw[1];
        if (bias != null) {
            Tensor b = bias.dtype() == xs.dtype() ? bias : bias.to(xs.dtype());
            Tensor out = forward(q, xs, ws, b);
            return Autograd.record("conv2d", out, g -> new Tensor[] {
                    xs.requiresGrad() ? conv2dInputGrad(g, ws, xs.shape(), p) : null,
                    ws.requiresGrad() ? conv2dWeightGrad(xs, g, ws.shape(), p) : null,
                    b.requiresGrad() ? g.sum(new int[] {0, 2, 3}, false) : null},
                    t -> Tangents.sum(out.shape(), tangent(t, xs, ws, p), t[2] == null ? null : t[2].reshape(1, q.o(), 1, 1)), xs, ws, b);
        }
        Tensor out = forward(q, xs, ws, null);
        return Autograd.record("conv2d", out, g -> new Tensor[] {
                xs.requiresGrad() ? conv2dInputGrad(g, ws, xs.shape(), p) : null,
                ws.requiresGrad() ? conv2dWeightGrad(xs, g, ws.shape(), p) : null},
                t -> tangent(t, xs, ws, p), xs, ws);
    }

    /** conv2d's tangent without the bias: it is linear in x and in w, so dy = conv2d(dx, w) + conv2d(x, dw). */
    private static Tensor tangent(Tensor[] t, Tensor x, Tensor w, Params p) {
        Tensor a = t[0] == null ? null : conv2d(t[0], w, null, p), b = t[1] == null ? null : conv2d(x, t[1], null, p);
        return a == null ? b : b == null ? a : a.add(b);
    }

    /**
     * The gradient of conv2d with respect to its input, given dy: the transposed convolution of dy with w
     * ({@code dx[n] = col2im(wᵀ · dy[n])} per group). Linear in dy and in w; its backward is conv2d and
     * conv2dWeightGrad.
     *
     * @param dy the gradient of conv2d's output, {@code [N, O, Ho, Wo]}
     * @param w the kernel {@code [O, C/G, kH, kW]}
     * @param inputShape conv2d's input shape {@code [N, C, H, W]}
     * @param p the forward's stride, padding, dilation and groups
     * @return dx, of shape {@code inputShape}
     * @throws IllegalArgumentException when the shapes do not fit together
     */
    public static Tensor conv2dInputGrad(Tensor dy, Tensor w, int[] inputShape, Params p) {
        if (HalfCompute.any(dy, w)) return HalfCompute.round(conv2dInputGrad(HalfCompute.widen(dy), HalfCompute.widen(w), inputShape, p), HalfCompute.storeAs(dy, w));
        Geometry q = geometry("conv2dInputGrad", inputShape, w.shape(), p);
        checkOutput("conv2dInputGrad", q, dy);
        Tensor[] gw = Elementwise.promote(dy, w);
        Tensor g = gw[0], ws = gw[1];
        Tensor dx = inputGrad(q, g, ws);
        return Autograd.record("conv2dInputGrad", dx, h -> new Tensor[] {
                g.requiresGrad() ? conv2d(h, ws, null, p) : null,
                ws.requiresGrad() ? conv2dWeightGrad(h, g, ws.shape(), p) : null},
                t -> Tangents.sum(dx.shape(), t[0] == null ? null : conv2dInputGrad(t[0], ws, dx.shape(), p),
                        t[1] == null ? null : conv2dInputGrad(g, t[1], dx.shape(), p)), g, ws);
    }

    /**
     * The gradient of conv2d with respect to its weight, given input x and dy: the correlation
     * {@code dw_g = Σ_n dy[n, g] · im2col(x[n], g)ᵀ}, summed over images in a fixed order. Linear in x and
     * in dy; its backward is conv2d and conv2dInputGrad.
     *
     * @param x conv2d's input {@code [N, C, H, W]}
     * @param dy the gradient of conv2d's output, {@code [N, O, Ho, Wo]}
     * @param weightShape the kernel's shape {@code [O, C/G, kH, kW]}
     * @param p the forward's stride, padding, dilation and groups
     * @return dw, of shape {@code weightShape}
     * @throws IllegalArgumentException when the shapes do not fit together
     */
    public static Tensor conv2dWeightGrad(Tensor x, Tensor dy, int[] weightShape, Params p) {
        if (HalfCompute.any(x, dy)) return HalfCompute.round(conv2dWeightGrad(HalfCompute.widen(x), HalfCompute.widen(dy), weightShape, p), HalfCompute.storeAs(x, dy));
        Geometry q = geometry("conv2dWeightGrad", x.shape(), weightShape, p);
        checkOutput("conv2dWeightGrad", q, dy);
        Tensor[] xg = Elementwise.promote(x, dy);
        Tensor xs = xg[0], g = xg[1];
        Tensor dw = weightGrad(q, xs, g);
        int[] inShape = xs.shape();
        return Autograd.record("conv2dWeightGrad", dw, h -> new Tensor[] {
                xs.requiresGrad() ? conv2dInputGrad(g, h, inShape, p) : null,
                g.requiresGrad() ? conv2d(xs, h, null, p) : null},
                t -> Tangents.sum(dw.shape(), t[0] == null ? null : conv2dWeightGrad(t[0], g, dw.shape(), p),
                        t[1] == null ? null : conv2dWeightGrad(xs, t[1], dw.shape(), p)), xs, g);
    }

    /**
     * The transposed convolution ({@code torch.nn.functional.conv_transpose2d}): the adjoint of
     * {@code conv2d(·, w, p)} applied to x, plus a bias per output channel. Each input pixel scatters
     * {@code x[n, i, h, w] · w[i, c, ·, ·]} onto the output at {@code (h·sh − ph + a·dh, w·sw − pw + b·dw)}. It is
     * {@link #conv2dInputGrad} with the output's shape {@code Ho = (H − 1)·sh − 2·ph + dh·(kH − 1) + outputPaddingH + 1}
     * (likewise Wo), so its gradients are that op's: conv2d for x, conv2dWeightGrad for w, Σ over n, h, w for bias.
     *
     * @param x the input {@code [N, Cin, H, W]}
     * @param w the kernel {@code [Cin, Cout/G, kH, kW]} (PyTorch's layout for a transposed convolution)
     * @param bias {@code [Cout]}, or null for none
     * @param p stride, padding (removed from each side of the output), dilation and groups
     * @param outputPaddingH rows added at the bottom of the output, in [0, sh)
     * @param outputPaddingW columns added at the right of the output, in [0, sw)
     * @return the output {@code [N, Cout, Ho, Wo]}
     * @throws IllegalArgumentException when x or w is not 4-D, the channels do not match, an output padding is
     *         out of range, bias is not {@code [Cout]}, or the output would be empty
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, Params p, int outputPaddingH, int outputPaddingW) {
        if (HalfCompute.any(x, w, bias)) {
            return HalfCompute.round(convTranspose2d(HalfCompute.widen(x), HalfCompute.widen(w), HalfCompute.widen(bias), p, outputPaddingH, outputPaddingW),
                    HalfCompute.storeAs(x, w, bias));
        }
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException("convTranspose2d: input must be [N, Cin, H, W] and weight [Cin, Cout/groups, kH, kW], got "
                    + Shape.format(x.shape()) + " and " + Shape.format(w.shape()));
        }
        if (x.size(1) != w.size(0)) {
            throw new IllegalArgumentException("convTranspose2d: input " + Shape.format(x.shape()) + " has " + x.size(1) + " channels, weight "
                    + Shape.format(w.shape()) + " expects " + w.size(0));
        }
        if (outputPaddingH < 0 || outputPaddingH >= p.sh() || outputPaddingW < 0 || outputPaddingW >= p.sw()) {
            throw new IllegalArgumentException("convTranspose2d: output padding (" + outputPaddingH + ", " + outputPaddingW
                    + ") must be >= 0 and below the stride (" + p.sh() + ", " + p.sw() + ")");
        }
        int cout = w.size(1) * p.groups();
        int ho = (x.size(2) - 1) * p.sh() - 2 * p.ph() + p.dh() * (w.size(2) - 1) + outputPaddingH + 1;
        int wo = (x.size(3) - 1) * p.sw() - 2 * p.pw() + p.dw() * (w.size(3) - 1) + outputPaddingW + 1;
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException("convTranspose2d: input " + Shape.format(x.shape()) + " with weight " + Shape.format(w.shape()) + " and " + p
                    + " gives an empty output " + ho + "×" + wo);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException("convTranspose2d: bias of shape " + Shape.format(bias.shape()) + " should be [" + cout + "]");
        }
        Tensor y = conv2dInputGrad(x, w, new int[] {x.size(0), cout, ho, wo}, p);
        return bias == null ? y : y.add(bias.reshape(1, cout, 1, 1));
    }

    // ------------------------------------------------------------ shapes

    static Geometry geometry(String op, int[] xs, int[] ws, Params p) {
        if (xs.length != 4) throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got " + Shape.format(xs));
        if (ws.length != 4) throw new IllegalArgumentException(op + ": weight must be [O, C/groups, kH, kW], got " + Shape.format(ws));
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        if (c % p.groups() != 0 || ws[1] * p.groups() != c) {
            throw new IllegalArgumentException(op + ": input " + Shape.format(xs) + " has " + c + " channels, weight " + Shape.format(ws)
                    + " expects " + ws[1] + " per group × " + p.groups() + " groups");
        }
        if (o % p.groups() != 0) throw new IllegalArgumentException(op + ": " + o + " output channels do not divide into " + p.groups() + " groups");
        int ho = (h + 2 * p.ph() - p.dh() * (kh - 1) - 1) / p.sh() + 1;
        int wo = (w + 2 * p.pw() - p.dw() * (kw - 1) - 1) / p.sw() + 1;
        if (kh < 1 || kw < 1 || ho < 1 || wo < 1 || h + 2 * p.ph() < p.dh() * (kh - 1) + 1 || w + 2 * p.pw() < p.dw() * (kw - 1) + 1) {
            throw new IllegalArgumentException(op + ": kernel " + kh + "×" + kw + " (dilation " + p.dh() + "×" + p.dw() + ") does not fit input "
                    + Shape.format(xs) + " with padding " + p.ph() + "×" + p.pw());
        }
        return new Geometry(n, c, h, w, o, kh, kw, p.sh(), p.sw(), p.ph(), p.pw(), p.dh(), p.dw(), p.groups(), ho, wo);
    }

    private static void checkOutput(String op, Geometry q, Tensor dy) {
        int[] want = {q.n(), q.o(), q.ho(), q.wo()};
        if (!java.util.Arrays.equals(dy.shape(), want)) {
            throw new IllegalArgumentException(op + ": output gradient of shape " + Shape.format(dy.shape()) + " should be " + Shape.format(want));
        }
    }

    // ------------------------------------------------------------ kernels

    /** y = conv2d(x, w) + bias (bias [O] or null), raw (no graph). */
    private static Tensor forward(Geometry q, Tensor x, Tensor w, Tensor bias) {
        return forward(q, x, w, bias, null);
    }

    /**
     * y = conv2d(x, w) + bias, raw (no graph); with an epilogue (float32 only), the epilogue runs on each image's output
     * as soon as that image is computed, on the same thread, and adds the bias itself where the kernel did not start
     * its sums at it. The kernels' sums are the same with or without it.
     */
    static Tensor forward(Geometry q, Tensor x, Tensor w, Tensor bias, ConvEpilogue e) {
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
        boolean implicit = x.dtype() == DType.FLOAT32 && ImplicitConv.applies(q);
        // Every path writes every element: the implicit kernel and the GEMM (not accumulating) overwrite.
        Tensor out = Tensor.empty(x.dtype(), q.n(), q.o(), q.ho(), q.wo());
        int rows = q.rows(), pixels = q.pixels(), og = q.og();
        int xImage = q.c() * q.h() * q.w(), yImage = q.o() * pixels;
        int xo = xc.storageOffset(), wo = wc.storageOffset();
        if (implicit) {
            // Winograd's F(2×2, 3×3) where it is faster, else implicit GEMM over a padded copy of each image; either
            // way the bias is added by the kernel.
            Tensor bc = bias == null ? null : bias.detach().contiguous();
            float[] ya = out.storage().floats(), ba = bc == null ? null : bc.storage().floats();
            int bo = bc == null ? 0 : bc.storageOffset();
            java.util.function.IntConsumer after = e == null ? null : n -> e.apply(ya, n * yImage, 0, q.o(), pixels, false);
            if (Winograd.applies(q)) Winograd.forward(q, xc.storage().floats(), xo, wc.storage().floats(), wo, ba, bo, ya, after);
            else ImplicitConv.forward(q, xc.storage().floats(), xo, wc.storage().floats(), wo, ba, bo, ya, after);
            return out;
        }
        if (bias != null && e == null && x.dtype() == DType.FLOAT32) {
            // The bias added to each image's output while it is in cache, by the same float additions as the separate add.
            Tensor bc = bias.detach().contiguous();
            return forward(q, x, w, null, new ConvEpilogue(bc.storage().floats(), bc.storageOffset(), null, Float.NEGATIVE_INFINITY,
                    Float.POSITIVE_INFINITY, 1f, 0f, 1f, 0f));
        }
        if (bias != null && e == null) {
            Tensor y = forward(q, x, w, null);
            Elementwise.addInto(y, bias.detach().reshape(1, q.o(), 1, 1));
            return y;
        }
        // A 1×1 kernel at stride 1 without padding: the patch matrix of a group is its channels of the image as they
        // lie, so the GEMM reads them in place (the same values: the same bits as through im2col's copy).
        boolean pointwise = q.kh() == 1 && q.kw() == 1 && q.sh() == 1 && q.sw() == 1 && q.ph() == 0 && q.pw() == 0;
        if (x.dtype() == DType.FLOAT32) {
            float[] xa = xc.storage().floats(), wa = wc.storage().floats(), ya = out.storage().floats();
            boolean viaPadding = ConvKernels.paddedIm2colApplies(q);
            Parallel.forRange(q.n(), 1, (from, to) -> {
                float[] cols = pointwise ? null : new float[rows * pixels];
                float[] xp = pointwise || !viaPadding ? null : new float[ConvKernels.paddedSize(q)];
                for (int n = from; n < to; n++) {
                    for (int g = 0; g < q.groups(); g++) {
                        if (!pointwise && viaPadding) ConvKernels.im2colPadded(q, xa, xo + n * xImage, g, xp, cols);
                        else if (!pointwise) ConvKernels.im2col(q, xa, xo + n * xImage, g, 0, rows, cols);
                        Gemm.sgemm(og, pixels, rows, wa, wo + g * og * rows, rows, 1, pointwise ? xa : cols,
                                pointwise ? xo + n * xImage + g * rows * pixels : 0, pixels, 1, ya, n * yImage + g * og * pixels, pixels, false);
                    }
                    if (e != null) e.apply(ya, n * yImage, 0, q.o(), pixels, true);
                }
            });
        } else {
            double[] xa = xc.storage().doubles(), wa = wc.storage().doubles(), ya = out.storage().doubles();
            Parallel.forRange(q.n(), 1, (from, to) -> {
                double[] cols = pointwise ? null : new double[rows * pixels];
                for (int n = from; n < to; n++) {
                    for (int g = 0; g < q.groups(); g++) {
                        if (!pointwise) ConvKernels.im2col(q, xa, xo + n * xImage, g, 0, rows, cols);
                        Gemm.dgemm(og, pixels, rows, wa, wo + g * og * rows, rows, 1, pointwise ? xa : cols,
                                pointwise ? xo + n * xImage + g * rows * pixels : 0, pixels, 1, ya, n * yImage + g * og * pixels, pixels, false);
                    }
                }
            });
        }
        return out;
    }

    /** dx[n] = col2im(wᵀ · dy[n]) per group. */
    private static Tensor inputGrad(Geometry q, Tensor dy, Tensor w) {
        Tensor gc = dy.detach().contiguous(), wc = w.detach().contiguous();
        boolean implicit = dy.dtype() == DType.FLOAT32 && ImplicitConv.inputGradApplies(q);
        boolean phases = !implicit && dy.dtype() == DType.FLOAT32 && ImplicitConv.stridedInputGradApplies(q);
        // The implicit kernels write every element; col2im adds into zeros.
        Tensor dx = implicit || phases ? Tensor.empty(dy.dtype(), q.n(), q.c(), q.h(), q.w()) : Tensor.zeros(dy.dtype(), q.n(), q.c(), q.h(), q.w());
        int rows = q.rows(), pixels = q.pixels(), og = q.og();
        int xImage = q.c() * q.h() * q.w(), yImage = q.o() * pixels;
        int go = gc.storageOffset(), wo = wc.storageOffset();
        if (implicit) {
            // The transposed stride-1 convolution is a convolution: a forward kernel, no col2im scatter.
            if (Winograd.inputGradApplies(q)) Winograd.inputGrad(q, gc.storage().floats(), go, wc.storage().floats(), wo, dx.storage().floats());
            else ImplicitConv.inputGrad(q, gc.storage().floats(), go, wc.storage().floats(), wo, dx.storage().floats());
            return dx;
        }
        if (phases) {
            // A strided convolution's: one stride-1 convolution of dy per stride phase of dx, no col2im scatter.
            ImplicitConv.stridedInputGrad(q, gc.storage().floats(), go, wc.storage().floats(), wo, dx.storage().floats());
            return dx;
        }
        if (dy.dtype() == DType.FLOAT32) {
            float[] ga = gc.storage().floats(), xa = dx.storage().floats(), wa = wc.storage().floats();
            // w_gᵀ [rows, og] row-major, once: the GEMM then reads it in place instead of packing its columns again for
            // every image (14% of a 64→64 @8×8 backward). The same values: the same sums.
            float[] wt = new float[q.groups() * rows * og];
            for (int g = 0; g < q.groups(); g++) {
                for (int oc = 0; oc < og; oc++) {
                    for (int r = 0; r < rows; r++) wt[(g * rows + r) * og + oc] = wa[wo + (g * og + oc) * rows + r];
                }
            }
            boolean viaPadding = ConvKernels.paddedIm2colApplies(q);
            Parallel.forRange(q.n(), 1, (from, to) -> {
                float[] cols = new float[rows * pixels], xp = viaPadding ? new float[ConvKernels.paddedSize(q)] : null;
                for (int n = from; n < to; n++) {
                    for (int g = 0; g < q.groups(); g++) {
                        // cols[rows, pixels] = w_gᵀ [rows, og] · dy[n, g] [og, pixels]
                        Gemm.sgemm(rows, pixels, og, wt, g * rows * og, og, 1, ga, go + n * yImage + g * og * pixels, pixels, 1,
                                cols, 0, pixels, false);
                        if (viaPadding) ConvKernels.col2imPadded(q, cols, g, xp, xa, n * xImage);
                        else ConvKernels.col2im(q, cols, g, 0, rows, xa, n * xImage);
                    }
                }
            });
        } else {
            double[] ga = gc.storage().doubles(), wa = wc.storage().doubles(), xa = dx.storage().doubles();
            Parallel.forRange(q.n(), 1, (from, to) -> {
                double[] cols = new double[rows * pixels];
                for (int n = from; n < to; n++) {
                    for (int g = 0; g < q.groups(); g++) {
                        Gemm.dgemm(rows, pixels, og, wa, wo + g * og * rows, 1, rows, ga, go + n * yImage + g * og * pixels, pixels, 1,
                                cols, 0, pixels, false);
                        ConvKernels.col2im(q, cols, g, 0, rows, xa, n * xImage);
                    }
                }
            });
        }
        return dx;
    }

    /** Images per partial sum of the im2col weight gradient: fixed, so the order of the sum never follows the thread count. */
    private static final int WEIGHT_GRAD_CHUNK = 16;

    /** dw_g = Σ_n dy[n, g] · im2col(x[n], g)ᵀ, over fixed chunks of images. */
    private static Tensor weightGrad(Geometry q, Tensor x, Tensor dy) {
        Tensor xc = x.detach().contiguous(), gc = dy.detach().contiguous();
        Tensor dw = Tensor.zeros(x.dtype(), q.o(), q.cg(), q.kh(), q.kw());
        int rows = q.rows(), pixels = q.pixels(), og = q.og();
        int xImage = q.c() * q.h() * q.w(), yImage = q.o() * pixels;
        int xo = xc.storageOffset(), go = gc.storageOffset();
        if (x.dtype() == DType.FLOAT32 && Winograd.weightGradApplies(q)) {
            // Winograd's F(3×3, 2×2) where its rule measured it faster than the direct kernels; fixed chunks of
            // images summed in order.
            Winograd.weightGrad(q, xc.storage().floats(), xo, gc.storage().floats(), go, dw.storage().floats());
            return dw;
        }
        if (x.dtype() == DType.FLOAT32 && ImplicitConv.weightGradApplies(q)) {
            // Implicit GEMM; fixed chunks of images summed in order (any thread count, one result).
            ImplicitConv.weightGrad(q, xc.storage().floats(), xo, gc.storage().floats(), go, dw.storage().floats());
            return dw;
        }
        // Fixed chunks of images, each summed into its own partial dw, the partials added in chunk order: one
        // result on any thread count. (Splitting over patch rows instead made every thread read all of dy and
        // write into the same cache lines of dw: 4x slower on two threads than on one for 1→32 channels.)
        int chunks = (q.n() + WEIGHT_GRAD_CHUNK - 1) / WEIGHT_GRAD_CHUNK, size = q.o() * rows;
        if (x.dtype() == DType.FLOAT32) {
            float[] xa = xc.storage().floats(), ga = gc.storage().floats(), wa = dw.storage().floats();
            // Every chunk writes its whole partial (its first image overwrites): no zeroing, and in a workspace no new array.
            float[] partials = chunks == 1 ? wa : Tensor.empty(DType.FLOAT32, chunks * size).storage().floats();
            Parallel.forRange(chunks, 1, (from, to) -> {
                float[] cols = new float[rows * pixels], xp = new float[ConvKernels.paddedSize(q)];
                for (int ch = from; ch < to; ch++) {
                    int first = ch * WEIGHT_GRAD_CHUNK, last = Math.min(q.n(), first + WEIGHT_GRAD_CHUNK);
                    for (int g = 0; g < q.groups(); g++) {
                        for (int n = first; n < last; n++) {
                            ConvKernels.im2colTransposed(q, xa, xo + n * xImage, g, xp, cols);
                            // partial_g (+)= dy[n, g] [og, pixels] · colsᵀ [pixels, rows] (held row-major)
                            Gemm.sgemm(og, rows, pixels, ga, go + n * yImage + g * og * pixels, pixels, 1, cols, 0, rows, 1,
                                    partials, ch * size + g * og * rows, rows, n > first);
                        }
                    }
                }
            });
            if (chunks > 1) {
                for (int i = 0; i < size; i++) {
                    float sum = partials[i];
                    for (int ch = 1; ch < chunks; ch++) sum += partials[ch * size + i];
                    wa[i] = sum;
                }
            }
        } else {
            double[] xa = xc.storage().doubles(), ga = gc.storage().doubles(), wa = dw.storage().doubles();
            double[] partials = chunks == 1 ? wa : Tensor.empty(DType.FLOAT64, chunks * size).storage().doubles();
            Parallel.forRange(chunks, 1, (from, to) -> {
                double[] cols = new double[rows * pixels];
                for (int ch = from; ch < to; ch++) {
                    int first = ch * WEIGHT_GRAD_CHUNK, last = Math.min(q.n(), first + WEIGHT_GRAD_CHUNK);
                    for (int g = 0; g < q.groups(); g++) {
                        for (int n = first; n < last; n++) {
                            ConvKernels.im2col(q, xa, xo + n * xImage, g, 0, rows, cols);
                            Gemm.dgemm(og, rows, pixels, ga, go + n * yImage + g * og * pixels, pixels, 1, cols, 0, 1, pixels,
                                    partials, ch * size + g * og * rows, rows, n > first);
                        }
                    }
                }
            });
            if (chunks > 1) {
                for (int i = 0; i < size; i++) {
                    double sum = partials[i];
                    for (int ch = 1; ch < chunks; ch++) sum += partials[ch * size + i];
                    wa[i] = sum;
                }
            }
        }
        return dw;
    }
}
