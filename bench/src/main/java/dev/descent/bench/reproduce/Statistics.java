// The few statistics reports need: mean, sample standard deviation, and least-squares slopes.
package dev.descent.bench.reproduce;

import java.util.Locale;

/** Mean, standard deviation and least-squares line fits over plain arrays, in a fixed summation order. */
public final class Statistics {
    private Statistics() {}

    /**
     * The arithmetic mean.
     *
     * @param v the values (NaN propagates)
     * @return their mean; NaN for no values
     */
    public static double mean(double[] v) {
        if (v.length == 0) return Double.NaN;
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /**
     * The smallest value.
     *
     * @param v the values (NaN propagates)
     * @return their minimum; NaN for no values
     */
    public static double min(double[] v) {
        if (v.length == 0) return Double.NaN;
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    /**
     * The largest value.
     *
     * @param v the values (NaN propagates)
     * @return their maximum; NaN for no values
     */
    public static double max(double[] v) {
        if (v.length == 0) return Double.NaN;
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    /**
     * The title note for a curve averaged over seeds: "mean over N seeds, band: min–max" with more than one seed,
     * "1 seed" with one (no band then).
     *
     * @param seeds how many seeds
     * @return the note
     */
    public static String seedNote(int seeds) {
        return seeds > 1 ? "mean over " + seeds + " seeds, band: min–max" : seeds + " seed";
    }

    /**
     * The sample standard deviation (divisor n − 1).
     *
     * @param v the values
     * @return their standard deviation; 0 for one value, NaN for none
     */
    public static double std(double[] v) {
        if (v.length == 0) return Double.NaN;
        if (v.length == 1) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    /**
     * The least-squares slope of y against x.
     *
     * @param x abscissae
     * @param y ordinates, as many as abscissae
     * @return the slope; NaN with fewer than two points or when every x is equal
     */
    public static double slope(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        if (x.length < 2) return Double.NaN;
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /**
     * The exponent k of a power law y ≈ C·x^k, fitted by least squares on log y against log x over the
     * points where both are positive and finite.
     *
     * @param x abscissae
     * @param y ordinates
     * @return k; NaN with fewer than two usable points
     */
    public static double logLogSlope(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        int n = 0;
        for (int i = 0; i < x.length; i++) if (usable(x[i]) && usable(y[i])) n++;
        double[] lx = new double[n], ly = new double[n];
        for (int i = 0, k = 0; i < x.length; i++) {
            if (!usable(x[i]) || !usable(y[i])) continue;
            lx[k] = Math.log(x[i]);
            ly[k++] = Math.log(y[i]);
        }
        return slope(lx, ly);
    }

    private static boolean usable(double v) {
        return v > 0 && Double.isFinite(v);
    }

    /**
     * Formats a number for a report.
     *
     * @param v the number
     * @param decimals digits after the point
     * @return e.g. {@code 73.95}; {@code NaN} and {@code ∞} as such
     */
    public static String format(double v, int decimals) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : "−∞";
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * Formats mean ± standard deviation.
     *
     * @param v the values
     * @param decimals digits after the point
     * @return e.g. {@code 73.95 ± 0.41 (n = 3)}
     */
    public static String meanStd(double[] v, int decimals) {
        return format(mean(v), decimals) + " ± " + format(std(v), decimals) + " (n = " + v.length + ")";
    }

    /**
     * Formats a number with a few significant digits, for quantities that span decades.
     *
     * @param v the number
     * @return e.g. {@code 3.142e-05}, {@code 0.0123} or {@code 0.1}
     */
    public static String sig(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
        return String.format(Locale.ROOT, "%.3e", v);
    }
    /**
     * A two-sided confidence interval for a mean, with what it was computed from.
     *
     * @param mean  the sample mean
     * @param low   the lower end
     * @param high  the upper end
     * @param n     the sample size
     * @param level the coverage, e.g. 0.95
     */
    public record Interval(double mean, double low, double high, int n, double level) {
        /**
         * The interval as a report prints it.
         *
         * @param decimals digits after the point
         * @return e.g. {@code +0.73, 95 % CI [+0.05, +1.41], n = 5}
         */
        public String format(int decimals) {
            return signed(mean, decimals) + ", " + Math.round(100 * level) + " % CI [" + signed(low, decimals) + ", " + signed(high, decimals) + "], n = " + n;
        }

        private static String signed(double v, int decimals) {
            String f = Statistics.format(v, decimals);
            return v > 0 && Double.isFinite(v) ? "+" + f : f;
        }
    }

    /**
     * The Student-t confidence interval for the mean of {@code v}: mean ± t(1 − (1 − level)/2, n − 1) · s/√n.
     * Applied to paired differences (one per seed) it is the paired t-interval. With fewer than two values
     * the interval is (−∞, +∞): one seed cannot bound its own noise.
     *
     * @param v     the values (NaN propagates into every field)
     * @param level the coverage, in (0, 1)
     * @return the interval
     * @throws IllegalArgumentException when {@code level} is not in (0, 1)
     */
    public static Interval tInterval(double[] v, double level) {
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("confidence level must be in (0, 1), was " + level);
        double m = mean(v);
        if (v.length < 2) return new Interval(m, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, v.length, level);
        double half = studentTQuantile(1 - (1 - level) / 2, v.length - 1) * std(v) / Math.sqrt(v.length);
        return new Interval(m, m - half, m + half, v.length, level);
    }

    /**
     * The cumulative distribution function of Student's t with {@code df} degrees of freedom:
     * for t ≥ 0, 1 − I_x(df/2, 1/2)/2 with x = df/(df + t²), I the regularised incomplete beta function.
     *
     * @param t  the point
     * @param df the degrees of freedom, &gt; 0
     * @return P(T ≤ t)
     */
    public static double studentTCdf(double t, double df) {
        if (!(df > 0)) throw new IllegalArgumentException("degrees of freedom must be > 0, was " + df);
        if (Double.isNaN(t)) return Double.NaN;
        if (Double.isInfinite(t)) return t > 0 ? 1 : 0;
        double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /**
     * The quantile of Student's t: the t with {@link #studentTCdf}(t, df) = p, found by bisection to
     * double precision (the CDF is monotone).
     *
     * @param p  the probability, in (0, 1)
     * @param df the degrees of freedom, &gt; 0
     * @return the quantile
     */
    public static double studentTQuantile(double p, double df) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("probability must be in (0, 1), was " + p);
        if (p < 0.5) return -studentTQuantile(1 - p, df);
        double lo = 0, hi = 1;
        while (studentTCdf(hi, df) < p) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (studentTCdf(mid, df) < p) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /**
     * The regularised incomplete beta function I_x(a, b), by its continued fraction (evaluated with the
     * modified Lentz method), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
     */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x > (a + 1) / (a + b + 2)) return 1 - Math.exp(logFront) * betaFraction(1 - x, b, a) / b;
        return Math.exp(logFront) * betaFraction(x, a, b) / a;
    }

    /** The continued fraction of I_x(a, b) (without its prefactor x^a (1−x)^b / (a B(a, b))). */
    private static double betaFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
        double f = d;
        for (int m = 1; m <= 10_000; m++) {
            // even term: m (b − m) x / ((a + 2m − 1)(a + 2m))
            double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            c = 1 + num / c;
            d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
            c = Math.abs(c) < tiny ? tiny : c;
            f *= d * c;
            // odd term: −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d;
            c = 1 + num / c;
            d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
            c = Math.abs(c) < tiny ? tiny : c;
            double step = d * c;
            f *= step;
            if (Math.abs(step - 1) < 1e-16) break;
        }
        return f;
    }

    /** log Γ(x) for x &gt; 0: Stirling's series after shifting x above 10 with Γ(x + 1) = x Γ(x). */
    static double logGamma(double x) {
        double shift = 0;
        while (x < 10) {
            shift -= Math.log(x);
            x += 1;
        }
        double inv = 1 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))));
        return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
    }
}
