package dev.descent.core.ops;

import dev.descent.core.GradMode;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Batch and layer normalisation, composed from primitive ops (so their gradients, of any order, come
 * from the primitives' rules).
 */
public final class Normalization {
    private Normalization() {}

    /**
     * Batch normalisation over every dim but 1 (channels): input [N, C] or [N, C, ...].
     *
     * <p>Training: normalise with the batch mean and the biased batch variance, and update the running
     * statistics in place: {@code running = (1 − momentum)·running + momentum·batch}, using the
     * unbiased variance (PyTorch's convention). Eval: normalise with the running statistics.
     * {@code runningMean}/{@code runningVar} may be null (no tracking: batch statistics always);
     * {@code weight}/{@code bias} may be null (no affine transform).
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batchNorm: input must be [N, C, ...], got " + Shape.format(x.shape()));
        int c = x.size(1);
        checkChannels("running mean", runningMean, c);
        checkChannels("running var", runningVar, c);
        checkChannels("weight", weight, c);
        checkChannels("bias", bias, c);
        if (!(eps > 0)) throw new IllegalArgumentException("batchNorm: eps must be > 0, was " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("batchNorm: momentum must be in [0, 1], was " + momentum);
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 2; i < x.dim(); i++) dims[i - 1] = i;
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor mean, var;
        boolean useBatch = training || runningMean == null || runningVar == null;
        if (useBatch) {
            int n = x.numel() / Math.max(c, 1);
            if (training && n <= 1) {
                throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got input " + Shape.format(x.shape()));
            }
            mean = x.mean(dims, true);
            var = x.sub(mean).square().mean(dims, true);
            if (training && runningMean != null && runningVar != null) {
                try (var _ = GradMode.noGrad()) {
                    Tensor m = mean.detach().reshape(c).to(runningMean.dtype());
                    Tensor v = var.detach().reshape(c).mul((double) n / (n - 1)).to(runningVar.dtype());
                    runningMean.mulInPlace(1 - momentum).addInPlace(m, momentum);
                    runningVar.mulInPlace(1 - momentum).addInPlace(v, momentum);
                }
            }
        } else {
            mean = runningMean.detach().reshape(bshape).to(x.dtype());
            var = runningVar.detach().reshape(bshape).to(x.dtype());
        }
        Tensor y = x.sub(mean).div(var.add(eps).sqrt());
        if (weight != null) y = y.mul(weight.reshape(bshape));
        if (bias != null) y = y.add(bias.reshape(bshape));
        return y;
    }

    private static void checkChannels(String what, Tensor t, int c) {
        if (t != null && (t.dim() != 1 || t.size(0) != c)) {
            throw new IllegalArgumentException("batchNorm: " + what + " of shape " + Shape.format(t.shape()) + " should be [" + c + "]");
        }
    }

    /**
     * Layer normalisation over the trailing dims {@code normalizedShape}: (x − mean) / √(var + eps),
     * biased variance, then the optional elementwise affine {@code weight}, {@code bias} (of that shape).
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length, r = x.dim();
        int[] xs = x.shape();
        if (k == 0 || k > r || !Arrays.equals(Arrays.copyOfRange(xs, r - k, r), normalizedShape)) {
            throw new IllegalArgumentException("layerNorm: normalized shape " + Shape.format(normalizedShape) + " is not the trailing part of input "
                    + Shape.format(xs));
        }
        if (!(eps > 0)) throw new IllegalArgumentException("layerNorm: eps must be > 0, was " + eps);
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !Arrays.equals(t.shape(), normalizedShape)) {
                throw new IllegalArgumentException("layerNorm: affine parameter of shape " + Shape.format(t.shape()) + " should be " + Shape.format(normalizedShape));
            }
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        Tensor mean = x.mean(dims, true);
        Tensor centered = x.sub(mean);
        Tensor y = centered.div(centered.square().mean(dims, true).add(eps).sqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }
}
