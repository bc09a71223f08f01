package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.ReduceLrOnPlateau;
import dev.descent.optim.Schedule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --schedule}: each form gives the schedule it names, chains start each part at its epoch, bad forms name the spec. */
class ScheduleSpecTest {

    static void sameFactors(Schedule want, Schedule got, String what) {
        for (long t = 0; t < 40; t++) assertEquals(want.factor(t), got.factor(t), 0.0, what + " at epoch " + t);
    }

    @Test
    void everyFormParsesToItsSchedule() {
        sameFactors(Schedule.cosineWarmRestarts(5, 2, 0.1), ScheduleSpec.parse("restarts:5:2:0.1", 30), "restarts");
        sameFactors(Schedule.cosineWarmRestarts(5, 1, 0), ScheduleSpec.parse("restarts:5", 30), "restarts, defaults");
        sameFactors(Schedule.oneCycle(30, 0.3, true, 25, 1e4), ScheduleSpec.parse("onecycle", 30), "onecycle");
        sameFactors(Schedule.oneCycle(30, 0.25, false, 25, 1e4), ScheduleSpec.parse("onecycle:0.25:linear", 30), "onecycle linear");
        sameFactors(Schedule.sequential(List.of(Schedule.linearWarmup(3, 0).times(Schedule.constant()), Schedule.cosine(20, 0)), List.of(10)),
                ScheduleSpec.parse("constant+warmup:3/10/cosine", 30), "chain: the cosine spans epochs 10 to 30");
        sameFactors(Schedule.step(2, 0.5), ScheduleSpec.parse("step:2:0.5", 30), "step");
    }

    @Test
    void plateauIsARuleNotASchedule() {
        assertNull(ScheduleSpec.plateau("cosine"));
        assertEquals(ReduceLrOnPlateau.Settings.defaults(), ScheduleSpec.plateau("plateau"));
        assertEquals(ReduceLrOnPlateau.Settings.defaults().withFactor(0.5).withPatience(3), ScheduleSpec.plateau("plateau:0.5:3"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.parse("plateau", 10));
    }

    @Test
    void badFormsNameTheSpec() {
        for (String bad : new String[] {"restarts", "onecycle:0.3:square", "cosine/5", "constant/x/cosine", "plateau:2", "restarts:0"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> {
                if (ScheduleSpec.plateau(bad) == null) ScheduleSpec.parse(bad, 10);
            }, bad);
            assertTrue(e.getMessage().startsWith("--schedule '" + bad + "'"), e.getMessage());
        }
    }
}
