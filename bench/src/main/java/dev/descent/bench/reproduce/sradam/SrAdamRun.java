// Runs the SR-Adam reproduction: every optimizer, batch size and seed on SimpleCNN, with SR-Adam's factor c after every step.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.ImageSource;
import dev.descent.bench.ModelFactory;
import dev.descent.bench.reproduce.NetworkRun;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.sradam.SrAdamOutcome.Run;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.SteinRuleAdam;
import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The run of the SR-Adam experiment: for each cell (batch size and input noise), seed and {@link SrAdamMethod} in that order,
 * SimpleCNN from the seed's initial weights on the seed's batches, augmentation and noise. The CSV
 * files are rewritten after every run so that {@code --resume} can keep the finished ones.
 */
final class SrAdamRun {
    private SrAdamRun() {}

    static SrAdamOutcome run(SrAdamConfig cfg, Path out, PrintStream log) throws IOException {
        ImageSource data = NetworkRun.load(cfg.data(), cfg.trainSubset(), cfg.testSubset(), cfg.subsetSeed(), log);
        Dataset test = data.testSet();
        Map<String, Run> earlier = cfg.resume() ? earlierRuns(cfg, out) : Map.of();
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Run> runs = new ArrayList<>();
        long params = model(data, 0).parameterCount();
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            int batch = cell.batch();
            Dataset train = data.trainingSet(true, cell.noise());
            String noise = "n" + Statistics.sig(cell.noise());
            for (long seed : cfg.seeds()) {
                for (SrAdamArm m : cfg.armsIn(cell)) {
                    Run before = earlier.get(SrAdamCsv.key(m, batch, cell.noise(), seed));
                    if (before != null) {
                        runs.add(before);
                        log.printf(Locale.ROOT, "  %s b%d %s s%d: read back from the earlier invocation (best test accuracy %.2f%%)%n", m.key(), batch, noise,
                                seed, 100 * before.result().bestTestAccuracy());
                        continue;
                    }
                    Sequential model = model(data, seed);
                    Optimizer opt = m.optimizer(model, cfg);
                    List<double[]> shrink = new ArrayList<>();
                    Callback probe = new Callback() { // SR-Adam's shrinkage factor after every step
                        @Override
                        public void onStep(Trainer t, Step s) {
                            if (m.shrinks()) shrink.add(new double[] {s.step(), s.epoch(), ((SteinRuleAdam) opt).lastShrinkage(0)});
                        }
                    };
                    TrainResult r = NetworkRun.train(m.key() + " b" + batch + " " + noise + " s" + seed, model, opt, null, train, test, batch, cfg.epochs(), seed ^ 0xDA7AL,
                            log, probe);
                    runs.add(new Run(m, batch, cell.noise(), seed, r, shrink));
                    SrAdamCsv.write(runs, out);
                }
            }
        }
        return new SrAdamOutcome(List.copyOf(runs), data, params, earlier.size(), SrAdamOutcome.verdicts(cfg, runs));
    }

    private static Sequential model(ImageSource data, long seed) {
        return ModelFactory.create("simplecnn", data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(),
                new SplittableRandom(seed));
    }

    /** The runs an earlier invocation with the same settings completed, read back from its CSV files; keyed method/batch/noise/seed. */
    static Map<String, Run> earlierRuns(SrAdamConfig cfg, Path out) throws IOException {
        if (!Resumption.matches(out, cfg.fingerprint(), SrAdamCsv.RUNS)) return Map.of();
        Map<String, Run> runs = new LinkedHashMap<>();
        for (Run r : SrAdamCsv.readRuns(out, cfg)) runs.put(SrAdamCsv.key(r.method(), r.batch(), r.noise(), r.seed()), r);
        return runs;
    }
}
