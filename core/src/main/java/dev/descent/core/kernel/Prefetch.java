package dev.descent.core.kernel;

/**
 * Reading an input ahead of a loop that reads it slowly. Java has no prefetch instruction; a pass that only loads, one
 * float of every 64-byte line in four independent chains, brings the lines into cache with as many misses in flight as
 * the memory system takes, before a copy whose own loads come one by one between its permutations and stores. The
 * convolutions copy each image (padded, split into stride phases, or channels-last) before their tiles read it; with the
 * pass before each copy, 128 images, 1 thread, 512 bits unless said ({@code tools/kernel-ab}, this over without, one JVM
 * alternating): the stride-2 forward of 16 → 32 @32×32 1.21× as fast (256 bits 1.06×, 2 threads 1.06×), Winograd's
 * weight gradient of 32 → 64 and 32 → 32 @16×16 1.12× and 1.17× (256 bits 1.06×, 2 threads 1.16×), its input
 * gradient of 64 → 32 @16×16 1.07×, the weight gradients of stride-2 16 → 32 @32×32, stride-2 32 → 64 @16×16 and
 * 3 → 32 @32×32 1.13×, 1.07×, 1.08×; 1.00–1.03× elsewhere. What the copy loses without it was not pinned down: reading
 * x's rows in order instead of by stride phase, aligning the images to cache lines, or dropping the copy's zero fill (that
 * was slower) did not do the same. When the input already sits in cache the pass costs what it reads (the stride-2
 * forward over 16 images: 3% slower), so it runs only for inputs larger than L2 ({@link #worth}).
 */
final class Prefetch {
    private Prefetch() {}

    /** Floats per cache line (64 bytes). */
    private static final int LINE = 16;

    /**
     * Where the loaded values would go: the pass compares their sum with a value it almost never takes, so the compiler
     * must keep the loads, and the store (which both threads would make to one cache line) almost never happens. Read by
     * nothing.
     */
    @SuppressWarnings("unused")
    private static float sink;

    /**
     * {@code -Ddescent.prefetch=always} or {@code never} overrides {@link #worth}'s size rule: core's build runs the
     * convolution tests at 256 bits with {@code always}, so that every read-ahead call runs on their small inputs too.
     */
    private static final String MODE = System.getProperty("descent.prefetch", "auto");

    /** Whether an input of this many bytes is worth reading ahead of its copy: more than the L2 cache holds. */
    static boolean worth(long bytes) {
        return switch (MODE) {
            case "always" -> true;
            case "never" -> false;
            default -> bytes > CacheSizes.L2;
        };
    }

    /** Loads one float of every cache line of a[from, from + len). Changes nothing. */
    static void lines(float[] a, int from, int len) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = from, end = from + len;
        for (; i + 3 * LINE < end; i += 4 * LINE) {
            s0 += a[i];
            s1 += a[i + LINE];
            s2 += a[i + 2 * LINE];
            s3 += a[i + 3 * LINE];
        }
        for (; i < end; i += LINE) s0 += a[i];
        float sum = s0 + s1 + s2 + s3;
        if (sum == Float.MIN_VALUE) sink = sum;
    }
}
