package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.FusedConvolution;

/**
 * Inference-only: a stride-1 convolution whose output width is not a whole number of float vectors runs as one whose
 * width is, on an input with extra zero columns on the right, and the extra output columns are dropped. Core's implicit
 * GEMM kernel (no patch matrix) takes only output widths that are whole vectors; others went through im2col and a GEMM,
 * about three times slower per output pixel (one thread, 64→64 channels: 40×40 cost 3.0 ms, 80×80 3.6 ms). The kept
 * columns are the same sums of the same products, in the implicit kernel's order rather than the GEMM's, so they round
 * differently from the direct path; only without gradients, in the ONNX importer.
 */
final class WideConv {
    private WideConv() {}

    /** The most widened width per output width: beyond it the wasted columns cost more than the faster kernel saves. */
    static final double MAX_WIDENING = 1.6;

    /** Off with -Ddescent.onnx.wideconv=false. */
    static volatile boolean enabled = !"false".equals(System.getProperty("descent.onnx.wideconv"));

    /**
     * The convolution of a Conv node when it qualifies (float32, no gradient recorded, stride 1, dilation 1, one group,
     * an output width not a whole number of vectors and at most {@link #MAX_WIDENING} times narrower than the next that
     * is), else null.
     *
     * @param x       the input [N, C, H, W]
     * @param w       the weight [O, C, kH, kW]
     * @param b       the bias [O], or null
     * @param top     padding above
     * @param left    padding left
     * @param bottom  padding below
     * @param right   padding right
     * @param strides the strides
     * @param dil     the dilations
     * @param groups  the groups
     * @param act     the fused activation
     * @return the output, or null when this path does not apply
     */
    static Tensor tryConv(Tensor x, Tensor w, Tensor b, int top, int left, int bottom, int right, int[] strides, int[] dil, int groups,
                          FusedConvolution.Activation act) {
        if (!enabled || !Vectors.ENABLED || x.dim() != 4 || w.dim() != 4 || x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32
                || (b != null && b.dtype() != DType.FLOAT32) || strides[0] != 1 || strides[1] != 1 || dil[0] != 1 || dil[1] != 1 || groups != 1
                || x.size(1) != w.size(1) || x.size(1) < 8 || w.size(0) < 8 || Autograd.isRecording(x, w, b)) {
            return null;
        }
        int l = Vectors.FL, wo = x.size(3) + left + right - w.size(3) + 1, ho = x.size(2) + top + bottom - w.size(2) + 1;
        if (wo < 1 || ho < 1 || wo % l == 0) return null;
        int wide = (wo + l - 1) / l * l;
        if (wide > MAX_WIDENING * wo) return null;
        Tensor xp = InferenceKernels.pad(x, top, bottom, left, right + wide - wo, 0f);
        Tensor y = FusedConvolution.conv2d(xp, w, b, new Convolution.Params(1, 1, 0, 0, 1, 1, 1), act);
        return y.narrow(3, 0, wo).contiguous();
    }
}
