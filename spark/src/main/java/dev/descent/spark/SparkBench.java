package dev.descent.spark;

import dev.descent.core.Threads;
import dev.descent.data.DataLoader;
import dev.descent.data.Mnist;
import dev.descent.data.SyntheticImages;
import dev.descent.nn.Models;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code descent bench spark}: SimpleCNN training steps per second with one global batch, in one process on 2 threads
 * (before and after the Spark runs, which are compared with the mean of the two), on {@code local[2]} (two replicas in one JVM, 1 thread each), and on a standalone cluster when given one (two
 * executors, 1 thread each); for the Spark runs, rank 0's time per step split into compute (forward, backward and the
 * optimizer step), encode, exchange and sum, once with each exchange ({@link SparkTrainer.Settings#exchange()}), and
 * the JVM's side of it (the compute's CPU time, the JVM's CPU, GC and JIT time, the barrier's part of the exchange). The
 * data are generated 28×28 images written as IDX files into a temporary folder that the executors read (on a cluster,
 * a folder they see: {@code --data-dir}).
 *
 * <p>For diagnosis, the system property {@code descent.bench.exchanges} (a comma-separated list, in the order to run
 * them; default: all of {@link SparkTrainer.Settings#EXCHANGES}) chooses the exchanges, and {@code descent.bench.local=false}
 * skips {@code local[2]}; {@code descent.spark.earlyBucket=false} (passed on to the executors) turns off the push exchange's
 * early bucket, and {@code descent.spark.trace=DIR} writes each task's per-step phase times ({@link StepTrace}). On the
 * cluster an entry of the list may name one JVM option for that run's executors, {@code EXCHANGE@property=value} (e.g.
 * {@code blocks@descent.spark.sparse=false}), or JVM options as they are ({@code blocks@-XX:-TieredCompilation}, several
 * separated by {@code ;}), so that two variants of an exchange are compared in one run.
 */
public final class SparkBench {
    private SparkBench() {}

    /** Warm-up steps left out of every measurement (the JIT compiles the kernels in them). */
    static final int WARMUP = Timing.WARMUP;

    /**
     * Runs the bench.
     *
     * @param steps   measured optimizer steps after the warm-up
     * @param batch   the global batch (each of the 2 workers computes half)
     * @param cluster {@code spark://HOST:PORT}, or null to skip the cluster
     * @param dataDir a folder every executor sees, or null for a temporary one
     * @param out     where the table goes
     * @throws IOException when the data cannot be written or a run fails
     */
    public static void run(int steps, int batch, String cluster, Path dataDir, PrintStream out) throws IOException {
        run(steps, WARMUP, batch, cluster, dataDir, out);
    }

    /**
     * Runs the bench with {@code warmup} steps before the measured ones (the executors of a cluster are fresh JVMs whose
     * JIT compiles the kernels during their first steps).
     *
     * @param steps   measured optimizer steps after the warm-up
     * @param warmup  steps before the measured ones, at least 0
     * @param batch   the global batch (each of the 2 workers computes half)
     * @param cluster {@code spark://HOST:PORT}, or null to skip the cluster
     * @param dataDir a folder every executor sees, or null for a temporary one
     * @param out     where the table goes
     * @throws IOException when the data cannot be written or a run fails
     */
    public static void run(int steps, int warmup, int batch, String cluster, Path dataDir, PrintStream out) throws IOException {
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, was " + warmup);
        if (batch < 2 || batch % 2 != 0) throw new IllegalArgumentException("--batch must be even and >= 2 (two workers), was " + batch);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, was " + steps);
        int total = warmup + steps;
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("descent-bench-spark");
        Mnist.write(dir.resolve("data"), SyntheticImages.generate(total * batch, 1), SyntheticImages.generate(10, 2), false);
        String data = dir.resolve("data").toAbsolutePath().toString();
        long params = model().parameterCount();
        out.printf(Locale.ROOT, "spark bench: SimpleCNN (%,d parameters), global batch %d (2 workers × %d), %d steps after %d warm-up%n", params, batch,
                batch / 2, steps, warmup);
        int[] numels = model().parameters().stream().mapToInt(p -> p.numel()).toArray();
        long chars = GradientCodec.chars(numels);
        out.printf(Locale.ROOT, "exchange per step: blocks: each worker stores at most %,d bytes (fewer with +0.0 elements: the sparse kind) and fetches the other's;%n", chars / GradientCodec.CHARS * GradientCodec.BYTES);
        out.printf(Locale.ROOT, "                   allgather: each worker sends a String of %,d chars (7 per 6 bytes) through the driver and receives 2 such%n", chars);
        out.printf(Locale.ROOT, "%-36s %8s %8s %9s %8s %9s %8s %8s   %9s %7s %7s %9s %9s%n", "run", "steps/s", "vs one", "compute", "encode", "exchange", "(wait)", "sum",
                "cpu/comp", "gc", "jit", "cpu/jvm", "barrier");
        // On a shared machine the load moves between runs: the single process is measured before and after the Spark runs,
        // and the Spark runs are compared with the mean of the two.
        double[] before = single(data, batch, warmup);
        out.printf(Locale.ROOT, "%-36s %8.2f %s%n", "one process, 2 threads (before)", before[0], jvm(before));
        if (System.getProperty("log4j2.configurationFile") == null) System.setProperty("log4j2.configurationFile", "dev/descent/spark/log4j2-cli.properties");
        if (cluster != null) {
            SparkCommandLine.localSlots(cluster);
            SparkCommandLine.reachable(cluster);
        }
        // the two exchanges one after the other on each master, so that both see about the same load
        int ne = SparkTrainer.Settings.EXCHANGES.size();
        double[][] local = new double[ne][], remote = new double[ne][];
        List<String> exchanges = List.of(System.getProperty("descent.bench.exchanges", String.join(",", SparkTrainer.Settings.EXCHANGES)).split(","));
        boolean runLocal = Boolean.parseBoolean(System.getProperty("descent.bench.local", "true"));
        // in the order given, so that a run can put either exchange first
        for (String x : exchanges) {
            int e = SparkTrainer.Settings.EXCHANGES.indexOf(x);
            if (e >= 0 && runLocal) local[e] = spark("local[2]", data, dir, batch, x, warmup, "");
        }
        // on the cluster an entry may carry one JVM option for its executors, "EXCHANGE@property=value" (fresh JVMs per
        // run, so two variants of an exchange compare under the same load), shown as its own row
        java.util.Map<String, double[]> variants = new java.util.LinkedHashMap<>();
        if (cluster != null) for (String x : exchanges) {
            int at = x.indexOf('@');
            String name = at < 0 ? x : x.substring(0, at);
            int e = SparkTrainer.Settings.EXCHANGES.indexOf(name);
            if (e < 0) continue;
            double[] t = spark(cluster, data, dir, batch, name, warmup, at < 0 ? "" : executorOption(x.substring(at + 1)));
            if (at < 0) remote[e] = t;
            else variants.put(x, t);
        }
        double[] afterRun = single(data, batch, warmup);
        double after = afterRun[0];
        double single = (before[0] + after) / 2;
        out.printf(Locale.ROOT, "%-36s %8.2f %s%n", "one process, 2 threads (after)", after, jvm(afterRun));
        out.printf(Locale.ROOT, "%-36s %8.2f %8.2f%n", "one process, 2 threads (mean)", single, 1.0);
        for (int e = 0; e < ne; e++) if (local[e] != null) row(out, "local[2], 1 thread each, " + SparkTrainer.Settings.EXCHANGES.get(e), local[e], single);
        if (cluster != null) {
            for (int e = 0; e < ne; e++) if (remote[e] != null) row(out, "cluster, 1 thread each, " + SparkTrainer.Settings.EXCHANGES.get(e), remote[e], single);
            for (var v : variants.entrySet()) row(out, "cluster, " + v.getKey(), v.getValue(), single);
        } else {
            out.println("cluster: not measured (give --cluster spark://HOST:PORT with 2 workers of 1 core)");
        }
    }

    static Sequential model() {
        return Models.simpleCnn(1, 28, 10, new SplittableRandom(7));
    }

    /**
     * The factory of the bench's replicas: SimpleCNN, Adam, the generated images, one epoch.
     *
     * @param data  the folder of the IDX files
     * @param batch the per-worker batch
     */
    record Replica(String data, int batch) implements ReplicaFactory {
        @Override
        public Trainer.Builder build(int rank) throws Exception {
            Sequential m = model();
            return Trainer.builder(m, new Adam(m.parameters(), 1e-3), new DataLoader(Mnist.train(Path.of(data)), batch, 3)).epochs(1);
        }
    }

    /** Steps per second of one process on 2 threads with the whole global batch, then its {@link Timing#split()}. */
    private static double[] single(String data, int batch, int warmup) throws IOException {
        try (var _ = Threads.limit(2)) {
            Sequential m = model();
            Timing timing = new Timing(null, warmup);
            Trainer.builder(m, new Adam(m.parameters(), 1e-3), new DataLoader(Mnist.train(Path.of(data)), batch, 3)).epochs(1).callbacks(timing).build().fit();
            double[] split = timing.split();
            double[] r = new double[split.length + 1];
            r[0] = timing.stepsPerSecond();
            System.arraycopy(split, 0, r, 1, split.length);
            return r;
        }
    }

    /** The JVM columns of a single-process run ({@link #single}): GC and JIT ms per step. */
    private static String jvm(double[] single) {
        return String.format(Locale.ROOT, "%76s %6.1f ms %5.1f ms %5.1f ms %6.1f ms", "", single[6], single[7], single[8], single[9]);
    }

    private static void row(PrintStream out, String name, double[] t, double single) {
        double perStep = t[0] + t[1] + t[2] + t[3];
        double sps = 1000 / perStep;
        out.printf(Locale.ROOT, "%-36s %8.2f %8.2f %7.1f ms %5.2f ms %6.1f ms %5.1f ms %5.2f ms   %6.1f ms %5.1f ms %5.1f ms %6.1f ms %6.1f ms%n", name, sps, sps / single, t[0], t[1], t[2],
                t[4], t[3], t[5], t[6], t[7], t[8], t[9]);
    }

    /**
     * The executor JVM options of a variant ({@code EXCHANGE@option}): {@code property=value} is a system property; an
     * option that starts with {@code -} is passed as it is (e.g. {@code blocks@-XX:-TieredCompilation}), several of them
     * separated by {@code ;} (a system property's value cannot hold the spaces between them).
     */
    static String executorOption(String option) {
        return option.startsWith("-") ? " " + option.replace(';', ' ') : " -D" + option;
    }

    /** The diagnostic system properties the bench passes on to the executors, as JVM options. */
    private static String forwarded() {
        StringBuilder sb = new StringBuilder();
        for (String p : List.of("descent.spark.earlyBucket", "descent.spark.trace", "descent.spark.directUpload", "descent.spark.sparse", "descent.spark.wakerMicros")) {
            if (System.getProperty(p) != null) sb.append(" -D").append(p).append('=').append(System.getProperty(p));
        }
        return sb.toString();
    }

    /** {@return rank 0's split of a Spark run's step (see {@link SparkTrainer.Result#timing()})} */
    private static double[] spark(String master, String data, Path dir, int batch, String exchange, int warmup, String executorOption) throws IOException {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("descent bench spark").set("spark.ui.enabled", "false")
                .set("spark.cores.max", "2").set("spark.executor.cores", "1")
                .set("spark.executor.extraJavaOptions", SparkCommandLine.EXECUTOR_JAVA_OPTIONS
                        + forwarded() + executorOption);
        if (!master.startsWith("local")) conf.set("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            Path run = Files.createTempDirectory(dir, "run");
            return SparkTrainer.fit(sc, SparkTrainer.Settings.of(2, run).threadsPerWorker(1).exchange(exchange), new Replica(data, batch / 2), warmup).timing();
        } finally {
            sc.stop();
        }
    }
}
