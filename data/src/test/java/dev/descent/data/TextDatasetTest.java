package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Windows with next-token targets, checked against plain loops over the token array; the split by position; seeded loading. */
class TextDatasetTest {
    /** Tokens equal to their positions, so a batch shows where each value came from. */
    private static int[] positions(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = i;
        return t;
    }

    private static int[] randomTokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(50);
        return t;
    }

    @Test
    void fixedWindowsAndTargetsEqualAPlainReference() {
        qt().forAll(integers().between(2, 300), integers().between(1, 20), integers().between(1, 25), longs().all()).checkAssert((n, context, stride, seed) -> {
            int[] tokens = randomTokens(n, seed);
            int from = (int) Math.floorMod(seed, 3L), to = n;
            // the reference: every start s = from + k·stride whose window and last target fit in [from, to)
            List<Integer> starts = new ArrayList<>();
            for (int s = from; s + context + 1 <= to; s += stride) starts.add(s);
            if (starts.isEmpty()) {
                assertThrows(IllegalArgumentException.class, () -> new TextDataset(tokens, from, to, context, stride, false));
                return;
            }
            TextDataset d = new TextDataset(tokens, from, to, context, stride, false);
            assertEquals(starts.size(), d.size());
            int[] idx = new int[d.size()];
            for (int i = 0; i < idx.length; i++) idx[i] = idx.length - 1 - i; // any order
            Batch b = d.batch(idx, null);
            assertEquals(DType.INT64, b.x().dtype());
            assertEquals(DType.INT64, b.y().dtype());
            assertArrayEquals(new int[] {idx.length, context}, b.x().shape());
            assertArrayEquals(new int[] {idx.length, context}, b.y().shape());
            long[] x = b.x().toLongArray(), y = b.y().toLongArray();
            for (int r = 0; r < idx.length; r++) {
                int s = starts.get(idx[r]);
                for (int t = 0; t < context; t++) {
                    assertEquals(tokens[s + t], x[r * context + t]);
                    assertEquals(tokens[s + t + 1], y[r * context + t], "the target is the next token");
                }
            }
        });
    }

    @Test
    void shiftedWindowsStayInsideTheirRangeAndAreContiguous() {
        qt().forAll(integers().between(2, 400), integers().between(1, 16), longs().all()).checkAssert((n, context, seed) -> {
            int stride = context;
            if (n < context + stride) return;
            int[] tokens = positions(n);
            TextDataset d = new TextDataset(tokens, 0, n, context, stride, true);
            int[] idx = new int[d.size()];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            long[] x = d.batch(idx, new SplittableRandom(seed)).x().toLongArray(), y = d.batch(idx, new SplittableRandom(seed)).y().toLongArray();
            for (int r = 0; r < idx.length; r++) {
                long s = x[r * context];
                assertTrue(s >= (long) r * stride && s < (long) r * stride + stride, "window " + r + " starts at " + s);
                for (int t = 0; t < context; t++) {
                    assertEquals(s + t, x[r * context + t]);
                    assertEquals(s + t + 1, y[r * context + t]);
                    assertTrue(y[r * context + t] < n);
                }
            }
        });
    }

    @Test
    void theSplitIsByPositionAndDisjoint() {
        qt().forAll(integers().between(20, 2000), integers().between(1, 8), integers().between(5, 50)).checkAssert((n, context, percent) -> {
            double fraction = percent / 100.0;
            int cut = (int) Math.floor(n * (1 - fraction));
            if (cut < 2 * context || n - cut < context + 1) {
                assertThrows(IllegalArgumentException.class, () -> TextDataset.split(positions(n), context, fraction));
                return;
            }
            TextDataset.Split s = TextDataset.split(positions(n), context, fraction);
            Set<Long> train = new HashSet<>(), validation = new HashSet<>();
            for (int seed = 0; seed < 3; seed++) collect(s.train(), new SplittableRandom(seed), train);
            collect(s.validation(), null, validation);
            for (long p : train) assertTrue(p < cut, "training reads position " + p + " at or after the cut " + cut);
            for (long p : validation) assertTrue(p >= cut, "validation reads position " + p + " before the cut " + cut);
            // validation covers its part in consecutive windows: every target from cut + 1 on, up to the last full window
            int windows = s.validation().size();
            assertEquals((n - cut - 1) / context, windows);
            for (long p = cut; p <= cut + (long) windows * context; p++) assertTrue(validation.contains(p), "position " + p);
        });
    }

    private static void collect(TextDataset d, SplittableRandom rng, Set<Long> into) {
        int[] idx = new int[d.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Batch b = d.batch(idx, rng);
        for (long v : b.x().toLongArray()) into.add(v);
        for (long v : b.y().toLongArray()) into.add(v);
    }

    @Test
    void theSameSeedGivesTheSameBatchesThroughTheLoader() {
        qt().forAll(integers().between(100, 1500), integers().between(1, 12), longs().all(), booleans().all())
                .checkAssert((n, context, seed, prefetch) -> {
                    int batch = 1 + (int) Math.floorMod(seed, 9L);
                    TextDataset.Split s = TextDataset.split(randomTokens(n, seed), context, 0.1);
                    DataLoader a = new DataLoader(s.train(), batch, seed).withPrefetch(prefetch ? 2 : 0);
                    DataLoader b = new DataLoader(s.train(), batch, seed).withPrefetch(0);
                    for (int e = 0; e < 2; e++) {
                        List<long[]> ea = flatten(a.epoch(e)), eb = flatten(b.epoch(e));
                        assertEquals(ea.size(), eb.size());
                        for (int i = 0; i < ea.size(); i++) assertArrayEquals(ea.get(i), eb.get(i));
                    }
                });
    }

    @Test
    void anotherSeedShufflesAndShiftsDifferently() {
        TextDataset.Split s = TextDataset.split(positions(5000), 16, 0.1);
        List<long[]> a = flatten(new DataLoader(s.train(), 8, 1).withPrefetch(0).epoch(0));
        List<long[]> b = flatten(new DataLoader(s.train(), 8, 2).withPrefetch(0).epoch(0));
        assertFalse(Arrays.equals(a.get(0), b.get(0)));
    }

    private static List<long[]> flatten(DataLoader.Batches batches) {
        List<long[]> out = new ArrayList<>();
        try (batches) {
            while (batches.hasNext()) {
                Batch b = batches.next();
                out.add(b.x().toLongArray());
                out.add(b.y().toLongArray());
            }
        }
        return out;
    }

    @Test
    void badArgumentsNameTheSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TextDataset(positions(5), 0, 5, 8, 8, false));
        assertTrue(e.getMessage().contains("5 tokens") && e.getMessage().contains("context 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TextDataset(positions(5), 0, 6, 1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new TextDataset(positions(5), 0, 5, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> TextDataset.split(positions(100), 4, 1.0));
        IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class, () -> new TextDataset(positions(50), 0, 50, 4, 4, false).batch(new int[] {99}, null));
        assertTrue(o.getMessage().contains("99"), o.getMessage());
    }
}
