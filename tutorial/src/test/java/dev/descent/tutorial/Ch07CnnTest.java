package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tutorial.docs.Captured;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 7 and checks the CNN's size, its parameter names, what the Trainer makes of the generated images and the line its callback prints. */
class Ch07CnnTest {
    private static Captured<Ch07Cnn.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch07Cnn::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(7, run.output());
    }

    @Test
    void theNetworkHasTheParametersTheTextCounts() {
        assertEquals(80 + 1_168 + 7_850, run.value().parameterCount());
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"), run.value().parameterNames());
        assertTrue(run.output().contains("Total parameters: 9,098"), run.output());
    }

    @Test
    void threeEpochsReachAboutNinetySevenPercent() {
        List<Double> losses = run.value().losses();
        assertEquals(3, losses.size());
        assertTrue(losses.get(0) > losses.get(1) && losses.get(1) > losses.get(2), "losses " + losses);
        assertTrue(run.value().testAccuracy() > 0.95, "accuracy " + run.value().testAccuracy());
    }

    @Test
    void theCallbackPrintsEachEpochOfTheTrainersHistory() {
        List<Double> losses = run.value().losses();
        for (int e = 1; e <= losses.size(); e++) {
            String line = String.format("epoch %d  train loss %.4f  test accuracy ", e, losses.get(e - 1));
            assertTrue(run.output().contains(line), "no line '" + line + "' in\n" + run.output());
        }
        String last = String.format("epoch %d  train loss %.4f  test accuracy %5.1f%%", losses.size(), losses.getLast(),
                100 * run.value().testAccuracy());
        assertTrue(run.output().contains(last), "no line '" + last + "' in\n" + run.output());
    }

    @Test
    void anUnknownArgumentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Ch07Cnn.main(new String[] {"cifar"}));
    }
}
