package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Conv followed by BatchNormalization: under no-grad the two run as one convolution with folded weights, with
 * gradients on as two ops. Both are checked against a float64 loop written from the two ops' definitions, and the
 * gradient path against gradients reaching the normalization's scale.
 */
class ConvBatchNormFusionTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    /** Grouped 3×3 convolution, stride 1, padding 1, then (y − mean)/√(var + eps)·gamma + beta, in float64. */
    private static double[] reference(Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps, int groups) {
        int n = x.size(0), ci = x.size(1), h = x.size(2), wd = x.size(3), co = w.size(0), cig = ci / groups, cog = co / groups;
        double[] out = new double[n * co * h * wd];
        for (int a = 0; a < n; a++) for (int o = 0; o < co; o++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++) {
            double s = b == null ? 0 : b.get(o);
            int g = o / cog;
            for (int c = 0; c < cig; c++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                int r = i - 1 + u, q = j - 1 + v;
                if (r >= 0 && q >= 0 && r < h && q < wd) s += (double) x.get(a, g * cig + c, r, q) * w.get(o, c, u, v);
            }
            out[((a * co + o) * h + i) * wd + j] = (s - mean.get(o)) / Math.sqrt(var.get(o) + eps) * gamma.get(o) + beta.get(o);
        }
        return out;
    }

    private static void close(double[] expect, Tensor y, double tol) {
        double[] a = y.to(DType.FLOAT64).contiguous().toDoubleArray();
        assertEquals(expect.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(expect[i], a[i], tol * (1 + Math.abs(expect[i])), "element " + i);
    }

    @Test
    void foldedUnderNoGradAndTwoOpsWithGradientsGiveTheNormalizedConvolution() throws Exception {
        for (boolean bias : new boolean[] {true, false}) {
            SplittableRandom rng = new SplittableRandom(bias ? 5 : 6);
            int groups = 2;
            Tensor x = Tensor.randn(rng, 2, 4, 7, 6), w = Tensor.randn(rng, 6, 2, 3, 3), b = Tensor.randn(rng, 6);
            Tensor gamma = Tensor.randn(rng, 6), beta = Tensor.randn(rng, 6), mean = Tensor.randn(rng, 6), var = Tensor.rand(rng, 6).add(0.3);
            OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("gamma", gamma).init("beta", beta).init("mean", mean).init("var", var)
                    .input("x", -1, 4, 7, 6).output("y", -1, 6, 7, 6);
            if (bias) g.init("b", b);
            g.node("Conv", "conv", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("c"), attrInts("kernel_shape", 3, 3),
                    attrInts("pads", 1, 1, 1, 1), attrInt("group", groups));
            g.node("BatchNormalization", "bn", List.of("c", "gamma", "beta", "mean", "var"), List.of("y"), attrFloat("epsilon", 1e-3f));
            OnnxModel m = load(g.model(13));
            double[] expect = reference(x, w, bias ? b : null, gamma, beta, mean, var, 1e-3f, groups);
            try (var ng = GradMode.noGrad()) {
                close(expect, m.forward(x), 2e-5);
            }
            Tensor y = m.forward(x);
            close(expect, y, 2e-5);
            y.sum().backward();
            Tensor grad = m.namedParameters().get("gamma").grad();
            assertNotNull(grad, "the normalization's scale gets a gradient");
            assertTrue(grad.abs().sum().item() > 0);
        }
    }

    @Test
    void aConvolutionWhoseOutputIsAlsoReadElsewhereIsNotFolded() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor x = Tensor.randn(rng, 1, 2, 5, 5), w = Tensor.randn(rng, 3, 2, 3, 3);
        Tensor gamma = Tensor.randn(rng, 3), beta = Tensor.randn(rng, 3), mean = Tensor.randn(rng, 3), var = Tensor.rand(rng, 3).add(0.3);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("gamma", gamma).init("beta", beta).init("mean", mean).init("var", var)
                .input("x", -1, 2, 5, 5).output("y", -1, 3, 5, 5).output("c", -1, 3, 5, 5)
                .node("Conv", "conv", List.of("x", "w"), List.of("c"), attrInts("pads", 1, 1, 1, 1))
                .node("BatchNormalization", "bn", List.of("c", "gamma", "beta", "mean", "var"), List.of("y"));
        OnnxModel m = load(g.model(13));
        try (var ng = GradMode.noGrad()) {
            Map<String, Tensor> out = m.run(Map.of("x", x));
            Tensor ones = Tensor.ones(3), zeros = Tensor.zeros(3);
            close(reference(x, w, null, ones, zeros, zeros, ones.sub(1e-5), 1e-5, 1), out.get("c"), 2e-5);
            close(reference(x, w, null, gamma, beta, mean, var, 1e-5f, 1), out.get("y"), 2e-5);
        }
    }
}
