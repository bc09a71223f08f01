package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.Map;

/**
 * What a scheduler attached to an {@link Optimizer} contributes to its state: the optimizer saves each
 * attached scheduler's tensors under {@code scheduler.K.} (K the order of attachment), checks them all
 * before loading anything, then loads them.
 */
abstract class AttachedScheduler {

    /** The scheduler's state, each key starting with {@code prefix}. */
    abstract Map<String, Tensor> stateDict(String prefix);

    /** Throws an {@link IllegalArgumentException} naming the key when a value of {@code state} is out of range; changes nothing. */
    abstract void checkState(Map<String, Tensor> state, String prefix);

    /** Restores a state that {@link #checkState} accepted. */
    abstract void loadState(Map<String, Tensor> state, String prefix);
}
