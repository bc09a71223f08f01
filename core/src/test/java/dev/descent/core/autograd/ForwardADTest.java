package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;
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

    // ------------------------------------------------------------------ a small MLP, end to end

    /** Central differences of f at x along v, from plain forward evaluations: (f(x + hv) − f(x − hv)) / 2h. */
    private static double[] differenceAlong(UnaryOperator<Tensor> f, Tensor x, Tensor v, double h) {
        double[] plus = f.apply(x.add(v.mul(h))).toDoubleArray(), minus = f.apply(x.sub(v.mul(h))).toDoubleArray();
        double[] d = new double[plus.length];
        for (int i = 0; i < d.length; i++) d[i] = (plus[i] - minus[i]) / (2 * h);
        return d;
    }

    /** The full Jacobian (rows: output elements, columns: input elements) by central differences. */
    private static double[][] finiteJacobian(UnaryOperator<Tensor> f, Tensor x, double h) {
        int n = x.numel();
        double[][] cols = new double[n][];
        for (int e = 0; e < n; e++) {
            double[] one = new double[n];
            one[e] = 1;
            cols[e] = differenceAlong(f, x, Tensor.of(one, n).reshape(x.shape()), h);
        }
        double[][] rows = new double[cols.length == 0 ? 0 : cols[0].length][n];
        for (int e = 0; e < n; e++) for (int k = 0; k < rows.length; k++) rows[k][e] = cols[e][k];
        return rows;
    }

    private static void close(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": lengths");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])), what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
        }
    }

    /**
     * A two-layer network as a function of all its parameters, flattened into one vector θ (W1: in×hidden, b1, W2:
     * hidden×out, b2), on a fixed batch: tanh hidden layer, log-softmax outputs.
     */
    private static Tensor mlp(Tensor theta, Tensor batch, int hidden, int out) {
        int in = batch.size(1), o = 0;
        Tensor w1 = theta.narrow(0, o, in * hidden).reshape(in, hidden);
        Tensor b1 = theta.narrow(0, o += in * hidden, hidden);
        Tensor w2 = theta.narrow(0, o += hidden, hidden * out).reshape(hidden, out);
        Tensor b2 = theta.narrow(0, o + hidden * out, out);
        return batch.matmul(w1).add(b1).tanh().matmul(w2).add(b2).logSoftmax(-1);
    }

    private static int parameterCount(int in, int hidden, int out) {
        return in * hidden + hidden + hidden * out + out;
    }

    @Test
    void aSmallMlpsJvpEqualsFiniteDifferencesAndTheReverseModeJacobian() {
        qt().withExamples(15).forAll(integers().between(1, 4), integers().between(1, 4), integers().between(1, 3), longs().all()).checkAssert((in, hidden, out, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            Tensor batch = Tensor.randn(DType.FLOAT64, rng, 3, in);
            Tensor theta = Tensor.randn(DType.FLOAT64, rng, parameterCount(in, hidden, out)).mul(0.7);
            Tensor v = Tensor.randn(DType.FLOAT64, rng, theta.shape());
            UnaryOperator<Tensor> f = t -> mlp(t, batch, hidden, out);
            ForwardAD.Result r = Autograd.jvp(f, theta, v);
            close(f.apply(theta).toDoubleArray(), r.value().toDoubleArray(), 0, "the value of the one pass");
            assertNull(r.value().tangent(), "the value carries no tangent");
            close(differenceAlong(f, theta, v, 1e-6), r.tangent().toDoubleArray(), 1e-7, "J·v vs central differences");
            // the reverse-mode Jacobian (one backward pass per output element) times v
            Tensor jRev = Functional.jacobian(x -> new Tensor[] {f.apply(x[0])}, new Tensor[] {theta}, Functional.Mode.REVERSE)[0][0];
            Tensor jRevFlat = jRev.reshape(r.tangent().numel(), theta.numel());
            close(jRevFlat.matmul(v).toDoubleArray(), r.tangent().toDoubleArray(), 1e-12, "J·v vs (reverse-mode J)·v");
            close(jRevFlat.matmul(v).toDoubleArray(), Functional.jvp(f, theta, v).toDoubleArray(), 1e-12, "Functional.jvp vs (reverse-mode J)·v");
            // the forward-mode Jacobian (one dual pass per input element) against both
            Tensor jFwd = Functional.jacobian(x -> new Tensor[] {f.apply(x[0])}, new Tensor[] {theta}, Functional.Mode.FORWARD)[0][0];
            assertArrayEquals(jRev.shape(), jFwd.shape());
            close(jRev.toDoubleArray(), jFwd.toDoubleArray(), 1e-12, "forward-mode vs reverse-mode Jacobian");
            double[][] fd = finiteJacobian(f, theta, 1e-6);
            double[] fdFlat = new double[fd.length * theta.numel()];
            for (int k = 0; k < fd.length; k++) System.arraycopy(fd[k], 0, fdFlat, k * theta.numel(), theta.numel());
            close(fdFlat, jFwd.toDoubleArray(), 1e-7, "forward-mode Jacobian vs finite differences");
        });
    }

    @Test
    void forwardOverReverseAndReverseOverForwardHvpOfAnMlpLossEqualReverseOverReverse() {
        SplittableRandom rng = new SplittableRandom(18);
        int in = 3, hidden = 4, out = 3;
        Tensor batch = Tensor.randn(DType.FLOAT64, rng, 5, in);
        Tensor targets = Tensor.randn(DType.FLOAT64, rng, 5, out).softmax(-1);
        Tensor theta = Tensor.randn(DType.FLOAT64, rng, parameterCount(in, hidden, out)).mul(0.7);
        Function<Tensor, Tensor> loss = t -> mlp(t, batch, hidden, out).mul(targets).sum().neg().div(5); // cross-entropy against soft targets
        Function<Tensor, Tensor> gradient = t -> Functional.vjp(s -> loss.apply(s), t, Tensor.of(1.0));
        for (int trial = 0; trial < 6; trial++) {
            Tensor v = Tensor.randn(DType.FLOAT64, rng, theta.shape());
            Tensor fwd = Functional.hvp(loss, theta, v, Functional.Mode.FORWARD);
            Tensor rev = Functional.hvp(loss, theta, v, Functional.Mode.REVERSE);
            close(rev.toDoubleArray(), fwd.toDoubleArray(), 1e-12, "forward over reverse vs reverse over reverse, trial " + trial);
            close(differenceAlong(gradient::apply, theta, v, 1e-5), fwd.toDoubleArray(), 1e-7, "H·v vs differences of the gradient, trial " + trial);
            // reverse over forward: the gradient of the directional derivative ∇L·v, itself a tangent, is H·v as well
            Tensor leaf = theta.detach().requiresGrad(true);
            Tensor directional = ForwardAD.tangent(loss.apply(ForwardAD.dual(leaf, v)));
            close(rev.toDoubleArray(), Autograd.grad(directional, List.of(leaf)).get(0).toDoubleArray(), 1e-12, "reverse over forward, trial " + trial);
            assertFalse(fwd.requiresGrad());
            assertNull(fwd.tangent());
        }
    }
}
