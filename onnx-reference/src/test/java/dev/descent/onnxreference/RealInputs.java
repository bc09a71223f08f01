package dev.descent.onnxreference;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;

/**
 * Real inputs drawn in the test (nothing is downloaded): text rendered with the JDK's fonts for the OCR models, a drawn
 * face for BlazeFace, straight lines and a box for M-LSD; each turned into the layout and value range its model expects.
 */
final class RealInputs {
    private RealInputs() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Dark text on a light background, antialiased, as a scanned line of print. */
    static BufferedImage text(int w, int h, String[] lines, int size) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(245, 243, 238));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(20, 20, 30));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
        int y = (h - lines.length * (int) (size * 1.4)) / 2 + size;
        for (String s : lines) {
            g.drawString(s, Math.max(4, w / 20), y);
            y += (int) (size * 1.4);
        }
        g.dispose();
        return img;
    }

    /** A cartoon face: skin-coloured oval, hair, eyes with pupils, brows, nose and mouth, on a wall-coloured background. */
    static BufferedImage face(int n) {
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double u = n / 128.0;
        g.setColor(new Color(120, 140, 160));
        g.fillRect(0, 0, n, n);
        g.setColor(new Color(60, 40, 30));
        g.fill(new Ellipse2D.Double(30 * u, 14 * u, 68 * u, 60 * u));
        g.setColor(new Color(225, 180, 150));
        g.fill(new Ellipse2D.Double(34 * u, 24 * u, 60 * u, 80 * u));
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(44 * u, 50 * u, 14 * u, 8 * u));
        g.fill(new Ellipse2D.Double(70 * u, 50 * u, 14 * u, 8 * u));
        g.setColor(new Color(40, 30, 20));
        g.fill(new Ellipse2D.Double(48 * u, 51 * u, 6 * u, 6 * u));
        g.fill(new Ellipse2D.Double(74 * u, 51 * u, 6 * u, 6 * u));
        g.setStroke(new BasicStroke((float) (2 * u)));
        g.drawLine((int) (43 * u), (int) (45 * u), (int) (58 * u), (int) (44 * u));
        g.drawLine((int) (70 * u), (int) (44 * u), (int) (85 * u), (int) (45 * u));
        g.setColor(new Color(190, 140, 115));
        g.drawLine((int) (64 * u), (int) (58 * u), (int) (61 * u), (int) (74 * u));
        g.drawLine((int) (61 * u), (int) (74 * u), (int) (67 * u), (int) (75 * u));
        g.setColor(new Color(170, 60, 60));
        g.drawArc((int) (52 * u), (int) (74 * u), (int) (24 * u), (int) (12 * u), 200, 140);
        g.dispose();
        return img;
    }

    /** A room's outline: a box in perspective and a few long straight lines, dark on light. */
    static BufferedImage lines(int n) {
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(235, 230, 220));
        g.fillRect(0, 0, n, n);
        g.setColor(new Color(30, 30, 30));
        g.setStroke(new BasicStroke(n / 100f));
        double u = n / 320.0;
        int[][] segs = {{20, 40, 300, 40}, {20, 40, 20, 290}, {60, 100, 260, 100}, {60, 100, 60, 240}, {260, 100, 260, 240}, {60, 240, 260, 240},
                {20, 40, 60, 100}, {300, 40, 260, 100}, {20, 290, 60, 240}, {300, 290, 260, 240}, {150, 120, 150, 220}, {30, 310, 310, 300}};
        for (int[] s : segs) g.drawLine((int) (s[0] * u), (int) (s[1] * u), (int) (s[2] * u), (int) (s[3] * u));
        g.dispose();
        return img;
    }

    /** Channels-first RGB, each channel (v/255 − mean)/std: PaddleOCR's normalization. */
    static float[] chw(BufferedImage img, float[] mean, float[] std) {
        int w = img.getWidth(), h = img.getHeight();
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int[] rgb = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
                for (int c = 0; c < 3; c++) v[(c * h + y) * w + x] = (rgb[c] / 255f - mean[c]) / std[c];
            }
        }
        return v;
    }

    /** Channels-last, each value v/127.5 − 1, with an opaque alpha channel appended when {@code alpha}. */
    static float[] hwc(BufferedImage img, boolean alpha) {
        int w = img.getWidth(), h = img.getHeight(), c = alpha ? 4 : 3;
        float[] v = new float[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y), o = (y * w + x) * c;
                v[o] = ((p >> 16) & 255) / 127.5f - 1;
                v[o + 1] = ((p >> 8) & 255) / 127.5f - 1;
                v[o + 2] = (p & 255) / 127.5f - 1;
                if (alpha) v[o + 3] = 1;
            }
        }
        return v;
    }
}
