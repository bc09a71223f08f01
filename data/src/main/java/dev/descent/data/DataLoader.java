package dev.descent.data;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.random.RandomGenerator;

/**
 * Mini-batches of a {@link Dataset}, epoch after epoch: a seeded shuffle per epoch, an option to drop
 * the last partial batch, and background prefetch on a worker thread through a bounded queue.
 *
 * <pre>{@code
 * var train = new DataLoader(Cifar10.train(Path.of("cifar-10-batches-bin")), 512, rng);
 * for (int epoch = 0; epoch < 20; epoch++) {
 *     for (Batch b : train) { ... }          // each for-loop is the next epoch
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> Epoch k's order depends only on the loader's seed and k; batch b of epoch k
 * is assembled with a generator seeded from (seed, k, b) alone. So the batches are bitwise identical
 * with or without prefetch, whatever the queue depth, and a resumed run reproduces epoch k with
 * {@link #epoch(int)} or {@link #setNextEpoch(int)}.
 *
 * <p><b>Threads.</b> With prefetch on (the default: 2 batches), each epoch's batches are assembled in
 * order by one daemon worker thread. An exception there is rethrown to the consumer at the batch that
 * failed. The worker stops when the epoch ends, when its {@link Batches} is closed, when the next
 * epoch is started with {@link #iterator()}, or — if the iterator is simply dropped — once the
 * iterator has been garbage-collected. A loader is used from one thread.
 */
public final class DataLoader implements Iterable<Batch> {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Dataset dataset;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle, dropLast;
    private final int prefetch;
    private int nextEpoch;
    private State latest;

    /**
     * Batches of {@code batchSize}, shuffled each epoch, with a seed drawn once from {@code rng}; the last
     * batch is kept and 2 batches are prefetched.
     *
     * @param dataset the examples
     * @param batchSize examples per batch, ≥ 1
     * @param rng the source of the loader's seed (one {@code nextLong()})
     * @throws IllegalArgumentException when dataset is null or {@code batchSize < 1}
     */
    public DataLoader(Dataset dataset, int batchSize, RandomGenerator rng) {
        this(dataset, batchSize, rng.nextLong());
    }

    /**
     * Batches of {@code batchSize}, shuffled each epoch from {@code seed}; the last batch is kept and 2
     * batches are prefetched.
     *
     * @param dataset the examples
     * @param batchSize examples per batch, ≥ 1
     * @param seed the seed every epoch's order and every batch's generator derive from
     * @throws IllegalArgumentException when dataset is null or {@code batchSize < 1}
     */
    public DataLoader(Dataset dataset, int batchSize, long seed) {
        this(dataset, batchSize, seed, true, false, 2, 0);
    }

    private DataLoader(Dataset dataset, int batchSize, long seed, boolean shuffle, boolean dropLast, int prefetch, int nextEpoch) {
        if (dataset == null) throw new IllegalArgumentException("dataset is null");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, was " + batchSize);
        if (prefetch < 0) throw new IllegalArgumentException("prefetch depth must be >= 0, was " + prefetch);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.prefetch = prefetch;
        this.nextEpoch = nextEpoch;
    }

    /**
     * A loader like this one that shuffles each epoch ({@code true}, the default) or keeps the dataset's order.
     *
     * @param shuffle whether to shuffle
     * @return a new loader with the same seed and epoch counter
     */
    public DataLoader withShuffle(boolean shuffle) {
        return new DataLoader(dataset, batchSize, seed, shuffle, dropLast, prefetch, nextEpoch);
    }

    /**
     * A loader like this one that drops ({@code true}) or keeps (the default) the last, smaller batch of an epoch.
     *
     * @param dropLast whether to drop an incomplete last batch
     * @return a new loader with the same seed and epoch counter
     */
    public DataLoader withDropLast(boolean dropLast) {
        return new DataLoader(dataset, batchSize, seed, shuffle, dropLast, prefetch, nextEpoch);
    }

