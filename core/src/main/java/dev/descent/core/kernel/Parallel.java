package dev.descent.core.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed-size thread pool every kernel shares, and a parallel-for with fixed chunk boundaries.
 *
 * <p>The thread count comes from the system property {@code descent.threads}, else the environment
 * variable {@code DESCENT_THREADS}, else the number of available processors. A range is cut into
 * chunks whose boundaries depend only on the range, the grain and the thread count, never on timing,
 * so one thread count gives bitwise-identical results run after run. There are more chunks than threads;
 * each thread first runs its own contiguous share of them, then takes the others' leftovers: which thread
 * runs a chunk depends on timing, what the chunk computes does not. Work submitted from inside a worker runs inline on that worker (no nested
 * fan-out, no deadlock).
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
            w[i] = new Worker(i + 1);
            w[i].start();
        }
        return w;
    }

    /**
     * One parallel region: the body, its chunk boundaries, who runs which chunks, the workers still running, their
     * failures.
     *
     * <p>Each participant (the caller is 0, worker w is w + 1) owns a contiguous span of the chunks and takes them
     * from its front; a participant whose span is empty takes chunks from the back of the others'. So, on a quiet
     * machine, participant p runs the same rows in every region of a step, and the rows one op wrote are still in
     * the cache of the core whose thread reads them in the next op; taking the next free chunk from one shared
     * counter had scattered them, and half of every activation crossed between the cores' L2 caches (the GPT
     * bench's step on 2 threads, the two schemes alternated in one JVM: 17.4 against 16.3 ms, medians of 30 rounds).
     */
    private static final class Region {
        final RangeBody body;
        final int[] bounds;
        final Throwable[] failures;
        /** Per participant, the chunks it has not started: front in the high half, end (exclusive) in the low half. */
        final AtomicLongArray spans;
        /** Workers still working on this region. */
        final AtomicInteger pending;
        final Thread caller = Thread.currentThread();

        Region(RangeBody body, int[] bounds, int workers) {
            this.body = body;
            this.bounds = bounds;
            int chunks = bounds.length - 1, participants = workers + 1;
            this.failures = new Throwable[chunks];
            this.spans = new AtomicLongArray(participants);
            for (int p = 0; p < participants; p++) {
                long from = (long) chunks * p / participants, to = (long) chunks * (p + 1) / participants;
                spans.set(p, from << 32 | to);
            }
            this.pending = new AtomicInteger(workers);
        }

        /** Runs participant {@code p}'s chunks, then any chunk another participant has not started. */
        void work(int p) {
            for (int c; (c = takeFront(p)) >= 0; ) run(c);
            int participants = spans.length();
            for (int q = (p + 1) % participants; q != p; q = (q + 1) % participants) {
                for (int c; (c = takeBack(q)) >= 0; ) run(c);
            }
        }

        private void run(int c) {
            try {
                body.run(bounds[c], bounds[c + 1]);
            } catch (Throwable t) {
                failures[c] = t;
            }
        }

        private int takeFront(int p) {
            while (true) {
                long s = spans.get(p);
                int from = (int) (s >>> 32), to = (int) s;
                if (from >= to) return -1;
                if (spans.compareAndSet(p, s, (long) (from + 1) << 32 | to)) return from;
            }
        }

        private int takeBack(int p) {
            while (true) {
                long s = spans.get(p);
                int from = (int) (s >>> 32), to = (int) s;
                if (from >= to) return -1;
                if (spans.compareAndSet(p, s, (long) from << 32 | (to - 1))) return to - 1;
            }
        }

        void done() {
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
        }

        /**
         * Waits for the workers still running chunks of this region. A worker that has not yet taken the region
         * (descheduled, or still waking from park) would find every chunk taken: its hand-off is withdrawn instead
         * of waited for. On a busy machine that wait was a scheduler time slice per region.
         */
        void await(int workers) {
            for (int w = 0; w < workers; w++) {
                if (WORKERS[w].region.compareAndSet(this, null)) pending.decrementAndGet();
            }
            long start = System.nanoTime();
            while (pending.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
    }

    private static final class Worker extends Thread {
        /** The region handed to this worker and not yet taken (by it, or back by the caller). */
        private final AtomicReference<Region> region = new AtomicReference<>();

        /** This worker's participant index in a region (the caller is 0). */
        private final int index;

        Worker(int index) {
            super("descent-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        void hand(Region r) {
            region.set(r);
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_WORKER.set(true);
            while (true) {
                Region r;
                long start = System.nanoTime();
                while ((r = region.get()) == null || !region.compareAndSet(r, null)) {
                    if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                    else LockSupport.park(this);
                }
                // Taken (region cleared) before done(): the next region can only be handed out after it.
                r.work(index);
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
     * Runs {@code body} over {@code [0, n)} cut into at most {@link #CHUNKS_PER_THREAD}·{@link #threads()} chunks
     * of at least {@code grain} indices each, which the threads take as they become free; chunk boundaries are
     * multiples of {@code align}. Runs inline when the range is small, when there is one thread, or when called
     * from a worker.
     */
    public static void forRange(int n, int grain, int align, RangeBody body) {
        int chunks = chunkCount(n, grain);
        if (chunks <= 1 || IN_WORKER.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        int[] bounds = bounds(n, chunks, align);
        int workers = Math.min(threads(), chunks) - 1;
        boolean owner = BUSY.compareAndSet(false, true);
        Region r = new Region(body, bounds, owner ? workers : 0);
        IN_WORKER.set(true); // the caller's own chunks, like the workers', run nested work inline
        try {
            if (owner) for (int w = 0; w < workers; w++) WORKERS[w].hand(r);
            r.work(0); // without the pool (another caller owns it), every chunk here, in order
            if (owner) r.await(workers);
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

    /**
     * How many chunks {@code n} indices are cut into for a given grain: up to {@link #CHUNKS_PER_THREAD} per
     * thread, and one when there is one thread.
     */
    public static int chunkCount(int n, int grain) {
        if (n <= 0) return 0;
        if (threads() == 1) return 1;
        long byGrain = Math.max(1, n / Math.max(grain, 1));
        return (int) Math.min((long) threads() * CHUNKS_PER_THREAD, byGrain);
    }

    /**
     * Chunks per thread. More chunks than threads, each taken by whichever thread is free: on a shared machine
     * one core often runs at half speed for a while (another tenant on its sibling hyperthread), and equal
     * shares would leave the fast core waiting for the slow one.
     */
    static final int CHUNKS_PER_THREAD = 4;

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
