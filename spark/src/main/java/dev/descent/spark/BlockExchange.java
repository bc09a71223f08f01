package dev.descent.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.buffer.ManagedBuffer;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockManagerId;

/**
 * The exchange executor to executor, with Spark's block manager: each step every task stores its message's bytes as a
 * block in its executor's {@code BlockManager} (in memory, serialised form, not reported to the driver), sends only
 * where it is (rank, step, the block manager's executor, host and port) through {@code BarrierTaskContext.allGather},
 * and fetches every other task's block with the block manager's {@code BlockTransferService} (Spark's Netty block
 * transfer, the service that moves shuffle and cached blocks), or reads it from its own block manager when it is there
 * (local mode, or two tasks on one executor). So the gradient bytes go straight from executor to executor, as raw
 * little-endian bytes (no text), and the driver relays a few dozen bytes per task.
 *
 * <p><b>Lifetime.</b> A task removes its block of step s once the barrier of step s + 1 has passed (every task has
 * fetched it by then: it fetches before its next barrier), and its last block after one more barrier at the end of the
 * run ({@link #finish()}). A failed task's blocks are removed by {@link #close()}, which the task calls when it ends in
 * any way. Block names carry the stage, its attempt, the rank and the step, so a retried stage never reads a block of a
 * failed attempt.
 *
 * <p>The Spark members used ({@code BlockManager.putBytes} through {@link Blocks}, {@code getLocalBlockData}, {@code removeBlock},
 * {@code blockTransferService().fetchBlockSync}) are {@code private[spark]} in Scala, which is public in bytecode.
 */
final class BlockExchange implements BarrierReducer.Exchange, AutoCloseable {
    private final int rank, replicas;
    private final String prefix;
    private final Function<String, String[]> allGather;
    private final BlockManager bm;
    private final BlockManagerId me;
    /** This task's blocks still stored, oldest first (at most two: the previous step's and this one's). */
    private final Deque<BlockId> mine = new ArrayDeque<>();
    /** Per rank, the fetched block of the current step; null for this rank. */
    private final ManagedBuffer[] fetched;
    private long step;
    /** The arrays of this task's blocks, used in turn by odd and even steps. */
    private final byte[][] arrays = new byte[2][];

    /**
     * @param rank      this task's rank
     * @param replicas  the number of tasks
     * @param stage     the stage and its attempt, e.g. "12_0": part of every block's name
     * @param allGather the barrier's allGather
     */
    BlockExchange(int rank, int replicas, String stage, Function<String, String[]> allGather) {
        this.rank = rank;
        this.replicas = replicas;
        this.prefix = "test_descent_" + stage + "_";
        this.allGather = allGather;
        this.bm = SparkEnv.get().blockManager();
        this.me = bm.blockManagerId();
        this.fetched = new ManagedBuffer[replicas];
    }

    private BlockId id(int r, long s) {
        return BlockId.apply(prefix + r + "_" + s);
    }

    private String meta;
    private long barrierNanos;

    @Override
    public long barrierNanos() {
        return barrierNanos;
    }

    @Override
    public void prepare(GradientCodec codec, int length) {
        step++;
        // The block keeps this array until it is removed: block s - 2, which had this array, was removed after the barrier
        // of step s - 1, by when every task had read it (each reads the blocks of a step before its next barrier).
        int k = (int) (step & 1);
        if (arrays[k] == null || arrays[k].length < length) arrays[k] = new byte[length + length / 8]; // sparse messages vary in length
        byte[] copy = arrays[k];
        System.arraycopy(codec.bytes(), 0, copy, 0, length);
        BlockId id = id(rank, step);
        Blocks.store(bm, id, copy, length);
        mine.addLast(id);
        meta = rank + " " + step + " " + me.executorId() + " " + me.host() + " " + me.port();
    }

    private StepTrace trace;

    @Override
    public void traceTo(StepTrace trace) {
        this.trace = trace;
    }

    @Override
    public void exchange() {
        long t0 = System.nanoTime();
        if (trace != null) trace.mark(StepTrace.Phase.BARRIER_IN);
        String[] all = allGather.apply(meta);
        barrierNanos += System.nanoTime() - t0;
        if (trace != null) trace.mark(StepTrace.Phase.BARRIER_OUT);
        if (all.length != replicas) throw new IllegalStateException("the exchange returned " + all.length + " messages for " + replicas + " replicas");
        // Every task has passed this barrier, so every task has fetched the previous step's blocks.
        while (mine.size() > 1) bm.removeBlock(mine.removeFirst(), false);
        String[][] where = new String[replicas][];
        for (String m : all) {
            String[] w = m.split(" ");
            int r = Integer.parseInt(w[0]);
            if (w.length != 5 || r < 0 || r >= replicas || where[r] != null) throw new IllegalStateException("the exchange returned a bad or repeated location: " + m);
            if (Long.parseLong(w[1]) != step) throw new IllegalStateException("rank " + r + " is at step " + w[1] + ", this one (" + rank + ") at " + step);
            where[r] = w;
        }
        for (int r = 0; r < replicas; r++) {
            if (r == rank) continue;
            String[] w = where[r];
            BlockId id = id(r, step);
            fetched[r] = w[2].equals(me.executorId()) ? bm.getLocalBlockData(id)
                    : bm.blockTransferService().fetchBlockSync(w[3], Integer.parseInt(w[4]), w[2], id.name(), null);
        }
        if (trace != null) trace.mark(StepTrace.Phase.RECEIVED);
    }

    @Override
    public void load(GradientCodec codec, int r) {
        ManagedBuffer b = fetched[r];
        fetched[r] = null;
        try {
            codec.loadBytes(b.nioByteBuffer()); // a heap buffer is read in place after the release: the block stays until every task has passed the next barrier
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the gradient block of rank " + r + " could not be read", e);
        } finally {
            b.release();
        }
    }

    @Override
    public void finish() {
        allGather.apply(rank + " end");
        close();
    }

    /** Releases what was fetched and not read, and removes this task's blocks. */
    @Override
    public void close() {
        for (int r = 0; r < replicas; r++) {
            if (fetched[r] != null) fetched[r].release();
            fetched[r] = null;
        }
        while (!mine.isEmpty()) bm.removeBlock(mine.removeFirst(), false);
    }
}
