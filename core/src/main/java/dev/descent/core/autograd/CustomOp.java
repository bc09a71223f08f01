package dev.descent.core.autograd;

import dev.descent.core.Tensor;

/**
 * A differentiable op defined by the user: a forward computation and its derivative rules, side by side.
 * The forward runs with grad mode off and tangent propagation suspended (it may use any tensor op, raw or not); the
 * backward receives the output's gradient and returns one gradient per input (reverse mode, Jᵀ·g); the optional
 * {@link #jvp} receives one tangent per input and returns the output's tangent (forward mode, J·t, for
 * {@link ForwardAD} dual tensors). Write both with tensor ops so that they are themselves differentiable.
 * {@link dev.descent.core.check.GradCheck} verifies a backward rule in one line, and
 * {@link dev.descent.core.check.OpSweep} both rules over many shapes (its forward-mode check is on by default, so an op
 * swept there needs a {@code jvp}).
 *
 * <pre>{@code
 * // y = x³ with its rules dy/dx = 3x²
 * CustomOp cube = new CustomOp("cube") {
 *     protected Tensor forward(Tensor... in) { return in[0].mul(in[0]).mul(in[0]); }
 *     protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) { return new Tensor[] {g.mul(in[0].square()).mul(3)}; }
 *     protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) { return t[0].mul(in[0].square()).mul(3); }
 * };
 * Tensor y = cube.apply(x);
 * }</pre>
 */
public abstract class CustomOp {
    private final String name;

    /**
     * An op with a display name.
     *
     * @param name the name shown in graphs and error messages
     */
    protected CustomOp(String name) {
        this.name = name;
    }

    /**
     * The forward computation; grad mode is off while it runs, so nothing it does is recorded.
     *
     * @param inputs the tensors passed to {@link #apply}, in order
     * @return the op's output (a floating-point tensor when any input requires grad)
     */
    protected abstract Tensor forward(Tensor... inputs);

    /**
     * The gradient of each input, given the gradient of the output. Write it with tensor ops, so that it can
     * itself be differentiated. Each gradient must have its input's shape and dtype (checked by
     * {@link Node#backward}).
     *
     * @param gradOutput d(loss)/d(output), of the output's shape
     * @param output the output {@link #forward} returned
     * @param inputs the inputs, as passed to {@link #apply}
     * @return one entry per input: its gradient, or null where none is needed
     */
    protected abstract Tensor[] backward(Tensor gradOutput, Tensor output, Tensor... inputs);

    /**
     * The forward-mode rule: the tangent of the output given the tangents of the inputs (J·t), for
     * {@link ForwardAD}. Write it with tensor ops. The default has none and throws, naming the op; an op used with
     * dual inputs overrides it.
     *
     * @param tangents one per input, null where an input carries none (a zero tangent)
     * @param output the output {@link #forward} returned
     * @param inputs the inputs, as passed to {@link #apply}
     * @return the output's tangent, of its shape and dtype, or null for zero
     * @throws UnsupportedOperationException when the op has no forward-mode rule
     */
    protected Tensor jvp(Tensor[] tangents, Tensor output, Tensor... inputs) {
        throw new UnsupportedOperationException("custom op '" + name + "' has no forward-mode rule: override CustomOp.jvp to use it with dual tensors");
    }

    /**
     * Runs the op and records it in the graph when grad mode is on and an input requires grad.
     *
     * @param inputs the op's inputs
     * @return the output, with a graph node when one was recorded
     * @throws IllegalStateException when a node is needed but the output is int64 or bool
     */
    public final Tensor apply(Tensor... inputs) {
        Tensor out;
        try (var _ = GradMode.noGrad(); var __ = ForwardAD.suspended()) {
            out = forward(inputs);
        }
        if (out.requiresGrad() || !out.isLeaf() || out.tangent() != null) out = out.detach(); // forward may return an input as is
        final Tensor result = out;
        return Autograd.record(name, result, g -> backward(g, result, inputs), t -> jvp(t, result, inputs), inputs);
    }

    /** {@return the op's display name, as given at construction} */
    public String name() {
        return name;
    }
}
