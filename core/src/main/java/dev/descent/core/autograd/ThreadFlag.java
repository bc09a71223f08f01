package dev.descent.core.autograd;

/**
 * A per-thread on/off switch with scopes that restore the previous value when closed: the mechanism behind
 * {@link GradMode} (recording) and {@link ForwardAD} (tangent propagation).
 */
abstract class ThreadFlag implements AutoCloseable {
    private final boolean[] flag;
    private final boolean previous;
    private boolean closed;

    /** Sets this thread's {@code flag} to {@code enabled} until {@link #close()}. */
    ThreadFlag(ThreadLocal<boolean[]> flag, boolean enabled) {
        this.flag = flag.get();
        previous = this.flag[0];
        this.flag[0] = enabled;
    }

    /** A flag that starts on in every thread. */
    static ThreadLocal<boolean[]> on() {
        return ThreadLocal.withInitial(() -> new boolean[] {true});
    }

    /** Restores the value the flag had when this scope opened; closing twice is harmless. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        flag[0] = previous;
    }
}
