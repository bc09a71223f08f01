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
import dev.descent.core.ops.FusedConvolution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inference 1×1 convolution (register tiles and the blocked GEMM form) against a float64 loop written from the definition, and its gate. */
class PointwiseConvTest {
    private int minOutput;

    @BeforeEach
    void lowerTheGate() {
        minOutput = PointwiseConv.minOutput;
        PointwiseConv.minOutput = 64;
    }

    @AfterEach
    void restoreTheGate() {
        PointwiseConv.minOutput = minOutput;
    }

    /** Uniform floats in [−1, 1). */
    static float[] random(SplittableRandom r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** The activations the kernels apply after the sums, as float64 functions. */
    static final FusedConvolution.Activation[] ACTS = {FusedConvolution.Activation.NONE, FusedConvolution.Activation.RELU,
        FusedConvolution.Activation.clamp(0, 0.75), FusedConvolution.Activation.HARDSWISH, FusedConvolution.Activation.SIGMOID,
        FusedConvolution.Activation.RELU.thenAffine(0.5, -0.25), FusedConvolution.Activation.HARDSIGMOID};

    /** ACTS[kind] in float64. */
    static double activate(int kind, double v) {
        return switch (kind) {
            case 0 -> v;
            case 1 -> Math.max(0, v);
            case 2 -> Math.min(0.75, Math.max(0, v));
            case 3 -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
            case 4 -> 1 / (1 + Math.exp(-v));
            case 5 -> Math.max(0, v) * 0.5 - 0.25;
            default -> Math.min(Math.max(v + 3, 0), 6) / 6;
        };
    }

    @Test
    void registerTilesMatchTheDefinitionOverStripsTailsAndImages() {
        check(true);
    }

    @Test
    void gemmFormMatchesTheDefinitionOverBlocksAndImages() {
        check(false);
    }

    /**
     * Pixel counts below, at and past a strip and a block, so blocks end inside planes and the last strip is short;
     * output counts not a multiple of four (the single-channel rows); bias or none; each activation.
     */
    private void check(boolean direct) {
        boolean was = PointwiseConv.direct;
        PointwiseConv.direct = direct;
        try {
            qt().withExamples(40).forAll(integers().between(0, 1_000_000)).checkAssert(seed -> {
                SplittableRandom r = new SplittableRandom(seed);
                int n = 1 + r.nextInt(2), c = 1 + r.nextInt(40), o = direct ? 1 + r.nextInt(30) : 4 * c + r.nextInt(9), h = 1 + r.nextInt(30), w = 1 + r.nextInt(50);
                if (!PointwiseConv.sized(c, o, h * w)) return;
                int kind = r.nextInt(ACTS.length);
                float[] x = random(r, n * c * h * w), wt = random(r, o * c), b = r.nextBoolean() ? random(r, o) : null;
                Tensor y;
                try (var g = GradMode.noGrad(); var t = Threads.limit(1 + seed % 2)) {
                    y = PointwiseConv.tryConv(Tensor.of(x, n, c, h, w), Tensor.of(wt, o, c, 1, 1), b == null ? null : Tensor.of(b, o), new int[4], new int[] {1, 1}, 1,
                            ACTS[kind]);
                }
                String what = n + "×" + c + "×" + h + "×" + w + " → " + o + ", activation " + kind + (b == null ? ", no bias" : "");
                assertNotNull(y, what);
                assertArrayEquals(new int[] {n, o, h, w}, y.shape(), what);
                float[] got = y.contiguous().storage().floats();
                for (int im = 0; im < n; im++) for (int oi = 0; oi < o; oi++) for (int p = 0; p < h * w; p++) {
                    double s = b == null ? 0 : b[oi], m = b == null ? 0 : Math.abs(b[oi]);
                    for (int ci = 0; ci < c; ci++) {
                        double t = (double) wt[oi * c + ci] * x[(im * c + ci) * h * w + p];
                        s += t;
                        m += Math.abs(t);
                    }
                    // the activations' slopes are at most 1.5 (hard swish), the affine after halves
                    assertEquals(activate(kind, s), got[(im * o + oi) * h * w + p], 2e-6 * m + 1e-6, what + " at " + oi + ", " + p);
                }
            });
        } finally {
            PointwiseConv.direct = was;
        }
    }

    @Test
    void declinesWhatItDoesNotCompute() {
        var none = FusedConvolution.Activation.NONE;
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 4, 8, 8), w = Tensor.zeros(DType.FLOAT32, 16, 4, 1, 1);
        int[] zero = new int[4], one = {1, 1};
        try (var g = GradMode.noGrad()) {
            assertNotNull(PointwiseConv.tryConv(x, w, null, zero, one, 1, none));
            boolean was = PointwiseConv.direct;
            PointwiseConv.direct = false;
            assertNull(PointwiseConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 15, 4, 1, 1), null, zero, one, 1, none), "GEMM form: fewer than 4 outputs per input");
            PointwiseConv.direct = true;
            assertNotNull(PointwiseConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 15, 4, 1, 1), null, zero, one, 1, none), "register tiles: any 1×1");
            PointwiseConv.minOutput = minOutput;
            assertNull(PointwiseConv.tryConv(Tensor.zeros(DType.FLOAT32, 1, 4, 3, 3), w, null, zero, one, 1, none), "register tiles: less than a strip of pixels");
            Tensor small = Tensor.zeros(DType.FLOAT32, 1, 96, 10, 10);
            assertNotNull(PointwiseConv.tryConv(small, Tensor.zeros(DType.FLOAT32, 64, 96, 1, 1), null, zero, one, 1, none), "register tiles: 64 outputs of 100 pixels");
            assertNull(PointwiseConv.tryConv(small, Tensor.zeros(DType.FLOAT32, 96, 96, 1, 1), null, zero, one, 1, none), "register tiles: 96 outputs of 100 pixels");
            PointwiseConv.minOutput = 64;
            PointwiseConv.direct = false;
            assertNull(PointwiseConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 16, 4, 3, 3), null, zero, one, 1, none), "3×3");
            assertNull(PointwiseConv.tryConv(x, w, null, zero, new int[] {2, 2}, 1, none), "stride 2");
            assertNull(PointwiseConv.tryConv(x, w, null, new int[] {1, 1, 1, 1}, one, 1, none), "padding");
            assertNull(PointwiseConv.tryConv(x, Tensor.zeros(DType.FLOAT32, 16, 2, 1, 1), null, zero, one, 2, none), "groups");
            PointwiseConv.minOutput = minOutput;
            assertNull(PointwiseConv.tryConv(x, w, null, zero, one, 1, none), "GEMM form: an output smaller than the gate");
            PointwiseConv.direct = was;
        }
        assertNull(PointwiseConv.tryConv(x, w.requiresGrad(true), null, zero, one, 1, none), "gradient recorded");
    }
}
