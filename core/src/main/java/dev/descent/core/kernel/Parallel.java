package dev.descent.core.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed-size thread pool every kernel shares, and a parallel-for with fixed chunk boundaries.
 *
 * <p>The thread count comes from the system property {@code descent.threads}, else the environment
 * variable {@code DESCENT_THREADS}, else the number of available processors. A range is cut into
 * chunks whose boundaries depend only on the range, the grain and the thread count, never on timing,
 * so one thread count gives bitwise-identical results run after run. Work submitted from inside a
 * worker runs inline on that worker (no nested fan-out, no deadlock).
 */
public final class Parallel {
    private Parallel() {}

    /** A body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = configuredThreads();
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);
    private static final ExecutorService POOL = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, daemonFactory()) : null;

    private static int configuredThreads() {
        String p = System.getProperty("descent.threads");
        if (p == null || p.isBlank()) p = System.getenv("DESCENT_THREADS");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the warning
            }
            System.err.println("descent: ignoring thread count '" + p + "' (expected a positive integer)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ThreadFactory daemonFactory() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(() -> {
                IN_WORKER.set(true);
                r.run();
            }, "descent-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final ThreadLocal<int[]> LIMIT = ThreadLocal.withInitial(() -> new int[] {THREADS});

    /** The number of threads kernels called from this thread use (the caller's thread included). */
    public static int threads() {
        return LIMIT.get()[0];
    }

    /** The size of the pool: the configured thread count. */
    public static int poolThreads() {
        return THREADS;
    }

    /** A scope in which kernels called from this thread use at most {@code n} threads (for benchmarks). */
    public static final class Limit implements AutoCloseable {
        private final int previous;

        private Limit(int n) {
            int[] l = LIMIT.get();
            previous = l[0];
            l[0] = Math.max(1, Math.min(n, THREADS));
        }

        @Override
        public void close() {
            LIMIT.get()[0] = previous;
        }
    }

    /** Limits this thread's kernels to {@code n} threads (at most the pool size) until closed. */
    public static Limit limit(int n) {
        return new Limit(n);
    }

    /**
     * Runs {@code body} over {@code [0, n)} cut into at most {@link #threads()} chunks of at least
     * {@code grain} indices each; chunk boundaries are multiples of {@code align}. Runs inline when the
     * range is small, when there is one thread, or when called from a worker.
     */
    public static void forRange(int n, int grain, int align, RangeBody body) {
        int chunks = chunkCount(n, grain);
        if (chunks <= 1 || IN_WORKER.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        int[] bounds = bounds(n, chunks, align);
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[bounds.length - 2];
        for (int c = 1; c < bounds.length - 1; c++) {
            int from = bounds[c], to = bounds[c + 1];
            futures[c - 1] = POOL.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        IN_WORKER.set(true); // the caller's own chunk, like the workers', runs nested work inline
        try {
            body.run(bounds[0], bounds[1]);
        } catch (Throwable t) {
            failure = t;
        } finally {
            IN_WORKER.set(false);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** {@link #forRange(int, int, int, RangeBody)} with no alignment. */
    public static void forRange(int n, int grain, RangeBody body) {
        forRange(n, grain, 1, body);
    }

    /** How many chunks {@code n} indices are cut into for a given grain. */
    public static int chunkCount(int n, int grain) {
        if (n <= 0) return 0;
        long byGrain = Math.max(1, n / Math.max(grain, 1));
        return (int) Math.min(threads(), byGrain);
    }

    /** Chunk boundaries: {@code chunks + 1} ascending values from 0 to n, inner ones multiples of align. */
    static int[] bounds(int n, int chunks, int align) {
        int[] b = new int[chunks + 1];
        for (int c = 1; c < chunks; c++) {
            long raw = (long) n * c / chunks;
            b[c] = (int) Math.min(n, (raw / align) * align);
        }
        b[chunks] = n;
        return b;
    }
}
