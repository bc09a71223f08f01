package dev.descent.core;

import dev.descent.core.autograd.CustomOp;
import dev.descent.core.kernel.Parallel;

/**
 * How many threads Descent's kernels use. Set it for the whole JVM with the system property
 * {@code descent.threads} or the environment variable {@code DESCENT_THREADS} (default: available
 * processors); narrow it for one calling thread with {@link #limit(int)}. Results depend on the
 * thread count only through fixed chunk boundaries: one count, one answer, bit for bit.
 */
public final class Threads {
    private Threads() {}

    /**
     * The number of threads kernels called from this thread may use.
     *
     * @return the pool size, or less inside a {@link #limit(int)} scope
     */
    public static int count() {
        return Parallel.threads();
    }

    /**
     * The pool size fixed at start-up from {@code descent.threads}, {@code DESCENT_THREADS} or the processor
     * count.
     *
     * @return the number of threads (the caller's plus the pool's workers)
     */
    public static int poolSize() {
        return Parallel.poolThreads();
    }

    /** A scope that restores the previous thread count when closed (closing never throws). */
    public static final class Scope implements AutoCloseable {
        private final Parallel.Limit limit;

        private Scope(Parallel.Limit limit) {
            this.limit = limit;
        }

        @Override
        public void close() {
            limit.close();
        }
    }

    /** The body of {@link #forRange}: handles the indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Handles one chunk.
         *
         * @param from the first index of the chunk
         * @param to one past its last index
         */
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} on the kernel threads, cut into chunks of at least {@code grain}
     * indices, a few per thread, which the threads take as they become free (the pool Descent's own kernels use,
     * for a {@link CustomOp}'s or an optimizer's loops). Chunk boundaries depend only on n, grain and the thread
     * count; the body must not depend on which thread runs a chunk. Returns when every chunk is done; a chunk's exception is rethrown here. Small ranges,
     * one thread, and calls from inside a chunk run inline on the calling thread.
     *
     * @param n the number of indices
     * @param grain the fewest indices worth a chunk of their own
     * @param body the work on one chunk
     */
    public static void forRange(int n, int grain, RangeBody body) {
        Parallel.forRange(n, grain, body::run);
    }

    /**
     * Limits kernels called from this thread to at most {@code n} threads until the scope closes. Values are
     * clamped to {@code [1, poolSize()]}; a limit cannot raise the count above the pool size.
     *
     * @param n the thread count wanted
     * @return the scope to close (use try-with-resources)
     */
    public static Scope limit(int n) {
        return new Scope(Parallel.limit(n));
    }
}
