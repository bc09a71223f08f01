// The settings of the clipping reproduction (docs/papers.md §4), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.reproduce.Experiment;
import java.util.List;

/**
 * The clipping experiment's settings.
 *
 * @param part        which parts run
 * @param x4Starts    the x⁴ starting points
 * @param data        the {@code --data} value
 * @param model       {@code simplecnn} or {@code resnet32} (3-channel images only)
 * @param trainSubset training images (class-stratified subset)
 * @param testSubset  test images, the first ones (0: all)
 * @param subsetSeed  seed of the training subset
 * @param batchSize   mini-batch size
 * @param epochs      epochs per run
 * @param milestone   the epoch after which η and γ are divided by 10 (the decay applies from epoch milestone + 1)
 * @param weightDecay L2 weight decay of every optimizer
 * @param softClip    the authors' soft h for the momentum variants instead of the paper's hard min
 * @param seeds       seeds
 * @param quick       toy sizes; the report claims nothing
 * @param resume      read back the network runs an earlier invocation with the same settings completed in the output folder
 */
public record ClippingConfig(Part part, List<Double> x4Starts, String data, String model, int trainSubset, int testSubset, long subsetSeed, int batchSize,
                             int epochs, int milestone, double weightDecay, boolean softClip, List<Long> seeds, boolean quick, boolean resume)
        implements Experiment.Config {

    /** Which parts run. */
    public enum Part {
        /** The x⁴ table, then the network. */
        ALL,
        /** The x⁴ table only. */
        X4,
        /** The network only. */
        NETWORK
    }

    /** Validates every setting, naming the bad value. */
    public ClippingConfig {
        Experiment.Config.requireNonEmpty("--x4-starts", x4Starts);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        for (double x : x4Starts) if (!(x > 0) || Double.isInfinite(x)) throw new IllegalArgumentException("--x4-starts values must be > 0, was " + x);
        if (!model.equals("simplecnn") && !model.equals("resnet32")) throw new IllegalArgumentException("--model must be simplecnn or resnet32, was '" + model + "'");
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batchSize);
        if (epochs < 2) throw new IllegalArgumentException("--epochs must be >= 2 (a decay needs an epoch before and after it), was " + epochs);
        if (milestone < 1 || milestone >= epochs) throw new IllegalArgumentException("--milestone must be in [1, epochs), was " + milestone);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, was " + weightDecay);
        x4Starts = List.copyOf(x4Starts);
        seeds = List.copyOf(seeds);
    }

    /**
     * The full setup: the four x⁴ starts; SimpleCNN, 10,000 training images, the full test set, batch 128, 12 epochs,
     * η and γ ÷ 10 after epoch 8, weight decay 5e-4, seeds 1 to 5, the paper's hard clipping.
     *
     * @param data the {@code --data} value
     * @param model the network
     * @return the full configuration
     */
    public static ClippingConfig full(String data, String model) {
        return new ClippingConfig(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 10_000, 0, 0, 128, 12, 8, 5e-4, false, List.of(1L, 2L, 3L, 4L, 5L), false, false);
    }

    /**
     * Toy sizes: the full x⁴ table (it takes about a second); 64 training and 64 test images, batch 16, 2 epochs with the decay after the first, one seed.
     *
     * @param data the {@code --data} value
     * @param model the network
     * @return the quick configuration
     */
    public static ClippingConfig toy(String data, String model) {
        return new ClippingConfig(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 64, 64, 0, 16, 2, 1, 5e-4, false, List.of(1L), true, false);
    }

    /** Whether the x⁴ table runs. */
    boolean runsX4() {
        return part != Part.NETWORK;
    }

    /** Whether the network runs. */
    boolean runsNetwork() {
        return part != Part.X4;
    }

    /** The network settings that must match for {@code --resume}. */
    String fingerprint() {
        return "clipping " + data + " model " + model + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " batch "
                + batchSize + " epochs " + epochs + " milestone " + milestone + " wd " + weightDecay + " soft " + softClip + " seeds " + seeds
                + " quick " + quick;
    }
}
