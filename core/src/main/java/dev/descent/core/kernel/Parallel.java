package dev.descent.core.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed-size thread pool every kernel shares, and a parallel-for with fixed chunk boundaries.
 *
 * <p>The thread count comes from the system property {@code descent.threads}, else the environment
 * variable {@code DESCENT_THREADS}, else the number of available processors. A range is cut into
 * chunks whose boundaries depend only on the range, the grain and the thread count, never on timing,
 * so one thread count gives bitwise-identical results run after run. Work submitted from inside a
 * worker runs inline on that worker (no nested fan-out, no deadlock).
 *
 * <p>The pool is a handful of threads of our own rather than an {@code ExecutorService}: a training step
 * runs thousands of parallel regions of a fraction of a millisecond each, and waking a parked thread
 * (and being woken when it is done) costs tens of microseconds on a virtual machine. So a worker spins
 * for {@link #SPIN_NANOS} after its chunk before it parks, and so does the caller while it waits: the
 * next region usually arrives within that time. One region at a time owns the workers; a thread that
 * finds them busy (several threads serving inference at once) runs the same chunks itself, in order, so
 * its results are the same bits either way.
 */
public final class Parallel {
    private Parallel() {}

    /** A body over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker, and a waiting caller, spin before parking. */
    static final long SPIN_NANOS = 100_000L;

    private static final int THREADS = configuredThreads();
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);
    private static final Worker[] WORKERS = startWorkers(THREADS - 1);
    /** Held by the caller whose region is using the workers. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

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

    private static Worker[] startWorkers(int n) {
        Worker[] w = new Worker[Math.max(0, n)];
        for (int i = 0; i < w.length; i++) {
            w[i] = new Worker("descent-worker-" + (i + 1));
            w[i].start();
        }
        return w;
    }

    /** One parallel region: the body, its chunk boundaries, the chunks still running, their failures. */
    private static final class Region {
        final RangeBody body;
        final int[] bounds;
        final Throwable[] failures;
        final AtomicInteger pending;
        final Thread caller = Thread.currentThread();

        Region(RangeBody body, int[] bounds) {
            this.body = body;
            this.bounds = bounds;
            this.failures = new Throwable[bounds.length - 1];
            this.pending = new AtomicInteger(bounds.length - 2);
        }

        void run(int chunk) {
            try {
                body.run(bounds[chunk], bounds[chunk + 1]);
            } catch (Throwable t) {
                failures[chunk] = t;
            }
        }

        void done() {
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
        }

        /** Waits until every worker's chunk is done: spins a while, then parks. */
        void await() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
    }

    /** A pool thread: runs the chunk it is handed, then spins a while for the next, then parks. */
    private static final class Worker extends Thread {
        private volatile Region region;
        private int chunk;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void hand(Region r, int c) {
            chunk = c;
            region = r; // the volatile write publishes chunk too
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_WORKER.set(true);
            while (true) {
                Region r;
                long start = System.nanoTime();
                while ((r = region) == null) {
                    if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                    else LockSupport.park(this);
                }
                int c = chunk;
                region = null; // before done(): the next region can only be handed out after it
                r.run(c);
                r.done();
            }
        }
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
        Region r = new Region(body, bounds);
        boolean owner = BUSY.compareAndSet(false, true);
        IN_WORKER.set(true); // the caller's own chunks, like the workers', run nested work inline
        try {
            if (owner) {
                for (int c = 1; c < chunks; c++) WORKERS[c - 1].hand(r, c);
                r.run(0);
                r.await();
            } else {
                for (int c = 0; c < chunks; c++) r.run(c);
            }
        } finally {
            IN_WORKER.set(false);
            if (owner) BUSY.set(false);
        }
        for (Throwable failure : r.failures) {
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error err) throw err;
            if (failure != null) throw new IllegalStateException(failure);
        }
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
