package dev.descent.core;

import dev.descent.core.kernel.CacheSizes;
import dev.descent.core.kernel.Vectors;

/**
 * Whether Descent's kernels take their Vector API paths, for code outside core that has vector loops of
 * its own (an optimizer's update, a {@link dev.descent.core.autograd.CustomOp}) and must follow the same switch: the system
 * property {@code -Ddescent.kernels=scalar} sends every kernel to its scalar twin, and so must it send
 * theirs; and the vector width they must use.
 *
 * <p>The width: the system property {@code descent.vectorBits} (128, 256 or 512; the launcher sets it from the
 * environment variable {@code DESCENT_VECTOR_BITS}) pins it, else it is the CPU's preferred width. It is read once,
 * when the first kernel loads. The width fixes the order of floating-point sums, so a result's last bits depend on
 * it: the same seed, thread count, vector width and JDK give bitwise-identical results on any x86-64 CPU whose
 * vectors are at least that wide. A width wider than the JVM's vectors is refused (the Vector API would emulate it,
 * many times slower): {@link #vectorBits()} then throws an {@link IllegalArgumentException} naming the value, and a
 * kernel a {@link LinkageError} caused by it. An application reads {@link #vectorBits()} at start-up to fail early.
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

    /**
     * The width of every kernel's vectors: the pinned {@code descent.vectorBits}, else the CPU's preferred width.
     * Code with vector loops of its own takes its species from it ({@code VectorShape.forBitSize(vectorBits())})
     * or uses no wider vectors than it.
     *
     * @return the width in bits (128, 256 or 512 on x86-64)
     * @throws IllegalArgumentException when {@code descent.vectorBits} is not a width this JVM's vectors have;
     *     the message names the value
     */
    public static int vectorBits() {
        try {
            return Vectors.BITS;
        } catch (LinkageError e) { // ExceptionInInitializerError the first time, NoClassDefFoundError after
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof IllegalArgumentException bad) throw new IllegalArgumentException(bad.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * The cache sizes the kernels choose their blocking for, and where they were read: Linux's sysfs, else the C
     * library's {@code sysconf} when the JVM lets this code call native functions ({@code --enable-native-access}),
     * else assumed (32 KB L1d, 1 MB L2). They change how loops are blocked, never a result's bits.
     *
     * @return for example "L1d 48 KB, L2 1024 KB (sysfs)"
     */
    public static String cacheSizes() {
        return CacheSizes.describe();
    }
}
