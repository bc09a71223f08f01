package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static dev.descent.onnx.OnnxWriter.attrString;
import static dev.descent.onnx.OnnxWriter.attrTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.Normalization;
import dev.descent.core.ops.Pooling;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class OnnxModelTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    private static void close(double[] expected, Tensor actual, double tol) {
        double[] a = actual.to(dev.descent.core.DType.FLOAT64).contiguous().toDoubleArray();
        assertEquals(expected.length, a.length, "element count");
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(expected[i] - a[i]) <= tol * (1 + Math.abs(expected[i])), "element " + i + ": expected " + expected[i] + ", got " + a[i]);
        }
    }

    private static Tensor randn(RandomGenerator rng, int... shape) {
        return Tensor.randn(rng, shape);
    }

    @Test
    void mlpMatchesAPlainLoop() throws Exception {
        RandomGenerator rng = new SplittableRandom(1);
        Tensor x = randn(rng, 4, 5), w1 = randn(rng, 8, 5), b1 = randn(rng, 8), w2 = randn(rng, 8, 3), b2 = randn(rng, 3);
        for (long opset : new long[] {11, 13}) {
            OnnxWriter.Graph g = new OnnxWriter.Graph().init("fc1.weight", w1).init("fc1.bias", b1).init("w2", w2).init("b2", b2)
                    .input("x", -1, 5).output("probs", -1, 3)
                    .node("Gemm", "fc1", List.of("x", "fc1.weight", "fc1.bias"), List.of("h"), attrInt("transB", 1))
                    .node("Relu", "relu", List.of("h"), List.of("r"))
                    .node("MatMul", "mm", List.of("r", "w2"), List.of("z"))
                    .node("Add", "add", List.of("z", "b2"), List.of("logits"))
                    .node("Softmax", "sm", List.of("logits"), List.of("probs"));
            OnnxModel m = load(g.model(opset));
            assertEquals(List.of("x"), m.inputNames());
            assertEquals(List.of("probs"), m.outputNames());
            assertEquals(8 * 5 + 8 + 8 * 3 + 3, m.parameterCount());
            double[] expect = new double[4 * 3];
            for (int i = 0; i < 4; i++) {
                double[] h = new double[8];
                for (int j = 0; j < 8; j++) {
                    double s = b1.get(j);
                    for (int k = 0; k < 5; k++) s += x.get(i, k) * w1.get(j, k);
                    h[j] = Math.max(0, s);
                }
                double[] z = new double[3];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < 3; j++) {
                    z[j] = b2.get(j);
                    for (int k = 0; k < 8; k++) z[j] += h[k] * w2.get(k, j);
                    max = Math.max(max, z[j]);
                }
                for (int j = 0; j < 3; j++) sum += Math.exp(z[j] - max);
                for (int j = 0; j < 3; j++) expect[i * 3 + j] = Math.exp(z[j] - max) / sum;
            }
            close(expect, m.forward(x), 1e-5);
        }
    }

    @Test
    void cnnMatchesTheSameComputationWithDescentOps() throws Exception {
        RandomGenerator rng = new SplittableRandom(2);
        Tensor x = randn(rng, 2, 3, 9, 9), w1 = randn(rng, 4, 3, 3, 3), b1 = randn(rng, 4);
        Tensor gamma = randn(rng, 4), beta = randn(rng, 4), mean = randn(rng, 4), var = Tensor.rand(rng, 4).add(0.5);
        Tensor w2 = randn(rng, 6, 2, 3, 3), fcw = randn(rng, 5, 6), fcb = randn(rng, 5);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w1", w1).init("b1", b1).init("gamma", gamma).init("beta", beta).init("mean", mean)
                .init("var", var).init("w2", w2).init("fcw", fcw).init("fcb", fcb)
                .input("image", -1, 3, 9, 9).output("out", -1, 5)
                .node("Conv", "conv1", List.of("image", "w1", "b1"), List.of("c1"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
                .node("BatchNormalization", "bn1", List.of("c1", "gamma", "beta", "mean", "var"), List.of("n1"), attrFloat("epsilon", 1e-3f), attrFloat("momentum", 0.9f))
                .node("Relu", "relu1", List.of("n1"), List.of("r1"))
                .node("MaxPool", "pool1", List.of("r1"), List.of("p1"), attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
                .node("Conv", "conv2", List.of("p1", "w2"), List.of("c2"), attrInts("strides", 1, 1), attrInt("group", 2), attrInts("dilations", 1, 1))
                .node("Tanh", "tanh", List.of("c2"), List.of("t2"))
                .node("GlobalAveragePool", "gap", List.of("t2"), List.of("gp"))
                .node("Flatten", "flat", List.of("gp"), List.of("f"))
                .node("Gemm", "fc", List.of("f", "fcw", "fcb"), List.of("logits"), attrInt("transB", 1), attrFloat("alpha", 0.5f), attrFloat("beta", 2f))
                .node("Dropout", "drop", List.of("logits"), List.of("d"), attrFloat("ratio", 0.3f))
                .node("Identity", "id", List.of("d"), List.of("out"));
        OnnxModel m = load(g.model(13));
        assertEquals(List.of("mean", "var"), List.copyOf(m.namedBuffers().keySet()), "running statistics are buffers, not parameters");
        Tensor y = Convolution.conv2d(x, w1, b1, 1, 1);
        y = Normalization.batchNorm(y, mean, var, gamma, beta, false, 0.1, 1e-3).relu();
        y = Pooling.maxPool2d(y, Pooling.Window.of(2, 2, 0));
        y = Convolution.conv2d(y, w2, null, new Convolution.Params(1, 1, 0, 0, 1, 1, 2)).tanh();
        y = y.mean(new int[] {2, 3}, false);
        y = y.matmul(fcw.t()).mul(0.5).add(fcb.mul(2));
        Tensor out = m.forward(x);
        assertArrayEquals(new int[] {2, 5}, out.shape());
        close(y.toDoubleArray(), out, 1e-5);
        // Every imported op is a Descent op: gradients reach the first convolution's weight.
        out.sum().backward();
        Tensor grad = m.namedParameters().get("w1").grad();
        assertNotNull(grad);
        assertTrue(grad.abs().sum().item() > 0);
    }

    /** A scalar 2-D pooling reference with [top, left, bottom, right] pads; out-of-image cells are skipped (max) or counted as 0. */
    private static double[] poolRef(Tensor x, int k, int s, int[] p, int ho, int wo, boolean max, boolean countPad) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        double[] out = new double[n * c * ho * wo];
        int o = 0;
        for (int a = 0; a < n; a++) for (int b = 0; b < c; b++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double best = Double.NEGATIVE_INFINITY, sum = 0;
            int inside = 0, cells = 0;
            for (int u = 0; u < k; u++) for (int v = 0; v < k; v++) {
                int r = i * s - p[0] + u, q = j * s - p[1] + v;
                boolean inPadded = r < h + p[2] && q < w + p[3];
                if (inPadded) cells++;
                if (r < 0 || q < 0 || r >= h || q >= w) continue;
                double val = x.get(a, b, r, q);
                best = Math.max(best, val);
                sum += val;
                inside++;
            }
            out[o++] = max ? best : sum / (countPad ? cells : inside);
        }
        return out;
    }

    private OnnxModel single(String op, long opset, ProtoWriter... attrs) throws Exception {
        return load(new OnnxWriter.Graph().input("x").output("y").node(op, "n", List.of("x"), List.of("y"), attrs).model(opset));
    }

    @Test
    void poolingPadsCeilModeAndCountIncludePadMatchAScalarReference() throws Exception {
        Tensor x = randn(new SplittableRandom(3), 2, 2, 7, 6);
        // MaxPool, asymmetric pads [top 0, left 1, bottom 2, right 0], stride 2: H: (7+2-3)/2+1 = 4, W: (6+1-3)/2+1 = 3
        OnnxModel mp = single("MaxPool", 13, attrInts("kernel_shape", 3, 3), attrInts("strides", 2, 2), attrInts("pads", 0, 1, 2, 0));
        close(poolRef(x, 3, 2, new int[] {0, 1, 2, 0}, 4, 3, true, false), mp.forward(x), 1e-6);
        // ceil_mode: H: ceil((7-3)/2)+1 = 3, W: ceil((6-3)/2)+1 = 3 (the last window hangs over the end)
        OnnxModel ceil = single("MaxPool", 13, attrInts("kernel_shape", 3, 3), attrInts("strides", 2, 2), attrInt("ceil_mode", 1));
        Tensor yc = ceil.forward(x);
        assertArrayEquals(new int[] {2, 2, 3, 3}, yc.shape());
        close(poolRef(x, 3, 2, new int[] {0, 0, 0, 0}, 3, 3, true, false), yc, 1e-6);
        for (int countPad = 0; countPad <= 1; countPad++) {
            OnnxModel ap = single("AveragePool", 11, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1), attrInt("count_include_pad", countPad));
            close(poolRef(x, 3, 1, new int[] {1, 1, 1, 1}, 7, 6, false, countPad == 1), ap.forward(x), 1e-6);
        }
        OnnxModel same = single("AveragePool", 11, attrInts("kernel_shape", 2, 2), attrString("auto_pad", "SAME_UPPER"));
        close(poolRef(x, 2, 1, new int[] {0, 0, 1, 1}, 7, 6, false, false), same.forward(x), 1e-6);
    }

    @Test
    void convWithAsymmetricPadsAndSamePaddingMatchesAScalarReference() throws Exception {
        RandomGenerator rng = new SplittableRandom(4);
        Tensor x = randn(rng, 1, 2, 5, 6), w = randn(rng, 3, 2, 2, 3);
        for (String mode : new String[] {"explicit", "SAME_LOWER"}) {
            ProtoWriter pad = mode.equals("explicit") ? attrInts("pads", 1, 0, 0, 2) : attrString("auto_pad", "SAME_LOWER");
            int[] p = mode.equals("explicit") ? new int[] {1, 0, 0, 2} : new int[] {1, 1, 0, 1}; // SAME_LOWER, stride 1: total 1 and 2, the extra before
            OnnxModel m = load(new OnnxWriter.Graph().init("w", w).input("x").output("y")
                    .node("Conv", "c", List.of("x", "w"), List.of("y"), pad).model(17));
            int ho = 5 + p[0] + p[2] - 2 + 1, wo = 6 + p[1] + p[3] - 3 + 1;
            double[] ref = new double[3 * ho * wo];
            for (int o = 0; o < 3; o++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
                double s = 0;
                for (int c = 0; c < 2; c++) for (int u = 0; u < 2; u++) for (int v = 0; v < 3; v++) {
                    int r = i - p[0] + u, q = j - p[1] + v;
                    if (r >= 0 && q >= 0 && r < 5 && q < 6) s += x.get(0, c, r, q) * w.get(o, c, u, v);
                }
                ref[(o * ho + i) * wo + j] = s;
            }
            Tensor y = m.forward(x);
            assertArrayEquals(new int[] {1, 3, ho, wo}, y.shape(), mode);
            close(ref, y, 1e-5);
        }
    }

    @Test
    void shapeOpsConstantsAndArithmetic() throws Exception {
        RandomGenerator rng = new SplittableRandom(5);
        Tensor a = randn(rng, 2, 3, 4), b = randn(rng, 2, 3, 4);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("shape", Tensor.of(new long[] {0, -1}, 2))
                .input("a").input("b").output("out").output("extra")
                .node("Constant", "k", List.of(), List.of("two"), attrTensor("value", Tensor.of(new float[] {2}, 1)))
                .node("Constant", "k2", List.of(), List.of("half"), attrFloat("value_float", 0.5f))
                .node("Sub", "s", List.of("a", "b"), List.of("d"))
                .node("Mul", "m", List.of("d", "two"), List.of("d2"))
                .node("Div", "v", List.of("d2", "half"), List.of("d4"))
                .node("Reshape", "r", List.of("d4", "shape"), List.of("flat"))          // [2, 12]
                .node("Transpose", "t", List.of("flat"), List.of("tr"))                  // [12, 2]
                .node("Sigmoid", "sg", List.of("tr"), List.of("sig"))
                .node("Concat", "c", List.of("tr", "sig"), List.of("out"), attrInt("axis", -1)) // [12, 4]
                .node("Transpose", "t2", List.of("a"), List.of("extra"), attrInts("perm", 2, 0, 1));
        OnnxModel m = load(g.model(14));
        assertEquals(List.of("a", "b"), m.inputNames());
        Map<String, Tensor> out = m.run(Map.of("a", a, "b", b));
        assertEquals(List.of("out", "extra"), List.copyOf(out.keySet()));
        double[] expect = new double[12 * 4];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 12; j++) {
            double d = (a.get(i, j / 4, j % 4) - b.get(i, j / 4, j % 4)) * 2 / 0.5;
            expect[j * 4 + i] = d;
            expect[j * 4 + 2 + i] = 1 / (1 + Math.exp(-d));
        }
        close(expect, out.get("out"), 1e-5);
        Tensor extra = out.get("extra");
        assertArrayEquals(new int[] {4, 2, 3}, extra.shape());
        assertEquals(a.get(1, 2, 3), extra.get(3, 1, 2));
        assertThrows(IllegalStateException.class, () -> m.forward(a));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("a", a))).getMessage().contains("input 'b' is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("a", a, "b", b, "c", a))).getMessage().contains("'c' is not an input"));
    }

    @Test
    void softmaxBeforeOpset13FlattensFromTheAxis() throws Exception {
        Tensor x = randn(new SplittableRandom(6), 2, 3, 4);
        double[] expect = new double[24];
        for (int i = 0; i < 2; i++) {
            double sum = 0;
            for (int j = 0; j < 12; j++) sum += Math.exp(x.get(i, j / 4, j % 4));
            for (int j = 0; j < 12; j++) expect[i * 12 + j] = Math.exp(x.get(i, j / 4, j % 4)) / sum;
        }
        close(expect, single("Softmax", 11).forward(x), 1e-6);
        double[] last = new double[24];
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) sum += Math.exp(x.get(i / 3, i % 3, j));
            for (int j = 0; j < 4; j++) last[i * 4 + j] = Math.exp(x.get(i / 3, i % 3, j)) / sum;
        }
        close(last, single("Softmax", 13).forward(x), 1e-6);
    }

    private String loadError(byte[] bytes) {
        return assertThrows(OnnxException.class, () -> load(bytes)).getMessage();
    }

    @Test
    void unsupportedOpsAttributesAndOpsetsFailAtLoadInOneLineNamingNodeOpAndOpset() throws Exception {
        String e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Relu", "r", List.of("x"), List.of("h"))
                .node("StringNormalizer", "norm_1", List.of("h"), List.of("y")).model(13));
        assertTrue(e.contains("m.onnx: node 'norm_1' (op StringNormalizer, opset 13): StringNormalizer is not supported (supported: Abs, Add, AveragePool"), e);
        assertTrue(!e.contains("\n"), "one line");
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Relu", "r", List.of("x"), List.of("y"), attrInt("alpha", 1)).model(13));
        assertTrue(e.contains("node 'r' (op Relu, opset 13): attribute 'alpha' is not supported"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("MaxPool", "p", List.of("x"), List.of("y", "idx"), attrInts("kernel_shape", 2, 2)).model(13));
        assertTrue(e.contains("node 'p' (op MaxPool, opset 13): 1 outputs supported, 2 given"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("AveragePool", "p", List.of("x"), List.of("y"), attrInts("kernel_shape", 2, 2, 2)).model(13));
        assertTrue(e.contains("3-D AveragePool is not supported (2-D only)"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Relu", "r", List.of("x"), List.of("y")).model(5));
        assertTrue(e.contains("opset 5 of ai.onnx is not supported (7 to 21)"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Relu", "r", List.of("nothing"), List.of("y")).model(13));
        assertTrue(e.contains("node 'r' (op Relu) reads 'nothing', which no node, input or initializer provides"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Conv", "c", List.of("x", "x"), List.of("y"), attrString("auto_pad", "WRONG")).model(13));
        assertTrue(e.contains("auto_pad 'WRONG' is not supported"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Relu", "r", List.of("x"), List.of("y"), attrFloat("alpha", 1)).model(13));
        assertTrue(e.contains("attribute 'alpha' is not supported"), e);
    }

    @Test
    void nodesOutOfOrderAreSortedAndReshapeCopiesZeros() throws Exception {
        Tensor x = randn(new SplittableRandom(7), 3, 4);
        OnnxModel m = load(new OnnxWriter.Graph().input("x").output("y")
                .node("Relu", "second", List.of("h"), List.of("y"))
                .node("Tanh", "first", List.of("x"), List.of("h")).model(13));
        double[] expect = new double[12];
        for (int i = 0; i < 12; i++) expect[i] = Math.max(0, Math.tanh(x.get(i / 4, i % 4)));
        close(expect, m.forward(x), 1e-6);
        assertArrayEquals(new int[] {3, 2, 2}, OnnxOps.reshapeTarget(new int[] {3, 4}, new long[] {0, 2, -1}, false));
        assertArrayEquals(new int[] {0, 4}, OnnxOps.reshapeTarget(new int[] {0, 4}, new long[] {0, 4}, true));
    }

    @Test
    void opsThePaddleOcrModelsNeedMatchScalarReferences() throws Exception {
        Tensor x = randn(new SplittableRandom(8), 2, 3, 4);
        double[] xs = x.to(dev.descent.core.DType.FLOAT64).toDoubleArray();
        double[] hs = new double[24], cl = new double[24], sq = new double[24], pw = new double[24];
        for (int i = 0; i < 24; i++) {
            hs[i] = Math.max(0, Math.min(1, 0.25 * xs[i] + 0.5));
            cl[i] = Math.max(-0.5, Math.min(0.75, xs[i]));
            sq[i] = Math.sqrt(Math.abs(xs[i]));
            pw[i] = xs[i] * xs[i] * xs[i];
        }
        close(hs, single("HardSigmoid", 9, attrFloat("alpha", 0.25f)).forward(x), 1e-6);
        close(cl, single("Clip", 9, attrFloat("min", -0.5f), attrFloat("max", 0.75f)).forward(x), 1e-6);
        OnnxModel clip11 = load(new OnnxWriter.Graph().init("lo", Tensor.of(-0.5f)).init("hi", Tensor.of(0.75f)).input("x").output("y")
                .node("Clip", "c", List.of("x", "lo", "hi"), List.of("y")).model(13));
        close(cl, clip11.forward(x), 1e-6);
        close(sq, single("Sqrt", 13).forward(x.abs()), 1e-6);
        OnnxModel pow = load(new OnnxWriter.Graph().init("e", Tensor.of(3f)).input("x").output("y").node("Pow", "p", List.of("x", "e"), List.of("y")).model(13));
        close(pw, pow.forward(x), 1e-5);
        // ReduceMean over axis 1 keeping it, then Shape, Cast, Squeeze, Unsqueeze and Slice
        double[] mean = new double[8];
        for (int a = 0; a < 2; a++) for (int c = 0; c < 4; c++) {
            for (int b = 0; b < 3; b++) mean[a * 4 + c] += x.get(a, b, c) / 3;
        }
        OnnxModel rm = single("ReduceMean", 13, attrInts("axes", 1));
        Tensor r = rm.forward(x);
        assertArrayEquals(new int[] {2, 1, 4}, r.shape());
        close(mean, r, 1e-6);
        Tensor s9 = single("Squeeze", 11, attrInts("axes", 1)).forward(r);
        assertArrayEquals(new int[] {2, 4}, s9.shape());
        Tensor u = single("Unsqueeze", 11, attrInts("axes", 0, -1)).forward(s9);
        assertArrayEquals(new int[] {1, 2, 4, 1}, u.shape());
        assertArrayEquals(new long[] {2, 3, 4}, single("Shape", 13).forward(x).toLongArray());
        Tensor cast = single("Cast", 13, attrInt("to", OnnxFile.INT64)).forward(Tensor.of(new float[] {-1.7f, 2.9f}, 2));
        assertArrayEquals(new long[] {-1, 2}, cast.toLongArray());
        // Slice, opset 9 (attributes) and 13 (inputs, steps): x[:, 1:, -3:4:2]
        Tensor sl9 = single("Slice", 9, attrInts("starts", 1, -3), attrInts("ends", 100, 4), attrInts("axes", 1, 2)).forward(x);
        assertArrayEquals(new int[] {2, 2, 3}, sl9.shape());
        assertEquals(x.get(1, 2, 3), sl9.get(1, 1, 2));
        OnnxModel sl13 = load(new OnnxWriter.Graph().init("st", Tensor.of(new long[] {1, -3}, 2)).init("en", Tensor.of(new long[] {Long.MAX_VALUE, 4}, 2))
                .init("ax", Tensor.of(new long[] {1, 2}, 2)).init("sp", Tensor.of(new long[] {1, 2}, 2)).input("x").output("y")
                .node("Slice", "s", List.of("x", "st", "en", "ax", "sp"), List.of("y")).model(13));
        Tensor y13 = sl13.forward(x);
        assertArrayEquals(new int[] {2, 2, 2}, y13.shape());
        assertEquals(x.get(1, 2, 3), y13.get(1, 1, 1));
        assertEquals(x.get(0, 1, 1), y13.get(0, 0, 0));
        String e = loadError(new OnnxWriter.Graph().init("st", Tensor.of(new long[] {0}, 1)).init("en", Tensor.of(new long[] {1}, 1))
                .init("ax", Tensor.of(new long[] {0}, 1)).init("sp", Tensor.of(new long[] {0}, 1)).input("x").output("y")
                .node("Slice", "s", List.of("x", "st", "en", "ax", "sp"), List.of("y")).model(13));
        assertTrue(e.contains("Slice with step 0 is invalid"), e);
    }

    @Test
    void sliceWithNegativeStepsWalksBackwardsAsTheSpecificationClamps() throws Exception {
        Tensor x = Tensor.arange(0, 7, 1, dev.descent.core.DType.FLOAT32).requiresGrad(true);
        // {start, end, step}: reversal (INT64 extremes), 5 down to 2 by 2, start past the end, an empty slice, negative start and end
        long[][] cases = {{Long.MAX_VALUE, Long.MIN_VALUE, -1}, {5, 1, -2}, {100, 3, -3}, {2, 5, -1}, {-1, -4, -1}};
        for (long[] c : cases) {
            OnnxModel m = load(new OnnxWriter.Graph().init("st", Tensor.of(new long[] {c[0]}, 1)).init("en", Tensor.of(new long[] {c[1]}, 1))
                    .init("ax", Tensor.of(new long[] {0}, 1)).init("sp", Tensor.of(new long[] {c[2]}, 1)).input("x").output("y")
                    .node("Slice", "s", List.of("x", "st", "en", "ax", "sp"), List.of("y")).model(13));
            // the specification: start += n if negative, then clamped to [0, n-1]; end likewise to [-1, n-1]; take start, start+step, ... while > end
            long n = 7, a = c[0] < 0 ? c[0] + n : c[0], b = c[1] < 0 ? c[1] + n : c[1];
            a = Math.max(0, Math.min(n - 1, a));
            b = Math.max(-1, Math.min(n - 1, b));
            List<Float> want = new java.util.ArrayList<>();
            for (long i = a; i > b; i += c[2]) want.add((float) i);
            Tensor y = m.forward(x);
            float[] w = new float[want.size()];
            for (int k = 0; k < w.length; k++) w[k] = want.get(k);
            assertArrayEquals(w, y.toFloatArray(), java.util.Arrays.toString(c));
            if (w.length > 0) {
                x.zeroGrad();
                y.sum().backward();
                float[] g = new float[7];
                for (float v : w) g[(int) v] = 1;
                assertArrayEquals(g, x.grad().toFloatArray(), "gradient of " + java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void convTransposeAndNearestResizeMatchScalarReferences() throws Exception {
        RandomGenerator rng = new SplittableRandom(10);
        Tensor x = randn(rng, 1, 2, 3, 4), w = randn(rng, 2, 3, 3, 3), b = randn(rng, 3);
        int s = 2, p = 1, ho = (3 - 1) * s - 2 * p + 3 + 1, wo = (4 - 1) * s - 2 * p + 3 + 1; // output_padding 1
        double[] full = new double[3 * (ho + 2 * p) * (wo + 2 * p)];
        int fh = ho + 2 * p, fw = wo + 2 * p;
        for (int i = 0; i < 2; i++) for (int h = 0; h < 3; h++) for (int q = 0; q < 4; q++) for (int o = 0; o < 3; o++)
            for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                int r = h * s + u, c = q * s + v;
                if (r < fh && c < fw) full[(o * fh + r) * fw + c] += x.get(0, i, h, q) * w.get(i, o, u, v);
            }
        double[] ref = new double[3 * ho * wo];
        for (int o = 0; o < 3; o++) for (int r = 0; r < ho; r++) for (int c = 0; c < wo; c++) ref[(o * ho + r) * wo + c] = full[(o * fh + r + p) * fw + c + p] + b.get(o);
        OnnxModel ct = load(new OnnxWriter.Graph().init("w", w).init("b", b).input("x").output("y")
                .node("ConvTranspose", "ct", List.of("x", "w", "b"), List.of("y"), attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1),
                        attrInts("output_padding", 1, 1), attrInts("kernel_shape", 3, 3)).model(11));
        Tensor y = ct.forward(x);
        assertArrayEquals(new int[] {1, 3, ho, wo}, y.shape());
        close(ref, y, 1e-5);
        // Resize ×2 in height, ×1.5 in width (nearest, asymmetric, floor): y[i, j] = x[⌊i/2⌋, ⌊j/1.5⌋]
        OnnxModel rs = load(new OnnxWriter.Graph().init("roi", Tensor.of(new float[0], 0)).init("scales", Tensor.of(new float[] {1, 1, 2, 1.5f}, 4))
                .input("x").output("y").node("Resize", "r", List.of("x", "roi", "scales"), List.of("y"), attrString("mode", "nearest"),
                        attrString("coordinate_transformation_mode", "asymmetric"), attrString("nearest_mode", "floor")).model(11));
        Tensor z = rs.forward(x);
        assertArrayEquals(new int[] {1, 2, 6, 6}, z.shape());
        double[] zr = new double[2 * 6 * 6];
        for (int c = 0; c < 2; c++) for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) zr[(c * 6 + i) * 6 + j] = x.get(0, c, i / 2, (int) Math.floor(j / 1.5));
        close(zr, z, 0);
        String e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Resize", "r", List.of("x"), List.of("y"), attrString("mode", "cubic")).model(13));
        assertTrue(e.contains("mode 'cubic' is not supported (nearest, linear)"), e);
    }

    @Test
    void fineTuningTheLastLayerOfAnImportedClassifierLowersItsLoss() throws Exception {
        RandomGenerator rng = new SplittableRandom(11);
        OnnxModel m = load(new OnnxWriter.Graph().init("w1", randn(rng, 6, 4)).init("b1", randn(rng, 6)).init("head.w", randn(rng, 3, 6))
                .init("head.b", Tensor.zeros(3)).input("x").output("p")
                .node("Gemm", "fc1", List.of("x", "w1", "b1"), List.of("h"), attrInt("transB", 1))
                .node("Relu", "relu", List.of("h"), List.of("r"))
                .node("Gemm", "head", List.of("r", "head.w", "head.b"), List.of("z"), attrInt("transB", 1))
                .node("Softmax", "sm", List.of("z"), List.of("p")).model(13));
        Tensor x = randn(rng, 32, 4);
        long[] labels = new long[32];
        for (int i = 0; i < 32; i++) labels[i] = x.get(i, 0) > 0 ? (x.get(i, 1) > 0 ? 0 : 1) : 2;
        Tensor oneHot = Tensor.of(labels, 32).oneHot(3).to(dev.descent.core.DType.FLOAT32);
        var head = List.of(m.namedParameters().get("head_w"), m.namedParameters().get("head_b"));
        Tensor w1Before = m.namedParameters().get("w1").clone();
        double first = 0, last = 0;
        for (int step = 0; step < 30; step++) {
            Tensor loss = m.forward(x).log().mul(oneHot).sum().div(-32.0);
            m.zeroGrad();
            loss.backward();
            try (var g = dev.descent.core.autograd.GradMode.noGrad()) {
                for (var p : head) p.addInPlace(p.grad(), -0.5);
            }
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.8 * first, "loss went from " + first + " to " + last);
        assertTrue(w1Before.contentEquals(m.namedParameters().get("w1")), "only the head was trained");
    }

    @Test
    void concurrentRunsGiveTheSingleThreadedResultAndIntegerDivisionTruncates() throws Exception {
        RandomGenerator rng = new SplittableRandom(12);
        OnnxModel m = load(new OnnxWriter.Graph().init("w", randn(rng, 5, 7)).input("x").output("y")
                .node("MatMul", "mm", List.of("x", "w"), List.of("h")).node("Tanh", "t", List.of("h"), List.of("y")).model(13));
        Tensor[] xs = new Tensor[8], expect = new Tensor[8];
        for (int k = 0; k < 8; k++) {
            xs[k] = randn(rng, 16, 5);
            expect[k] = m.forward(xs[k]);
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
            for (int rep = 0; rep < 25; rep++) {
                for (int k = 0; k < 8; k++) {
                    int j = k;
                    same.add(pool.submit(() -> m.forward(xs[j]).contentEquals(expect[j])));
                }
            }
            for (var f : same) assertTrue(f.get());
        }
        OnnxModel div = load(new OnnxWriter.Graph().input("a").input("b").output("y").node("Div", "d", List.of("a", "b"), List.of("y")).model(13));
        Tensor q = div.run(Map.of("a", Tensor.of(new long[] {7, -7, 9}, 3), "b", Tensor.of(new long[] {2}, 1))).get("y");
        assertArrayEquals(new long[] {3, -3, 4}, q.toLongArray());
    }

    /** Applies a one-input op to x and compares with f elementwise. */
    private void elementwise(String op, Tensor x, java.util.function.DoubleUnaryOperator f, ProtoWriter... attrs) throws Exception {
        double[] xs = x.to(dev.descent.core.DType.FLOAT64).toDoubleArray(), expect = new double[xs.length];
        for (int i = 0; i < xs.length; i++) expect[i] = f.applyAsDouble(xs[i]);
        close(expect, single(op, 13, attrs).forward(x), 1e-6);
    }

    @Test
    void elementwiseComparisonGatherExpandAndReductionOpsMatchScalarReferences() throws Exception {
        Tensor x = randn(new SplittableRandom(13), 3, 4);
        elementwise("Neg", x, v -> -v);
        elementwise("Abs", x, Math::abs);
        elementwise("Exp", x, Math::exp);
        elementwise("Log", x.abs(), Math::log);
        elementwise("LeakyRelu", x, v -> v > 0 ? v : 0.2 * v, attrFloat("alpha", 0.2f));
        elementwise("LeakyRelu", x, v -> v > 0 ? v : 0.01 * v);
        double[] erfRef = {0, 0.5204998778, 0.8427007929, 0.9953222650, -0.8427007929}; // erf's tabulated values
        close(erfRef, single("Erf", 13).forward(Tensor.of(new float[] {0, 0.5f, 1, 2, -1}, 5)), 1e-6);
        double[] xs = x.to(dev.descent.core.DType.FLOAT64).toDoubleArray();
        double[] ls = new double[12], rs = new double[4], rmax = new double[3];
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            rmax[i] = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                sum += Math.exp(xs[i * 4 + j]);
                rs[j] += xs[i * 4 + j];
                rmax[i] = Math.max(rmax[i], xs[i * 4 + j]);
            }
            for (int j = 0; j < 4; j++) ls[i * 4 + j] = xs[i * 4 + j] - Math.log(sum);
        }
        close(ls, single("LogSoftmax", 13).forward(x), 1e-5);
        OnnxModel sum = load(new OnnxWriter.Graph().init("axes", Tensor.of(new long[] {0}, 1)).input("x").output("y")
                .node("ReduceSum", "s", List.of("x", "axes"), List.of("y"), attrInt("keepdims", 0)).model(13));
        Tensor sy = sum.forward(x);
        assertArrayEquals(new int[] {4}, sy.shape());
        close(rs, sy, 1e-5);
        Tensor my = single("ReduceMax", 13, attrInts("axes", -1)).forward(x);
        assertArrayEquals(new int[] {3, 1}, my.shape());
        close(rmax, my, 0);
        // Comparisons and Where: y = where(x > 0, x, x·x) — and Equal, Less
        OnnxModel w = load(new OnnxWriter.Graph().init("zero", Tensor.of(0f)).input("x").output("y").output("eq").output("lt")
                .node("Greater", "g", List.of("x", "zero"), List.of("pos"))
                .node("Mul", "m", List.of("x", "x"), List.of("sq"))
                .node("Where", "w", List.of("pos", "x", "sq"), List.of("y"))
                .node("Equal", "e", List.of("x", "x"), List.of("eq"))
                .node("Less", "l", List.of("x", "zero"), List.of("lt")).model(13));
        Map<String, Tensor> out = w.run(Map.of("x", x));
        double[] wy = new double[12];
        for (int i = 0; i < 12; i++) wy[i] = xs[i] > 0 ? xs[i] : xs[i] * xs[i];
        close(wy, out.get("y"), 1e-6);
        boolean[] eq = out.get("eq").toBooleanArray(), lt = out.get("lt").toBooleanArray();
        for (int i = 0; i < 12; i++) {
            assertTrue(eq[i]);
            assertEquals(xs[i] < 0, lt[i]);
        }
        // Gather rows [2, -1, 0] as a [1, 3] index along axis 0, and a scalar column index along axis 1
        OnnxModel g = load(new OnnxWriter.Graph().init("rows", Tensor.of(new long[] {2, -1, 0}, 1, 3)).init("col", Tensor.of(new long[] {1}, 1).reshape())
                .input("x").output("a").output("b")
                .node("Gather", "ga", List.of("x", "rows"), List.of("a"))
                .node("Gather", "gb", List.of("x", "col"), List.of("b"), attrInt("axis", 1)).model(13));
        Map<String, Tensor> go = g.run(Map.of("x", x));
        assertArrayEquals(new int[] {1, 3, 4}, go.get("a").shape());
        assertEquals(x.get(2, 3), go.get("a").get(0, 0, 3));
        assertEquals(x.get(2, 1), go.get("a").get(0, 1, 1));
        assertEquals(x.get(0, 2), go.get("a").get(0, 2, 2));
        assertArrayEquals(new int[] {3}, go.get("b").shape());
        for (int i = 0; i < 3; i++) assertEquals(x.get(i, 1), go.get("b").get(i));
        // Expand [3, 1] to [2, 3, 4] (both ways: the given shape's 1 keeps the input's size)
        OnnxModel e = load(new OnnxWriter.Graph().init("shape", Tensor.of(new long[] {2, 1, 4}, 3)).input("x").output("y")
                .node("Expand", "ex", List.of("x", "shape"), List.of("y")).model(13));
        Tensor col = x.narrow(1, 0, 1).contiguous();
        Tensor ey = e.forward(col);
        assertArrayEquals(new int[] {2, 3, 4}, ey.shape());
        for (int i = 0; i < 3; i++) assertEquals(x.get(i, 0), ey.get(1, i, 2));
    }
}
