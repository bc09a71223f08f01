package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;

/**
 * PyTorch's {@code nn.CrossEntropyLoss} as an object: {@link Losses#crossEntropy} with its reduction and label
 * smoothing fixed at construction, for code written as {@code criterion = nn.CrossEntropyLoss(); loss =
 * criterion(out, y)}. It is not a {@link Module}: a module maps one input to one output, a loss takes two, and it
 * has no parameters or buffers to register.
 *
 * <pre>{@code
 * var criterion = new CrossEntropyLoss();
 * Tensor loss = criterion.forward(model.forward(x), y);    // logits [N, C], y int64 [N]
 * }</pre>
 */
public final class CrossEntropyLoss {
    private final Losses.Reduction reduction;
    private final double labelSmoothing;

    /** The mean cross-entropy without label smoothing: PyTorch's defaults. */
    public CrossEntropyLoss() {
        this(Losses.Reduction.MEAN, 0);
    }

    /**
     * Cross-entropy with the given settings.
     *
     * @param reduction how the N row losses are combined
     * @param labelSmoothing ε in [0, 1]; 0 is plain cross-entropy
     * @throws IllegalArgumentException when ε is outside [0, 1] or NaN, or reduction is null
     */
    public CrossEntropyLoss(Losses.Reduction reduction, double labelSmoothing) {
        if (reduction == null) throw new IllegalArgumentException("CrossEntropyLoss: reduction must not be null");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], was " + labelSmoothing);
        }
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * The loss: {@link Losses#crossEntropy(Tensor, Tensor, Losses.Reduction, double)} with this object's settings.
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Losses.Reduction#NONE}
     * @throws IllegalArgumentException when logits is not 2-D, or target is not int64 of shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public Tensor forward(Tensor logits, Tensor target) {
        return Losses.crossEntropy(logits, target, reduction, labelSmoothing);
    }

    /** The settings, e.g. {@code CrossEntropyLoss(reduction=MEAN, labelSmoothing=0.0)}. */
    @Override
    public String toString() {
        return "CrossEntropyLoss(reduction=" + reduction + ", labelSmoothing=" + labelSmoothing + ")";
    }
}
