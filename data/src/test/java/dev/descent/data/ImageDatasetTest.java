package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** In-memory images: conversion to float batches, subsets (first n, stratified), label noise and channel statistics. */
class ImageDatasetTest {
    @Test
    void batchesScalePixelsToTheUnitIntervalAndKeepLabels() {
        byte[] px = new byte[2 * 1 * 2 * 2];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 36);
        ImageDataset d = ImageDataset.of(px, new byte[] {1, 0}, 1, 2, 2, List.of("a", "b"));
        Batch b = d.batch(new int[] {1, 0, 1}, null);
        assertArrayEquals(new int[] {3, 1, 2, 2}, b.x().shape());
        assertEquals(DType.FLOAT32, b.x().dtype());
        assertArrayEquals(new long[] {0, 1, 0}, b.y().toLongArray());
        for (int j = 0; j < 4; j++) {
            assertEquals(((4 + j) * 36 & 0xff) / 255f, b.x().toFloatArray()[j]);
            assertEquals((j * 36) / 255f, b.x().toFloatArray()[4 + j]);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> d.batch(new int[] {2}, null));
    }

    @Test
    void constructionChecksShapesAndLabels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.of(new byte[7], new byte[2], 1, 2, 2, List.of("a")));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.of(new byte[4], new byte[] {2}, 1, 2, 2, List.of("a", "b")));
        assertTrue(e.getMessage().contains("label 2"), e.getMessage());
    }

    @Test
    void firstAndSubsetCopyTheChosenImages() {
        ImageDataset d = SampleImages.random(20, 3, 4, 4, 5, new SplittableRandom(1));
        ImageDataset head = d.first(7);
        assertEquals(7, head.size());
        assertTrue(head.all().x().contentEquals(d.all().x().narrow(0, 0, 7)));
        ImageDataset picked = d.subset(new int[] {19, 3, 3});
        assertEquals(d.label(19), picked.label(0));
        assertEquals(d.pixel(3, 2, 1, 0), picked.pixel(2, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> d.first(21));
    }

    @Test
    void stratifiedSubsetsKeepClassProportionsAndAreSeeded() {
        qt().withExamples(60).forAll(integers().between(1, 300), integers().between(1, 12), longs().all()).checkAssert((n, k, seed) -> {
            ImageDataset d = SampleImages.random(n, 1, 2, 2, k, new SplittableRandom(seed));
            int count = new SplittableRandom(seed + 1).nextInt(n + 1);
            ImageDataset s = d.stratifiedSubset(count, new SplittableRandom(seed + 2));
            assertEquals(count, s.size());
            int[] have = d.classCounts(), got = s.classCounts();
            for (int c = 0; c < k; c++) {
                double share = (double) count * have[c] / n;
                assertTrue(got[c] >= Math.floor(share) && got[c] <= Math.ceil(share), "class " + c + ": " + got[c] + " for a share of " + share);
            }
            assertTrue(s.contentEquals(d.stratifiedSubset(count, new SplittableRandom(seed + 2))), "same seed, same subset");
        });
    }

    @Test
    void aStratifiedTenthOfABalancedSetHasExactlyATenthOfEachClass() {
        byte[] labels = new byte[1000];
        for (int i = 0; i < labels.length; i++) labels[i] = (byte) (i % 10);
        byte[] px = new byte[1000];
        for (int i = 0; i < px.length; i++) px[i] = (byte) i;   // low byte of the index: identifies the image's origin
        ImageDataset d = ImageDataset.of(px, labels, 1, 1, 1, ImageDataset.numberedClasses(10));
        ImageDataset s = d.stratifiedSubset(100, new SplittableRandom(3));
        int[] ten = new int[10];
        Arrays.fill(ten, 10);
        assertArrayEquals(ten, s.classCounts());
        Set<Integer> firstHalf = new HashSet<>();
        for (int i = 0; i < 100; i++) firstHalf.add(s.pixel(i, 0, 0, 0));
        assertTrue(firstHalf.size() > 60, "drawn at random, not the first images of each class");
        assertFalse(s.contentEquals(d.stratifiedSubset(100, new SplittableRandom(4))), "another seed, another subset");
    }

    @Test
    void symmetricLabelNoiseChangesTheExpectedFractionToUniformOtherClasses() {
        int n = 20_000, k = 10;
        ImageDataset clean = SampleImages.random(n, 1, 1, 1, k, new SplittableRandom(5));
        ImageDataset noisy = clean.withSymmetricLabelNoise(0.3, new SplittableRandom(6));
        int changed = 0;
        int[][] to = new int[k][k];
        for (int i = 0; i < n; i++) {
            if (noisy.label(i) != clean.label(i)) {
                changed++;
                to[clean.label(i)][noisy.label(i)]++;
            }
            assertEquals(clean.pixel(i, 0, 0, 0), noisy.pixel(i, 0, 0, 0));
        }
        assertEquals(0.3 * n, changed, 5 * Math.sqrt(n * 0.3 * 0.7));
        for (int a = 0; a < k; a++) {
            int row = 0;
            for (int b = 0; b < k; b++) row += to[a][b];
            for (int b = 0; b < k; b++) {
                if (a == b) continue;
                double expected = row / (k - 1.0);
                assertEquals(expected, to[a][b], 5 * Math.sqrt(expected) + 1, "class " + a + " → " + b);
            }
        }
        assertTrue(clean.withSymmetricLabelNoise(0, new SplittableRandom(1)).contentEquals(clean));
        ImageDataset all = clean.withSymmetricLabelNoise(1, new SplittableRandom(1));
        for (int i = 0; i < n; i++) assertNotEquals(clean.label(i), all.label(i));
        assertTrue(noisy.contentEquals(clean.withSymmetricLabelNoise(0.3, new SplittableRandom(6))), "seeded");
        assertThrows(IllegalArgumentException.class, () -> clean.withSymmetricLabelNoise(1.5, new SplittableRandom(1)));
    }

    @Test
    void channelStatisticsMatchADirectComputation() {
        ImageDataset d = SampleImages.random(30, 3, 5, 7, 2, new SplittableRandom(7));
        double[] mean = d.channelMean(), std = d.channelStd();
        for (int c = 0; c < 3; c++) {
            double s = 0, s2 = 0;
            int count = 0;
            for (int i = 0; i < 30; i++) for (int y = 0; y < 5; y++) for (int x = 0; x < 7; x++) {
                double v = d.pixel(i, c, y, x) / 255.0;
                s += v;
                s2 += v * v;
                count++;
            }
            double m = s / count;
            assertEquals(m, mean[c], 1e-12);
            assertEquals(Math.sqrt(s2 / count - m * m), std[c], 1e-9);
        }
    }
}
