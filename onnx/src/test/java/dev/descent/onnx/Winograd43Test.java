package dev.descent.onnx;

import static dev.descent.onnx.WinogradConvTest.magnitude;
import static dev.descent.onnx.WinogradConvTest.random;
import static dev.descent.onnx.WinogradConvTest.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.FusedConvolution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Winograd's F(4×4, 3×3) against a float64 direct convolution written from the definition, and its vector transforms against their scalar twins. */
class Winograd43Test {

    /**
     * Every output within 1e-5 of its tile's largest Σ|x·w|: F(4×4, 3×3)'s transforms, with factors up to 8, round more than
     * F(2×2, 3×3)'s (measured on 24×24 maps of 8 to 128 channels: at most 1–2.4e-6 of Σ|x·w|, 6–9e-8 on average, against
     * 0.7–1.1e-7 and 1.1–1.7e-8; a wrong coefficient errs by the output's own size). Shapes with output sizes of every residue mod 4,
     * maps narrower and wider than a vector of tiles, one and several blocks of tiles, paddings 0 to 2.
     */
    @Test
    void matchesTheDirectConvolutionOverRandomShapesPaddingsAndChannels() {
        qt().withExamples(40).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(40), o = 1 + r.nextInt(20), h = 3 + r.nextInt(40), wd = 3 + r.nextInt(60), ph = r.nextInt(3), pw = r.nextInt(3);
            int ho = h + 2 * ph - 2, wo = wd + 2 * pw - 2;
            if (ho < 1 || wo < 1) return;
            float[] x = random(r, n * c * h * wd), w = random(r, o * c * 9);
            Tensor y = Winograd43.forward(Tensor.of(x, n, c, h, wd), Winograd43.transformFilter(Tensor.of(w, o, c, 3, 3)), o, ph, pw, null, true);
            assertArrayEquals(new int[] {n, o, ho, wo}, y.shape());
            double[] want = reference(x, w, null, n, c, h, wd, o, ph, pw), mag = magnitude(x, w, null, n, c, h, wd, o, ph, pw);
            float[] got = y.contiguous().toFloatArray();
            double[] scale = tileMaxima(mag, n * o, ho, wo);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * scale[i] + 1e-7, "element " + i + " of " + n + "×" + c + "×" + h + "×" + wd + " → " + o + " pad " + ph + "," + pw);
            }
        });
    }

    /**
     * Each output's largest Σ|x·w| in its 4×4 tile: the rounding of a tile's transforms is that of its whole 6×6 input,
     * so an output of few taps (a corner with padding 2) errs by its neighbours' scale, not its own.
     */
    private static double[] tileMaxima(double[] mag, int planes, int ho, int wo) {
        double[] s = new double[mag.length];
        for (int p = 0; p < planes; p++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double m = 0;
            for (int a = i & ~3; a < Math.min(ho, (i & ~3) + 4); a++) for (int b = j & ~3; b < Math.min(wo, (j & ~3) + 4); b++) m = Math.max(m, mag[(p * ho + a) * wo + b]);
            s[(p * ho + i) * wo + j] = m;
        }
        return s;
    }

    @Test
    void vectorTransformsGiveTheScalarTwinsBits() {
        qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(9), o = 1 + r.nextInt(9), h = 3 + r.nextInt(50), wd = 3 + r.nextInt(150), ph = r.nextInt(3), pw = r.nextInt(3);
            int ho = h + 2 * ph - 2, wo = wd + 2 * pw - 2;
            if (ho < 1 || wo < 1) return;
            Tensor x = Tensor.of(random(r, n * c * h * wd), n, c, h, wd), w = Tensor.of(random(r, o * c * 9), o, c, 3, 3);
            float[] u = Winograd43.transformFilter(w);
            float[] vec = Winograd43.forward(x, u, o, ph, pw, null, true).contiguous().toFloatArray();
            float[] sca = Winograd43.forward(x, u, o, ph, pw, null, false).contiguous().toFloatArray();
            assertArrayEquals(sca, vec, n + "×" + c + "×" + h + "×" + wd + " → " + o + " pad " + ph + "," + pw);
        });
    }

    /** One and two threads give the same bits: each tile's sums are its own, whichever thread runs its block. */
    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        for (int size : new int[] {80, 20, 37}) {
            SplittableRandom r = new SplittableRandom(size);
            int c = 8, o = 8;
            Tensor x = Tensor.of(random(r, c * size * size), 1, c, size, size), w = Tensor.of(random(r, o * c * 9), o, c, 3, 3);
            float[] u = Winograd43.transformFilter(w), one;
            try (var t = dev.descent.core.Threads.limit(1)) {
                one = Winograd43.forward(x, u, o, 1, 1, null, true).toFloatArray();
            }
            try (var t = dev.descent.core.Threads.limit(2)) {
                assertArrayEquals(one, Winograd43.forward(x, u, o, 1, 1, null, true).toFloatArray(), size + "×" + size);
            }
        }
    }

    /** A Conv node's path: outputs of 20×20 and more take the 4×4 tiles (with the bias and activation), smaller ones F(2×2, 3×3). */
    @Test
    void largeMapsTakeTheLargeTilesWithTheirEpilogue() {
        int minChannels = WinogradConv.minChannels;
        WinogradConv.minChannels = 8;
        try (var g = GradMode.noGrad()) {
            assertTrue(WinogradConv.large(40, 40));
            assertTrue(WinogradConv.large(20, 20));
            assertFalse(WinogradConv.large(19, 20));
            SplittableRandom r = new SplittableRandom(3);
            int c = 12, o = 10, h = 41, wd = 43;
            Tensor x = Tensor.of(random(r, c * h * wd), 1, c, h, wd), w = Tensor.of(random(r, o * c * 9), o, c, 3, 3), b = Tensor.of(random(r, o), o);
            FusedConvolution.Activation act = FusedConvolution.Activation.clamp(0, 0.5).thenAffine(2, -0.25);
            PackedWeights filters = new PackedWeights();
            Tensor fast = WinogradConv.tryConv(x, w, b, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, act, filters);
            float[] u = filters.of(w, PackedWeights.Form.WINOGRAD_4X4);
            assertArrayEquals(Winograd43.transformFilter(w), u, "the node's cache holds the 4×4 tiles' transform");
            Tensor plain = Winograd43.forward(x, u, o, 1, 1, null, true);
            float[] f = fast.toFloatArray(), p = act.apply(plain.add(b.reshape(o, 1, 1))).toFloatArray();
            float[] d = act.apply(dev.descent.core.ops.Convolution.conv2d(x, w, b, 1, 1)).toFloatArray();
            for (int i = 0; i < f.length; i++) {
                assertEquals(p[i], f[i], 1e-6, "element " + i + ": bias and activation after the 4×4 tiles");
                assertEquals(d[i], f[i], 1e-4, "element " + i + " against the direct convolution");
            }
            float[] small = filters.of(w, PackedWeights.Form.WINOGRAD_2X2);
            assertNotSame(u, small, "the small tiles' transform is another");
            assertSame(u, filters.of(w, PackedWeights.Form.WINOGRAD_4X4), "each kept: a node whose input size varies takes both");
            assertSame(small, filters.of(w, PackedWeights.Form.WINOGRAD_2X2));
        } finally {
            WinogradConv.minChannels = minChannels;
        }
    }
}
