// The settings of the SR-Adam reproduction (docs/papers.md §1), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.optim.SteinRuleAdam;
import java.util.ArrayList;
import java.util.List;

/**
 * The SR-Adam experiment's settings. The runs form two sweeps that share one cell, as in the paper: the batch sweep
 * at the first input-noise level, and the noise sweep at the first batch size.
 *
 * @param data        the {@code --data} value: {@code cifar10:PATH}, or a substitute ({@code auto}: Fashion-MNIST when installed)
 * @param trainSubset training images (class-stratified subset; 0: the full training set)
 * @param testSubset  test images, the first ones (0: the full test set)
 * @param subsetSeed  seed of the training subset (one subset for every run)
 * @param inputNoises std of the Gaussian noise on normalised training images; the first is the batch sweep's (the paper's 0.05)
 * @param batchSizes  the batch sizes; the first is the claims' large batch (the paper's 512) and the noise sweep's, the smallest
 *                    the "small batch", a larger one than the first the batch-1024 claim's
 * @param epochs      epochs per run
 * @param methods     the optimizers to run (each only in the cells {@link #methodsIn} gives it)
 * @param seeds       seeds (initial weights, shuffles, augmentation, noise, dropout)
 * @param lr          learning rate of every optimizer
 * @param allVariant  how SR-Adam on all parameters computes its statistics
 * @param margin      points of best test accuracy a "beats Adam" claim must clear (the lower end of the paired 95 % interval of
 *                    SR-Adam − Adam above it); fixed before the run
 * @param quick       toy sizes; the report claims nothing
 * @param resume      read back the runs an earlier invocation with the same settings completed in the output folder
 * @param baselines   optimizers added by name ({@code --baseline}), run in every cell at {@code lr} unless given their own, paired by seed
 * @param checkpointEvery optimizer steps between a run's checkpoints ({@code --checkpoint-every}; 0: at epoch ends only), from which
 *                    {@code --resume} continues an interrupted run; not part of the settings a resumption must match
 * @param runsFrom    output folders of other invocations ({@code --runs-from}) whose completed runs are read back like this folder's own
 *                    when their per-run settings match ({@link #runSettings}): one grid split over several invocations (one per cell,
 *                    say, on different cores, machines or days) and then gathered into one report
 */
