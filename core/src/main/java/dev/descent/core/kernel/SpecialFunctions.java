package dev.descent.core.kernel;

/**
 * Special functions without a vector form yet, in double precision: erf by its Maclaurin series for
 * |x| ≤ 2.5 and by the continued fraction of erfc beyond (both accurate to about 1e-15).
 */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    /** The error function. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        double r;
        if (a <= 2.5) {
            // erf(x) = 2/√π Σ (−1)ⁿ x^{2n+1} / (n!(2n+1))
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 60; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (a < 6) {
            // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail
            double f = a;
            for (int k = 60; k >= 1; k--) f = a + (k / 2.0) / f;
            r = 1 - Math.exp(-a * a) * INV_SQRT_PI / f;
        } else {
            r = 1; // erfc(6) < 2.2e-17: below double resolution next to 1
        }
        return x < 0 ? -r : r;
    }
}
