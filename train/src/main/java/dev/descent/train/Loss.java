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
}
