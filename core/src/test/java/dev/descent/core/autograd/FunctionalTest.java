package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Functional.Mode;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Functional transforms against central finite differences (computed here from plain forward evaluations) and
 * against each other: forward and reverse Jacobians agree, jvp is J·v and vjp is vᵀJ, the Hessian of a small MLP's
 * loss equals finite differences of its gradient and is symmetric, hvp is H·v.
 */
class FunctionalTest {
    private static final double H = 1e-6;

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(DType.FLOAT64, new SplittableRandom(seed), shape);
    }

    /** ∂f/∂x by central differences, shape f(x).shape ++ x.shape, from forward evaluations only. */
    private static double[] finiteJacobian(Function<Tensor, Tensor> f, Tensor x) {
        double[] base = x.toDoubleArray();
        int n = base.length, m = f.apply(x).numel();
        double[] jac = new double[m * n];
        for (int e = 0; e < n; e++) {
            double[] plus = base.clone(), minus = base.clone();
            plus[e] += H;
            minus[e] -= H;
            double[] fp = f.apply(Tensor.of(plus, n).reshape(x.shape())).toDoubleArray(), fm = f.apply(Tensor.of(minus, n).reshape(x.shape())).toDoubleArray();
            for (int k = 0; k < m; k++) jac[k * n + e] = (fp[k] - fm[k]) / (2 * H);
        }
        return jac;
    }

    private static void close(double[] want, double[] got, double tol, String what) {
        assertTrue(want.length == got.length, what + ": lengths " + want.length + " vs " + got.length);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])), what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
        }
    }

    private static Tensor layer(Tensor x, Tensor w, Tensor b) {
        return x.matmul(w).add(b).tanh();
    }

    @Test
    void forwardAndReverseJacobiansEqualFiniteDifferences() {
        qt().withExamples(25).forAll(integers().between(1, 5), integers().between(1, 5), longs().all()).checkAssert((n, m, seed) -> {
            Tensor w = randn(seed, n, m), b = randn(seed + 1, m), x = randn(seed + 2, n);
            Function<Tensor, Tensor> f = t -> layer(t.unsqueeze(0), w, b).squeeze(0).mul(t.sum());
            Tensor rev = Functional.jacobian(in -> new Tensor[] {f.apply(in[0])}, new Tensor[] {x}, Mode.REVERSE)[0][0];
            Tensor fwd = Functional.jacobian(in -> new Tensor[] {f.apply(in[0])}, new Tensor[] {x}, Mode.FORWARD)[0][0];
            assertArrayEquals(new int[] {m, n}, rev.shape());
            close(finiteJacobian(f, x), rev.toDoubleArray(), 1e-6, "reverse vs finite differences");
            close(rev.toDoubleArray(), fwd.toDoubleArray(), 1e-12, "forward vs reverse");
        });
    }

    @Test
    void jvpIsJacobianTimesVectorAndVjpIsItsTranspose() {
        Tensor w = randn(1, 3, 4), b = randn(2, 4), x = randn(3, 2, 3), v = randn(4, 2, 3), u = randn(5, 2, 4);
        Function<Tensor, Tensor> f = t -> layer(t, w, b);
        Tensor jac = Functional.jacobian(f::apply, x).reshape(8, 6);
        double[] jv = jac.matmul(v.reshape(6)).toDoubleArray(), uj = u.reshape(1, 8).matmul(jac).reshape(6).toDoubleArray();
        close(jv, Functional.jvp(f::apply, x, v).toDoubleArray(), 1e-12, "jvp");
        close(uj, Functional.vjp(f::apply, x, u).toDoubleArray(), 1e-12, "vjp");
        // the transpose identity ⟨u, Jv⟩ = ⟨Jᵀu, v⟩
        double left = u.mul(Functional.jvp(f::apply, x, v)).sum().item(), right = Functional.vjp(f::apply, x, u).mul(v).sum().item();
        assertTrue(Math.abs(left - right) < 1e-12 * (1 + Math.abs(left)), left + " vs " + right);
    }

    @Test
    void severalInputsAndOutputs() {
        Tensor a = randn(6, 2, 2), b = randn(7, 2);
        Function<Tensor[], Tensor[]> f = in -> new Tensor[] {in[0].matmul(in[1]), in[1].exp().sum(), Tensor.ones(DType.FLOAT64, 3)};
        Tensor[][] rev = Functional.jacobian(f, new Tensor[] {a, b}, Mode.REVERSE), fwd = Functional.jacobian(f, new Tensor[] {a, b}, Mode.FORWARD);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) close(rev[i][j].toDoubleArray(), fwd[i][j].toDoubleArray(), 1e-12, "block " + i + "," + j);
        assertArrayEquals(new int[] {2, 2, 2}, rev[0][0].shape());
        assertArrayEquals(new int[] {3, 2}, rev[2][1].shape());
        close(new double[6], rev[2][1].toDoubleArray(), 0, "a constant output has a zero Jacobian");
        close(finiteJacobian(t -> a.matmul(t), b), rev[0][1].toDoubleArray(), 1e-6, "∂(Ab)/∂b");
        Functional.JVP r = Functional.jvp(f, new Tensor[] {a, b}, new Tensor[] {Tensor.zerosLike(a), Tensor.onesLike(b)});
        close(a.sum(1).toDoubleArray(), r.tangents()[0].toDoubleArray(), 1e-12, "jvp along b = 1");
    }

    /** A two-layer network's mean squared error as a function of all its weights, flattened into one vector. */
    private static Tensor mlpLoss(Tensor theta, Tensor x, Tensor y) {
        Tensor w1 = theta.narrow(0, 0, 6).reshape(3, 2), b1 = theta.narrow(0, 6, 2), w2 = theta.narrow(0, 8, 2).reshape(2, 1), b2 = theta.narrow(0, 10, 1);
        return layer(x, w1, b1).matmul(w2).add(b2).sub(y).square().mean();
    }

    @Test
    void hessianOfASmallMlpLossEqualsFiniteDifferencesAndIsSymmetric() {
        Tensor x = randn(8, 5, 3), y = randn(9, 5, 1), theta = randn(10, 11).mul(0.7);
        Function<Tensor, Tensor> loss = t -> mlpLoss(t, x, y);
        Tensor h = Functional.hessian(loss, theta);
        assertArrayEquals(new int[] {11, 11}, h.shape());
        Function<Tensor, Tensor> gradient = t -> Functional.vjp(s -> loss.apply(s), t, Tensor.of(1.0));
        close(finiteJacobian(gradient, theta), h.toDoubleArray(), 1e-6, "Hessian vs differences of the gradient");
        close(h.toDoubleArray(), h.t().toDoubleArray(), 1e-12, "symmetry");
        Tensor jac = Functional.jacobian(loss::apply, theta);
        close(finiteJacobian(loss, theta), jac.toDoubleArray(), 1e-6, "Jacobian (gradient) vs finite differences");
        Tensor v = randn(11, 11);
        close(h.matmul(v).toDoubleArray(), Functional.hvp(loss, theta, v).toDoubleArray(), 1e-12, "hvp = H·v");
    }

    @Test
    void callersTensorsAreUntouched() {
        Tensor x = randn(12, 3).requiresGrad(true);
        Functional.hessian(t -> t.mul(t).mul(t).sum(), x);
        Functional.jvp(t -> t.tanh(), x, Tensor.onesLike(x));
        assertTrue(x.grad() == null, "no .grad() written");
        assertThrows(IllegalArgumentException.class, () -> Functional.jvp(t -> t.tanh(), x, Tensor.ones(DType.FLOAT64, 4)), "wrong tangent shape");
        assertThrows(IllegalArgumentException.class, () -> Functional.hessian(t -> t.tanh(), x), "hessian of a non-scalar");
    }
}
