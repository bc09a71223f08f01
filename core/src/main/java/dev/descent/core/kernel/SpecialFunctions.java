package dev.descent.core.kernel;

/**
 * Special functions without a vector form yet, in double precision: erf by its Maclaurin series for
 * |x| ≤ 1.7 and by the continued fraction of erfc beyond (within 8e-16 of the correctly rounded value, measured against
 * the C library's erf: above 1.7 the series loses digits to cancellation, 5e-15 at 2.5, and below it the 60-term
 * fraction has not converged, 6e-15 at 1.5).
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
        if (a <= 1.7) {
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
    /** Grid spacing and degree of {@link #erfFast}'s table of Taylor expansions. */
    private static final int PER_UNIT = 64, DEGREE = 6, POINTS = 6 * PER_UNIT + 1;
    /** TAYLOR[k·(DEGREE+1) + n] = erf⁽ⁿ⁾(k/64)/n!, for k = 0 … 384 (x from 0 to 6). */
    private static final double[] TAYLOR = taylorTable();

    private static double[] taylorTable() {
        double[] t = new double[POINTS * (DEGREE + 1)];
        for (int k = 0; k < POINTS; k++) {
            double x0 = (double) k / PER_UNIT, gauss = TWO_OVER_SQRT_PI * Math.exp(-x0 * x0);
            t[k * (DEGREE + 1)] = erf(x0);
            // erf⁽ⁿ⁾(x) = 2/√π · (−1)ⁿ⁻¹ · Hₙ₋₁(x) · e^{−x²}, H the physicists' Hermite polynomials
            double hPrev = 0, h = 1, factorial = 1;
            for (int n = 1; n <= DEGREE; n++) {
                factorial *= n;
                t[k * (DEGREE + 1) + n] = ((n - 1) % 2 == 0 ? 1 : -1) * h * gauss / factorial;
                double hNext = 2 * x0 * h - 2 * (n - 1) * hPrev; // H_n from H_{n−1} and H_{n−2}
                hPrev = h;
                h = hNext;
            }
        }
        return t;
    }

    /**
     * erf(x) from a table: the degree-6 Taylor expansion of erf around the nearest multiple of 1/64 (the remainder,
     * at most |erf⁽⁷⁾|·(1/128)⁷/7! ≈ 5e-17, is below double rounding), ±1 beyond |x| = 6. About ten times faster than
     * {@link #erf}, its reference; {@code SpecialFunctionsTest} holds them within 2e-16 + 1e-15·|erf(x)|.
     *
     * @param x the argument
     * @return erf(x)
     */
    public static double erfFast(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return x < 0 ? -1 : 1;
        int k = (int) (a * PER_UNIT + 0.5);
        double d = a - (double) k / PER_UNIT;
        int o = k * (DEGREE + 1);
        double r = TAYLOR[o + DEGREE];
        for (int n = DEGREE - 1; n >= 0; n--) r = r * d + TAYLOR[o + n];
        return x < 0 ? -r : r;
    }
}
