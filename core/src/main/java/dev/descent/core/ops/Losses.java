package dev.descent.core.ops;

import dev.descent.core.Autograd;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Loss functions. Cross-entropy goes through log-softmax (stable for logits of magnitude 1e4);
 * binary cross-entropy from logits is one primitive op whose gradient is exactly sigmoid(x) − y.
 */
public final class Losses {
    private Losses() {}

    /** How per-element losses are combined. */
    public enum Reduction { MEAN, SUM, NONE }

    /** Mean cross-entropy of logits [N, C] against class indices [N] (int64). */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN, 0);
    }

    /**
     * Cross-entropy from logits [N, C] and class indices [N] (int64): loss_i = −(1 − ε)·log p_i[y_i]
     * − ε·mean_c log p_i[c], with p = softmax(logits) and ε the label smoothing (PyTorch's definition).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], was " + labelSmoothing);
        }
        checkClassTargets("crossEntropy", logits, target);
        Tensor logp = logits.logSoftmax(1);
        Tensor nll = logp.gather(1, target.unsqueeze(1)).squeeze(1).neg();
        Tensor loss = labelSmoothing == 0 ? nll : nll.mul(1 - labelSmoothing).add(logp.mean(1).neg().mul(labelSmoothing));
        return reduce(loss, reduction);
    }

    /** Negative log-likelihood of log-probabilities [N, C] at class indices [N]. */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor target, Reduction reduction) {
        checkClassTargets("nllLoss", logProbabilities, target);
        return reduce(logProbabilities.gather(1, target.unsqueeze(1)).squeeze(1).neg(), reduction);
    }

    /** Mean squared error; prediction and target must have the same shape. */
    public static Tensor mseLoss(Tensor prediction, Tensor target, Reduction reduction) {
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException("mseLoss: prediction " + Shape.format(prediction.shape()) + " and target " + Shape.format(target.shape())
                    + " must have the same shape");
        }
        return reduce(prediction.sub(target).square(), reduction);
    }

    /**
     * Binary cross-entropy from logits x against targets y in [0, 1] (same shape):
     * max(x, 0) − x·y + log(1 + e^{−|x|}), which is finite for any finite x.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        if (!Arrays.equals(logits.shape(), target.shape())) {
            throw new IllegalArgumentException("binaryCrossEntropyWithLogits: logits " + Shape.format(logits.shape()) + " and target "
                    + Shape.format(target.shape()) + " must have the same shape");
        }
        Tensor[] p = Elementwise.promote(logits, target.dtype().isFloatingPoint() ? target : target.to(logits.dtype()));
        Tensor x = p[0], y = p[1];
        Tensor xc = x.detach().contiguous(), yc = y.detach().contiguous();
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < out.numel(); i++) {
            double xi = xc.storage().getDouble(xc.storageOffset() + i), yi = yc.storage().getDouble(yc.storageOffset() + i);
            out.storage().setDouble(i, Math.max(xi, 0) - xi * yi + Math.log1p(Math.exp(-Math.abs(xi))));
        }
        Tensor loss = Autograd.record("binaryCrossEntropyWithLogits", out, g -> new Tensor[] {
                x.requiresGrad() ? g.mul(x.sigmoid().sub(y)) : null,
                y.requiresGrad() ? g.mul(x).neg() : null}, x, y);
        return reduce(loss, reduction);
    }

    private static Tensor reduce(Tensor loss, Reduction r) {
        return switch (r) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
        };
    }

    private static void checkClassTargets(String op, Tensor scores, Tensor target) {
        if (scores.dim() != 2) throw new IllegalArgumentException(op + ": expects scores [N, C], got " + Shape.format(scores.shape()));
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": targets must be INT64 class indices, got " + target.dtype());
        if (target.dim() != 1 || target.size(0) != scores.size(0)) {
            throw new IllegalArgumentException(op + ": targets of shape " + Shape.format(target.shape()) + " do not match scores " + Shape.format(scores.shape())
                    + " (expected [" + scores.size(0) + "])");
        }
        int c = scores.size(1);
        long[] t = target.toLongArray();
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= c) throw new IndexOutOfBoundsException(op + ": target " + t[i] + " at position " + i + " is not a class in [0, " + c + ")");
        }
    }
}
