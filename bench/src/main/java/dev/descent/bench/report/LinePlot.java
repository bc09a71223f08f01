package dev.descent.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart written as PNG with the JDK's own imaging (headless): series of (x, y) points, linear
 * or logarithmic axes with round tick values, axis labels, a title and a legend. Non-finite points
 * are skipped. A series may carry a spread, e.g. the minimum and maximum over seeds: a translucent band in
 * the line's colour, drawn behind every line, which the y-axis range includes. When the machine has no fonts,
 * the chart is drawn without text rather than not at all.
 */
public final class LinePlot {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /** Opacity of a band: 20 % of the line's colour over what lies behind it. */
    static final int BAND_ALPHA = 51;

    /** One line; {@code lo} and {@code hi} are the band's edges, both null when it has none. */
    private record Series(String label, double[] x, double[] y, double[] lo, double[] hi, boolean dashed) {}

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logX, logY;
    private int width = 900, height = 560;

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a solid line. */
    public LinePlot add(String label, double[] x, double[] y) {
        return add(label, x, y, false);
    }

    /** Adds a line, dashed for reference curves. */
    public LinePlot add(String label, double[] x, double[] y, boolean dashed) {
        if (x.length != y.length) throw new IllegalArgumentException("series '" + label + "': " + x.length + " x values but " + y.length + " y values");
        series.add(new Series(label, x.clone(), y.clone(), null, null, dashed));
        return this;
    }

    /**
     * Adds a solid line with its spread: a translucent band from {@code lo} to {@code hi} (e.g. the minimum and
     * maximum over seeds) in the line's colour behind it. The band breaks where a point is not finite; on a
     * logarithmic y-axis a non-positive {@code lo} runs the band to the bottom of the chart.
     */
    public LinePlot add(String label, double[] x, double[] y, double[] lo, double[] hi) {
        if (x.length != y.length || x.length != lo.length || x.length != hi.length)
            throw new IllegalArgumentException("series '" + label + "': " + x.length + " x values but " + y.length + " y, " + lo.length + " lo and "
                    + hi.length + " hi values");
        series.add(new Series(label, x.clone(), y.clone(), lo.clone(), hi.clone(), false));
        return this;
    }

    /** The title. */
    public String title() {
        return title;
    }

    /** The series' labels, in the order added. */
    public List<String> labels() {
        return series.stream().map(Series::label).toList();
    }

    /** Logarithmic x and/or y axes (non-positive values are then skipped). */
    public LinePlot logScale(boolean x, boolean y) {
        logX = x;
        logY = y;
        return this;
    }

    public LinePlot size(int w, int h) {
        width = w;
        height = h;
        return this;
    }

