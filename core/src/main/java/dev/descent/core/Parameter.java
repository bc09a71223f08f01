package dev.descent.core;

/**
 * A trainable tensor: a leaf that requires grad and that optimizers update in place (inside a
 * no-grad scope). Modules name their parameters; the name shows in graphs, summaries and files.
 */
public final class Parameter extends Tensor {

    /** A parameter over a contiguous copy of {@code init} (float32 or float64). */
    public Parameter(Tensor init) {
        super(contiguousCopy(init));
        requiresGrad(true);
    }

    /** A named parameter over a contiguous copy of {@code init}. */
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

    @Override
    public Parameter name(String name) {
        super.name(name);
        return this;
    }
}
