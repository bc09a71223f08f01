package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.tutorial.docs.Captured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs chapter 9 and checks its claims against references written from the math: the tiny function's Jacobian against
 * finite differences, the dual pass's value and tangent, the pass counts of both modes, the gradient and H·v of forward
 * over reverse, the Jacobians of the wide and tall functions, the logistic loss's
 * Hessian against its closed form, and the hooks' gradient norms and activations against the stored gradients and the
 * layers' formulas.
 */
class Ch09ModesTest {
    private static Captured<Ch09Modes.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch09Modes::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(9, run.output());
    }

    /** The tiny function in plain doubles. */
    private static double[] f(double[] x) {
        return new double[] {x[0] * x[1], Math.sin(x[0]), x[1] * x[1]};
    }

    /** Its Jacobian by central differences. */
    private static double[][] finiteDifferenceJacobian(double[] x) {
        double eps = 1e-6;
        double[][] j = new double[3][2];
        for (int c = 0; c < 2; c++) {
            double[] plus = x.clone(), minus = x.clone();
            plus[c] += eps;
            minus[c] -= eps;
            double[] fp = f(plus), fm = f(minus);
            for (int r = 0; r < 3; r++) j[r][c] = (fp[r] - fm[r]) / (2 * eps);
        }
        return j;
    }

    @Test
    void bothJacobiansEqualFiniteDifferences() {
        double[] x = run.value().x().toDoubleArray();
        double[][] fd = finiteDifferenceJacobian(x);
        for (Tensor j : List.of(run.value().byRows(), run.value().byColumns())) {
            assertArrayEquals(new int[] {3, 2}, j.shape());
            double[] got = j.toDoubleArray();
            for (int r = 0; r < 3; r++) for (int c = 0; c < 2; c++) assertEquals(fd[r][c], got[r * 2 + c], 1e-8, "J[" + r + "][" + c + "]");
        }
        assertArrayEquals(run.value().byRows().toDoubleArray(), run.value().byColumns().toDoubleArray(), 1e-15);
    }

    @Test
    void theJvpIsTheFirstColumnAndTheVjpTheSecondRow() {
        double[][] fd = finiteDifferenceJacobian(run.value().x().toDoubleArray());
        assertArrayEquals(new double[] {fd[0][0], fd[1][0], fd[2][0]}, run.value().jvp().toDoubleArray(), 1e-8);
        assertArrayEquals(fd[1], run.value().vjp().toDoubleArray(), 1e-8);
    }

    @Test
    void theDualPassCarriesJTimesVBesideTheValue() {
        double[] x = run.value().x().toDoubleArray();
        double[][] fd = finiteDifferenceJacobian(x);
        assertArrayEquals(f(x), run.value().dualValue().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {fd[0][0], fd[1][0], fd[2][0]}, run.value().dualTangent().toDoubleArray(), 1e-8);
        // by hand at x = (2, 3), v = (1, 0): J·v = (x₁, cos x₀, 0)
        assertArrayEquals(new double[] {3, Math.cos(2), 0}, run.value().dualTangent().toDoubleArray(), 1e-15);
        assertTrue(run.output().contains("--- dual ---"), run.output());
    }

    @Test
    void reverseModeTakesOneBackwardPassPerOutputAndForwardModeOneForwardPassPerInput() {
        // {reverse: forward passes, backward passes; forward: forward passes, backward passes}
        assertArrayEquals(new long[] {1, 1, 1000, 0}, run.value().wide());
        assertArrayEquals(new long[] {1, 1000, 1, 0}, run.value().tall());
    }

    @Test
    void theWideAndTallJacobiansAreRight() {
        double[] a = run.value().a().toDoubleArray(), x = run.value().wideX().toDoubleArray();
        double t = run.value().tallX().item();
        Tensor wide = run.value().wideJacobian(), tall = run.value().tallJacobian();
        assertArrayEquals(new int[] {1, 1000}, wide.shape());
        assertArrayEquals(new int[] {1000, 1}, tall.shape());
        double[] w = wide.toDoubleArray(), h = tall.toDoubleArray();
        for (int i = 0; i < 1000; i++) {
            double th = Math.tanh(x[i]), tt = Math.tanh(a[i] * t);
            assertEquals(a[i] * (1 - th * th), w[i], 1e-12, "d(Σ a·tanh x)/dx" + i);
            assertEquals(a[i] * (1 - tt * tt), h[i], 1e-12, "d tanh(a" + i + "·x)/dx");
        }
    }

    @Test
    void theHessianIsTheClosedFormAndSymmetricAndHvpIsHTimesV() {
        Ch09Modes.Result r = run.value();
        double[] xs = r.data().toDoubleArray(), y = r.labels().toDoubleArray(), w = r.w().toDoubleArray(), v = r.v().toDoubleArray();
        int n = y.length, d = w.length;
        assertEquals(8, n);
        double[][] expected = new double[d][d];
        for (int i = 0; i < n; i++) {
            double z = 0, sum = 0;
            for (int k = 0; k < d; k++) {
                z += xs[i * d + k] * w[k];
                sum += xs[i * d + k];
            }
            assertEquals(sum > 0 ? 1 : 0, y[i], "label " + i);
            double s = 1 / (1 + Math.exp(-z)), weight = s * (1 - s) / n;
            for (int p = 0; p < d; p++) for (int q = 0; q < d; q++) expected[p][q] += weight * xs[i * d + p] * xs[i * d + q];
        }
        for (int p = 0; p < d; p++) expected[p][p] += 0.1;
        double[] h = r.hessian().toDoubleArray(), hv = r.hvp().toDoubleArray();
        assertArrayEquals(new int[] {3, 3}, r.hessian().shape());
        for (int p = 0; p < d; p++) {
            double expectedHv = 0;
            for (int q = 0; q < d; q++) {
                assertEquals(expected[p][q], h[p * d + q], 1e-12, "H[" + p + "][" + q + "]");
                assertEquals(h[q * d + p], h[p * d + q], 1e-15, "H is symmetric at " + p + ", " + q);
                expectedHv += expected[p][q] * v[q];
            }
            assertEquals(expectedHv, hv[p], 1e-12, "(H·v)[" + p + "]");
        }
    }

    @Test
    void forwardOverReverseGivesTheGradientAndHTimesVInOnePairOfPasses() {
        Ch09Modes.Result r = run.value();
        double[] xs = r.data().toDoubleArray(), y = r.labels().toDoubleArray(), w = r.w().toDoubleArray();
        int n = y.length, d = w.length;
        double[] gradient = new double[d];
        for (int i = 0; i < n; i++) {                     // ∇L = Xᵀ(σ(z) − y)/n + 0.1·w
            double z = 0;
            for (int k = 0; k < d; k++) z += xs[i * d + k] * w[k];
            double s = 1 / (1 + Math.exp(-z));
            for (int k = 0; k < d; k++) gradient[k] += (s - y[i]) * xs[i * d + k] / n;
        }
        for (int k = 0; k < d; k++) gradient[k] += 0.1 * w[k];
        assertArrayEquals(gradient, r.gradient().toDoubleArray(), 1e-14);
        assertArrayEquals(r.hvp().toDoubleArray(), r.hvpByHand().toDoubleArray(), 1e-14, "Functional.hvp is forward over reverse by default");
        assertArrayEquals(r.hvp().toDoubleArray(), r.hvpReverse().toDoubleArray(), 1e-13, "forward over reverse vs reverse over reverse");
    }

    @Test
    void theWeightHooksSeeTheGradientsThatBackwardStoresLastLayerFirst() {
        Map<String, Double> seen = run.value().gradNorms(), stored = run.value().storedGradNorms();
        assertEquals(List.of("4.weight", "2.weight", "0.weight"), List.copyOf(seen.keySet()));
        for (String name : stored.keySet()) assertEquals(stored.get(name), seen.get(name), 1e-12, name);
    }

    @Test
    void theForwardHooksCaptureEachLayersOutput() {
        Map<String, Tensor> act = run.value().activations();
        assertEquals(List.of("0", "1", "2", "3", "4"), List.copyOf(act.keySet()));
        assertArrayEquals(new int[] {32, 1}, act.get("4").shape());
        for (String[] pair : new String[][] {{"0", "1"}, {"2", "3"}}) {     // each Tanh's output is tanh of the Linear's before it
            double[] before = act.get(pair[0]).toDoubleArray(), after = act.get(pair[1]).toDoubleArray();
            for (int i = 0; i < before.length; i++) assertEquals(Math.tanh(before[i]), after[i], 1e-6);
        }
    }

    @Test
    void theLastWeightGradientIsTheCapturedActivationTimesTheResidual() {
        // L = mean((out − y)²), out = a₃·Wᵀ + b, so ∂L/∂W = (2/N)·Σₙ (outₙ − yₙ)·a₃ₙ.
        Map<String, Tensor> act = run.value().activations();
        double[] out = act.get("4").toDoubleArray(), a3 = act.get("3").toDoubleArray(), y = run.value().mlpTarget().toDoubleArray();
        double[] x = run.value().mlpInput().toDoubleArray();
        int n = 32, h = 16;
        double[] expected = new double[h];
        for (int i = 0; i < n; i++) {
            assertEquals(x[i * 4] * x[i * 4 + 1], y[i], 1e-6, "target " + i);
            for (int k = 0; k < h; k++) expected[k] += 2.0 / n * (out[i] - y[i]) * a3[i * h + k];
        }
        assertArrayEquals(expected, run.value().lastWeightGrad().toDoubleArray(), 1e-5);
        double norm = 0;
        for (double e : expected) norm += e * e;
        assertEquals(Math.sqrt(norm), run.value().gradNorms().get("4.weight"), 1e-5);
    }
}
