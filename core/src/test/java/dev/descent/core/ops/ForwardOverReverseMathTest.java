package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.Functional;
import dev.descent.core.autograd.GradMode;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Second order through the elementwise ops, activations, reductions, softmax and sorting, three ways: forward over
 * reverse (the tangent of the gradient: the JVP rules of the ops the backward rules record, such as geluDerivative,
 * positivePart, leakyReluBackward and cumsum_backward), reverse over forward (the gradient of the tangent: the JVP
 * rules' own ops, recorded on the op's output and inputs) and reverse over reverse (the backward rules twice), which
 * must all give the same Hessian-vector product. The functions are sums of cubes of the op's output, so even a
 * piecewise-linear op has a Hessian that does not vanish.
 */
class ForwardOverReverseMathTest {
    private static final SplittableRandom RNG = new SplittableRandom(1818);

    private static void check(String what, Function<Tensor, Tensor> f, int... shape) {
        for (int trial = 0; trial < 3; trial++) {
            Tensor x = Tensor.randn(DType.FLOAT64, RNG, shape), v = Tensor.randn(DType.FLOAT64, RNG, shape);
            Tensor rev = Functional.hvp(f, x, v, Functional.Mode.REVERSE);
            assertTrue(rev.abs().sum().item() > 0, what + ": the Hessian along v should not vanish");
            Tensor fwd = Functional.hvp(f, x, v, Functional.Mode.FORWARD);
            assertTrue(fwd.allClose(rev, 1e-10, 1e-10), what + ": forward over reverse " + fwd + " vs reverse over reverse " + rev);
            Tensor leaf = x.detach().requiresGrad(true);
            Tensor tangent;
            try (var _ = GradMode.enableGrad()) {
                tangent = ForwardAD.tangent(f.apply(ForwardAD.dual(leaf, v)));
            }
            assertNotNull(tangent, what + ": no tangent");
            assertTrue(tangent.requiresGrad(), what + ": the tangent is not connected to the reverse-mode graph");
            Tensor revOverFwd = Autograd.grad(tangent, List.of(leaf)).get(0);
            assertTrue(revOverFwd.allClose(rev, 1e-10, 1e-10), what + ": reverse over forward " + revOverFwd + " vs reverse over reverse " + rev);
        }
    }

    private static Tensor cubic(Tensor y) {
        return y.mul(y).mul(y).sum();
    }

    /** The first half of a flat x, as [2, 3]. */
    private static Tensor a(Tensor z) {
        return z.narrow(0, 0, 6).reshape(2, 3);
    }

    /** The second half of a flat x, as [3] (broadcast against {@link #a}). */
    private static Tensor b(Tensor z) {
        return z.narrow(0, 6, 3);
    }

    @Test
    void unaryFunctions() {
        check("exp", x -> cubic(x.exp()), 2, 3);
        check("log", x -> cubic(x.square().add(0.5).log()), 2, 3);
        check("sqrt", x -> cubic(x.square().add(0.5).sqrt()), 2, 3);
        check("rsqrt", x -> cubic(x.square().add(0.5).rsqrt()), 2, 3);
        check("reciprocal", x -> cubic(x.square().add(0.5).reciprocal()), 2, 3);
        check("log1p", x -> cubic(x.square().log1p()), 2, 3);
        check("expm1", x -> cubic(x.expm1()), 2, 3);
        check("abs and neg", x -> cubic(x.abs().neg()), 2, 3);
        check("sigmoid", x -> cubic(x.sigmoid()), 2, 3);
        check("tanh", x -> cubic(x.tanh()), 2, 3);
        check("erf", x -> cubic(x.erf()), 2, 3);
        check("sin and cos", x -> cubic(x.sin().mul(x.cos())), 2, 3);
    }

    @Test
    void activations() {
        check("relu (positivePart)", x -> cubic(x.relu()), 3, 4);
        check("gelu (geluDerivative)", x -> cubic(x.gelu()), 3, 4);
        check("silu", x -> cubic(x.silu()), 3, 4);
        check("leakyRelu (leakyReluBackward)", x -> cubic(x.leakyRelu(0.2)), 3, 4);
        check("elu", x -> cubic(x.elu(0.5)), 3, 4);
        check("softplus", x -> cubic(x.softplus(2.0, 1.0)), 3, 4);
    }

    @Test
    void binaryOpsWithBroadcasting() {
        check("sub", z -> cubic(a(z).sub(b(z))), 9);
        check("div", z -> cubic(a(z).div(b(z).square().add(0.5))), 9);
        check("pow", z -> cubic(a(z).square().add(0.5).pow(b(z))), 9);
        check("maximum", z -> cubic(a(z).maximum(b(z))), 9);
        check("minimum", z -> cubic(a(z).minimum(b(z))), 9);
        check("where", z -> cubic(Tensor.where(a(z).gt(0), a(z), b(z))), 9);
    }

    @Test
    void selectionAndStructure() {
        check("clamp", x -> cubic(x.clamp(-0.5, 0.7)), 3, 4);
        check("tril", x -> cubic(x.tril()), 3, 4);
        check("triu", x -> cubic(x.triu(1)), 3, 4);
        check("maskedFill", x -> cubic(x.maskedFill(x.lt(0), 0.25)), 3, 4);
    }

    @Test
    void reductions() {
        check("max", x -> cubic(x.max(new int[] {1}, false)), 3, 4);
        check("min", x -> cubic(x.min(new int[] {0}, true)), 3, 4);
        check("prod", x -> cubic(x.prod(new int[] {1}, false)), 3, 4);
        check("norm", x -> cubic(x.norm(2, new int[] {1}, false)), 3, 4);
        check("cumsum (cumsum_backward)", x -> cubic(x.cumsum(1)), 3, 4);
        check("var", x -> cubic(x.var(new int[] {1}, 1, false)), 3, 4);
        check("logsumexp", x -> cubic(x.logsumexp(0, false)), 3, 4);
    }

    @Test
    void softmaxAndSorting() {
        check("softmax", x -> cubic(x.softmax(1)), 3, 4);
        check("logSoftmax", x -> cubic(x.logSoftmax(0)), 3, 4);
        check("sort", x -> cubic(x.sort(1, true).values().mul(Tensor.arange(4).to(DType.FLOAT64))), 3, 4);
        check("topk", x -> cubic(x.topk(2, 1, true, true).values()), 3, 4);
    }
}
