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
}
