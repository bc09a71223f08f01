package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float32 GELU kernel ({@link VectorMath#geluRow}): its vector loop equals its scalar twin bit for bit, the vector
 * path runs, and Φ, x·Φ(x) and Φ(x) + x·φ(x) are within 6 float32 ulps (measured worst: 4.5, 4.9 and, for the slope, which
 * crosses zero near x = −0.75, measured against the ulp of Φ + |x|·φ, see the test's output) of float64 references built
 * on {@link SpecialFunctions#erf}, over a sweep of every 64th float in [−16, 16].
 */
class GeluKernelTest {
    private static final double SQRT2 = Math.sqrt(2), INV_SQRT_PI = 1 / Math.sqrt(Math.PI), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    /**
     * Φ(x) in float64: ½(1 + erf(x/√2)) from SpecialFunctions.erf for x ≥ −2.5 (absolute error ~1e-16, Φ ≥ 0.006); below,
     * ½·erfc(a) with a = −x/√2 from the continued fraction erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + …))), which
     * keeps the relative accuracy that 1 + erf loses to cancellation.
     */
    static double phi(double x) {
        if (x >= -2.5) return 0.5 * (1 + SpecialFunctions.erf(x / SQRT2));
        double a = -x / SQRT2, f = a;
        for (int k = 200; k >= 1; k--) f = a + (k / 2.0) / f;
        return 0.5 * Math.exp(-a * a) * INV_SQRT_PI / f;
    }

    private static double ulps(double want, float got) {
        float w = (float) want;
        if (w == got) return 0;
        return Math.abs(want - got) / Math.ulp(w);
    }

    @Test
    void theTwoReferencesAgreeWhereTheyMeet() {
        for (double x = -4; x <= -1.5; x += 0.01) {
            double viaErf = 0.5 * (1 + SpecialFunctions.erf(x / SQRT2)), a = -x / SQRT2, f = a;
            for (int k = 200; k >= 1; k--) f = a + (k / 2.0) / f;
            double viaFraction = 0.5 * Math.exp(-a * a) * INV_SQRT_PI / f;
            assertEquals(viaErf, viaFraction, 1e-15, "Φ(" + x + ")");
        }
    }

    @Test
    void cdfValueAndSlopeAreWithinSixUlpsOfFloat64() {
        double worstCdf = 0, worstValue = 0, worstSlope = 0;
        float worstAt = 0;
        int lo = Float.floatToRawIntBits(-16f), hi = Float.floatToRawIntBits(16f);
        float[] xs = new float[1], y = new float[1], d = new float[1];
        // negative floats have bit patterns from 0x80000000 up to lo; positive from 0 up to hi
        for (long bits = 0; bits <= (lo & 0x7fffffffL) + hi; bits += 64) {
            float x = bits <= (lo & 0x7fffffffL) ? -Float.intBitsToFloat((int) bits) : Float.intBitsToFloat((int) (bits - (lo & 0x7fffffffL)));
            xs[0] = x;
            VectorMath.geluRow(xs, 0, y, 0, d, 0, 1, false);
            double p = phi(x), pdf = INV_SQRT_2PI * Math.exp(-0.5 * (double) x * x);
            if (Math.abs(p) < 0x1p-126) continue; // subnormal Φ: the relative error of a subnormal is not a float32 property
            double ec = ulps(p, VectorMath.normalCdf(x)), ev = Math.abs(x * p) < 0x1p-126 ? 0 : ulps(x * p, y[0]), es = Math.abs(p + x * pdf - d[0]) / Math.ulp((float) (p + Math.abs(x) * pdf));
            if (ec > worstCdf) worstCdf = ec;
            if (ev > worstValue) {
                worstValue = ev;
                worstAt = x;
            }
            if (es > worstSlope) worstSlope = es;
        }
        System.out.printf("GELU float32: worst ulps Φ %.2f, x·Φ %.2f (at %s), slope %.2f%n", worstCdf, worstValue, worstAt, worstSlope);
        assertTrue(worstCdf <= 6, "Φ within 6 ulps, worst " + worstCdf);
        assertTrue(worstValue <= 6, "x·Φ(x) within 6 ulps, worst " + worstValue + " at " + worstAt);
        assertTrue(worstSlope <= 6, "Φ + x·φ within 6 ulps of Φ + |x|·φ, worst " + worstSlope);
    }

    @Test
    void vectorRowsEqualTheScalarTwinBitForBit() {
        long before = Vectors.vectorCalls();
        qt().withExamples(300).forAll(integers().between(0, 2500), integers().between(0, 3), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            float[] x = new float[n + off];
            float[] special = {0f, -0f, 1f, -1f, Math.nextUp(1f), Math.nextDown(-1f), 16f, -16f, 20f, -20f, Float.NaN,
                    Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
            for (int i = 0; i < n + off; i++) {
                x[i] = rng.nextInt(8) == 0 ? special[rng.nextInt(special.length)] : (float) (rng.nextGaussian() * 4);
            }
            float[] yv = new float[n], dv = new float[n], ys = new float[n], ds = new float[n], yOnly = new float[n];
            VectorMath.geluRow(x, off, yv, 0, dv, 0, n, true);
            VectorMath.geluRow(x, off, ys, 0, ds, 0, n, false);
            VectorMath.geluRow(x, off, yOnly, 0, null, 0, n, true);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(ys[i]), Float.floatToIntBits(yv[i]), "gelu(" + x[off + i] + ")");
                assertEquals(Float.floatToIntBits(ds[i]), Float.floatToIntBits(dv[i]), "slope(" + x[off + i] + ")");
                assertEquals(Float.floatToIntBits(ys[i]), Float.floatToIntBits(yOnly[i]), "gelu without slope(" + x[off + i] + ")");
            }
        });
        assertTrue(Vectors.vectorCalls() > before || !Vectors.ENABLED, "the vector path ran");
    }
}
