package dev.descent.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A step applied to each mini-batch as it is assembled (augmentation, normalisation, input noise).
 * The batch it receives belongs to it alone (see {@link Dataset}), so it may work in place; every
 * random draw comes from {@code rng}, the batch's own generator, so a seed gives the same batches
 * with or without prefetching.
 *
 * <p>Label noise is not a per-batch transform: a noisy label must stay the same across epochs, so it
 * is drawn once per dataset ({@link ImageDataset#withSymmetricLabelNoise}).
 */
@FunctionalInterface
public interface Transform {
    /**
     * Transforms one batch.
     *
     * @param batch the batch, owned by this call (it may be modified in place)
     * @param rng the batch's own generator: the only source of randomness allowed
     * @return the transformed batch (possibly {@code batch} itself, modified)
     * @throws IllegalArgumentException when the batch's shape or dtype does not fit the transform
     */
    Batch apply(Batch batch, RandomGenerator rng);

    /**
     * The transforms applied one after the other, sharing the batch's generator in that order.
     *
     * @param transforms the steps, first to last
     * @return one transform doing all of them
     */
    static Transform compose(Transform... transforms) {
        List<Transform> all = List.of(transforms);
        return (batch, rng) -> {
            Batch b = batch;
            for (Transform t : all) b = t.apply(b, rng);
            return b;
        };
    }
}
