package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.check.GradCheck;
import dev.descent.tutorial.docs.Captured;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 4 and checks the finite-difference table, the caught wrong rule and the anomaly message it shows. */
class Ch04GradCheckTest {
    private static Captured<Ch04GradCheck.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch04GradCheck::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(4, run.output());
    }

    @Test
    void theBestStepIsNearTheCubeRootOfTheMachineEpsilon() {
        assertEquals(1e-5, run.value().bestStep());
        assertTrue(run.value().bestStepError() < 1e-9, "error " + run.value().bestStepError());
    }

    @Test
    void aCorrectRulePassesWithTinyDifferences() {
        assertTrue(run.value().worstDifference() < 1e-8, "worst " + run.value().worstDifference());
        assertTrue(run.output().contains("big softmax (fast mode): passed"), run.output());
    }

    @Test
    void theWrongRuleIsCaughtAtTheFirstElementWithBothValues() {
        String m = run.value().failure();
        assertTrue(m.startsWith("GradCheck failed for 'cube': d(output[0])/d(input 0[0])"), m);
        Matcher numbers = Pattern.compile("numerical (\\S+) vs analytical (\\S+) ").matcher(m);
        assertTrue(numbers.find(), m);
        assertEquals(3.0, Double.parseDouble(numbers.group(1)), 1e-6, "3x² at x = 1");
        assertEquals(2.0, Double.parseDouble(numbers.group(2)), 0, "the wrong rule's 2x² at x = 1");
    }

    @Test
    void theSameOpWithTheRightRulePasses() {
        GradCheck.check("cube", in -> {
            Tensor x = in[0], y;
            try (var _ = GradMode.noGrad()) {
                y = x.mul(x).mul(x);
            }
            return Autograd.record("cube", y, g -> new Tensor[] {g.mul(x.square()).mul(3)}, x);
        }, Tensor.of(new double[] {1, 2}));
        assertEquals(8.0, Ch04GradCheck.cubeWithWrongRule(Tensor.of(2.0)).item(), "the forward is right, only the rule is wrong");
    }

    @Test
    void anomalyDetectionNamesSqrtAndTheInfiniteElement() {
        String m = run.value().anomaly();
        assertTrue(m.contains("backward of 'sqrt' produced +Infinity at element 1"), m);
    }
}
