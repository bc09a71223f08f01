package dev.descent.data;

import java.util.List;
import java.util.random.RandomGenerator;

/** A dataset whose batches pass through transforms: the result of {@link Dataset#transform}. */
record TransformedDataset(Dataset base, List<Transform> transforms) implements Dataset {
    TransformedDataset {
        transforms = List.copyOf(transforms);
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public Batch batch(int[] indices, RandomGenerator rng) {
        Batch b = base.batch(indices, rng);
        for (Transform t : transforms) b = t.apply(b, rng);
        return b;
    }
}
