// `descent reproduce clipping`: options → ClippingConfig → the clipping experiment.
package dev.descent.cli.reproduce;

import dev.descent.bench.reproduce.clipping.ClippingConfig;
import dev.descent.bench.reproduce.clipping.ClippingConfig.Part;
import dev.descent.bench.reproduce.clipping.ClippingExperiment;
import dev.descent.bench.report.Count;
import dev.descent.optim.ClippingFramework;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent reproduce clipping}: an option left out takes the value of {@link ClippingConfig#full} (or {@link ClippingConfig#toy} with --quick). */
@Command(name = "clipping", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docs/papers.md §4: the x⁴ table (clipped vs fixed-step GD), then clipping on a network.",
            "The network part: SGD+momentum vs clipped SGD, clipped momentum and mixed clipping (10k images, batch 128, 12 epochs,"
                + " η and γ ÷ 10 after epoch 8, 2 seeds)."})
final class ClippingCommand implements Callable<Integer> {
    @Mixin
    ReproduceOptions common;
    @Option(names = "--part", description = "all (default), x4, network")
    String part = "all";
    @Option(names = "--data", description = "cifar10:DIR|ARCHIVE (the paper's), fashion-mnist[:DIR], synthetic, or auto (default)")
    String data = "auto";
    @Option(names = "--model", description = "simplecnn (default) or resnet32 (3-channel images only)")
    String model = "simplecnn";
    @Option(names = "--x4-starts", split = ",", description = "x⁴ starting points (default: 3,10,30,100)")
    List<Double> x4Starts;
    @Option(names = "--train-subset", description = "training images (default: 10000; quick 32)")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "test images, 0 for all (default: 0; quick 32)")
    Integer testSubset;
    @Option(names = "--batch-size", description = "batch size (default: 128; quick 16)")
    Integer batchSize;
    @Option(names = "--epochs", description = "epochs (default: 12; quick 2)")
    Integer epochs;
    @Option(names = "--milestone", description = "divide η and γ by 10 after this epoch (default: 8; quick 1)")
    Integer milestone;
    @Option(names = "--clip", split = ",", description = "the clipping methods' h, one arm each, the first the main one: soft (the authors' code),"
            + " hard (the paper's min) (default: soft,hard)")
    List<String> clips;
    @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3,4,5; quick 1)")
    List<Long> seeds;
    @Option(names = "--resume", description = "keep the network runs an interrupted invocation with the same settings completed in --out, continue the"
            + " one it was running from its last checkpoint, run the rest")
    boolean resume;
    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "optimizer steps between checkpoints of the network run in progress"
            + " (default: 100; 0: at epoch ends only)")
    Long checkpointEvery;
    @Option(names = "--baseline", split = ",", paramLabel = "NAME[:LR]", description = "add optimizers by their descent train --optimizer name to the"
            + " network part, paired by seed, each at its own default lr (as the four methods have theirs) unless :LR is given; the experiment's weight"
            + " decay; lr ÷ 10 after the milestone")
    List<String> baselines;

    @Override
    public Integer call() throws IOException {
        ClippingConfig d = common.quick ? ClippingConfig.toy(data, model) : ClippingConfig.full(data, model);
        Part p = switch (part) {
            case "all" -> Part.ALL;
            case "x4" -> Part.X4;
            case "network" -> Part.NETWORK;
            default -> throw new IllegalArgumentException("--part must be all, x4 or network, was '" + part + "'");
        };
        ClippingConfig cfg = new ClippingConfig(p, or(x4Starts, d.x4Starts()), data, model, or(trainSubset, d.trainSubset()), or(testSubset, d.testSubset()),
                d.subsetSeed(), or(batchSize, d.batchSize()), or(epochs, d.epochs()), or(milestone, d.milestone()), d.weightDecay(),
                clips == null ? d.clips() : clips.stream().map(ClippingCommand::clip).toList(),
                or(seeds, d.seeds()), common.quick, resume).withBaselines(dev.descent.bench.reproduce.Baseline.parseAll(baselines));
        if (checkpointEvery != null) cfg = cfg.withCheckpointEvery(checkpointEvery);
        String settings = "part " + part + (p == Part.NETWORK ? "" : ", x⁴ from " + cfg.x4Starts()) + (p == Part.X4 ? "" : String.format(Locale.ROOT,
                "; %s on %s, %s, batch %d, %s, decay after %d, seeds %s", cfg.model(), cfg.data(), Count.of(cfg.trainSubset(), "training image"),
                cfg.batchSize(), Count.of(cfg.epochs(), "epoch"), cfg.milestone(), cfg.seeds())
                + (cfg.baselines().isEmpty() ? "" : ", baselines " + String.join(", ", cfg.baselines().stream().map(b -> b.name()).toList())));
        return common.run(new ClippingExperiment(), cfg, settings);
    }

    private static ClippingFramework.Clip clip(String value) {
        return switch (value) {
            case "soft" -> ClippingFramework.Clip.SOFT;
            case "hard" -> ClippingFramework.Clip.HARD;
            default -> throw new IllegalArgumentException("--clip values must be soft or hard, was '" + value + "'");
        };
    }

    static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
