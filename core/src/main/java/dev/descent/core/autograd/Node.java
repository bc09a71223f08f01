package dev.descent.core.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * One recorded op in the autodiff graph: its name, the tensors it read, and its backward rule. The
 * tensor an op produced points to its node ({@link Tensor#gradFn()}); nodes point to their inputs, so
 * the graph behind any tensor can be walked (and drawn) from it.
 */
public final class Node {
    private final String op;
    private final Tensor[] inputs;
    private final List<Tensor> inputList;
    private final BackwardFn backward;

    Node(String op, Tensor[] inputs, BackwardFn backward) {
        this.op = op;
        this.inputs = inputs;
        this.inputList = java.util.Collections.unmodifiableList(java.util.Arrays.asList(inputs));
        this.backward = backward;
    }

    /** {@return the name the op was recorded under, e.g. {@code "mul"}} */
    public String op() {
        return op;
    }

    /** {@return the op's inputs, in order, as an unmodifiable list} Entries may be null (absent optional inputs). */
    public List<Tensor> inputs() {
        return inputList;
    }

    /**
     * Runs the backward rule and checks what it returns: one gradient per input, each of its input's shape
     * and dtype (or null).
     *
     * @param gradOutput d(loss)/d(output), of the output's shape
     * @return one gradient per input, in input order
     * @throws IllegalStateException naming the op, the input index and both shapes when a rule is wrong
     */
    public Tensor[] backward(Tensor gradOutput) {
        Tensor[] grads = backward.apply(gradOutput);
        if (grads == null || grads.length != inputs.length) {
            throw new IllegalStateException("backward of '" + op + "' returned " + (grads == null ? "null" : grads.length + " gradients")
                    + " for " + inputs.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            Tensor g = grads[i];
            if (g == null) continue;
            if (!java.util.Arrays.equals(g.shape(), inputs[i].shape())) {
                throw new IllegalStateException("backward of '" + op + "' returned a gradient of shape " + Shape.format(g.shape())
                        + " for input " + i + " of shape " + Shape.format(inputs[i].shape()));
            }
            if (g.dtype() != inputs[i].dtype()) {
                throw new IllegalStateException("backward of '" + op + "' returned a " + g.dtype() + " gradient for input " + i
                        + " of dtype " + inputs[i].dtype());
            }
        }
        return grads;
    }

    @Override
    public String toString() {
        return op;
    }
}
