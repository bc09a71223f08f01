/**
 * Descent optim: optimizers over {@link dev.descent.core.Parameter}s with parameter groups, the
 * algorithms of the four papers (SGD family, Adam family, Stein-rule Adam, the clipping family,
 * projected gradient descent), gradient transforms, learning-rate schedules and optimizer state files.
 * Depends on core only.
 */
module dev.descent.optim {
    requires transitive dev.descent.core;
    requires jdk.incubator.vector;

    exports dev.descent.optim;
}
