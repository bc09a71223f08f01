package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Threads;
import dev.descent.core.kernel.ConvKernels.Geometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The implicit-GEMM convolution kernels against a direct float64 convolution, on geometries around
 * their tile edges (output channels and patch rows not multiples of 3, pixel vectors not multiples of
 * 3, batches not multiples of the weight-gradient chunk and group), and bitwise the same on 1 and 2
 * threads.
 */
class ImplicitConvTest {
    private static final int L = Vectors.FL;

    /** A random stride-1 geometry whose output width is a multiple of the vector length. */
    private static Geometry random(SplittableRandom rng, boolean forInputGrad) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
        int ph = rng.nextInt(kh), pw = rng.nextInt(kw);
        int wo = L * (1 + rng.nextInt(3));
        int w = wo - 2 * pw + kw - 1;
        if (forInputGrad) {
            // The input width must be a multiple of L too: "same" padding with an odd kernel.
            kw = 1 + 2 * rng.nextInt(2);
            pw = (kw - 1) / 2;
            w = wo;
        }
        if (w < 1) return random(rng, forInputGrad);
        int h = Math.max(1, kh - 2 * ph) + rng.nextInt(5);
        int ho = h + 2 * ph - kh + 1;
        int n = new int[] {1, 2, 5, 17, 33}[rng.nextInt(5)];
        int c = 1 + rng.nextInt(5), o = 1 + rng.nextInt(8);
        return new Geometry(n, c, h, w, o, kh, kw, 1, 1, ph, pw, 1, 1, 1, ho, wo);
    }

    private static float[] random(SplittableRandom rng, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** x[n, c, oh·sh + i − ph, ow·sw + j − pw], or 0 in the padding. */
    private static double tap(Geometry q, float[] x, int n, int c, int oh, int ow, int i, int j) {
        int ih = oh * q.sh() + i - q.ph(), iw = ow * q.sw() + j - q.pw();
        return ih < 0 || ih >= q.h() || iw < 0 || iw >= q.w() ? 0 : x[((n * q.c() + c) * q.h() + ih) * q.w() + iw];
    }

    private static double[] forwardRef(Geometry q, float[] x, float[] w, float[] b) {
        double[] y = new double[q.n() * q.o() * q.pixels()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
            double s = b == null ? 0 : b[o];
            for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
                s += tap(q, x, n, c, oh, ow, i, j) * w[((o * q.c() + c) * q.kh() + i) * q.kw() + j];
            }
            y[((n * q.o() + o) * q.ho() + oh) * q.wo() + ow] = s;
        }
        return y;
    }

    /** An input-gradient kernel: dx of q from dy and the weights. */
    @FunctionalInterface
    private interface InputGrad {
        void run(Geometry q, float[] dy, int dyOff, float[] w, int wOff, float[] dx);
    }

    /**
     * dx by {@code grad} on 1 thread (into a NaN-filled array when {@code poison}, so an element left unwritten shows)
     * and on 2: the first against the definition, the two bit for bit.
     */
    private static void checkInputGrad(Geometry q, float[] dy, float[] w, InputGrad grad, String what, boolean poison) {
        float[] dx1 = new float[q.n() * q.c() * q.h() * q.w()], dx2 = dx1.clone();
        if (poison) java.util.Arrays.fill(dx1, Float.NaN);
        try (var _ = Threads.limit(1)) {
            grad.run(q, dy, 0, w, 0, dx1);
        }
        try (var _ = Threads.limit(2)) {
            grad.run(q, dy, 0, w, 0, dx2);
        }
        assertClose(inputGradRef(q, dy, w), dx1, q.o() * q.kh() * q.kw(), what + " " + q);
        assertArrayEquals(dx1, dx2, what + " 1 vs 2 threads " + q);
    }

    /** dx of a convolution at any stride, from the definition: each dy element scatters w times it onto the input. */
    private static double[] inputGradRef(Geometry q, float[] dy, float[] w) {
        double[] dx = new double[q.n() * q.c() * q.h() * q.w()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
            double g = dy[((n * q.o() + o) * q.ho() + oh) * q.wo() + ow];
            for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
                int ih = oh * q.sh() + i - q.ph(), iw = ow * q.sw() + j - q.pw();
                if (ih >= 0 && ih < q.h() && iw >= 0 && iw < q.w()) dx[((n * q.c() + c) * q.h() + ih) * q.w() + iw] += g * w[((o * q.c() + c) * q.kh() + i) * q.kw() + j];
            }
        }
        return dx;
    }

    private static double[] weightGradRef(Geometry q, float[] x, float[] dy) {
        double[] dw = new double[q.o() * q.rows()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
            double g = dy[((n * q.o() + o) * q.ho() + oh) * q.wo() + ow];
            for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
                dw[((o * q.c() + c) * q.kh() + i) * q.kw() + j] += g * tap(q, x, n, c, oh, ow, i, j);
            }
        }
        return dw;
    }

    private static void assertClose(double[] expected, float[] actual, int terms, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 * Math.sqrt(terms) * (1 + Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }

    @Test
    void forwardAndWeightGradMatchTheDirectConvolution() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261129);
        for (int it = 0; it < 60; it++) {
            Geometry q = random(rng, false);
            assertTrue(ImplicitConv.applies(q), q.toString());
            float[] x = random(rng, q.n() * q.c() * q.h() * q.w()), w = random(rng, q.o() * q.rows());
            float[] b = rng.nextBoolean() ? random(rng, q.o()) : null, dy = random(rng, q.n() * q.o() * q.pixels());
            float[] y1 = new float[q.n() * q.o() * q.pixels()], y2 = y1.clone();
            float[] dw1 = new float[q.o() * q.rows()], dw2 = dw1.clone();
            try (var _ = Threads.limit(1)) {
                ImplicitConv.forward(q, x, 0, w, 0, b, 0, y1);
                ImplicitConv.weightGrad(q, x, 0, dy, 0, dw1);
            }
            try (var _ = Threads.limit(2)) {
                ImplicitConv.forward(q, x, 0, w, 0, b, 0, y2);
                ImplicitConv.weightGrad(q, x, 0, dy, 0, dw2);
            }
            assertClose(forwardRef(q, x, w, b), y1, q.rows(), "forward " + q);
            assertClose(weightGradRef(q, x, dy), dw1, q.n() * q.pixels(), "weight grad " + q);
            assertArrayEquals(y1, y2, "forward 1 vs 2 threads " + q);
            assertArrayEquals(dw1, dw2, "weight grad 1 vs 2 threads " + q);
        }
    }

    @Test
    void inputGradMatchesTheDirectTransposedConvolution() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(7);
        for (int it = 0; it < 60; it++) {
            Geometry q = random(rng, true);
            assertTrue(ImplicitConv.inputGradApplies(q), q.toString());
            float[] w = random(rng, q.o() * q.rows()), dy = random(rng, q.n() * q.o() * q.pixels());
            checkInputGrad(q, dy, w, ImplicitConv::inputGrad, "input grad", false);
        }
    }

    /** The forward as its scalar twin computes it: from the bias, one fused multiply-add per patch row, in row order. */
    private static float[] forwardScalar(Geometry q, float[] x, float[] w, float[] b) {
        float[] y = new float[q.n() * q.o() * q.pixels()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
            float s = b == null ? 0f : b[o];
            for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
                s = Math.fma(w[((o * q.c() + c) * q.kh() + i) * q.kw() + j], (float) tap(q, x, n, c, oh, ow, i, j), s);
            }
            y[((n * q.o() + o) * q.ho() + oh) * q.wo() + ow] = s;
        }
        return y;
    }

    /**
     * The weight gradient in the kernel's order, written as scalar loops: lane l of chunk k sums, by fused
     * multiply-adds, dy·patch over the chunk's images in order and the pixels p ≡ l (mod L) in order; dw is the
     * sum over chunks in order of the sum over lanes in order.
     */
    private static float[] weightGradScalar(Geometry q, float[] x, float[] dy) {
        int chunks = (q.n() + ImplicitConv.CHUNK - 1) / ImplicitConv.CHUNK;
        float[] dw = new float[q.o() * q.rows()];
        for (int o = 0; o < q.o(); o++) for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
            float total = 0f;
            for (int k = 0; k < chunks; k++) {
                float[] lanes = new float[L];
                for (int n = k * ImplicitConv.CHUNK; n < Math.min(q.n(), (k + 1) * ImplicitConv.CHUNK); n++) {
                    for (int p = 0; p < q.pixels(); p++) {
                        int oh = p / q.wo(), ow = p % q.wo();
                        float g = dy[(n * q.o() + o) * q.pixels() + p];
                        lanes[p % L] = Math.fma(g, (float) tap(q, x, n, c, oh, ow, i, j), lanes[p % L]);
                    }
                }
                for (int l = 0; l < L; l++) total += lanes[l];
            }
            dw[((o * q.c() + c) * q.kh() + i) * q.kw() + j] = total;
        }
        return dw;
    }

    /** The scalar twin of the path {@link ImplicitConv#weightGrad} takes for {@code q}. */
    private static float[] weightGradTwin(Geometry q, float[] x, float[] dy) {
        return ChannelWeightGrad.applies(q) ? weightGradScalarByChannel(q, x, dy) : weightGradScalar(q, x, dy);
    }

    /**
     * The weight gradient in {@link ChannelWeightGrad}'s order, written as scalar loops: per chunk one fused multiply-add
     * chain from 0 over its images and their pixels in order; dw is the first chunk's sum plus the others' in order.
     */
    private static float[] weightGradScalarByChannel(Geometry q, float[] x, float[] dy) {
        int chunks = (q.n() + ImplicitConv.CHUNK - 1) / ImplicitConv.CHUNK;
        float[] dw = new float[q.o() * q.rows()];
        for (int o = 0; o < q.o(); o++) for (int c = 0; c < q.c(); c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
            float total = 0f;
            for (int k = 0; k < chunks; k++) {
                float s = 0f;
                for (int n = k * ImplicitConv.CHUNK; n < Math.min(q.n(), (k + 1) * ImplicitConv.CHUNK); n++) {
                    for (int p = 0; p < q.pixels(); p++) {
                        s = Math.fma((float) tap(q, x, n, c, p / q.wo(), p % q.wo(), i, j), dy[(n * q.o() + o) * q.pixels() + p], s);
                    }
                }
                total = k == 0 ? s : total + s;
            }
            dw[((o * q.c() + c) * q.kh() + i) * q.kw() + j] = total;
        }
        return dw;
    }

    /**
     * A random geometry whose weight gradient {@link ChannelWeightGrad} can run (whatever the registers): stride 1 or 2, output rows of whole vectors
     * (the padded copy, up to 16 vectors an image) or not (the row-shifted copy, up to 8), output channels filling at least
     * three quarters of their blocks of 4 or 2 vectors (tiles 6 × 4 and 6 × 2), batches across chunk and group edges.
     */
    private static Geometry randomByChannel(SplittableRandom rng) {
        for (int tries = 0; ; tries++) {
            int kh = 1 + rng.nextInt(3), kw = 1 + rng.nextInt(3), s = 1 + rng.nextInt(2), ph = rng.nextInt(kh), pw = rng.nextInt(kw);
            boolean rows = rng.nextBoolean();
            int wo = rows ? L : 1 + rng.nextInt(2 * L), ho = 1 + rng.nextInt(rows ? 16 : 8 * L / wo);
            int w = (wo - 1) * s + kw - 2 * pw + rng.nextInt(s), h = (ho - 1) * s + kh - 2 * ph + rng.nextInt(s);
            // Just full enough blocks of 4 or 2 vectors (64 or 32 channels at 16 lanes), once or twice over.
            int block = (rng.nextBoolean() ? 4 : 2) * L, o = (1 + rng.nextInt(2)) * block - rng.nextInt(block / 4 + 1);
            int n = new int[] {1, 2, 3, 16, 17, 33}[rng.nextInt(6)];
            if (w < 1 || h < 1) continue;
            Geometry q = new Geometry(n, 1 + rng.nextInt(4), h, w, o, kh, kw, s, s, ph, pw, 1, 1, 1,
                    (h + 2 * ph - kh) / s + 1, (w + 2 * pw - kw) / s + 1);
            if (ImplicitConv.weightGradFits(q) && ChannelWeightGrad.fits(q)) return q;
        }
    }

    /**
     * {@link ChannelWeightGrad#weightGrad} called directly: against float64, bitwise against its scalar twin, 1 thread
     * bitwise against 2. At every width, also where the dispatch does not choose it (256 bits on x86, where only 256-bit
     * ARM CPUs would run its 8-lane form).
     */
    private static void byChannelMatches(SplittableRandom rng, Geometry q) {
        float[] x = random(rng, q.n() * q.c() * q.h() * q.w()), dy = random(rng, q.n() * q.o() * q.pixels());
        float[] dw1 = new float[q.o() * q.rows()], dw2 = dw1.clone();
        try (var _ = Threads.limit(1)) {
            ChannelWeightGrad.weightGrad(q, x, 0, dy, 0, dw1);
        }
        try (var _ = Threads.limit(2)) {
            ChannelWeightGrad.weightGrad(q, x, 0, dy, 0, dw2);
        }
        assertClose(weightGradRef(q, x, dy), dw1, q.n() * q.pixels(), "weight grad by channel " + q);
        assertArrayEquals(weightGradScalarByChannel(q, x, dy), dw1, "weight grad by channel vs scalar twin " + q);
        assertArrayEquals(dw1, dw2, "weight grad by channel 1 vs 2 threads " + q);
    }

    /**
     * The weight gradient with output channels across the lanes ({@link ChannelWeightGrad}): against float64, bitwise
     * against its scalar twin, 1 thread bitwise against 2. The bench's and ResNet-32's shapes it is for take it; the
     * reproductions' Fashion-MNIST shapes (28×28 and 14×14) do not.
     */
    @Test
    void weightGradByChannelMatchesTheDirectConvolutionAndItsTwin() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261204);
        for (int it = 0; it < 30; it++) {
            Geometry q = randomByChannel(rng);
            byChannelMatches(rng, q);
            if (ImplicitConv.weightGradApplies(q) && ChannelWeightGrad.applies(q)) forwardAndWeightGradMatch(rng, q);
        }
        // Chosen only where every CPU of the width has 32 registers (512-bit x86, any ARM width).
        if (!Gemm.REGISTERS_FIXED_BY_WIDTH) return;
        Geometry resnet = new Geometry(3, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8);
        Geometry transition = new Geometry(2, 32, 16, 16, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8);
        assertTrue(ChannelWeightGrad.applies(resnet) && ChannelWeightGrad.applies(transition));
        assertEquals(L == 16, ChannelWeightGrad.applies(new Geometry(2, 32, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 16, 16)));
        assertEquals(L == 16, ChannelWeightGrad.applies(new Geometry(2, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 16, 16)));
        assertEquals(2, ChannelWeightGrad.blockVectors(2 * L));
        assertEquals(4, ChannelWeightGrad.blockVectors(4 * L));
        for (int[] f : new int[][] {{1, 32, 28}, {32, 64, 14}}) {
            assertTrue(!ChannelWeightGrad.applies(new Geometry(64, f[0], f[2], f[2], f[1], 3, 3, 1, 1, 1, 1, 1, 1, 1, f[2], f[2])));
        }
    }

    /**
     * Bitwise against the scalar twins, whatever the register tile (3 × 3; with 32 vector registers 4 × 4, and 6 × 4 for
     * the forward of at least 64 patch rows; core's build runs this class with {@code -Ddescent.gemm.registers=16} too):
     * output channels 1…11 and batches cover partial tiles in both directions, several weight-gradient chunks, and
     * images of fewer and more than 64 pixel vectors (weight-gradient groups of 4 images and of 1).
     */
    @Test
    void forwardAndWeightGradEqualTheirScalarTwinsBitwise() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261202);
        for (int it = 0; it < 40; it++) {
            Geometry g = random(rng, false);
            // Up to 12 input channels: more than 64 patch rows takes the 6 × 4 forward tile with 32 registers. Every
            // fourth geometry is 40 rows taller (at least 64 pixel vectors an image: the weight gradient's one-image groups).
            int o = 1 + rng.nextInt(11), c = 1 + rng.nextInt(12), taller = it % 4 == 0 ? 40 : 0;
            int n = taller > 0 ? Math.min(g.n(), 5) : g.n();
            Geometry q = new Geometry(n, c, g.h() + taller, g.w(), o, g.kh(), g.kw(), 1, 1, g.ph(), g.pw(), 1, 1, 1, g.ho() + taller, g.wo());
            float[] x = random(rng, q.n() * q.c() * q.h() * q.w()), w = random(rng, q.o() * q.rows());
            float[] b = rng.nextBoolean() ? random(rng, q.o()) : null, dy = random(rng, q.n() * q.o() * q.pixels());
            float[] y = new float[q.n() * q.o() * q.pixels()], dw = new float[q.o() * q.rows()];
            try (var _ = Threads.limit(2)) {
                ImplicitConv.forward(q, x, 0, w, 0, b, 0, y);
                ImplicitConv.weightGrad(q, x, 0, dy, 0, dw);
            }
            assertArrayEquals(forwardScalar(q, x, w, b), y, "forward " + q);
            assertArrayEquals(weightGradTwin(q, x, dy), dw, "weight grad " + q);
        }
    }

    /** A random geometry of stride 2 or 3 in each direction whose output width is a multiple of the vector length. */
    private static Geometry randomStrided(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), sh = 2 + rng.nextInt(2), sw = 2 + rng.nextInt(2);
        int ph = rng.nextInt(kh), pw = rng.nextInt(kw);
        int wo0 = L * (1 + rng.nextInt(2)), ho0 = 1 + rng.nextInt(4);
        int w = (wo0 - 1) * sw + kw - 2 * pw + rng.nextInt(sw), h = (ho0 - 1) * sh + kh - 2 * ph + rng.nextInt(sh);
        if (w < 1 || h < 1) return randomStrided(rng);
        int ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1;
        int n = new int[] {1, 2, 5, 17, 33}[rng.nextInt(5)];
        int c = 1 + rng.nextInt(9), o = 1 + rng.nextInt(11);
        return new Geometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw, 1, 1, 1, ho, wo);
    }

    /**
     * Strided convolutions through the phase-split padded copy: against the float64 direct convolution, bitwise
     * against the scalar twins (the same order of sums as at stride 1), and bitwise the same on 1 and 2 threads.
     */
    @Test
    void stridedForwardAndWeightGradMatchTheDirectConvolutionAndTheirTwins() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261203);
        for (int it = 0; it < 60; it++) {
            Geometry q = randomStrided(rng);
            assertEquals(0, q.wo() % L, q.toString());
            assertTrue(ImplicitConv.applies(q), q.toString());
            forwardAndWeightGradMatch(rng, q);
        }
    }

    /**
     * A random geometry (stride 1 to 3) whose output width is not a multiple of the vector length but its output pixels
     * are: the kernels read the row-shifted copy, and a vector spans output rows.
     */
    private static Geometry randomRowSpanning(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), sh = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
        int ph = rng.nextInt(kh), pw = rng.nextInt(kw);
        // wo a proper divisor of L (L is a power of two, at least 4 here), ho a multiple of L / wo.
        int wo0 = L >> (1 + rng.nextInt(2)), ho0 = (L / wo0) * (1 + rng.nextInt(2));
        int w = (wo0 - 1) * sw + kw - 2 * pw, h = (ho0 - 1) * sh + kh - 2 * ph;
        if (w < 1 || h < 1) return randomRowSpanning(rng);
        int n = new int[] {1, 2, 5, 17, 33}[rng.nextInt(5)];
        int c = 1 + rng.nextInt(9), o = 1 + rng.nextInt(11);
        return new Geometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw, 1, 1, 1, ho0, wo0);
    }

    /**
     * SimpleCNN on Fashion-MNIST (1→32 @28×28, 32→64 @14×14, stride 1, pad 1) runs here at both widths: rows of 28 span
     * vectors, and 14×14 = 196 pixels end in a partial vector (at 16 lanes and at 8).
     */
    @Test
    void fashionMnistShapesTakeTheImplicitPath() {
        for (int[] s : new int[][] {{1, 32, 28}, {32, 64, 14}}) {
            Geometry q = new Geometry(64, s[0], s[2], s[2], s[1], 3, 3, 1, 1, 1, 1, 1, 1, 1, s[2], s[2]);
            assertEquals(Vectors.ENABLED, ImplicitConv.applies(q), q.toString());
            assertEquals(Vectors.ENABLED, ImplicitConv.inputGradApplies(q), q.toString());
            assertEquals(Vectors.ENABLED && (Gemm.REGISTERS_FIXED_BY_WIDTH || q.pixels() % L == 0), ImplicitConv.weightGradApplies(q), q.toString());
        }
    }

    /**
     * A random geometry (stride 1 to 3) whose output pixels are not whole vectors (at least one vector of them): the
     * row-shifted copy with a partial last vector per image, its lanes past the image reading the planes' zero tails.
     */
    private static Geometry randomRagged(SplittableRandom rng) {
        int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), sh = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
        int ph = rng.nextInt(kh), pw = rng.nextInt(kw);
        int wo = 1 + rng.nextInt(2 * L + 4), ho = 1 + rng.nextInt(6);
        if (wo * ho < L || wo * ho % L == 0) return randomRagged(rng);
        int w = (wo - 1) * sw + kw - 2 * pw + rng.nextInt(sw), h = (ho - 1) * sh + kh - 2 * ph + rng.nextInt(sh);
        if (w < 1 || h < 1) return randomRagged(rng);
        int n = new int[] {1, 2, 5, 17, 33}[rng.nextInt(5)];
        int c = 1 + rng.nextInt(9), o = 1 + rng.nextInt(11);
        return new Geometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw, 1, 1, 1, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
    }

    /** Output pixels that end in a partial vector: against float64, bitwise against the scalar twins and 1 vs 2 threads. */
    @Test
    void raggedForwardAndWeightGradMatchTheDirectConvolutionAndTheirTwins() throws Exception {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261206);
        for (int it = 0; it < 60; it++) {
            Geometry q = randomRagged(rng);
            assertTrue(q.pixels() % L != 0 && ImplicitConv.applies(q), q.toString());
            raggedMatch(rng, q);
        }
        // Fashion-MNIST's second layer, a batch of 17 (a partial weight-gradient chunk), and more than 64 patch rows.
        raggedMatch(rng, new Geometry(17, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14));
    }

    /** Forward and weight gradient, or with 16 registers (whose weight-gradient tile is only for whole vectors) the forward alone. */
    private static void raggedMatch(SplittableRandom rng, Geometry q) {
        if (Gemm.MANY_REGISTERS) {
            forwardAndWeightGradMatch(rng, q);
            return;
        }
        assertTrue(!ImplicitConv.weightGradApplies(q), q.toString());
        float[] x = random(rng, q.n() * q.c() * q.h() * q.w()), w = random(rng, q.o() * q.rows()), b = random(rng, q.o());
        float[] y = new float[q.n() * q.o() * q.pixels()];
        ImplicitConv.forward(q, x, 0, w, 0, b, 0, y);
        assertClose(forwardRef(q, x, w, b), y, q.rows(), "forward " + q);
        assertArrayEquals(forwardScalar(q, x, w, b), y, "forward vs scalar twin " + q);
    }

    /** The input gradient of stride-1 convolutions whose input pixels end in a partial vector (14×14, 7×9, …). */
    @Test
    void raggedInputGradMatchesTheDirectTransposedConvolution() throws Exception {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261207);
        for (int it = 0; it < 40; it++) {
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), ph = rng.nextInt(kh), pw = rng.nextInt(kw);
            int h = 1 + rng.nextInt(9), w = 1 + rng.nextInt(2 * L + 4);
            int ho = h + 2 * ph - kh + 1, wo = w + 2 * pw - kw + 1;
            if (h * w < L || h * w % L == 0 || ho < 1 || wo < 1) continue;
            Geometry q = new Geometry(new int[] {1, 2, 5, 17}[rng.nextInt(4)], 1 + rng.nextInt(9), h, w, 1 + rng.nextInt(11), kh, kw, 1, 1, ph, pw,
                    1, 1, 1, ho, wo);
            assertTrue(ImplicitConv.inputGradApplies(q), q.toString());
            float[] wt = random(rng, q.o() * q.rows()), dy = random(rng, q.n() * q.o() * q.pixels());
            checkInputGrad(q, dy, wt, ImplicitConv::inputGrad, "input grad", true);
        }
    }

    /**
     * The tall forward tile's last panel when O is not a multiple of 6 (O = 6k + 2 and 6k + 4 run 2- and 4-channel
     * kernels, the others the tile buffer), on whole and partial pixel tiles: against float64, the twins, 1 vs 2 threads.
     */
    @Test
    void tallTileRemaindersMatchTheDirectConvolution() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261203);
        for (int o : new int[] {1, 2, 3, 4, 5, 7, 8, 10, 14, 16, 32}) {
            // 8 channels × 3 × 3 = 72 patch rows (the tall tile from 64); 6 pixel vectors = a whole tile and half of one.
            Geometry q = new Geometry(3, 8, 6, L, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, 6, L);
            forwardAndWeightGradMatch(rng, q);
        }
    }

    /**
     * The forward's 12 × 2 tile at 512 bits ({@code ImplicitConv.forward12}: 8, 20 and 32 output channels, whole
     * 12-channel panels and a last one of 8), on 7 pixel vectors an image (a last pixel tile of one vector) and on rows
     * of L + 3 (the row-shifted copy, a partial last vector): against float64, the twins, 1 vs 2 threads. At other widths
     * the same shapes run the 6 × 4 tile.
     */
    @Test
    void twelveChannelTileMatchesTheDirectConvolution() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261206);
        for (int o : new int[] {8, 20, 32}) {
            // 8 channels × 3 × 3 = 72 patch rows (the tall tiles from 64).
            Geometry whole = new Geometry(3, 8, 7, L, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, L);
            Geometry spanning = new Geometry(2, 8, 5, L + 3, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, L + 3);
            for (Geometry q : new Geometry[] {whole, spanning}) {
                assertEquals(L == 16 && Gemm.MANY_REGISTERS, ImplicitConv.forward12(q), q.toString());
                if (ImplicitConv.weightGradApplies(q)) forwardAndWeightGradMatch(rng, q);
                else raggedMatch(rng, q);
            }
        }
        // Other channel counts, and images of 4 pixel vectors, keep the 6 × 4 tile.
        for (int o : new int[] {12, 16, 24, 44}) assertFalse(ImplicitConv.forward12(new Geometry(1, 8, 7, L, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, L)));
        assertFalse(ImplicitConv.forward12(new Geometry(1, 8, 4, L, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, L)));
    }

    /**
     * Output rows of two vectors, one image a weight-gradient call (at 512 bits the 8 × 3 tile computes its steps'
     * positions, {@code weightKernel8x3Pairs}): 2·L wide and 64 pixel vectors or more, channel counts that take the
     * 8-channel tile, 3-wide kernels (triples of patch rows) and a 2-wide one (no triples: the table's kernel for every
     * tile): against float64, the twins, 1 vs 2 threads.
     */
    @Test
    void weightGradOfRowsOfTwoVectorsMatchesTheDirectConvolution() throws Exception {
        if (!Vectors.ENABLED) return;
        SplittableRandom rng = new SplittableRandom(20261205);
        for (int[] s : new int[][] {{1, 16, 3, 32}, {3, 8, 3, 33}, {2, 24, 3, 40}, {2, 16, 3, 64}}) {
            int c = s[0], o = s[1], h = s[3];
            Geometry q = new Geometry(2, c, h, 2 * L, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, h, 2 * L);
            assertEquals(L == 16, ImplicitConv.pairedRows(q), q.toString());
            forwardAndWeightGradMatch(rng, q);
        }
        // 2 × 2, no padding, 2·L + 1 wide: output rows of two vectors whose patch rows come in pairs, never triples.
        Geometry pairsOnly = new Geometry(2, 3, 40, 2 * L + 1, 16, 2, 2, 1, 1, 0, 0, 1, 1, 1, 39, 2 * L);
        assertEquals(L == 16, ImplicitConv.pairedRows(pairsOnly), pairsOnly.toString());
        forwardAndWeightGradMatch(rng, pairsOnly);
    }

    /** Output rows narrower than a vector: against float64, bitwise against the scalar twins and 1 vs 2 threads. */
    @Test
    void rowSpanningForwardAndWeightGradMatchTheDirectConvolutionAndTheirTwins() throws Exception {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261204);
        for (int it = 0; it < 60; it++) {
            Geometry q = randomRowSpanning(rng);
            assertTrue(q.wo() % L != 0 && q.pixels() % L == 0, q.toString());
            assertTrue(ImplicitConv.applies(q), q.toString());
            forwardAndWeightGradMatch(rng, q);
        }
    }

    /**
     * The input gradient of strided convolutions (ResNet's 3×3 stride-2 transitions and others: strides 2 and 3, kernels
     * up to two wider than the stride, any padding below the kernel, phases of whole vectors or narrower) as one
     * stride-1 convolution per stride phase, against the definition, and bitwise the same on 1 and 2 threads.
     */
    @Test
    void stridedInputGradMatchesTheDirectTransposedConvolution() throws Exception {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261203);
        for (int it = 0; it < 60; it++) {
            int sh = 2 + rng.nextInt(2), sw = rng.nextInt(3) == 0 ? 3 : 2;
            int mw = new int[] {L, 2 * L, L / 2, L / 4}[rng.nextInt(4)], mh = (L / Math.min(L, mw)) * (1 + rng.nextInt(2));
            int kh = sh + rng.nextInt(3), kw = sw + rng.nextInt(3), ph = rng.nextInt(kh), pw = rng.nextInt(kw);
            int h = sh * mh, w = sw * mw, ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1;
            if (ho < 1 || wo < 1) continue;
            Geometry q = new Geometry(new int[] {1, 2, 5, 17}[rng.nextInt(4)], 1 + rng.nextInt(9), h, w, 1 + rng.nextInt(11), kh, kw, sh, sw,
                    ph, pw, 1, 1, 1, ho, wo);
            assertTrue(ImplicitConv.stridedInputGradApplies(q), q.toString());
            float[] wt = random(rng, q.o() * q.rows()), dy = random(rng, q.n() * q.o() * q.pixels());
            checkInputGrad(q, dy, wt, ImplicitConv::stridedInputGrad, "strided input grad", true); // every element must be written
        }
    }

    /** The input gradient of a stride-1 convolution whose input rows are narrower than a vector (8×8 in 16 lanes). */
    @Test
    void rowSpanningInputGradMatchesTheDirectTransposedConvolution() throws Exception {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261205);
        for (int it = 0; it < 40; it++) {
            int k = 1 + 2 * rng.nextInt(2), p = (k - 1) / 2, side = L >> (1 + rng.nextInt(2)), hh = (L / side) * (1 + rng.nextInt(2));
            Geometry q = new Geometry(new int[] {1, 2, 5, 17}[rng.nextInt(4)], 1 + rng.nextInt(9), hh, side, 1 + rng.nextInt(11), k, k, 1, 1, p, p,
                    1, 1, 1, hh, side);
            // Taken by Convolution since the row-shifted copy moves vectors (64→64 @8×8 at 512 bits).
            assertTrue(ImplicitConv.inputGradApplies(q), q.toString());
            float[] w = random(rng, q.o() * q.rows()), dy = random(rng, q.n() * q.o() * q.pixels());
            checkInputGrad(q, dy, w, ImplicitConv::inputGrad, "input grad", false);
        }
    }

    @Test
    void splitsAPaddedImageIntoItsStridePhases() {
        // One channel 3 × 5, padding 1, stride 2: padded 5 × 7, phase planes 3 × 4.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        Geometry q = new Geometry(1, 1, 3, 5, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 3);
        float[] xp = new float[1 + 4 * 3 * 4];
        java.util.Arrays.fill(xp, 9f);
        ImplicitConv.padStrided(q, x, 0, xp, 1);
        float[] padded = new float[5 * 7];
        for (int r = 0; r < 3; r++) for (int col = 0; col < 5; col++) padded[(r + 1) * 7 + col + 1] = x[r * 5 + col];
        float[] want = new float[xp.length];
        want[0] = 9f;
        for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++) for (int yq = 0; yq < 3; yq++) for (int xq = 0; xq < 4; xq++) {
            int py = yq * 2 + a, px = xq * 2 + b;
            want[1 + (a * 2 + b) * 12 + yq * 4 + xq] = py < 5 && px < 7 ? padded[py * 7 + px] : 0f;
        }
        assertArrayEquals(want, xp);
    }

    /**
     * The stride-phase copy at column stride 2 ({@code padStrided2}) against its definition, xp[c, a, b, yq, xq] =
     * padded[c, yq·sh + a, xq·2 + b] (0 past the padded image), for rows of one to three vectors and a scalar rest, row
     * strides 1–3, paddings 0–2 on either axis, written at an offset into a buffer of NaNs from images at both ends of x.
     */
    @Test
    void stridePhaseCopiesHoldThePaddedImage() {
        SplittableRandom rng = new SplittableRandom(20261206);
        for (int it = 0; it < 60; it++) {
            int c = 1 + rng.nextInt(3), sh = 1 + rng.nextInt(3), ph = rng.nextInt(3), pw = rng.nextInt(3);
            int h = 1 + rng.nextInt(7), w = it < 10 ? 1 + rng.nextInt(9) : 2 * L * (1 + rng.nextInt(3)) + rng.nextInt(4);
            int ho = (h + 2 * ph - 3) / sh + 1, wo = (w + 2 * pw - 3) / 2 + 1;
            if (ho < 1 || wo < 1) continue;
            Geometry q = new Geometry(2, c, h, w, 1, 3, 3, sh, 2, ph, pw, 1, 1, 1, ho, wo);
            int hp = h + 2 * ph, wp = w + 2 * pw, hq = (hp + sh - 1) / sh, wq = (wp + 1) / 2, plane = hq * wq;
            float[] x = random(rng, 2 * c * h * w);
            for (int image = 0; image < 2; image++) {
                float[] xp = new float[3 + c * sh * 2 * plane];
                java.util.Arrays.fill(xp, Float.NaN);
                ImplicitConv.padStrided(q, x, image * c * h * w, xp, 3);
                for (int ch = 0; ch < c; ch++) for (int a = 0; a < sh; a++) for (int b = 0; b < 2; b++)
                    for (int yq = 0; yq < hq; yq++) for (int xq = 0; xq < wq; xq++) {
                        int y = yq * sh + a - ph, col = xq * 2 + b - pw;
                        float want = y >= 0 && y < h && col >= 0 && col < w ? x[((image * c + ch) * h + y) * w + col] : 0f;
                        int at = 3 + ((ch * sh + a) * 2 + b) * plane + yq * wq + xq;
                        assertEquals(want, xp[at], 0f, q + " image " + image + " at " + at);
                    }
                for (int k = 0; k < 3; k++) assertTrue(Float.isNaN(xp[k]), q + ": wrote before its offset");
            }
        }
    }

    /**
     * The row-shifted copy against its definition, xp[c, j, a, yq, ow] = padded[c, yq·sh + a, ow·sw + j] (0 past the
     * padded image) and zeros in each plane's tail, written at an offset into a buffer of NaNs: the stride-2 halving copy
     * ({@code padRowsHalving}: input rows of one vector, kernels 1–4 and their paddings), the "same" copy and the general
     * one, the image taken from the middle and from both ends of x.
     */
    @Test
    void rowShiftedCopiesHoldThePaddedImage() {
        if (!Vectors.ENABLED || L < 4) return;
        SplittableRandom rng = new SplittableRandom(20261205);
        int halving = 0, same = 0;
        for (int it = 0; it < 120; it++) {
            Geometry q;
            if (it >= 80) {
                // "Same" convolutions whose rows divide the vector (8×8 at 16 lanes): padRowsSame, edges of x included.
                int k = 1 + 2 * rng.nextInt(2), p = (k - 1) / 2, w = L >> (1 + rng.nextInt(2)), h = (L / w) * (1 + rng.nextInt(2));
                q = new Geometry(3, 1 + rng.nextInt(3), h, w, 4, k, k, 1, 1, p, p, 1, 1, 1, h, w);
                same += ImplicitConv.sameRows(q) ? 1 : 0;
            } else if (it % 2 == 0) {
                int k = 1 + rng.nextInt(4), p = rng.nextInt(k), h = 1 + rng.nextInt(2 * L);
                int ho = (h + 2 * p - k) / 2 + 1, wo = (L + 2 * p - k) / 2 + 1;
                q = new Geometry(3, 1 + rng.nextInt(3), h, L, 4, k, k, 2, 2, p, p, 1, 1, 1, ho, wo);
                if (ho < 1 || q.wo() % L == 0) continue;
                halving += ImplicitConv.halvingRows(q) ? 1 : 0;
            } else {
                q = it % 4 == 1 ? randomRowSpanning(rng) : randomRagged(rng);
            }
            int image = q.c() * q.h() * q.w(), plane = (ImplicitConv.planeH(q) * q.wo() + (ImplicitConv.vectors(q.pixels()) * L - q.pixels()));
            float[] x = random(rng, 3 * image);
            for (int n = 0; n < 3; n++) {
                float[] xp = new float[ImplicitConv.paddedSize(q) + 5];
                java.util.Arrays.fill(xp, Float.NaN);
                ImplicitConv.padImage(q, x, n * image, xp, 2);
                for (int c = 0; c < q.c(); c++) for (int j = 0; j < q.kw(); j++) for (int a = 0; a < q.sh(); a++) {
                    int base = 2 + ((c * q.kw() + j) * q.sh() + a) * plane;
                    for (int yq = 0; yq < ImplicitConv.planeH(q); yq++) for (int ow = 0; ow < q.wo(); ow++) {
                        int ih = yq * q.sh() + a - q.ph(), iw = ow * q.sw() + j - q.pw();
                        float want = ih < 0 || ih >= q.h() || iw < 0 || iw >= q.w() ? 0f : x[((n * q.c() + c) * q.h() + ih) * q.w() + iw];
                        assertEquals(want, xp[base + yq * q.wo() + ow], q + " image " + n + " c " + c + " j " + j + " a " + a + " at " + yq + "," + ow);
                    }
                    for (int t = ImplicitConv.planeH(q) * q.wo(); t < plane; t++) assertEquals(0f, xp[base + t], q + " tail");
                }
                assertTrue(Float.isNaN(xp[0]) && Float.isNaN(xp[1]) && Float.isNaN(xp[xp.length - 1]), q + " wrote outside its copy");
            }
        }
        assertTrue(halving >= 10, "halving copies tested: " + halving);
        assertEquals(40, same);
    }

    /** {@code pad} of images whose rows are one vector (its vector path) and of others, against its definition, NaN around. */
    @Test
    void padsWholeVectorRowsAsDefined() {
        SplittableRandom rng = new SplittableRandom(20261205);
        for (int it = 0; it < 40; it++) {
            int w = it % 2 == 0 ? L : 1 + rng.nextInt(2 * L), h = 1 + rng.nextInt(2 * L), c = 1 + rng.nextInt(3);
            int ph = rng.nextInt(3), pw = rng.nextInt(3), hp = h + 2 * ph, wp = w + 2 * pw, xo = rng.nextInt(3), xpo = 1 + rng.nextInt(3);
            float[] x = random(rng, xo + c * h * w);
            float[] xp = new float[xpo + c * hp * wp + 2];
            java.util.Arrays.fill(xp, Float.NaN);
            ImplicitConv.pad(x, xo, c, h, w, ph, pw, xp, xpo);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < hp; y++) {
                    for (int k = 0; k < wp; k++) {
                        int iy = y - ph, ik = k - pw;
                        float want = iy < 0 || iy >= h || ik < 0 || ik >= w ? 0f : x[xo + (ch * h + iy) * w + ik];
                        assertEquals(want, xp[xpo + (ch * hp + y) * wp + k], "c " + c + " h " + h + " w " + w + " pads " + ph + "," + pw + " at " + ch + "," + y + "," + k);
                    }
                }
            }
            assertTrue(Float.isNaN(xp[xpo - 1]) && Float.isNaN(xp[xp.length - 1]) && Float.isNaN(xp[xp.length - 2]), "pad wrote outside its planes");
        }
    }

    @Test
    void padsWithZerosAroundACopy() {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] xp = new float[2 + 4 * 5];
        java.util.Arrays.fill(xp, 9f);
        ImplicitConv.pad(x, 0, 1, 2, 3, 1, 1, xp, 2);
        assertArrayEquals(new float[] {9, 9, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0}, xp);
    }

    /**
     * Forward and weight gradient of {@code q} on random data: against the float64 loops, bitwise against the scalar
     * twins, and 1 thread bitwise against 2.
     */
    private static void forwardAndWeightGradMatch(SplittableRandom rng, Geometry q) {
        float[] x = random(rng, q.n() * q.c() * q.h() * q.w()), w = random(rng, q.o() * q.rows());
        float[] b = rng.nextBoolean() ? random(rng, q.o()) : null, dy = random(rng, q.n() * q.o() * q.pixels());
        float[] y1 = new float[q.n() * q.o() * q.pixels()], y2 = y1.clone();
        float[] dw1 = new float[q.o() * q.rows()], dw2 = dw1.clone();
        try (var _ = Threads.limit(1)) {
            ImplicitConv.forward(q, x, 0, w, 0, b, 0, y1);
            ImplicitConv.weightGrad(q, x, 0, dy, 0, dw1);
        }
        try (var _ = Threads.limit(2)) {
            ImplicitConv.forward(q, x, 0, w, 0, b, 0, y2);
            ImplicitConv.weightGrad(q, x, 0, dy, 0, dw2);
        }
        assertClose(forwardRef(q, x, w, b), y1, q.rows(), "forward " + q);
        assertClose(weightGradRef(q, x, dy), dw1, q.n() * q.pixels(), "weight grad " + q);
        assertArrayEquals(forwardScalar(q, x, w, b), y1, "forward vs scalar twin " + q);
        assertArrayEquals(weightGradTwin(q, x, dy), dw1, "weight grad vs scalar twin " + q);
        assertArrayEquals(y1, y2, "forward 1 vs 2 threads " + q);
        assertArrayEquals(dw1, dw2, "weight grad 1 vs 2 threads " + q);
    }
}
