// `descent reproduce sr-adam`: options → SrAdamConfig → the SR-Adam experiment.
package dev.descent.cli.reproduce;

import static dev.descent.cli.reproduce.ClippingCommand.or;

import dev.descent.bench.reproduce.sradam.SrAdamConfig;
import dev.descent.bench.reproduce.sradam.SrAdamExperiment;
import dev.descent.optim.SteinRuleAdam;
import dev.descent.bench.report.Count;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent reproduce sr-adam}: an option left out takes the value of {@link SrAdamConfig#full} (or {@link SrAdamConfig#toy} with --quick). */
@Command(name = "sr-adam", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docs/papers.md §1: Adam vs SR-Adam (conv only, paper formula and whitened) vs SR-Adam on all parameters.",
            "SimpleCNN, input noise 0.05, batch 512 and 64. On CIFAR-10 when given (--data cifar10:PATH); otherwise on a substitute, said so in the report."})
final class SrAdamCommand implements Callable<Integer> {
    @Mixin
    ReproduceOptions common;
    @Option(names = "--data", description = "cifar10:DIR|ARCHIVE (the paper's), fashion-mnist[:DIR], synthetic, or auto (default: Fashion-MNIST when"
            + " installed, else synthetic)")
    String data = "auto";
    @Option(names = "--train-subset", description = "training images (default: 10000; quick 48)")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "test images, 0 for all (default: 0; quick 48)")
    Integer testSubset;
    @Option(names = "--input-noise", description = "noise std on normalised training images (default: 0.05)")
    Double inputNoise;
    @Option(names = "--batch-sizes", split = ",", description = "batch sizes (default: 512,64; quick 16,8)")
    List<Integer> batchSizes;
    @Option(names = "--epochs", description = "epochs (default: 10; quick 2)")
    Integer epochs;
    @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3,4,5; quick 1)")
    List<Long> seeds;
    @Option(names = "--all-params-variant", description = "statistics of SR-Adam on all parameters: paper (default) or whitened")
    String allVariant = "paper";
    @Option(names = "--margin", description = "points of best test accuracy by which SR-Adam must beat Adam, judged by the paired 95%% interval (default: 0.5)")
    Double margin;
    @Option(names = "--resume", description = "keep the runs an interrupted invocation with the same settings completed in --out; run the rest")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        SrAdamConfig d = common.quick ? SrAdamConfig.toy(data) : SrAdamConfig.full(data);
        SteinRuleAdam.Variant v = switch (allVariant) {
            case "paper" -> SteinRuleAdam.Variant.PAPER;
            case "whitened" -> SteinRuleAdam.Variant.WHITENED;
            default -> throw new IllegalArgumentException("--all-params-variant must be paper or whitened, was '" + allVariant + "'");
        };
        SrAdamConfig cfg = new SrAdamConfig(data, or(trainSubset, d.trainSubset()), or(testSubset, d.testSubset()), d.subsetSeed(),
                or(inputNoise, d.inputNoise()), or(batchSizes, d.batchSizes()), or(epochs, d.epochs()), or(seeds, d.seeds()), d.lr(), v, or(margin, d.margin()), common.quick, resume);
        String settings = String.format(Locale.ROOT, "data %s, %s, batch sizes %s, %s, seeds %s", cfg.data(),
                Count.of(cfg.trainSubset(), "training image"), cfg.batchSizes(), Count.of(cfg.epochs(), "epoch"), cfg.seeds());
        return common.run(new SrAdamExperiment(), cfg, settings);
    }
}
