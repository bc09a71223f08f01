package dev.descent.spark;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.train.GradientReducer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The gradient exchange of a barrier stage: every task sends its message ({@link GradientCodec}) to every other task, and
 * each task then adds the gradients in rank order, itself included, so that every replica holds the same bits. How the
 * messages move is an {@link Exchange}: through the driver with {@code BarrierTaskContext.allGather} (text), or
 * executor to executor as Spark blocks ({@link BlockExchange}: bytes).
 */
final class BarrierReducer implements GradientReducer {
    /**
     * Moves each step's messages between the replicas.
     */
    interface Exchange {
        /**
         * Makes this replica's message ready to send: the first {@code length} bytes of {@code codec.bytes()}, which the
         * codec may overwrite afterwards. Counted as encoding.
         */
        void prepare(GradientCodec codec, int length);

        /** Sends the message and receives every other replica's; returns when every replica has sent its message of this step. */
        void exchange();

        /** Loads rank r's message of the current step into the codec (r is not this replica). */
        void load(GradientCodec codec, int r);

        /** {@return nanoseconds spent so far in the barrier's allGather, a part of {@link #exchange()}} */
        default long barrierNanos() {
            return 0;
        }

        /** After the last step: waits for every replica to have received this one's messages, then frees them. */
        default void finish() {}

        /** {@return whether this exchange sends an early bucket ahead of the message ({@link #sendEarly})} */
        default boolean sendsEarly() {
            return false;
        }

        /**
         * Sends this replica's early bucket of the coming step (the first {@code length} bytes of {@code bytes}, which
         * the caller may overwrite afterwards), while its backward pass goes on; at most once per step, before
         * {@link #prepare}.
         */
        default void sendEarly(byte[] bytes, int length) {
            throw new UnsupportedOperationException("this exchange sends no early bucket");
        }

        /** Loads rank r's early bucket of the current step into the codec (its message named one); after {@link #exchange()}. */
        default void loadEarly(GradientCodec codec, int r) {
            throw new UnsupportedOperationException("this exchange receives no early bucket");
        }

        /** Gives the exchange the reducer's {@link StepTrace}, to mark its phases in. */
        default void traceTo(StepTrace trace) {}
    }

    /** The exchange through the driver: each message as a String through {@code allGather}, which returns all P to every task. */
    static final class AllGather implements Exchange {
        private final int replicas;
        private final Function<String, String[]> allGather;
        private final String[] byRank;

        AllGather(int replicas, Function<String, String[]> allGather) {
            this.replicas = replicas;
            this.allGather = allGather;
            this.byRank = new String[replicas];
        }

        private String mine;
        private StepTrace trace;

        @Override
        public void traceTo(StepTrace trace) {
            this.trace = trace;
        }

        @Override
        public void prepare(GradientCodec codec, int length) {
            mine = codec.text(length);
        }

        @Override
        public void exchange() {
            if (trace != null) trace.mark(StepTrace.Phase.BARRIER_IN);
            String[] all = allGather.apply(mine);
            if (trace != null) trace.mark(StepTrace.Phase.BARRIER_OUT);
            mine = null;
            if (all.length != replicas) throw new IllegalStateException("the exchange returned " + all.length + " messages for " + replicas + " replicas");
            java.util.Arrays.fill(byRank, null);
            for (String s : all) {
                int r = GradientCodec.rankOf(s);
                if (r < 0 || r >= replicas || byRank[r] != null) throw new IllegalStateException("the exchange returned rank " + r + " twice or out of range");
                byRank[r] = s;
            }
        }

        @Override
        public void load(GradientCodec codec, int r) {
            codec.load(byRank[r]);
        }
    }

