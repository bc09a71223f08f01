package dev.descent.core.autograd;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Derivatives as functions of functions, as {@code torch.func} and {@code torch.autograd.functional}: vector-Jacobian
 * products, Jacobian-vector products, whole Jacobians and Hessians, and Hessian-vector products, over functions of
 * several tensors returning several tensors. The functions are ordinary Java lambdas written with tensor ops; the
 * caller's tensors are never modified and gain no gradient ({@code .grad()} is left alone).
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[] {1, 2, 3});
 * Tensor j = Functional.jacobian(t -> t.square().sum().mul(t), x);        // 3×3
 * Tensor h = Functional.hessian(t -> t.pow(3).sum(), x);                  // diag(6x)
 * Tensor hv = Functional.hvp(t -> t.pow(3).sum(), x, Tensor.ones(3));     // H·v without forming H
 * }</pre>
 *
 * <p><b>Cost.</b> With n input and m output elements, a reverse-mode Jacobian takes m backward passes (one row each),
 * a forward-mode one n Jacobian-vector products (one column each); {@link Mode#AUTO} takes the smaller count.
 *
 * <p><b>Forward mode.</b> {@link #jvp} runs the function once on dual tensors ({@link ForwardAD}): every op carries
 * a tangent beside its value and computes its output's tangent with its JVP rule, so f(x) and J·v come out of one
 * forward pass. {@link #hvp} takes the forward-mode derivative of the reverse-mode gradient (forward over reverse),
 * or, asked for, the reverse-mode gradient of ⟨∇f, v⟩ (reverse over reverse).
 */
public final class Functional {
    private Functional() {}

    /** How {@link #jacobian(Function, Tensor[], Mode)} builds the Jacobian. */
    public enum Mode {
        /** One vector-Jacobian product per output element (rows): best with few outputs. */
        REVERSE,
        /** One Jacobian-vector product per input element (columns): best with few inputs. */
        FORWARD,
        /** Reverse when the outputs have no more elements than the inputs, else forward. */
        AUTO
    }

    /**
     * The outputs of a function and a vector-Jacobian product at them.
     *
     * @param outputs   f(primals)
     * @param gradients Jᵀ·cotangents, one per primal, of the primal's shape
     */
    public record VJP(Tensor[] outputs, Tensor[] gradients) {}

    /**
     * The outputs of a function and a Jacobian-vector product at them.
     *
     * @param outputs  f(primals)
     * @param tangents J·tangents, one per output, of the output's shape
     */
    public record JVP(Tensor[] outputs, Tensor[] tangents) {}

    // ------------------------------------------------------------------ vjp

    /**
     * The vector-Jacobian product vᵀJ of {@code f} at {@code primals}: the gradient of Σᵢ⟨cotangentᵢ, fᵢ(primals)⟩.
     *
     * <pre>{@code
     * VJP r = Functional.vjp(in -> new Tensor[] {in[0].mul(in[1])}, new Tensor[] {a, b}, new Tensor[] {Tensor.onesLike(a)});
     * // r.gradients()[0] equals b, r.gradients()[1] equals a
     * }</pre>
     *
     * @param f           the function
     * @param primals     the point
     * @param cotangents  one per output, of its shape
     * @param createGraph record the product, so it can be differentiated again
     * @return the outputs and one gradient per primal
     * @throws IllegalArgumentException when the counts or shapes of cotangents and outputs differ (both named)
     */
    public static VJP vjp(Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] cotangents, boolean createGraph) {
        try (var _ = GradMode.enableGrad()) {
            Tensor[] x = leaves(primals, createGraph);
            Tensor[] out = f.apply(x);
            requireMatching("vjp", out, cotangents);
            return new VJP(out, gradientOf(weightedSum(out, cotangents), x, createGraph));
        }
    }

    /**
     * {@link #vjp(Function, Tensor[], Tensor[], boolean)} without recording the product.
     *
     * @param f          the function
     * @param primals    the point
     * @param cotangents one per output, of its shape
     * @return the outputs and one gradient per primal
     */
    public static VJP vjp(Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] cotangents) {
        return vjp(f, primals, cotangents, false);
    }

    /**
     * vᵀJ for a function of one tensor.
     *
     * @param f the function
     * @param x the point
     * @param v a cotangent of f(x)'s shape
     * @return vᵀ·∂f/∂x, of x's shape
     */
    public static Tensor vjp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return vjp(in -> new Tensor[] {f.apply(in[0])}, new Tensor[] {x}, new Tensor[] {v}).gradients()[0];
    }

    // ------------------------------------------------------------------ jvp

    /**
     * The Jacobian-vector product J·v of {@code f} at {@code primals}, in one forward pass on dual tensors.
     *
     * <pre>{@code
     * JVP r = Functional.jvp(in -> new Tensor[] {in[0].tanh()}, new Tensor[] {x}, new Tensor[] {v});
     * // r.tangents()[0] equals (1 − tanh²x)·v
     * }</pre>
     *
     * @param f        the function
     * @param primals  the point
     * @param tangents one per primal, of its shape
     * @return the outputs and one tangent per output
     * @throws IllegalArgumentException when the counts or shapes of tangents and primals differ
     */
    public static JVP jvp(Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents) {
        requireMatching("jvp", primals, tangents);
        Tensor[] x = new Tensor[primals.length];
        for (int i = 0; i < x.length; i++) {
            if (!primals[i].dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("primal " + i + " is " + primals[i].dtype() + "; derivatives need float32 or float64");
            }
            x[i] = ForwardAD.dual(primals[i].detach(), tangents[i]);
        }
        Tensor[] out = f.apply(x);
        Tensor[] values = new Tensor[out.length], jv = new Tensor[out.length];
        for (int i = 0; i < out.length; i++) {
            Tensor t = out[i].tangent();
            jv[i] = t != null ? t : Tensor.zerosLike(out[i]);
            values[i] = ForwardAD.primal(out[i]);
        }
        return new JVP(values, jv);
    }

    /**
     * J·v for a function of one tensor.
     *
     * @param f the function
     * @param x the point
     * @param v a tangent of x's shape
     * @return ∂f/∂x·v, of f(x)'s shape
     */
    public static Tensor jvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return jvp(in -> new Tensor[] {f.apply(in[0])}, new Tensor[] {x}, new Tensor[] {v}).tangents()[0];
    }

    // ------------------------------------------------------------------ jacobian, hessian, hvp

    /**
     * The Jacobians of every output with respect to every input: {@code result[i][j]} = ∂fᵢ/∂xⱼ, of shape
     * fᵢ.shape ++ xⱼ.shape.
     *
     * @param f       the function
     * @param primals the point
     * @param mode    reverse (rows), forward (columns) or whichever needs fewer passes
     * @return the Jacobian blocks
     */
    public static Tensor[][] jacobian(Function<Tensor[], Tensor[]> f, Tensor[] primals, Mode mode) {
        try (var _ = GradMode.enableGrad()) {
            long nIn = 0, nOut = 0;
            for (Tensor p : primals) nIn += p.numel();
            if (mode == Mode.AUTO) {
                try (var __ = GradMode.noGrad()) {
                    for (Tensor o : f.apply(primals)) nOut += o.numel();
                }
                mode = nOut <= nIn ? Mode.REVERSE : Mode.FORWARD;
            }
            return mode == Mode.REVERSE ? reverseJacobian(f, primals) : forwardJacobian(f, primals);
        }
    }

    /**
     * The Jacobian of a function of one tensor, of shape f(x).shape ++ x.shape, in whichever mode needs fewer passes.
     *
     * <pre>{@code
     * Tensor j = Functional.jacobian(t -> t.exp(), x);  // diag(exp(x))
     * }</pre>
     *
     * @param f the function
     * @param x the point
     * @return ∂f/∂x
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        return jacobian(in -> new Tensor[] {f.apply(in[0])}, new Tensor[] {x}, Mode.AUTO)[0][0];
    }

    private static Tensor[][] reverseJacobian(Function<Tensor[], Tensor[]> f, Tensor[] primals) {
        Tensor[] x = leaves(primals, false);
        Tensor[] out = f.apply(x);
        Tensor[][] result = new Tensor[out.length][x.length];
        for (int i = 0; i < out.length; i++) {
            int m = out[i].numel();
            double[][] rows = new double[x.length][];
            for (int j = 0; j < x.length; j++) rows[j] = new double[m * x[j].numel()];
            if (out[i].requiresGrad()) {
                for (int k = 0; k < m; k++) {
                    double[] e = new double[m];
                    e[k] = 1;
                    List<Tensor> g = Autograd.grad(out[i], Arrays.asList(x), Tensor.of(e, m).reshape(out[i].shape()).to(out[i].dtype()), false);
                    for (int j = 0; j < x.length; j++) {
                        double[] gj = g.get(j).toDoubleArray();
                        System.arraycopy(gj, 0, rows[j], k * gj.length, gj.length);
                    }
                }
            }
            for (int j = 0; j < x.length; j++) result[i][j] = block(rows[j], out[i], x[j]);
        }
        return result;
    }

    private static Tensor[][] forwardJacobian(Function<Tensor[], Tensor[]> f, Tensor[] primals) {
        double[][][] cols = null;
        Tensor[] out = null;
        for (int j = 0; j < primals.length; j++) {
            int n = primals[j].numel();
            for (int e = 0; e < n; e++) {
                Tensor[] v = zerosLike(primals);
                double[] one = new double[n];
                one[e] = 1;
                v[j] = Tensor.of(one, n).reshape(primals[j].shape());
                JVP r = jvp(f, primals, v);
                if (out == null) {
                    out = r.outputs();
                    cols = new double[out.length][primals.length][];
                    for (int i = 0; i < out.length; i++) for (int k = 0; k < primals.length; k++) cols[i][k] = new double[out[i].numel() * primals[k].numel()];
                }
                for (int i = 0; i < out.length; i++) {
                    double[] c = r.tangents()[i].toDoubleArray();
                    for (int row = 0; row < c.length; row++) cols[i][j][row * n + e] = c[row];
                }
            }
        }
        if (out == null) { // no input elements: every block is empty
            try (var _ = GradMode.noGrad()) {
                out = f.apply(primals);
            }
            cols = new double[out.length][primals.length][0];
        }
        Tensor[][] result = new Tensor[out.length][primals.length];
        for (int i = 0; i < out.length; i++) for (int j = 0; j < primals.length; j++) result[i][j] = block(cols[i][j], out[i], primals[j]);
        return result;
    }

    /**
     * The Hessian blocks of a scalar function of several tensors: {@code result[i][j]} = ∂²f/∂xᵢ∂xⱼ, of shape
     * xᵢ.shape ++ xⱼ.shape (reverse over reverse: the Jacobian of the gradient).
     *
     * @param f       a function returning a one-element tensor
     * @param primals the point
     * @return the Hessian blocks
     * @throws IllegalArgumentException when f's output has more than one element
     */
    public static Tensor[][] hessian(Function<Tensor[], Tensor> f, Tensor[] primals) {
        return jacobian(in -> {
            Tensor y = f.apply(in);
            if (y.numel() != 1) throw new IllegalArgumentException("hessian: f must return one element, returned shape " + dev.descent.core.Shape.format(y.shape()));
            return gradientOf(y, in, true);
        }, primals, Mode.REVERSE);
    }

    /**
     * The Hessian of a scalar function of one tensor, of shape x.shape ++ x.shape.
     *
     * <pre>{@code
     * Tensor h = Functional.hessian(t -> t.square().sum(), x);  // 2·I
     * }</pre>
     *
     * @param f a function returning a one-element tensor
     * @param x the point
     * @return ∂²f/∂x²
     */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        return hessian(in -> f.apply(in[0]), new Tensor[] {x})[0][0];
    }

    /**
     * The Hessian-vector product H·v of a scalar function without forming H, forward over reverse: the tangent of the
     * reverse-mode gradient ∇f along v, from one forward pass on the dual tensor (x, v) and one backward pass.
     *
     * <pre>{@code
     * Tensor hv = Functional.hvp(t -> t.pow(3).sum(), x, v);  // 6·x·v
     * }</pre>
     *
     * @param f a function returning a one-element tensor
     * @param x the point
     * @param v a direction of x's shape
     * @return H·v, of x's shape
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return hvp(f, x, v, Mode.FORWARD);
    }

    /**
     * H·v, by forward over reverse ({@link Mode#FORWARD} or {@link Mode#AUTO}: the tangent of ∇f along v) or reverse
     * over reverse ({@link Mode#REVERSE}: the gradient of ⟨∇f(x), v⟩, two backward passes). Both are exact to rounding;
     * forward over reverse keeps no graph of the gradient.
     *
     * <pre>{@code
     * Tensor a = Functional.hvp(f, x, v, Functional.Mode.FORWARD);
     * Tensor b = Functional.hvp(f, x, v, Functional.Mode.REVERSE);  // equal to rounding
     * }</pre>
     *
     * @param f    a function returning a one-element tensor
     * @param x    the point
     * @param v    a direction of x's shape
     * @param mode how to compose the two modes
     * @return H·v, of x's shape
     * @throws IllegalArgumentException when v's shape differs from x's, or f returns more than one element
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v, Mode mode) {
        requireMatching("hvp", new Tensor[] {x}, new Tensor[] {v});
        try (var _ = GradMode.enableGrad()) {
            Tensor[] xs = leaves(new Tensor[] {x}, false);
            if (mode != Mode.REVERSE) {
                Tensor y = f.apply(ForwardAD.dual(xs[0], v));
                requireScalar(y);
                if (!y.requiresGrad()) return Tensor.zerosLike(x);
                Tensor g = Autograd.grad(y, List.of(xs[0]), null, false).get(0);
                return g.tangent() != null ? g.tangent().detach() : Tensor.zerosLike(x);
            }
            Tensor y = f.apply(xs[0]);
            requireScalar(y);
            Tensor g = gradientOf(y, xs, true)[0];
            if (!g.requiresGrad()) return Tensor.zerosLike(x);
            return Autograd.grad(g.mul(v.to(g.dtype())).sum(), List.of(xs[0]), null, false).get(0);
        }
    }

    private static void requireScalar(Tensor y) {
        if (y.numel() != 1) throw new IllegalArgumentException("hvp: f must return one element, returned shape " + dev.descent.core.Shape.format(y.shape()));
    }

    // ------------------------------------------------------------------ helpers

    /** Fresh leaves sharing the primals' values; with {@code keepGraph} a primal that already requires grad is used as is. */
    private static Tensor[] leaves(Tensor[] primals, boolean keepGraph) {
        Tensor[] x = new Tensor[primals.length];
        for (int i = 0; i < x.length; i++) {
            Tensor p = primals[i];
            if (!p.dtype().isFloatingPoint()) throw new IllegalArgumentException("primal " + i + " is " + p.dtype() + "; derivatives need float32 or float64");
            x[i] = keepGraph && p.requiresGrad() ? p : p.detach().requiresGrad(true);
        }
        return x;
    }

    /** d(scalar)/dx for each x, zeros where it does not depend on x (or at all). */
    private static Tensor[] gradientOf(Tensor scalar, Tensor[] x, boolean createGraph) {
        if (scalar == null || !scalar.requiresGrad()) return zerosLike(x);
        return Autograd.grad(scalar, Arrays.asList(x), null, createGraph).toArray(Tensor[]::new);
    }

    private static Tensor weightedSum(Tensor[] out, Tensor[] weights) {
        Tensor s = null;
        for (int i = 0; i < out.length; i++) {
            if (!out[i].requiresGrad()) continue;
            Tensor term = out[i].mul(weights[i].to(out[i].dtype())).sum();
            s = s == null ? term : s.add(term);
        }
        return s;
    }

    private static Tensor[] zerosLike(Tensor[] x) {
        Tensor[] z = new Tensor[x.length];
        for (int i = 0; i < x.length; i++) z[i] = Tensor.zerosLike(x[i]);
        return z;
    }

    private static Tensor block(double[] values, Tensor out, Tensor in) {
        int[] shape = new int[out.dim() + in.dim()];
        System.arraycopy(out.shape(), 0, shape, 0, out.dim());
        System.arraycopy(in.shape(), 0, shape, out.dim(), in.dim());
        DType dt = out.dtype().isFloatingPoint() ? out.dtype() : in.dtype();
        Tensor t = Tensor.of(values, values.length).reshape(shape);
        return dt == DType.FLOAT64 ? t : t.to(dt);
    }

    private static void requireMatching(String op, Tensor[] a, Tensor[] b) {
        if (a.length != b.length) throw new IllegalArgumentException(op + ": " + a.length + " tensors but " + b.length + " vectors");
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i].shape(), b[i].shape())) {
                throw new IllegalArgumentException(op + ": vector " + i + " has shape " + dev.descent.core.Shape.format(b[i].shape()) + " but its tensor has shape "
                        + dev.descent.core.Shape.format(a[i].shape()));
            }
        }
    }
}
