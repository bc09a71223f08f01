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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
 * other four models spreads below 5e-5 and is held to 1e-4; they agree to 4e-5 or better. Whose rounding M-LSD's spread
 * is, {@link MlsdRoundingTest} measures against a float64 run: all three float32 answers lie 2e-4 to 1e-3 from it, and
 * Descent is 2.4e-4 to 8.8e-4 from unoptimized ONNX Runtime, so that is no tighter reference and the bound stays.
 * Silero VAD (three versions, a graph of If nodes) agrees to 1e-4 on every output of every chunk. Where the output is a
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
        return compare(m.key(), what, ours, theirs, theirsPlain);
    }

    /**
     * The checks on one run, the same for every model: the output names and shapes are ONNX Runtime's, every value is
     * finite, and per output {@code max |descent − ort| / max |ort|} is within {@link #TOLERANCE} (or three times ONNX
     * Runtime's own spread between its optimized and unoptimized graphs, where that exceeds half of it).
     *
     * @return per output, Descent's values then ONNX Runtime's
     */
    static Map<String, float[][]> compare(String key, String what, Map<String, Tensor> ours, Map<String, OrtModel.Output> theirs,
                                          Map<String, OrtModel.Output> theirsPlain) {
        assertEquals(List.copyOf(theirs.keySet()), List.copyOf(ours.keySet()), key + ": output names");
        Map<String, float[][]> both = new LinkedHashMap<>();
        for (String name : theirs.keySet()) {
            OrtModel.Output t = theirs.get(name);
            Tensor o = ours.get(name);
            long[] os = new long[o.dim()];
            for (int i = 0; i < os.length; i++) os[i] = o.shape()[i];
            assertArrayEquals(t.shape(), os, key + " " + what + ": shape of output " + name);
            float[] a = o.toFloatArray(), b = t.values();
            double maxDiff = 0, maxRef = 0;
            for (int i = 0; i < a.length; i++) {
                assertTrue(Float.isFinite(a[i]), key + " " + what + ": output " + name + "[" + i + "] = " + a[i]);
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
                    key, what, name, java.util.Arrays.toString(t.shape()), maxDiff, maxRef, rel, spread, plainDiff / Math.max(maxRef, Double.MIN_NORMAL), bound);
            assertTrue(rel <= bound, String.format(Locale.ROOT, "%s %s: output %s differs from ONNX Runtime's by max %.3g against max |ort| %.3g"
                    + " (relative %.3g > %.3g; ONNX Runtime's own spread %.3g)", key, what, name, maxDiff, maxRef, rel, bound, spread));
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

    /** Each published model, its batch size and the seed of its random input. */
    static Stream<Arguments> randomInputs() {
        return Stream.of(Arguments.of(PublishedOnnxModels.OCR_DET, 2, 11L), Arguments.of(PublishedOnnxModels.OCR_REC, 2, 12L),
                Arguments.of(PublishedOnnxModels.OCR_CLS, 4, 13L), Arguments.of(PublishedOnnxModels.BLAZEFACE, 1, 14L),
                Arguments.of(PublishedOnnxModels.MLSD, 1, 15L));
    }

    @ParameterizedTest(name = "{0}, batch {1}, seed {2}")
    @MethodSource("randomInputs")
    void agreesOnSeededRandomInputs(Model m, int batch, long seed) throws Exception {
        agree(m, m.randomInput(batch, seed), m.shape(batch), "random batch " + batch);
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
    void mlsdAgreesOnDrawnLines() throws Exception {
        Model m = PublishedOnnxModels.MLSD;
        agree(m, RealInputs.hwc(RealInputs.lines(320), true), m.shape(1), "drawn lines");
    }

    /**
     * Silero VAD, a voice-activity detector (MIT), as {@code @ricky0123/vad-web} 0.0.31 ships it: the legacy (v4) model,
     * inputs {@code input, sr, h, c}, and v5 and v6, inputs {@code input, state, sr}. Its graph is an If on the sample
     * rate whose two branches hold each rate's weights (v5 and v6 nest another If inside), with a 1-D convolution STFT
     * and an LSTM cell: control flow, outer-scope capture and subgraph initializers on a real model.
     *
     * @param file the model's file in the models folder
     * @param legacy whether it is the legacy model (state h and c of 64 per layer; else one state of 128)
     */
    record Vad(String file, boolean legacy) {
        int chunk(long sr) {
            return (legacy ? 1536 : 512) * (int) sr / 16000;
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Arguments> vads() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Vad v : List.of(new Vad("silero_vad_legacy.onnx", true), new Vad("silero_vad_v5.onnx", false), new Vad("silero_vad_v6.onnx", false))) {
            b.add(Arguments.of(v, 16000L)).add(Arguments.of(v, 8000L));
        }
        return b.build();
    }

    /** Two seconds of a voice-like signal: 0.5 s of faint noise, then a gliding pitch with three formants in syllables of 4 Hz. */
    static float[] voiceLike(long sr, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        float[] x = new float[(int) (2 * sr)];
        double phase = 0;
        for (int i = 0; i < x.length; i++) {
            double t = (double) i / sr, noise = 0.002 * (rng.nextDouble() * 2 - 1);
            if (t < 0.5) {
                x[i] = (float) noise;
                continue;
            }
            double f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.5 * t);
            phase += 2 * Math.PI * f0 / sr;
            double v = 0;
            for (int h = 1; h * f0 < sr / 2.0 && h <= 40; h++) {
                double f = h * f0, w = 0;
                for (double[] formant : new double[][] {{700, 130}, {1220, 70}, {2600, 160}}) w += Math.exp(-Math.pow(f - formant[0], 2) / (2 * formant[1] * formant[1]));
                v += (w + 0.02) * Math.sin(h * phase) / h;
            }
            double syllable = Math.sqrt(Math.max(0, Math.sin(2 * Math.PI * 4 * (t - 0.5))));
            x[i] = (float) (0.3 * syllable * v + noise);
        }
        return x;
    }

    /** One call of a VAD on both sides (ONNX Runtime optimized and not) from each side's own state; returns Descent's, ORT's, ORT unoptimized's outputs. */
    private static List<Map<String, ?>> vadStep(Vad v, OnnxModel descent, OrtModel ort, OrtModel plain, float[] x, int batch, long sr,
                                               List<Map<String, float[]>> states) throws Exception {
        int n = x.length / batch;
        int[] stateShape = {2, batch, v.legacy() ? 64 : 128};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input", Tensor.of(x.clone(), batch, n));
        in.put("sr", Tensor.of(new long[] {sr}).reshape());
        for (Map.Entry<String, float[]> e : states.get(0).entrySet()) in.put(e.getKey(), Tensor.of(e.getValue().clone(), stateShape));
        Map<String, Tensor> ours;
        try (var g = GradMode.noGrad()) {
            ours = descent.run(in);
        }
        List<Map<String, ?>> out = new java.util.ArrayList<>();
        out.add(ours);
        for (int side = 1; side <= 2; side++) {
            OrtModel o = side == 1 ? ort : plain;
            Map<String, ai.onnxruntime.OnnxTensor> ortIn = new LinkedHashMap<>();
            try {
                ortIn.put("input", o.tensor(x, new int[] {batch, n}));
                ortIn.put("sr", o.tensor(new long[] {sr}, new int[0]));
                for (Map.Entry<String, float[]> e : states.get(side).entrySet()) ortIn.put(e.getKey(), o.tensor(e.getValue(), stateShape));
                out.add(o.run(ortIn));
            } finally {
                for (ai.onnxruntime.OnnxTensor t : ortIn.values()) t.close();
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0} at {1} Hz")
    @MethodSource("vads")
    void sileroVadAgreesOnRandomInputsAndOverAStreamOfChunks(Vad v, long sr) throws Exception {
        Path dir = PublishedOnnxModels.folder().orElse(null);
        assumeTrue(dir != null, "DESCENT_ONNX_MODELS is not set (.ci/run fetches the published models and sets it): " + v + " skipped");
        Path f = dir.resolve(v.file());
        assumeTrue(java.nio.file.Files.isRegularFile(f), v.file() + " is not in DESCENT_ONNX_MODELS=" + dir + ": skipped");
        OnnxModel descent = OnnxModel.read(f);
        List<String> stateNames = v.legacy() ? List.of("h", "c") : List.of("state");
        List<String> stateOuts = v.legacy() ? List.of("hn", "cn") : List.of("stateN");
        int chunk = v.chunk(sr), hidden = v.legacy() ? 64 : 128;
        try (OrtModel ort = new OrtModel(f, 1); OrtModel plain = new OrtModel(f, 1, false)) {
            // random samples and random states, batch 2
            java.util.SplittableRandom rng = new java.util.SplittableRandom(16);
            float[] x = new float[2 * chunk];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
            Map<String, float[]> random = new LinkedHashMap<>();
            for (String s : stateNames) {
                float[] st = new float[2 * 2 * hidden];
                for (int i = 0; i < st.length; i++) st[i] = (float) (rng.nextGaussian() * 0.5);
                random.put(s, st);
            }
            List<Map<String, ?>> r = vadStep(v, descent, ort, plain, x, 2, sr, List.of(random, random, random));
            compare(v.file(), "random batch 2 at " + sr + " Hz", (Map<String, Tensor>) r.get(0), (Map<String, OrtModel.Output>) r.get(1), (Map<String, OrtModel.Output>) r.get(2));
            // a stream: each side carries its own state from chunk to chunk, from zeros, as an application does
            float[] signal = voiceLike(sr, 17);
            List<Map<String, float[]>> states = new java.util.ArrayList<>();
            for (int side = 0; side < 3; side++) {
                Map<String, float[]> zero = new LinkedHashMap<>();
                for (String s : stateNames) zero.put(s, new float[2 * hidden]);
                states.add(zero);
            }
            int voiced = 0;
            for (int k = 0; (k + 1) * chunk <= signal.length; k++) {
                float[] c = java.util.Arrays.copyOfRange(signal, k * chunk, (k + 1) * chunk);
                r = vadStep(v, descent, ort, plain, c, 1, sr, states);
                var both = compare(v.file(), "chunk " + k + " at " + sr + " Hz", (Map<String, Tensor>) r.get(0), (Map<String, OrtModel.Output>) r.get(1),
                        (Map<String, OrtModel.Output>) r.get(2));
                float ours = both.get("output")[0][0], theirs = both.get("output")[1][0];
                if (Math.abs(theirs - 0.5f) > 1e-3) assertEquals(theirs > 0.5f, ours > 0.5f, v + " chunk " + k + ": speech or not (" + ours + " vs " + theirs + ")");
                if (theirs > 0.5f) voiced++;
                states.set(0, next(stateNames, stateOuts, (Map<String, Tensor>) r.get(0), null));
                states.set(1, next(stateNames, stateOuts, null, (Map<String, OrtModel.Output>) r.get(1)));
                states.set(2, next(stateNames, stateOuts, null, (Map<String, OrtModel.Output>) r.get(2)));
            }
            System.out.printf(Locale.ROOT, "%s at %d Hz: %d chunks of %d samples judged speech by ONNX Runtime%n", v, sr, voiced, chunk);
        }
    }

    private static Map<String, float[]> next(List<String> names, List<String> outs, Map<String, Tensor> ours, Map<String, OrtModel.Output> theirs) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), ours != null ? ours.get(outs.get(i)).contiguous().toFloatArray() : theirs.get(outs.get(i)).values());
        return m;
    }
}