    private final int rank, replicas;
    private final Exchange exchange;
    private final GradientCodec codec = new GradientCodec(), earlyCodec = new GradientCodec();
    /**
     * The early bucket (when the exchange sends one): gradient hooks on the parameters, registered at the first
     * {@link #reduce}, see each parameter's gradient as the backward pass completes it (the last layers' first); once
     * those seen hold at least half of the elements, they are sent ahead as the step's early bucket, so their bytes
     * travel while the backward pass computes the rest, and the message at the end carries only the others. A gradient
     * goes early only when the hook saw the parameter's whole gradient of the step (no gradient before it, one
     * backward pass); {@link #reduce} checks that the parameter's gradient still has the bits sent, else sends it
     * again in the message, whose kind byte tells the receivers where to read it.
     */
    private List<Parameter> hooked;
    private int[] numels;
    private long totalElements;
    /** This step: the gradients the hooks saw, in the order seen, and whether the early bucket went. */
    private Tensor[] seen;
    private int[] seenIndex;
    private int seenCount;
    private long seenElements;
    private boolean sentEarly, ready;
    /** Per parameter, whether its gradient went in this step's early bucket; and whether the hook saw it twice. */
    private boolean[] early, spoilt;
    /** Per rank, where each parameter's gradient is in its early bucket (-1: not there); null until loaded this step. */
    private int[][] earlyAt;
    /** The length of this step's early bucket in {@link #earlyCodec}'s array. */
    private int earlyLength;
    /** Gradients read from other replicas' early buckets so far (for tests and the bench). */
    long earlyReads;
    /**
     * Nanoseconds spent encoding, exchanging and summing, for the bench's per-step split; and the part of the exchange
     * spent waiting for a slower replica: per step, how much longer than this one the busiest other replica was busy
     * (from the end of its previous exchange to the end of its encode, a duration each measures on its own clock).
     */
    long encodeNanos, exchangeNanos, sumNanos, waitNanos;
    /** The task thread's CPU time spent in {@link #reduce}, nanoseconds. */
    long cpuNanos;
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long threadCpu() {
        return THREAD_CPU.isCurrentThreadCpuTimeSupported() ? THREAD_CPU.getCurrentThreadCpuTime() : 0;
    }
    /** When the previous exchange ended, 0 before the first. */
    private long lastEnd;

    BarrierReducer(int rank, int replicas, Function<String, String[]> allGather) {
        this(rank, replicas, new AllGather(replicas, allGather));
    }

    BarrierReducer(int rank, int replicas, Exchange exchange) {
        this.rank = rank;
        this.replicas = replicas;
        this.exchange = exchange;
        exchange.traceTo(trace);
    }

    /** Per step, when this task reached each phase ({@link StepTrace}: off unless {@code descent.spark.trace} is set). */
    final StepTrace trace = new StepTrace();

    /** {@return see {@link Exchange#barrierNanos()}} */
    long barrierNanos() {
        return exchange.barrierNanos();
    }

