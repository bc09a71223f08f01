package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hard swish as exporters spell it (Paddle2ONNX's Add, Clip, Mul, Div; Mul by a HardSigmoid with α = 1/6) runs as one
 * step when the constants are exactly 3, 0, 6, 6, and as the original nodes otherwise. Values are checked against a
 * float64 loop written from hard swish's definition, the fused chain against the unfused one bit for bit.
 */
class HardSwishFusionTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    private static double hardswish(double v) {
        return v * Math.min(Math.max(v + 3, 0), 6) / 6;
    }

    /** x·min(max(x + c3, 0), 6)/c6 written as Add, Clip, Mul, Div (Clip's bounds as attributes below opset 11, else inputs). */
    private static OnnxWriter.Graph paddle(long opset, float c3, float c6, boolean swapped) {
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("three", Tensor.of(new float[] {c3}, 1)).init("six", Tensor.of(new float[] {c6}, 1))
                .input("x", -1, 3, 4, 5).output("y", -1, 3, 4, 5);
        g.node("Add", "add", swapped ? List.of("three", "x") : List.of("x", "three"), List.of("a"));
        if (opset < 11) {
            g.node("Clip", "clip", List.of("a"), List.of("c"), attrFloat("min", 0f), attrFloat("max", 6f));
        } else {
            g.init("lo", Tensor.of(0f)).init("hi", Tensor.of(6f));
            g.node("Clip", "clip", List.of("a", "lo", "hi"), List.of("c"));
        }
        g.node("Mul", "mul", swapped ? List.of("c", "x") : List.of("x", "c"), List.of("m"));
        g.node("Div", "div", List.of("m", "six"), List.of("y"));
        return g;
    }

    private static Tensor input(long seed) {
        return Tensor.randn(new SplittableRandom(seed), 2, 3, 4, 5).mul(4).to(DType.FLOAT32);
    }

    @Test
    void paddlesChainRunsAsOneStepWithTheChainsBits() throws Exception {
        for (long opset : new long[] {9, 13}) {
            for (boolean swapped : new boolean[] {false, true}) {
                OnnxModel m = load(paddle(opset, 3f, 6f, swapped).model(opset));
                assertEquals(1, m.stepCount(), "opset " + opset + ", swapped " + swapped + ": one step");
                Tensor x = input(opset + (swapped ? 1 : 0));
                try (var ng = GradMode.noGrad()) {
                    Tensor y = m.forward(x);
                    // the four ops, one by one: the fused op rounds the same way
                    Tensor chain = x.add(3f).clamp(0, 6).mul(x).div(6f);
                    assertArrayEquals(chain.toFloatArray(), y.toFloatArray());
                    float[] xs = x.toFloatArray(), ys = y.toFloatArray();
                    for (int i = 0; i < xs.length; i++) assertEquals(hardswish(xs[i]), ys[i], 1e-6 * (1 + Math.abs(ys[i])), "element " + i);
                }
            }
        }
    }

    @Test
    void withGradientsTheConstantsGetTheirsAndXGetsHardSwishsSlope() throws Exception {
        OnnxModel m = load(paddle(13, 3f, 6f, false).model(13));
        Tensor x = input(3).requiresGrad(true);
        Tensor y = m.forward(x);
        y.sum().backward();
        Tensor three = m.namedParameters().get("three");
        assertNotNull(three.grad(), "the constant 3 is a parameter of the file and receives its gradient");
        float[] xs = x.detach().toFloatArray(), gx = x.grad().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i], want = v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5;
            assertEquals(want, gx[i], 1e-6, "d/dx at " + v);
        }
    }

    @Test
    void otherConstantsOrAnIntermediateReadElsewhereAreNotFused() throws Exception {
        OnnxModel shifted = load(paddle(13, 2.5f, 6f, false).model(13));
        assertEquals(4, shifted.stepCount());
        OnnxModel scaled = load(paddle(9, 3f, 5f, false).model(9));
        assertEquals(4, scaled.stepCount());
        OnnxModel exposed = load(paddle(13, 3f, 6f, false).output("c", -1, 3, 4, 5).model(13));
        assertEquals(4, exposed.stepCount());
        Tensor x = input(4);
        try (var ng = GradMode.noGrad()) {
            float[] xs = x.toFloatArray(), ys = shifted.forward(x).toFloatArray(), zs = scaled.forward(x).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(xs[i] * Math.min(Math.max(xs[i] + 2.5, 0), 6) / 6, ys[i], 1e-5 * (1 + Math.abs(ys[i])));
                assertEquals(xs[i] * Math.min(Math.max(xs[i] + 3, 0), 6) / 5, zs[i], 1e-5 * (1 + Math.abs(zs[i])));
            }
            Map<String, Tensor> out = exposed.run(Map.of("x", x));
            assertArrayEquals(x.add(3f).clamp(0, 6).toFloatArray(), out.get("c").toFloatArray());
        }
    }

    @Test
    void aConstantChangedAfterLoadRunsTheChain() throws Exception {
        OnnxModel m = load(paddle(13, 3f, 6f, false).model(13));
        try (var ng = GradMode.noGrad()) {
            m.namedParameters().get("three").fill(1f);
            Tensor x = input(5);
            float[] xs = x.toFloatArray(), ys = m.forward(x).toFloatArray();
            for (int i = 0; i < xs.length; i++) assertEquals(xs[i] * Math.min(Math.max(xs[i] + 1, 0), 6) / 6, ys[i], 1e-5 * (1 + Math.abs(ys[i])));
        }
    }

    @Test
    void mulByAHardSigmoidOfOneSixthIsHardSwish() throws Exception {
        for (float alpha : new float[] {1f / 6, 0.2f}) {
            OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", -1, 3, 4, 5).output("y", -1, 3, 4, 5)
                    .node("HardSigmoid", "hs", List.of("x"), List.of("h"), attrFloat("alpha", alpha), attrFloat("beta", 0.5f))
                    .node("Mul", "mul", List.of("h", "x"), List.of("y"));
            OnnxModel m = load(g.model(13));
            assertEquals(alpha == 0.2f ? 2 : 1, m.stepCount(), "alpha " + alpha);
            Tensor x = input(6);
            try (var ng = GradMode.noGrad()) {
                float[] xs = x.toFloatArray(), ys = m.forward(x).toFloatArray();
                for (int i = 0; i < xs.length; i++) {
                    double want = xs[i] * Math.min(Math.max(alpha * xs[i] + 0.5, 0), 1);
                    assertEquals(want, ys[i], 1e-6 * (1 + Math.abs(want)), "alpha " + alpha + ", element " + i);
                }
            }
        }
    }
}
