package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import dev.descent.tutorial.docs.Captured;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 6 and checks that the hand-made MLP learns the two spirals as the text says. */
class Ch06MlpTest {
    private static Captured<Ch06Mlp.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch06Mlp::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(6, run.output());
    }

    @Test
    void theNetworkHasTheParametersCounted() {
        assertEquals(2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2, run.value().parameterCount());
    }

    @Test
    void theLossStartsNearACoinFlipAndFalls() {
        List<Double> losses = run.value().losses();
        assertEquals(40, losses.size());
        assertEquals(Math.log(2), losses.getFirst(), 0.1);
        assertTrue(losses.getLast() < 0.2, "last loss " + losses.getLast());
    }

    @Test
    void itClassifiesAboutNinetySixPercentOfUnseenPoints() {
        assertTrue(run.value().testAccuracy() > 0.93, "accuracy " + run.value().testAccuracy());
    }

    @Test
    void anInPlaceUpdateOfAParameterIsRefusedWhileRecording() {
        Tensor p = Ch06Mlp.uniform(new SplittableRandom(1), 2, 3);
        Tensor g = Tensor.ones(3);
        var e = assertThrows(IllegalStateException.class, () -> p.addInPlace(g, -0.5));
        assertTrue(e.getMessage().contains("GradMode.noGrad()"), e.getMessage());
        try (var _ = dev.descent.core.autograd.GradMode.noGrad()) {
            p.addInPlace(g, -0.5);
        }
    }

    @Test
    void theHandWrittenCrossEntropyIsTheLibrarysAndTheForwardGivesTwoScores() {
        var rng = new SplittableRandom(3);
        Tensor logits = Tensor.randn(rng, 6, 2), labels = Tensor.ofIndices(new int[] {0, 1, 1, 0, 1, 0});
        assertEquals(Losses.crossEntropy(logits, labels).item(), Ch06Mlp.crossEntropy(logits, labels).item(), 1e-6);
        List<Tensor> p = List.of(Ch06Mlp.uniform(rng, 2, 2, 32), Ch06Mlp.uniform(rng, 2, 32), Ch06Mlp.uniform(rng, 32, 32, 32),
                Ch06Mlp.uniform(rng, 32, 32), Ch06Mlp.uniform(rng, 32, 32, 2), Ch06Mlp.uniform(rng, 32, 2));
        assertArrayEquals(new int[] {5, 2}, Ch06Mlp.forward(p, Tensor.randn(rng, 5, 2)).shape());
        for (Tensor t : p) assertTrue(t.requiresGrad());
    }
}