    /** After the last step: see {@link Exchange#finish()}. */
    void finish() {
        exchange.finish();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int replicas() {
        return replicas;
    }

    /** Registers the gradient hooks of the early bucket on the parameters. */
    private void hook(List<Parameter> params) {
        hooked = List.copyOf(params);
        int n = params.size();
        numels = new int[n];
        for (int i = 0; i < n; i++) {
            numels[i] = params.get(i).numel();
            totalElements += numels[i];
        }
        seen = new Tensor[n];
        seenIndex = new int[n];
        early = new boolean[n];
        spoilt = new boolean[n];
        earlyAt = new int[replicas][];
        for (int i = 0; i < n; i++) {
            int index = i;
            Parameter p = params.get(i);
            if (p.requiresGrad()) p.registerHook(g -> {
                seen(index, g);
                return null;
            });
        }
    }

    /**
     * A hook saw parameter i's gradient {@code g}: collects the parameter, and once those collected hold half of the
     * elements, sends them as the early bucket at the next hook, by when the engine has stored their gradients in the
     * parameters (it stores a leaf's gradient after its hooks; a contiguous copy, cheaper to read than {@code g}, which
     * may be a strided view).
     */
    private void seen(int i, Tensor g) {
        if (ready) sendEarly();
        if (early[i] || spoilt[i]) { // a second backward pass in this step: this gradient is not the whole one
            spoilt[i] = true;
            return;
        }
        if (sentEarly || hooked.get(i).grad() != null || (g.dtype() != DType.FLOAT32 && g.dtype() != DType.FLOAT64)) {
            spoilt[i] = true; // not sent early: added to a gradient already there, or too late
            return;
        }
        seenIndex[seenCount++] = i;
        early[i] = true;
        seenElements += numels[i];
        if (2 * seenElements >= totalElements) ready = true;
    }

    /** Sends the collected parameters' gradients as this step's early bucket (none when one of them has no gradient). */
    private void sendEarly() {
        long t0 = System.nanoTime();
        trace.markEarly(StepTrace.Phase.EARLY);
        ready = false;
        sentEarly = true; // at most one bucket per step
        for (int k = 0; k < seenCount; k++) {
            seen[k] = hooked.get(seenIndex[k]).grad();
            if (seen[k] == null || seen[k].dtype() != DType.FLOAT32 && seen[k].dtype() != DType.FLOAT64) { // not stored as expected: all go in the message
                java.util.Arrays.fill(early, false);
                java.util.Arrays.fill(seen, null);
                return;
            }
        }
        earlyLength = earlyCodec.encodeEarly(seenIndex, seen, seenCount);
        exchange.sendEarly(earlyCodec.bytes(), earlyLength);
        trace.markEarly(StepTrace.Phase.EARLY_SENT);
        java.util.Arrays.fill(seen, null);
        encodeNanos += System.nanoTime() - t0; // inside the backward pass, but counted as encoding, not compute
    }

    /** Whether parameter i's gradient now has the bits its early bucket carried (the bucket is in {@link #earlyCodec}). */
    private boolean unchanged(int i, Tensor g, int at) {
        if (g == null || at < 0) return false;
        earlyCodec.seek(at);
        byte kind = earlyCodec.readByte();
        if (g.dtype() == DType.FLOAT32 && kind == 1) return earlyCodec.sameFloats(g);
        if (g.dtype() == DType.FLOAT64 && kind == 2) return earlyCodec.sameDoubles(g);
        return false;
    }

    @Override
    public Totals reduce(List<Parameter> params, Map<String, Tensor> buffers, Totals local) throws IOException {
        long c0 = threadCpu();
        long t0 = System.nanoTime();
        trace.nextWithEarly();
        trace.mark(StepTrace.Phase.READY);
        long busy = lastEnd == 0 ? 0 : t0 - lastEnd;
        boolean[] sentAhead = null;
        if (hooked != null && sentEarly && earlyLength > 0) {
            // the early bucket is still in earlyCodec's array: check that every gradient sent in it is the one stepped with
            earlyCodec.loadBytes(java.nio.ByteBuffer.wrap(earlyCodec.bytes(), 0, earlyLength));
            int[] at = earlyCodec.readEarlyIndex(params.size(), numels);
            earlyLength = 0;
            sentAhead = new boolean[params.size()];
            for (int i = 0; i < params.size(); i++) sentAhead[i] = early[i] && !spoilt[i] && unchanged(i, params.get(i).grad(), at[i]);
        }
        int length = codec.encodeBytes(rank, params, buffers, local, rank == 0 && !buffers.isEmpty(), busy, sentAhead);
        trace.mark(StepTrace.Phase.ENCODED);
        trace.keep(codec.bytes(), length);
        exchange.prepare(codec, length);
        trace.mark(StepTrace.Phase.PUT);
        long t1 = System.nanoTime();
        busy += t1 - t0;
        exchange.exchange();
        long t2 = System.nanoTime();
        int n = params.size();
        float[][] f = new float[n][];
        double[][] d = new double[n][];
        double lossSum = 0;
        long correct = 0, seen = 0;
        boolean classes = true, stop = false;
        long busiest = busy;
        for (int r = 0; r < replicas; r++) { // rank order: the sum single-process accumulation computes
            Totals t;
            if (r == rank) {
                t = local;
                for (int i = 0; i < n; i++) addLocal(params.get(i).grad(), i, f, d);
            } else {
                exchange.load(codec, r);
                int sender = codec.readInt();
                if (sender != r) throw new IllegalStateException("the message of rank " + r + " says rank " + sender);
                busiest = Math.max(busiest, codec.readLong());
                t = codec.readTotals(r, n);
                for (int i = 0; i < n; i++) {
                    byte kind = codec.readByte();
                    int numel = params.get(i).numel();
                    if (kind == 1) {
                        boolean first = f[i] == null;
                        if (first) f[i] = new float[numel];
                        codec.readFloats(f[i], first);
                    } else if (kind == 2) {
                        boolean first = d[i] == null;
                        if (first) d[i] = new double[numel];
                        codec.readDoubles(d[i], first);
                    } else if (kind == GradientCodec.SPARSE) {
                        boolean first = f[i] == null;
                        if (first) f[i] = new float[numel];
                        codec.readSparseFloats(f[i], first);
                    } else if (kind == GradientCodec.EARLY) {
                        if (earlyAt[r] == null) {
                            exchange.loadEarly(earlyCodec, r);
                            earlyAt[r] = earlyCodec.readEarlyIndex(n, numels);
                        }
                        if (earlyAt[r][i] < 0) throw new IllegalStateException("rank " + r + " sent gradient " + i + " early, but its early bucket does not hold it");
                        earlyCodec.seek(earlyAt[r][i]);
                        earlyReads++;
                        byte k = earlyCodec.readByte();
                        if (k == 1) {
                            boolean first = f[i] == null;
                            if (first) f[i] = new float[numel];
                            earlyCodec.readFloats(f[i], first);
                        } else {
                            boolean first = d[i] == null;
                            if (first) d[i] = new double[numel];
                            earlyCodec.readDoubles(d[i], first);
                        }
                    } else if (kind != 0) {
                        throw new IllegalStateException("rank " + r + " sent an unknown gradient kind " + kind);
                    }
                }
                int nb = codec.readInt();
                if (nb > 0 && r == 0) { // rank 0's buffers (running statistics), copied into this replica
                    if (nb != buffers.size()) throw new IllegalStateException("rank 0 sent " + nb + " buffers, this replica has " + buffers.size());
                    for (Tensor b : buffers.values()) {
                        double[] v = new double[b.numel()];
                        codec.readDoubles(v, true);
                        b.copyFrom(b.dim() == 0 ? Tensor.of(v[0]) : Tensor.wrap(Storage.of(v), 0, b.shape(), contiguousStrides(b.shape())));
                    }
                }
            }
            lossSum += t.lossSum();
            correct += t.correct();
            seen += t.seen();
            classes &= t.classes() || t.seen() == 0;
            stop |= t.stop();
        }
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            if (f[i] != null) p.setGrad(p.dim() == 0 ? Tensor.of(f[i][0]) : Tensor.wrap(Storage.of(f[i]), 0, p.shape(), contiguousStrides(p.shape())));
            else if (d[i] != null) p.setGrad(p.dim() == 0 ? Tensor.of(d[i][0]) : Tensor.wrap(Storage.of(d[i]), 0, p.shape(), contiguousStrides(p.shape())));
            else p.setGrad(null);
        }
        if (exchange.sendsEarly() && replicas > 1) {
            if (hooked == null) {
                hook(params);
            } else {
                seenCount = 0;
                seenElements = 0;
                sentEarly = false;
                ready = false;
                java.util.Arrays.fill(this.seen, null);
                java.util.Arrays.fill(early, false);
                java.util.Arrays.fill(spoilt, false);
                java.util.Arrays.fill(earlyAt, null);
            }
        }
        long t3 = System.nanoTime();
        trace.mark(StepTrace.Phase.SUMMED);
        encodeNanos += t1 - t0;
        exchangeNanos += t2 - t1;
        sumNanos += t3 - t2;
        if (lastEnd != 0) waitNanos += Math.min(busiest - busy, t2 - t1);
        lastEnd = t3;
        cpuNanos += threadCpu() - c0;
        return new Totals(lossSum, correct, seen, classes, stop);
    }

    /** Sets or adds this replica's own gradient {@code g} of parameter i into the sums, as a received one would be. */
    private static void addLocal(Tensor g, int i, float[][] f, double[][] d) {
        if (g == null) return;
        if (g.dtype() == DType.FLOAT32) {
            float[] a = g.isContiguous() ? g.storage().floats() : g.toFloatArray();
            int off = g.isContiguous() ? g.storageOffset() : 0, numel = g.numel();
            if (f[i] == null) {
                f[i] = new float[numel];
                System.arraycopy(a, off, f[i], 0, numel);
            } else {
                float[] s = f[i];
                for (int j = 0; j < numel; j++) s[j] += a[off + j];
            }
        } else if (g.dtype() == DType.FLOAT64) {
            double[] a = g.isContiguous() ? g.storage().doubles() : g.toDoubleArray();
            int off = g.isContiguous() ? g.storageOffset() : 0, numel = g.numel();
            if (d[i] == null) {
                d[i] = new double[numel];
                System.arraycopy(a, off, d[i], 0, numel);
            } else {
                double[] s = d[i];
                for (int j = 0; j < numel; j++) s[j] += a[off + j];
            }
        }
    }

    private static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int k = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = k;
            k *= shape[i];
        }
        return s;
    }
}
