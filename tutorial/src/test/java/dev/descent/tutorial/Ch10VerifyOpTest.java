package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.check.OpSweep;
import dev.descent.tutorial.docs.Captured;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs chapter 10 and checks what its text claims: the sweep catches the wrong backward rule and shrinks it to a
 * scalar, the fixed op passes the sweep (this test runs the public sweep on the custom op itself), a backward rule
 * in raw doubles passes to first order but not to second, and a wrong forward-mode rule fails only the forward-mode
 * check, shrunk to scalars.
 */
class Ch10VerifyOpTest {
    private static Captured<Ch10VerifyOp.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch10VerifyOp::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(10, run.output());
    }

    // tag::sweep[]
    @Test
    void softsignIsRight() {
        OpSweep.of("softsign", Ch10VerifyOp.softsignCases(Ch10VerifyOp.SOFTSIGN)).secondOrder(true).run();
    }
    // end::sweep[]

    @Test
    void theWrongRuleFailsTheSweepWithAMessageThatNamesTheOpAndTheSmallestBudget() {
        String message = run.value().wrongFailure();
        assertNotNull(message, "the sweep did not catch the wrong backward rule");
        assertTrue(message.startsWith("op 'softsign' fails its gradients check."), message);
        assertTrue(message.contains("smallest failing case found: softsign [] (size budget rank ≤ 0, dims ≤ 1; FLOAT64"), message);
        assertTrue(message.contains("first failing case: softsign ["), message);
        // the same failure when the test calls the sweep itself, not through the chapter
        OpSweep.Failure again = assertThrows(OpSweep.Failure.class, () -> OpSweep.of("softsign", Ch10VerifyOp.softsignCases(Ch10VerifyOp.SOFTSIGN_WRONG)).run());
        assertEquals(message, again.getMessage());
    }

    @Test
    void theShrunkCaseShowsTheMissingSquare() {
        // In the smallest case the finite differences measure 1/(1 + |x|)² and the wrong rule says 1/(1 + |x|).
        Matcher m = Pattern.compile("smallest failing case found: .*? numerical ([-0-9.E]+) vs analytical ([-0-9.E]+)").matcher(run.value().wrongFailure());
        assertTrue(m.find(), run.value().wrongFailure());
        double numerical = Double.parseDouble(m.group(1)), analytical = Double.parseDouble(m.group(2));
        assertEquals(analytical * analytical, numerical, 1e-6);
        // the numbers the text quotes
        assertTrue(m.group(1).startsWith("0.1357") && m.group(2).startsWith("0.3684"), m.group());
    }

    @Test
    void theFixedRuleIsTheDerivativeAtEveryPoint() {
        Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(4), 3, 5).requiresGrad(true);
        Tensor g = Autograd.grad(Ch10VerifyOp.SOFTSIGN.apply(x).sum(), List.of(x)).getFirst();
        double[] xs = x.toDoubleArray(), gs = g.toDoubleArray();
        for (int i = 0; i < xs.length; i++) assertEquals(1 / Math.pow(1 + Math.abs(xs[i]), 2), gs[i], 1e-14, "x = " + xs[i]);
        assertTrue(run.value().fixedPassed());
        assertTrue(run.output().contains("softsign passes: gradients, second-order gradients, forward mode"), run.output());
    }

    @Test
    void aBackwardInRawDoublesPassesToFirstOrderOnlyAndItsSecondDerivativeIsZero() {
        assertTrue(run.value().detachedFirstOrderPassed());
        String message = run.value().detachedFailure();
        assertNotNull(message, "the second-order sweep did not catch the detached rule");
        assertTrue(message.startsWith("op 'softsign' fails its second-order gradients check."), message);
        assertTrue(message.contains("analytical 0.0"), message);
        assertThrows(OpSweep.Failure.class, () -> OpSweep.of("softsign", Ch10VerifyOp.softsignCases(Ch10VerifyOp.SOFTSIGN_DETACHED)).secondOrder(true).run());
    }

    @Test
    void theBroadcastBugHidesInScalarsAndShrinksToTheSmallestBroadcast() {
        assertTrue(run.output().contains("scalars only: passed"), run.output());
        String message = run.value().smoothAbsFailure();
        assertNotNull(message, "the sweep did not catch the missing broadcast reduction");
        assertTrue(message.startsWith("op 'smoothAbs' fails its gradients check."), message);
        assertTrue(message.contains("smallest failing case found: smoothAbs [1] [] (size budget rank ≤ 1, dims ≤ 1; FLOAT64"), message);
        assertTrue(message.contains("returned a gradient of shape [1] for input 1 of shape []"), message);
        assertThrows(OpSweep.Failure.class, () -> OpSweep.of("smoothAbs", Ch10VerifyOp.smoothAbsCases(Ch10VerifyOp.SMOOTH_ABS_WRONG)).run());
        OpSweep.of("smoothAbs", Ch10VerifyOp.smoothAbsCases(Ch10VerifyOp.SMOOTH_ABS_WRONG)).maxSize(0, 1).run();
        assertTrue(run.value().smoothAbsFixedPassed());
    }

    @Test
    void theFixedSmoothAbsSumsTheBroadcastGradient() {
        var rng = new SplittableRandom(8);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, 3, 2).requiresGrad(true);
        Tensor e = Tensor.rand(DType.FLOAT64, rng, 2).add(0.5).detach().requiresGrad(true);
        List<Tensor> g = Autograd.grad(Ch10VerifyOp.SMOOTH_ABS.apply(x, e).sum(), List.of(x, e));
        double[] xs = x.toDoubleArray(), es = e.toDoubleArray(), gx = g.get(0).toDoubleArray(), ge = g.get(1).toDoubleArray();
        assertArrayEquals(new int[] {2}, g.get(1).shape());
        double[] expectedE = new double[2];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                double r = Math.sqrt(xs[i * 2 + j] * xs[i * 2 + j] + es[j] * es[j]);
                assertEquals(xs[i * 2 + j] / r, gx[i * 2 + j], 1e-14, "d/dx[" + i + "][" + j + "]");
                expectedE[j] += es[j] / r;
            }
        }
        assertArrayEquals(expectedE, ge, 1e-14);
    }

    @Test
    void theWrongForwardModeRuleFailsOnlyTheForwardModeCheckAndShrinksToScalars() {
        assertTrue(run.value().wrongJvpFirstOrderPassed());
        assertTrue(run.output().contains("without the forward-mode check: passed"), run.output());
        String message = run.value().wrongJvpFailure();
        assertNotNull(message, "the sweep did not catch the wrong forward-mode rule");
        assertTrue(message.startsWith("op 'smoothAbs' fails its forward-mode gradients check."), message);
        assertTrue(message.contains("smallest failing case found: smoothAbs [] [] (size budget rank ≤ 0, dims ≤ 1; FLOAT64"), message);
        assertTrue(message.contains("forward mode gives (J·v)[0]"), message);
        assertTrue(message.contains("first failing case: smoothAbs ["), message);
        assertThrows(OpSweep.Failure.class, () -> OpSweep.of("smoothAbs", Ch10VerifyOp.smoothAbsCases(Ch10VerifyOp.SMOOTH_ABS_JVP_WRONG)).run());
    }

    @Test
    void theRightForwardModeRuleIsJTimesTheTangentAndTheWrongOneMissesTheETerm() {
        // d√(x² + e²) along (dx, de) = (x·dx + e·de)/√(x² + e²), in plain doubles
        double[] x = {0.7, -1.3, 2.0}, e = {0.5}, dx = {1.0, -0.5, 0.25}, de = {2.0};
        Tensor tx = Tensor.of(x), te = Tensor.of(e);
        Tensor[] dual = {ForwardAD.dual(tx, Tensor.of(dx)), ForwardAD.dual(te, Tensor.of(de))};
        double[] right = ForwardAD.tangent(Ch10VerifyOp.SMOOTH_ABS.apply(dual)).toDoubleArray();
        double[] wrong = ForwardAD.tangent(Ch10VerifyOp.SMOOTH_ABS_JVP_WRONG.apply(dual)).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double r = Math.sqrt(x[i] * x[i] + e[0] * e[0]);
            assertEquals((x[i] * dx[i] + e[0] * de[0]) / r, right[i], 1e-14, "J·v[" + i + "]");
            assertEquals(x[i] * dx[i] / r, wrong[i], 1e-14, "the wrong rule's J·v[" + i + "]: x's term alone");
        }
        // each softsign op used with the sweep has the right rule: J·v = v/(1 + |x|)²
        Tensor v = Tensor.of(new double[] {1, 2, -3});
        for (var op : List.of(Ch10VerifyOp.SOFTSIGN, Ch10VerifyOp.SOFTSIGN_WRONG, Ch10VerifyOp.SOFTSIGN_DETACHED)) {
            double[] jv = Autograd.jvp(op::apply, tx, v).tangent().toDoubleArray();
            for (int i = 0; i < 3; i++) assertEquals(v.toDoubleArray()[i] / Math.pow(1 + Math.abs(x[i]), 2), jv[i], 1e-14);
        }
    }

    @Test
    void theReportedDrawSeedReproducesTheSmallestCase() {
        Matcher m = Pattern.compile("smallest failing case found: (\\S+ \\[]) \\(size budget rank ≤ (\\d+), dims ≤ (\\d+); FLOAT64; reproduce with draw seed (-?\\d+)\\)")
                .matcher(run.value().wrongFailure());
        assertTrue(m.find(), run.value().wrongFailure());
        long seed = Long.parseLong(m.group(4));
        int rank = Integer.parseInt(m.group(2)), dim = Integer.parseInt(m.group(3));
        OpSweep.Case c = Ch10VerifyOp.softsignCases(Ch10VerifyOp.SOFTSIGN_WRONG).make(new OpSweep.Draw(new SplittableRandom(seed), DType.FLOAT64, true, rank, dim));
        assertEquals(m.group(1), c.description());
        assertThrows(AssertionError.class, () -> OpSweep.checkGradients(c));
        // the drawn x gives the numbers the text explains: the wrong rule's 1/(1 + |x|) is 0.3684…
        assertEquals(0.36842169703542726, 1 / (1 + Math.abs(c.inputs()[0].item())), 1e-12);
        // and the fixed rule passes on the same draw
        OpSweep.checkGradients(Ch10VerifyOp.softsignCases(Ch10VerifyOp.SOFTSIGN).make(new OpSweep.Draw(new SplittableRandom(seed), DType.FLOAT64, true, rank, dim)));
    }

    @Test
    void gradGradCheckPassesOnTheFixedOp() {
        assertTrue(run.output().contains("GradGradCheck: passed"), run.output());
    }
}
