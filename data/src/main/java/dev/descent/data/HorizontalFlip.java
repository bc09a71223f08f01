package dev.descent.data;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/** Mirrors each image left to right with probability p (one draw per image), in place. */
public final class HorizontalFlip implements Transform {
    private final double p;

    /** Flips half the images, the usual augmentation. */
    public HorizontalFlip() {
        this(0.5);
    }

    /**
     * Flips each image with probability {@code p}.
     *
     * @param p the probability, in [0, 1]
     * @throws IllegalArgumentException when p is outside [0, 1] or NaN
     */
    public HorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("flip probability must be in [0, 1], was " + p);
        this.p = p;
    }

    @Override
    public Batch apply(Batch batch, RandomGenerator rng) {
        BatchArrays.requireImages(batch.x(), "HorizontalFlip");
        Tensor x = BatchArrays.contiguousFloats(batch.x(), 4, "HorizontalFlip");
        int n = x.size(0), rows = x.size(1) * x.size(2), w = x.size(3);
        float[] a = x.storage().floats();
        int base = x.storageOffset();
        for (int b = 0; b < n; b++) {
            if (!(rng.nextDouble() < p)) continue;
            for (int r = 0; r < rows; r++) {
                int lo = base + (b * rows + r) * w, hi = lo + w - 1;
                for (; lo < hi; lo++, hi--) {
                    float t = a[lo];
                    a[lo] = a[hi];
                    a[hi] = t;
                }
            }
        }
        return x == batch.x() ? batch : new Batch(x, batch.y());
    }

    @Override
    public String toString() {
        return "HorizontalFlip(" + p + ")";
    }
}
