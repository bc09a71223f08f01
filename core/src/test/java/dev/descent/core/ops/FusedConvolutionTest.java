package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.ConvKernels.Geometry;
import dev.descent.core.kernel.DepthwiseConv;
import dev.descent.core.kernel.DirectConv;
import dev.descent.core.kernel.Vectors;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Convolution with its bias and activation fused into the output loop (inference), and the direct depthwise kernel.
 * Outside depthwise the fused result must equal the separate ops bit for bit; depthwise must equal a float64 loop within
 * the float32 rounding bound of a sum of k products, its vector kernel must equal its scalar twin bit for bit, and with
 * gradients on the fused op must be the composed ops (gradients included).
 */
class FusedConvolutionTest {
    private static final List<FusedConvolution.Activation> ACTS = List.of(FusedConvolution.Activation.NONE, FusedConvolution.Activation.RELU,
            FusedConvolution.Activation.SIGMOID, FusedConvolution.Activation.HARDSWISH, FusedConvolution.Activation.HARDSIGMOID,
            FusedConvolution.Activation.clamp(0, 6), FusedConvolution.Activation.clamp(Double.NEGATIVE_INFINITY, 0.5),
            FusedConvolution.Activation.HARDSWISH.thenAffine(-1.25, 0.375), FusedConvolution.Activation.NONE.thenAffine(0.5, 0),
            FusedConvolution.Activation.RELU.thenAffine(1, -2), FusedConvolution.Activation.HARDSWISH.beforeAffine(0.75, -0.5).thenAffine(2, 0.25));

    private static Tensor randn(SplittableRandom rng, int... shape) {
        return Tensor.randn(rng, shape).to(DType.FLOAT32);
    }

