package dev.descent.core.autograd;

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

    private static final ThreadLocal<boolean[]> ENABLED = ThreadFlag.on();

    /** {@return whether ops on this thread record the graph (on unless inside a no-grad scope)} */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /**
     * A scope that restores the previous mode when closed. Closing twice is harmless; scopes should be
     * closed in the reverse order of opening (try-with-resources does that).
     */
    public static final class Scope extends ThreadFlag {
        private Scope(boolean enabled) {
            super(ENABLED, enabled);
        }
    }

    /**
     * Turns recording off on this thread until the returned scope is closed: for inference and for in-place
     * parameter updates.
     *
     * @return the scope to close (use try-with-resources)
     */
    public static Scope noGrad() {
        return new Scope(false);
    }

    /**
     * Turns recording on on this thread until the returned scope is closed (e.g. inside a no-grad region).
     *
     * @return the scope to close (use try-with-resources)
     */
    public static Scope enableGrad() {
        return new Scope(true);
    }

    /**
     * Sets recording on or off on this thread until the returned scope is closed.
     *
     * @param enabled whether ops should record the graph
     * @return the scope to close (use try-with-resources)
     */
    public static Scope set(boolean enabled) {
        return new Scope(enabled);
    }
}
