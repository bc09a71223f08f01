package dev.descent.nn;

/** Batch normalisation of [N, C] or [N, C, L] input. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int channels) {
        this(channels, 0.1, 1e-5);
    }

    public BatchNorm1d(int channels, double momentum, double eps) {
        super(channels, momentum, eps, 2);
    }
}
