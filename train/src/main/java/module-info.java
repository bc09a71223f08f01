/**
 * Descent train: the one training loop as a library. {@link dev.descent.train.Trainer} runs epochs of
 * mini-batches with callbacks, evaluation, a metrics log, atomic checkpoints and resume at any step.
 * Depends on core, nn, optim and data only.
 */
module dev.descent.train {
    requires transitive dev.descent.nn;
    requires transitive dev.descent.optim;
    requires transitive dev.descent.data;

    exports dev.descent.train;
}
