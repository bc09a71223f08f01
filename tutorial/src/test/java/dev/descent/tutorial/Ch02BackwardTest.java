package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.autograd.GraphDot;
import dev.descent.tutorial.docs.Captured;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs chapter 2 and checks its gradients, its accumulation claim and its graph picture's source. */
class Ch02BackwardTest {
    private static Captured<Ch02Backward.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch02Backward::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(2, run.output());
    }

    @Test
    void theDerivativeOfXSquaredPlusExpIsTwoXPlusExp() {
        assertEquals(4 + Math.exp(2), run.value().dydx(), 1e-12);
    }

    @Test
    void aSecondBackwardAddsTheGradientAgain() {
        assertEquals(2 * run.value().dydx(), run.value().afterTwoBackwards(), 1e-12);
        assertTrue(run.output().contains("after zeroGrad(): null"), run.output());
    }

    @Test
    void aGraphBuiltByALoopDifferentiatesLikeXToTheFifth() {
        assertEquals(80.0, run.value().powerGrad(), 1e-12);
    }

    @Test
    void aBroadcastBiasGetsTheSumOverTheRowsItWasAddedTo() {
        assertArrayEquals(new double[] {4, 4, 4}, run.value().biasGrad().toDoubleArray());
    }

    @Test
    void nothingIsRecordedInANoGradScope() {
        assertFalse(run.value().noGradResultRequiresGrad());
    }

    @Test
    void theTinyMlpGraphShowsItsOpsParametersAndConstants() {
        String dot = run.value().dot();
        for (String label : new String[] {"matmul", "tanh", "add", "sub", "mul", "sum", "div", "w1", "b1", "w2", "b2", "x\\n", "y\\n", "const 4"}) {
            assertTrue(dot.contains("label=\"" + label), "no node labelled " + label + " in\n" + dot);
        }
        assertEquals(16, dot.lines().filter(l -> l.contains("label=")).count());
        assertEquals(4, dot.lines().filter(l -> l.contains("shape=ellipse")).count(), "four parameters");
        assertTrue(run.output().contains(String.format("loss %.4f", run.value().tinyMlpLoss())), run.output());
    }

    @Test
    void theDotOptionWritesTheGraphOfTheTinyMlp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g.dot");
        Captured.run(() -> {
            Ch02Backward.main(new String[] {"--dot", file.toString()});
            return null;
        });
        assertEquals(GraphDot.of(Ch02Backward.tinyMlpLoss()), Files.readString(file));
        assertThrows(IllegalArgumentException.class, () -> Captured.run(() -> {
            Ch02Backward.main(new String[] {"--png"});
            return null;
        }));
    }
}
