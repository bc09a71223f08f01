package dev.descent.core.autograd;

import dev.descent.core.Tensor;

/**
 * The backward rule of one recorded op: given the gradient of the loss with respect to the op's
 * output, return the gradient with respect to each input (same order and shapes as the inputs;
 * {@code null} for an input that needs none). Rules are written with tensor ops, so that with grad
 * mode on they are themselves differentiable (gradients of gradients).
 */
@FunctionalInterface
public interface BackwardFn {
    /**
     * Maps the gradient of the op's output to the gradients of its inputs.
     *
     * @param gradOutput d(loss)/d(output), of the output's shape and dtype
     * @return one gradient per input, in input order ({@code null} where none is needed)
     */
    Tensor[] apply(Tensor gradOutput);
}
