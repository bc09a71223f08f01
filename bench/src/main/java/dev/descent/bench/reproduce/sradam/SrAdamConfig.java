// The settings of the SR-Adam reproduction (docs/papers.md §1), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.optim.SteinRuleAdam;
import java.util.List;

/**
 * The SR-Adam experiment's settings.
 *
 * @param data        the {@code --data} value: {@code cifar10:PATH}, or a substitute ({@code auto}: Fashion-MNIST when installed)
 * @param trainSubset training images (class-stratified subset)
 * @param testSubset  test images, the first ones (0: the full test set)
 * @param subsetSeed  seed of the training subset (one subset for every run)
 * @param inputNoise  std of the Gaussian noise on normalised training images
 * @param batchSizes  the batch sizes, kept in decreasing order; the largest is the "large batch" of the claims, the smallest the "small batch"
 * @param epochs      epochs per run
 * @param seeds       seeds (initial weights, shuffles, augmentation, noise, dropout)
 * @param lr          learning rate of every optimizer
 * @param allVariant  how SR-Adam on all parameters computes its statistics
 * @param margin      points of best test accuracy a "beats Adam" claim must clear (the lower end of the paired 95 % interval of
 *                    SR-Adam − Adam above it); fixed before the run
 * @param quick       toy sizes; the report claims nothing
 * @param resume      read back the runs an earlier invocation with the same settings completed in the output folder
 */
public record SrAdamConfig(String data, int trainSubset, int testSubset, long subsetSeed, double inputNoise, List<Integer> batchSizes, int epochs,
                           List<Long> seeds, double lr, SteinRuleAdam.Variant allVariant, double margin, boolean quick, boolean resume) implements Experiment.Config {

    /** Validates every setting, naming the bad value. */
    public SrAdamConfig {
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
        if (!(inputNoise >= 0)) throw new IllegalArgumentException("--input-noise must be >= 0, was " + inputNoise);
        Experiment.Config.requireNonEmpty("--batch-sizes", batchSizes);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        for (int b : batchSizes) if (b < 1) throw new IllegalArgumentException("--batch-sizes values must be >= 1, was " + b);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, was " + epochs);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, was " + lr);
        if (!(margin >= 0) || Double.isInfinite(margin)) throw new IllegalArgumentException("--margin must be a finite number >= 0, was " + margin);
        batchSizes = batchSizes.stream().distinct().sorted((a, b) -> Integer.compare(b, a)).toList();
        seeds = List.copyOf(seeds);
    }

    /**
     * The full setup: 10,000 training images, the full test set, noise 0.05, batch 512 and 64, 10 epochs, seeds 1–3, lr 1e-3.
     *
     * @param data the {@code --data} value
     * @return the full configuration
     */
    public static SrAdamConfig full(String data) {
        return new SrAdamConfig(data, 10_000, 0, 0, 0.05, List.of(512, 64), 10, List.of(1L, 2L, 3L, 4L, 5L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, false, false);
    }

    /**
     * Toy sizes: 48 training and 48 test images, batch 16 and 8, 2 epochs, one seed.
     *
     * @param data the {@code --data} value
     * @return the quick configuration
     */
    public static SrAdamConfig toy(String data) {
        return new SrAdamConfig(data, 48, 48, 0, 0.05, List.of(16, 8), 2, List.of(1L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, false);
    }

    /**
     * The batch size of the large-batch claims.
     *
     * @return the largest batch size
     */
    public int largeBatch() {
        return batchSizes.get(0);
    }

    /**
     * The batch size of the small-batch claim.
     *
     * @return the smallest batch size
     */
    public int smallBatch() {
        return batchSizes.get(batchSizes.size() - 1);
    }

    /** The settings that must match for {@code --resume} (everything but the flag itself). */
    String fingerprint() {
        return "sr-adam " + data + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " noise " + inputNoise + " batches "
                + batchSizes + " epochs " + epochs + " seeds " + seeds + " lr " + lr + " all-params " + allVariant + " margin " + margin + " quick " + quick;
    }
}
