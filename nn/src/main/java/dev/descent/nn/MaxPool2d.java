package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Pooling;

/** Max pooling over square windows; the stride defaults to the kernel size. */
public final class MaxPool2d extends Module {
    private final Pooling.Window window;

    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        window = Pooling.Window.of(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.maxPool2d(x, window);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + window.kh() + ", stride=" + window.sh() + ", padding=" + window.ph() + ")";
    }
}
