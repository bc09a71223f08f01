package dev.descent.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A finite, indexed collection of examples that assembles mini-batches on request. A {@link DataLoader}
 * decides which indices go together and hands each batch its own seeded generator, so whatever is
 * random in assembling a batch (augmentation) is reproducible.
 *
 * <p>Contract: {@link #batch} returns tensors that belong to the caller alone (new storage, not a
 * view of anything the dataset keeps), so transforms may modify them in place; and for the same
 * indices and the same generator state it returns the same values.
 */
public interface Dataset {
    /** The number of examples. */
    int size();

    /**
     * The examples at {@code indices} (each in {@code [0, size())}, repeats allowed), stacked along a
     * new first dimension; {@code rng} drives any randomness.
     */
    Batch batch(int[] indices, RandomGenerator rng);

    /**
     * This dataset with {@code transforms} applied to every batch, in the given order, each drawing
     * from the batch's generator in turn.
     */
    default Dataset transform(Transform... transforms) {
        return new TransformedDataset(this, List.of(transforms));
    }
}
