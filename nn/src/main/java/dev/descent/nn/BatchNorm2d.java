package dev.descent.nn;

/** Batch normalisation of [N, C, H, W] input. */
public final class BatchNorm2d extends BatchNorm {
    /**
     * PyTorch's defaults: momentum 0.1, eps 1e-5.
     *
     * @param channels the number of channels C, ≥ 1
     * @throws IllegalArgumentException when {@code channels < 1}
     */
    public BatchNorm2d(int channels) {
        this(channels, 0.1, 1e-5);
    }

    /**
     * Batch normalisation with the given momentum and eps.
     *
     * @param channels the number of channels C, ≥ 1
     * @param momentum the weight of each new batch in the running statistics, in [0, 1]
     * @param eps added to the variance, &gt; 0
     * @throws IllegalArgumentException when a value is out of range
     */
    public BatchNorm2d(int channels, double momentum, double eps) {
        super(channels, momentum, eps, 4);
    }
}
