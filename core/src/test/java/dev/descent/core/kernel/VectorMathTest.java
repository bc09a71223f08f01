package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Accuracy of the polynomial exp/log/tanh/sigmoid against java.lang.Math, and their special values. */
class VectorMathTest {

    /** Random arguments spread over many orders of magnitude, both signs. */
    private static double argument(SplittableRandom rng, double maxMagnitude) {
        double mag = Math.exp(rng.nextDouble(Math.log(1e-30), Math.log(maxMagnitude)));
        return rng.nextBoolean() ? mag : -mag;
    }

    /** {@link #argument} as a QuickTheories generator: the log-magnitude and the sign shrink. */
    private static Gen<Double> arguments(double maxMagnitude) {
        return doubles().between(Math.log(1e-30), Math.log(maxMagnitude)).zip(booleans().all(), (logMag, negative) -> {
            double mag = Math.exp(logMag);
            return negative ? -mag : mag;
        });
    }

    private static void floatWithin(String name, DoubleUnaryOperator truth, float x, float got, double ulps) {
        float want = (float) truth.applyAsDouble(x);
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got), name + "(" + x + ") = " + got + ", want NaN");
            return;
        }
        if (want == got) return;
        double err = Math.abs((double) want - got) / Math.ulp(want);
        assertTrue(err <= ulps, name + "(" + x + ") = " + got + ", want " + want + " (" + err + " ulps)");
    }

    private static void doubleWithin(String name, DoubleUnaryOperator truth, double x, double got, double ulps) {
        double want = truth.applyAsDouble(x);
        if (Double.isNaN(want)) {
            assertTrue(Double.isNaN(got), name + "(" + x + ") = " + got + ", want NaN");
            return;
        }
        if (want == got) return;
        double err = Math.abs(want - got) / Math.ulp(want);
        assertTrue(err <= ulps, name + "(" + x + ") = " + got + ", want " + want + " (" + err + " ulps)");
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    @Test
    void floatFunctionsAreWithinTwoUlps() {
        qt().withExamples(2000).forAll(arguments(120)).checkAssert(arg -> {
            float x = (float) (double) arg;
            floatWithin("exp", Math::exp, x, VectorMath.exp(x), 2);
            floatWithin("log", Math::log, Math.abs(x), VectorMath.log(Math.abs(x)), 2);
            floatWithin("tanh", Math::tanh, x, VectorMath.tanh(x), 2);
            if (x > -80) floatWithin("sigmoid", VectorMathTest::sigmoid, x, VectorMath.sigmoid(x), 3);
        });
    }

    @Test
    void doubleFunctionsAreWithinTwoUlps() {
        qt().withExamples(2000).forAll(arguments(800)).checkAssert(x -> {
            doubleWithin("exp", Math::exp, x, VectorMath.exp(x), 2);
            doubleWithin("log", Math::log, Math.abs(x), VectorMath.log(Math.abs(x)), 2);
            doubleWithin("tanh", Math::tanh, x, VectorMath.tanh(x), 2);
            if (x > -700) doubleWithin("sigmoid", VectorMathTest::sigmoid, x, VectorMath.sigmoid(x), 3);
        });
    }

    @Test
    void specialValues() {
        float[] fs = {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, 88.7f, 89f, 100f, -87f, -103f, -104f, -200f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, 1e-40f};
        for (float x : fs) {
            floatWithin("exp", Math::exp, x, VectorMath.exp(x), 2);
            floatWithin("log", Math::log, x, VectorMath.log(x), 2);
            floatWithin("tanh", Math::tanh, x, VectorMath.tanh(x), 2);
        }
        double[] ds = {0, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 1, -1, 709.7, 709.9, 710, 1000, -708, -745, -746, -2000,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.MAX_VALUE, 1e-310};
        for (double x : ds) {
            doubleWithin("exp", Math::exp, x, VectorMath.exp(x), 2);
            doubleWithin("log", Math::log, x, VectorMath.log(x), 2);
            doubleWithin("tanh", Math::tanh, x, VectorMath.tanh(x), 2);
        }
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(VectorMath.tanh(-0f)), "tanh keeps the sign of zero");
    }

    @Test
    void vectorRowsEqualScalarFormsBitForBit() {
        // The row length shrinks; the n arguments come from a seed (shrinking each would not show more than the length does).
        qt().withExamples(300).forAll(integers().between(0, 2999), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            float[] xf = new float[n];
            double[] xd = new double[n];
            for (int i = 0; i < n; i++) {
                xf[i] = (float) argument(rng, 120);
                xd[i] = argument(rng, 800);
            }
            float[] absf = xf.clone();
            double[] absd = xd.clone();
            for (int i = 0; i < n; i++) {
                absf[i] = Math.abs(absf[i]);
                absd[i] = Math.abs(absd[i]);
            }
            float[] out = new float[n];
            double[] outd = new double[n];
            VectorMath.expRow(xf, 0, out, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(VectorMath.exp(xf[i])), Float.floatToIntBits(out[i]), "exp");
            VectorMath.logRow(absf, 0, out, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(VectorMath.log(absf[i])), Float.floatToIntBits(out[i]), "log");
            VectorMath.tanhRow(xf, 0, out, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(VectorMath.tanh(xf[i])), Float.floatToIntBits(out[i]), "tanh");
            VectorMath.sigmoidRow(xf, 0, out, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Float.floatToIntBits(VectorMath.sigmoid(xf[i])), Float.floatToIntBits(out[i]), "sigmoid");
            VectorMath.expRow(xd, 0, outd, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(VectorMath.exp(xd[i])), Double.doubleToLongBits(outd[i]), "exp");
            VectorMath.logRow(absd, 0, outd, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(VectorMath.log(absd[i])), Double.doubleToLongBits(outd[i]), "log");
            VectorMath.tanhRow(xd, 0, outd, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(VectorMath.tanh(xd[i])), Double.doubleToLongBits(outd[i]), "tanh");
            VectorMath.sigmoidRow(xd, 0, outd, 0, n, true);
            for (int i = 0; i < n; i++) assertEquals(Double.doubleToLongBits(VectorMath.sigmoid(xd[i])), Double.doubleToLongBits(outd[i]), "sigmoid");
        });
    }
}
