package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.Arrays;

/**
 * Loss functions. Cross-entropy goes through log-softmax (stable for logits of magnitude 1e4);
 * binary cross-entropy from logits is one primitive op whose gradient is exactly sigmoid(x) − y.
 */
public final class Losses {
    private Losses() {}

    /** How per-element losses are combined. */
    public enum Reduction {
        /** The mean over all elements: a 0-d tensor. */ MEAN,
        /** The sum over all elements: a 0-d tensor. */ SUM,
        /** No reduction: one loss per element (per row for the class losses). */ NONE
    }

    /**
     * Mean cross-entropy of logits {@code [N, C]} against class indices {@code [N]} (int64):
     * {@code mean_i −log softmax(logits_i)[y_i]}, the usual classification loss. Its gradient with respect to
     * the logits is {@code (softmax(logits) − onehot(y)) / N}.
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}, values in {@code [0, C)}
     * @return a 0-d tensor
     * @throws IllegalArgumentException when logits is not 2-D, or target is not int64 of shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN, 0);
    }

    /**
     * Cross-entropy from logits {@code [N, C]} and class indices {@code [N]} (int64): loss_i = −(1 − ε)·log p_i[y_i]
     * − ε·mean_c log p_i[c], with p = softmax(logits) and ε the label smoothing (PyTorch's definition). Goes
     * through log-softmax, so logits of magnitude 1e4 give finite losses and gradients.
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}
     * @param reduction how the N losses are combined
     * @param labelSmoothing ε in [0, 1]; 0 is plain cross-entropy
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when ε is outside [0, 1], logits is not 2-D, or target is not int64 of
     *         shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
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

    /**
     * Negative log-likelihood: {@code −logProbabilities[i, y_i]} per row, e.g. after
     * {@link Tensor#logSoftmax}.
     *
     * @param logProbabilities log-probabilities {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}
     * @param reduction how the N losses are combined
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the scores are not 2-D, or target is not int64 of shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor target, Reduction reduction) {
        checkClassTargets("nllLoss", logProbabilities, target);
        return reduce(logProbabilities.gather(1, target.unsqueeze(1)).squeeze(1).neg(), reduction);
    }

    /**
     * Squared error {@code (prediction − target)²} per element, combined by {@code reduction} (MEAN: the mean
     * squared error). No broadcasting: the shapes must be equal.
     *
     * @param prediction the model's output
     * @param target the wanted values, of the same shape
     * @param reduction how the element losses are combined
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Tensor mseLoss(Tensor prediction, Tensor target, Reduction reduction) {
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException("mseLoss: prediction " + Shape.format(prediction.shape()) + " and target " + Shape.format(target.shape())
                    + " must have the same shape");
        }
        return reduce(prediction.sub(target).square(), reduction);
    }

    /**
     * Binary cross-entropy from logits x against targets y in [0, 1] (same shape):
     * max(x, 0) − x·y + log(1 + e^{−|x|}), which is finite for any finite x. One primitive op whose gradient
     * is exactly σ(x) − y in x (and −x in y).
     *
     * @param logits unnormalised scores x
     * @param target probabilities y in [0, 1], of the same shape (int64 and bool targets are converted)
     * @param reduction how the element losses are combined
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ
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
