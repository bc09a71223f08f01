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
    /**
     * The number of examples.
     *
     * @return how many indices {@link #batch} accepts: {@code [0, size())}
     */
    int size();

    /**
     * The examples at {@code indices} (each in {@code [0, size())}, repeats allowed), stacked along a
     * new first dimension; {@code rng} drives any randomness.
     *
     * @param indices the examples to assemble, in order
     * @param rng the batch's own generator (datasets without randomness ignore it; it may then be null)
     * @return a batch of {@code indices.length} examples, in fresh storage
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size())}
     */
    Batch batch(int[] indices, RandomGenerator rng);

    /**
     * This dataset with {@code transforms} applied to every batch, in the given order, each drawing
     * from the batch's generator in turn.
     *
     * @param transforms the steps, applied first to last
     * @return a view of this dataset (nothing is copied)
     */
    default Dataset transform(Transform... transforms) {
        return new TransformedDataset(this, List.of(transforms));
    }
}
