package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrefetchTest {
    /** Reading ahead of a range that ends anywhere, up to the array's last float, stays inside the array and writes nothing. */
    @Test
    void staysInsideTheArrayAtAnyLengthAndChangesNothing() {
        SplittableRandom rng = new SplittableRandom(20261205);
        for (int it = 0; it < 200; it++) {
            int size = 1 + rng.nextInt(300);
            float[] a = new float[size];
            for (int i = 0; i < size; i++) a[i] = (float) rng.nextDouble();
            float[] before = a.clone();
            int from = rng.nextInt(size), len = rng.nextBoolean() ? size - from : rng.nextInt(size - from + 1);
            Prefetch.lines(a, from, len);
            assertArrayEquals(before, a);
        }
    }

    /** By default an input is read ahead only when it is larger than L2; the build's override is "always" or absent. */
    @Test
    void readsAheadOfInputsLargerThanL2() {
        String mode = System.getProperty("descent.prefetch", "auto");
        assertEquals(!mode.equals("never"), Prefetch.worth(CacheSizes.L2 + 1));
        assertEquals(mode.equals("always"), Prefetch.worth(CacheSizes.L2));
    }
}
