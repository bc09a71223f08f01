package dev.descent.core;

import dev.descent.core.kernel.Vectors;

/**
 * Whether Descent's kernels take their Vector API paths, for code outside core that has vector loops of
 * its own (an optimizer's update, a {@link dev.descent.core.autograd.CustomOp}) and must follow the same switch: the system
 * property {@code -Ddescent.kernels=scalar} sends every kernel to its scalar twin, and so must it send
 * theirs.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * Whether vector kernels run.
     *
     * @return false when {@code descent.kernels=scalar} is set or the CPU has fewer than four float lanes
     *     per vector; true otherwise
     */
    public static boolean vectorEnabled() {
        return Vectors.ENABLED;
    }
}
