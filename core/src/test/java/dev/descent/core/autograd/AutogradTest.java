package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AutogradTest {

    private static Tensor leaf(double... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    @Test
    void gradientOfASimpleExpression() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.mul(x).add(x.exp()); // y = x² + eˣ
        y.backward();
        assertEquals(4 + Math.exp(2), x.grad().item(), 1e-12);
        assertEquals(DType.FLOAT64, x.grad().dtype());
    }

    @Test
    void aTensorUsedTwiceCollectsBothContributions() {
        Tensor x = leaf(3.0, -1.5);
        x.mul(x).sum().backward();
        assertTrue(x.grad().allClose(Tensor.of(new double[] {6.0, -3.0}), 0, 1e-12));
    }

    @Test
    void backwardTwiceAccumulatesAndZeroGradClears() {
        Tensor x = leaf(1.0, 2.0);
        Tensor y = x.mul(3).sum();
        y.backward();
        y.backward();
        assertTrue(x.grad().allClose(Tensor.of(new double[] {6.0, 6.0}), 0, 0));
        x.zeroGrad();
        assertNull(x.grad());
        y.backward();
        assertTrue(x.grad().allClose(Tensor.of(new double[] {3.0, 3.0}), 0, 0));
    }

    /** DEVELOPERS.md: a second backward() is PyTorch's backward(retain_graph=True), never an error. */
    @Test
    void theGraphIsKeptAsWithRetainGraphTrue() {
        Tensor x = leaf(2.0, -1.0);
        Tensor y = x.mul(x).exp().sum(); // saved tensors: x (mul) and the exp output
        y.backward();
        Tensor first = x.grad().clone();
        y.backward();
        assertTrue(x.grad().allClose(first.mul(2), 0, 1e-12), "a second walk of the same graph adds the same gradient");
        Tensor g = Autograd.grad(y, List.of(x)).getFirst(); // and the graph still answers grad()
        assertTrue(g.allClose(first, 0, 1e-12));
    }

    @Test
    void gradientsOfTwoLeavesFromOneAddAreIndependentCopies() {
        // add's backward hands the same gradient to both inputs; a later in-place accumulation into one
        // leaf must not change the other's.
        Tensor a = leaf(1.0), b = leaf(2.0);
        a.add(b).sum().backward();
        a.mul(5).sum().backward();
        assertEquals(6.0, a.grad().item());
        assertEquals(1.0, b.grad().item());
    }

    @Test
    void aChainOfAMillionOpsBackPropagatesWithoutOverflowingTheStack() {
        Tensor x = Tensor.of(1.0).requiresGrad(true);
        Tensor c = Tensor.of(1 + 1e-7);
        Tensor y = x;
        int n = 1_000_000;
        for (int i = 0; i < n; i++) y = y.mul(c);
        y.backward();
        assertEquals(Math.pow(1 + 1e-7, n), x.grad().item(), 1e-9);
    }

    @Test
    void hessianVectorProductMatchesFiniteDifferencesOfTheGradient() {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor w = Tensor.randn(DType.FLOAT64, rng, 5, 4);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, 4).requiresGrad(true);
        Tensor v = Tensor.randn(DType.FLOAT64, rng, 4);
        // f(x) = Σ tanh(Wx)² + Σ x³ · softmax-weighted: a function with a dense, non-trivial Hessian
        java.util.function.Function<Tensor, Tensor> f = t -> w.matmul(t).tanh().square().sum().add(t.pow(3).mul(t.softmax(0)).sum());
        Tensor g = Autograd.grad(f.apply(x), List.of(x), null, true).get(0);
        assertTrue(g.requiresGrad(), "a gradient taken with createGraph is itself recorded");
        Tensor hv = Autograd.grad(g.mul(v).sum(), List.of(x)).get(0);

        double eps = 1e-5;
        double[] xv = x.toDoubleArray(), vv = v.toDoubleArray();
        double[] plus = new double[4], minus = new double[4];
        for (int i = 0; i < 4; i++) {
            plus[i] = xv[i] + eps * vv[i];
            minus[i] = xv[i] - eps * vv[i];
        }
        Tensor xp = Tensor.of(plus).requiresGrad(true), xm = Tensor.of(minus).requiresGrad(true);
        double[] gp = Autograd.grad(f.apply(xp), List.of(xp)).get(0).toDoubleArray();
        double[] gm = Autograd.grad(f.apply(xm), List.of(xm)).get(0).toDoubleArray();
        double[] got = hv.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            double numerical = (gp[i] - gm[i]) / (2 * eps);
            assertEquals(numerical, got[i], 1e-6 + 1e-5 * Math.abs(numerical), "H·v at " + i);
        }
    }

    @Test
    void backwardWithCreateGraphLeavesADifferentiableGrad() {
        Tensor x = Tensor.of(0.7).requiresGrad(true);
        x.tanh().backward(null, true);
        Tensor first = x.grad(); // 1 − tanh²
        x.zeroGrad();
        first.backward();
        double t = Math.tanh(0.7);
        assertEquals(-2 * t * (1 - t * t), x.grad().item(), 1e-12);
    }

    @Test
    void gradDoesNotTouchLeafGradients() {
        Tensor x = leaf(1.0, 2.0);
        List<Tensor> g = Autograd.grad(x.square().sum(), List.of(x));
        assertNull(x.grad());
        assertTrue(g.get(0).allClose(Tensor.of(new double[] {2.0, 4.0}), 0, 0));
    }

    @Test
    void gradOfAnUnusedInputIsZero() {
        Tensor x = leaf(1.0), unused = leaf(5.0, 6.0);
        List<Tensor> g = Autograd.grad(x.mul(2).sum().add(unused.sum().mul(0)), List.of(x, unused));
        assertEquals(2.0, g.get(0).toDoubleArray()[0]);
        Tensor z = leaf(1.0, 2.0);
        List<Tensor> g2 = Autograd.grad(x.mul(2).sum(), List.of(x, z));
        assertTrue(g2.get(1).allClose(Tensor.zeros(DType.FLOAT64, 2), 0, 0));
    }

    @Test
    void gradWithRespectToAnIntermediateTensor() {
        Tensor x = leaf(1.0, 2.0);
        Tensor h = x.mul(3);
        Tensor y = h.square().sum();
        List<Tensor> g = Autograd.grad(y, List.of(h, x));
        assertTrue(g.get(0).allClose(h.mul(2).detach(), 0, 1e-12));
        assertTrue(g.get(1).allClose(x.mul(18).detach(), 0, 1e-12));
    }

    @Test
    void noGradScopeRecordsNothingAndRestoresTheMode() {
        Tensor x = leaf(1.0);
        try (var _ = GradMode.noGrad()) {
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            try (var _ = GradMode.enableGrad()) {
                assertTrue(x.mul(2).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(2.0);
        Tensor y = x.mul(x.detach()).sum(); // d/dx (x · const) = const
        y.backward();
        assertEquals(2.0, x.grad().item());
        assertFalse(x.detach().requiresGrad());
        assertSame(x.storage(), x.detach().storage());
    }

    @Test
    void backwardOnANonScalarNeedsAGradient() {
        Tensor x = leaf(1.0, 2.0);
        Tensor y = x.mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        y.backward(Tensor.of(new double[] {1.0, 10.0}));
        assertTrue(x.grad().allClose(Tensor.of(new double[] {2.0, 20.0}), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.of(new double[] {1, 2, 3})));
    }

    @Test
    void backwardOnATensorThatNeedsNoGradIsAnError() {
        assertThrows(IllegalStateException.class, () -> Tensor.of(1.0).mul(2).backward());
    }

    @Test
    void inPlaceWritesToATrackedLeafAreRefusedOutsideNoGrad() {
        Tensor x = leaf(1.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.addInPlace(Tensor.of(1.0)));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        try (var _ = GradMode.noGrad()) {
            x.addInPlace(Tensor.of(1.0));
        }
        assertEquals(2.0, x.item());
    }

    @Test
    void integerTensorsCannotRequireGrad() {
        assertThrows(IllegalStateException.class, () -> Tensor.arange(3).requiresGrad(true));
    }

    @Test
    void aLeafGradIsAPrivateContiguousBuffer() {
        Tensor x = leaf(1.0, 2.0, 3.0);
        x.sum().backward(); // sum's backward is an expanded (stride 0) view
        assertNotNull(x.grad());
        assertTrue(x.grad().isContiguous());
        assertEquals(1.0, x.grad().get(2));
    }
}
