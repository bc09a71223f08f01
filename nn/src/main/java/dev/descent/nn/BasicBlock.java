package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * ResNet's basic block for CIFAR (He et al., 2016): conv3×3–BN–ReLU–conv3×3–BN, plus the shortcut,
 * then ReLU. When the block changes resolution or width, the shortcut is the paper's option A:
 * subsample by the stride and pad the new channels with zeros (no parameters).
 */
public final class BasicBlock extends Module {
    private final int in, out, stride;
    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;

    /**
     * A block from {@code in} to {@code out} channels; the first convolution has the given stride. The
     * convolutions have no bias (batch norm follows) and PyTorch's default initialisation.
     *
     * @param in the input channels
     * @param out the output channels, ≥ {@code in} (option A pads, it cannot drop channels)
     * @param stride 1, or 2 to halve the resolution
     * @param rng the source of the initial weights
     * @throws IllegalArgumentException when {@code out < in}, or a size or the stride is below 1
     */
    public BasicBlock(int in, int out, int stride, RandomGenerator rng) {
        if (out < in) throw new IllegalArgumentException("BasicBlock: option-A shortcut needs out >= in, were in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        this.stride = stride;
        conv1 = addModule("conv1", new Conv2d(in, out, 3, stride, 1, 1, 1, false, rng));
        bn1 = addModule("bn1", new BatchNorm2d(out));
        conv2 = addModule("conv2", new Conv2d(out, out, 3, 1, 1, 1, 1, false, rng));
        bn2 = addModule("bn2", new BatchNorm2d(out));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = bn1.call(conv1.call(x)).relu();
        y = bn2.call(conv2.call(y));
        return y.add(shortcut(x)).relu();
    }

    private Tensor shortcut(Tensor x) {
        if (stride == 1 && in == out) return x;
        Tensor s = stride == 1 ? x : x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride);
        int extra = out - in, before = extra / 2, after = extra - before;
        int[] shape = s.shape();
        if (extra == 0) return s;
        shape[1] = before;
        Tensor zb = Tensor.zeros(s.dtype(), shape);
        shape[1] = after;
        Tensor za = Tensor.zeros(s.dtype(), shape);
        return Tensor.cat(List.of(zb, s, za), 1);
    }

    @Override
    public String toString() {
        return "BasicBlock(" + in + ", " + out + ", stride=" + stride + ")";
    }
}
