package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static dev.descent.onnx.OnnxWriter.attrString;
import static dev.descent.onnx.OnnxWriter.attrTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ops added for issue 20's list, each against a float64 loop written from the ONNX operator specification. */
class OnnxMoreOpsTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    private String loadError(byte[] bytes) {
        return assertThrows(OnnxException.class, () -> load(bytes)).getMessage();
    }

    private static double[] d(Tensor t) {
        return t.to(DType.FLOAT64).contiguous().toDoubleArray();
    }

    private static void close(double[] expected, Tensor actual, double tol) {
        double[] a = d(actual);
        assertEquals(expected.length, a.length, "element count");
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(expected[i] - a[i]) <= tol * (1 + Math.abs(expected[i])), "element " + i + ": expected " + expected[i] + ", got " + a[i]);
        }
    }

    private OnnxModel single(String op, long opset, ProtoWriter... attrs) throws Exception {
        return load(new OnnxWriter.Graph().input("x").output("y").node(op, "n", List.of("x"), List.of("y"), attrs).model(opset));
    }

    @Test
    void instanceAndLayerNormalizationMatchAFloat64Loop() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        Tensor x = Tensor.randn(rng, 2, 3, 4, 5), scale = Tensor.randn(rng, 3), bias = Tensor.randn(rng, 3);
        OnnxModel in = load(new OnnxWriter.Graph().init("s", scale).init("b", bias).input("x").output("y")
                .node("InstanceNormalization", "in", List.of("x", "s", "b"), List.of("y"), attrFloat("epsilon", 1e-3f)).model(11));
        double[] xs = d(x), ref = new double[xs.length];
        for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) {
            int base = (n * 3 + c) * 20;
            double mean = 0, var = 0;
            for (int k = 0; k < 20; k++) mean += xs[base + k] / 20;
            for (int k = 0; k < 20; k++) var += (xs[base + k] - mean) * (xs[base + k] - mean) / 20;
            for (int k = 0; k < 20; k++) ref[base + k] = (xs[base + k] - mean) / Math.sqrt(var + 1e-3) * scale.get(c) + bias.get(c);
        }
        close(ref, in.forward(x), 1e-5);
        // LayerNormalization over the last two axes (axis = -2), scale [4, 5] and bias [5] broadcast; default epsilon 1e-5
        Tensor g = Tensor.randn(rng, 4, 5), b = Tensor.randn(rng, 5);
        OnnxModel ln = load(new OnnxWriter.Graph().init("g", g).init("b", b).input("x").output("y")
                .node("LayerNormalization", "ln", List.of("x", "g", "b"), List.of("y"), attrInt("axis", -2)).model(17));
        double[] lref = new double[xs.length];
        for (int row = 0; row < 6; row++) {
            double mean = 0, var = 0;
            for (int k = 0; k < 20; k++) mean += xs[row * 20 + k] / 20;
            for (int k = 0; k < 20; k++) var += Math.pow(xs[row * 20 + k] - mean, 2) / 20;
            for (int k = 0; k < 20; k++) lref[row * 20 + k] = (xs[row * 20 + k] - mean) / Math.sqrt(var + 1e-5) * g.get(k / 5, k % 5) + b.get(k % 5);
        }
        close(lref, ln.forward(x), 1e-5);
        String e = loadError(new OnnxWriter.Graph().init("g", g).input("x").output("y")
                .node("LayerNormalization", "ln", List.of("x", "g"), List.of("y"), attrInt("stash_type", 11)).model(17));
        assertTrue(e.contains("node 'ln' (op LayerNormalization, opset 17): stash_type = 11 is not supported"), e);
        e = loadError(new OnnxWriter.Graph().init("g", g).input("x").output("y").node("LayerNormalization", "ln", List.of("x", "g"), List.of("y")).model(16));
        assertTrue(e.contains("(op LayerNormalization, opset 16): LayerNormalization is defined from opset 17"), e);
    }

    @Test
    void hardSigmoidHardSwishGeluAndNotMatchTheirFormulas() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(22), 4, 6).mul(3.0);
        double[] xs = d(x), hs = new double[xs.length], hsw = new double[xs.length], ge = new double[xs.length], gt = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            hs[i] = Math.max(0, Math.min(1, 0.3 * v + 0.4));
            hsw[i] = v * Math.max(0, Math.min(1, v / 6 + 0.5));
            ge[i] = 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            gt[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        }
        close(hs, single("HardSigmoid", 13, attrFloat("alpha", 0.3f), attrFloat("beta", 0.4f)).forward(x), 1e-6);
        close(hsw, single("HardSwish", 14).forward(x), 1e-6);
        close(ge, single("Gelu", 20).forward(x), 1e-5);
        close(ge, single("Gelu", 21, attrString("approximate", "none")).forward(x), 1e-5);
        close(gt, single("Gelu", 20, attrString("approximate", "tanh")).forward(x), 1e-5);
        String e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Gelu", "g", List.of("x"), List.of("y"), attrString("approximate", "sigmoid")).model(20));
        assertTrue(e.contains("node 'g' (op Gelu, opset 20): approximate 'sigmoid' is not supported (none, tanh)"), e);
        assertTrue(loadError(new OnnxWriter.Graph().input("x").output("y").node("HardSwish", "h", List.of("x"), List.of("y")).model(13))
                .contains("(op HardSwish, opset 13): HardSwish is defined from opset 14"));
        boolean[] bits = {true, false, false, true, true};
        boolean[] not = single("Not", 13).forward(Tensor.of(bits, 5)).toBooleanArray();
        for (int i = 0; i < bits.length; i++) assertEquals(!bits[i], not[i]);
    }

    /** erf by its Maclaurin series (|x| small) or continued fraction complement; exact to ~1e-12 over the test's range. */
    private static double erf(double x) {
        if (Math.abs(x) > 4) return Math.signum(x);
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void splitInItsAttributeInputAndNumOutputsFormsCutTheInput() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(23), 3, 7);
        // opset 11: sizes as an attribute
        OnnxModel a = load(new OnnxWriter.Graph().input("x").output("p").output("q")
                .node("Split", "s", List.of("x"), List.of("p", "q"), attrInt("axis", 1), attrInts("split", 2, 5)).model(11));
        checkSplit(x, a.run(Map.of("x", x)), new int[] {2, 5});
        // opset 13: sizes as an input
        OnnxModel b = load(new OnnxWriter.Graph().init("sizes", Tensor.of(new long[] {4, 0, 3}, 3)).input("x").output("p").output("q").output("r")
                .node("Split", "s", List.of("x", "sizes"), List.of("p", "q", "r"), attrInt("axis", -1)).model(13));
        checkSplit(x, b.run(Map.of("x", x)), new int[] {4, 0, 3});
        // opset 18: num_outputs = 3 over 7 → ⌈7/3⌉ = 3, 3, 1
        OnnxModel c = load(new OnnxWriter.Graph().input("x").output("p").output("q").output("r")
                .node("Split", "s", List.of("x"), List.of("p", "q", "r"), attrInt("axis", 1), attrInt("num_outputs", 3)).model(18));
        checkSplit(x, c.run(Map.of("x", x)), new int[] {3, 3, 1});
        // opset 13, no sizes: equal parts along axis 0
        OnnxModel e = load(new OnnxWriter.Graph().input("x").output("p").output("q").output("r")
                .node("Split", "s", List.of("x"), List.of("p", "q", "r")).model(13));
        Map<String, Tensor> eo = e.run(Map.of("x", x));
        for (int k = 0; k < 3; k++) close(java.util.Arrays.copyOfRange(d(x), 7 * k, 7 * k + 7), eo.get(List.of("p", "q", "r").get(k)), 0);
        String err = loadError(new OnnxWriter.Graph().input("x").output("p").node("Split", "s", List.of("x"), List.of("p")).model(18));
        assertTrue(err.contains("node 's' (op Split, opset 18): either the 'split' input or the 'num_outputs' attribute is required"), err);
    }

    private static void checkSplit(Tensor x, Map<String, Tensor> out, int[] sizes) {
        assertEquals(sizes.length, out.size());
        int at = 0, k = 0;
        for (Tensor t : out.values()) {
            assertArrayEquals(new int[] {3, sizes[k]}, t.shape());
            for (int i = 0; i < 3; i++) for (int j = 0; j < sizes[k]; j++) assertEquals(x.get(i, at + j), t.get(i, j));
            at += sizes[k++];
        }
    }

    @Test
    void tileRangeAndConstantOfShapeMatchPlainLoops() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(24), 2, 3);
        OnnxModel tile = load(new OnnxWriter.Graph().init("reps", Tensor.of(new long[] {2, 3}, 2)).input("x").output("y")
                .node("Tile", "t", List.of("x", "reps"), List.of("y")).model(13));
        Tensor y = tile.forward(x);
        assertArrayEquals(new int[] {4, 9}, y.shape());
        for (int i = 0; i < 4; i++) for (int j = 0; j < 9; j++) assertEquals(x.get(i % 2, j % 3), y.get(i, j));
        OnnxModel range = load(new OnnxWriter.Graph().input("a").input("b").input("c").output("y")
                .node("Range", "r", List.of("a", "b", "c"), List.of("y")).model(11));
        long[][] ints = {{1, 10, 3}, {10, 1, -4}, {5, 5, 1}, {0, -3, 1}};
        for (long[] t : ints) {
            Tensor r = range.run(Map.of("a", Tensor.of(new long[] {t[0]}, 1).reshape(), "b", Tensor.of(new long[] {t[1]}, 1).reshape(),
                    "c", Tensor.of(new long[] {t[2]}, 1).reshape())).get("y");
            java.util.List<Long> ref = new java.util.ArrayList<>();
            for (long v = t[0]; t[2] > 0 ? v < t[1] : v > t[1]; v += t[2]) ref.add(v);
            assertArrayEquals(ref.stream().mapToLong(Long::longValue).toArray(), r.toLongArray(), java.util.Arrays.toString(t));
            assertEquals(DType.INT64, r.dtype());
        }
        Tensor fr = range.run(Map.of("a", Tensor.of(0.5f), "b", Tensor.of(2.1f), "c", Tensor.of(0.4f))).get("y");
        assertEquals(DType.FLOAT32, fr.dtype());
        double start = 0.5f, limit = 2.1f, delta = 0.4f;
        double[] fref = new double[(int) Math.ceil((limit - start) / delta)];
        for (int i = 0; i < fref.length; i++) fref[i] = start + i * delta;
        assertEquals(4, fref.length);
        close(fref, fr, 1e-6);
        OnnxModel cos = load(new OnnxWriter.Graph().input("s").output("y")
                .node("ConstantOfShape", "c", List.of("s"), List.of("y"), attrTensor("value", Tensor.of(new long[] {7}, 1))).model(11));
        Tensor co = cos.forward(Tensor.of(new long[] {2, 3}, 2));
        assertEquals(DType.INT64, co.dtype());
        assertArrayEquals(new long[] {7, 7, 7, 7, 7, 7}, co.toLongArray());
        assertArrayEquals(new int[] {2, 3}, co.shape());
        OnnxModel zero = load(new OnnxWriter.Graph().input("s").output("y").node("ConstantOfShape", "c", List.of("s"), List.of("y")).model(20));
        Tensor z = zero.forward(Tensor.of(new long[] {4}, 1));
        assertEquals(DType.FLOAT32, z.dtype());
        close(new double[4], z, 0);
    }

    /** Index j of a padded axis of size n with b before, read from the input: -1 for the fill value. */
    private static int padIndex(String mode, int j, int b, int n) {
        int i = j - b;
        if (i >= 0 && i < n) return i;
        return switch (mode) {
            case "edge" -> i < 0 ? 0 : n - 1;
            case "reflect" -> {
                while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
                yield i;
            }
            case "wrap" -> ((i % n) + n) % n;
            default -> -1;
        };
    }

    @Test
    void padInEveryModeAndFormMatchesAnIndexLoop() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(25), 2, 3, 4);
        long[] pads = {0, 2, 1, 1, 3, -1}; // begins for axes 0..2, then ends; -1 crops the last column
        for (String mode : new String[] {"constant", "reflect", "edge", "wrap"}) {
            long opset = mode.equals("wrap") ? 19 : 13;
            OnnxModel m = load(new OnnxWriter.Graph().init("pads", Tensor.of(pads, 6)).init("v", Tensor.of(1.5f)).input("x").output("y")
                    .node("Pad", "p", List.of("x", "pads", "v"), List.of("y"), attrString("mode", mode)).model(opset));
            Tensor y = m.forward(x);
            int[] shape = {3, 8, 4};
            assertArrayEquals(shape, y.shape(), mode);
            double[] ref = new double[3 * 8 * 4];
            for (int a = 0; a < 3; a++) for (int b = 0; b < 8; b++) for (int c = 0; c < 4; c++) {
                int ia = padIndex(mode, a, 0, 2), ib = padIndex(mode, b, 2, 3), ic = padIndex(mode, c, 1, 3); // the crop leaves 3 columns
                ref[(a * 8 + b) * 4 + c] = ia < 0 || ib < 0 || ic < 0 ? 1.5 : x.get(ia, ib, ic);
            }
            close(ref, y, 0);
        }
        // opset 11 pads attribute form, with value; opset 18 axes input
        OnnxModel old = load(new OnnxWriter.Graph().input("x").output("y")
                .node("Pad", "p", List.of("x"), List.of("y"), attrInts("pads", 0, 0, 1, 0, 0, 2), attrFloat("value", -2f)).model(10));
        Tensor yo = old.forward(x);
        assertArrayEquals(new int[] {2, 3, 7}, yo.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 7; k++) assertEquals(k == 0 || k > 4 ? -2 : x.get(i, j, k - 1), yo.get(i, j, k));
        OnnxModel ax = load(new OnnxWriter.Graph().init("pads", Tensor.of(new long[] {1, 1}, 2)).init("axes", Tensor.of(new long[] {-2}, 1))
                .input("x").output("y").node("Pad", "p", List.of("x", "pads", "", "axes"), List.of("y"), attrString("mode", "edge")).model(18));
        Tensor ya = ax.forward(x);
        assertArrayEquals(new int[] {2, 5, 4}, ya.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) for (int k = 0; k < 4; k++) assertEquals(x.get(i, Math.clamp(j - 1, 0, 2), k), ya.get(i, j, k));
        String e = loadError(new OnnxWriter.Graph().init("pads", Tensor.of(pads, 6)).input("x").output("y")
                .node("Pad", "p", List.of("x", "pads"), List.of("y"), attrString("mode", "wrap")).model(18));
        assertTrue(e.contains("node 'p' (op Pad, opset 18): mode 'wrap' is not supported (constant, edge, reflect)"), e);
    }

    /** A float64 Resize of one axis: the source coordinate by mode, then nearest rounding or linear weights, clamped. */
    private static double[] resizeRef(double[] x, int rows, int n, int m, double scale, String coords, String mode, String rounding) {
        double[] out = new double[rows * m];
        for (int r = 0; r < rows; r++) for (int i = 0; i < m; i++) {
            double s = switch (coords) {
                case "asymmetric" -> i / scale;
                case "align_corners" -> m == 1 ? 0 : i * (n - 1.0) / (m - 1);
                case "pytorch_half_pixel" -> m > 1 ? (i + 0.5) / scale - 0.5 : 0;
                case "tf_half_pixel_for_nn" -> (i + 0.5) / scale;
                case "half_pixel_symmetric" -> n / 2.0 * (1 - m / (n * scale)) + (i + 0.5) / scale - 0.5;
                default -> (i + 0.5) / scale - 0.5;
            };
            if (mode.equals("nearest")) {
                double v = switch (rounding) {
                    case "floor" -> Math.floor(s);
                    case "ceil" -> Math.ceil(s);
                    case "round_prefer_ceil" -> s - Math.floor(s) == 0.5 ? Math.ceil(s) : Math.round(s);
                    default -> s - Math.floor(s) == 0.5 ? Math.floor(s) : Math.round(s);
                };
                out[r * m + i] = x[r * n + (int) Math.max(0, Math.min(n - 1, v))];
            } else {
                double c = Math.max(0, Math.min(n - 1, s));
                int lo = (int) Math.floor(c), hi = Math.min(lo + 1, n - 1);
                out[r * m + i] = x[r * n + lo] * (1 - (c - lo)) + x[r * n + hi] * (c - lo);
            }
        }
        return out;
    }

    @Test
    void resizeNearestAndLinearMatchAFloat64ReferenceForEachCoordinateMode() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(26), 2, 5);
        for (String coords : new String[] {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"}) {
            for (String mode : new String[] {"nearest", "linear"}) {
                for (String rounding : mode.equals("nearest") ? new String[] {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"} : new String[] {"floor"}) {
                    ProtoWriter[] attrs = mode.equals("nearest")
                            ? new ProtoWriter[] {attrString("mode", mode), attrString("coordinate_transformation_mode", coords), attrString("nearest_mode", rounding)}
                            : new ProtoWriter[] {attrString("mode", mode), attrString("coordinate_transformation_mode", coords)};
                    // scales ×2.5 (5 → 12) and ×0.6 (5 → 3), and sizes 8 (scale 1.6)
                    for (float sc : new float[] {2.5f, 0.6f}) {
                        OnnxModel m = load(new OnnxWriter.Graph().init("roi", Tensor.of(new float[0], 0)).init("scales", Tensor.of(new float[] {1, sc}, 2))
                                .input("x").output("y").node("Resize", "r", List.of("x", "roi", "scales"), List.of("y"), attrs).model(13));
                        int out = (int) Math.floor(5 * (double) sc);
                        close(resizeRef(d(x), 2, 5, out, sc, coords, mode, rounding), m.forward(x), 1e-5);
                    }
                    OnnxModel m = load(new OnnxWriter.Graph().init("sizes", Tensor.of(new long[] {2, 8}, 2)).input("x").output("y")
                            .node("Resize", "r", List.of("x", "", "", "sizes"), List.of("y"), attrs).model(13));
                    close(resizeRef(d(x), 2, 5, 8, 8 / 5.0, coords, mode, rounding), m.forward(x), 1e-5);
                }
            }
        }
        // the modes of some opsets only: tf_half_pixel_for_nn before 13, half_pixel_symmetric from 19 (scale 0.7: 5 → 3.5, 3 outputs)
        for (String[] mo : new String[][] {{"tf_half_pixel_for_nn", "11", "nearest"}, {"half_pixel_symmetric", "19", "linear"}, {"half_pixel_symmetric", "19", "nearest"}}) {
            OnnxModel m = load(new OnnxWriter.Graph().init("roi", Tensor.of(new float[0], 0)).init("scales", Tensor.of(new float[] {1, 0.7f}, 2))
                    .input("x").output("y").node("Resize", "r", List.of("x", "roi", "scales"), List.of("y"), attrString("mode", mo[2]),
                            attrString("coordinate_transformation_mode", mo[0])).model(Long.parseLong(mo[1])));
            close(resizeRef(d(x), 2, 5, 3, 0.7f, mo[0], mo[2], "round_prefer_floor"), m.forward(x), 1e-5);
        }
        assertTrue(loadError(new OnnxWriter.Graph().input("x").output("y")
                .node("Resize", "r", List.of("x"), List.of("y"), attrString("coordinate_transformation_mode", "half_pixel_symmetric")).model(18))
                .contains("coordinate_transformation_mode 'half_pixel_symmetric' is not supported"));
        assertTrue(loadError(new OnnxWriter.Graph().input("x").output("y").node("Resize", "r", List.of("x"), List.of("y"), attrInts("axes", 2)).model(13))
                .contains("(op Resize, opset 13): attribute 'axes' is not supported"));
        // Bilinear on [N, C, H, W] is the two axes one after the other: compare with the 1-D reference applied twice
        Tensor img = Tensor.randn(new SplittableRandom(27), 1, 2, 3, 4);
        OnnxModel bl = load(new OnnxWriter.Graph().init("sizes", Tensor.of(new long[] {6, 7}, 2)).input("x").output("y")
                .node("Resize", "r", List.of("x", "", "", "sizes"), List.of("y"), attrString("mode", "linear"), attrInts("axes", 2, 3)).model(18));
        double[] rowsDone = resizeRef(d(img), 6, 4, 7, 7 / 4.0, "half_pixel", "linear", "");
        double[] t = new double[2 * 7 * 3]; // to [C, W', H] so H is the last axis
        for (int c = 0; c < 2; c++) for (int h = 0; h < 3; h++) for (int w = 0; w < 7; w++) t[(c * 7 + w) * 3 + h] = rowsDone[(c * 3 + h) * 7 + w];
        double[] cols = resizeRef(t, 14, 3, 6, 2.0, "half_pixel", "linear", "");
        double[] ref = new double[2 * 6 * 7];
        for (int c = 0; c < 2; c++) for (int h = 0; h < 6; h++) for (int w = 0; w < 7; w++) ref[(c * 6 + h) * 7 + w] = cols[(c * 7 + w) * 6 + h];
        close(ref, bl.forward(img), 1e-5);
        String e = loadError(new OnnxWriter.Graph().input("x").output("y")
                .node("Resize", "r", List.of("x"), List.of("y"), attrString("coordinate_transformation_mode", "tf_crop_and_resize")).model(13));
        assertTrue(e.contains("node 'r' (op Resize, opset 13): coordinate_transformation_mode 'tf_crop_and_resize' is not supported (align_corners, asymmetric, half_pixel, pytorch_half_pixel)"), e);
        e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Resize", "r", List.of("x"), List.of("y"), attrInt("antialias", 1)).model(18));
        assertTrue(e.contains("(op Resize, opset 18): antialias = 1 is not supported"), e);
    }
    @Test
    void castBetweenTheSupportedTypesFollowsTheSpecification() throws Exception {
        double[] v = {-2.7, -0.5, 0, 0.4, 1, 3.9, 1e10};
        Tensor x = Tensor.of(v, v.length);
        long[] to = {OnnxFile.FLOAT, OnnxFile.DOUBLE, OnnxFile.INT64, OnnxFile.INT32, OnnxFile.BOOL};
        for (long t : to) {
            Tensor y = single("Cast", 13, attrInt("to", t)).forward(x);
            for (int i = 0; i < v.length; i++) {
                double want = switch ((int) t) {
                    case OnnxFile.FLOAT -> (float) v[i];
                    case OnnxFile.INT64, OnnxFile.INT32 -> (long) v[i]; // toward zero
                    case OnnxFile.BOOL -> v[i] != 0 ? 1 : 0;
                    default -> v[i];
                };
                if (t == OnnxFile.INT32 && Math.abs(v[i]) > Integer.MAX_VALUE) continue; // out of int32's range: undefined in ONNX
                assertEquals(want, y.to(DType.FLOAT64).toDoubleArray()[i], 0, "Cast to " + t + " of " + v[i]);
            }
        }
        Tensor fromBool = single("Cast", 13, attrInt("to", OnnxFile.FLOAT)).forward(Tensor.of(new boolean[] {true, false}, 2));
        assertEquals(DType.FLOAT32, fromBool.dtype());
        assertArrayEquals(new float[] {1, 0}, fromBool.toFloatArray());
        Tensor fromLong = single("Cast", 13, attrInt("to", OnnxFile.DOUBLE)).forward(Tensor.of(new long[] {-3, 1L << 40}, 2));
        assertArrayEquals(new double[] {-3, 1L << 40}, fromLong.toDoubleArray());
        String e = loadError(new OnnxWriter.Graph().input("x").output("y").node("Cast", "c", List.of("x"), List.of("y"), attrInt("to", 12)).model(13));
        assertTrue(e.contains("node 'c' (op Cast, opset 13): Cast to data type 12 is not supported"), e); // UINT32: no Descent dtype
    }
    @Test
    void gradientsThroughTheNewOpsMatchFiniteDifferences() throws Exception {
        SplittableRandom rng = new SplittableRandom(28);
        Tensor scale = Tensor.randn(DType.FLOAT64, rng, 2), bias = Tensor.randn(DType.FLOAT64, rng, 2), g = Tensor.randn(DType.FLOAT64, rng, 5);
        // x [1, 2, 3, 3] → Pad reflect (1 each side of W) → Resize linear to [4, 5] → InstanceNormalization → LayerNormalization
        // over W → HardSwish → Gelu (tanh) → Split in two along W, the first part is the output
        OnnxModel m = load(new OnnxWriter.Graph().init("pads", Tensor.of(new long[] {0, 0, 0, 1, 0, 0, 0, 1}, 8))
                .init("sizes", Tensor.of(new long[] {1, 2, 4, 5}, 4)).init("s", scale).init("b", bias).init("g", g)
                .input("x").output("y")
                .node("Pad", "pad", List.of("x", "pads"), List.of("p"), attrString("mode", "reflect"))
                .node("Resize", "rs", List.of("p", "", "", "sizes"), List.of("r"), attrString("mode", "linear"))
                .node("InstanceNormalization", "in", List.of("r", "s", "b"), List.of("i"))
                .node("LayerNormalization", "ln", List.of("i", "g"), List.of("l"))
                .node("HardSwish", "hs", List.of("l"), List.of("h"))
                .node("Gelu", "ge", List.of("h"), List.of("q"), attrString("approximate", "tanh"))
                .node("Split", "sp", List.of("q"), List.of("y", "rest"), attrInt("axis", -1), attrInt("num_outputs", 2)).model(20));
        dev.descent.core.check.GradCheck.check(m::forward, Tensor.randn(DType.FLOAT64, rng, 1, 2, 3, 3));
    }
}
