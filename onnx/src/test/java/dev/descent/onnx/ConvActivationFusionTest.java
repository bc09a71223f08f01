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
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Conv (alone, or with a BatchNormalization folded in) followed by an activation runs as one step: without gradients
 * one fused convolution, with gradients the two ops. Each case is checked against a float64 loop written from the ops'
 * definitions (3×3 convolution, padding 1, groups 1 or depthwise), and the gradient path by the weight's gradient.
 */
class ConvActivationFusionTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    /** act(b + Σ x·w) over a 3×3 window, stride 1, padding 1, in float64. */
    private static double[] reference(Tensor x, Tensor w, Tensor b, int groups, DoubleUnaryOperator act) {
        int n = x.size(0), ci = x.size(1), h = x.size(2), wd = x.size(3), co = w.size(0), cig = ci / groups, cog = co / groups;
        double[] out = new double[n * co * h * wd];
        for (int a = 0; a < n; a++) for (int o = 0; o < co; o++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++) {
            double s = b.get(o);
            int g = o / cog;
            for (int c = 0; c < cig; c++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                int r = i - 1 + u, q = j - 1 + v;
                if (r >= 0 && q >= 0 && r < h && q < wd) s += (double) x.get(a, g * cig + c, r, q) * w.get(o, c, u, v);
            }
            out[((a * co + o) * h + i) * wd + j] = act.applyAsDouble(s);
        }
        return out;
    }

    private static void close(double[] expect, Tensor y, String what) {
        double[] a = y.to(DType.FLOAT64).contiguous().toDoubleArray();
        assertEquals(expect.length, a.length);
        for (int i = 0; i < a.length; i++) assertEquals(expect[i], a[i], 2e-5 * (1 + Math.abs(expect[i])), what + ", element " + i);
    }

    private record Act(String name, DoubleUnaryOperator f, long opset) {}

    private static final List<Act> ACTS = List.of(
            new Act("Relu", v -> Math.max(v, 0), 13),
            new Act("Sigmoid", v -> 1 / (1 + Math.exp(-v)), 13),
            new Act("HardSwish", v -> v * Math.min(Math.max(v + 3, 0), 6) / 6, 14),
            new Act("HardSigmoid", v -> Math.min(Math.max(v / 6 + 0.5, 0), 1), 13),
            new Act("Clip", v -> Math.min(Math.max(v, 0), 6), 9),
            new Act("Clip", v -> Math.min(Math.max(v, -1), 2), 13),
            new Act("Paddle", v -> v * Math.min(Math.max(v + 3, 0), 6) / 6, 9));

    /** Conv (x, w, b) then the activation, or BatchNormalization in between; the output is y. */
    private static OnnxWriter.Graph graph(Act act, int groups, boolean bn, Tensor w, Tensor b) {
        int co = w.size(0), ci = w.size(1) * groups;
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("b", b).input("x", -1, ci, 6, 20).output("y", -1, co, 6, 20);
        g.node("Conv", "conv", List.of("x", "w", "b"), List.of(bn ? "c0" : "c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1),
                attrInt("group", groups));
        if (bn) {
            // scale 1, shift 0, mean 0, var 1 − eps: the identity, so the reference stays conv + activation
            g.init("gamma", Tensor.ones(co)).init("beta", Tensor.zeros(co)).init("mean", Tensor.zeros(co)).init("var", Tensor.ones(co).sub(1e-5));
            g.node("BatchNormalization", "bn", List.of("c0", "gamma", "beta", "mean", "var"), List.of("c"));
        }
        switch (act.name()) {
            case "HardSigmoid" -> g.node("HardSigmoid", "act", List.of("c"), List.of("y"), attrFloat("alpha", 1f / 6), attrFloat("beta", 0.5f));
            case "Clip" -> {
                if (act.opset() < 11) {
                    g.node("Clip", "act", List.of("c"), List.of("y"), attrFloat("min", 0f), attrFloat("max", 6f));
                } else {
                    g.init("lo", Tensor.of(-1f)).init("hi", Tensor.of(2f));
                    g.node("Clip", "act", List.of("c", "lo", "hi"), List.of("y"));
                }
            }
            case "Paddle" -> {
                g.init("three", Tensor.of(new float[] {3f}, 1)).init("six", Tensor.of(new float[] {6f}, 1));
                g.node("Add", "add", List.of("c", "three"), List.of("a"));
                g.node("Clip", "clip", List.of("a"), List.of("cl"), attrFloat("min", 0f), attrFloat("max", 6f));
                g.node("Mul", "mul", List.of("c", "cl"), List.of("m"));
                g.node("Div", "div", List.of("m", "six"), List.of("y"));
            }
            default -> g.node(act.name(), "act", List.of("c"), List.of("y"));
        }
        return g;
    }

    @Test
    void convolutionAndActivationRunAsOneStepWithTheirValues() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        for (Act act : ACTS) {
            for (int groups : new int[] {1, 4}) {
                for (boolean bn : new boolean[] {false, true}) {
                    String what = act.name() + " opset " + act.opset() + ", groups " + groups + (bn ? ", with BatchNormalization" : "");
                    Tensor x = Tensor.randn(rng, 2, 4, 6, 20).mul(2).to(DType.FLOAT32);
                    Tensor w = Tensor.randn(rng, 4, 4 / groups, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 4).to(DType.FLOAT32);
                    OnnxModel m = load(graph(act, groups, bn, w, b).model(act.opset()));
                    assertEquals(1, m.stepCount(), what + ": one step");
                    double[] expect = reference(x, w, b, groups, act.f());
                    try (var ng = GradMode.noGrad()) {
                        close(expect, m.forward(x), what + ", no grad");
                    }
                    Tensor y = m.forward(x);
                    close(expect, y, what + ", with gradients");
                    y.sum().backward();
                    Tensor gw = m.namedParameters().get("w").grad();
                    assertNotNull(gw, what + ": the weight gets a gradient");
                    assertTrue(gw.abs().sum().item() > 0, what);
                }
            }
        }
    }

    @Test
    void aScalarMulAndAddAfterAConvolutionFoldIntoIt() throws Exception {
        SplittableRandom rng = new SplittableRandom(23);
        for (boolean withAdd : new boolean[] {true, false}) {
            for (boolean bias : new boolean[] {true, false}) {
                String what = (withAdd ? "Mul, Add" : "Mul") + (bias ? ", bias" : "");
                Tensor w = Tensor.randn(rng, 4, 1, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 4).to(DType.FLOAT32);
                float s = -1.7f, t = 0.4f;
                OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("s", Tensor.of(new float[] {s}, 1)).init("t", Tensor.of(new float[] {t}, 1))
                        .input("x", -1, 4, 6, 20).output("y", -1, 4, 6, 20);
                if (bias) g.init("b", b);
                g.node("Conv", "conv", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("c"), attrInts("kernel_shape", 3, 3),
                        attrInts("pads", 1, 1, 1, 1), attrInt("group", 4));
                g.node("Mul", "mul", List.of("s", "c"), List.of(withAdd ? "m" : "a"));
                if (withAdd) g.node("Add", "add", List.of("m", "t"), List.of("a"));
                g.node("Relu", "relu", List.of("a"), List.of("y"));
                OnnxModel m = load(g.model(13));
                assertEquals(1, m.stepCount(), what + ": one step");
                Tensor x = Tensor.randn(rng, 2, 4, 6, 20).to(DType.FLOAT32);
                double[] expect = reference(x, w, bias ? b : Tensor.zeros(4), 4, v -> Math.max(v * s + (withAdd ? t : 0), 0));
                try (var ng = GradMode.noGrad()) {
                    close(expect, m.forward(x), what + ", no grad");
                }
                Tensor y = m.forward(x);
                close(expect, y, what + ", with gradients");
                y.sum().backward();
                assertNotNull(m.namedParameters().get("s").grad(), what + ": the scale gets its gradient");
            }
        }
    }

    @Test
    void aScalarMulAndAddAfterTheActivationJoinTheOutputLoop() throws Exception {
        SplittableRandom rng = new SplittableRandom(24);
        for (boolean withAdd : new boolean[] {true, false}) {
            Tensor w = Tensor.randn(rng, 4, 4, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 4).to(DType.FLOAT32);
            float s = 0.8f, t = -0.3f;
            OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("b", b).init("s", Tensor.of(new float[] {s}, 1))
                    .init("t", Tensor.of(new float[] {t}, 1)).input("x", -1, 4, 6, 20).output("y", -1, 4, 6, 20);
            g.node("Conv", "conv", List.of("x", "w", "b"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
            g.node("HardSwish", "hs", List.of("c"), List.of("h"));
            g.node("Mul", "mul", List.of("s", "h"), List.of(withAdd ? "m" : "y"));
            if (withAdd) g.node("Add", "add", List.of("m", "t"), List.of("y"));
            OnnxModel m = load(g.model(14));
            assertEquals(1, m.stepCount(), "one step");
            Tensor x = Tensor.randn(rng, 2, 4, 6, 20).to(DType.FLOAT32);
            double[] expect = reference(x, w, b, 1, v -> v * Math.min(Math.max(v + 3, 0), 6) / 6 * s + (withAdd ? t : 0));
            try (var ng = GradMode.noGrad()) {
                close(expect, m.forward(x), "no grad");
            }
            Tensor y = m.forward(x);
            close(expect, y, "with gradients");
            y.sum().backward();
            assertNotNull(m.namedParameters().get("s").grad(), "the scale gets its gradient");
        }
    }

    @Test
    void aConvolutionWhoseOutputIsAlsoAGraphOutputKeepsItsOwnStep() throws Exception {
        SplittableRandom rng = new SplittableRandom(22);
        Tensor w = Tensor.randn(rng, 4, 4, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 4).to(DType.FLOAT32);
        OnnxModel m = load(graph(ACTS.get(0), 1, false, w, b).output("c", -1, 4, 6, 20).model(13));
        assertEquals(2, m.stepCount());
        Tensor x = Tensor.randn(rng, 1, 4, 6, 20).to(DType.FLOAT32);
        try (var ng = GradMode.noGrad()) {
            var out = m.run(java.util.Map.of("x", x));
            close(reference(x, w, b, 1, v -> v), out.get("c"), "c");
            close(reference(x, w, b, 1, v -> Math.max(v, 0)), out.get("y"), "y");
        }
    }
}
