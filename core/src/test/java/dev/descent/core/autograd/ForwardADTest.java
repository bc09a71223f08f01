package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dual tensors: how tangents are attached, carried, dropped, checked and composed with reverse mode. */
class ForwardADTest {

    @Test
    void aDualTensorSharesItsPrimalsValuesAndCarriesTheTangent() {
        Tensor x = Tensor.of(new double[] {1, 2, 3});
        Tensor v = Tensor.of(new double[] {0.5, -1, 2});
        Tensor d = ForwardAD.dual(x, v);
        assertArrayEquals(x.toDoubleArray(), d.toDoubleArray());
        assertArrayEquals(v.toDoubleArray(), ForwardAD.tangent(d).toDoubleArray());
        assertNull(x.tangent(), "the primal itself gains no tangent");
        assertNull(d.detach().tangent(), "detach drops the tangent");
        assertNull(ForwardAD.primal(d).tangent());
    }

    @Test
    void theProductRuleComesOutOfOnePass() {
        // y = x·x + x: J·v = (2x + 1)·v, computed by the mul, add rules
        Tensor x = Tensor.of(new double[] {1, -2, 0.5});
        Tensor v = Tensor.of(new double[] {1, 3, -4});
        ForwardAD.Result r = Autograd.jvp(t -> t.mul(t).add(t), x, v);
        double[] xs = x.toDoubleArray(), vs = v.toDoubleArray(), got = r.tangent().toDoubleArray(), value = r.value().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals((2 * xs[i] + 1) * vs[i], got[i], 1e-15);
            assertEquals(xs[i] * xs[i] + xs[i], value[i], 1e-15);
        }
        assertNull(r.value().tangent());
    }

    @Test
    void tangentsFlowWithGradModeOff() {
        Tensor x = Tensor.of(new double[] {1, 2});
        try (var _ = GradMode.noGrad()) {
            Tensor y = ForwardAD.dual(x, Tensor.ones(DType.FLOAT64, 2)).mul(x).sum();
            assertEquals(3.0, y.tangent().item(), 0);
        }
    }

    @Test
    void aFunctionNotDependingOnTheDualInputHasAZeroTangent() {
        Tensor x = Tensor.of(new double[] {1, 2});
        Tensor c = Tensor.of(new double[] {5, 6});
        ForwardAD.Result r = Autograd.jvp(t -> c.mul(c), x, Tensor.onesLike(x));
        assertArrayEquals(new double[] {0, 0}, r.tangent().toDoubleArray());
    }

    @Test
    void anOpWithoutAJvpRuleFailsNamingIt() {
        Tensor x = ForwardAD.dual(Tensor.of(new double[] {1, 2}), Tensor.of(new double[] {1, 1}));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.record("myop", Tensor.of(new double[] {3, 4}), g -> new Tensor[] {g}, x));
        assertTrue(e.getMessage().contains("'myop'") && e.getMessage().contains("JVP"), e.getMessage());
    }

    @Test
    void aJvpRuleOfTheWrongShapeFailsNamingBothShapes() {
        Tensor x = ForwardAD.dual(Tensor.of(new double[] {1, 2}), Tensor.of(new double[] {1, 1}));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.record("myop", Tensor.of(new double[] {3, 4}), g -> new Tensor[] {g}, t -> Tensor.zeros(DType.FLOAT64, 3), x));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void dualRejectsAMismatchedTangent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForwardAD.dual(Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.zeros(DType.FLOAT64, 3, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") || e.getMessage().contains("[3,2]"), e.getMessage());
    }

    @Test
    void customOpsUseTheirJvpAndFailClearlyWithoutOne() {
        CustomOp cube = new CustomOp("cube") {
            protected Tensor forward(Tensor... in) {
                return in[0].mul(in[0]).mul(in[0]);
            }

            protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
                return new Tensor[] {g.mul(in[0].mul(in[0])).mul(3)};
            }

            @Override
            protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
                return t[0].mul(in[0].mul(in[0])).mul(3);
            }
        };
        Tensor x = Tensor.of(new double[] {2, -1});
        assertArrayEquals(new double[] {12, 3}, Autograd.jvp(cube::apply, x, Tensor.onesLike(x)).tangent().toDoubleArray(), 1e-15);
        CustomOp noRule = new CustomOp("noRule") {
            protected Tensor forward(Tensor... in) {
                return in[0].mul(2);
            }

            protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
                return new Tensor[] {g.mul(2)};
            }
        };
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Autograd.jvp(noRule::apply, x, Tensor.onesLike(x)));
        assertTrue(e.getMessage().contains("noRule"), e.getMessage());
    }

    @Test
    void reverseModeThroughDualTensorsCarriesTheHessianVectorProduct() {
        // f(x) = Σ x³ + (Σ x)²: ∇f = 3x² + 2Σx, H·v = 6x·v + 2(Σv)
        Tensor x = Tensor.of(new double[] {1, -2, 0.5});
        Tensor v = Tensor.of(new double[] {0.3, 1, -2});
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor t = ForwardAD.dual(leaf, v);
        Tensor y = t.mul(t).mul(t).sum().add(t.sum().mul(t.sum()));
        Tensor g = Autograd.grad(y, List.of(leaf), null, false).get(0);
        double[] xs = x.toDoubleArray(), vs = v.toDoubleArray(), hv = g.tangent().toDoubleArray();
        double sv = vs[0] + vs[1] + vs[2];
        for (int i = 0; i < 3; i++) assertEquals(6 * xs[i] * vs[i] + 2 * sv, hv[i], 1e-13);
    }

    @Test
    void forwardOverReverseEqualsReverseOverReverse() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 5; trial++) {
            Tensor w = Tensor.randn(DType.FLOAT64, rng, 4, 3);
            Tensor x = Tensor.randn(DType.FLOAT64, rng, 3);
            Tensor v = Tensor.randn(DType.FLOAT64, rng, 3);
            java.util.function.Function<Tensor, Tensor> f = t -> w.matmul(t).tanh().square().sum().add(t.exp().sum());
            Tensor a = Functional.hvp(f, x, v, Functional.Mode.FORWARD);
            Tensor b = Functional.hvp(f, x, v, Functional.Mode.REVERSE);
            assertTrue(a.allClose(b, 1e-12, 1e-12), a + " vs " + b);
            assertFalse(a.requiresGrad());
        }
    }
}
