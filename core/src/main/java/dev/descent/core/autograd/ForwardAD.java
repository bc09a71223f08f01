package dev.descent.core.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Forward-mode autodiff with dual tensors: a tangent carried beside a tensor's value. Every op computes its output's
 * tangent from its inputs' tangents with its {@link JvpFn} rule ({@link Autograd#record(String, Tensor, BackwardFn,
 * JvpFn, Tensor...)}), in the same pass as the value, so f(x) and J·v come out of one forward evaluation.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[] {0.5, 1.0});
 * Tensor v = Tensor.of(new double[] {1.0, 0.0});
 * Tensor y = ForwardAD.dual(x, v).tanh().mul(3);   // y = 3·tanh(x), carrying its tangent
 * Tensor jv = ForwardAD.tangent(y);                // 3·(1 − tanh²x)·v
 * }</pre>
 *
 * <p>As in PyTorch, tangents flow whether grad mode is on or off, and the two modes compose: a gradient computed in
 * reverse mode from dual inputs carries the tangent of the gradient (forward-over-reverse: H·v), and a tangent
 * computed with grad mode on can be differentiated in reverse mode. One level of tangents is supported (no nested
 * forward-over-forward). {@link Tensor#detach()} drops the tangent.
 */
public final class ForwardAD {
    private ForwardAD() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadFlag.on();

    /** {@return whether ops on this thread propagate tangents (on unless inside {@link #suspended()})} */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope that restores tangent propagation when closed. */
    public static final class Scope extends ThreadFlag {
        private Scope(boolean enabled) {
            super(ENABLED, enabled);
        }
    }

    /**
     * Stops tangent propagation on this thread until the scope is closed: for an op whose forward is computed with
     * other ops and whose output tangent comes from its own rule (as {@link CustomOp} does), so the inner ops do not
     * compute tangents that would be thrown away.
     *
     * @return the scope to close (use try-with-resources)
     */
    public static Scope suspended() {
        return new Scope(false);
    }

    /**
     * A dual tensor: {@code primal}'s values (a view sharing its storage, connected to it in the reverse-mode graph)
     * carrying {@code tangent}.
     *
     * @param primal  the value, float32 or float64
     * @param tangent the direction, of the primal's shape (converted to its dtype)
     * @return the dual tensor
     * @throws IllegalArgumentException when the shapes differ (both named) or the primal is not floating point
     */
    public static Tensor dual(Tensor primal, Tensor tangent) {
        if (!primal.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("dual: only float32 and float64 tensors carry tangents, the primal is " + primal.dtype());
        }
        if (!Arrays.equals(primal.shape(), tangent.shape())) {
            throw new IllegalArgumentException("dual: tangent shape " + Shape.format(tangent.shape()) + " does not match primal shape "
                    + Shape.format(primal.shape()));
        }
        Tensor out = Autograd.record("dual", primal.detach(), g -> new Tensor[] {g}, t -> t[0], primal);
        out.attachTangent(tangent.dtype() == primal.dtype() ? tangent : tangent.to(primal.dtype()));
        return out;
    }

    /**
     * {@return the tangent {@code t} carries, or {@code null} when it carries none (a zero tangent)}
     *
     * @param t a tensor
     */
    public static Tensor tangent(Tensor t) {
        return t.tangent();
    }

    /**
     * {@return {@code t}'s value without its tangent}: a view sharing its storage, still connected to it in the
     * reverse-mode graph.
     *
     * @param t a tensor, dual or not
     */
    public static Tensor primal(Tensor t) {
        if (t.tangent() == null) return t;
        try (var _ = suspended()) {
            return Autograd.record("primal", t.detach(), g -> new Tensor[] {g}, t);
        }
    }

    /**
     * The value and Jacobian-vector product of a function of one tensor, in one forward pass.
     *
     * @param value   f(x), without a tangent
     * @param tangent J·v, of f(x)'s shape
     */
    public record Result(Tensor value, Tensor tangent) {}

    /**
     * f(x) and J·v in one forward pass: {@code f} runs on the dual tensor (x, v).
     *
     * @param f the function, written with tensor ops
     * @param x the point
     * @param v the direction, of x's shape
     * @return f(x) and J·v (zeros when f(x) does not depend on x)
     */
    public static Result jvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        Tensor y = f.apply(dual(x, v));
        Tensor t = y.tangent();
        return new Result(primal(y), t != null ? t : Tensor.zerosLike(y));
    }
}
