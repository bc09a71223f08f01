package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * layerNorm's fused normalisation against the same function composed from primitives: value and gradient in float64
 * (the plain backward's row kernel and the recording backward's differentiable ops both), second derivatives through
 * the recording rule, the float32 kernels against their scalar twins and float64; the fused affine part's float32
 * kernels against a plain loop of the composed mul, add and sums.
 */
class LayerNormFusedTest {

    private static Tensor composed(Tensor x, int[] dims, Tensor w, Tensor b, double eps) {
        Tensor mean = x.mean(dims, true), c = x.sub(mean);
        return c.div(c.square().mean(dims, true).add(eps).sqrt()).mul(w).add(b);
    }

    @Test
    void valueAndGradientsEqualTheComposedForm() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int[] shape : new int[][] {{2, 3, 5}, {4, 1}, {3, 17}, {2, 2, 3, 4}}) {
            int[] ns = shape.length == 4 ? new int[] {shape[2], shape[3]} : new int[] {shape[shape.length - 1]};
            int[] dims = shape.length == 4 ? new int[] {2, 3} : new int[] {shape.length - 1};
            Tensor x = Tensor.randn(DType.FLOAT64, rng, shape).mul(3).add(1).requiresGrad(true);
            Tensor w = Tensor.randn(DType.FLOAT64, rng, ns).requiresGrad(true), b = Tensor.randn(DType.FLOAT64, rng, ns).requiresGrad(true);
            Tensor fused = Normalization.layerNorm(x, ns, w, b, 1e-5), plain = composed(x, dims, w, b, 1e-5);
            assertTrue(fused.allClose(plain, 1e-12, 1e-12), "value " + fused + " vs " + plain);
            Tensor up = Tensor.randn(DType.FLOAT64, rng, shape);
            List<Tensor> inputs = List.of(x, w, b);
            List<Tensor> gf = Autograd.grad(fused, inputs, up, false), gr = Autograd.grad(fused, inputs, up, true), gp = Autograd.grad(plain, inputs, up, false);
            for (int i = 0; i < 3; i++) {
                int at = i;
                assertTrue(gf.get(i).allClose(gp.get(i), 1e-10, 1e-12), () -> "kernel gradient " + at + ": " + gf.get(at) + " vs " + gp.get(at));
                assertTrue(gr.get(i).allClose(gp.get(i), 1e-10, 1e-12), () -> "recorded gradient " + at + ": " + gr.get(at) + " vs " + gp.get(at));
            }
            // second order: d/dx of <grad_x, v> through the recording rule equals the composed form's
            Tensor v = Tensor.randn(DType.FLOAT64, rng, shape);
            Tensor hf = Autograd.grad(gr.get(0).mul(v).sum(), List.of(x), null, false).get(0);
            Tensor gpc = Autograd.grad(plain, List.of(x), up, true).get(0);
            Tensor hp = Autograd.grad(gpc.mul(v).sum(), List.of(x), null, false).get(0);
            assertTrue(hf.allClose(hp, 1e-9, 1e-11), "second derivative " + hf + " vs " + hp);
        }
    }

    @Test
    void float32RowKernelsEqualTheirScalarTwinsBitForBit() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(300), off = rng.nextInt(4);
            float[] x = new float[n + off], g = new float[n + off];
            for (int i = 0; i < n + off; i++) {
                x[i] = (float) (rng.nextGaussian() * 3 + 1);
                g[i] = (float) rng.nextGaussian();
            }
            float[] yv = new float[n], ys = new float[n], rv = new float[1], rsc = new float[1], lanes = new float[2 * dev.descent.core.kernel.Vectors.FL];
            Normalization.normalizeRowF(x, off, yv, 0, rv, 0, n, 1e-5, lanes, true);
            Normalization.normalizeRowF(x, off, ys, 0, rsc, 0, n, 1e-5, lanes, false);
            assertTrue(Float.floatToIntBits(rv[0]) == Float.floatToIntBits(rsc[0]), "rstd, n " + n);
            for (int i = 0; i < n; i++) assertTrue(Float.floatToIntBits(yv[i]) == Float.floatToIntBits(ys[i]), "x̂ at " + i + " of " + n);
            float[] dv = new float[n], ds = new float[n];
            Normalization.normalizedGradRowF(g, off, yv, 0, rv[0], dv, n, lanes, true);
            Normalization.normalizedGradRowF(g, off, yv, 0, rv[0], ds, n, lanes, false);
            for (int i = 0; i < n; i++) assertTrue(Float.floatToIntBits(dv[i]) == Float.floatToIntBits(ds[i]), "dx at " + i + " of " + n);
        }
    }

    @Test
    void float32AffineKernelsEqualTheirScalarTwinsAndAPlainLoopBitForBit() {
        // y = x̂·w + b per row; dx̂ = g·w, dw = Σ_rows g·x̂, db = Σ_rows g as running sums from row 0 (the composed sum's order)
        SplittableRandom rng = new SplittableRandom(9);
        for (int trial = 0; trial < 100; trial++) {
            int n = 1 + rng.nextInt(100), rows = 1 + rng.nextInt(20), off = rng.nextInt(3);
            float[] h = randomFloats(rng, rows * n + off), g = randomFloats(rng, rows * n + off), w = randomFloats(rng, n + off), b = randomFloats(rng, n + off);
            float[] yv = new float[rows * n], ys = new float[rows * n];
            for (int r = 0; r < rows; r++) {
                Normalization.affineRowF(h, off + r * n, w, off, b, off, yv, r * n, n, true);
                Normalization.affineRowF(h, off + r * n, w, off, b, off, ys, r * n, n, false);
            }
            float[] gxv = new float[rows * n], gxs = new float[rows * n], dwv = new float[n], dws = new float[n], dbv = new float[n], dbs = new float[n];
            // vector over column chunks that start at multiples of the lane count (as the pool cuts them), scalar over all
            int cut = Math.min(n, dev.descent.core.kernel.Vectors.FL * rng.nextInt(3));
            Normalization.affineGradColsF(g, off, h, off, w, off, gxv, dwv, dbv, rows, n, 0, cut, true);
            Normalization.affineGradColsF(g, off, h, off, w, off, gxv, dwv, dbv, rows, n, cut, n, true);
            Normalization.affineGradColsF(g, off, h, off, w, off, gxs, dws, dbs, rows, n, 0, n, false);
            for (int i = 0; i < n; i++) {
                float sw = 0f, sb = 0f;
                for (int r = 0; r < rows; r++) {
                    int at = r * n + i;
                    float y = h[off + at] * w[off + i] + b[off + i], gv = g[off + at];
                    assertTrue(Float.floatToIntBits(y) == Float.floatToIntBits(yv[at]) && Float.floatToIntBits(y) == Float.floatToIntBits(ys[at]), "y at " + at);
                    float gx = gv * w[off + i];
                    assertTrue(Float.floatToIntBits(gx) == Float.floatToIntBits(gxv[at]) && Float.floatToIntBits(gx) == Float.floatToIntBits(gxs[at]), "dx̂ at " + at);
                    sw = r == 0 ? gv * h[off + at] : sw + gv * h[off + at];
                    sb = r == 0 ? gv : sb + gv;
                }
                assertTrue(Float.floatToIntBits(sw) == Float.floatToIntBits(dwv[i]) && Float.floatToIntBits(sw) == Float.floatToIntBits(dws[i]), "dw at " + i + " of " + n);
                assertTrue(Float.floatToIntBits(sb) == Float.floatToIntBits(dbv[i]) && Float.floatToIntBits(sb) == Float.floatToIntBits(dbs[i]), "db at " + i + " of " + n);
            }
        }
    }

    private static float[] randomFloats(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    @Test
    void float32KernelsAreCloseToFloat64() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] shape = {6, 64};
        Tensor x64 = Tensor.randn(DType.FLOAT64, rng, shape).mul(2).add(0.5), up64 = Tensor.randn(DType.FLOAT64, rng, shape);
        Tensor x32 = x64.to(DType.FLOAT32).requiresGrad(true), xr = x32.detach().to(DType.FLOAT64).requiresGrad(true);
        Tensor y32 = Normalization.layerNorm(x32, new int[] {64}, null, null, 1e-5), y64 = Normalization.layerNorm(xr, new int[] {64}, null, null, 1e-5);
        assertTrue(y32.to(DType.FLOAT64).allClose(y64, 1e-5, 1e-5), "float32 value");
        Tensor g32 = Autograd.grad(y32, List.of(x32), up64.to(DType.FLOAT32), false).get(0), g64 = Autograd.grad(y64, List.of(xr), up64, false).get(0);
        assertTrue(g32.to(DType.FLOAT64).allClose(g64, 1e-4, 1e-5), "float32 gradient " + g32 + " vs " + g64);
    }
}
