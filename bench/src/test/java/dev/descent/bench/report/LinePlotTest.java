// The axes of a LinePlot end at the data: a log axis no longer runs on to the next power of ten.
package dev.descent.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The axis range and tick logic of {@link LinePlot}, and its spread bands. */
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

    // The plot area of a 900 × 560 chart: left 80, top 44, 800 × 456 pixels.
    private static int px(double x, double[] xr) {
        return 80 + (int) Math.round((x - xr[0]) / (xr[1] - xr[0]) * 800);
    }

    private static int py(double y, double[] yr) {
        return 44 + 456 - (int) Math.round((y - yr[0]) / (yr[1] - yr[0]) * 456);
    }

    @Test
    void aBandIsTheLinesColourAtTwentyPercentBehindItAndTheYAxisCoversIt() {
        double[] x = new double[11], y = new double[11], lo = new double[11], hi = new double[11];
        for (int i = 0; i <= 10; i++) {
            x[i] = i;
            y[i] = 5;
            lo[i] = 4;
            hi[i] = 6;
        }
        LinePlot p = new LinePlot("band", "epoch", "value").add("mean", x, y, lo, hi);
        double[] yr = p.yRange(), xr = {0, 10};
        assertEquals(List.of(3.9, 6.1), List.of(Math.round(yr[0] * 1e9) / 1e9, Math.round(yr[1] * 1e9) / 1e9), "y-axis padded around lo and hi, not the mean");
        BufferedImage img = p.render();
        // Between the mean line and hi, off the grid lines (x ticks at whole numbers, y ticks every 0.5): the blend of 20 % blue over white.
        Color blue = new Color(0x1f77b4), inside = new Color(img.getRGB(px(3.5, xr), py(5.25, yr)));
        double a = LinePlot.BAND_ALPHA / 255.0;
        int[] want = {(int) Math.round(a * blue.getRed() + (1 - a) * 255), (int) Math.round(a * blue.getGreen() + (1 - a) * 255),
            (int) Math.round(a * blue.getBlue() + (1 - a) * 255)};
        int[] got = {inside.getRed(), inside.getGreen(), inside.getBlue()};
        for (int c = 0; c < 3; c++) assertTrue(Math.abs(want[c] - got[c]) <= 2, "band pixel " + List.of(got[0], got[1], got[2]) + ", want ≈ " + List.of(want[0], want[1], want[2]));
        // Also between the mean line and lo; outside the band (below lo, above hi) the background is white.
        assertEquals(inside.getRGB(), img.getRGB(px(6.5, xr), py(4.75, yr)), "below the mean");
        assertEquals(Color.WHITE.getRGB(), img.getRGB(px(3.5, xr), py(3.95, yr)), "below lo");
        assertEquals(Color.WHITE.getRGB(), img.getRGB(px(3.5, xr), py(6.07, yr)), "above hi");
        // The mean line is drawn over the band in the full colour (2 pixels wide; antialiasing may shift it by one row).
        boolean line = false;
        for (int dy = -1; dy <= 1; dy++) line |= img.getRGB(px(3.5, xr), py(5, yr) + dy) == blue.getRGB();
        assertTrue(line, "the line in its full colour");
    }

    @Test
    void theYAxisReachesAnOutlyingBandEdgeAndALineWithoutABandIsUnchanged() {
        double[] x = {1, 2, 3}, y = {0.5, 0.6, 0.7};
        LinePlot banded = new LinePlot("t", "x", "y").add("a", x, y, new double[] {0.1, 0.55, 0.65}, new double[] {0.6, 0.9, 0.75});
        double[] r = banded.yRange();
        assertTrue(r[0] < 0.1 && r[1] > 0.9, "range " + r[0] + "…" + r[1]);
        double[] plain = new LinePlot("t", "x", "y").add("a", x, y).yRange();
        assertTrue(plain[0] > 0.45 && plain[1] < 0.75, "range " + plain[0] + "…" + plain[1]);
        // A log axis leaves out a non-positive lo from the range (the band then runs to the bottom).
        double[] log = new LinePlot("t", "x", "y").logScale(false, true).add("a", x, y, new double[] {-1, 0.4, 0.5}, new double[] {0.6, 0.8, 0.9}).yRange();
        assertTrue(log[0] > 0.3 && log[0] < 0.4 && log[1] > 0.9, "range " + log[0] + "…" + log[1]);
    }

    @Test
    void aBandNeedsAsManyEdgesAsPoints() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LinePlot("t", "x", "y").add("a", new double[] {1, 2}, new double[] {1, 2}, new double[] {1}, new double[] {1, 2}));
    }
}
