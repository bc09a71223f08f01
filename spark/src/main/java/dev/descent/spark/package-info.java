/**
 * Synchronous data-parallel training on Apache Spark: {@link dev.descent.spark.SparkTrainer}.
 *
 * <p><b>Design.</b> A run is one long-lived barrier stage ({@code RDD.barrier().mapPartitions}) of P tasks, started
 * together by Spark. Task r is replica r: it builds the model, optimizer and loader from a serialisable
 * {@link dev.descent.spark.ReplicaFactory} (the same seeds on every task, so the replicas start identical) and runs the
 * train module's own loop, {@code Trainer}, with {@code accumulate(P)} and a {@code GradientReducer}. Every replica
 * draws the same seeded batches as a single-process run would; of each step's group of P consecutive batches of b
 * (one global batch of P·b), replica r computes forward and backward of batch r only, its mean loss weighted by
 * b / (P·b) exactly as single-process accumulation weights it. Between backward and the optimizer step the reducer
 * exchanges the gradients (below) and every replica adds them in rank order
 * (g0 + g1 + ... , the order single-process accumulation adds them in), so every replica takes the same optimizer
 * step on the same bits, and the weights are bitwise those of one process with {@code accumulate(P)}.
 *
 * <p><b>Why a barrier stage and allGather.</b> The alternatives were a stage per step (a job per step: task launch
 * and closure shipping every step, and the model state serialised through the driver each time) and
 * {@code treeAggregate} of gradients (also a job per step). One stage keeps the replicas, their optimizer state and
 * the loaded data in the tasks for the whole run; each step's barrier is an RPC round through the driver's barrier
 * coordinator and the gradient bytes move with Spark's own block transfer, with no protocol of our own, and a task
 * that dies fails the whole stage, which is what synchronous training needs (no replica may go on alone).
 *
 * <p><b>The exchange.</b> By default ({@code Settings.exchange("blocks")}, {@code BlockExchange}) each task stores its
 * message, 4·n + 46 bytes plus one per parameter tensor for n float32 parameters (rank 0 adds 8 bytes per buffer
 * element, e.g. BatchNorm's running statistics), as a block in its executor's Spark {@code BlockManager}, and sends only
 * where it is (rank, step, executor, host and port: a few dozen bytes) through {@code allGather}, which is also the
 * step's barrier; each task then fetches the other P − 1 blocks with Spark's block transfer service (Netty, executor
 * to executor; a block on its own executor is read in place) and removes its own block of the previous step once the
 * next barrier has passed. So each task sends its 4n bytes to each of the P − 1 others and receives P − 1 such, in
 * binary, and the driver relays P² short Strings. For SimpleCNN on 28×28 images (421,642 parameters in 8 tensors) a
 * message is 1,686,622 bytes: at P = 2 each task sends and receives 1.7 MB per step, and the driver about 200 bytes.
 * {@code "push"} ({@code PushExchange}) moves the same bytes the other way and without a barrier per step: each task
 * uploads its block into every other task's block manager (the way Spark replicates blocks) and waits until the other
 * tasks' blocks have arrived in its own; the block managers' addresses go through {@code allGather} once, at the start.
 * The receiving block manager reports each uploaded block to the driver before it releases the block's lock; the
 * waiting task reads the bytes from the memory store as soon as they are stored, so that round trip stays off the
 * step's path (before this, push was no faster than blocks). With push, {@code BarrierReducer} also sends an early
 * bucket: gradient hooks see each parameter's gradient as the backward pass completes it, and once those seen hold half
 * the elements (SimpleCNN: its first linear layer, whose gradient is done before the convolutions') they are uploaded
 * while the backward pass computes the rest; the message at the end carries the others. The other exchange ({@code "allgather"}) sends the whole message through {@code allGather}
 * as a String of 7 ASCII chars per 6 bytes ({@code GradientCodec}: Spark's Java serialisation writes such a String one
 * byte per char): per step the driver takes in P messages and sends out P², 7.9 MB at P = 2, and most of its cost is
 * the driver's and the tasks' Java serialisation of those Strings. On a two-worker cluster blocks and push were about
 * as fast and allgather the slowest (docs/scaling.md); all three give the same bits. Either way a task's traffic grows
 * with P (an all-reduce would keep it at 2·(P−1)/P·4n): docs/scaling.md has the cost model.
 *
 * <p><b>Latency.</b> Spark 4.2's barrier call polls for its reply once a second; {@code Waker} interrupts the waiting
 * task every half millisecond while the exchange is in flight (an interrupted poll only checks again), which brings an
 * exchange from about a second to milliseconds.
 *
 * <p><b>BatchNorm.</b> As in PyTorch's DistributedDataParallel by default: batch statistics are per replica (each
 * normalises its own micro-batch, exactly as single-process accumulation normalises each micro-batch, so gradients and
 * weights match bitwise), and the running statistics are rank 0's, sent with every exchange and copied into every
 * replica (DDP broadcasts rank 0's buffers). They are updated once per step from rank 0's micro-batch, not P times as
 * in single-process accumulation, so the running statistics differ from the accumulation run's; an evaluation in eval
 * mode uses them. Dropout masks are drawn per replica, so a model with dropout is not bitwise the accumulation run.
 *
 * <p><b>Checkpoints and failures.</b> Rank 0 writes the trainer's atomic checkpoints into the shared run folder every
 * k steps and at epoch ends; every replica starts with {@code Trainer.resume()}. When a task or an executor fails,
 * the barrier stage fails as a whole (Spark kills the other tasks); Spark may retry the stage, and the driver runs it
 * again up to {@code attempts} times; either way every replica resumes from the latest checkpoint, which holds only
 * whole steps, so the final weights are bitwise those of an uninterrupted run.
 */
package dev.descent.spark;
