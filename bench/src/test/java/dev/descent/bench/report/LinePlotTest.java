// The axes of a LinePlot end at the data: a log axis no longer runs on to the next power of ten.
package dev.descent.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The axis range and tick logic of {@link LinePlot}. */
class LinePlotTest {

    @Test
    void aLogAxisEndsNearTheDataNotAtTheNextPowerOfTen() {
        // A loss from 2.3 down to 0.2: the old range was 0.1 to 10, twice the data's span in decades and more.
        double[] r = LinePlot.axis(0.2, 2.3, true, 0.05);
        double span = Math.log10(2.3 / 0.2);
        assertTrue(r[0] < 0.2 && Math.log10(0.2 / r[0]) <= 0.06 * span, "lower end " + r[0]);
        assertTrue(r[1] > 2.3 && Math.log10(r[1] / 2.3) <= 0.06 * span, "upper end " + r[1]);
        // Data ending exactly at a power of ten used to add a whole empty decade above it.
        assertTrue(LinePlot.axis(0.01, 1, true, 0.05)[1] < 1.5, "upper end for data ending at 1");
    }

    @Test
    void aLinearXAxisEndsAtTheDataAndYIsPaddedByTheGivenFraction() {
        assertEquals(List.of(1.0, 5.0), List.of(LinePlot.axis(1, 5, false, 0)[0], LinePlot.axis(1, 5, false, 0)[1]));
        double[] y = LinePlot.axis(10, 20, false, 0.05);
        assertEquals(9.5, y[0], 1e-12);
        assertEquals(20.5, y[1], 1e-12);
    }

    @Test
    void logTicksLieInsideTheAxisAndThereAreAtLeastTwo() {
        for (double[] r : new double[][] {{0.18, 2.6}, {0.25, 0.45}, {1e-4, 3e2}, {3, 7}}) {
            List<Double> t = LinePlot.ticks(r[0], r[1], true);
            assertTrue(t.size() >= 2, "ticks for " + r[0] + "…" + r[1] + ": " + t);
            for (double v : t) assertTrue(v >= r[0] * (1 - 1e-9) && v <= r[1] * (1 + 1e-9), v + " outside " + r[0] + "…" + r[1]);
        }
        assertEquals(List.of(0.2, 0.5, 1.0, 2.0), LinePlot.ticks(0.18, 2.6, true), "1-2-5 ticks within one decade");
    }
}
