package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import dev.descent.tutorial.docs.Captured;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 8 and checks every claim its text makes about the comparison table. */
class Ch08OptimizersTest {
    private static Captured<Ch08Optimizers.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch08Optimizers::run);
    }

    private static Ch08Optimizers.Run r(String name) {
        return run.value().run(name);
    }

    private static double last(String name) {
        return r(name).losses().getLast();
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(8, run.output());
    }

    @Test
    void sevenOptimizersTrainTwentyEpochsEach() {
        assertEquals(7, run.value().runs().size());
        for (var x : run.value().runs()) assertEquals(Ch08Optimizers.EPOCHS, x.losses().size(), x.name());
    }

    @Test
    void momentumAtOneFifthTheLearningRateBeatsPlainSgd() {
        assertTrue(last("SGD lr 0.1, momentum 0.9") < last("SGD lr 0.5"));
    }

    @Test
    void adamReachesTheBestTestAccuracy() {
        double adam = r("Adam lr 0.01").testAccuracy();
        for (var x : run.value().runs()) assertTrue(x.testAccuracy() <= adam, x.name() + " " + x.testAccuracy() + " > Adam " + adam);
        assertTrue(last("Adam lr 0.01") < last("SGD lr 0.5"));
    }

    @Test
    void sgdAtLearningRateFiveDivergesToChance() {
        assertTrue(r("SGD lr 5").losses().getFirst() > 30, "first epoch " + r("SGD lr 5").losses().getFirst());
        assertEquals(0.5, r("SGD lr 5").testAccuracy(), 0.05);
    }

    @Test
    void theTrainerRunsEveryEpochOfSgdAtLearningRateFiveBecauseItsLossStaysFinite() {
        var losses = r("SGD lr 5").losses();
        assertEquals(Ch08Optimizers.EPOCHS, losses.size());
        for (double l : losses) assertTrue(Double.isFinite(l), "losses " + losses);
    }

    @Test
    void bothClippingsRescueLearningRateFiveAndAgreeForFiveEpochs() {
        for (String name : new String[] {"SGD lr 5, clip norm 0.1", "ClippedSGD lr 5, γ 0.1"}) {
            assertTrue(last(name) < last("SGD lr 0.5"), name + " " + last(name));
        }
        var a = r("SGD lr 5, clip norm 0.1").losses();
        var b = r("ClippedSGD lr 5, γ 0.1").losses();
        assertEquals(a.get(0), b.get(0), 1e-4);
        assertEquals(a.get(4), b.get(4), 1e-4);
        assertNotEquals(a.getLast(), b.getLast(), "they drift apart later, as the text says");
    }

    @Test
    void anUnknownKeyOrAnOutOfRangeValueIsRefusedNamingKeyValueAndGroup() {
        var p = new dev.descent.core.Parameter("w", dev.descent.core.Tensor.zeros(2));
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(ParamGroup.of(p).with("momentun", 0.9)), 0.1));
        assertTrue(unknown.getMessage().contains("momentun") && unknown.getMessage().contains("group 0"), unknown.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(p).with("lr", -0.1))));
        assertTrue(negative.getMessage().contains("lr") && negative.getMessage().contains("-0.1") && negative.getMessage().contains("group 0"),
                negative.getMessage());
    }

    @Test
    void srAdamReportsItsShrinkageAndEndsCloseToAdam() {
        assertTrue(r("SR-Adam lr 0.01").note().matches("\\(last c: 0\\.\\d\\d\\)"), r("SR-Adam lr 0.01").note());
        assertEquals(last("Adam lr 0.01"), last("SR-Adam lr 0.01"), 0.02);
        assertEquals(r("Adam lr 0.01").losses().getFirst(), r("SR-Adam lr 0.01").losses().getFirst(), 0.01,
                "warm-up steps are Adam's steps");
    }
}
