package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A fold over rows (outer = 1) cut into column chunks over the threads: every column the plain running sum from row 0. */
class ReduceSplitTest {
    @Test
    void aColumnSplitFoldIsThePlainRunningSumPerColumnOnOneAndTwoThreads() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int[] shape : new int[][] {{2048, 64}, {300, 70}, {5000, 17}, {3, 1000}}) {
            int r = shape[0], inner = shape[1];
            float[] x = new float[1 + r * inner];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            float[] want = new float[inner];
            for (int j = 0; j < inner; j++) {
                float s = x[1 + j];
                for (int t = 1; t < r; t++) s += x[1 + t * inner + j];
                want[j] = s;
            }
            for (int threads = 1; threads <= 2; threads++) {
                float[] y = new float[inner];
                try (var _ = Threads.limit(threads)) {
                    ReduceKernels.reduce(ReduceKernels.Kind.SUM, x, 1, 1, r, inner, y);
                }
                for (int j = 0; j < inner; j++) {
                    assertEquals(Float.floatToRawIntBits(want[j]), Float.floatToRawIntBits(y[j]), "column " + j + " of " + r + "×" + inner + ", threads " + threads);
                }
            }
        }
    }
}
