// Runs the SR-Adam reproduction: every optimizer, batch size and seed on SimpleCNN, with SR-Adam's factor c after every step.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.ImageSource;
import dev.descent.bench.ModelFactory;
import dev.descent.bench.reproduce.NetworkRun;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.sradam.SrAdamOutcome.Run;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.Safetensors;
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
import java.nio.file.Files;
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
 * files are rewritten after every run so that {@code --resume} can keep the finished ones, and a run in progress
 * checkpoints every {@link SrAdamConfig#checkpointEvery} steps, its shrinkage series included, so that it continues
 * where it was ({@link dev.descent.bench.reproduce.Resumption}).
 */
final class SrAdamRun {
    private SrAdamRun() {}

    static SrAdamOutcome run(SrAdamConfig cfg, Path out, PrintStream log) throws IOException {
        ImageSource data = NetworkRun.load(cfg.data(), cfg.trainSubset(), cfg.testSubset(), cfg.subsetSeed(), log);
        Dataset test = data.testSet();
        Map<String, Run> earlier = cfg.resume() ? earlierRuns(cfg, out) : Map.of();
        if (!cfg.resume()) Resumption.startFresh(out);
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Run> runs = new ArrayList<>();
        long params = model(data, 0).parameterCount();
        for (SrAdamConfig.Cell cell : cfg.cells()) {
            int batch = cell.batch();
            Dataset train = data.trainingSet(true, cell.noise());
            String noise = "n" + Statistics.sig(cell.noise());
            for (long seed : cfg.seeds()) {
                for (SrAdamArm m : cfg.armsIn(cell)) {
                    String key = SrAdamCsv.key(m, batch, cell.noise(), seed);
                    Run before = earlier.get(key);
                    if (before != null) {
                        runs.add(before);
                        Resumption.finished(out, key); // a checkpoint left by a crash after the run's rows were written
                        log.printf(Locale.ROOT, "  %s b%d %s s%d: read back from the earlier invocation (best test accuracy %.2f%%)%n", m.key(), batch, noise,
                                seed, 100 * before.result().bestTestAccuracy());
                        continue;
                    }
                    Sequential model = model(data, seed);
                    Optimizer opt = m.optimizer(model, cfg);
                    ShrinkageProbe probe = new ShrinkageProbe(m.shrinks() ? (SteinRuleAdam) opt : null);
                    TrainResult r = NetworkRun.train(m.key() + " b" + batch + " " + noise + " s" + seed,
                            new NetworkRun.Checkpointing(Resumption.runFolder(out, key), cfg.checkpointEvery()), model, opt, null, train, test, batch,
                            cfg.epochs(), seed ^ 0xDA7AL, log, probe);
                    runs.add(new Run(m, batch, cell.noise(), seed, r, probe.series));
                    SrAdamCsv.write(runs, out);
                    Resumption.finished(out, key);
                }
            }
        }
        SrAdamCsv.write(runs, out); // also when every run was read back (from --runs-from folders, say): the folder then holds the whole grid
        return new SrAdamOutcome(List.copyOf(runs), data, params, earlier.size(), SrAdamOutcome.verdicts(cfg, runs));
    }

    /**
     * SR-Adam's shrinkage factor c after every step, as {@code (step, epoch, c)} rows; kept in every checkpoint
     * ({@code shrinkage.safetensors}, float64, so exactly) and read back when the run continues from one.
     */
    static final class ShrinkageProbe implements Callback {
        static final String FILE = "shrinkage.safetensors";
        final List<double[]> series = new ArrayList<>();
        private final SteinRuleAdam opt;

        /** @param opt the optimizer whose factor is recorded, or null for an arm that does not shrink (the series stays empty) */
        ShrinkageProbe(SteinRuleAdam opt) {
            this.opt = opt;
        }

        @Override
        public void onStep(Trainer t, Step s) {
            if (opt != null) series.add(new double[] {s.step(), s.epoch(), opt.lastShrinkage(0)});
        }

        @Override
        public void onCheckpoint(Trainer t, Path checkpoint) throws IOException {
            double[] flat = new double[3 * series.size()];
            for (int i = 0; i < series.size(); i++) System.arraycopy(series.get(i), 0, flat, 3 * i, 3);
            Safetensors.save(Map.of("shrinkage", Tensor.of(flat, series.size(), 3)), Map.of(), checkpoint.resolve(FILE));
        }

        @Override
        public void onRestore(Trainer t, Path checkpoint) throws IOException {
            Path file = checkpoint.resolve(FILE);
            Tensor saved = Safetensors.load(file).tensors().get("shrinkage");
            if (saved == null || saved.dim() != 2 || saved.size(1) != 3 || saved.dtype() != DType.FLOAT64 || saved.size(0) != (opt == null ? 0 : t.steps())) {
                throw new IOException(file + ": expected a float64 tensor 'shrinkage' of " + (opt == null ? 0 : t.steps()) + " × 3 (one row per step so far), found "
                        + (saved == null ? "none" : saved.dtype() + " " + java.util.Arrays.toString(saved.shape())));
            }
            double[] flat = saved.toDoubleArray();
            series.clear();
            for (int i = 0; i < flat.length; i += 3) series.add(new double[] {flat[i], flat[i + 1], flat[i + 2]});
        }
    }

    private static Sequential model(ImageSource data, long seed) {
        return ModelFactory.create("simplecnn", data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(),
                new SplittableRandom(seed));
    }

    /**
     * The runs an earlier invocation with the same settings completed, read back from its CSV files, then those of the
     * {@link SrAdamConfig#runsFrom} folders whose runs were computed with the same {@link SrAdamConfig#runSettings}; keyed
     * method/batch/noise/seed, the first found kept.
     */
    static Map<String, Run> earlierRuns(SrAdamConfig cfg, Path out) throws IOException {
        Map<String, Run> runs = new LinkedHashMap<>();
        if (Resumption.matches(out, cfg.fingerprint(), SrAdamCsv.RUNS) && Files.exists(out.resolve(SrAdamCsv.RUNS))) addRuns(runs, out, cfg);
        String ours = SrAdamConfig.runSettings(cfg.fingerprint());
        for (Path other : cfg.runsFrom()) {
            Path settings = other.resolve(Resumption.FILE);
            if (!Files.exists(other.resolve(SrAdamCsv.RUNS)) || !Files.exists(settings)) {
                throw new IOException("--runs-from " + other + ": no " + SrAdamCsv.RUNS + " and " + Resumption.FILE + " there (an output folder of descent reproduce sr-adam)");
            }
            String theirs = SrAdamConfig.runSettings(Files.readString(settings));
            if (!theirs.equals(ours)) {
                throw new IllegalArgumentException("--runs-from " + other + ": its runs were computed with other settings: " + theirs + "; this invocation's: " + ours);
            }
            addRuns(runs, other, cfg);
        }
        return runs;
    }

    private static void addRuns(Map<String, Run> runs, Path folder, SrAdamConfig cfg) throws IOException {
        for (Run r : SrAdamCsv.readRuns(folder, cfg)) runs.putIfAbsent(SrAdamCsv.key(r.method(), r.batch(), r.noise(), r.seed()), r);
    }
}
