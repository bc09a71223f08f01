package dev.descent.spark;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.buffer.NioManagedBuffer;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.reflect.ClassTag$;

/**
 * The exchange executor to executor without a barrier per step: every task uploads its message's bytes as a block into
 * every other task's block manager ({@code BlockTransferService.uploadBlock}, the service Spark uses to replicate
 * blocks; the upload's acknowledgement is awaited at the next step, not before this task waits for the others) and then waits until the other tasks' blocks of the step have arrived in its own. The block managers'
 * addresses go through {@code BarrierTaskContext.allGather} once, when the exchange is made; after that the driver
 * takes no part in a step but to record where the uploaded blocks are (the block manager reports every block it
 * receives, and its removal, to the driver: the receipt on the receiving executor's network thread, after the bytes
 * are stored and before the upload is acknowledged, the removal from a background thread; the waiting task reads the
 * bytes as soon as they are stored, so neither report is on the step's path).
 *
 * <p>Against {@link BlockExchange} this saves the step's round trip through the driver's barrier coordinator (and
 * Spark's polling of its reply, {@link Waker}), and the second round trip of a fetch (open the block, then fetch its
 * chunk): the bytes move once, pushed by the task that has them as soon as it has them. The arrival of a block is
 * the step's only synchronisation: a task can be at most one step ahead of another (it needs the other's block of
 * its step to finish it), and block names carry the stage, its attempt, sender, receiver and step.
 *
 * <p><b>Early bucket.</b> {@link #sendEarly} uploads part of a step's gradients during the backward pass (see
 * {@link BarrierReducer}) as a block of its own, before the message on the same connection; a receiver reads it when
 * the message names it ({@link #loadEarly}) and removes it at the next exchange either way.
 *
 * <p><b>Failures.</b> An upload to a lost executor throws, which fails the task and the stage (Spark then runs it
 * again, and {@link SparkTrainer} resumes from the latest checkpoint). A task waiting for a block checks every
 * {@link #POLL_NANOS} whether Spark has killed it (a barrier stage's other tasks are killed when one fails) and gives up
 * after {@code spark.barrier.sync.timeout}, like a barrier would.
 */
final class PushExchange implements BarrierReducer.Exchange, AutoCloseable {
    /** How often a waiting task looks for the blocks it waits for: 50 microseconds. */
    static final long POLL_NANOS = 50_000;

