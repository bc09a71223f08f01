package dev.descent.core;

import dev.descent.core.autograd.GradMode;

/**
 * A trainable tensor: a leaf that requires grad and that optimizers update in place (inside a
 * no-grad scope). Modules name their parameters; the name shows in graphs, summaries and files.
 */
public final class Parameter extends Tensor {

    /**
     * A parameter over a contiguous copy of {@code init}: later changes to {@code init} do not reach it, and
     * its gradient does not flow back into {@code init}.
     *
     * @param init the initial values, float32 or float64
     * @throws IllegalArgumentException when {@code init} is int64 or bool
     */
    public Parameter(Tensor init) {
        super(contiguousCopy(init));
        Workspace.keep(this);
        requiresGrad(true);
    }

    /**
     * A named parameter over a contiguous copy of {@code init}.
     *
     * @param name the display name (modules use their path, e.g. {@code "fc1.weight"})
     * @param init the initial values, float32 or float64
     * @throws IllegalArgumentException when {@code init} is int64 or bool
     */
    public Parameter(String name, Tensor init) {
        this(init);
        name(name);
    }

    private static Tensor contiguousCopy(Tensor init) {
        if (!init.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("a parameter must be float32 or float64, got " + init.dtype());
        }
        try (var _ = GradMode.noGrad()) {
            return init.detach().clone();
        }
    }

    /**
     * Sets the display name.
     *
     * @param name the name, or null for none
     * @return this parameter, for chaining
     */
    @Override
    public Parameter name(String name) {
        super.name(name);
        return this;
    }
}
