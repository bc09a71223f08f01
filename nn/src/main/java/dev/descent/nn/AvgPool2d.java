package dev.descent.nn;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Pooling;

/** Average pooling over square windows (padding counted in the divisor); the stride defaults to the kernel size. */
public final class AvgPool2d extends Module {
    private final Pooling.Window window;

    /**
     * Square windows of size {@code kernel}, stride {@code kernel}, no padding.
     *
     * @param kernel the window size, ≥ 1
     * @throws IllegalArgumentException when {@code kernel < 1}
     */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /**
     * Square windows with the given stride and padding.
     *
     * @param kernel the window size, ≥ 1
     * @param stride the stride, ≥ 1
     * @param padding zeros added on each side, between 0 and {@code kernel/2} (counted in the divisor)
     * @throws IllegalArgumentException when a value is out of range
     */
    public AvgPool2d(int kernel, int stride, int padding) {
        window = Pooling.Window.of(kernel, stride, padding);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, window);
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
        return "AvgPool2d(kernel=" + window.kh() + ", stride=" + window.sh() + ", padding=" + window.ph() + ")";
    }
}
