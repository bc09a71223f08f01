package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** The chunks one call ran, as "from-to" strings, sorted. */
    private static List<String> chunksOf(int n, int grain, int align) {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(n, grain, align, (from, to) -> seen.add(from + "-" + to));
        List<String> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void everyIndexRunsExactlyOnceInTheFixedChunks() {
        for (int n : new int[] {1, 2, 7, 100, 1001}) {
            for (int align : new int[] {1, 3, 8}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, 1, align, (from, to) -> {
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
                int[] b = Parallel.bounds(n, Parallel.chunkCount(n, 1), align);
                List<String> expected = new ArrayList<>();
                for (int c = 0; c + 1 < b.length; c++) expected.add(b[c] + "-" + b[c + 1]);
                Collections.sort(expected);
                List<String> got = chunksOf(n, 1, align);
                assertEquals(expected, got, "n " + n + " align " + align);
                for (int rep = 0; rep < 20; rep++) assertEquals(got, chunksOf(n, 1, align), "boundaries changed between calls");
            }
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolGoesOn() {
        assumeTrue(Parallel.threads() > 1, "needs a pool");
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        // The last chunk runs on a worker, not on the caller.
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Parallel.forRange(100, 1, (from, to) -> {
            if (to == 100) throw boom;
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        Parallel.forRange(100, 1, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
    }

    /**
     * Two threads, eight chunks: the caller owns chunks 0–3 and runs them first, in order; the worker owns 4–7. With the
     * worker held in chunk 4, the caller goes on with the worker's chunks from the back (7, 6, 5), so the rows a thread
     * wrote in the previous op stay on its core when nothing is slow, and nothing waits for a slow thread when one is.
     */
    @Test
    void eachThreadRunsItsOwnShareFirstAndTakesTheOthersFromTheBack() throws Exception {
        assumeTrue(Parallel.poolThreads() >= 2, "needs a pool");
        try (var _ = Parallel.limit(2)) {
            Thread caller = Thread.currentThread();
            List<Integer> byCaller = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch workerInFour = new CountDownLatch(1), sevenDone = new CountDownLatch(7);
            Parallel.forRange(8, 1, (from, to) -> {
                try {
                    if (from == 4 && Thread.currentThread() != caller) {
                        workerInFour.countDown();
                        sevenDone.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    if (from == 0) workerInFour.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (Thread.currentThread() == caller) byCaller.add(from);
                if (from != 4) sevenDone.countDown();
            });
            assertEquals(List.of(0, 1, 2, 3, 7, 6, 5), byCaller);
        }
    }

    @Test
    void nestedCallsRunInlineAsOneChunk() {
        List<String> inner = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(10, 1, (from, to) -> Parallel.forRange(50, 1, (f, t) -> inner.add(f + "-" + t)));
        int outerChunks = Parallel.chunkCount(10, 1);
        assertEquals(outerChunks, inner.size());
        for (String s : inner) assertEquals("0-50", s);
    }

    @Test
    void concurrentCallersGetTheSameChunksAndTheSameSums() throws Exception {
        int n = 4096;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.sin(i) * 1e3 + 1.0 / (i + 1);
        double[] reference = chunkSums(x);
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<double[]>>> results = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    List<double[]> sums = new ArrayList<>();
                    for (int rep = 0; rep < 200; rep++) sums.add(chunkSums(x));
                    return sums;
                }));
            }
            go.countDown();
            for (Future<List<double[]>> f : results) {
                for (double[] s : f.get()) assertArrayEquals(reference, s);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Per-chunk sums, in chunk order: the shape of a reduction whose bits depend on the chunking. */
    private static double[] chunkSums(double[] x) {
        int chunks = Parallel.chunkCount(x.length, 1);
        int[] b = Parallel.bounds(x.length, chunks, 1);
        double[] sums = new double[chunks];
        Parallel.forRange(x.length, 1, (from, to) -> {
            int c = java.util.Arrays.binarySearch(b, from);
            double s = 0;
            for (int i = from; i < to; i++) s += x[i];
            sums[c] = s;
        });
        return sums;
    }
}
