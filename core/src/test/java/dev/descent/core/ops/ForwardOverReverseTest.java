package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Functional;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Forward over reverse through the ops whose backward records ops of its own (slice and select's embedding, gather's
 * scatterAdd, indexSelect's indexAdd, cat's narrow, conv2dInputGrad and conv2dWeightGrad, the pooling backwards,
 * matmul's transposed products): the tangent of the gradient, computed by those ops' JVP rules, must equal the
 * Hessian-vector product by reverse over reverse (their backward rules twice). The functions are sums of squares of
 * the op's output, so only mul and sum besides the op itself are involved; the Hessians are not zero.
 */
class ForwardOverReverseTest {
    private static final SplittableRandom RNG = new SplittableRandom(18);

    /** H·v by forward over reverse equals H·v by reverse over reverse, at a few random points and directions. */
    private static void check(String what, Function<Tensor, Tensor> f, DType dtype, double tol, int... shape) {
        for (int trial = 0; trial < 3; trial++) {
            Tensor x = Tensor.randn(dtype, RNG, shape), v = Tensor.randn(dtype, RNG, shape);
            Tensor fwd = Functional.hvp(f, x, v, Functional.Mode.FORWARD);
            Tensor rev = Functional.hvp(f, x, v, Functional.Mode.REVERSE);
            assertTrue(rev.abs().sum().item() > 0, what + ": the Hessian along v should not vanish");
            assertTrue(fwd.allClose(rev, tol, tol), what + ": forward over reverse " + fwd + " vs reverse over reverse " + rev);
        }
    }

    private static Tensor squares(Tensor y) {
        return y.mul(y).sum();
    }

    /** y squared, times itself once more through a second use of x, so that the op sees a non-constant output gradient. */
    private static Tensor cubic(Tensor y) {
        return y.mul(y).mul(y).sum();
    }

    @Test
    void slicesAndSelects() {
        check("slice", x -> cubic(x.slice(1, 1, 5, 2)), DType.FLOAT64, 1e-12, 3, 5);
        check("select", x -> cubic(x.select(0, 1)), DType.FLOAT64, 1e-12, 3, 4);
        check("narrow of a permuted view", x -> cubic(x.permute(1, 0).narrow(0, 1, 2)), DType.FLOAT64, 1e-12, 3, 4);
    }

    @Test
    void gatherIndexSelectAndCat() {
        Tensor index = Tensor.of(new long[] {2, 0, 2, 1, 1, 1}, 3, 2);
        check("gather", x -> cubic(x.gather(1, index)), DType.FLOAT64, 1e-12, 3, 4);
        Tensor rows = Tensor.of(new long[] {1, 1, 0}, 3);
        check("indexSelect", x -> cubic(x.indexSelect(0, rows)), DType.FLOAT64, 1e-12, 2, 3);
        check("cat", x -> cubic(Tensor.cat(List.of(x, x.mul(x)), 1)), DType.FLOAT64, 1e-12, 2, 3);
    }

    @Test
    void matmulWithBroadcastBatchesAndVectors() {
        // x packs both operands: A = x[0:12] as [2, 1, 3, 2] and B = x[12:24] as [3, 2, 2]
        check("matmul", z -> squares(z.narrow(0, 0, 12).reshape(2, 1, 3, 2).matmul(z.narrow(0, 12, 12).reshape(3, 2, 2))), DType.FLOAT64, 1e-12, 24);
        check("matrix · vector", z -> squares(z.narrow(0, 0, 6).reshape(3, 2).matmul(z.narrow(0, 6, 2))), DType.FLOAT64, 1e-12, 8);
        check("vector · vector", z -> squares(z.narrow(0, 0, 3).matmul(z.narrow(0, 3, 3))), DType.FLOAT64, 1e-12, 6);
    }

    @Test
    void convolutionInInputAndWeightTogether() {
        // z packs x [2, 4, 5, 5] (200), w [2, 2, 3, 3] (36) and bias [2]: every mixed term of the Hessian is exercised
        Convolution.Params p = new Convolution.Params(2, 1, 1, 0, 1, 2, 2);
        check("conv2d", z -> squares(Convolution.conv2d(z.narrow(0, 0, 200).reshape(2, 4, 5, 5), z.narrow(0, 200, 36).reshape(2, 2, 3, 3),
                z.narrow(0, 236, 2), p)), DType.FLOAT64, 1e-11, 238);
        // transposed: x [1, 2, 3, 3] (18), w [2, 3, 2, 2] (24) → output [1, 3, 6, 6] with stride 2, padding 0, output padding 1
        Convolution.Params q = Convolution.Params.of(2, 0);
        check("convTranspose2d", z -> squares(Convolution.convTranspose2d(z.narrow(0, 0, 18).reshape(1, 2, 3, 3), z.narrow(0, 18, 24).reshape(2, 3, 2, 2),
                null, q, 1, 1)), DType.FLOAT64, 1e-11, 42);
    }

    @Test
    void pooling() {
        Pooling.Window w = Pooling.Window.of(3, 2, 1);
        check("maxPool2d float64", x -> cubic(Pooling.maxPool2d(x, w)), DType.FLOAT64, 1e-12, 2, 2, 5, 6);
        check("maxPool2d float32", x -> cubic(Pooling.maxPool2d(x, w)), DType.FLOAT32, 1e-4, 2, 2, 5, 6);
        check("avgPool2d", x -> cubic(Pooling.avgPool2d(x, w)), DType.FLOAT64, 1e-12, 2, 2, 5, 6);
    }

    @Test
    void attentionRefusesForwardOverReverseInsteadOfTreatingItsProbabilitiesAsConstants() {
        Tensor x = Tensor.randn(DType.FLOAT64, RNG, 3, 2);
        Function<Tensor, Tensor> f = t -> squares(Attention.scaledDotProductAttention(t, t, t, null, false));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Functional.hvp(f, x, Tensor.onesLike(x), Functional.Mode.FORWARD));
        assertTrue(e.getMessage().contains("scaledDotProductAttention"), e.getMessage());
    }
}
