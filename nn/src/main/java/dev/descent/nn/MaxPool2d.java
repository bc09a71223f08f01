package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Pooling;

/** Max pooling over square windows; the stride defaults to the kernel size. */
public final class MaxPool2d extends Module {
    private final Pooling.Window window;

    /**
     * Square windows of size {@code kernel}, stride {@code kernel}, no padding.
     *
     * @param kernel the window size, ≥ 1
     * @throws IllegalArgumentException when {@code kernel < 1}
     */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /**
     * Square windows with the given stride and padding.
     *
     * @param kernel the window size, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding the padding on each side (never the maximum), between 0 and {@code kernel/2}
     * @throws IllegalArgumentException when a value is out of range
     */
    public MaxPool2d(int kernel, int stride, int padding) {
        window = Pooling.Window.of(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.maxPool2d(x, window);
    }

    /**
     * The window: size, stride and padding.
     *
     * @return the pooling window
     */
    public Pooling.Window window() {
        return window;
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + window.kh() + ", stride=" + window.sh() + ", padding=" + window.ph() + ")";
    }
}
