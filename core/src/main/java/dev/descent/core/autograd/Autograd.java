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
     * {@link Anomaly} detection on, the output is first checked for NaN and infinities. An op recorded this way has
     * no forward-mode rule: called on a dual input ({@link ForwardAD}) it throws; built-in ops use
     * {@link #record(String, Tensor, BackwardFn, JvpFn, Tensor...)}.
     *
     * @param op the op's name, shown in graphs and error messages
     * @param output the op's freshly computed result (a leaf until now)
     * @param backward the rule mapping the output's gradient to one gradient per input
     * @param inputs the tensors the op read, in the order {@code backward} returns their gradients (null
     *        entries are allowed for absent optional inputs)
     * @return {@code output}, now carrying the node when one was recorded
     * @throws IllegalStateException when a node is needed but {@code output} is int64 or bool, or an input carries a
     *         tangent
     * @throws Anomaly.AnomalyException when detection is on and {@code output} holds a NaN or an infinity
     */
    public static Tensor record(String op, Tensor output, BackwardFn backward, Tensor... inputs) {
        return record(op, output, backward, null, inputs);
    }

    /**
     * {@link #record(String, Tensor, BackwardFn, Tensor...)} for an op with a forward-mode rule too: when forward mode
     * is on ({@link ForwardAD}) and an input carries a tangent, {@code jvp} computes the output's tangent from the
     * inputs' and it is attached to {@code output}, whatever the grad mode.
     *
     * @param op the op's name, shown in graphs and error messages
     * @param output the op's freshly computed result (a leaf until now)
     * @param backward the rule mapping the output's gradient to one gradient per input
     * @param jvp the rule mapping the inputs' tangents to the output's, or null for an op without one
     * @param inputs the tensors the op read, in the order both rules use (null entries for absent optional inputs)
     * @return {@code output}, now carrying the node and tangent when they apply
     * @throws IllegalStateException when a node is needed but {@code output} is int64 or bool, or a tangent is needed
     *         and {@code jvp} is null or returns a tangent of the wrong shape or dtype
     */
    public static Tensor record(String op, Tensor output, BackwardFn backward, JvpFn jvp, Tensor... inputs) {
        if (Anomaly.isEnabled() && GradMode.isEnabled()) Anomaly.checkForward(op, output, inputs);
        attachNode(op, output, backward, inputs);
        // the tangent after the node: a rule that reads the output (exp's t·y) then records on it, so the tangent can
        // itself be differentiated in reverse mode (reverse over forward)
        if (ForwardAD.isEnabled() && output.dtype().isFloatingPoint()) attachTangent(op, output, jvp, inputs);
        return output;
    }

    private static void attachNode(String op, Tensor output, BackwardFn backward, Tensor[] inputs) {
        if (!GradMode.isEnabled()) return;
        boolean needed = false;
        for (Tensor t : inputs) needed |= t != null && t.requiresGrad();
        if (!needed) return;
        if (!output.dtype().isFloatingPoint()) {
            throw new IllegalStateException("op '" + op + "' produced a " + output.dtype() + " tensor from inputs that require grad");
        }
        output.attachGradFn(new Node(op, inputs.clone(), backward));
    }

    private static void attachTangent(String op, Tensor output, JvpFn jvp, Tensor[] inputs) {
        Tensor[] tangents = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i] == null ? null : inputs[i].tangent();
            if (t == null) continue;
            if (tangents == null) tangents = new Tensor[inputs.length];
            tangents[i] = t;
        }
        if (tangents == null) return;
        if (jvp == null) {
            throw new IllegalStateException("op '" + op + "' has no forward-mode (JVP) rule, and an input carries a tangent");
        }
        Tensor t;
        try (var _ = ForwardAD.suspended()) { // one level of tangents: a rule's use of the dual inputs computes no tangent of its own
            t = jvp.apply(tangents);
        }
        if (t == null) return;
        if (!java.util.Arrays.equals(t.shape(), output.shape())) {
            throw new IllegalStateException("the JVP rule of '" + op + "' returned a tangent of shape " + dev.descent.core.Shape.format(t.shape())
                    + " for an output of shape " + dev.descent.core.Shape.format(output.shape()));
        }
        if (t.dtype() != output.dtype()) {
            throw new IllegalStateException("the JVP rule of '" + op + "' returned a " + t.dtype() + " tangent for a " + output.dtype() + " output");
        }
        output.attachTangent(t);
    }

    /**
     * True when an op on these inputs would be recorded: grad mode is on and one of them requires grad, or one of
     * them carries a tangent. Ops use it to skip work only the backward and forward-mode rules need.
     *
     * @param inputs the op's inputs (null entries are ignored)
     * @return whether {@link #record} would attach a node
     */
    public static boolean isRecording(Tensor... inputs) {
        boolean grad = GradMode.isEnabled(), tangents = ForwardAD.isEnabled();
        for (Tensor t : inputs) if (t != null && ((grad && t.requiresGrad()) || (tangents && t.tangent() != null))) return true;
        return false;
    }

    /**
     * f(x) and the Jacobian-vector product J·v in one forward pass, by dual tensors ({@link ForwardAD#jvp}).
     *
     * <pre>{@code
     * ForwardAD.Result r = Autograd.jvp(t -> t.sin().mul(t), x, v);  // r.tangent() = (cos x · x + sin x) · v
     * }</pre>
     *
     * @param f the function, written with tensor ops
     * @param x the point
     * @param v the direction, of x's shape
     * @return f(x) and J·v
     */
    public static ForwardAD.Result jvp(java.util.function.UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return ForwardAD.jvp(f, x, v);
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
