package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Pooling;

/** Average pooling over square windows (padding counted in the divisor); the stride defaults to the kernel size. */
public final class AvgPool2d extends Module {
    private final Pooling.Window window;

    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        window = Pooling.Window.of(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, window);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + window.kh() + ", stride=" + window.sh() + ", padding=" + window.ph() + ")";
    }
}