    private final int rank, replicas;
    private final String prefix;
    private final Function<String, String[]> allGather;
    private final Runnable checkKilled;
    private final long timeoutNanos;
    private final BlockManager bm;
    private final BlockManagerId me;
    /** Per rank, its block manager's executor, host and port. */
    private final String[][] where;
    /** Received blocks to remove, removed off the step (the removal is reported to the driver). */
    private final ExecutorService remover = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "descent-push-remover");
        t.setDaemon(true);
        return t;
    });
    /** Per rank, the received block's bytes of the current step; null for this rank. */
    private final ByteBuffer[] received;
    /** Received blocks (messages and early buckets) to remove at the next exchange. */
    private final java.util.Set<BlockId> pending = new java.util.LinkedHashSet<>();
    private byte[] mine;
    /** Whether another task runs on this executor (its blocks are stored, not uploaded). */
    private final boolean localPeer;
    private int mineLength;
    private long step, barrierNanos;

    /**
     * Exchanges the block managers' addresses through {@code allGather} (every task makes its exchange at the start).
     *
     * @param rank        this task's rank
     * @param replicas    the number of tasks
     * @param stage       the stage and its attempt, e.g. "12_0": part of every block's name
     * @param allGather   the barrier's allGather
     * @param checkKilled throws when Spark has killed the task
     * @param timeoutNanos how long to wait for another task's block before giving up
     */
    PushExchange(int rank, int replicas, String stage, Function<String, String[]> allGather, Runnable checkKilled, long timeoutNanos) {
        this.rank = rank;
        this.replicas = replicas;
        this.prefix = "test_descent_push_" + stage + "_";
        this.allGather = allGather;
        this.checkKilled = checkKilled;
        this.timeoutNanos = timeoutNanos;
        this.bm = SparkEnv.get().blockManager();
        this.me = bm.blockManagerId();
        this.received = new ByteBuffer[replicas];
        this.where = new String[replicas][];
        long t0 = System.nanoTime();
        String[] all = allGather.apply(rank + " " + me.executorId() + " " + me.host() + " " + me.port());
        barrierNanos += System.nanoTime() - t0;
        if (all.length != replicas) throw new IllegalStateException("the exchange returned " + all.length + " addresses for " + replicas + " replicas");
        for (String m : all) {
            String[] w = m.split(" ");
            int r = Integer.parseInt(w[0]);
            if (w.length != 4 || r < 0 || r >= replicas || where[r] != null) throw new IllegalStateException("the exchange returned a bad or repeated address: " + m);
            where[r] = Arrays.copyOfRange(w, 1, 4);
        }
        boolean local = false;
        for (int r = 0; r < replicas; r++) local |= r != rank && where[r][0].equals(me.executorId());
        this.localPeer = local;
    }

    /** The block that {@code from} sends to {@code to} in step {@code s}. */
    private BlockId id(int from, int to, long s) {
        return BlockId.apply(prefix + from + "_" + to + "_" + s);
    }

    /** The early bucket that {@code from} sends to {@code to} in step {@code s}. */
    private BlockId earlyId(int from, int to, long s) {
        return BlockId.apply(prefix + "early_" + from + "_" + to + "_" + s);
    }

    /**
     * Whether uploads go through {@link Uploader} (one copy on the task thread) rather than Spark's
     * {@code uploadBlock} (two copies into new arrays): the system property {@code descent.spark.directUpload}
     * (default true; false for comparison). Both send the same message.
     */
    private static final boolean DIRECT = Boolean.parseBoolean(System.getProperty("descent.spark.directUpload", "true"));

    /** The uploads' sender when {@link #DIRECT}; null otherwise. */
    private final Uploader uploader = DIRECT ? new Uploader(StorageLevel.MEMORY_ONLY_SER()) : null;

    /** Whether tasks send early buckets: the system property {@code descent.spark.earlyBucket} (default true; false for diagnosis). */
    private static final boolean EARLY = Boolean.parseBoolean(System.getProperty("descent.spark.earlyBucket", "true"));

    @Override
    public boolean sendsEarly() {
        return EARLY;
    }

    @Override
    public void sendEarly(byte[] bytes, int length) {
        // the coming step: prepare has not counted it yet. An upload copies the bytes before it returns; a block stored for a
        // task on this executor keeps them.
        send(localPeer ? Arrays.copyOf(bytes, length) : bytes, length, step + 1, this::earlyId);
    }

    @Override
    public void loadEarly(GradientCodec codec, int r) {
        BlockId id = earlyId(r, rank, step);
        ByteBuffer b = await(id, r);
        pending.add(id);
        codec.loadBytes(b); // read in place: removed at the next exchange
    }

    /** Names a block by sender, receiver and step. */
    private interface Namer {
        BlockId id(int from, int to, long s);
    }

    /**
     * Sends {@code bytes} (which the receivers on this executor keep as their block) to every other task as its block
     * of step {@code s}: stored in place for a task on this executor, uploaded to the others (acknowledged later).
     */
    private void send(byte[] bytes, int length, long s, Namer namer) {
        for (int k = 1; k < replicas; k++) { // rank + 1 first: with many ranks, the uploads do not all go to rank 0 first
            int r = (rank + k) % replicas;
            BlockId id = namer.id(rank, r, s);
            String[] w = where[r];
            if (w[0].equals(me.executorId())) {
                Blocks.store(bm, id, bytes, length);
            } else {
                // Not waited for here: the receiver reports the block to the driver before it acknowledges it, a round trip
                // this task need not sit through. The acknowledgement is checked at the next step (or at the end).
                String to = "rank " + r + " (executor " + w[0] + " at " + w[1] + ":" + w[2] + ")";
                uploads.add(new Upload(to, s, uploader != null ? uploader.upload(w[0], w[1], Integer.parseInt(w[2]), id, bytes, length)
                        : scala.jdk.javaapi.FutureConverters.asJava(bm.blockTransferService().uploadBlock(w[1], Integer.parseInt(w[2]), w[0], id,
                        new NioManagedBuffer(ByteBuffer.wrap(bytes, 0, length)), StorageLevel.MEMORY_ONLY_SER(), ClassTag$.MODULE$.Nothing())).toCompletableFuture()));
            }
        }
    }

    /** Waits until block {@code id}, from rank {@code from}, is stored in this executor's memory store: {@return its bytes} */
    private ByteBuffer await(BlockId id, int from) {
        long deadline = System.nanoTime() + timeoutNanos;
        ByteBuffer got;
        while ((got = stored(id)) == null) {
            checkKilled.run();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("rank " + rank + " received no gradients from rank " + from + " for step " + step + " within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return got;
    }

    @Override
    public void prepare(GradientCodec codec, int length) {
        step++;
        // a block stored for a task on this executor keeps the array (shared by every receiver there); an upload copies it
        // before it returns, and exchange() uploads before the codec is written again
        mine = localPeer ? Arrays.copyOf(codec.bytes(), length) : codec.bytes();
        mineLength = length;
    }

    /** An upload of this task's block of step {@code step} not yet acknowledged. */
    private record Upload(String to, long step, java.util.concurrent.CompletableFuture<?> done) {}

    /** The uploads not yet acknowledged, oldest first, whose acknowledgements {@link #acknowledged} waits for. */
    private final List<Upload> uploads = new ArrayList<>();

    /** Waits for every upload of a step before {@code before} to be acknowledged; throws when one failed. */
    private void acknowledged(long before) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (java.util.Iterator<Upload> it = uploads.iterator(); it.hasNext(); ) {
            Upload u = it.next();
            if (u.step() >= before) continue;
            it.remove();
            while (true) {
                try {
                    u.done().get(POLL_NANOS * 2000, TimeUnit.NANOSECONDS);
                    break;
                } catch (java.util.concurrent.TimeoutException e) {
                    checkKilled.run();
                    if (System.nanoTime() - deadline > 0) throw new IllegalStateException("rank " + rank + ": " + u.to() + " did not acknowledge its gradients");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("rank " + rank + " was interrupted while sending its gradients to " + u.to(), e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("rank " + rank + " could not send its gradients to " + u.to() + ": " + e.getCause(), e.getCause());
                }
            }
        }
    }

    private StepTrace trace;

    @Override
    public void traceTo(StepTrace trace) {
        this.trace = trace;
    }

    @Override
    public void exchange() {
        removeReceived(); // the previous step's, read by now
        acknowledged(step); // the previous steps' uploads (this step's early bucket may still be on its way)
        send(mine, mineLength, step, this::id);
        mine = null;
        if (trace != null) trace.mark(StepTrace.Phase.SENT);
        for (int r = 0; r < replicas; r++) {
            if (r == rank) continue;
            BlockId id = id(r, rank, step);
            received[r] = await(id, r);
            pending.add(id);
            // an early bucket is uploaded before the message on the same connection, so it is stored by now when it was
            // sent; removed at the next exchange even when the message names none of its gradients and it is never read
            BlockId e = earlyId(r, rank, step);
            if (stored(e) != null) pending.add(e);
        }
        if (trace != null) trace.mark(StepTrace.Phase.RECEIVED);
    }

    /**
     * The bytes of block {@code id} once its put has stored them in this executor's memory store, else null. A put
     * stores the bytes, then reports the block to the driver and only then releases its write lock, so that
     * {@code getLocalBlockData} would wait for the driver's round trip; the bytes are complete and never change once
     * stored, and only this task removes the block (after reading it), so they are read without the block's lock.
     */
    private ByteBuffer stored(BlockId id) {
        scala.Option<ChunkedByteBuffer> b = bm.memoryStore().getBytes(id);
        return b.isDefined() ? b.get().toByteBuffer() : null;
    }

    @Override
    public void load(GradientCodec codec, int r) {
        ByteBuffer b = received[r];
        received[r] = null;
        codec.loadBytes(b); // a heap buffer is read in place: its block is removed at the next exchange, after the reads
    }

    private void removeReceived() {
        if (pending.isEmpty()) return;
        BlockId[] ids = pending.toArray(BlockId[]::new);
        pending.clear();
        remover.execute(() -> {
            for (BlockId id : ids) bm.removeBlock(id, true);
        });
    }

    @Override
    public long barrierNanos() {
        return barrierNanos;
    }

    @Override
    public void finish() {
        acknowledged(Long.MAX_VALUE);
        long t0 = System.nanoTime();
        allGather.apply(rank + " end");
        barrierNanos += System.nanoTime() - t0;
        close();
    }

    /** Releases what was received and not read, and removes it (also after a failure). */
    @Override
    public void close() {
        java.util.Arrays.fill(received, null);
        removeReceived();
        remover.shutdown();
        try {
            if (!remover.awaitTermination(10, TimeUnit.SECONDS)) remover.shutdownNow();
        } catch (InterruptedException e) {
            remover.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
