package dev.descent.spark;

import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * What {@code descent train --spark MASTER} runs (the cli finds this class on the class path only when the launcher
 * built the spark module): checks the master and the task slots, makes a Spark context, runs {@link SparkTrainer} and
 * stops the context. Every failure before training is one line within a bounded time: an unreachable master (a TCP
 * connection within 5 s), a malformed master, fewer task slots than workers (local mode at once; a cluster after
 * waiting {@code descent.spark.executorWait} seconds, default 60, for executors to register).
 */
public final class SparkCommandLine {
    private SparkCommandLine() {}

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,(\\d+))?])?");

    /**
     * The executors' JVM options: the vector module; native access, so that core may ask the C library for the cache
     * sizes where sysfs hides them (as {@code ./descent} does: the same kernel blocking as the driver's); and the
     * parallel collector with one GC thread, as each executor has one core ({@code spark.executor.cores} 1): more GC
     * threads would take the other workers' cores during a collection.
     */
    static final String EXECUTOR_JAVA_OPTIONS = "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -XX:ParallelGCThreads=1";

    /**
     * The task slots of a local master ({@code local}, {@code local[N]}, {@code local[N,F]}, {@code local[*]}), or -1 for
     * a cluster master ({@code spark://HOST:PORT}).
     *
     * @param master the master URL
     * @return the slots, or -1
     * @throws IllegalArgumentException for any other master
     */
    public static int localSlots(String master) {
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            if (m.group(1) == null) return 1;
            return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        }
        if (master.startsWith("spark://")) {
            URI u = URI.create(master);
            if (u.getHost() == null || u.getPort() < 0) throw new IllegalArgumentException("--spark " + master + ": expected spark://HOST:PORT");
            return -1;
        }
        throw new IllegalArgumentException("--spark " + master + ": expected local[N] or spark://HOST:PORT");
    }

    /**
     * Trains on Spark.
     *
     * @param master           {@code local[N]} or {@code spark://HOST:PORT}
     * @param workers          replicas
     * @param runDir           the run folder (shared with every executor)
     * @param checkpointEvery  steps between checkpoints within an epoch (0: epoch ends only)
     * @param threadsPerWorker kernel threads per task (0: the task's CPUs, {@code spark.task.cpus}, 1 unless configured)
     * @param meta             metadata of the checkpoints' model files
     * @param factory          builds a replica for a rank; must also be {@link Serializable}
     * @return status, message, steps, checkpoint (the latest checkpoint's folder), attempts, timing (ms per step:
     *         compute, encode, exchange, sum, and the exchange's wait for a slower worker)
     * @throws IOException when the master cannot be reached, the cluster has too few task slots, a replica cannot be
     *                     built, or every attempt failed
     */
    public static Map<String, Object> train(String master, int workers, String runDir, long checkpointEvery, int threadsPerWorker,
            Map<String, String> meta, IntFunction<Trainer.Builder> factory) throws IOException {
        if (!(factory instanceof Serializable)) throw new IllegalArgumentException("the replica factory must be Serializable: Spark sends it to the executors");
        int slots = localSlots(master);
        if (slots >= 0 && workers > slots) {
            throw new IllegalArgumentException("--workers " + workers + " needs " + workers + " task slots; --spark " + master + " has " + slots);
        }
        if (slots < 0) reachable(master);
        if (System.getProperty("log4j2.configurationFile") == null) System.setProperty("log4j2.configurationFile", "dev/descent/spark/log4j2-cli.properties");
        SparkConf conf = new SparkConf().setMaster(master).setAppName("descent train")
                .set("spark.ui.enabled", "false")
                .set("spark.barrier.sync.timeout", System.getProperty("descent.spark.syncTimeout", "600s"))
                // Spark's own check that a barrier stage fits: every second, 30 times, instead of every 15 s, 40 times.
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "30")
                .set("spark.executor.extraJavaOptions", EXECUTOR_JAVA_OPTIONS
                        // the replicas must add in the same order as each other: the driver's pinned vector width, if any
                        + (System.getProperty("descent.vectorBits") == null ? "" : " -Ddescent.vectorBits=" + System.getProperty("descent.vectorBits")))
                .set("spark.cores.max", Integer.toString(workers));
        if (slots < 0) {
            // Executors started by a standalone worker get the driver's class path: it must be visible at the same paths
            // on every worker machine (the same machine, or a shared installation).
            conf.set("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            conf.set("spark.executor.cores", "1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            if (slots < 0) awaitSlots(sc, master, workers);
            ReplicaFactory f = rank -> factory.apply(rank);
            SparkTrainer.Result r = SparkTrainer.fit(sc, new SparkTrainer.Settings(workers, runDir, checkpointEvery, threadsPerWorker, meta, 3), f);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", r.status());
            out.put("message", r.message());
            out.put("steps", r.steps());
            out.put("checkpoint", r.checkpoint());
            out.put("attempts", r.attempts());
            out.put("timing", r.timing());
            return out;
        } finally {
            sc.stop();
        }
    }

    /** A TCP connection to the master within 5 s, or a one-line IOException. */
    static void reachable(String master) throws IOException {
        URI u = URI.create(master);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5000);
        } catch (IOException e) {
            throw new IOException("cannot reach the Spark master at " + master + " (" + e.getMessage() + "); is it running?", e);
        }
    }

    /** Waits until the cluster has {@code workers} executors of one core each, or fails in one line. */
    private static void awaitSlots(JavaSparkContext sc, String master, int workers) throws IOException {
        long waitSeconds = Long.getLong("descent.spark.executorWait", 60);
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        int executors = 0, cores = 0;
        while (System.nanoTime() < deadline) {
            executors = sc.sc().statusTracker().getExecutorInfos().length - 1; // without the driver
            cores = executors; // spark.executor.cores is 1: a task slot per executor
            if (cores >= workers) return;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for executors", e);
            }
        }
        throw new IOException(String.format(Locale.ROOT, "--workers %d needs %d task slots; the cluster at %s offered %d (from %d executor%s) within %d s",
                workers, workers, master, cores, executors, executors == 1 ? "" : "s", waitSeconds));
    }
}
