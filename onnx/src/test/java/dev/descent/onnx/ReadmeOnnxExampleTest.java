package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README.md's ONNX example: compiled, run on a small classifier written here, and held to the README's copy. */
class ReadmeOnnxExampleTest {
    /** The line in README.md just above the example's code block. */
    static final String MARKER = "<!-- the example below is onnx/src/test/java/dev/descent/onnx/ReadmeOnnxExampleTest.java -->";

    static Tensor example(Path file) throws IOException {
        // tag::readme[]
        OnnxModel model = OnnxModel.read(file);      // an op Descent lacks fails here, naming the node, the op and the opset
        Tensor image = Tensor.randn(new SplittableRandom(1), 1, 3, 48, 192).to(DType.FLOAT32);
        Tensor scores;
        try (var noGrad = GradMode.noGrad()) {       // inference: no graph recorded, intermediates recycled
            Map<String, Tensor> out = model.run(Map.of(model.inputNames().get(0), image));
            scores = out.get(model.outputNames().get(0));
        }
        // end::readme[]
        return scores;
    }

    /** A classifier of 3×48×192 images into 2 classes: Conv, Relu, GlobalAveragePool, Flatten, Gemm, Softmax. */
    private static byte[] classifier() {
        SplittableRandom rng = new SplittableRandom(5);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("conv.w", Tensor.randn(rng, 8, 3, 3, 3).to(DType.FLOAT32))
                .init("fc.w", Tensor.randn(rng, 2, 8).to(DType.FLOAT32)).init("fc.b", Tensor.randn(rng, 2).to(DType.FLOAT32))
                .input("x", 1, 3, 48, 192).output("p", 1, 2);
        g.node("Conv", "conv", List.of("x", "conv.w"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
        g.node("Relu", "relu", List.of("c"), List.of("r"));
        g.node("GlobalAveragePool", "pool", List.of("r"), List.of("a"));
        g.node("Flatten", "flat", List.of("a"), List.of("f"));
        g.node("Gemm", "fc", List.of("f", "fc.w", "fc.b"), List.of("z"), attrInt("transB", 1));
        g.node("Softmax", "softmax", List.of("z"), List.of("p"), attrInt("axis", 1));
        return g.model(13);
    }

    @Test
    void theExampleRunsAClassifierAsItsGraphSays(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("classifier.onnx");
        Files.write(file, classifier());
        Tensor scores = example(file);
        assertArrayEquals(new int[] {1, 2}, scores.shape());
        assertEquals(1.0, scores.sum().item(), 1e-6, "softmax scores");
        Tensor image = Tensor.randn(new SplittableRandom(1), 1, 3, 48, 192).to(DType.FLOAT32);
        Tensor withGraph = OnnxModel.read(file).forward(image); // gradients on: the ops themselves, nothing recycled
        assertArrayEquals(withGraph.detach().toFloatArray(), scores.toFloatArray(), "the same kernels, the same bits");
    }

    @Test
    void theReadmeShowsExactlyThisExample() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int at = readme.indexOf(MARKER);
        assertTrue(at >= 0, "README.md has no line '" + MARKER + "' above the example");
        assertEquals("```java", readme.get(at + 1), "README.md: the code block must start right after the marker");
        List<String> rest = readme.subList(at + 2, readme.size());
        List<String> shown = rest.subList(0, rest.indexOf("```"));
        List<String> source = Files.readAllLines(Path.of("src", "test", "java", "dev", "descent", "onnx", "ReadmeOnnxExampleTest.java"));
        List<String> tagged = source.subList(source.indexOf("        // tag::readme[]") + 1, source.indexOf("        // end::readme[]"));
        assertEquals(tagged.stream().map(l -> l.substring(Math.min(8, l.length()))).toList(), shown, "README.md's example differs from this test's");
    }
}
