package dev.descent.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A diagnostic: per step, the {@link System#nanoTime()} at which this task reached each phase of its exchange, written
 * at the end of the run as {@code DIR/trace-RANK.tsv} when the system property {@code descent.spark.trace} names a
 * folder DIR (for the executors: pass it in {@code spark.executor.extraJavaOptions}; the bench does). On one machine
 * every JVM reads the same monotonic clock, so the files of the ranks line up: the barrier's own latency is its exit
 * minus the later of the ranks' entries. Off (and free) without the property.
 */
final class StepTrace {
    /** The phases, in the order of a step; an exchange marks those it has. */
    enum Phase {
        /** The reducer is called: the gradients of the step are ready. */
        READY,
        /** The early bucket starts (push, inside the backward pass). */
        EARLY,
        /** The early bucket is sent. */
        EARLY_SENT,
        /** The message is encoded. */
        ENCODED,
        /** The message is stored or handed over (prepare). */
        PUT,
        /** The barrier (allGather) is entered. */
        BARRIER_IN,
        /** The barrier returns. */
        BARRIER_OUT,
        /** The message went to the peers (push: the uploads are issued). */
        SENT,
        /** Every other rank's message is here (fetched or received). */
        RECEIVED,
        /** The rank-ordered sum is done: the reducer returns. */
        SUMMED,
        /** The optimizer step is done. */
        STEPPED
    }

    private static final String DIR = System.getProperty("descent.spark.trace");
    private static final int MAX_STEPS = 8192;
    private final List<long[]> steps = DIR == null ? null : new ArrayList<>();
    private long[] current;

    /** {@return whether tracing is on} */
    boolean on() {
        return steps != null;
    }

    /** Starts the next step's row (at the start of the reducer). */
    void next() {
        if (steps == null || steps.size() >= MAX_STEPS) {
            current = null;
            return;
        }
        current = new long[Phase.values().length];
        steps.add(current);
    }

    /** Marks that this step reached {@code p} now (a phase reached twice keeps its first time, but BARRIER_OUT and RECEIVED keep the last). */
    void mark(Phase p) {
        if (current == null) return;
        long now = System.nanoTime();
        if (current[p.ordinal()] == 0 || p == Phase.BARRIER_OUT || p == Phase.RECEIVED) current[p.ordinal()] = now;
    }

    /** The coming step's early-bucket marks, until {@link #nextWithEarly} starts its row. */
    private long[] early;

    /** Marks {@code p} in the coming step's row (the early bucket is sent in the backward pass, before the reducer starts the row). */
    void markEarly(Phase p) {
        if (steps == null) return;
        if (early == null) early = new long[Phase.values().length];
        early[p.ordinal()] = System.nanoTime();
    }

    /** Starts the next step's row, taking over what {@link #markEarly} marked. */
    void nextWithEarly() {
        next();
        if (current != null && early != null) {
            current[Phase.EARLY.ordinal()] = early[Phase.EARLY.ordinal()];
            current[Phase.EARLY_SENT.ordinal()] = early[Phase.EARLY_SENT.ordinal()];
        }
        early = null;
    }

    /** One message of this rank (of step {@link #KEPT_STEP}), written beside the rows for a look at its bytes. */
    private byte[] kept;

    private static final int KEPT_STEP = 50;

    /** Keeps a copy of the first {@code length} bytes of {@code message} when this is step {@link #KEPT_STEP}. */
    void keep(byte[] message, int length) {
        if (steps != null && steps.size() == KEPT_STEP + 1) kept = java.util.Arrays.copyOf(message, length);
    }

    /** Writes the rows as {@code DIR/trace-RANK.tsv} (one header line, then a row per step; 0 where a phase was not reached). */
    void write(int rank, String exchange) {
        if (steps == null) return;
        StringBuilder sb = new StringBuilder("exchange\trank\tstep");
        for (Phase p : Phase.values()) sb.append('\t').append(p.name());
        sb.append('\n');
        for (int s = 0; s < steps.size(); s++) {
            sb.append(exchange).append('\t').append(rank).append('\t').append(s);
            for (long t : steps.get(s)) sb.append('\t').append(t);
            sb.append('\n');
        }
        try {
            Path dir = Path.of(DIR);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("trace-" + exchange + "-" + rank + ".tsv"), sb);
            if (kept != null) Files.write(dir.resolve("message-" + exchange + "-" + rank + ".bin"), kept);
        } catch (IOException e) {
            throw new UncheckedIOException("the step trace could not be written to " + DIR, e);
        }
    }
}
