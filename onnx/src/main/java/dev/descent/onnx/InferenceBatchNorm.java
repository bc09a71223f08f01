package dev.descent.onnx;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * ONNX BatchNormalization in inference: {@code y = (x − mean) / √(var + eps) · scale + B}, computed as one per-channel
 * multiply and one add, {@code y = x · s + t} with {@code s = scale / √(var + eps)} and {@code t = B − mean · s} formed
 * on the C channel values: two passes over x instead of four, the same folding ONNX Runtime does (its results differ
 * from the four-pass form by float32 rounding only). Differentiable in x, scale and B (mean and var are buffers).
 */
final class InferenceBatchNorm {
    private InferenceBatchNorm() {}

    /**
     * Normalizes x with running statistics.
     *
     * @param x     the input, [N, C, ...]
     * @param scale the per-channel scale, [C]
     * @param bias  the per-channel shift B, [C]
     * @param mean  the running mean, [C]
     * @param var   the running variance, [C]
     * @param eps   added to the variance
     * @return the normalized tensor, of x's shape
     */
    static Tensor apply(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, double eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("BatchNormalization: input must be [N, C, ...], got " + Shape.format(x.shape()));
        int c = x.size(1);
        for (Tensor t : new Tensor[] {scale, bias, mean, var}) {
            if (t.dim() != 1 || t.size(0) != c) {
                throw new IllegalArgumentException("BatchNormalization: per-channel input of shape " + Shape.format(t.shape()) + " should be [" + c
                        + "] for input " + Shape.format(x.shape()));
            }
        }
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor s = scale.to(x.dtype()).div(var.detach().to(x.dtype()).add(eps).sqrt());
        Tensor t = bias.to(x.dtype()).sub(mean.detach().to(x.dtype()).mul(s));
        if (x.dtype() == dev.descent.core.DType.FLOAT32 && x.dim() >= 2 && !dev.descent.core.autograd.Autograd.isRecording(x, scale, bias)) {
            return InferenceKernels.channelAffine(x, s.contiguous().toFloatArray(), t.contiguous().toFloatArray()); // one pass, the same two roundings
        }
        return x.mul(s.reshape(bshape)).add(t.reshape(bshape));
    }
}
