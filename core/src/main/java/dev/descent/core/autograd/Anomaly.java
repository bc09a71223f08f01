package dev.descent.core.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Anomaly detection: when on, every recorded op checks that its output is finite, and the backward
 * walk checks every gradient a rule returns, so the first op to produce a NaN or an infinity is named
 * (with its inputs' shapes) instead of the damage surfacing steps later in the loss. It costs one pass
 * over every tensor; leave it off for speed.
 *
 * <pre>{@code
 * try (var _ = Anomaly.detect()) {
 *     loss.backward();
 * }
 * }</pre>
 */
public final class Anomaly {
    private Anomaly() {}

    private static volatile boolean enabled;

    /** Raised at the first non-finite value an op produced while detection was on. */
    public static final class AnomalyException extends ArithmeticException {
        private static final long serialVersionUID = 1L;

        AnomalyException(String message) {
            super(message);
        }
    }

    /** {@return whether detection is on (one JVM-wide setting)} */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Turns detection on or off for the whole JVM (all threads).
     *
     * @param on whether ops and backward rules should check their results
     */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** A scope that restores the previous setting when closed (closing never throws). */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            enabled = previous;
        }
    }

    /**
     * Turns detection on until the scope is closed, then restores the previous setting.
     *
     * @return the scope to close (use try-with-resources)
     */
    public static Scope detect() {
        Scope s = new Scope(enabled);
        enabled = true;
        return s;
    }

    /** Checks a forward result; called by {@link Autograd#record} when detection is on. */
    static void checkForward(String op, Tensor out, Tensor[] inputs) {
        int bad = firstNonFinite(out);
        if (bad >= 0) {
            throw new AnomalyException("op '" + op + "' produced " + describe(out, bad) + " of its output " + Shape.format(out.shape())
                    + "; input shapes " + shapes(inputs));
        }
    }

    /**
     * Checks a gradient a backward rule returned; the engine calls it when detection is on.
     *
     * @param node the node whose rule ran
     * @param input the index of the input the gradient is for
     * @param grad the gradient to check (int64 and bool are skipped)
     * @throws AnomalyException naming the op, the input, the first bad element and the input shapes, when
     *         {@code grad} holds a NaN or an infinity
     */
    static void checkBackward(Node node, int input, Tensor grad) {
        int bad = firstNonFinite(grad);
        if (bad >= 0) {
            Tensor[] in = node.inputs().toArray(new Tensor[0]);
            throw new AnomalyException("backward of '" + node.op() + "' produced " + describe(grad, bad) + " in the gradient of input " + input
                    + "; input shapes " + shapes(in));
        }
    }

    private static int firstNonFinite(Tensor t) {
        if (!t.dtype().isFloatingPoint()) return -1;
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) if (!Double.isFinite(v[i])) return i;
        return -1;
    }

    private static String describe(Tensor t, int i) {
        double v = t.toDoubleArray()[i];
        return (Double.isNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity") + " at element " + i;
    }

    private static String shapes(Tensor[] inputs) {
        return Arrays.stream(inputs).map(t -> t == null ? "null" : Shape.format(t.shape())).toList().toString();
    }
}
