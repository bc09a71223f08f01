package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The loader: every example once per epoch, identical batches with and without prefetch, replayable epochs, failures and threads. */
class DataLoaderTest {
    /** A dataset whose input i is the number i, so batches reveal which examples they hold. */
    private static TensorDataset numbered(int n) {
        float[] x = new float[n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i % 3;
        }
        return new TensorDataset(Tensor.of(x, n, 1), Tensor.of(y));
    }

    private static List<Integer> indices(Iterable<Batch> epoch) {
        List<Integer> out = new ArrayList<>();
        for (Batch b : epoch) for (float v : b.x().toFloatArray()) out.add((int) v);
        return out;
    }

    @Test
    void eachEpochVisitsEveryExampleOnceInBatchesOfTheRequestedSize() {
        qt().forAll(integers().between(0, 300), integers().between(1, 64), booleans().all(), longs().all()).checkAssert((n, size, drop, seed) -> {
            DataLoader loader = new DataLoader(numbered(Math.max(n, 0)), size, seed).withDropLast(drop).withPrefetch(0);
            int expectedBatches = drop ? n / size : (n + size - 1) / size;
            assertEquals(expectedBatches, loader.batchesPerEpoch());
            for (int e = 0; e < 2; e++) {
                List<Integer> seen = new ArrayList<>();
                int batches = 0;
                for (Batch b : loader) {
                    batches++;
                    assertTrue(b.size() == size || (!drop && batches == expectedBatches && b.size() == n % size), "batch of " + b.size());
                    for (float v : b.x().toFloatArray()) seen.add((int) v);
                }
                assertEquals(expectedBatches, batches);
                assertEquals(drop ? n - n % size : n, seen.size());
                assertEquals(seen.size(), new HashSet<>(seen).size(), "no example twice");
                if (!drop) {
                    List<Integer> sorted = new ArrayList<>(seen);
                    sorted.sort(null);
                    for (int i = 0; i < n; i++) assertEquals(i, sorted.get(i));
                }
            }
        });
    }

