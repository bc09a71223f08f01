package dev.descent.train;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The exchange step of synchronous data parallelism: a {@link Trainer} given one ({@link Trainer.Builder#reduceWith})
 * is one of {@link #replicas()} identical replicas, each running the same loop over the same loader. Of every optimizer
 * step's group of {@link Trainer.Builder#accumulate(int) accumulated} micro-batches, the replica computes forward and
 * backward only for its own share (micro-batch k of a group of s belongs to replica {@code k * replicas / s}), each
 * loss weighted by its share of the whole group's examples, exactly as in single-process accumulation. Between the
 * backward passes and the optimizer step the trainer calls {@link #reduce}, which must leave in every replica's
 * parameters the sum over replicas of their gradients, added in rank order, and return the summed numbers of the step.
 * Every replica then takes the same optimizer step on the same gradients, so the replicas stay identical.
 *
 * <p>With as many micro-batches per step as replicas, each replica computes one and the rank-ordered sum adds the
 * same gradients in the same order as single-process accumulation ({@code g0 + g1 + ...}), so the weights are
 * bitwise those of {@code accumulate(P)} in one process. Buffers (BatchNorm's running statistics) are rank 0's:
 * {@link #reduce} also hands rank 0's buffers to every replica, as PyTorch's DistributedDataParallel broadcasts them.
 *
 * <p>Only rank 0 writes checkpoints; every replica reads the latest one on {@link Trainer#resume()}.
 *
 * <p>What every replica must decide alike travels with the gradients: the step's loss (a non-finite one ends every
 * replica's run after the exchange) and a stop request made before the exchange. Two decisions do not: a stop requested
 * from {@link Callback#onEpochEnd} (give every replica the same stopping callbacks, which see the same metrics) and
 * anomaly detection ({@link Trainer.Builder#detectAnomaly}), which ends one replica's run inside its backward pass, so
 * the others wait in the next exchange until the exchange's own timeout (Spark: {@code spark.barrier.sync.timeout}).
 */
public interface GradientReducer {
    /** {@return this replica's rank, from 0} */
    int rank();

    /** {@return the number of replicas, at least 1} */
    int replicas();

    /**
     * What one replica computed in a step, or (as the result of {@link #reduce}) the sums over all replicas.
     *
     * @param lossSum  Σ over the micro-batches computed of the mean loss times the batch size
     * @param correct  correct predictions (classification), else 0
     * @param seen     examples computed
     * @param classes  whether every output computed was a classification of its target
     * @param stop     whether a stop was requested ({@link Trainer#requestStop}); summed: whether any replica's was, so
     *                 that every replica stops after the same step
     */
    record Totals(double lossSum, long correct, long seen, boolean classes, boolean stop) {}

    /**
     * Sums the replicas' gradients in rank order into every replica's parameters and copies rank 0's buffers into every
     * replica's. Called once per optimizer step by every replica; blocks until all have called it.
     *
     * @param params  the model's parameters, whose gradients hold this replica's (null: this replica computed none)
     * @param buffers the model's buffers by name (replaced in place by rank 0's)
     * @param local   this replica's numbers for the step
     * @return the sums over all replicas, the same on every replica
     * @throws IOException when the exchange fails
     */
    Totals reduce(List<Parameter> params, Map<String, Tensor> buffers, Totals local) throws IOException;
}
