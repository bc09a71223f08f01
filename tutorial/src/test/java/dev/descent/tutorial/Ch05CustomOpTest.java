package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.tutorial.docs.Captured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 5 and checks softplus's values, gradient, node count, second derivative and use as a layer. */
class Ch05CustomOpTest {
    private static final double[] X = {-1000, -2, 0, 3, 1000};
    private static Captured<Ch05CustomOp.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch05CustomOp::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(5, run.output());
    }

    @Test
    void theNaiveFormulaOverflowsAndTheCustomOpDoesNot() {
        double[] naive = run.value().naive().toDoubleArray(), values = run.value().values().toDoubleArray();
        assertEquals(Double.POSITIVE_INFINITY, naive[4]);
        for (int i = 0; i < X.length; i++) {
            double expected = Math.max(X[i], 0) + Math.log1p(Math.exp(-Math.abs(X[i])));
            assertEquals(expected, values[i], 1e-12, "softplus(" + X[i] + ")");
        }
    }

    @Test
    void theGradientIsTheSigmoid() {
        double[] grads = run.value().grads().toDoubleArray();
        for (int i = 0; i < X.length; i++) assertEquals(1 / (1 + Math.exp(-X[i])), grads[i], 1e-12, "sigmoid(" + X[i] + ")");
    }

    @Test
    void theCustomOpIsOneNodeWhereTheComposedOneIsSeven() {
        assertEquals(7, run.value().composedNodes());
        assertEquals(1, run.value().customNodes());
    }

    @Test
    void theSecondDerivativeAtZeroIsAQuarter() {
        assertEquals(0.25, run.value().secondDerivative(), 1e-12);
    }

    @Test
    void theOpWorksAsALayer() {
        assertArrayEquals(new int[] {5, 1}, run.value().layerOutputShape());
        assertTrue(run.output().contains("the graph holds softplus: true"), run.output());
    }

    @Test
    void theForwardModeRuleIsTheSigmoidTimesTheTangent() {
        double[] x = {-3, -0.5, 0, 2}, v = {1, -2, 0.5, 3};
        double[] jv = Autograd.jvp(Ch05CustomOp.SOFTPLUS::apply, Tensor.of(x), Tensor.of(v)).tangent().toDoubleArray();
        for (int i = 0; i < x.length; i++) assertEquals(v[i] / (1 + Math.exp(-x[i])), jv[i], 1e-15, "x = " + x[i]);
    }
}
