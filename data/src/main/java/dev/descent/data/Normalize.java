package dev.descent.data;

import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Per-channel normalisation {@code x ← (x − mean[c]) / std[c]} of inputs [B, C, …], in place, computed
 * in float32 as torchvision does (subtract, then divide). Uses no randomness.
 */
public final class Normalize implements Transform {
    private final float[] mean, std;

    /**
     * Normalisation with one mean and one (positive) standard deviation per channel, stored as float32.
     *
     * @param mean the per-channel means, finite
     * @param std the per-channel standard deviations, positive and finite
     * @throws IllegalArgumentException when the arrays are empty or differ in length, or a value is out of
     *         range
     */
    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("need one mean and one std per channel, got " + mean.length + " means and " + std.length + " stds");
        }
        this.mean = new float[mean.length];
        this.std = new float[std.length];
        for (int c = 0; c < mean.length; c++) {
            if (!Double.isFinite(mean[c])) throw new IllegalArgumentException("mean[" + c + "] must be finite, was " + mean[c]);
            if (!(std[c] > 0) || !Double.isFinite(std[c])) throw new IllegalArgumentException("std[" + c + "] must be positive and finite, was " + std[c]);
            this.mean[c] = (float) mean[c];
            this.std[c] = (float) std[c];
        }
    }

    /**
     * The normalisation that gives {@code data}'s images (scaled to [0, 1]) mean 0 and standard deviation 1 per channel.
     *
     * @param data the images to measure, usually the training set
     * @return a transform with the data's {@link ImageDataset#channelMean()} and {@link ImageDataset#channelStd()}
     * @throws IllegalStateException when {@code data} has no images
     * @throws IllegalArgumentException when a channel is constant (standard deviation 0)
     */
    public static Normalize fit(ImageDataset data) {
        return new Normalize(data.channelMean(), data.channelStd());
    }

    /**
     * The per-channel means.
     *
     * @return a new array (the float32 values used, widened)
     */
    public double[] mean() {
        double[] m = new double[mean.length];
        for (int c = 0; c < m.length; c++) m[c] = mean[c];
        return m;
    }

    /**
     * The per-channel standard deviations.
     *
     * @return a new array (the float32 values used, widened)
     */
    public double[] std() {
        double[] s = new double[std.length];
        for (int c = 0; c < s.length; c++) s[c] = std[c];
        return s;
    }

    @Override
    public Batch apply(Batch batch, RandomGenerator rng) {
        Tensor x = BatchArrays.contiguousFloats(batch.x(), 2, "Normalize");
        int n = x.size(0), c = x.size(1);
        if (c != mean.length) throw new IllegalArgumentException("Normalize has " + mean.length + " channels, inputs have " + c + " (dim 1)");
        int plane = x.numel() / Math.max(1, n * c);
        float[] a = x.storage().floats();
        int base = x.storageOffset();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                float m = mean[ch], s = std[ch];
                for (int j = 0, p = base + (b * c + ch) * plane; j < plane; j++, p++) a[p] = (a[p] - m) / s;
            }
        }
        return x == batch.x() ? batch : new Batch(x, batch.y());
    }

    @Override
    public String toString() {
        return "Normalize(mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ")";
    }
}
