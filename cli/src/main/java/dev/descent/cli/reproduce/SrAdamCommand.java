// `descent reproduce sr-adam`: options → SrAdamConfig → the SR-Adam experiment.
package dev.descent.cli.reproduce;

import static dev.descent.cli.reproduce.ClippingCommand.or;

import dev.descent.bench.reproduce.sradam.SrAdamConfig;
import dev.descent.bench.reproduce.sradam.SrAdamExperiment;
import dev.descent.bench.reproduce.sradam.SrAdamMethod;
import dev.descent.optim.SteinRuleAdam;
import dev.descent.bench.report.Count;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent reproduce sr-adam}: an option left out takes the value of {@link SrAdamConfig#full} (or {@link SrAdamConfig#toy} with --quick). */
@Command(name = "sr-adam", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docs/papers.md §1: Adam vs SR-Adam (conv only, paper formula and whitened) vs SR-Adam on all parameters, with two mechanism"
                + " controls and SGD / momentum baselines.",
            "SimpleCNN; batches 512, 1024, 64 at input noise 0.05, and noise 0 and 0.1 at batch 512. On CIFAR-10 when given (--data cifar10:PATH); otherwise on a substitute, said so in the report."})
final class SrAdamCommand implements Callable<Integer> {
    @Mixin
    ReproduceOptions common;
    @Option(names = "--data", description = "cifar10:DIR|ARCHIVE (the paper's), fashion-mnist[:DIR], synthetic, or auto (default: Fashion-MNIST when"
            + " installed, else synthetic)")
    String data = "auto";
    @Option(names = "--train-subset", description = "training images, 0 for all (default: 0; quick 32)")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "test images, 0 for all (default: 0; quick 16)")
    Integer testSubset;
    @Option(names = "--input-noises", split = ",", description = "noise std on normalised training images; the first for the batch sweep, the others"
            + " at the first batch size (default: 0.05,0,0.1; quick 0.05,0.1)")
    List<Double> inputNoises;
    @Option(names = "--batch-sizes", split = ",", description = "batch sizes, the first the claims' large batch (default: 512,1024,64; quick 16,8)")
    List<Integer> batchSizes;
    @Option(names = "--epochs", description = "epochs (default: 9, 1,062 steps at batch 512 on 60,000 images; quick 2)")
    Integer epochs;
    @Option(names = "--methods", split = ",", description = "optimizers: adam, sr-paper, sr-whitened, sr-all, sr-raw, adam-conv-099, momentum, sgd"
            + " (default: all; each runs only in the cells of the paper's layout)")
    List<String> methods;
    @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3,4,5; quick 1)")
    List<Long> seeds;
    @Option(names = "--all-params-variant", description = "statistics of SR-Adam on all parameters: paper (default) or whitened")
    String allVariant = "paper";
    @Option(names = "--margin", description = "points of best test accuracy by which SR-Adam must beat Adam, judged by the paired 95%% interval (default: 0.5)")
    Double margin;
    @Option(names = "--resume", description = "keep the runs an interrupted invocation with the same settings completed in --out, continue the one it"
            + " was running from its last checkpoint, run the rest")
    boolean resume;
    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "optimizer steps between checkpoints of the run in progress (default: 100;"
            + " 0: at epoch ends only)")
    Long checkpointEvery;
    @Option(names = "--runs-from", split = ",", paramLabel = "DIR", description = "with --resume: also read back the completed runs of other"
            + " invocations' --out folders (one cell each, say, run on other cores or days) whose per-run settings match; the report then covers"
            + " the whole grid")
    List<Path> runsFrom;
    @Option(names = "--baseline", split = ",", paramLabel = "NAME[:LR]", description = "add optimizers by their descent train --optimizer name, in every"
            + " cell, paired by seed, at the experiment's lr (every optimizer here shares it; 1e-3) unless :LR is given; no weight decay")
    List<String> baselines;

    @Override
    public Integer call() throws IOException {
        SrAdamConfig d = common.quick ? SrAdamConfig.toy(data) : SrAdamConfig.full(data);
        SteinRuleAdam.Variant v = switch (allVariant) {
            case "paper" -> SteinRuleAdam.Variant.PAPER;
            case "whitened" -> SteinRuleAdam.Variant.WHITENED;
            default -> throw new IllegalArgumentException("--all-params-variant must be paper or whitened, was '" + allVariant + "'");
        };
        SrAdamConfig cfg = new SrAdamConfig(data, or(trainSubset, d.trainSubset()), or(testSubset, d.testSubset()), d.subsetSeed(),
                or(inputNoises, d.inputNoises()), or(batchSizes, d.batchSizes()), or(epochs, d.epochs()),
                methods == null ? d.methods() : methods.stream().map(SrAdamCommand::method).toList(), or(seeds, d.seeds()), d.lr(), v, or(margin, d.margin()), common.quick, resume)
                .withBaselines(dev.descent.bench.reproduce.Baseline.parseAll(baselines));
        if (checkpointEvery != null) cfg = cfg.withCheckpointEvery(checkpointEvery);
        if (runsFrom != null) cfg = cfg.withRunsFrom(runsFrom);
        String settings = String.format(Locale.ROOT, "data %s, %s, batch sizes %s, input noises %s, %s, seeds %s", cfg.data(),
                cfg.trainSubset() == 0 ? "all training images" : Count.of(cfg.trainSubset(), "training image"), cfg.batchSizes(), cfg.inputNoises(), Count.of(cfg.epochs(), "epoch"), cfg.seeds())
                + (cfg.baselines().isEmpty() ? "" : ", baselines " + String.join(", ", cfg.baselines().stream().map(b -> b.name()).toList()));
        return common.run(new SrAdamExperiment(), cfg, settings);
    }

    private static SrAdamMethod method(String key) {
        for (SrAdamMethod m : SrAdamMethod.values()) if (m.key().equals(key)) return m;
        throw new IllegalArgumentException("--methods values must be among " + java.util.Arrays.stream(SrAdamMethod.values()).map(SrAdamMethod::key).toList()
                + ", was '" + key + "'");
    }
}
