package dev.descent.spark;

import dev.descent.core.Threads;
import dev.descent.train.Checkpoints;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on a Spark cluster, for a caller that has a {@link JavaSparkContext} (from a
 * {@code SparkSession}: {@code JavaSparkContext.fromSparkContext(session.sparkContext())}).
 *
 * <pre>{@code
 * ReplicaFactory replica = rank -> {                     // runs in every Spark task
 *     Dataset data = Mnist.load(Path.of("/shared/mnist")).train();
 *     Module model = new Sequential(...built from a fixed seed...);
 *     return Trainer.builder(model, new Adam(model.parameters()), new DataLoader(data, 64, 7)).epochs(3);
 * };
 * SparkTrainer.Result r = SparkTrainer.fit(sc, SparkTrainer.Settings.of(4, Path.of("/shared/runs/a")), replica);
 * }</pre>
 *
 * <p>See the package description for the design. The run is one barrier stage of {@code workers} tasks; task r is
 * replica r. The final model is in the run folder's latest checkpoint ({@link Result#checkpoint()}).
 */
public final class SparkTrainer {
    private SparkTrainer() {}

    /**
     * How a run is distributed.
     *
     * @param workers         replicas (Spark tasks run at once), each computing one micro-batch of every step
     * @param runDir          the run's folder, visible to every executor and the driver: checkpoints go to
     *                        {@code runDir/checkpoints}, written by rank 0 only
     * @param checkpointEvery optimizer steps between checkpoints within an epoch (0: at epoch ends only)
     * @param threadsPerWorker kernel threads in each task (0: the task's CPUs, {@code spark.task.cpus}, by default 1)
     * @param modelMeta       metadata stored in each checkpoint's model file
     * @param attempts        how many times the driver runs the stage before giving up; each attempt resumes from
     *                        the latest checkpoint (Spark may also retry the stage itself, which resumes the same way)
     * @param exchange        how the gradients move between the tasks: {@code "blocks"} (executor to executor as Spark
     *                        blocks that the receivers fetch, their locations through the driver's barrier every step),
     *                        {@code "push"} (each task uploads its gradients as a Spark block into every other task's
     *                        block manager, no barrier per step: {@link PushExchange}) or {@code "allgather"} (every
     *                        message through the driver with {@code BarrierTaskContext.allGather}); the results are the
     *                        same bits
     */
    public record Settings(int workers, String runDir, long checkpointEvery, int threadsPerWorker, Map<String, String> modelMeta, int attempts,
            String exchange) implements Serializable {
        /** The exchanges {@link #exchange()} may name. */
        public static final List<String> EXCHANGES = List.of("blocks", "allgather", "push");

        /**
         * The exchange of {@link #of}: the system property {@code descent.spark.exchange} when set, else {@code "blocks"}.
         *
         * @return the default exchange
         */
        public static String defaultExchange() {
            return System.getProperty("descent.spark.exchange", "blocks");
        }

        /**
         * Settings with the default exchange ({@link #defaultExchange()}).
         *
         * @param workers          replicas
         * @param runDir           the run's folder
         * @param checkpointEvery  optimizer steps between checkpoints within an epoch (0: at epoch ends only)
         * @param threadsPerWorker kernel threads in each task (0: the task's CPUs, {@code spark.task.cpus}, by default 1)
         * @param modelMeta        metadata stored in each checkpoint's model file
         * @param attempts         how many times the driver runs the stage before giving up
         */
        public Settings(int workers, String runDir, long checkpointEvery, int threadsPerWorker, Map<String, String> modelMeta, int attempts) {
            this(workers, runDir, checkpointEvery, threadsPerWorker, modelMeta, attempts, defaultExchange());
        }

        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException for a worker count below 1, negative checkpointEvery or threads, or attempts below 1
         */
        public Settings {
            if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, was " + workers);
            Objects.requireNonNull(runDir, "runDir");
            if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0, was " + checkpointEvery);
            if (threadsPerWorker < 0) throw new IllegalArgumentException("threadsPerWorker must be >= 0, was " + threadsPerWorker);
            if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
            if (!EXCHANGES.contains(exchange)) throw new IllegalArgumentException("exchange must be one of " + EXCHANGES + ", was " + exchange);
            modelMeta = new LinkedHashMap<>(modelMeta);
        }

        /**
         * Settings with checkpoints at epoch ends only, the tasks' CPUs as threads, no metadata and 3 attempts.
         *
         * @param workers replicas
         * @param runDir  the run's folder (shared by the driver and every executor)
         * @return the settings
         */
        public static Settings of(int workers, Path runDir) {
            return new Settings(workers, runDir.toAbsolutePath().toString(), 0, 0, Map.of(), 3, defaultExchange());
        }

        /**
         * {@return these settings with a checkpoint every {@code n} optimizer steps}
         *
         * @param n steps between checkpoints (0: at epoch ends only)
         */
        public Settings checkpointEvery(long n) {
            return new Settings(workers, runDir, n, threadsPerWorker, modelMeta, attempts, exchange);
        }

        /**
         * {@return these settings with {@code n} kernel threads per task}
         *
         * @param n threads (0: the task's CPUs, {@code spark.task.cpus})
         */
        public Settings threadsPerWorker(int n) {
            return new Settings(workers, runDir, checkpointEvery, n, modelMeta, attempts, exchange);
        }

        /**
         * {@return these settings with this metadata in every checkpoint's model file}
         *
         * @param meta the metadata
         */
        public Settings modelMeta(Map<String, String> meta) {
            return new Settings(workers, runDir, checkpointEvery, threadsPerWorker, meta, attempts, exchange);
        }

        /**
         * {@return these settings with {@code n} attempts}
         *
         * @param n how many times the driver runs the stage, at least 1
         */
        public Settings attempts(int n) {
            return new Settings(workers, runDir, checkpointEvery, threadsPerWorker, modelMeta, n, exchange);
        }

        /**
         * {@return these settings with this exchange}
         *
         * @param name {@code "blocks"}, {@code "push"} or {@code "allgather"}
         */
        public Settings exchange(String name) {
            return new Settings(workers, runDir, checkpointEvery, threadsPerWorker, modelMeta, attempts, name);
        }
    }

