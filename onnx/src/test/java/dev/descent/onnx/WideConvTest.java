package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.FusedConvolution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The widened stride-1 convolution against a float64 direct convolution written from the definition. */
class WideConvTest {

    /** y[n,o,i,j] = b[o] + Σ x[n,c,i+u−top,j+v−left]·w[o,c,u,v] in float64 (zeros outside x), and Σ of the magnitudes. */
    private static double[][] reference(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int o, int kh, int kw, int top, int left, int ho, int wo) {
        double[] y = new double[n * o * ho * wo], mag = new double[y.length];
        for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double s = b == null ? 0 : b[oi], m = b == null ? 0 : Math.abs(b[oi]);
            for (int ci = 0; ci < c; ci++) for (int u = 0; u < kh; u++) for (int v = 0; v < kw; v++) {
                int yy = i + u - top, xx = j + v - left;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                double p = (double) x[((im * c + ci) * h + yy) * wd + xx] * w[((oi * c + ci) * kh + u) * kw + v];
                s += p;
                m += Math.abs(p);
            }
            y[((im * o + oi) * ho + i) * wo + j] = s;
            mag[((im * o + oi) * ho + i) * wo + j] = m;
        }
        return new double[][] {y, mag};
    }

    @Test
    void matchesTheDirectConvolutionOverRandomShapesAndAsymmetricPaddings() {
        Assumptions.assumeTrue(Vectors.ENABLED, "the widened path needs the vector kernels");
        qt().withExamples(30).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(2), c = 8 + r.nextInt(9), o = 8 + r.nextInt(17), k = 1 + 2 * r.nextInt(2), h = 3 + r.nextInt(8);
            int wd = Vectors.FL + 1 + r.nextInt(2 * Vectors.FL), top = r.nextInt(2), bottom = r.nextInt(2), left = r.nextInt(2), right = r.nextInt(2);
            int ho = h + top + bottom - k + 1, wo = wd + left + right - k + 1;
            float[] x = new float[n * c * h * wd], w = new float[o * c * k * k], b = seed % 2 == 0 ? new float[o] : null;
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
            for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
            if (b != null) for (int i = 0; i < o; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
            Tensor y;
            try (var g = GradMode.noGrad()) {
                y = WideConv.tryConv(Tensor.of(x, n, c, h, wd), Tensor.of(w, o, c, k, k), b == null ? null : Tensor.of(b, o), top, left, bottom, right,
                        new int[] {1, 1}, new int[] {1, 1}, 1, FusedConvolution.Activation.NONE);
            }
            if (ho < 1 || wo % Vectors.FL == 0 || (wo + Vectors.FL - 1) / Vectors.FL * Vectors.FL > WideConv.MAX_WIDENING * wo) {
                assertNull(y, "declines width " + wo);
                return;
            }
            assertNotNull(y, "applies to width " + wo);
            assertArrayEquals(new int[] {n, o, ho, wo}, y.shape());
            double[][] want = reference(x, w, b, n, c, h, wd, o, k, k, top, left, ho, wo);
            float[] got = y.contiguous().storage().floats();
            int off = y.contiguous().storageOffset();
            for (int i = 0; i < got.length - off && i < want[0].length; i++) {
                assertEquals(want[0][i], got[off + i], 1e-5 * want[1][i] + 1e-7, "element " + i + " of " + n + "×" + c + "×" + h + "×" + wd + " k" + k);
            }
        });
    }

    @Test
    void declinesStridesGroupsAndGradients() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 8, 10, 20), w = Tensor.zeros(DType.FLOAT32, 8, 8, 3, 3);
        var none = FusedConvolution.Activation.NONE;
        try (var g = GradMode.noGrad()) {
            assertNull(WideConv.tryConv(x, w, null, 1, 1, 1, 1, new int[] {2, 2}, new int[] {1, 1}, 1, none), "stride 2");
            assertNull(WideConv.tryConv(x, w, null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {2, 2}, 1, none), "dilation 2");
            assertNull(WideConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 8, 4, 3, 3), null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 2, none), "groups");
        }
        assertNull(WideConv.tryConv(x, w.requiresGrad(true), null, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 1, none), "gradient recorded");
    }
}
