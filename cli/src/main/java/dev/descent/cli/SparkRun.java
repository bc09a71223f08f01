package dev.descent.cli;

import dev.descent.core.Threads;
import dev.descent.core.io.Json;
import dev.descent.train.Callback;
import dev.descent.train.Checkpoints;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code descent train --spark MASTER}: the run of {@link TrainRun} with its loop run by P replicas on Spark (the spark
 * module's {@code SparkCommandLine}, found on the class path only when the launcher built it with {@code -Pspark}: the
 * cli does not depend on Spark). Every replica builds the run's data, model and optimizer from the config, as the
 * single-process run does; rank 0 writes the checkpoints, metrics and plots into the run folder, which must be visible
 * to every executor. At the end the driver loads the final checkpoint and saves the model and optimizer state as a
 * single-process run does.
 */
final class SparkRun {
    private SparkRun() {}

    static final String ENTRY = "dev.descent.spark.SparkCommandLine";

    /** Whether the spark module is on the class path. */
    static boolean available() {
        try {
            Class.forName(ENTRY);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    static int train(TrainRun run, TrainRun.Parts p, String master, int workers, Map<String, String> meta) throws IOException {
        TrainConfig cfg = run.config();
        if (!available()) {
            throw new IllegalArgumentException("--spark needs the spark module on the class path: run it through the launcher (./descent train --spark ...),"
                    + " which builds it with -Pspark");
        }
        // Local mode: the replicas share this JVM's kernel threads. A cluster: each executor's own.
        int threads = master.startsWith("local") ? Math.max(1, Threads.count() / workers) : 0;
        run.out().printf(Locale.ROOT, "spark: %s, %d workers%s, each step %d × %d examples%n", master, workers,
                threads > 0 ? " (" + threads + " thread" + (threads == 1 ? "" : "s") + " each)" : "", workers, cfg.batchSize());
        Map<String, Object> r;
        try {
            r = (Map<String, Object>) Class.forName(ENTRY)
                    .getMethod("train", String.class, int.class, String.class, long.class, int.class, Map.class, IntFunction.class)
                    .invoke(null, master, workers, cfg.out().toAbsolutePath().toString(), 0L, threads, meta, new Replica(Json.write(cfg.toMap())));
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the spark module's " + ENTRY + " does not match this cli: rebuild with ./descent build -Pspark", e);
        }
        TrainResult.Status status = TrainResult.Status.valueOf((String) r.get("status"));
        Object ckpt = r.get("checkpoint");
        Checkpoints.Position pos = ckpt == null ? null : new Checkpoints(cfg.out()).restore(Path.of((String) ckpt), p.model(), p.stepper());
        TrainResult result = new TrainResult(status, (String) r.get("message"), pos == null ? java.util.List.of() : pos.history(),
                ((Number) r.get("steps")).longValue(), pos == null ? 0 : pos.epoch(), pos == null ? 0 : pos.batch(), p.loader().batchesPerEpoch());
        double[] t = (double[]) r.get("timing");
        run.out().printf(Locale.ROOT, "spark: %d attempt%s; rank 0 per step: %.2f ms compute and update, %.2f ms encode, %.2f ms exchange, %.2f ms sum%n",
                (Integer) r.get("attempts"), ((Integer) r.get("attempts")) == 1 ? "" : "s", t[0], t[1], t[2], t[3]);
        Integer stopped = run.unfinished(result);
        if (stopped != null) return stopped;
        run.finish(cfg.out(), p.model(), p.stepper(), meta, result, p.data().generated());
        return 0;
    }

    /** Builds replica {@code rank} of the run from its config (what every Spark task runs); rank 0 writes the outputs. */
    record Replica(String configJson) implements IntFunction<Trainer.Builder>, Serializable {
        @Override
        public Trainer.Builder apply(int rank) {
            try {
                TrainConfig cfg = TrainConfig.fromMap((Map<?, ?>) Json.parse(configJson));
                TrainRun run = new TrainRun(cfg, System.out);
                TrainRun.Parts p = TrainRun.parts(run.config());
                return run.builder(p, rank == 0 ? run.outputs(cfg.out(), p.opt()) : new Callback[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(Main.message(e), e);
            } catch (Json.ParseException e) {
                throw new IllegalStateException("the run's config did not survive serialisation: " + e.getMessage(), e);
            }
        }
    }
}
