package dev.descent.core.autograd;

import dev.descent.core.Tensor;
import java.util.List;

/**
 * Recording ops into the graph, and asking the graph for gradients.
 *
 * <p>Every differentiable op, built-in or user-defined, ends with one call to {@link #record}: it
 * attaches the op's backward rule to its output when grad mode is on and some input requires a
 * gradient. This is the whole of the custom-op API; {@link CustomOp} wraps it in a class.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches {@code backward} to {@code output} as the node of op {@code op} reading {@code inputs}, when
     * grad mode is on and any input requires a gradient; otherwise records nothing. With
     * {@link Anomaly} detection on, the output is first checked for NaN and infinities.
     *
     * @param op the op's name, shown in graphs and error messages
     * @param output the op's freshly computed result (a leaf until now)
     * @param backward the rule mapping the output's gradient to one gradient per input
     * @param inputs the tensors the op read, in the order {@code backward} returns their gradients (null
     *        entries are allowed for absent optional inputs)
     * @return {@code output}, now carrying the node when one was recorded
     * @throws IllegalStateException when a node is needed but {@code output} is int64 or bool
     * @throws Anomaly.AnomalyException when detection is on and {@code output} holds a NaN or an infinity
     */
    public static Tensor record(String op, Tensor output, BackwardFn backward, Tensor... inputs) {
        if (Anomaly.isEnabled() && GradMode.isEnabled()) Anomaly.checkForward(op, output, inputs);
        if (!GradMode.isEnabled()) return output;
        boolean needed = false;
        for (Tensor t : inputs) needed |= t != null && t.requiresGrad();
        if (!needed) return output;
        if (!output.dtype().isFloatingPoint()) {
            throw new IllegalStateException("op '" + op + "' produced a " + output.dtype() + " tensor from inputs that require grad");
        }
        output.attachGradFn(new Node(op, inputs.clone(), backward));
        return output;
    }

    /**
     * True when an op on these inputs would be recorded: grad mode is on and one of them requires grad. Ops
     * use it to skip work only the backward needs.
     *
     * @param inputs the op's inputs (null entries are ignored)
     * @return whether {@link #record} would attach a node
     */
    public static boolean isRecording(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * The gradients of {@code output} with respect to {@code inputs}, without touching any
     * {@code .grad()}. With {@code createGraph}, the returned gradients are themselves recorded, so they can
     * be differentiated again (Hessian-vector products). An input the output does not depend on gets a zero
     * gradient. Inputs may be interior tensors, not only leaves.
     *
     * @param output the tensor to differentiate
     * @param inputs the tensors to differentiate with respect to; each must require grad
     * @param gradOutput the gradient seeded at {@code output} (of its shape), or null for a one-element output
     * @param createGraph whether to record the gradient computation
     * @return one gradient per input, in order, each of its input's shape
     * @throws IllegalArgumentException when {@code output} or an input does not require grad, or
     *         {@code gradOutput} is missing or of the wrong shape
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, Tensor gradOutput, boolean createGraph) {
        return Engine.grad(output, inputs, gradOutput, createGraph);
    }

    /**
     * {@link #grad(Tensor, List, Tensor, boolean)} for a one-element output, without a graph of the
     * gradients.
     *
     * @param output the one-element tensor to differentiate
     * @param inputs the tensors to differentiate with respect to; each must require grad
     * @return one gradient per input, in order
     * @throws IllegalArgumentException when {@code output} or an input does not require grad, or
     *         {@code output} has more than one element
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return Engine.grad(output, inputs, null, false);
    }
}
