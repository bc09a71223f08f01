package dev.descent.core;

/**
 * Whether ops record the graph, per thread. Recording is on by default; a no-grad scope turns it off
 * for inference and for optimizer updates:
 *
 * <pre>{@code
 * try (var _ = GradMode.noGrad()) {
 *     Tensor y = model.forward(x);      // no graph is built
 * }
 * }</pre>
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope that restores the previous mode when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Scope(boolean enabled) {
            boolean[] flag = ENABLED.get();
            previous = flag[0];
            flag[0] = enabled;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            ENABLED.get()[0] = previous;
        }
    }

    /** Turns recording off until the returned scope is closed. */
    public static Scope noGrad() {
        return new Scope(false);
    }

    /** Turns recording on until the returned scope is closed (e.g. inside a no-grad region). */
    public static Scope enableGrad() {
        return new Scope(true);
    }

    /** Sets recording on or off until the returned scope is closed. */
    public static Scope set(boolean enabled) {
        return new Scope(enabled);
    }
}
