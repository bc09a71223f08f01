package dev.descent.nn;

/** Batch normalisation of [N, C, H, W] input. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int channels) {
        this(channels, 0.1, 1e-5);
    }

    public BatchNorm2d(int channels, double momentum, double eps) {
        super(channels, momentum, eps, 4);
    }
}
