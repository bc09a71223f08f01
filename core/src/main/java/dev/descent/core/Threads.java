package dev.descent.core;

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
