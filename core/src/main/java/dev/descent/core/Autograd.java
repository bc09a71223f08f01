package dev.descent.core;

import dev.descent.core.autograd.Engine;
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
     * Attaches {@code backward} to {@code output} as the node of op {@code op} reading {@code inputs},
     * when grad mode is on and any input requires a gradient; returns {@code output}.
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
        output.attach(new Node(op, inputs.clone(), backward));
        return output;
    }

    /** True when an op on these inputs would be recorded. */
    public static boolean isRecording(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * The gradients of {@code output} with respect to {@code inputs}, without touching any
     * {@code .grad()}. {@code gradOutput} may be null for a scalar output. With {@code createGraph},
     * the returned gradients are themselves recorded, so they can be differentiated again
     * (Hessian-vector products). An input the output does not depend on gets a zero gradient.
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, Tensor gradOutput, boolean createGraph) {
        return Engine.grad(output, inputs, gradOutput, createGraph);
    }

    /** {@link #grad(Tensor, List, Tensor, boolean)} for a scalar output, without a graph of the gradients. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return Engine.grad(output, inputs, null, false);
    }
}
