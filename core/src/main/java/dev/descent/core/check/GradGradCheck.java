package dev.descent.core.check;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks gradients of gradients ({@code torch.autograd.gradgradcheck}): that an op's backward rule is itself
 * differentiated correctly, which Hessian-vector products, double backward and gradient penalties rely on.
 *
 * <p>For a fixed random weight w of the output's shape, the function checked is x ↦ ∇ₓ⟨w, f(x)⟩, the vector-Jacobian
 * product computed with {@code createGraph}; {@link GradCheck} then compares its reverse-mode derivative (the
 * second-order rule) with central finite differences of it. Every differentiable floating-point input is checked.
 *
 * <pre>{@code
 * GradGradCheck.check("tanh", in -> in[0].tanh(), Tensor.randn(DType.FLOAT64, rng, 3, 4));
 * }</pre>
 */
public final class GradGradCheck {
    private GradGradCheck() {}

    /**
     * Checks {@code f}'s second derivatives at {@code inputs} with {@link GradCheck.Options#defaults()}.
     *
     * @param op     the name used in failure messages
     * @param f      the function of all inputs, written with tensor ops
     * @param inputs the point to check at (floating-point inputs are checked, in float64)
     * @throws GradCheck.GradCheckFailure naming the op, the input and element, and both values, when a second derivative is wrong
     */
    public static void check(String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(GradCheck.Options.defaults(), op, f, inputs);
    }

    /**
     * Checks {@code f}'s second derivatives at {@code inputs}.
     *
     * @param options tolerances and mode, as for {@link GradCheck}
     * @param op      the name used in failure messages
     * @param f       the function of all inputs, written with tensor ops
     * @param inputs  the point to check at
     */
    public static void check(GradCheck.Options options, String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) if (inputs[i].dtype().isFloatingPoint()) diff.add(i);
        if (diff.isEmpty()) throw new IllegalArgumentException("GradGradCheck of '" + op + "': no floating-point input to differentiate");
        Tensor[] probe = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) probe[i] = inputs[i].dtype().isFloatingPoint() ? inputs[i].detach().to(DType.FLOAT64) : inputs[i];
        Tensor w;
        try (var _ = GradMode.noGrad()) {
            w = Tensor.randn(DType.FLOAT64, new SplittableRandom(options.seed() ^ 0x9E3779B97F4A7C15L), f.apply(probe).shape());
        }
        // The first derivative as a function of the inputs; it is concatenated over the differentiated inputs.
        Function<Tensor[], Tensor> vjp = in -> {
            try (var _ = GradMode.enableGrad()) {
                Tensor[] x = in.clone();
                List<Tensor> wrt = new ArrayList<>();
                for (int i : diff) {
                    if (!x[i].requiresGrad()) x[i] = x[i].detach().requiresGrad(true);
                    wrt.add(x[i]);
                }
                Tensor y = f.apply(x);
                if (!y.requiresGrad()) throw new IllegalArgumentException("GradGradCheck of '" + op + "': the output does not depend on the inputs");
                List<Tensor> g = Autograd.grad(y, wrt, w, true);
                List<Tensor> flat = new ArrayList<>();
                for (Tensor t : g) flat.add(t.reshape(-1));
                return Tensor.cat(flat, 0);
            }
        };
        GradCheck.check(options, "d/dx of the gradient of " + op, vjp, inputs);
    }
}
