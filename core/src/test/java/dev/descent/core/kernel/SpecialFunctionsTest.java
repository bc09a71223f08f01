package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import org.junit.jupiter.api.Test;

/** The table erf (the fast kernel) against the series and continued-fraction erf (its scalar reference), and known values. */
class SpecialFunctionsTest {

    private static void close(double x) {
        double want = SpecialFunctions.erf(x), got = SpecialFunctions.erfFast(x);
        assertTrue(Math.abs(got - want) <= 2e-16 + 1e-15 * Math.abs(want), "erf(" + x + "): fast " + got + ", reference " + want);
    }

    @Test
    void theTableEqualsTheReferenceOnADenseGridAndBetweenItsPoints() {
        for (int i = -8000; i <= 8000; i++) close(i / 1000.0);
        for (int k = 0; k <= 6 * 64; k++) {
            close(k / 64.0 + 1 / 128.0 - 1e-12); // the farthest points from the table's centres
            close(-(k / 64.0 + 1 / 128.0 - 1e-12));
        }
        for (double x : new double[] {1e-300, 1e-20, 1e-8, 5.999999, 6, 7, 40, Double.MAX_VALUE}) {
            close(x);
            close(-x);
        }
    }

    @Test
    void theTableEqualsTheReferenceAtRandomPoints() {
        qt().withExamples(5000).forAll(doubles().between(-7, 7)).checkAssert(SpecialFunctionsTest::close);
    }

    @Test
    void knownValues() {
        // erf(1) and erf(0.5) to 16 digits (Abramowitz & Stegun, table 7.1); erf is odd; NaN propagates.
        assertEquals(0.8427007929497149, SpecialFunctions.erfFast(1), 2e-16);
        assertEquals(0.5204998778130465, SpecialFunctions.erfFast(0.5), 2e-16);
        assertEquals(-SpecialFunctions.erfFast(0.3), SpecialFunctions.erfFast(-0.3));
        assertTrue(Double.isNaN(SpecialFunctions.erfFast(Double.NaN)));
        assertEquals(0.0, SpecialFunctions.erfFast(0.0));
    }
}