    /**
     * How a run ended, as rank 0 saw it (every replica ends identically).
     *
     * @param status     COMPLETED, STOPPED or DIVERGED ({@link TrainResult.Status})
     * @param message    why it stopped or diverged, empty when completed
     * @param steps      optimizer steps taken since the run began
     * @param checkpoint the latest checkpoint's folder (the final model when completed); null when none was written
     * @param attempts   how many times the driver ran the stage
     * @param timing     rank 0's mean milliseconds per step over the last attempt, after its first 3 steps (warm-up) when
     *                   it had more, up to its last step: {compute (forward, backward, the optimizer step and anything
     *                   else between exchanges), encode (gradients to the message, and storing it as a
     *                   block or turning it into text), exchange (allGather, and fetching the blocks), sum (decode
     *                   and add in rank order), wait (the part of exchange spent waiting for a slower replica: per step,
     *                   how much longer the busiest other replica computed and encoded than rank 0)}
     * @param resumedFrom the checkpoint the last attempt resumed from (after a failure, or a run folder that had one),
     *                   null when it started afresh
     */
    public record Result(String status, String message, long steps, String checkpoint, int attempts, double[] timing, String resumedFrom)
            implements Serializable {}

    /** A replica could not be built (the factory threw): retrying would fail again. */
    static final class ReplicaSetupException extends RuntimeException {
        private static final long serialVersionUID = 1;

        ReplicaSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Trains: runs one barrier stage of {@code settings.workers()} tasks, each a replica, and waits for it. A failed stage
     * (an executor lost, a task failed) is run again from the latest checkpoint, up to {@code settings.attempts()} times.
     *
     * @param sc       the Spark context; it needs at least {@code workers} task slots at once
     * @param settings the distribution
     * @param factory  builds each replica
     * @return how the run ended
     * @throws IOException when the run folder cannot be made, a replica cannot be built (its message), or every
     *                     attempt failed (the last failure's message)
     */
    public static Result fit(JavaSparkContext sc, Settings settings, ReplicaFactory factory) throws IOException {
        return fit(sc, settings, factory, Timing.WARMUP);
    }

    /** {@link #fit(JavaSparkContext, Settings, ReplicaFactory)} with {@code warmup} steps left out of {@link Result#timing()}. */
    static Result fit(JavaSparkContext sc, Settings settings, ReplicaFactory factory, int warmup) throws IOException {
        Objects.requireNonNull(factory, "factory");
        Files.createDirectories(Path.of(settings.runDir()));
        List<Integer> ranks = IntStream.range(0, settings.workers()).boxed().toList();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            try {
                JavaRDD<Integer> rdd = sc.parallelize(ranks, settings.workers());
                ClassTag<Result> tag = ClassTag$.MODULE$.apply(Result.class);
                RDD<Result> out = rdd.rdd().barrier().mapPartitions(new ReplicaTask(settings, factory, warmup), false, tag);
                List<Result> results = new ArrayList<>(JavaRDD.fromRDD(out, tag).collect());
                if (results.size() != 1) throw new IllegalStateException("expected rank 0's result, got " + results.size());
                Result r = results.get(0);
                return new Result(r.status(), r.message(), r.steps(), r.checkpoint(), attempt, r.timing(), r.resumedFrom());
            } catch (Exception e) { // Spark throws SparkException without declaring it
                String setup = setupFailure(e);
                if (setup != null) throw new IOException(setup, e);
                last = e instanceof RuntimeException re ? re : new RuntimeException(e.getMessage(), e);
                if (sc.sc().isStopped()) break;
            }
        }
        throw new IOException("the Spark stage failed " + settings.attempts() + " time(s); last: " + oneLine(last), last);
    }

