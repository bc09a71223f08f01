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
    /** The transformed batch (possibly {@code batch} itself, modified). */
    Batch apply(Batch batch, RandomGenerator rng);

    /** The transforms applied one after the other. */
    static Transform compose(Transform... transforms) {
        List<Transform> all = List.of(transforms);
        return (batch, rng) -> {
            Batch b = batch;
            for (Transform t : all) b = t.apply(b, rng);
            return b;
        };
    }
}
