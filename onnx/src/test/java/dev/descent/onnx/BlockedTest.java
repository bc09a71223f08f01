package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static dev.descent.onnx.PointwiseConvTest.ACTS;
import static dev.descent.onnx.PointwiseConvTest.activate;
import static dev.descent.onnx.PointwiseConvTest.random;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.FusedConvolution;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The channel-blocked inference path: the reorders, each kernel against a float64 loop written from the definition and
 * against its scalar twin (bit for bit), and whole plans with and without it.
 */
class BlockedTest {
    private static final int B = Blocked.B;

    @Test
    void reordersKeepEveryValueAndZeroThePadding() {
        qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(3 * B), h = 1 + r.nextInt(20), w = 1 + r.nextInt(20), cb = Blocked.blocks(c);
            float[] x = random(r, n * c * h * w);
            Tensor xb = Blocked.block(Tensor.of(x, n, c, h, w));
            assertArrayEquals(new int[] {n, cb, h, w, B}, xb.shape());
            float[] a = xb.contiguous().storage().floats();
            for (int im = 0; im < n; im++) for (int ch = 0; ch < cb * B; ch++) for (int p = 0; p < h * w; p++) {
                float want = ch < c ? x[(im * c + ch) * h * w + p] : 0f;
                assertEquals(want, a[((im * cb + ch / B) * h * w + p) * B + ch % B], "channel " + ch + ", pixel " + p);
            }
            assertArrayEquals(x, Blocked.planes(xb, c).contiguous().storage().floats());
        });
    }

    /**
     * Depthwise 3×3: channel counts below, at and past a block, maps down to one pixel, strides 1 and 2 on each axis,
     * paddings 0 to 2 on each side (TensorFlow's SAME is asymmetric), bias or none, each activation; on one and two
     * threads. Float64 definition within a bound, and the scalar twin's bits.
     */
    @Test
    void depthwiseMatchesTheDefinitionAndItsScalarTwin() {
        qt().withExamples(60).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(3 * B), h = 1 + r.nextInt(14), w = 1 + r.nextInt(14), sh = 1 + r.nextInt(2), sw = 1 + r.nextInt(2);
            int[] pads = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)};
            if (h + pads[0] + pads[2] < 3 || w + pads[1] + pads[3] < 3) return;
            int kind = r.nextInt(ACTS.length), ho = (h + pads[0] + pads[2] - 3) / sh + 1, wo = (w + pads[1] + pads[3] - 3) / sw + 1;
            float[] x = random(r, n * c * h * w), wt = random(r, c * 9), b = r.nextBoolean() ? random(r, c) : null;
            String what = n + "×" + c + "×" + h + "×" + w + " stride " + sh + "," + sw + " pads " + java.util.Arrays.toString(pads) + ", activation " + kind
                    + (b == null ? ", no bias" : "");
            Tensor got = run(Tensor.of(x, n, c, h, w), Tensor.of(wt, c, 1, 3, 3), b == null ? null : Tensor.of(b, c), pads, new int[] {sh, sw}, c, ACTS[kind],
                    1 + seed % 2, what);
            assertArrayEquals(new int[] {n, c, ho, wo}, got.shape(), what);
            float[] y = got.contiguous().storage().floats();
            for (int im = 0; im < n; im++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
                double s = b == null ? 0 : b[ch], m = Math.abs(s);
                for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                    int ih = i * sh - pads[0] + u, iw = j * sw - pads[1] + v;
                    if (ih < 0 || iw < 0 || ih >= h || iw >= w) continue;
                    double t = (double) wt[ch * 9 + u * 3 + v] * x[((im * c + ch) * h + ih) * w + iw];
                    s += t;
                    m += Math.abs(t);
                }
                assertEquals(activate(kind, s), y[((im * c + ch) * ho + i) * wo + j], 2e-6 * m + 1e-6, what + " at " + ch + ", " + i + ", " + j);
            }
        });
    }

    /** 1×1: input and output channel counts around blocks and pairs of blocks, pixel counts around the 8-pixel tile. */
    @Test
    void pointwiseMatchesTheDefinitionAndItsScalarTwin() {
        qt().withExamples(60).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(3 * B), o = 1 + r.nextInt(5 * B), h = 1 + r.nextInt(12), w = 1 + r.nextInt(12), kind = r.nextInt(ACTS.length);
            float[] x = random(r, n * c * h * w), wt = random(r, o * c), b = r.nextBoolean() ? random(r, o) : null;
            String what = n + "×" + c + "×" + h + "×" + w + " → " + o + ", activation " + kind + (b == null ? ", no bias" : "");
            Tensor got = run(Tensor.of(x, n, c, h, w), Tensor.of(wt, o, c, 1, 1), b == null ? null : Tensor.of(b, o), new int[4], new int[] {1, 1}, 1, ACTS[kind],
                    1 + seed % 2, what);
            assertArrayEquals(new int[] {n, o, h, w}, got.shape(), what);
            float[] y = got.contiguous().storage().floats();
            for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int p = 0; p < h * w; p++) {
                double s = b == null ? 0 : b[oi], m = Math.abs(s);
                for (int ci = 0; ci < c; ci++) {
                    double t = (double) wt[oi * c + ci] * x[(im * c + ci) * h * w + p];
                    s += t;
                    m += Math.abs(t);
                }
                assertEquals(activate(kind, s), y[(im * o + oi) * h * w + p], 2e-6 * m + 1e-6, what + " at " + oi + ", " + p);
            }
        });
    }

    /** The blocked kernel's output in planes, after checking that the scalar twin has the same bits. */
    private static Tensor run(Tensor x, Tensor w, Tensor b, int[] pads, int[] strides, int groups, FusedConvolution.Activation act, int threads, String what) {
        int[] one = {1, 1};
        try (var g = GradMode.noGrad(); var t = Threads.limit(threads)) {
            Tensor xb = Blocked.block(x);
            Tensor fast = Blocked.conv(xb, w, b, pads, strides, one, groups, act, new PackedWeights(), true), twin = Blocked.conv(xb, w, b, pads, strides, one, groups, act, null, false);
            assertTrue(Blocked.isBlocked(fast), what);
            assertArrayEquals(twin.contiguous().storage().floats(), fast.contiguous().storage().floats(), what + ": the scalar twin's bits");
            return Blocked.planes(fast, w.size(0));
        }
    }

    /**
     * The node's packing of a 1×1 and a depthwise weight is made once and kept while the weight's values stay; a weight
     * changed in place (a fine-tuning step) is packed again: doubling it doubles every output exactly.
     */
    @Test
    void packedWeightsAreKeptWhileTheWeightStaysAndRenewedAfterAnInPlaceUpdate() {
        SplittableRandom r = new SplittableRandom(11);
        int c = 20, h = 6, wd = 5;
        Tensor x = Tensor.of(random(r, c * h * wd), 1, c, h, wd);
        int[] one = {1, 1};
        for (Tensor w : List.of(Tensor.of(random(r, 24 * c), 24, c, 1, 1), Tensor.of(random(r, c * 9), c, 1, 3, 3))) {
            int groups = w.size(1) == 1 ? c : 1;
            int[] pads = w.size(2) == 3 ? new int[] {1, 1, 1, 1} : new int[4];
            PackedWeights packed = new PackedWeights();
            try (var g = GradMode.noGrad()) {
                Tensor xb = Blocked.block(x);
                float[] first = Blocked.planes(Blocked.conv(xb, w, null, pads, one, one, groups, FusedConvolution.Activation.NONE, packed), w.size(0)).toFloatArray();
                float[] p = packed.of(w, PackedWeights.Form.BLOCKED);
                assertArrayEquals(Blocked.pack(w.toFloatArray(), w.shape()), p, "the packing");
                assertTrue(p == packed.of(Tensor.of(w.toFloatArray(), w.shape()), PackedWeights.Form.BLOCKED), "kept for a weight of the same values");
                w.mulInPlace(2);
                float[] second = Blocked.planes(Blocked.conv(xb, w, null, pads, one, one, groups, FusedConvolution.Activation.NONE, packed), w.size(0)).toFloatArray();
                for (int i = 0; i < first.length; i++) assertEquals(2 * first[i], second[i], 0, "output " + i + " after the weight doubled");
                assertFalse(p == packed.of(w, PackedWeights.Form.BLOCKED), "packed again");
            }
        }
    }

    /** A convolution the layout has no kernel for (a dense 3×3) still takes and gives blocked values, through planes. */
    @Test
    void aConvolutionWithoutABlockedKernelRunsThroughPlanes() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = Tensor.of(random(r, 2 * 5 * 7 * 6), 2, 5, 7, 6), w = Tensor.of(random(r, 4 * 5 * 9), 4, 5, 3, 3);
        try (var g = GradMode.noGrad()) {
            Tensor y = Blocked.conv(Blocked.block(x), w, null, new int[] {1, 1, 1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, FusedConvolution.Activation.RELU, null);
            assertTrue(Blocked.isBlocked(y));
            Tensor want = OnnxOps.asymmetricConv(x, w, null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, FusedConvolution.Activation.RELU, null);
            assertArrayEquals(want.contiguous().storage().floats(), Blocked.planes(y, 4).contiguous().storage().floats());
        }
    }

    /**
     * An inverted-residual block and a stride-2 depthwise convolution after a Pad (as tf2onnx writes TensorFlow's SAME):
     * expansion 1×1 + Relu, depthwise 3×3 + Clip, projection 1×1 + the residual Add, Pad, depthwise stride 2; a Sigmoid
     * reads the expansion too (a reader in planes). The plan blocks the five convolutions, with one reorder of the input
     * (read twice) and one out for each value read in planes; its outputs equal the planes plan's within float32 rounding, and with
     * gradients on the model still differentiates.
     */
    @Test
    void aBlockedPlanRunsLikeThePlanesPlan() throws Exception {
        assumeTrue(Blocked.enabled, "vectors of at least 8 floats");
        int c = B + 3, e = 2 * B + 5, h = 9, w = 11;
        SplittableRandom r = new SplittableRandom(11);
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", 1, c, h, w).output("y", 1, e, 5, 6).output("s", 1, e, h, w);
        g.init("w1", Tensor.of(random(r, e * c), e, c, 1, 1)).init("b1", Tensor.of(random(r, e), e));
        g.init("w2", Tensor.of(random(r, e * 9), e, 1, 3, 3)).init("b2", Tensor.of(random(r, e), e));
        g.init("w3", Tensor.of(random(r, c * e), c, e, 1, 1)).init("b3", Tensor.of(random(r, c), c));
        g.init("w4", Tensor.of(random(r, c * e), e, c, 1, 1));
        g.init("w5", Tensor.of(random(r, e * 9), e, 1, 3, 3));
        g.init("lo", Tensor.of(0f)).init("hi", Tensor.of(6f)).init("pads", Tensor.of(new long[] {0, 0, 0, 0, 0, 0, 1, 1}, 8));
        g.node("Conv", "expand", List.of("x", "w1", "b1"), List.of("e0"), attrInts("kernel_shape", 1, 1));
        g.node("Relu", "relu", List.of("e0"), List.of("e1"));
        g.node("Sigmoid", "gate", List.of("e1"), List.of("s"));
        g.node("Conv", "dw", List.of("e1", "w2", "b2"), List.of("d0"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1), attrInt("group", e));
        g.node("Clip", "relu6", List.of("d0", "lo", "hi"), List.of("d1"));
        g.node("Conv", "project", List.of("d1", "w3", "b3"), List.of("p0"), attrInts("kernel_shape", 1, 1));
        g.node("Add", "residual", List.of("p0", "x"), List.of("p1"));
        g.node("Conv", "expand2", List.of("p1", "w4"), List.of("q0"), attrInts("kernel_shape", 1, 1));
        g.node("Pad", "same", List.of("q0", "pads"), List.of("q1"));
        g.node("Conv", "down", List.of("q1", "w5"), List.of("y"), attrInts("kernel_shape", 3, 3), attrInts("strides", 2, 2), attrInt("group", e));
        byte[] bytes = g.model(13);
        Tensor x = Tensor.of(random(r, c * h * w), 1, c, h, w);

        boolean was = Blocked.enabled;
        int minRegion = ChannelBlocking.minRegion, perReorder = ChannelBlocking.perReorder;
        Map<String, Tensor> planes, blocked;
        OnnxModel pm, bm;
        try {
            ChannelBlocking.minRegion = 3; // a small model's region
            ChannelBlocking.perReorder = 1;
            Blocked.enabled = false;
            pm = OnnxModel.read("m.onnx", bytes);
            assertFalse(pm.stepOps().contains("Reorder"));
            try (var ng = GradMode.noGrad()) {
                planes = pm.run(Map.of("x", x));
            }
            Blocked.enabled = true;
            bm = OnnxModel.read("m.onnx", bytes);
            try (var ng = GradMode.noGrad()) {
                blocked = bm.run(Map.of("x", x));
            }
            ChannelBlocking.minRegion = 6;
            assertFalse(OnnxModel.read("m.onnx", bytes).stepOps().contains("Reorder"), "a region of five convolutions under a bound of six");
        } finally {
            Blocked.enabled = was;
            ChannelBlocking.minRegion = minRegion;
            ChannelBlocking.perReorder = perReorder;
        }
        // into blocks: x, once for the expansion and the residual; out: e1 (the Sigmoid), y (a graph output)
        assertEquals(3, Collections.frequency(bm.stepOps(), "Reorder"), bm.stepOps().toString());
        for (String name : List.of("y", "s")) {
            float[] want = planes.get(name).contiguous().storage().floats(), got = blocked.get(name).contiguous().storage().floats();
            assertArrayEquals(planes.get(name).shape(), blocked.get(name).shape(), name);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), name + " element " + i);
        }
        // with gradients: every step on planes, so the first weight's gradient is the planes plan's, bit for bit
        bm.run(Map.of("x", x)).get("y").sum().backward();
        pm.run(Map.of("x", x)).get("y").sum().backward();
        Tensor got = bm.parameters().get(0).grad(), want = pm.parameters().get(0).grad();
        assertNotNull(got, "a gradient through the blocked plan's steps");
        assertArrayEquals(want.toFloatArray(), got.toFloatArray());
    }
}
