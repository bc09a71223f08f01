package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Pooling;

/** The mean of each channel's plane: [N, C, H, W] → [N, C]. */
public final class GlobalAvgPool2d extends Module {
    /** A global average pooling layer (it has no parameters). */
    public GlobalAvgPool2d() {}

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.globalAvgPool2d(x);
    }
}