    /** The message of a replica that could not be built, found in a Spark failure's text, or null. */
    private static String setupFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            int i = m.indexOf(ReplicaSetupException.class.getName() + ": ");
            if (t instanceof ReplicaSetupException) return t.getMessage();
            if (i >= 0) {
                String rest = m.substring(i + ReplicaSetupException.class.getName().length() + 2);
                int nl = rest.indexOf('\n');
                return nl < 0 ? rest : rest.substring(0, nl);
            }
        }
        return null;
    }

    static String oneLine(Throwable e) {
        if (e == null) return "";
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("the gradient exchange could not be closed: " + e.getMessage(), e);
        }
    }

    /** The body of every task of the barrier stage: one replica, through the train module's loop. */
    static final class ReplicaTask implements scala.Function1<Iterator<Integer>, Iterator<Result>>, Serializable {
        private static final long serialVersionUID = 1;
        private final Settings settings;
        private final ReplicaFactory factory;
        private final int warmup;

        ReplicaTask(Settings settings, ReplicaFactory factory, int warmup) {
            this.settings = settings;
            this.factory = factory;
            this.warmup = warmup;
        }

        @Override
        public Iterator<Result> apply(Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            // Without a thread count, the task's own CPUs (spark.task.cpus), not every processor of the executor's machine:
            // P one-core executors on one machine would otherwise each run the kernels on all of its cores.
            int threads = settings.threadsPerWorker() > 0 ? settings.threadsPerWorker() : Math.max(1, ctx.cpus());
            try (Threads.Scope _ = Threads.limit(threads)) {
                Trainer.Builder b;
                try {
                    b = factory.build(rank);
                } catch (Exception e) {
                    throw new ReplicaSetupException("replica " + rank + " could not be built: " + e.getMessage(), e);
                }
                Function<String, String[]> allGather = message -> Waker.during(() -> ctx.allGather(message));
                String stage = ctx.stageId() + "_" + ctx.stageAttemptNumber();
                BarrierReducer.Exchange exchange = switch (settings.exchange()) {
                    case "blocks" -> new BlockExchange(rank, settings.workers(), stage, allGather);
                    case "push" -> new PushExchange(rank, settings.workers(), stage, allGather, ctx::killTaskIfInterrupted,
                            java.util.concurrent.TimeUnit.SECONDS.toNanos(org.apache.spark.SparkEnv.get().conf().getTimeAsSeconds("spark.barrier.sync.timeout", "365d")));
                    default -> new BarrierReducer.AllGather(settings.workers(), allGather);
                };
                if (exchange instanceof AutoCloseable c) ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> close(c)); // a failed task's blocks too
                BarrierReducer reducer = new BarrierReducer(rank, settings.workers(), exchange);
                Timing timing = new Timing(reducer, warmup);
                Trainer trainer = b.accumulate(settings.workers()).reduceWith(reducer)
                        .checkpoints(Path.of(settings.runDir()), settings.modelMeta()).checkpointEvery(settings.checkpointEvery())
                        .callbacks(timing)
                        .build();
                TrainResult r = trainer.resume();
                reducer.finish();
                reducer.trace.write(rank, settings.exchange() + "-" + org.apache.spark.SparkEnv.get().conf().get("spark.app.id", "app"));
                if (rank != 0) return CollectionConverters.asScala(List.<Result>of().iterator());
                Path latest = new Checkpoints(Path.of(settings.runDir())).latest();
                Result res = new Result(r.status().name(), r.message(), r.steps(), latest == null ? null : latest.toString(), 1, timing.split(),
                        trainer.resumedFrom() == null ? null : trainer.resumedFrom().toString());
                return CollectionConverters.asScala(List.of(res).iterator());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("replica " + rank + ": " + e.getMessage(), e);
            }
        }
    }
}