    /**
     * Geometries: implicit GEMM (stride 1, output 16 or 32 wide), im2col (stride 2, dilation), grouped, depthwise (rows
     * of 53 and 101 pixels: passes of four, two and one vectors and a partial one at 8 and 16 lanes); those of at most 4
     * input channels (a first layer) take the direct kernel, with 5, 6 or 7 output channels (a partial block of 4).
     */
    private static final int[][] GEOMETRIES = { // n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups
        {2, 3, 6, 32, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {2, 4, 5, 16, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1},
        {3, 3, 7, 9, 4, 3, 2, 2, 1, 1, 0, 1, 2, 1},
        {2, 4, 6, 7, 6, 3, 3, 1, 2, 1, 1, 1, 1, 2},
        {2, 8, 9, 40, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8},
        {2, 6, 11, 37, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6},
        {1, 5, 8, 21, 10, 5, 5, 2, 1, 2, 2, 1, 1, 5},
        {2, 4, 9, 19, 4, 3, 3, 1, 3, 2, 2, 2, 2, 4},
        {2, 3, 7, 70, 3, 5, 5, 2, 1, 2, 2, 1, 1, 3},
        {2, 4, 5, 10, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1},
        {5, 12, 1, 1, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1},
        {2, 5, 6, 32, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        {1, 4, 17, 70, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1},
        {1, 3, 20, 33, 9, 5, 5, 2, 2, 2, 2, 1, 1, 1},
        {2, 1, 9, 40, 3, 3, 3, 1, 1, 2, 2, 2, 2, 1},
        {1, 5, 10, 20, 7, 3, 3, 1, 1, 2, 2, 2, 2, 1},
        {2, 6, 15, 45, 5, 3, 3, 1, 1, 3, 6, 3, 3, 1},
        {2, 4, 3, 53, 4, 5, 5, 1, 1, 2, 2, 1, 1, 4},
        {1, 3, 2, 101, 3, 5, 5, 1, 1, 2, 2, 1, 1, 3},
    };

    /**
     * Whether the fused op takes a kernel of its own (not the separate op's): depthwise, few input channels
     * ({@link DirectConv}), a dilated convolution run as an undilated one over its phases, or a 1×1 convolution of 1×1 maps.
     */
    private static boolean ownKernel(int[] g) {
        Geometry q = Convolution.geometry("conv2d", new int[] {g[0], g[1], g[2], g[3]}, new int[] {g[4], g[1] / g[13], g[5], g[6]}, params(g));
        boolean dilatedAsBatch = g[11] > 1 && g[11] == g[12] && g[7] == 1 && g[8] == 1 && g[13] == 1 && g[9] % g[11] == 0 && g[10] % g[11] == 0
                && g[2] % g[11] == 0 && g[3] % g[11] == 0 && q.ho() % g[11] == 0 && q.wo() % g[11] == 0;
        return g[13] == g[1] || DirectConv.applies(q) || dilatedAsBatch || (g[2] == 1 && g[3] == 1 && g[5] == 1 && g[6] == 1 && g[13] == 1);
    }

    private static Convolution.Params params(int[] g) {
        return new Convolution.Params(g[7], g[8], g[9], g[10], g[11], g[12], g[13]);
    }

    @Test
    void withoutGradientsTheFusedOpEqualsTheSeparateOpsBitForBitOutsideDepthwise() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] g : GEOMETRIES) {
            if (ownKernel(g)) continue; // the next test
            Convolution.Params p = params(g);
            Tensor x = randn(rng, g[0], g[1], g[2], g[3]), w = randn(rng, g[4], g[1] / g[13], g[5], g[6]), b = randn(rng, g[4]);
            for (FusedConvolution.Activation act : ACTS) {
                for (Tensor bias : new Tensor[] {b, null}) {
                    try (var ng = GradMode.noGrad()) {
                        Tensor fused = FusedConvolution.conv2d(x, w, bias, p, act);
                        Tensor separate = act.apply(Convolution.conv2d(x, w, bias, p));
                        assertArrayEquals(separate.toFloatArray(), fused.toFloatArray(), act + " " + p + (bias == null ? "" : " with bias"));
                    }
                }
            }
        }
    }

    @Test
    void depthwiseAndOneByOneMapsEqualAFloat64LoopWithinTheRoundingOfTheirSums() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int[] g : GEOMETRIES) {
            if (!ownKernel(g)) continue;
            Convolution.Params p = params(g);
            int cg = g[1] / g[13], og = g[4] / g[13];
            Tensor x = randn(rng, g[0], g[1], g[2], g[3]), w = randn(rng, g[4], cg, g[5], g[6]), b = randn(rng, g[4]);
            Tensor y;
            try (var ng = GradMode.noGrad()) {
                y = FusedConvolution.conv2d(x, w, b, p, FusedConvolution.Activation.NONE);
            }
            Tensor general = Convolution.conv2d(x, w, b, p);
            assertArrayEquals(general.shape(), y.shape());
            int ho = y.size(2), wo = y.size(3), k = cg * g[5] * g[6];
            // Two float32 sums of the same k products plus the bias differ from the exact one by at most
            // (k + 1)·2⁻²⁴·Σ|terms| each (one rounding per product or fused step and per addition, first order).
            double unit = Math.scalb(1.0, -24);
            for (int n = 0; n < g[0]; n++) for (int o = 0; o < g[4]; o++) for (int oh = 0; oh < ho; oh++) for (int ow = 0; ow < wo; ow++) {
                int group = o / og;
                double exact = b.get(o), magnitude = Math.abs(b.get(o));
                for (int c = 0; c < cg; c++) for (int i = 0; i < g[5]; i++) for (int j = 0; j < g[6]; j++) {
                    int ih = oh * g[7] - g[9] + i * g[11], iw = ow * g[8] - g[10] + j * g[12];
                    if (ih < 0 || iw < 0 || ih >= g[2] || iw >= g[3]) continue;
                    double t = x.get(n, group * cg + c, ih, iw) * w.get(o, c, i, j);
                    exact += t;
                    magnitude += Math.abs(t);
                }
                double bound = 2 * (k + 1) * unit * magnitude;
                String at = p + " at " + List.of(n, o, oh, ow);
                assertEquals(exact, y.get(n, o, oh, ow), bound, "fused " + at);
                assertEquals(exact, general.get(n, o, oh, ow), bound, "general " + at);
            }
        }
    }

    @Test
    void depthwiseVectorKernelEqualsItsScalarTwinAndRuns() {
        SplittableRandom rng = new SplittableRandom(13);
        for (int[] g : GEOMETRIES) {
            if (g[13] != g[1]) continue;
            Convolution.Params p = params(g);
            Geometry q = Convolution.geometry("conv2d", new int[] {g[0], g[1], g[2], g[3]}, new int[] {g[4], 1, g[5], g[6]}, p);
            float[] x = randn(rng, g[0], g[1], g[2], g[3]).toFloatArray(), w = randn(rng, g[4], 1, g[5], g[6]).toFloatArray();
            float[] v = new float[q.n() * q.o() * q.pixels()], s = new float[v.length];
            long before = Vectors.vectorCalls();
            DepthwiseConv.forward(q, x, 0, w, 0, v, null, true);
            if (Vectors.ENABLED) assertTrue(Vectors.vectorCalls() > before, "the vector kernel ran");
            DepthwiseConv.forward(q, x, 0, w, 0, s, null, false);
            assertArrayEquals(s, v, p.toString());
        }
    }

    @Test
    void depthwiseEpilogueOnBandsOfRowsEqualsTheEpilogueOverWholePlanes() {
        // The kernel applies bias and activation to bands of rows as it writes them (about 1024 outputs a band); every
        // case's planes are several bands (rows of 20, 17 and 130 outputs), the last one short. Each output must get the epilogue once:
        // the same bits as the kernel without it, then the epilogue over each whole plane.
        SplittableRandom rng = new SplittableRandom(14);
        int[][] cases = {{300, 20, 3, 1, 1}, {300, 34, 3, 2, 1}, {150, 17, 5, 1, 2}, {61, 130, 3, 1, 1}}; // h, w, k, stride, pad
        for (int[] c : cases) {
            int ch = 3;
            Convolution.Params p = new Convolution.Params(c[3], c[3], c[4], c[4], 1, 1, ch);
            Geometry q = Convolution.geometry("conv2d", new int[] {2, ch, c[0], c[1]}, new int[] {ch, 1, c[2], c[2]}, p);
            float[] x = randn(rng, 2, ch, c[0], c[1]).toFloatArray(), w = randn(rng, ch, 1, c[2], c[2]).toFloatArray(), b = randn(rng, ch).toFloatArray();
            ConvEpilogue e = new ConvEpilogue(b, 0, ConvEpilogue.Activation.HARDSWISH, 0f, 0f, 1f, 0f, 1f, 0f);
            for (boolean vector : new boolean[] {true, false}) {
                float[] banded = new float[q.n() * q.o() * q.pixels()], whole = new float[banded.length];
                DepthwiseConv.forward(q, x, 0, w, 0, banded, e, vector);
                DepthwiseConv.forward(q, x, 0, w, 0, whole, null, vector);
                for (int plane = 0; plane < q.n() * q.o(); plane++) e.apply(whole, plane * q.pixels(), plane % q.o(), 1, q.pixels(), true);
                assertArrayEquals(whole, banded, p + " " + c[0] + "×" + c[1] + (vector ? " vector" : " scalar"));
            }
        }
    }

    @Test
    void fewChannelVectorKernelEqualsItsScalarTwinAndRuns() {
        SplittableRandom rng = new SplittableRandom(15);
        for (int[] g : GEOMETRIES) {
            Convolution.Params p = params(g);
            Geometry q = Convolution.geometry("conv2d", new int[] {g[0], g[1], g[2], g[3]}, new int[] {g[4], g[1] / g[13], g[5], g[6]}, p);
            if (!DirectConv.applies(q)) continue;
            float[] x = randn(rng, g[0], g[1], g[2], g[3]).toFloatArray(), w = randn(rng, g[4], g[1], g[5], g[6]).toFloatArray();
            float[] v = new float[q.n() * q.o() * q.pixels()], s = new float[v.length];
            long before = Vectors.vectorCalls();
            DirectConv.forward(q, x, 0, w, 0, v, null, true);
            if (Vectors.ENABLED) assertTrue(Vectors.vectorCalls() > before, "the vector kernel ran");
            DirectConv.forward(q, x, 0, w, 0, s, null, false);
            assertArrayEquals(s, v, p.toString());
        }
    }

    @Test
    void asymmetricPaddingEqualsTheConvolutionOfTheZeroPaddedInput() {
        SplittableRandom rng = new SplittableRandom(16);
        // [c, groups, stride, top, left, bottom, right]: depthwise and few-channel (direct kernels), and a general one
        int[][] cases = {{6, 6, 2, 0, 0, 1, 1}, {6, 6, 1, 2, 1, 0, 3}, {3, 1, 2, 1, 1, 2, 2}, {4, 1, 2, 0, 0, 1, 1}, {8, 1, 2, 0, 1, 1, 2}, {8, 2, 1, 1, 0, 2, 1}};
        for (int[] c : cases) {
            int o = c[1] == c[0] ? c[0] : 5 * c[1];
            Tensor x = randn(rng, 2, c[0], 11, 37), w = randn(rng, o, c[0] / c[1], 3, 3), b = randn(rng, o);
            Convolution.Params p = new Convolution.Params(c[2], c[2], c[3], c[4], 1, 1, c[1]);
            Tensor padded = Tensor.zeros(DType.FLOAT32, 2, c[0], 11 + c[3] + c[5], 37 + c[4] + c[6]);
            padded.narrow(2, c[3], 11).narrow(3, c[4], 37).copyFrom(x);
            Tensor expect = Convolution.conv2d(padded, w, b, new Convolution.Params(c[2], c[2], 0, 0, 1, 1, c[1])).relu();
            String what = java.util.Arrays.toString(c);
            Tensor y;
            try (var ng = GradMode.noGrad()) {
                y = FusedConvolution.conv2d(x, w, b, p, c[5], c[6], FusedConvolution.Activation.RELU);
            }
            assertArrayEquals(expect.shape(), y.shape(), what);
            float[] e = expect.toFloatArray(), a = y.toFloatArray();
            for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5f * (1 + Math.abs(e[i])), what + " element " + i);
            // with gradients: the padded input through the composed ops, and its gradient reaches x
            Tensor xg = x.detach().clone().requiresGrad(true);
            Tensor yg = FusedConvolution.conv2d(xg, w, b, p, c[5], c[6], FusedConvolution.Activation.RELU);
            assertArrayEquals(expect.toFloatArray(), yg.detach().toFloatArray(), what + " with gradients");
            yg.sum().backward();
            assertNotNull(xg.grad(), what);
        }
    }

    @Test
    void atBatchOneOnTwoThreadsTheOutputChannelBlocksGiveTheOneThreadResult() {
        SplittableRandom rng = new SplittableRandom(17);
        // big enough to be cut into channel blocks (o · pixels · rows ≥ 2^22), implicit GEMM and im2col, and a dilated one
        int[][] cases = {{1, 16, 32, 32, 30, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {1, 16, 33, 35, 40, 3, 3, 2, 1, 1, 1, 1, 1, 1},
            {1, 16, 40, 40, 30, 3, 3, 1, 1, 4, 4, 4, 4, 1}};
        for (int[] g : cases) {
            Convolution.Params p = params(g);
            Tensor x = randn(rng, g[0], g[1], g[2], g[3]), w = randn(rng, g[4], g[1], g[5], g[6]), b = randn(rng, g[4]);
            Tensor one, two;
            try (var ng = GradMode.noGrad()) {
                try (var l = dev.descent.core.Threads.limit(1)) {
                    one = FusedConvolution.conv2d(x, w, b, p, FusedConvolution.Activation.HARDSWISH);
                }
                try (var l = dev.descent.core.Threads.limit(2)) {
                    two = FusedConvolution.conv2d(x, w, b, p, FusedConvolution.Activation.HARDSWISH);
                }
            }
            assertArrayEquals(one.toFloatArray(), two.toFloatArray(), p.toString());
            Tensor separate = Convolution.conv2d(x, w, b, p).hardswish();
            float[] e = separate.toFloatArray(), a = two.toFloatArray();
            for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-4f * (1 + Math.abs(e[i])), p + " element " + i);
        }
    }

    @Test
    void withGradientsItIsTheComposedOps() {
        SplittableRandom rng = new SplittableRandom(14);
        for (int[] g : new int[][] {GEOMETRIES[0], GEOMETRIES[4]}) {
            Convolution.Params p = params(g);
            Tensor x = randn(rng, g[0], g[1], g[2], g[3]).requiresGrad(true), w = randn(rng, g[4], g[1] / g[13], g[5], g[6]).requiresGrad(true);
            Tensor b = randn(rng, g[4]).requiresGrad(true);
            Tensor fused = FusedConvolution.conv2d(x, w, b, p, FusedConvolution.Activation.HARDSWISH);
            Tensor composed = Convolution.conv2d(x, w, b, p).hardswish();
            assertArrayEquals(composed.detach().toFloatArray(), fused.detach().toFloatArray());
            fused.sum().backward();
            assertNotNull(w.grad(), "the weight gets a gradient");
            Tensor gw = w.grad().detach().clone(), gb = b.grad().detach().clone();
            w.zeroGrad();
            b.zeroGrad();
            composed.sum().backward();
            assertArrayEquals(w.grad().toFloatArray(), gw.toFloatArray());
            assertArrayEquals(b.grad().toFloatArray(), gb.toFloatArray());
        }
    }
}
