package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.FusedConvolution;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Winograd F(2×2, 3×3) convolution against a float64 direct convolution written from the definition. */
class WinogradConvTest {
    private int minChannels;
    private boolean enabled, large;

    /**
     * The kernel on and on small shapes too (the speed gate of 64 channels lowered to 8), with F(2×2, 3×3) tiles at every
     * size: Winograd43Test tests the 4×4 tiles that larger maps take.
     */
    @BeforeEach
    void lowerTheGate() {
        minChannels = WinogradConv.minChannels;
        enabled = WinogradConv.enabled;
        large = WinogradConv.large;
        WinogradConv.minChannels = 8;
        WinogradConv.enabled = true;
        WinogradConv.large = false;
    }

    @AfterEach
    void restoreTheGate() {
        WinogradConv.minChannels = minChannels;
        WinogradConv.enabled = enabled;
        WinogradConv.large = large;
    }

    /** y[n,o,i,j] = b[o] + Σ_c,u,v x[n,c,i+u−ph,j+v−pw]·w[o,c,u,v] in float64, zeros outside x. */
    static double[] reference(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int o, int ph, int pw) {
        int ho = h + 2 * ph - 2, wo = wd + 2 * pw - 2;
        double[] y = new double[n * o * ho * wo];
        for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double s = b == null ? 0 : b[oi];
            for (int ci = 0; ci < c; ci++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                int yy = i + u - ph, xx = j + v - pw;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                s += (double) x[((im * c + ci) * h + yy) * wd + xx] * w[((oi * c + ci) * 3 + u) * 3 + v];
            }
            y[((im * o + oi) * ho + i) * wo + j] = s;
        }
        return y;
    }

    /** Σ |x·w| per output (the scale float32 rounding errors are relative to), float64. */
    static double[] magnitude(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int o, int ph, int pw) {
        float[] ax = x.clone(), aw = w.clone(), ab = b == null ? null : b.clone();
        for (int i = 0; i < ax.length; i++) ax[i] = Math.abs(ax[i]);
        for (int i = 0; i < aw.length; i++) aw[i] = Math.abs(aw[i]);
        if (ab != null) for (int i = 0; i < ab.length; i++) ab[i] = Math.abs(ab[i]);
        return reference(ax, aw, ab, n, c, h, wd, o, ph, pw);
    }

    static float[] random(SplittableRandom r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void matchesTheDirectConvolutionOverRandomShapesPaddingsAndChannels() {
        qt().withExamples(40).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 8 + r.nextInt(17), o = 8 + r.nextInt(13), h = 4 + r.nextInt(16), wd = 4 + r.nextInt(16), pad = r.nextInt(3);
            int ph = pad, pw = (pad + seed) % 3;
            int ho = h + 2 * ph - 2, wo = wd + 2 * pw - 2;
            if (ho < 4 || wo < 4) return;
            float[] x = random(r, n * c * h * wd), w = random(r, o * c * 9), b = seed % 2 == 0 ? random(r, o) : null;
            Tensor xt = Tensor.of(x, n, c, h, wd), wt = Tensor.of(w, o, c, 3, 3), bt = b == null ? null : Tensor.of(b, o);
            Tensor y;
            try (var g = GradMode.noGrad()) {
                y = WinogradConv.tryConv(xt, wt, bt, ph, pw, ph, pw, new int[] {1, 1}, new int[] {1, 1}, 1, FusedConvolution.Activation.NONE,
                        new PackedWeights());
            }
            assertNotNull(y, "Winograd should apply to " + c + "→" + o + " channels, " + h + "×" + wd + " pad " + ph + "," + pw);
            assertArrayEquals(new int[] {n, o, ho, wo}, y.shape());
            double[] want = reference(x, w, b, n, c, h, wd, o, ph, pw), mag = magnitude(x, w, b, n, c, h, wd, o, ph, pw);
            float[] got = y.contiguous().storage().floats();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[y.contiguous().storageOffset() + i], 1e-5 * mag[i] + 1e-7,
                        "element " + i + " of " + n + "×" + c + "×" + h + "×" + wd + " → " + o + " pad " + ph + "," + pw);
            }
        });
    }

    /**
     * Dilated by d and padded by d (sizes divisible by d): the mosaic of the d² phase sub-images through the Winograd
     * kernels (2×2 tiles, and 4×4 with their gate lowered), against the dilated convolution written from the definition
     * in float64.
     */
    @Test
    void aDilatedConvolutionThroughItsPhasesMosaicMatchesTheDefinition() {
        int minLarge = WinogradConv.minLargePixels;
        try {
            qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
                SplittableRandom r = new SplittableRandom(seed);
                int d = new int[] {2, 3, 5}[r.nextInt(3)], n = 1 + r.nextInt(2), c = 8 + r.nextInt(9), o = 8 + r.nextInt(9);
                int hs = 2 + r.nextInt(8), ws = 2 + r.nextInt(8), ph = d, pw = d, h = d * hs, wd = d * ws;
                WinogradConv.large = r.nextBoolean();
                WinogradConv.minLargePixels = 16;
                float[] x = random(r, n * c * h * wd), w = random(r, o * c * 9), b = seed % 2 == 0 ? random(r, o) : null;
                Tensor y;
                try (var g = GradMode.noGrad()) {
                    y = WinogradConv.tryConv(Tensor.of(x, n, c, h, wd), Tensor.of(w, o, c, 3, 3), b == null ? null : Tensor.of(b, o), ph, pw, ph, pw,
                            new int[] {1, 1}, new int[] {d, d}, 1, FusedConvolution.Activation.NONE, new PackedWeights());
                }
                String what = n + "×" + c + "×" + h + "×" + wd + " → " + o + " dilation " + d + " pad " + ph + "," + pw + (WinogradConv.large ? ", 4×4 tiles" : "");
                assertNotNull(y, what);
                int ho = h + 2 * ph - 2 * d, wo = wd + 2 * pw - 2 * d;
                assertArrayEquals(new int[] {n, o, ho, wo}, y.shape(), what);
                float[] got = y.contiguous().storage().floats();
                float[] ax = x.clone(), aw = w.clone();
                for (int i = 0; i < ax.length; i++) ax[i] = Math.abs(ax[i]);
                for (int i = 0; i < aw.length; i++) aw[i] = Math.abs(aw[i]);
                double[] want = dilatedReference(x, w, b, n, c, h, wd, o, ph, pw, d), mag = dilatedReference(ax, aw, null, n, c, h, wd, o, ph, pw, d);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * (mag[i] + 1) + 1e-7, "element " + i + " of " + what);
            });
        } finally {
            WinogradConv.minLargePixels = minLarge;
        }
    }

    /** y[n,o,i,j] = b[o] + Σ_c,u,v x[n,c,i+d·u−ph,j+d·v−pw]·w[o,c,u,v] in float64, zeros outside x. */
    private static double[] dilatedReference(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int o, int ph, int pw, int d) {
        int ho = h + 2 * ph - 2 * d, wo = wd + 2 * pw - 2 * d;
        double[] y = new double[n * o * ho * wo];
        for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double s = b == null ? 0 : b[oi];
            for (int ci = 0; ci < c; ci++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                int yy = i + d * u - ph, xx = j + d * v - pw;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                s += (double) x[((im * c + ci) * h + yy) * wd + xx] * w[((oi * c + ci) * 3 + u) * 3 + v];
            }
            y[((im * o + oi) * ho + i) * wo + j] = s;
        }
        return y;
    }

    @Test
    void vectorTransformsGiveTheScalarTwinsBits() {
        // widths below, at and beyond a vector of tiles, odd and even outputs, blocks of tiles spanning tile rows
        qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(9), o = 1 + r.nextInt(9), h = 3 + r.nextInt(40), wd = 3 + r.nextInt(80), ph = r.nextInt(2), pw = r.nextInt(2);
            int ho = h + 2 * ph - 2, wo = wd + 2 * pw - 2;
            if (ho < 1 || wo < 1) return;
            Tensor x = Tensor.of(random(r, n * c * h * wd), n, c, h, wd), w = Tensor.of(random(r, o * c * 9), o, c, 3, 3);
            float[] u = WinogradConv.transformFilter(w);
            float[] vec = WinogradConv.forward(x, u, o, ph, pw, null, true).contiguous().storage().floats();
            float[] sca = WinogradConv.forward(x, u, o, ph, pw, null, false).contiguous().storage().floats();
            assertArrayEquals(sca, vec, n + "×" + c + "×" + h + "×" + wd + " → " + o + " pad " + ph + "," + pw);
        });
    }

    @Test
    void fusesBiasAndActivationLikeTheSeparateOps() {
        // 30 tiles (one block), and 19 × 23 tiles (blocks ending inside tile rows, odd output sizes: cut at the edges)
        fusesBiasAndActivation(9, 11);
        fusesBiasAndActivation(37, 45);
    }

    private static void fusesBiasAndActivation(int h, int wd) {
        SplittableRandom r = new SplittableRandom(7);
        int n = 2, c = 12, o = 10;
        Tensor x = Tensor.of(random(r, n * c * h * wd), n, c, h, wd), w = Tensor.of(random(r, o * c * 9), o, c, 3, 3), b = Tensor.of(random(r, o), o);
        FusedConvolution.Activation act = FusedConvolution.Activation.clamp(0, 0.5).thenAffine(2, -0.25);
        try (var g = GradMode.noGrad()) {
            Tensor fast = WinogradConv.tryConv(x, w, b, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, act, new PackedWeights());
            Tensor direct = act.apply(dev.descent.core.ops.Convolution.conv2d(x, w, b, 1, 1));
            assertArrayEquals(direct.shape(), fast.shape());
            float[] f = fast.contiguous().storage().floats(), d = direct.contiguous().storage().floats();
            for (int i = 0; i < f.length; i++) assertEquals(d[i], f[i], 2e-5, "element " + i);
        }
    }

    @Test
    void declinesWhatItDoesNotCompute() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 8, 8, 8), w = Tensor.zeros(DType.FLOAT32, 8, 8, 3, 3);
        var none = FusedConvolution.Activation.NONE;
        var f = new PackedWeights();
        try (var g = GradMode.noGrad()) {
            assertNull(WinogradConv.tryConv(x, w, null, 1, 1, 1, 1, new int[] {2, 2}, new int[] {1, 1}, 1, none, f), "stride 2");
            assertNull(WinogradConv.tryConv(x, w, null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {2, 2}, 1, none, f), "dilation 2, padding 1");
            assertNull(WinogradConv.tryConv(x, w, null, 2, 2, 2, 2, new int[] {1, 1}, new int[] {2, 3}, 1, none, f), "dilations 2 and 3");
            assertNull(WinogradConv.tryConv(Tensor.zeros(DType.FLOAT32, 1, 8, 9, 8), w, null, 2, 2, 2, 2, new int[] {1, 1}, new int[] {2, 2}, 1, none, f),
                    "dilation 2, height 9");
            assertNull(WinogradConv.tryConv(x, w, null, 4, 4, 4, 4, new int[] {1, 1}, new int[] {2, 2}, 1, none, f), "dilation 2, padding 4");
            assertNotNull(WinogradConv.tryConv(x, w, null, 2, 2, 2, 2, new int[] {1, 1}, new int[] {2, 2}, 1, none, f), "dilation 2, padding 2");
            assertNull(WinogradConv.tryConv(x, w, null, 1, 1, 2, 1, new int[] {1, 1}, new int[] {1, 1}, 1, none, f), "asymmetric padding");
            assertNull(WinogradConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 8, 8, 5, 5), null, 2, 2, 2, 2, new int[] {1, 1}, new int[] {1, 1}, 1, none, f), "5×5");
            assertNotNull(WinogradConv.tryConv(x, w, null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, none, f));
        }
        Tensor wg = Tensor.zeros(DType.FLOAT32, 8, 8, 3, 3).requiresGrad(true);
        assertNull(WinogradConv.tryConv(x, wg, null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, none, f), "gradient recorded");
        assertTrue(WinogradConv.applies(8, 8, 3, 3, 1, 1, 1, 1, 1, 4, 4));
        assertFalse(WinogradConv.applies(8, 8, 3, 3, 1, 1, 1, 1, 2, 4, 4));
        assertFalse(WinogradConv.applies(64, 64, 3, 3, 1, 1, 1, 1, 1, 81, 80), "more pixels than the gate");
        WinogradConv.minChannels = minChannels;
        assertFalse(WinogradConv.applies(32, 64, 3, 3, 1, 1, 1, 1, 1, 40, 40), "fewer channels than the default gate");
        assertTrue(WinogradConv.applies(64, 64, 3, 3, 1, 1, 1, 1, 1, 40, 40));
        assertTrue(WinogradConv.applies(96, 24, 3, 3, 1, 1, 1, 1, 1, 40, 40), "few outputs at 40×40");
        assertTrue(WinogradConv.applies(96, 24, 3, 3, 1, 1, 1, 1, 1, 20, 20), "few outputs at 20×20");
        assertFalse(WinogradConv.applies(96, 24, 3, 3, 1, 1, 1, 1, 1, 10, 10), "few outputs at 10×10");
        assertFalse(WinogradConv.applies(96, 24, 3, 3, 1, 1, 1, 1, 1, 80, 80), "few outputs at 80×80");
        assertFalse(WinogradConv.applies(96, 8, 3, 3, 1, 1, 1, 1, 1, 40, 40), "fewer outputs than the second gate");
    }

    private static final PackedWeights.Form W23 = PackedWeights.Form.WINOGRAD_2X2;

    @Test
    void filterTransformIsKeptWhileTheWeightsValuesStay() {
        var f = new PackedWeights();
        SplittableRandom r = new SplittableRandom(5);
        Tensor w = Tensor.of(random(r, 8 * 8 * 9), 8, 8, 3, 3);
        float[] u = f.of(w, W23);
        assertArrayEquals(WinogradConv.transformFilter(w), u);
        assertSame(u, f.of(w, W23), "the same weight");
        assertSame(u, f.of(Tensor.of(w.toFloatArray(), 8, 8, 3, 3), W23), "a new weight of the same values (a folded normalization)");
        try (var ng = GradMode.noGrad()) {
            w.mulInPlace(-0.5); // an optimizer's step
        }
        float[] v = f.of(w, W23);
        assertFalse(u == v, "the weight changed in place");
        assertArrayEquals(WinogradConv.transformFilter(w), v);
        Tensor t = w.transpose(0, 1); // strided, other values
        assertArrayEquals(WinogradConv.transformFilter(t), f.of(t, W23));
        Tensor z = Tensor.zeros(DType.FLOAT32, 8, 4, 3, 3), z2 = Tensor.zeros(DType.FLOAT32, 4, 8, 3, 3);
        assertEquals(16 * 8 * 4, f.of(z, W23).length);
        assertArrayEquals(WinogradConv.transformFilter(z2), f.of(z2, W23), "same values, another shape");
    }

    /**
     * A model's Conv run without gradients, its weight then changed in place (as a fine-tuning step does) and run
     * again: the second run uses the new weight. Doubling the weight doubles every output exactly (a power of two).
     */
    @Test
    void inferenceAfterAnInPlaceUpdateUsesTheNewWeight() throws Exception {
        assertTrue(WinogradConv.applies(8, 8, 3, 3, 1, 1, 1, 1, 1, 10, 10), "the kernel takes this convolution");
        SplittableRandom r = new SplittableRandom(9);
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", 1, 8, 10, 10).output("y", 1, 8, 10, 10);
        g.init("w", Tensor.of(random(r, 8 * 8 * 9), 8, 8, 3, 3));
        g.node("Conv", "conv", List.of("x", "w"), List.of("y"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
        OnnxModel m = OnnxModel.read("m.onnx", g.model(13));
        Tensor x = Tensor.of(random(r, 8 * 100), 1, 8, 10, 10);
        float[] before, after;
        try (var ng = GradMode.noGrad()) {
            before = m.run(Map.of("x", x)).get("y").toFloatArray();
            m.parameters().get(0).mulInPlace(2);
            after = m.run(Map.of("x", x)).get("y").toFloatArray();
        }
        for (int i = 0; i < before.length; i++) assertEquals(2 * before[i], after[i], "element " + i);
    }
}
