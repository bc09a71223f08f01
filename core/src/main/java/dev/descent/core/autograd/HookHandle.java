package dev.descent.core.autograd;

/**
 * What a hook registration returns: {@link #remove()} unregisters the hook (as PyTorch's {@code RemovableHandle}).
 * Removing twice does nothing.
 */
@FunctionalInterface
public interface HookHandle {
    /** Unregisters the hook; later passes no longer call it. */
    void remove();
}
