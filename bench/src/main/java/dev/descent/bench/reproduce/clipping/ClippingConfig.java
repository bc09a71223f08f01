// The settings of the clipping reproduction (docs/papers.md §4), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.optim.ClippingFramework.Clip;
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
 * @param clips       the clipping functions h the three clipping methods run with, one arm each; the first is the main arm
 *                    (the authors' soft h by default, the paper's hard min the second)
 * @param seeds       seeds
 * @param quick       toy sizes; the report claims nothing
 * @param resume      read back the network runs an earlier invocation with the same settings completed in the output folder
 * @param baselines   optimizers added by name ({@code --baseline}), each at its own learning rate, paired by seed with the four methods
 * @param checkpointEvery optimizer steps between a network run's checkpoints ({@code --checkpoint-every}; 0: at epoch ends only), from
 *                    which {@code --resume} continues an interrupted run; not part of the settings a resumption must match
 */
public record ClippingConfig(Part part, List<Double> x4Starts, String data, String model, int trainSubset, int testSubset, long subsetSeed, int batchSize,
                             int epochs, int milestone, double weightDecay, List<Clip> clips, List<Long> seeds, boolean quick, boolean resume,
                             List<dev.descent.bench.reproduce.Baseline> baselines, long checkpointEvery)
        implements Experiment.Config {

    /**
     * The settings with checkpoints every {@link dev.descent.bench.reproduce.Resumption#NETWORK_EVERY} steps.
     *
     * @param part        which parts run
     * @param x4Starts    the x⁴ starts
     * @param data        the {@code --data} value
     * @param model       the network
     * @param trainSubset training images
     * @param testSubset  test images
     * @param subsetSeed  seed of the training subset
     * @param batchSize   mini-batch size
     * @param epochs      epochs per run
     * @param milestone   the decay's epoch
     * @param weightDecay L2 weight decay
     * @param clips       the clipping functions
     * @param seeds       seeds
     * @param quick       toy sizes
     * @param resume      resume an interrupted invocation
     * @param baselines   optimizers added by name
     */
    public ClippingConfig(Part part, List<Double> x4Starts, String data, String model, int trainSubset, int testSubset, long subsetSeed, int batchSize,
                          int epochs, int milestone, double weightDecay, List<Clip> clips, List<Long> seeds, boolean quick, boolean resume,
                          List<dev.descent.bench.reproduce.Baseline> baselines) {
        this(part, x4Starts, data, model, trainSubset, testSubset, subsetSeed, batchSize, epochs, milestone, weightDecay, clips, seeds, quick, resume, baselines,
                dev.descent.bench.reproduce.Resumption.NETWORK_EVERY);
    }

    /** The settings with no baseline added. */
    public ClippingConfig(Part part, List<Double> x4Starts, String data, String model, int trainSubset, int testSubset, long subsetSeed, int batchSize,
                          int epochs, int milestone, double weightDecay, List<Clip> clips, List<Long> seeds, boolean quick, boolean resume) {
        this(part, x4Starts, data, model, trainSubset, testSubset, subsetSeed, batchSize, epochs, milestone, weightDecay, clips, seeds, quick, resume, List.of());
    }

    /**
     * The same settings with these baselines added.
     *
     * @param added the baselines
     * @return the settings
     */
    public ClippingConfig withBaselines(List<dev.descent.bench.reproduce.Baseline> added) {
        return new ClippingConfig(part, x4Starts, data, model, trainSubset, testSubset, subsetSeed, batchSize, epochs, milestone, weightDecay, clips, seeds,
                quick, resume, added, checkpointEvery);
    }

    /**
     * The same settings with another checkpoint interval.
     *
     * @param steps optimizer steps between a network run's checkpoints (0: at epoch ends only)
     * @return the settings
     */
    public ClippingConfig withCheckpointEvery(long steps) {
        return new ClippingConfig(part, x4Starts, data, model, trainSubset, testSubset, subsetSeed, batchSize, epochs, milestone, weightDecay, clips, seeds,
                quick, resume, baselines, steps);
    }

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
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0, was " + checkpointEvery);
        Experiment.Config.requireNonEmpty("--x4-starts", x4Starts);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        Experiment.Config.requireNonEmpty("--clip", clips);
        baselines = List.copyOf(baselines);
        for (double x : x4Starts) if (!(x > 0) || Double.isInfinite(x)) throw new IllegalArgumentException("--x4-starts values must be > 0, was " + x);
        if (!model.equals("simplecnn") && !model.equals("resnet32")) throw new IllegalArgumentException("--model must be simplecnn or resnet32, was '" + model + "'");
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batchSize);
        if (epochs < 2) throw new IllegalArgumentException("--epochs must be >= 2 (a decay needs an epoch before and after it), was " + epochs);
        if (milestone < 1 || milestone >= epochs) throw new IllegalArgumentException("--milestone must be in [1, epochs), was " + milestone);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, was " + weightDecay);
        x4Starts = List.copyOf(x4Starts);
        seeds = List.copyOf(seeds);
        clips = clips.stream().distinct().toList();
    }

    /**
     * The full setup: the four x⁴ starts; SimpleCNN, 10,000 training images, the full test set, batch 128, 12 epochs,
     * η and γ ÷ 10 after epoch 8 (632 steps before the decay, 2.0 % of the paper's 31,280), weight decay 5e-4, seeds 1 to 5, the authors'
     * soft h as the main arm and the paper's hard h as the second.
     *
     * @param data the {@code --data} value
     * @param model the network
     * @return the full configuration
     */
    public static ClippingConfig full(String data, String model) {
        return new ClippingConfig(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 10_000, 0, 0, 128, 12, 8, 5e-4, List.of(Clip.SOFT, Clip.HARD),
                List.of(1L, 2L, 3L, 4L, 5L), false, false);
    }

    /**
     * Toy sizes: the full x⁴ table (it takes about a second); 32 training and 32 test images, batch 16, 2 epochs with the decay after the first,
     * both arms, one seed.
     *
     * @param data the {@code --data} value
     * @param model the network
     * @return the quick configuration
     */
    public static ClippingConfig toy(String data, String model) {
        return new ClippingConfig(Part.ALL, List.of(3.0, 10.0, 30.0, 100.0), data, model, 32, 32, 0, 16, 2, 1, 5e-4, List.of(Clip.SOFT, Clip.HARD), List.of(1L), true,
                false);
    }

    /** Whether the x⁴ table runs. */
    boolean runsX4() {
        return part != Part.NETWORK;
    }

    /** Whether the network runs. */
    boolean runsNetwork() {
        return part != Part.X4;
    }

    /**
     * The runs of one seed, in order: SGD+momentum (no h), then the three clipping methods in each arm, then the baselines (no h).
     *
     * @return {method, clip (null for SGD+momentum)} pairs
     */
    public List<Object[]> arms() {
        List<Object[]> a = new java.util.ArrayList<>();
        a.add(new Object[] {ClippingMethod.SGD_MOMENTUM, null});
        for (Clip c : clips) {
            for (ClippingMethod m : ClippingMethod.values()) if (m != ClippingMethod.SGD_MOMENTUM) a.add(new Object[] {m, c});
        }
        for (var b : baselines) a.add(new Object[] {new ClippingArm.BaselineArm(b), null});
        return a;
    }

    /** The network settings that must match for {@code --resume}. */
    String fingerprint() {
        return "clipping " + data + " model " + model + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " batch "
                + batchSize + " epochs " + epochs + " milestone " + milestone + " wd " + weightDecay + " clips " + clips + " seeds " + seeds
                + " quick " + quick + (baselines.isEmpty() ? "" : " baselines " + baselines);
    }
}