    /**
     * A loader like this one that prepares up to {@code depth} batches ahead on a worker thread; 0 assembles
     * each batch on the caller's thread. The batches are the same either way.
     *
     * @param depth the queue length, ≥ 0
     * @return a new loader with the same seed and epoch counter
     * @throws IllegalArgumentException when {@code depth < 0}
     */
    public DataLoader withPrefetch(int depth) {
        return new DataLoader(dataset, batchSize, seed, shuffle, dropLast, depth, nextEpoch);
    }

    /**
     * The dataset batches come from.
     *
     * @return the dataset given at construction
     */
    public Dataset dataset() {
        return dataset;
    }

    /**
     * Examples per batch (the last batch of an epoch may have fewer unless dropped).
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The seed every epoch's order and every batch's generator derive from.
     *
     * @return the seed (drawn from the generator, for the constructor that takes one)
     */
    public long seed() {
        return seed;
    }

    /**
     * How many batches an epoch yields: ⌈size/batchSize⌉, or ⌊size/batchSize⌋ with drop-last.
     *
     * @return the number of batches
     */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The epoch the next {@link #iterator()} yields (0 at first).
     *
     * @return the epoch counter
     */
    public int nextEpoch() {
        return nextEpoch;
    }

    /**
     * Makes the next {@link #iterator()} yield epoch {@code epoch} (to resume a run).
     *
     * @param epoch the epoch, ≥ 0
     * @throws IllegalArgumentException when {@code epoch < 0}
     */
    public void setNextEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        nextEpoch = epoch;
    }

