package dev.descent.core.ops;

import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Building blocks of forward-mode (JVP) rules: sums of tangent terms where a missing input tangent is zero, and
 * broadcasting of an input's tangent to the output's shape (the forward counterpart of {@link Views#sumToShape}).
 */
final class Tangents {
    private Tangents() {}

    /**
     * The sum of the non-null terms, each broadcast to {@code shape}; null when every term is null (a zero tangent).
     *
     * @param shape the output's shape
     * @param terms tangent terms, null for zero
     * @return their sum, of {@code shape}, or null
     */
    static Tensor sum(int[] shape, Tensor... terms) {
        Tensor s = null;
        for (Tensor t : terms) {
            if (t == null) continue;
            s = s == null ? t : s.add(t);
        }
        return s == null ? null : broadcast(s, shape);
    }

    /**
     * {@code t} broadcast to {@code shape} (a view), or {@code t} itself when it already has that shape.
     *
     * @param t     a tangent, or null
     * @param shape the shape to broadcast to
     * @return the broadcast tangent, or null
     */
    static Tensor broadcast(Tensor t, int[] shape) {
        return t == null || Arrays.equals(t.shape(), shape) ? t : t.expand(shape);
    }

    /**
     * {@code t} times {@code factor}, or null when {@code t} is null.
     *
     * @param t      a tangent, or null
     * @param factor what to multiply it by (broadcasting)
     * @return the product, or null
     */
    static Tensor times(Tensor t, Tensor factor) {
        return t == null ? null : t.mul(factor);
    }
}
