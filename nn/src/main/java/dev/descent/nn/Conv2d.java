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

    /**
     * A square kernel with the given stride and padding, one group, with bias.
     *
     * @param in the input channels, ≥ 1
     * @param out the output channels, ≥ 1
     * @param kernel the kernel size k, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the zero padding on each side, ≥ 0
     * @param rng the source of the initial weight and bias (Kaiming-uniform, PyTorch's default)
     * @throws IllegalArgumentException when a value is out of range
     */
    public Conv2d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(in, out, kernel, stride, padding, 1, 1, true, rng);
    }

    /**
     * Every option: a square kernel, square stride, padding and dilation, and groups.
     *
     * @param in the input channels, ≥ 1
     * @param out the output channels, ≥ 1
     * @param kernel the kernel size k, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the zero padding on each side, ≥ 0
     * @param dilation the spacing between kernel taps, ≥ 1
     * @param groups the number of groups, dividing both {@code in} and {@code out}
     * @param withBias whether to add a bias per output channel
     * @param rng the source of the initial weight and bias (Kaiming-uniform, PyTorch's default)
     * @throws IllegalArgumentException when a value is out of range or {@code groups} does not divide the
     *         channel counts
     */
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

    /**
     * The kernel.
     *
     * @return the weight parameter {@code [out, in/groups, k, k]}
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias, one per output channel.
     *
     * @return the bias parameter {@code [out]}, or null when built without bias
     */
    public Parameter bias() {
        return bias;
    }

    /**
     * The stride, padding, dilation and groups.
     *
     * @return the convolution's parameters
     */
    public Convolution.Params params() {
        return params;
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + params.sh() + ", padding=" + params.ph()
                + (params.dh() != 1 ? ", dilation=" + params.dh() : "") + (params.groups() != 1 ? ", groups=" + params.groups() : "")
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
