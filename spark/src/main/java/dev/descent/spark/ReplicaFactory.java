package dev.descent.spark;

import dev.descent.train.Trainer;
import java.io.Serializable;

/**
 * Builds one replica of a data-parallel run inside a Spark task: the model, the optimizer and the loader, configured
 * as for a single-process run (epochs, loss, schedule, evaluation, callbacks). Spark serialises the factory to every
 * executor and calls {@link #build(int)} once per task (and again when a failed stage is retried), so it must be
 * serialisable and must build the same replica every time and on every rank: the same seeds for the weights and the
 * loader, the data read from a path every executor can see. Only what runs beside the loop may differ by rank (rank 0's
 * callbacks write the metrics and plots; the others' usually none). {@link SparkTrainer} then sets the accumulation (one micro-batch per
 * worker), the gradient exchange and the checkpoints on the builder.
 */
@FunctionalInterface
public interface ReplicaFactory extends Serializable {
    /**
     * Builds a replica.
     *
     * @param rank the replica's rank, from 0 (rank 0 writes the checkpoints)
     * @return the trainer's builder, with the loader's batch size the per-worker batch
     * @throws Exception when the replica cannot be built (data not readable, bad settings); the run then fails with
     *                   its message and is not retried
     */
    Trainer.Builder build(int rank) throws Exception;
}
