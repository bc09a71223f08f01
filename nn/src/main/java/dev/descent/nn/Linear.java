package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Affine;
import java.util.random.RandomGenerator;

/** y = x·Wᵀ + b over the last dim of x; W is [out, in] (PyTorch's layout), PyTorch's default initialisation. */
public final class Linear extends Module {
    private final int in, out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A dense layer with bias.
     *
     * @param in the input features, ≥ 1
     * @param out the output features, ≥ 1
     * @param rng the source of the initial weight and bias (PyTorch's default: uniform in ±1/√in)
     * @throws IllegalArgumentException when a size is below 1
     */
    public Linear(int in, int out, RandomGenerator rng) {
        this(in, out, true, rng);
    }

    /**
     * A dense layer, with or without bias.
     *
     * @param in the input features, ≥ 1
     * @param out the output features, ≥ 1
     * @param withBias whether to add b
     * @param rng the source of the initial weight and bias (PyTorch's default: uniform in ±1/√in)
     * @throws IllegalArgumentException when a size is below 1
     */
    public Linear(int in, int out, boolean withBias, RandomGenerator rng) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear: sizes must be >= 1, were in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        weight = addParameter("weight", Tensor.zeros(out, in));
        bias = withBias ? addParameter("bias", Tensor.zeros(out)) : null;
        Init.pytorchDefault(weight, bias, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 1 || x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + ", " + out + "): input's last dim must be " + in + ", got shape "
                    + dev.descent.core.Shape.format(x.shape()));
        }
        return Affine.linear(x, weight, bias);
    }

    /**
     * The weight W.
     *
     * @return the weight parameter {@code [out, in]}
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias b.
     *
     * @return the bias parameter {@code [out]}, or null when built without bias
     */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Linear(" + in + ", " + out + (bias == null ? ", bias=false" : "") + ")";
    }
}