    /**
     * The order in which epoch {@code epoch} visits the dataset: a seeded permutation (Fisher–Yates), or
     * 0, 1, … without shuffling.
     *
     * @param epoch the epoch, ≥ 0
     * @return a new array of {@code dataset().size()} indices; batch b is entries
     *         {@code [b·batchSize, (b+1)·batchSize)}
     */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(epochSeed(epoch), 0));
            for (int i = n - 1; i > 0; i--) {                    // Fisher–Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private long epochSeed(int epoch) {
        return Seeds.mix(seed, epoch);
    }

    /**
     * The next epoch's batches, advancing the epoch counter; the previous epoch started this way is closed
     * (iterating it further throws).
     *
     * @return the batches of epoch {@link #nextEpoch()}
     */
    @Override
    public Batches iterator() {
        if (latest != null) latest.close("superseded by epoch " + nextEpoch + ", started with iterator()");
        Batches b = epoch(nextEpoch++);
        latest = b.state;
        return b;
    }

    /**
     * The batches of epoch {@code epoch}, independent of the loader's epoch counter.
     *
     * @param epoch the epoch, ≥ 0
     * @return its batches, identical to what {@link #iterator()} yields for that epoch
     * @throws IllegalArgumentException when {@code epoch < 0}
     */
    public Batches epoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        return new Batches(new Plan(dataset, order(epoch), batchSize, batchesPerEpoch(), epochSeed(epoch), epoch), prefetch);
    }

    /** What an epoch yields: batch b holds {@code order[b·size …]} and is assembled with its own generator. */
    private record Plan(Dataset dataset, int[] order, int batchSize, int count, long epochSeed, int epoch) {
        Batch make(int b) {
            int from = b * batchSize, to = Math.min(order.length, from + batchSize);
            return dataset.batch(Arrays.copyOfRange(order, from, to), new SplittableRandom(Seeds.mix(epochSeed, b + 1L)));
        }
    }

    /** A failure on the worker thread, handed to the consumer in place of the batch. */
    private record Failure(Throwable error, int batch) {}

    private static final Object END = new Object();

    /** The shared state of one epoch's iteration; never refers to the iterator, so the iterator can be collected. */
    private static final class State implements Runnable {
        private final Plan plan;
        private final BlockingQueue<Object> queue;
        private final Thread worker;
        private volatile String closedBecause;

        State(Plan plan, int depth) {
            this.plan = plan;
            if (depth > 0 && plan.count() > 0) {
                queue = new ArrayBlockingQueue<>(depth);
                worker = Thread.ofPlatform().daemon().name("descent-prefetch-epoch-" + plan.epoch()).unstarted(this);
                worker.start();
            } else {
                queue = null;
                worker = null;
            }
        }

        @Override
        public void run() {
            try {
                for (int b = 0; b < plan.count() && closedBecause == null; b++) {
                    Object item;
                    try {
                        item = plan.make(b);
                    } catch (Throwable t) {
                        item = new Failure(t, b);
                    }
                    queue.put(item);
                    if (item instanceof Failure) return;
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // closed: stop
            }
        }

        void close(String because) {
            if (closedBecause != null) return;
            closedBecause = because;
            if (worker != null) {
                worker.interrupt();
                queue.clear();
            }
        }
    }

    /**
     * One epoch's batches, in order. Closing it stops its prefetch worker; after {@link #close()}
     * {@link #hasNext()} is false. Iterating an epoch superseded by a newer {@link DataLoader#iterator()}
     * throws {@link IllegalStateException}.
     */
    public static final class Batches implements Iterator<Batch>, AutoCloseable {
        private static final String CLOSED = "closed";
        private final State state;
        private final Cleaner.Cleanable cleanable;
        private int next;

        private Batches(Plan plan, int depth) {
            this.state = new State(plan, depth);
            State s = state;
            this.cleanable = s.worker == null ? null : CLEANER.register(this, () -> s.close("its iterator was dropped"));
        }

        /**
         * The epoch these batches belong to.
         *
         * @return the epoch number
         */
        public int epoch() {
            return state.plan.epoch();
        }

        /**
         * True while this epoch has batches left and has not been closed.
         *
         * @return whether {@link #next()} will return a batch
         * @throws IllegalStateException when a newer {@link DataLoader#iterator()} superseded this epoch
         */
        @Override
        public boolean hasNext() {
            String why = state.closedBecause;
            if (why != null && !why.equals(CLOSED)) throw new IllegalStateException("epoch " + epoch() + " can no longer be iterated: " + why);
            return why == null && next < state.plan.count();
        }

        /**
         * The next batch of this epoch, waiting for the worker when prefetching. After the last batch the
         * iteration closes itself.
         *
         * @return the batch
         * @throws java.util.NoSuchElementException when the epoch has no batches left or was closed
         * @throws IllegalStateException when this epoch was superseded
         * @throws java.util.concurrent.CancellationException when the calling thread is interrupted while waiting
         *         (the interrupt flag is set again)
         * @throws RuntimeException whatever the dataset or a transform threw while assembling this batch
         */
        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch() + " has " + state.plan.count() + " batches" + (state.closedBecause != null ? " and was closed" : ""));
            Object item;
            if (state.queue == null) {
                try {
                    item = state.plan.make(next);
                } catch (RuntimeException | Error e) {
                    close();
                    throw e;
                }
            } else {
                item = take();
            }
            if (item instanceof Failure f) {
                close();
                Throwable t = f.error();
                if (t instanceof RuntimeException r) throw r;
                if (t instanceof Error e) throw e;
                throw new IllegalStateException("batch " + f.batch() + " of epoch " + epoch() + " failed", t);
            }
            if (item == END) throw new IllegalStateException("prefetch ended early at batch " + next + " of epoch " + epoch());
            next++;
            if (next == state.plan.count()) close();
            return (Batch) item;
        }

        private Object take() {
            try {
                return state.queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new CancellationException("interrupted while waiting for batch " + next + " of epoch " + epoch());
            }
        }

        /** Stops the prefetch worker (if any) and ends the iteration. */
        @Override
        public void close() {
            state.close(CLOSED);
            if (cleanable != null) cleanable.clean();
        }
    }
}
