package dev.descent.data;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * Additive Gaussian input noise {@code x ← x + std·ε}, ε ~ N(0, 1) drawn per element in memory order,
 * in place. The SR-Adam experiment adds it to the normalised training images (std 0, 0.05 or 0.1),
 * so it goes after {@link Normalize}; test images stay clean.
 */
public final class GaussianNoise implements Transform {
    private final double std;

    /**
     * Noise of standard deviation {@code std} (0 leaves the inputs unchanged and draws nothing).
     *
     * @param std the standard deviation, ≥ 0 and finite
     * @throws IllegalArgumentException when std is negative, infinite or NaN
     */
    public GaussianNoise(double std) {
        if (!(std >= 0) || !Double.isFinite(std)) throw new IllegalArgumentException("noise std must be >= 0 and finite, was " + std);
        this.std = std;
    }

    @Override
    public Batch apply(Batch batch, RandomGenerator rng) {
        if (std == 0) return batch;
        Tensor x = BatchArrays.contiguousFloats(batch.x(), 1, "GaussianNoise");
        float[] a = x.storage().floats();
        for (int i = x.storageOffset(), end = i + x.numel(); i < end; i++) a[i] = (float) (a[i] + std * rng.nextGaussian());
        return x == batch.x() ? batch : new Batch(x, batch.y());
    }

    @Override
    public String toString() {
        return "GaussianNoise(" + std + ")";
    }
}
