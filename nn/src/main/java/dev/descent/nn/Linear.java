package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/** y = x·Wᵀ + b over the last dim of x; W is [out, in] (PyTorch's layout), PyTorch's default initialisation. */
public final class Linear extends Module {
    private final int in, out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, RandomGenerator rng) {
        this(in, out, true, rng);
    }

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
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Linear(" + in + ", " + out + (bias == null ? ", bias=false" : "") + ")";
    }
}
