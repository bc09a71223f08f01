package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * expm1 and log1p (Kahan's corrections over our exp and log) against the JDK's {@code Math.expm1}/{@code Math.log1p}
 * over 1e-30 … 1e2 of both signs, log-spaced: within 4 ulp in float32 and float64, the vector rows and the scalar
 * tails alike (the tensors are long, so both run).
 */
class Expm1Log1pAccuracyTest {

    @Test
    void withinFourUlpOfTheJdk() {
        int n = 40_001;
        for (boolean expm1 : new boolean[] {true, false}) {
            for (int sign : new int[] {1, -1}) {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) x[i] = sign * Math.pow(10, -30 + 32.0 * i / (n - 1));
                Tensor td = Tensor.of(x), tf = td.to(DType.FLOAT32);
                double[] yd = (expm1 ? td.expm1() : td.log1p()).toDoubleArray();
                float[] yf = (expm1 ? tf.expm1() : tf.log1p()).toFloatArray(), xf = tf.toFloatArray();
                for (int i = 0; i < n; i++) {
                    double rd = expm1 ? Math.expm1(x[i]) : Math.log1p(x[i]);
                    float rf = (float) (expm1 ? Math.expm1(xf[i]) : Math.log1p(xf[i]));
                    String what = (expm1 ? "expm1(" : "log1p(");
                    int at = i;
                    if (Double.isNaN(rd)) assertTrue(Double.isNaN(yd[i]), () -> what + x[at] + ") float64 should be NaN");
                    else assertTrue(yd[i] == rd || Math.abs(yd[i] - rd) <= 4 * Math.ulp(rd), () -> what + x[at] + ") float64 " + yd[at] + " vs " + rd);
                    if (Float.isNaN(rf)) assertTrue(Float.isNaN(yf[i]), () -> what + xf[at] + ") float32 should be NaN");
                    else assertTrue(yf[i] == rf || Math.abs(yf[i] - rf) <= 4 * Math.ulp(rf), () -> what + xf[at] + ") float32 " + yf[at] + " vs " + rf);
                }
            }
        }
    }
}
