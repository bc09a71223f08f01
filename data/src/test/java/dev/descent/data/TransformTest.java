package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batch transforms, each against a naive reference or its statistics. */
class TransformTest {
    /** Images with no zero pixel (so padding is recognisable), as a fresh batch. */
    private static Batch images(int n, int c, int h, int w, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (1 + rng.nextInt(255)) / 255f;
        long[] y = new long[n];
        return new Batch(Tensor.of(x, n, c, h, w), Tensor.of(y));
    }

    private static Batch copy(Batch b) {
        return new Batch(b.x().clone(), b.y().clone());
    }

    /** The window of image b padded by p with zeros, at (top, left) of the padded image, computed naively. */
    private static float[] window(Tensor x, int b, int p, int top, int left, int size) {
        int c = x.size(1), h = x.size(2), w = x.size(3);
        float[] out = new float[c * size * size];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < size; y++) {
                for (int xx = 0; xx < size; xx++) {
                    int sy = top + y - p, sx = left + xx - p;
                    out[(ch * size + y) * size + xx] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f : (float) x.get(b, ch, sy, sx);
                }
            }
        }
        return out;
    }

    @Test
    void randomCropIsAWindowOfTheZeroPaddedImageAtAUniformPosition() {
        int n = 900, pad = 2, side = 6;
        Batch in = images(n, 2, side, side, 1);
        Batch out = new RandomCrop(side, pad).apply(copy(in), new SplittableRandom(2));
        assertArrayEquals(new int[] {n, 2, side, side}, out.x().shape());
        int positions = 2 * pad + 1;
        int[][] hits = new int[positions][positions];
        for (int b = 0; b < n; b++) {
            float[] got = out.x().narrow(0, b, 1).toFloatArray();
            List<int[]> matches = new ArrayList<>();
            for (int top = 0; top < positions; top++) {
                for (int left = 0; left < positions; left++) {
                    if (java.util.Arrays.equals(got, window(in.x(), b, pad, top, left, side))) matches.add(new int[] {top, left});
                }
            }
            assertEquals(1, matches.size(), "image " + b + " is exactly one window of its padded self");
            hits[matches.get(0)[0]][matches.get(0)[1]]++;
        }
        double expected = (double) n / (positions * positions), chi2 = 0;
        for (int[] row : hits) for (int h : row) chi2 += (h - expected) * (h - expected) / expected;
        assertTrue(chi2 < 60, "positions far from uniform: chi2 " + chi2 + " with 24 degrees of freedom");
    }

    @Test
    void randomCropToASmallerSizeAndWithoutPadding() {
        Batch in = images(5, 3, 8, 8, 3);
        Batch out = new RandomCrop(5, 0).apply(copy(in), new SplittableRandom(4));
        assertArrayEquals(new int[] {5, 3, 5, 5}, out.x().shape());
        for (float v : out.x().toFloatArray()) assertTrue(v > 0, "no padding without padding");
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(13, 2).apply(images(1, 1, 8, 8, 0), new SplittableRandom(0)));
    }

    @Test
    void horizontalFlipMirrorsSomeImagesAndTwiceWithTheSameSeedIsTheIdentity() {
        int n = 2000;
        Batch in = images(n, 2, 3, 5, 5);
        Batch once = new HorizontalFlip().apply(copy(in), new SplittableRandom(6));
        int flipped = 0;
        for (int b = 0; b < n; b++) {
            boolean same = true, mirrored = true;
            for (int c = 0; c < 2; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) {
                same &= once.x().get(b, c, y, x) == in.x().get(b, c, y, x);
                mirrored &= once.x().get(b, c, y, x) == in.x().get(b, c, y, 4 - x);
            }
            assertTrue(same || mirrored, "image " + b + " is itself or its mirror");
            if (!same) flipped++;
        }
        assertEquals(n / 2.0, flipped, 5 * Math.sqrt(n / 4.0), "about half flipped");
        Batch twice = new HorizontalFlip().apply(copy(once), new SplittableRandom(6));
        assertTrue(twice.x().contentEquals(in.x()));
        assertTrue(new HorizontalFlip(0).apply(copy(in), new SplittableRandom(1)).x().contentEquals(in.x()));
        Batch all = new HorizontalFlip(1).apply(copy(in), new SplittableRandom(1));
        assertEquals(in.x().get(7, 1, 2, 0), all.x().get(7, 1, 2, 4));
    }

    @Test
    void normalizeSubtractsTheMeanAndDividesByTheStdPerChannel() {
        Batch in = images(4, 3, 2, 2, 7);
        double[] mean = {0.1, 0.5, 0.9}, std = {0.2, 0.25, 2};
        Batch out = new Normalize(mean, std).apply(copy(in), null);
        for (int b = 0; b < 4; b++) for (int c = 0; c < 3; c++) for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) {
            float v = (float) in.x().get(b, c, y, x);
            assertEquals((v - (float) mean[c]) / (float) std[c], (float) out.x().get(b, c, y, x));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0}, new double[] {0}));
        assertTrue(e.getMessage().contains("std[0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0, 0}, new double[] {1, 1}).apply(copy(in), null));
    }

    @Test
    void normalizeFittedToADatasetGivesMeanZeroStdOnePerChannel() {
        ImageDataset d = SampleImages.random(50, 3, 4, 4, 2, new SplittableRandom(8));
        Tensor x = Normalize.fit(d).apply(d.all(), null).x();
        for (int c = 0; c < 3; c++) {
            double[] v = x.select(1, c).toDoubleArray();
            double m = 0, s = 0;
            for (double a : v) m += a;
            m /= v.length;
            for (double a : v) s += (a - m) * (a - m);
            assertEquals(0, m, 1e-5);
            assertEquals(1, Math.sqrt(s / v.length), 1e-5);
        }
    }

    @Test
    void gaussianNoiseAddsZeroMeanNoiseOfTheGivenStd() {
        Batch in = images(20, 3, 16, 16, 9);
        Batch out = new GaussianNoise(0.1).apply(copy(in), new SplittableRandom(10));
        double[] d = out.x().sub(in.x()).toDoubleArray();
        double m = 0, s = 0;
        for (double a : d) m += a;
        m /= d.length;
        for (double a : d) s += (a - m) * (a - m);
        double sd = Math.sqrt(s / d.length);
        assertEquals(0, m, 5 * 0.1 / Math.sqrt(d.length));
        assertEquals(0.1, sd, 0.005);
        assertTrue(new GaussianNoise(0.1).apply(copy(in), new SplittableRandom(10)).x().contentEquals(out.x()), "same seed, same noise");
        assertTrue(new GaussianNoise(0).apply(copy(in), new SplittableRandom(10)).x().contentEquals(in.x()));
        assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(-1));
    }

    @Test
    void transformsRunInOrderOnTheDatasetsBatches() {
        ImageDataset d = SampleImages.random(6, 3, 4, 4, 2, new SplittableRandom(11));
        Normalize norm = new Normalize(new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5});
        Dataset t = d.transform(new HorizontalFlip(1), norm);
        int[] idx = {3, 1};
        Batch expected = norm.apply(new HorizontalFlip(1).apply(d.batch(idx, null), new SplittableRandom(9)), null);
        assertTrue(t.batch(idx, new SplittableRandom(0)).x().contentEquals(expected.x()));
        assertEquals(6, t.size());
        Batch composed = Transform.compose(new HorizontalFlip(1), norm).apply(d.batch(idx, null), new SplittableRandom(0));
        assertTrue(composed.x().contentEquals(expected.x()));
    }
}
