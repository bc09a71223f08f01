package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Convolution;
import java.util.random.RandomGenerator;

/**
 * 1-D convolution over {@code [N, C, L]} input; weight {@code [out, in/groups, k]} (PyTorch's layout), PyTorch's
 * default initialisation. Runs as a 2-D convolution over an image of height 1.
 */
public final class Conv1d extends Module {
    private final int in, out, kernel;
    private final Convolution.Params params;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A kernel of size k with the given stride and padding, one group, with bias.
     *
     * @param in the input channels, ≥ 1
     * @param out the output channels, ≥ 1
     * @param kernel the kernel size k, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the zero padding on each side, ≥ 0
     * @param rng the source of the initial weight and bias (Kaiming-uniform, PyTorch's default)
     * @throws IllegalArgumentException when a value is out of range
     */
    public Conv1d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(in, out, kernel, stride, padding, 1, 1, true, rng);
    }

    /**
     * Every option.
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
     * @throws IllegalArgumentException when a value is out of range or {@code groups} does not divide the channel counts
     */
    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias, RandomGenerator rng) {
        if (in < 1 || out < 1 || kernel < 1) {
            throw new IllegalArgumentException("Conv1d: channels and kernel must be >= 1, were in=" + in + ", out=" + out + ", kernel=" + kernel);
        }
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv1d: groups=" + groups + " must divide in=" + in + " and out=" + out);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.params = new Convolution.Params(1, stride, 0, padding, 1, dilation, groups);
        weight = addParameter("weight", Tensor.zeros(out, in / groups, kernel));
        bias = withBias ? addParameter("bias", Tensor.zeros(out)) : null;
        Init.pytorchDefault(weight, bias, rng);
    }

    /**
     * Convolves along the last dim.
     *
     * @param x the input {@code [N, in, L]}
     * @return {@code [N, out, Lo]}, {@code Lo = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1}
     * @throws IllegalArgumentException when x is not {@code [N, in, L]} or the kernel does not fit
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(1) != in) {
            throw new IllegalArgumentException(this + ": input must be [N, " + in + ", L], got " + Shape.format(x.shape()));
        }
        Tensor w4 = weight.unsqueeze(2);
        return Convolution.conv2d(x.unsqueeze(2), w4, bias, params).squeeze(2);
    }

    /**
     * The kernel.
     *
     * @return the weight parameter {@code [out, in/groups, k]}
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
     * The convolution's parameters, as the 2-D convolution this layer runs over {@code [N, in, 1, L]} (height stride
     * and dilation 1, no height padding).
     *
     * @return the stride, padding, dilation and groups
     */
    public Convolution.Params params() {
        return params;
    }

    @Override
    public String toString() {
        return "Conv1d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + params.sw() + ", padding=" + params.pw()
                + (params.dw() != 1 ? ", dilation=" + params.dw() : "") + (params.groups() != 1 ? ", groups=" + params.groups() : "")
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
