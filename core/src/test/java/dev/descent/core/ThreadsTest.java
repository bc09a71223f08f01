package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ThreadsTest {
    @Test
    void forRangeRunsEveryIndexOnceOnAnyThreadCount() {
        for (int threads = 1; threads <= Threads.poolSize(); threads++) {
            try (var _ = Threads.limit(threads)) {
                for (int n : new int[] {0, 1, 5, 1000, 100_003}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                    Threads.forRange(n, 7, (from, to) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n + " on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aChunksExceptionReachesTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Threads.forRange(10_000, 1, (from, to) -> {
            if (to == 10_000) throw boom;
        }));
        assertSame(boom, thrown);
    }
}
