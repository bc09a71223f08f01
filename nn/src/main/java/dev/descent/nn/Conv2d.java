package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Convolution;
import java.util.random.RandomGenerator;

/** 2-D convolution over NCHW input; weight [out, in/groups, k, k], PyTorch's default initialisation. */
public final class Conv2d extends Module {
    private final int in, out, kernel;
    private final Convolution.Params params;
    private final Parameter weight;
    private final Parameter bias;

    /** A square kernel with the given stride and padding, one group, with bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(in, out, kernel, stride, padding, 1, 1, true, rng);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias, RandomGenerator rng) {
        if (in < 1 || out < 1 || kernel < 1) {
            throw new IllegalArgumentException("Conv2d: channels and kernel must be >= 1, were in=" + in + ", out=" + out + ", kernel=" + kernel);
        }
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups=" + groups + " must divide in=" + in + " and out=" + out);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.params = new Convolution.Params(stride, stride, padding, padding, dilation, dilation, groups);
        weight = addParameter("weight", Tensor.zeros(out, in / groups, kernel, kernel));
        bias = withBias ? addParameter("bias", Tensor.zeros(out)) : null;
        Init.pytorchDefault(weight, bias, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d(x, weight, bias, params);
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
        return "Conv2d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + params.sh() + ", padding=" + params.ph()
                + (params.dh() != 1 ? ", dilation=" + params.dh() : "") + (params.groups() != 1 ? ", groups=" + params.groups() : "")
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
