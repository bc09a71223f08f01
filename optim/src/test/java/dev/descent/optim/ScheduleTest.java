package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Learning-rate schedules: each factor against its formula, composition, and the scheduler that
 * drives every group's learning rate (and, when asked, the clipping threshold γ) from its base value.
 */
class ScheduleTest {
    static final double TOL = 1e-15;

    @Test
    void factorsFollowTheirFormulas() {
        for (long t = 0; t < 300; t++) {
            assertEquals(1, Schedule.constant().factor(t));
            assertEquals(Math.pow(0.5, t / 7), Schedule.step(7, 0.5).factor(t), TOL, "step at " + t);
            int passed = (t >= 80 ? 1 : 0) + (t >= 120 ? 1 : 0);
            assertEquals(Math.pow(0.1, passed), Schedule.multiStep(List.of(80, 120), 0.1).factor(t), TOL, "multi-step at " + t);
            double cosine = t >= 100 ? 0.05 : 0.05 + 0.95 * (1 + Math.cos(Math.PI * t / 100)) / 2;
            assertEquals(cosine, Schedule.cosine(100, 0.05).factor(t), 1e-14, "cosine at " + t);
            double warm = t >= 10 ? 1 : 0.1 + 0.9 * t / 10.0;
            assertEquals(warm, Schedule.linearWarmup(10, 0.1).factor(t), TOL, "warm-up at " + t);
            assertEquals(warm * cosine, Schedule.linearWarmup(10, 0.1).times(Schedule.cosine(100, 0.05)).factor(t), 1e-14, "product at " + t);
        }
        assertEquals(0.0, Schedule.cosine(50, 0).factor(50));
        assertEquals(1.0, Schedule.cosine(50, 0).factor(0));
    }

    @Test
    void badSchedulesAreRefused() {
        assertEquals("stepSize must be >= 1, was 0", assertThrows(IllegalArgumentException.class, () -> Schedule.step(0, 0.5)).getMessage());
        assertEquals("milestones must be strictly increasing and >= 1, were [5, 5]",
                assertThrows(IllegalArgumentException.class, () -> Schedule.multiStep(List.of(5, 5), 0.1)).getMessage());
        assertEquals("minFactor must be in [0, 1], was 2.0", assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(10, 2)).getMessage());
        assertEquals("startFactor must be in [0, 1], was -0.1",
                assertThrows(IllegalArgumentException.class, () -> Schedule.linearWarmup(3, -0.1)).getMessage());
    }

    static Parameter param() {
        return new Parameter(Tensor.zeros(DType.FLOAT64, 2));
    }

    @Test
    void theSchedulerSetsEveryGroupFromItsOwnBase() {
        var opt = new SGD(List.of(ParamGroup.of(param()).with("lr", 0.5), ParamGroup.of(param()).with("lr", 0.005))); // two time scales
        var scheduler = new LrScheduler(opt, Schedule.multiStep(List.of(2, 4), 0.1));
        double[][] want = {{0.5, 0.005}, {0.5, 0.005}, {0.05, 0.0005}, {0.05, 0.0005}, {0.005, 0.00005}};
        for (int t = 0; t < want.length; t++) {
            assertEquals(t, scheduler.position());
            assertEquals(want[t][0], opt.lr(0), 1e-18);
            assertEquals(want[t][1], opt.lr(1), 1e-18);
            assertEquals(100, opt.lr(0) / opt.lr(1), 1e-12, "the time-scale ratio is kept");
            scheduler.step();
        }
    }

    @Test
    void gammaCanBeScheduledWithTheLearningRateAsTheClippingPaperDoes() {
        var opt = new ClippingFramework(List.of(ParamGroup.of(param())), 1.0, 0.25, 0.9, 1);
        var scheduler = new LrScheduler(opt, Schedule.multiStep(List.of(80, 120), 0.1), "lr", "gamma");
        for (int epoch = 0; epoch < 120; epoch++) scheduler.step();
        assertEquals(0.01, opt.lr(0), 1e-15);
        assertEquals(0.0025, opt.group(0).get("gamma"), 1e-15);
        assertEquals(List.of("lr", "gamma"), scheduler.keys());
    }

    @Test
    void onlyRealHyperparametersOfTheOptimizerCanBeScheduled() {
        var opt = new Adam(List.of(ParamGroup.of(param())));
        assertEquals("cannot schedule 'gamma': not a real hyperparameter of Adam",
                assertThrows(IllegalArgumentException.class, () -> new LrScheduler(opt, Schedule.constant(), "lr", "gamma")).getMessage());
        assertEquals("cannot schedule 'amsgrad': not a real hyperparameter of Adam",
                assertThrows(IllegalArgumentException.class, () -> new LrScheduler(opt, Schedule.constant(), "amsgrad")).getMessage());
    }

    @Test
    void aScheduleThatWouldBreakAHyperparameterStopsWithItsMessage() {
        var opt = new ClippedSGD(List.of(ParamGroup.of(param())), 0.1, 1.0);
        var scheduler = new LrScheduler(opt, Schedule.cosine(4, 0), "gamma"); // γ = 0 is not a threshold
        for (int t = 1; t < 4; t++) scheduler.step();
        var e = assertThrows(IllegalArgumentException.class, scheduler::step);
        assertEquals("gamma must be > 0 (∞ allowed), was 0.0 (group 0 of ClippedSGD, scheduled at position 4)", e.getMessage());
        assertEquals(3, scheduler.position(), "a refused step does not advance");
        assertEquals(Schedule.cosine(4, 0).factor(3), opt.group(0).get("gamma"), 1e-15);
    }
}
