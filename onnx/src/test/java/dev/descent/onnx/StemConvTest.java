package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.FusedConvolution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The stem convolution (3×3, stride 2, few input channels) against a float64 loop written from the definition. */
class StemConvTest {
    private static float[] random(SplittableRandom r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static final FusedConvolution.Activation[] ACTS = {FusedConvolution.Activation.NONE, FusedConvolution.Activation.clamp(0, 6),
        FusedConvolution.Activation.HARDSWISH, FusedConvolution.Activation.SIGMOID};

    private static double activate(int kind, double v) {
        return switch (kind) {
            case 0 -> v;
            case 1 -> Math.min(6, Math.max(0, v));
            case 2 -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
            default -> 1 / (1 + Math.exp(-v));
        };
    }

    @Test
    void matchesTheDefinitionWithAnyPaddingOverImagesAndRowBands() {
        Assumptions.assumeTrue(Vectors.ENABLED, "vector kernels off");
        int l = Vectors.F.length();
        qt().withExamples(40).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(4), o = 4 * (1 + r.nextInt(3)), h = 3 + r.nextInt(30), w = 2 * l - 2 + r.nextInt(5 * l);
            int top = r.nextInt(3), left = r.nextInt(3), bottom = r.nextInt(3), right = r.nextInt(3), kind = r.nextInt(ACTS.length);
            int ho = (h + top + bottom - 3) / 2 + 1, wo = (w + left + right - 3) / 2 + 1;
            if (wo < l) return;
            float[] x = random(r, n * c * h * w), wt = random(r, o * c * 9), b = r.nextBoolean() ? random(r, o) : null;
            Tensor y;
            try (var g = GradMode.noGrad(); var t = Threads.limit(1 + seed % 2)) {
                y = StemConv.tryConv(Tensor.of(x, n, c, h, w), Tensor.of(wt, o, c, 3, 3), b == null ? null : Tensor.of(b, o), new int[] {top, left, bottom, right},
                        new int[] {2, 2}, new int[] {1, 1}, 1, ACTS[kind]);
            }
            String what = n + "×" + c + "×" + h + "×" + w + " → " + o + ", pads " + top + "," + left + "," + bottom + "," + right + ", activation " + kind;
            assertNotNull(y, what);
            assertArrayEquals(new int[] {n, o, ho, wo}, y.shape(), what);
            float[] got = y.contiguous().storage().floats();
            for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int yy = 0; yy < ho; yy++) for (int xx = 0; xx < wo; xx++) {
                double s = b == null ? 0 : b[oi], m = Math.abs(s);
                for (int ci = 0; ci < c; ci++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
                    int iy = 2 * yy + i - top, ix = 2 * xx + j - left;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    double t = (double) wt[((oi * c + ci) * 3 + i) * 3 + j] * x[((im * c + ci) * h + iy) * w + ix];
                    s += t;
                    m += Math.abs(t);
                }
                assertEquals(activate(kind, s), got[((im * o + oi) * ho + yy) * wo + xx], 2e-6 * m + 1e-6, what + " at " + oi + ", " + yy + ", " + xx);
            }
        });
    }

    @Test
    void declinesWhatItDoesNotCompute() {
        var none = FusedConvolution.Activation.NONE;
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 3, 80, 80), w = Tensor.zeros(DType.FLOAT32, 16, 3, 3, 3);
        int[] pads = {1, 1, 1, 1}, two = {2, 2}, one = {1, 1};
        try (var g = GradMode.noGrad()) {
            if (Vectors.ENABLED) assertNotNull(StemConv.tryConv(x, w, null, pads, two, one, 1, none));
            assertNull(StemConv.tryConv(x, w, null, pads, one, one, 1, none), "stride 1");
            assertNull(StemConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 14, 3, 3, 3), null, pads, two, one, 1, none), "outputs not a multiple of 4");
            assertNull(StemConv.tryConv(Tensor.zeros(DType.FLOAT32, 1, 8, 80, 80), Tensor.zeros(DType.FLOAT32, 16, 8, 3, 3), null, pads, two, one, 1, none),
                    "more than 4 inputs");
            assertNull(StemConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 16, 3, 5, 5), null, pads, two, one, 1, none), "5×5");
            assertNull(StemConv.tryConv(x, w, null, pads, two, two, 1, none), "dilated");
        }
        assertNull(StemConv.tryConv(x, w.requiresGrad(true), null, pads, two, one, 1, none), "gradient recorded");
    }
}
