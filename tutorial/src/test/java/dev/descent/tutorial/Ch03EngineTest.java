package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.tutorial.docs.Captured;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 3 and holds its 25-line engine to the real one and to the derivatives worked out by hand. */
class Ch03EngineTest {
    private static Captured<Ch03Engine.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch03Engine::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(3, run.output());
    }

    @Test
    void bothEnginesGiveTheDerivativesWorkedOutByHand() {
        double a = 1.5, b = -0.5, t = Math.tanh(b);
        double dfda = (b + 1) * t + 1, dfdb = a * t + (a * b + a) * (1 - t * t);
        assertEquals(dfda, run.value().real()[0], 1e-12);
        assertEquals(dfdb, run.value().real()[1], 1e-12);
        assertEquals(run.value().real()[0], run.value().mini()[0], 1e-12);
        assertEquals(run.value().real()[1], run.value().mini()[1], 1e-12);
    }

    @Test
    void theMiniEngineAgreesWithTheRealOneOnTheTinyMlpWithBroadcasting() {
        Tensor loss = Ch02Backward.tinyMlpLoss();
        Map<Tensor, Tensor> mine = Ch03Engine.miniBackward(loss);
        loss.backward();
        List<Tensor> leaves = parameters(loss);
        assertEquals(4, leaves.size());
        for (Tensor p : leaves) {
            assertTrue(mine.get(p).allClose(p.grad(), 1e-6, 1e-7), p.name() + ": " + mine.get(p) + " vs " + p.grad());
        }
    }

    @Test
    void aGraphAHundredThousandOpsDeepIsDifferentiated() {
        assertEquals(Math.pow(1.00001, 100_000), run.value().deepGrad(), 1e-9);
    }

    @Test
    void createGraphGivesTheSecondDerivative() {
        assertEquals(27.0, run.value().firstDerivative(), 1e-12);
        assertEquals(18.0, run.value().secondDerivative(), 1e-12);
    }

    private static List<Tensor> parameters(Tensor root) {
        List<Tensor> out = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Tensor> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (seen.put(t, true) != null) continue;
            if (t.gradFn() == null) {
                if (t.requiresGrad()) out.add(t);
            } else {
                todo.addAll(t.gradFn().inputs());
            }
        }
        return out;
    }
}
