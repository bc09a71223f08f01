package dev.descent.train;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;

/**
 * The objective a {@link Trainer} minimises: a function of the model's output and the batch's target.
 * Training uses its mean over the batch; evaluation adds up its sum over batches and divides once, so
 * the evaluation loss does not depend on the evaluation batch size.
 */
@FunctionalInterface
public interface Loss {
    /**
     * The loss of a batch.
     *
     * @param output    the model's output for the batch
     * @param target    the batch's target
     * @param reduction {@link Losses.Reduction#MEAN} for training, {@link Losses.Reduction#SUM} for evaluation
     * @return a 0-d tensor
     */
    Tensor apply(Tensor output, Tensor target, Losses.Reduction reduction);

    /**
     * Cross-entropy from logits {@code [N, C]} and class indices {@code [N]}, without label smoothing.
     *
     * @return the loss
     */
    static Loss crossEntropy() {
        return (output, target, reduction) -> Losses.crossEntropy(output, target, reduction, 0);
    }

    /**
     * Cross-entropy of a language model, per token: logits {@code [N, T, C]} and int64 targets {@code [N, T]} (each
     * position's next token). Training ({@code MEAN}) averages over all N·T tokens; evaluation ({@code SUM}) adds each
     * sequence's mean over its T tokens, so that {@link Evaluation}'s division by the number of sequences gives the
     * mean loss per token, in nats, whatever the evaluation batch size.
     *
     * @return the loss
     * @throws IllegalArgumentException (when applied) unless the output is 3-d and the target 2-d with the same first two sizes
     */
    static Loss tokenCrossEntropy() {
        return (output, target, reduction) -> {
            if (output.dim() != 3 || target.dim() != 2 || output.size(0) != target.size(0) || output.size(1) != target.size(1)) {
                throw new IllegalArgumentException("token cross-entropy needs logits [N, T, C] and targets [N, T], got "
                        + dev.descent.core.Shape.format(output.shape()) + " and " + dev.descent.core.Shape.format(target.shape()));
            }
            int t = target.size(1);
            Tensor logits = output.reshape(-1, output.size(2)), y = target.reshape(-1);
            return switch (reduction) {
                case SUM -> Losses.crossEntropy(logits, y, Losses.Reduction.SUM, 0).div(t);
                default -> Losses.crossEntropy(logits, y, reduction, 0);
            };
        };
    }
}
