package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * LAMB's trust-ratio step on float32 tensors: the vector loops give the scalar loops' bits, on one thread and on
 * two, for lengths that cut the blocks of {@link LAMB#BLOCK} and the four-lane groups unevenly, with and without
 * weight decay.
 */
class LambKernelTest {
    private static Flat flat(float[] a) {
        return Flat.of(Tensor.wrap(Storage.of(a), 0, new int[] {a.length}, new int[] {1}));
    }

    @Test
    void vectorAndScalarLoopsGiveTheSameBitsOnAnyThreadCount() {
        var r = new SplittableRandom(17);
        for (int n : new int[] {1, 7, 4 * LAMB.BLOCK - 1, 2 * LAMB.BLOCK + 13}) {
            for (double wd : new double[] {0, 0.01}) {
                float[][] start = new float[4][n];
                for (int i = 0; i < n; i++) {
                    start[0][i] = (float) r.nextGaussian();
                    start[1][i] = (float) (r.nextGaussian() * 0.1);
                    start[2][i] = (float) (r.nextGaussian() * 0.01);
                    start[3][i] = (float) Math.abs(r.nextGaussian() * 1e-4);
                }
                float[][] want = run(start, false, 1, wd);
                for (int threads : new int[] {1, 2}) {
                    for (boolean vector : new boolean[] {true, false}) {
                        float[][] got = run(start, vector, threads, wd);
                        for (int k = 0; k < 4; k++) {
                            assertArrayEquals(want[k], got[k], "array " + k + ", n = " + n + ", wd = " + wd + ", vector " + vector + ", " + threads + " thread(s)");
                        }
                    }
                }
            }
        }
    }

    /** Three LAMB steps from a copy of {@code start} (θ, g, m, v). */
    private static float[][] run(float[][] start, boolean vector, int threads, double wd) {
        float[][] a = new float[4][];
        for (int k = 0; k < 4; k++) a[k] = start[k].clone();
        try (var _ = Threads.limit(threads)) {
            for (long t = 1; t <= 3; t++) LAMB.update(flat(a[0]), flat(a[1]), flat(a[2]), flat(a[3]), 1e-3, 0.9, 0.999, 1e-6, wd, t, vector);
        }
        return a;
    }
}