public record SrAdamConfig(String data, int trainSubset, int testSubset, long subsetSeed, List<Double> inputNoises, List<Integer> batchSizes, int epochs,
                           List<SrAdamMethod> methods, List<Long> seeds, double lr, SteinRuleAdam.Variant allVariant, double margin, boolean quick, boolean resume,
                           List<dev.descent.bench.reproduce.Baseline> baselines, long checkpointEvery, List<java.nio.file.Path> runsFrom) implements Experiment.Config {

    /**
     * The settings with checkpoints every {@link dev.descent.bench.reproduce.Resumption#NETWORK_EVERY} steps.
     *
     * @param data        the {@code --data} value
     * @param trainSubset training images
     * @param testSubset  test images
     * @param subsetSeed  seed of the training subset
     * @param inputNoises input-noise levels
     * @param batchSizes  batch sizes
     * @param epochs      epochs per run
     * @param methods     the optimizers
     * @param seeds       seeds
     * @param lr          learning rate
     * @param allVariant  SR-Adam on all parameters' statistics
     * @param margin      the claims' margin
     * @param quick       toy sizes
     * @param resume      resume an interrupted invocation
     * @param baselines   optimizers added by name
     */
    public SrAdamConfig(String data, int trainSubset, int testSubset, long subsetSeed, List<Double> inputNoises, List<Integer> batchSizes, int epochs,
                        List<SrAdamMethod> methods, List<Long> seeds, double lr, SteinRuleAdam.Variant allVariant, double margin, boolean quick, boolean resume,
                        List<dev.descent.bench.reproduce.Baseline> baselines) {
        this(data, trainSubset, testSubset, subsetSeed, inputNoises, batchSizes, epochs, methods, seeds, lr, allVariant, margin, quick, resume, baselines,
                dev.descent.bench.reproduce.Resumption.NETWORK_EVERY, List.of());
    }

    /** The settings with no baseline added. */
    public SrAdamConfig(String data, int trainSubset, int testSubset, long subsetSeed, List<Double> inputNoises, List<Integer> batchSizes, int epochs,
                        List<SrAdamMethod> methods, List<Long> seeds, double lr, SteinRuleAdam.Variant allVariant, double margin, boolean quick, boolean resume) {
        this(data, trainSubset, testSubset, subsetSeed, inputNoises, batchSizes, epochs, methods, seeds, lr, allVariant, margin, quick, resume, List.of());
    }

    /**
     * The same settings with these baselines added.
     *
     * @param added the baselines
     * @return the settings
     */
    public SrAdamConfig withBaselines(List<dev.descent.bench.reproduce.Baseline> added) {
        return new SrAdamConfig(data, trainSubset, testSubset, subsetSeed, inputNoises, batchSizes, epochs, methods, seeds, lr, allVariant, margin, quick, resume,
                added, checkpointEvery, runsFrom);
    }

    /**
     * The same settings with another checkpoint interval.
     *
     * @param steps optimizer steps between a run's checkpoints (0: at epoch ends only)
     * @return the settings
     */
    public SrAdamConfig withCheckpointEvery(long steps) {
        return new SrAdamConfig(data, trainSubset, testSubset, subsetSeed, inputNoises, batchSizes, epochs, methods, seeds, lr, allVariant, margin, quick, resume,
                baselines, steps, runsFrom);
    }

    /**
     * The same settings, reading completed runs from other invocations' output folders too.
     *
     * @param folders the folders ({@code --runs-from}); a run found in several is taken from the first, this invocation's own folder first of all
     * @return the settings
     */
    public SrAdamConfig withRunsFrom(List<java.nio.file.Path> folders) {
        return new SrAdamConfig(data, trainSubset, testSubset, subsetSeed, inputNoises, batchSizes, epochs, methods, seeds, lr, allVariant, margin, quick, resume,
                baselines, checkpointEvery, folders);
    }

    /**
     * One configuration of data and batch that every optimizer runs on.
     *
     * @param batch the batch size
     * @param noise the input-noise std
     */
    public record Cell(int batch, double noise) {}

    /** Validates every setting, naming the bad value. */
    public SrAdamConfig {
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0, was " + checkpointEvery);
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0, were " + trainSubset + ", " + testSubset);
        Experiment.Config.requireNonEmpty("--input-noises", inputNoises);
        for (double s : inputNoises) if (!(s >= 0) || Double.isInfinite(s)) throw new IllegalArgumentException("--input-noises values must be >= 0, was " + s);
        Experiment.Config.requireNonEmpty("--batch-sizes", batchSizes);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        Experiment.Config.requireNonEmpty("--methods", methods);
        for (int b : batchSizes) if (b < 1) throw new IllegalArgumentException("--batch-sizes values must be >= 1, was " + b);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, was " + epochs);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, was " + lr);
        if (!(margin >= 0) || Double.isInfinite(margin)) throw new IllegalArgumentException("--margin must be a finite number >= 0, was " + margin);
        batchSizes = batchSizes.stream().distinct().toList();
        inputNoises = inputNoises.stream().distinct().toList();
        seeds = List.copyOf(seeds);
        methods = java.util.Arrays.stream(SrAdamMethod.values()).filter(methods::contains).toList();
        baselines = List.copyOf(baselines);
        runsFrom = List.copyOf(runsFrom);
        if (!runsFrom.isEmpty() && !resume) throw new IllegalArgumentException("--runs-from reads completed runs back, which only --resume does: add --resume");
    }

    /**
     * The full setup: the full training set (Fashion-MNIST: 60,000 images) and test set, 9 epochs — 1,062 optimizer steps at
     * batch 512, the paper's order of magnitude (CIFAR-10: 50,000 images, 20 epochs, 1,960 steps) — batches 512 (the claims'), 1024 and
     * 64 at noise 0.05, noise levels 0.05, 0 and 0.1 at batch 512, every optimizer where {@link #methodsIn} puts it (30 runs per seed),
     * seeds 1–5, lr 1e-3, margin 0.5 points.
     *
     * @param data the {@code --data} value
     * @return the full configuration
     */
    public static SrAdamConfig full(String data) {
        return new SrAdamConfig(data, 0, 0, 0, List.of(0.05, 0.0, 0.1), List.of(512, 1024, 64), 9, List.of(SrAdamMethod.values()),
                List.of(1L, 2L, 3L, 4L, 5L), 1e-3,
                SteinRuleAdam.Variant.PAPER, 0.5, false, false);
    }

    /**
     * Toy sizes: 32 training and 16 test images, batch 16 and 8 at noise 0.05 and noise 0.1 at batch 16, 2 epochs, one seed.
     *
     * @param data the {@code --data} value
     * @return the quick configuration
     */
    public static SrAdamConfig toy(String data) {
        return new SrAdamConfig(data, 32, 16, 0, List.of(0.05, 0.1), List.of(16, 8), 2, List.of(SrAdamMethod.values()), List.of(1L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, false);
    }

    /**
     * The batch size of the large-batch claims and of the noise sweep.
     *
     * @return the first batch size
     */
    public int mainBatch() {
        return batchSizes.getFirst();
    }

    /**
     * The noise of the batch sweep.
     *
     * @return the first noise level
     */
    public double mainNoise() {
        return inputNoises.getFirst();
    }

    /**
     * The batch size of the small-batch claims.
     *
     * @return the smallest batch size
     */
    public int smallBatch() {
        return batchSizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
    }

    /**
     * The largest batch size (the paper's batch-1024 claim when above {@link #mainBatch}).
     *
     * @return the largest batch size
     */
    public int largestBatch() {
        return batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /**
     * The cells, in run order: the batch sweep at the main noise, then the other noise levels at the main batch.
     *
     * @return the distinct cells
     */
    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (int b : batchSizes) cells.add(new Cell(b, mainNoise()));
        for (double s : inputNoises.subList(1, inputNoises.size())) cells.add(new Cell(mainBatch(), s));
        return List.copyOf(cells);
    }

    /**
     * The optimizers a cell runs, in {@link SrAdamMethod} order, as the paper lays them out: Adam and SR-Adam (both variants) in
     * every cell; SR-Adam on all parameters and the SGD baselines in the noise sweep's cells (the main batch), as in the paper's
     * noise table; the two mechanism controls in the batch sweep's cells (the main noise). Only those among {@link #methods}.
     *
     * @param cell the cell
     * @return its optimizers
     */
    public List<SrAdamMethod> methodsIn(Cell cell) {
        return methods.stream().filter(m -> switch (m) {
            case ADAM, SR_WHITENED, SR_PAPER -> true;
            case SR_ALL, SGD, MOMENTUM -> cell.batch() == mainBatch();
            case SR_RAW, ADAM_CONV_099 -> cell.noise() == mainNoise();
        }).toList();
    }

    /**
     * What a cell runs: {@link #methodsIn} and then every baseline.
     *
     * @param cell the cell
     * @return its arms, in run and report order
     */
    public List<SrAdamArm> armsIn(Cell cell) {
        List<SrAdamArm> arms = new ArrayList<>(methodsIn(cell));
        for (var b : baselines) arms.add(new SrAdamArm.BaselineArm(b));
        return List.copyOf(arms);
    }

    /**
     * Every arm of any cell: {@link #methods} and the baselines.
     *
     * @return the arms
     */
    public List<SrAdamArm> arms() {
        List<SrAdamArm> arms = new ArrayList<>(methods);
        for (var b : baselines) arms.add(new SrAdamArm.BaselineArm(b));
        return List.copyOf(arms);
    }

    /**
     * The settings one run depends on, taken from a {@link #fingerprint}: the fingerprint without the grid (noise levels, batch sizes,
     * seeds, methods) and the margin, which decide which runs there are and how they are judged, not what a run computes. A run is
     * keyed by its method, batch, noise and seed; two invocations with the same run settings compute the same run bit for bit (at one
     * thread count and vector width), whatever else their grids hold.
     *
     * @param fingerprint a fingerprint, as {@code settings.txt} holds it
     * @return the fingerprint without its grid and margin
     */
    static String runSettings(String fingerprint) {
        return fingerprint.strip().replaceAll(" (noises|batches|seeds|methods) \\[[^\\]]*\\]", "").replaceAll(" margin \\S+", "");
    }

    /** The settings that must match for {@code --resume} (everything but the flag itself). */
    String fingerprint() {
        return "sr-adam " + data + " train " + trainSubset + " test " + testSubset + " subset-seed " + subsetSeed + " noises " + inputNoises + " batches "
                + batchSizes + " epochs " + epochs + " seeds " + seeds + " lr " + lr + " all-params " + allVariant + " margin " + margin + " quick " + quick
                + " methods " + methods + (baselines.isEmpty() ? "" : " baselines " + baselines);
    }
}
