package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One seed and one thread count give bitwise-identical results; our kernels go further and agree across thread counts. */
class DeterminismTest {

    private static Tensor step(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.randn(rng, 256, 300);
        Tensor w = Tensor.randn(rng, 300, 200).requiresGrad(true);
        Tensor loss = x.matmul(w).tanh().logSoftmax(1).mean(new int[] {0}, false).sum();
        loss.backward();
        return w.grad();
    }

    @Test
    void sameSeedSameBits() {
        assertTrue(step(1).contentEquals(step(1)));
    }

    @Test
    void matmulAndReductionsAgreeAcrossThreadCounts() throws Exception {
        Tensor one, two;
        try (var _ = Threads.limit(1)) {
            one = step(2);
        }
        try (var _ = Threads.limit(2)) {
            two = step(2);
        }
        assertTrue(one.contentEquals(two), "1 thread and 2 threads differ");
    }
}
