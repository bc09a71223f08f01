package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Convolution;
import java.util.random.RandomGenerator;

/**
 * 2-D transposed convolution over NCHW input (the adjoint of {@link Conv2d}, used to upsample); weight
 * {@code [in, out/groups, k, k]} (PyTorch's layout), PyTorch's default initialisation (its fan-in is
 * {@code out/groups · k²}, from dim 1 of this weight). See {@link Convolution#convTranspose2d}.
 */
public final class ConvTranspose2d extends Module {
    private final int in, out, kernel, outputPadding;
    private final Convolution.Params params;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A square kernel with the given stride and padding, no output padding, one group, with bias.
     *
     * @param in the input channels, ≥ 1
     * @param out the output channels, ≥ 1
     * @param kernel the kernel size k, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the padding removed from each side of the output, ≥ 0
     * @param rng the source of the initial weight and bias
     * @throws IllegalArgumentException when a value is out of range
     */
    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(in, out, kernel, stride, padding, 0, 1, 1, true, rng);
    }

    /**
     * Every option (square kernel, stride, padding and dilation).
     *
     * @param in the input channels, ≥ 1
     * @param out the output channels, ≥ 1
     * @param kernel the kernel size k, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the padding removed from each side of the output, ≥ 0
     * @param outputPadding rows and columns added at the bottom and right of the output, in [0, stride)
     * @param dilation the spacing between kernel taps, ≥ 1
     * @param groups the number of groups, dividing both {@code in} and {@code out}
     * @param withBias whether to add a bias per output channel
     * @param rng the source of the initial weight and bias
     * @throws IllegalArgumentException when a value is out of range or {@code groups} does not divide the channel counts
     */
    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding, int dilation, int groups, boolean withBias,
                           RandomGenerator rng) {
        if (in < 1 || out < 1 || kernel < 1) {
            throw new IllegalArgumentException("ConvTranspose2d: channels and kernel must be >= 1, were in=" + in + ", out=" + out + ", kernel=" + kernel);
        }
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: groups=" + groups + " must divide in=" + in + " and out=" + out);
        }
        this.params = new Convolution.Params(stride, stride, padding, padding, dilation, dilation, groups);
        if (outputPadding < 0 || outputPadding >= stride) {
            throw new IllegalArgumentException("ConvTranspose2d: output padding must be in [0, stride=" + stride + "), was " + outputPadding);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.outputPadding = outputPadding;
        weight = addParameter("weight", Tensor.zeros(in, out / groups, kernel, kernel));
        bias = withBias ? addParameter("bias", Tensor.zeros(out)) : null;
        Init.pytorchDefault(weight, bias, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != in) {
            throw new IllegalArgumentException(this + ": input must be [N, " + in + ", H, W], got " + Shape.format(x.shape()));
        }
        return Convolution.convTranspose2d(x, weight, bias, params, outputPadding, outputPadding);
    }

    /**
     * The kernel.
     *
     * @return the weight parameter {@code [in, out/groups, k, k]}
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

    /**
     * The rows and columns added at the bottom and right of the output.
     *
     * @return the output padding
     */
    public int outputPadding() {
        return outputPadding;
    }

    @Override
    public String toString() {
        return "ConvTranspose2d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + params.sh() + ", padding=" + params.ph()
                + (outputPadding != 0 ? ", output_padding=" + outputPadding : "") + (params.dh() != 1 ? ", dilation=" + params.dh() : "")
                + (params.groups() != 1 ? ", groups=" + params.groups() : "") + (bias == null ? ", bias=false" : "") + ")";
    }
}
