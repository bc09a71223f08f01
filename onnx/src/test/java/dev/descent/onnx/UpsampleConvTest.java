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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The 2×2 stride-2 transposed convolution as four interleaved 1×1 convolutions, against a float64 loop from the definition. */
class UpsampleConvTest {
    private static float[] random(SplittableRandom r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void matchesTheDefinitionOverImagesBlocksAndRowTails() {
        Assumptions.assumeTrue(Vectors.ENABLED, "vector kernels off");
        qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(12), o = 1 + r.nextInt(20), h = 1 + r.nextInt(40), w = 1 + r.nextInt(70);
            if (!PointwiseConv.tiled(o, h * w)) return;
            float[] x = random(r, n * c * h * w), wt = random(r, c * o * 4), b = r.nextBoolean() ? random(r, o) : null;
            Tensor y;
            try (var g = GradMode.noGrad(); var t = Threads.limit(1 + seed % 2)) {
                y = UpsampleConv.tryConv(Tensor.of(x, n, c, h, w), Tensor.of(wt, c, o, 2, 2), b == null ? null : Tensor.of(b, o), 2, 2, new int[4], 1, 1, 1, 0, 0);
            }
            String what = n + "×" + c + "×" + h + "×" + w + " → " + o + (b == null ? ", no bias" : "");
            assertNotNull(y, what);
            assertArrayEquals(new int[] {n, o, 2 * h, 2 * w}, y.shape(), what);
            float[] got = y.contiguous().storage().floats();
            for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int yy = 0; yy < 2 * h; yy++) for (int xx = 0; xx < 2 * w; xx++) {
                double s = b == null ? 0 : b[oi], m = Math.abs(s);
                for (int ci = 0; ci < c; ci++) {
                    double t = (double) wt[((ci * o + oi) * 2 + yy % 2) * 2 + xx % 2] * x[((im * c + ci) * h + yy / 2) * w + xx / 2];
                    s += t;
                    m += Math.abs(t);
                }
                assertEquals(s, got[((im * o + oi) * 2 * h + yy) * 2 * w + xx], 2e-6 * m + 1e-7, what + " at " + oi + ", " + yy + ", " + xx);
            }
        });
    }

    @Test
    void declinesWhatItDoesNotCompute() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 8, 40, 40), w = Tensor.zeros(DType.FLOAT32, 8, 8, 2, 2);
        int[] none = new int[4];
        try (var g = GradMode.noGrad()) {
            if (Vectors.ENABLED) assertNotNull(UpsampleConv.tryConv(x, w, null, 2, 2, none, 1, 1, 1, 0, 0));
            assertNull(UpsampleConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 8, 8, 3, 3), null, 2, 2, none, 1, 1, 1, 0, 0), "3×3");
            assertNull(UpsampleConv.tryConv(x, w, null, 1, 1, none, 1, 1, 1, 0, 0), "stride 1");
            assertNull(UpsampleConv.tryConv(x, w, null, 2, 2, new int[] {1, 1, 1, 1}, 1, 1, 1, 0, 0), "padding");
            assertNull(UpsampleConv.tryConv(x, w, null, 2, 2, none, 1, 1, 1, 1, 1), "output padding");
            assertNull(UpsampleConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 8, 4, 2, 2), null, 2, 2, none, 1, 1, 2, 0, 0), "groups");
        }
        assertNull(UpsampleConv.tryConv(x, w.requiresGrad(true), null, 2, 2, none, 1, 1, 1, 0, 0), "gradient recorded");
    }
}
