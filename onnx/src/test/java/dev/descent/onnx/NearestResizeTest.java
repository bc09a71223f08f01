package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nearest Resize of an NCHW float32 tensor runs one gather over the planes when no gradient is recorded; it must pick
 * exactly the elements of the differentiable path (an indexSelect per axis), which runs when x requires a gradient.
 */
class NearestResizeTest {
    @TempDir
    Path dir;

    @Test
    void theOnePassGatherPicksWhatTheIndexSelectsPick() throws Exception {
        SplittableRandom rng = new SplittableRandom(31);
        float[][] scales = {{1, 1, 2, 2}, {1, 1, 2, 1.5f}, {1, 1, 0.5f, 3}, {1, 1, 1, 2}, {1, 1, 3, 1}};
        for (String mode : new String[] {"asymmetric", "half_pixel", "align_corners"}) {
            for (String rounding : new String[] {"floor", "round_prefer_floor", "round_prefer_ceil", "ceil"}) {
                for (float[] sc : scales) {
                    Path f = dir.resolve("r.onnx");
                    Files.write(f, new OnnxWriter.Graph().init("roi", Tensor.of(new float[0], 0)).init("scales", Tensor.of(sc, 4)).input("x").output("y")
                            .node("Resize", "r", List.of("x", "roi", "scales"), List.of("y"), attrString("mode", "nearest"),
                                    attrString("coordinate_transformation_mode", mode), attrString("nearest_mode", rounding)).model(13));
                    OnnxModel m = OnnxModel.read(f);
                    Tensor x = Tensor.randn(rng, 2, 3, 6, 5).to(DType.FLOAT32);
                    Tensor direct = m.forward(x);
                    Tensor selected = m.forward(x.detach().clone().requiresGrad(true)).detach();
                    assertArrayEquals(selected.shape(), direct.shape());
                    assertArrayEquals(selected.toFloatArray(), direct.toFloatArray(), mode + " " + rounding + " " + java.util.Arrays.toString(sc));
                }
            }
        }
    }
}
