/**
 * Datasets and loaders: what feeds a training loop.
 *
 * <p>A {@link dev.descent.data.Dataset} assembles a {@link dev.descent.data.Batch} (inputs {@code x},
 * targets {@code y}, batch first) for any list of indices; a {@link dev.descent.data.DataLoader} decides
 * the indices (a seeded shuffle per epoch), hands each batch its own seeded generator and prefetches on a
 * worker thread, so that one seed gives bitwise-identical batches with or without prefetching, and a
 * resumed run can replay any epoch. {@link dev.descent.data.Transform}s (per-batch steps, in place:
 * {@link dev.descent.data.Normalize}, {@link dev.descent.data.RandomCrop},
 * {@link dev.descent.data.HorizontalFlip}, {@link dev.descent.data.GaussianNoise}) draw only from that
 * generator.
 *
 * <p>Real data is read byte for byte from the distributed formats, plain, gzip or (CIFAR) tar.gz, into
 * an {@link dev.descent.data.ImageDataset} (unsigned bytes, converted to float32 in [0, 1] per batch):
 * {@link dev.descent.data.Cifar10}, {@link dev.descent.data.Cifar100}, {@link dev.descent.data.Mnist},
 * {@link dev.descent.data.FashionMnist} and the underlying {@link dev.descent.data.IdxFile}. A file that is
 * not what it claims is rejected with a {@link dev.descent.data.DataFileException} naming the file, the
 * byte offset and what was expected; nothing half-loaded escapes. Label noise is drawn once per dataset
 * ({@link dev.descent.data.ImageDataset#withSymmetricLabelNoise}).
 *
 * <p>Synthetic data for the papers' experiments and for training without a download:
 * {@link dev.descent.data.SyntheticImages} (MNIST-shaped), {@link dev.descent.data.TwoSpirals},
 * {@link dev.descent.data.TeacherStudent} (single-index models in the Hermite basis) and
 * {@link dev.descent.data.FeldmanCode} (the convex instance on which ERM overfits);
 * {@link dev.descent.data.TensorDataset} wraps any pair of tensors. This package knows nothing of models.
 *
 * <pre>{@code
 * var rng = new SplittableRandom(42);
 * ImageDataset train = FashionMnist.train(FashionMnist.SYSTEM_DIR);
 * var loader = new DataLoader(train.transform(Normalize.fit(train)), 128, rng);
 * for (Batch b : loader) { ... }                          // one epoch; iterate again for the next
 * }</pre>
 */
package dev.descent.data;