    /** Small images through every random transform: the batches are bitwise the same with and without prefetch. */
    @Test
    void batchesAreIdenticalWithAndWithoutPrefetch() {
        ImageDataset images = SampleImages.random(37, 3, 8, 8, 4, new SplittableRandom(20));
        Dataset augmented = images.transform(new RandomCrop(8, 2), new HorizontalFlip(), Normalize.fit(images), new GaussianNoise(0.1));
        qt().withExamples(30).forAll(longs().all(), integers().between(1, 4)).checkAssert((seed, depth) -> {
            DataLoader plain = new DataLoader(augmented, 5, seed).withPrefetch(0);
            DataLoader ahead = new DataLoader(augmented, 5, seed).withPrefetch(depth);
            for (int e = 0; e < 2; e++) {
                List<Batch> a = collect(plain), b = collect(ahead);
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertTrue(a.get(i).x().contentEquals(b.get(i).x()), "epoch " + e + " batch " + i);
                    assertTrue(a.get(i).y().contentEquals(b.get(i).y()), "epoch " + e + " batch " + i);
                }
            }
        });
    }

    private static List<Batch> collect(Iterable<Batch> epoch) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : epoch) out.add(b);
        return out;
    }

    @Test
    void epochKDependsOnlyOnTheSeedAndK() {
        TensorDataset d = numbered(50);
        DataLoader first = new DataLoader(d, 7, 99L);
        List<List<Integer>> epochs = new ArrayList<>();
        for (int e = 0; e < 4; e++) epochs.add(indices(first));
        assertEquals(4, first.nextEpoch());
        for (int e = 1; e < 4; e++) assertNotEquals(epochs.get(0), epochs.get(e), "a new shuffle each epoch");

        DataLoader resumed = new DataLoader(d, 7, 99L);
        resumed.setNextEpoch(2);
        assertEquals(epochs.get(2), indices(resumed));
        assertEquals(epochs.get(3), indices(resumed));
        assertEquals(epochs.get(1), indices(() -> new DataLoader(d, 7, 99L).epoch(1)));

        List<Integer> order = new ArrayList<>();
        for (int i : first.order(3)) order.add(i);
        assertEquals(epochs.get(3), order);

        assertNotEquals(epochs.get(0), indices(new DataLoader(d, 7, 98L)), "another seed, another order");
        RandomGenerator rng = new SplittableRandom(5);
        assertEquals(indices(new DataLoader(d, 7, new SplittableRandom(5).nextLong())), indices(new DataLoader(d, 7, rng)));
    }

    @Test
    void withoutShuffleBatchesFollowTheDatasetOrder() {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) expected.add(i);
        DataLoader loader = new DataLoader(numbered(23), 4, 1L).withShuffle(false);
        assertEquals(expected, indices(loader));
        assertEquals(expected, indices(loader));
    }

    /** A dataset that fails on the batch holding example {@code bad}. */
    private record Failing(int n, int bad) implements Dataset {
        @Override
        public int size() {
            return n;
        }

        @Override
        public Batch batch(int[] indices, RandomGenerator rng) {
            for (int i : indices) if (i == bad) throw new ArithmeticException("example " + bad + " is broken");
            return numbered(n).batch(indices, rng);
        }
    }

    @Test
    void aFailureWhileAssemblingABatchReachesTheConsumerAtThatBatch() throws InterruptedException {
        for (int depth : new int[] {0, 1, 3}) {
            Set<Thread> before = prefetchThreads();
            DataLoader loader = new DataLoader(new Failing(20, 11), 5, 0L).withShuffle(false).withPrefetch(depth);
            DataLoader.Batches it = loader.iterator();
            assertEquals(5, it.next().size());
            assertEquals(5, it.next().size());
            ArithmeticException e = assertThrows(ArithmeticException.class, it::next, "depth " + depth);
            assertEquals("example 11 is broken", e.getMessage());
            assertFalse(it.hasNext(), "the epoch ends at the failure");
            awaitGone(before);
        }
    }

    @Test
    void stoppingEarlyLeavesNoWorkerThread() throws InterruptedException {
        TensorDataset d = numbered(1000);
        DataLoader loader = new DataLoader(d, 10, 3L).withPrefetch(2);

        Set<Thread> before = prefetchThreads();
        try (DataLoader.Batches it = loader.epoch(0)) {
            it.next();
            assertEquals(1, newThreads(before).size(), "one worker per epoch");
        }
        awaitGone(before);

        for (Batch b : loader) {                  // break out of a for-loop, then start the next epoch
            assertEquals(10, b.size());
            break;
        }
        DataLoader.Batches next = loader.iterator();
        next.close();
        awaitGone(before);

        dropAnIterator(loader);                   // an iterator nobody closes: collected, then its worker stops
        assertEquals(1, newThreads(before).size(), "its worker waits on the full queue");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!newThreads(before).isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(newThreads(before).isEmpty(), "the worker of a dropped iterator stops after collection");
    }

    private static void dropAnIterator(DataLoader loader) {
        loader.epoch(5).next();
    }

    @Test
    void anEpochSupersededByTheNextIteratorCannotContinue() {
        DataLoader loader = new DataLoader(numbered(30), 4, 8L);
        DataLoader.Batches first = loader.iterator();
        first.next();
        DataLoader.Batches second = loader.iterator();
        IllegalStateException e = assertThrows(IllegalStateException.class, first::hasNext);
        assertTrue(e.getMessage().contains("epoch 0") && e.getMessage().contains("epoch 1"), e.getMessage());
        assertEquals(1, second.epoch());
        second.close();
        assertFalse(second.hasNext(), "an explicitly closed epoch just ends");
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        TensorDataset d = numbered(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(d, 0, 1L));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(d, 2, 1L).withPrefetch(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(d, 2, 1L).epoch(-2));
    }

    @Test
    void batchesCarryInt64LabelsAndTheLoaderIsIterableInForLoops() {
        DataLoader loader = new DataLoader(SampleImages.random(10, 1, 2, 2, 3, new SplittableRandom(1)), 4, 2L);
        int count = 0;
        for (Batch b : loader) {
            assertSame(DType.INT64, b.y().dtype());
            assertArrayEquals(new int[] {b.size(), 1, 2, 2}, b.x().shape());
            count += b.size();
        }
        assertEquals(10, count);
    }

    // ------------------------------------------------------------------ threads

    private static Set<Thread> prefetchThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().startsWith("descent-prefetch") && t.isAlive()) out.add(t);
        return out;
    }

    private static List<Thread> newThreads(Set<Thread> before) {
        List<Thread> out = new ArrayList<>(prefetchThreads());
        out.removeAll(before);
        return out;
    }

    private static void awaitGone(Set<Thread> before) throws InterruptedException {
        for (Thread t : newThreads(before)) t.join(5_000);
        assertEquals(List.of(), newThreads(before).stream().map(Thread::getName).toList(), "prefetch workers still running");
    }
}
