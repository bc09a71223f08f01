// Runs the clipping reproduction: the x⁴ table, then the four optimizers on a network, writing every number as CSV.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.ImageSource;
import dev.descent.bench.ModelFactory;
import dev.descent.bench.reproduce.NetworkRun;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.XToTheFourth;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.Run;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.X4;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.train.TrainResult;
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
 * The run of the clipping experiment. Part one counts x⁴ iterations exactly ({@link XToTheFourth});
 * part two trains, for each seed and in {@link ClippingMethod} order, the same initial network with
 * each optimizer on the same batches, rewriting the CSV files after every run so that
 * {@code --resume} can keep the finished ones; a run in progress checkpoints every
 * {@link ClippingConfig#checkpointEvery} steps and continues from there ({@link Resumption}).
 */
final class ClippingRun {
    private ClippingRun() {}

    static ClippingOutcome run(ClippingConfig cfg, Path out, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        List<X4> x4 = new ArrayList<>();
        double x4Seconds = 0;
        if (cfg.runsX4()) {
            for (double x0 : cfg.x4Starts()) {
                long[] p = digestX4(x0);
                x4.add(new X4(x0, XToTheFourth.clipped(x0), XToTheFourth.fixedStep(x0), p[0], p[1]));
                log.printf(Locale.ROOT, "  x⁴ from %s: clipped GD %d, fixed-step GD %s%n", Statistics.sig(x0), x4.getLast().clipped(),
                        x4.getLast().fixed() == XToTheFourth.CAP ? "not within 10^6" : Long.toString(x4.getLast().fixed()));
            }
            x4Seconds = (System.nanoTime() - t0) / 1e9;
            ClippingCsv.writeX4(x4, out);
        }
        List<Run> runs = new ArrayList<>();
        ImageSource data = null;
        long params = 0;
        int resumed = 0;
        if (cfg.runsNetwork()) {
            data = NetworkRun.load(cfg.data(), cfg.trainSubset(), cfg.testSubset(), cfg.subsetSeed(), log);
            Dataset train = data.trainingSet(true, 0), test = data.testSet();
            Map<String, Run> earlier = cfg.resume() ? earlierRuns(cfg, out) : Map.of();
            if (!cfg.resume()) Resumption.startFresh(out);
            resumed = earlier.size();
            Resumption.writeFingerprint(out, cfg.fingerprint());
            params = model(cfg, data, 0).parameterCount();
            for (long seed : cfg.seeds()) {
                for (Object[] arm : cfg.arms()) {
                    ClippingArm m = (ClippingArm) arm[0];
                    ClippingFramework.Clip clip = (ClippingFramework.Clip) arm[1];
                    String key = ClippingCsv.key(m, clip, seed);
                    Run before = earlier.get(key);
                    if (before != null) {
                        runs.add(before);
                        Resumption.finished(out, key); // a checkpoint left by a crash after the run's rows were written
                        log.printf(Locale.ROOT, "  %s: read back from the earlier invocation%n", key);
                        continue;
                    }
                    Sequential model = model(cfg, data, seed);
                    Optimizer opt = m.optimizer(model, cfg, clip);
                    LrScheduler sched = m.scheduler(opt, cfg);
                    TrainResult r = NetworkRun.train(key, new NetworkRun.Checkpointing(Resumption.runFolder(out, key), cfg.checkpointEvery()), model, opt,
                            sched, train, test, cfg.batchSize(), cfg.epochs(), seed ^ 0xDA7AL, log);
                    runs.add(new Run(m, clip, seed, r));
                    ClippingCsv.writeRuns(runs, out);
                    Resumption.finished(out, key);
                }
            }
        }
        return new ClippingOutcome(List.copyOf(x4), x4Seconds, List.copyOf(runs), data, params, resumed, ClippingOutcome.verdicts(cfg, x4, runs));
    }

    private static Sequential model(ClippingConfig cfg, ImageSource data, long seed) {
        return ModelFactory.create(cfg.model(), data.train().channels(), data.train().height(), data.train().width(), data.train().numClasses(),
                new SplittableRandom(seed));
    }

    /** The digest's x⁴ counts for a start (docs/papers.md §4), or 0 when its table has no such start (−1: not within 10⁶). */
    static long[] digestX4(double x0) {
        for (int i = 0; i < XToTheFourth.STARTS.length; i++) {
            if (XToTheFourth.STARTS[i] == x0) return new long[] {XToTheFourth.DIGEST_CLIPPED[i], XToTheFourth.DIGEST_FIXED[i]};
        }
        return new long[] {0, 0};
    }

    /** The network runs an earlier invocation with the same settings completed, read back from its CSV files; keyed method/h/seed. */
    static Map<String, Run> earlierRuns(ClippingConfig cfg, Path out) throws IOException {
        if (!Resumption.matches(out, cfg.fingerprint(), ClippingCsv.RUNS) || !java.nio.file.Files.exists(out.resolve(ClippingCsv.RUNS))) return Map.of();
        Map<String, Run> runs = new LinkedHashMap<>();
        for (Run r : ClippingCsv.readRuns(out, cfg)) runs.put(ClippingCsv.key(r.method(), r.clip(), r.seed()), r);
        return runs;
    }
}