    /** Renders the chart and writes it as PNG. */
    public void write(Path file) throws IOException {
        BufferedImage img = render();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".plot", ".png");
        try {
            ImageIO.write(img, "png", tmp.toFile());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 80, right = 20, top = 44, bottom = 60;
        int pw = width - left - right, ph = height - top - bottom;
        double[] xr = range(true), yr = range(false);
        // frame and grid
        g.setColor(new Color(0xeeeeee));
        List<Double> xt = ticks(xr[0], xr[1], logX), yt = ticks(yr[0], yr[1], logY);
        if (!logX && integralX() && xr[1] - xr[0] <= 12) { // epochs, steps: whole-number ticks
            xt = new ArrayList<>();
            for (double v = Math.ceil(xr[0]); v <= xr[1]; v++) xt.add(v);
        }
        for (double t : xt) {
            int px = left + (int) Math.round(scale(t, xr, logX) * pw);
            g.drawLine(px, top, px, top + ph);
        }
        for (double t : yt) {
            int py = top + ph - (int) Math.round(scale(t, yr, logY) * ph);
            g.drawLine(left, py, left + pw, py);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        // bands, behind every line
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            if (ser.lo() == null) continue;
            Color c = PALETTE[s % PALETTE.length];
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), BAND_ALPHA));
            int n = ser.x().length;
            for (int i = 0; i < n;) {
                if (!bandUsable(ser, i)) {
                    i++;
                    continue;
                }
                int j = i;
                while (j + 1 < n && bandUsable(ser, j + 1)) j++;
                if (j > i) { // a run of at least two points: along hi, then back along lo
                    Path2D.Double band = new Path2D.Double();
                    for (int k = i; k <= j; k++) {
                        double px = left + scale(ser.x()[k], xr, logX) * pw, py = top + ph - scale(ser.hi()[k], yr, logY) * ph;
                        if (k == i) band.moveTo(px, py);
                        else band.lineTo(px, py);
                    }
                    for (int k = j; k >= i; k--) {
                        double lo = ser.lo()[k];
                        double px = left + scale(ser.x()[k], xr, logX) * pw, py = usable(lo, logY) ? top + ph - scale(lo, yr, logY) * ph : top + ph;
                        band.lineTo(px, py);
                    }
                    band.closePath();
                    g.fill(band);
                }
                i = j + 1;
            }
        }
        // series
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            g.setStroke(ser.dashed() ? new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            int drawn = 0;
            for (int i = 0; i < ser.x().length; i++) {
                double x = ser.x()[i], y = ser.y()[i];
                if (!usable(x, logX) || !usable(y, logY)) {
                    pen = false;
                    continue;
                }
                double px = left + scale(x, xr, logX) * pw, py = top + ph - scale(y, yr, logY) * ph;
                if (pen) path.lineTo(px, py);
                else path.moveTo(px, py);
                pen = true;
                drawn++;
            }
            g.draw(path);
            if (drawn == 1 || ser.x().length <= 40) { // mark points of short series
                for (int i = 0; i < ser.x().length; i++) {
                    if (!usable(ser.x()[i], logX) || !usable(ser.y()[i], logY)) continue;
                    int px = (int) Math.round(left + scale(ser.x()[i], xr, logX) * pw), py = (int) Math.round(top + ph - scale(ser.y()[i], yr, logY) * ph);
                    g.fillOval(px - 3, py - 3, 6, 6);
                }
            }
        }
        try {
            text(g, xt, yt, xr, yr, left, top, pw, ph);
        } catch (Throwable noFonts) {
            // A machine without fonts: keep the lines, lose the labels.
        }
        g.dispose();
        return img;
    }

    private void text(Graphics2D g, List<Double> xt, List<Double> yt, double[] xr, double[] yr, int left, int top, int pw, int ph) {
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.DARK_GRAY);
        for (double t : xt) {
            String s = tickLabel(t);
            int px = left + (int) Math.round(scale(t, xr, logX) * pw);
            g.drawString(s, px - fm.stringWidth(s) / 2, top + ph + 16);
        }
        for (double t : yt) {
            String s = tickLabel(t);
            int py = top + ph - (int) Math.round(scale(t, yr, logY) * ph);
            g.drawString(s, left - 6 - fm.stringWidth(s), py + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, top + ph + 40);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 20);
        r.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(title, left + pw / 2 - fm.stringWidth(title) / 2, 26);
        // legend, top right inside the frame
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        int lw = 0;
        for (Series s : series) lw = Math.max(lw, fm.stringWidth(s.label()));
        int lh = 16 * series.size() + 8, boxW = lw + 46;
        int[][] corners = {{left + pw - boxW - 4, top + 10}, {left + 10, top + 10}, {left + pw - boxW - 4, top + ph - lh - 6}, {left + 10, top + ph - lh - 6}};
        int best = 0, fewest = Integer.MAX_VALUE;
        for (int ci = 0; ci < corners.length; ci++) {
            int hits = covered(corners[ci][0] - 6, corners[ci][1] - 4, boxW, lh, xr, yr, left, top, pw, ph);
            if (hits < fewest) {
                fewest = hits;
                best = ci;
            }
        }
        int lx = corners[best][0], ly = corners[best][1];
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(lx - 6, ly - 4, boxW, lh);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(lx - 6, ly - 4, boxW, lh);
        for (int i = 0; i < series.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(series.get(i).dashed() ? new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
            int y = ly + 8 + 16 * i;
            if (series.get(i).lo() != null) {
                Color c = PALETTE[i % PALETTE.length];
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), BAND_ALPHA));
                g.fillRect(lx, y - 5, 27, 11);
                g.setColor(c);
            }
            g.drawLine(lx, y, lx + 26, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(series.get(i).label(), lx + 34, y + 4);
        }
    }

    /** How many sampled points of the series fall inside a box (for placing the legend). */
    private int covered(int bx, int by, int bw, int bh, double[] xr, double[] yr, int left, int top, int pw, int ph) {
        int hits = 0;
        for (Series ser : series) {
            for (int i = 0; i + 1 < Math.max(2, ser.x().length); i++) {
                for (double f = 0; f <= 1; f += 0.1) { // along each segment
                    int j = Math.min(i + 1, ser.x().length - 1);
                    double x = ser.x()[i] + f * (ser.x()[j] - ser.x()[i]), y = ser.y()[i] + f * (ser.y()[j] - ser.y()[i]);
                    if (!usable(x, logX) || !usable(y, logY)) continue;
                    double px = left + scale(x, xr, logX) * pw, py = top + ph - scale(y, yr, logY) * ph;
                    if (px >= bx && px <= bx + bw && py >= by && py <= by + bh) hits++;
                }
            }
        }
        return hits;
    }

    private boolean integralX() {
        for (Series ser : series) for (double x : ser.x()) if (Double.isFinite(x) && x != Math.rint(x)) return false;
        return true;
    }

    /** Whether a band has point {@code i}: x usable, hi usable, lo finite (a non-positive lo on a log axis runs to the bottom). */
    private boolean bandUsable(Series s, int i) {
        return usable(s.x()[i], logX) && usable(s.hi()[i], logY) && Double.isFinite(s.lo()[i]) && s.lo()[i] <= s.hi()[i];
    }

    private boolean usable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    /** The y-axis range, lines and bands included. */
    double[] yRange() {
        return range(false);
    }

    private double[] range(boolean isX) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        boolean log = isX ? logX : logY;
        for (Series s : series) {
            double[] v = isX ? s.x() : s.y();
            double[] other = isX ? s.y() : s.x();
            for (int i = 0; i < v.length; i++) {
                if (!usable(v[i], log) || !usable(other[i], isX ? logY : logX)) continue;
                lo = Math.min(lo, v[i]);
                hi = Math.max(hi, v[i]);
            }
            if (!isX && s.lo() != null) { // the band's edges, where it is drawn
                for (int i = 0; i < v.length; i++) {
                    if (!bandUsable(s, i)) continue;
                    for (double e : new double[] {s.lo()[i], s.hi()[i]}) {
                        if (!usable(e, log)) continue;
                        lo = Math.min(lo, e);
                        hi = Math.max(hi, e);
                    }
                }
            }
        }
        if (!(lo <= hi)) return log ? new double[] {1, 10} : new double[] {0, 1};
        return axis(lo, hi, log, isX ? 0 : 0.05);
    }

    /**
     * The range an axis shows for data from {@code lo} to {@code hi}: the data plus {@code pad} of its span at
     * each end (in decades on a log axis), so the axis ends at the data rather than at the next round value.
     * A single value gets ±10% around it.
     */
    static double[] axis(double lo, double hi, boolean log, double pad) {
        if (log) {
            double a = Math.log10(lo), b = Math.log10(hi);
            double d = a == b ? 0.1 : (b - a) * pad;
            return new double[] {Math.pow(10, a - d), Math.pow(10, b + d)};
        }
        if (lo == hi) {
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - d, hi + d};
        }
        double d = (hi - lo) * pad;
        return new double[] {lo - d, hi + d};
    }

    private static double scale(double v, double[] r, boolean log) {
        return log ? (Math.log10(v) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0])) : (v - r[0]) / (r[1] - r[0]);
    }

    /**
     * Round tick values inside {@code [lo, hi]}: 1-2-5 steps on a linear axis; on a log axis the powers of ten,
     * with 2 and 5 times them when fewer than two powers fall inside, and linear steps when even those are fewer than two.
     */
    static List<Double> ticks(double lo, double hi, boolean log) {
        List<Double> t = new ArrayList<>();
        if (log) {
            for (int[] mantissas : new int[][] {{1}, {1, 2, 5}}) {
                t.clear();
                for (double p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
                    for (int m : mantissas) {
                        double v = m * Math.pow(10, p);
                        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.add(v);
                    }
                }
                if (t.size() >= 2) return t;
            }
            t.clear();
        }
        double raw = (hi - lo) / 6, mag = Math.pow(10, Math.floor(Math.log10(raw))), step;
        double f = raw / mag;
        step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
        long first = (long) Math.ceil(lo / step - 1e-9), last = (long) Math.floor(hi / step + 1e-9);
        for (long k = first; k <= last; k++) t.add(k == 0 ? 0 : k * step);
        return t;
    }

    static String tickLabel(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e-0", "e-");
        if (Math.abs(v - Math.rint(v)) < 1e-9 * Math.max(1, a)) return String.format(Locale.ROOT, "%d", Math.round(v));
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }
}
