package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.check.QuickTheoriesRandom;
import dev.descent.core.kernel.ConvKernels.Geometry;
import dev.descent.core.ops.Convolution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Winograd's F(2×2, 3×3) convolution (forward, input gradient) and its weight gradient against a float64 direct sum,
 * within a bound of a few float32 ulps of the magnitudes summed (a wrong tap, sign or channel is off by about one whole
 * term); on 1 and 2 threads bit for bit; every output written; on every tile width the products take (1, 2, 3 and 4
 * vectors of output channels), blocks of several images and of part of one, one chunk of images and several, maps
 * whose rows or pixels are whole vectors and maps whose are not.
 */
class WinogradTest {
    private static final int L = Vectors.FL;

    @BeforeAll
    static void kernelsPresent() {
        assumeTrue(Winograd.supports(geometry(1, L, L, 4, L)), "no 6-row GEMM tile with 8 or 16 lanes here");
    }

    private static Geometry geometry(int n, int c, int o, int h, int w) {
        return new Geometry(n, c, h, w, o, 3, 3, 1, 1, 1, 1, 1, 1, 1, h, w);
    }

    /**
     * A random geometry the kernels support: channels of 1–3 (in) and 1–5 (out) vectors, even maps from 2×2 to 16×20
     * (rows of whole vectors or not, pixel counts whole vectors or not).
     */
    private static Geometry random(RandomGenerator rng) {
        int h = 2 * (1 + rng.nextInt(8)), w = 2 * (1 + rng.nextInt(10));
        int n = new int[] {1, 2, 3, 7}[rng.nextInt(4)];
        return geometry(n, L * (1 + rng.nextInt(3)), L * (1 + rng.nextInt(5)), h, w);
    }

    private static float[] random(RandomGenerator rng, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /** x[n, c, i, j], or 0 in the padding. */
    private static double at(Geometry q, float[] x, int xo, int n, int c, int i, int j) {
        return i < 0 || i >= q.h() || j < 0 || j >= q.w() ? 0 : x[xo + ((n * q.c() + c) * q.h() + i) * q.w() + j];
    }

    /**
     * Each output of the float64 "same" 3×3 correlation of x with w (+ bias), and beside it ({@code bound}) the sum of
     * the magnitudes of its terms.
     */
    private static double[] reference(Geometry q, float[] x, int xo, float[] w, int wo, float[] b, int bo, double[] bound) {
        double[] y = new double[q.n() * q.o() * q.pixels()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int i = 0; i < q.h(); i++) for (int j = 0; j < q.w(); j++) {
            double s = b == null ? 0 : b[bo + o], m = Math.abs(s);
            for (int c = 0; c < q.c(); c++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                double t = at(q, x, xo, n, c, i + u - 1, j + v - 1) * w[wo + ((o * q.c() + c) * 3 + u) * 3 + v];
                s += t;
                m += Math.abs(t);
            }
            int k = ((n * q.o() + o) * q.h() + i) * q.w() + j;
            y[k] = s;
            bound[k] = m;
        }
        return y;
    }

    private static void assertClose(double[] want, double[] bound, float[] got, String what) {
        for (int k = 0; k < want.length; k++) {
            double tolerance = 1e-5 * bound[k] + 1e-6;
            if (!(Math.abs(got[k] - want[k]) <= tolerance)) {
                throw new AssertionError(what + ": element " + k + " is " + got[k] + ", want " + want[k] + " ± " + tolerance);
            }
        }
    }

    @Test
    void forwardMatchesTheDirectConvolution() {
        qt().withExamples(60).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = random(rng);
            int xo = rng.nextInt(5), wo = rng.nextInt(5), bo = rng.nextInt(5);
            float[] x = random(rng, xo + q.n() * q.c() * q.h() * q.w()), w = random(rng, wo + q.o() * q.c() * 9);
            float[] b = rng.nextBoolean() ? random(rng, bo + q.o()) : null;
            return new Object[] {q, x, xo, w, wo, b, bo};
        }, c -> c[0] + " offsets " + c[2] + "/" + c[4] + "/" + c[6] + (c[5] == null ? " no bias" : " bias"))).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] x = (float[]) c[1], w = (float[]) c[3], b = (float[]) c[5];
            int xo = (int) c[2], wo = (int) c[4], bo = (int) c[6];
            assertTrue(Winograd.supports(q), q.toString());
            double[] bound = new double[q.n() * q.o() * q.pixels()];
            double[] want = reference(q, x, xo, w, wo, b, bo, bound);
            float[] y1 = new float[want.length], y2 = new float[want.length];
            Arrays.fill(y1, Float.NaN);
            try (var _ = Threads.limit(1)) {
                Winograd.forward(q, x, xo, w, wo, b, bo, y1, null);
            }
            try (var _ = Threads.limit(2)) {
                Winograd.forward(q, x, xo, w, wo, b, bo, y2, null);
            }
            assertClose(want, bound, y1, "forward " + q);
            assertArrayEquals(y1, y2, "1 and 2 threads, " + q);
        });
    }

    /**
     * The float32 result written as scalar loops in the order the kernels take their operations (the class comment's
     * transforms, each sum left to right; the filters in float64, rounded once; each product an fma chain over the
     * channels from zero; the bias last): the vector kernels must give its bits. The same test at 16 and 32 registers
     * (core's build runs it with both) makes the bits independent of GEMM's register tile.
     */
    private static float[] documentedOrder(Geometry q, float[] x, float[] w, float[] b) {
        int c = q.c(), o = q.o(), h = q.h(), wd = q.w();
        float[] u = new float[16 * o * c];
        for (int oc = 0; oc < o; oc++) for (int ic = 0; ic < c; ic++) {
            double[][] t = new double[4][3];
            for (int j = 0; j < 3; j++) {
                double g0 = w[(oc * c + ic) * 9 + j], g1 = w[(oc * c + ic) * 9 + 3 + j], g2 = w[(oc * c + ic) * 9 + 6 + j];
                t[0][j] = g0;
                t[1][j] = 0.5 * (g0 + g1 + g2);
                t[2][j] = 0.5 * (g0 - g1 + g2);
                t[3][j] = g2;
            }
            for (int a = 0; a < 4; a++) {
                double[] row = {t[a][0], 0.5 * (t[a][0] + t[a][1] + t[a][2]), 0.5 * (t[a][0] - t[a][1] + t[a][2]), t[a][2]};
                for (int bb = 0; bb < 4; bb++) u[((a * 4 + bb) * o + oc) * c + ic] = (float) row[bb];
            }
        }
        float[] y = new float[q.n() * o * h * wd];
        for (int n = 0; n < q.n(); n++) for (int ti = 0; ti < h / 2; ti++) for (int tj = 0; tj < wd / 2; tj++) {
            float[][] v = inputTransform(q, x, n, ti, tj);
            for (int oc = 0; oc < o; oc++) {
                float[] m = new float[16];
                for (int xi = 0; xi < 16; xi++) {
                    float sum = 0f;
                    for (int ic = 0; ic < c; ic++) sum = Math.fma(v[xi][ic], u[(xi * o + oc) * c + ic], sum);
                    m[xi] = sum;
                }
                float[] a = new float[4], bs = new float[4];
                for (int i = 0; i < 4; i++) {
                    a[i] = m[4 * i] + m[4 * i + 1] + m[4 * i + 2];
                    bs[i] = m[4 * i + 1] - m[4 * i + 2] - m[4 * i + 3];
                }
                float[] out = {a[0] + a[1] + a[2], bs[0] + bs[1] + bs[2], a[1] - a[2] - a[3], bs[1] - bs[2] - bs[3]};
                for (int k = 0; k < 4; k++) {
                    float value = b == null ? out[k] : out[k] + b[oc];
                    y[((n * o + oc) * h + 2 * ti + k / 2) * wd + 2 * tj + k % 2] = value;
                }
            }
        }
        return y;
    }

    /** V_ξ[c] = (Bᵀ d B)[ξ] of tile (ti, tj) of image n, each sum left to right (columns first, then rows). */
    private static float[][] inputTransform(Geometry q, float[] x, int n, int ti, int tj) {
        float[][] v = new float[16][q.c()];
        for (int ic = 0; ic < q.c(); ic++) {
            float[][] d = new float[4][4], t = new float[4][4];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) d[i][j] = (float) at(q, x, 0, n, ic, 2 * ti + i - 1, 2 * tj + j - 1);
            for (int i = 0; i < 4; i++) {
                t[i][0] = d[i][0] - d[i][2];
                t[i][1] = d[i][1] + d[i][2];
                t[i][2] = d[i][2] - d[i][1];
                t[i][3] = d[i][1] - d[i][3];
            }
            for (int j = 0; j < 4; j++) {
                v[j][ic] = t[0][j] - t[2][j];
                v[4 + j][ic] = t[1][j] + t[2][j];
                v[8 + j][ic] = t[2][j] - t[1][j];
                v[12 + j][ic] = t[1][j] - t[3][j];
            }
        }
        return v;
    }

    @Test
    void forwardGivesTheBitsOfItsDocumentedOrder() {
        qt().withExamples(30).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = random(rng);
            return new Object[] {q, random(rng, q.n() * q.c() * q.h() * q.w()), random(rng, q.o() * q.c() * 9),
                rng.nextBoolean() ? random(rng, q.o()) : null};
        }, c -> c[0] + (c[3] == null ? " no bias" : " bias"))).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] x = (float[]) c[1], w = (float[]) c[2], b = (float[]) c[3];
            float[] want = documentedOrder(q, x, w, b), got = new float[want.length];
            Winograd.forward(q, x, 0, w, 0, b, 0, got, null);
            for (int k = 0; k < want.length; k++) {
                if (Float.floatToRawIntBits(got[k]) != Float.floatToRawIntBits(want[k])) {
                    throw new AssertionError(q + " element " + k + ": " + got[k] + ", the documented order gives " + want[k]);
                }
            }
        });
    }

    @Test
    void inputGradMatchesTheTransposedConvolution() {
        qt().withExamples(40).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = random(rng);
            int go = rng.nextInt(5), wo = rng.nextInt(5);
            return new Object[] {q, random(rng, go + q.n() * q.o() * q.pixels()), go, random(rng, wo + q.o() * q.c() * 9), wo};
        }, c -> c[0] + " offsets " + c[2] + "/" + c[4])).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] dy = (float[]) c[1], w = (float[]) c[3];
            int go = (int) c[2], wo = (int) c[4];
            assertTrue(Winograd.supports(Winograd.transposed(q)), q.toString());
            // dx[n, c, i, j] = Σ_o Σ_uv dy[n, o, i − u + 1, j − v + 1] · w[o, c, u, v]: the same correlation of dy with
            // w[o, c] turned by 180°, channels swapped.
            int c0 = q.c(), o0 = q.o();
            float[] turned = new float[o0 * c0 * 9];
            for (int o = 0; o < o0; o++) for (int ch = 0; ch < c0; ch++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                turned[((ch * o0 + o) * 3 + 2 - u) * 3 + 2 - v] = w[wo + ((o * c0 + ch) * 3 + u) * 3 + v];
            }
            Geometry t = Winograd.transposed(q);
            double[] bound = new double[q.n() * c0 * q.pixels()];
            double[] want = reference(t, dy, go, turned, 0, null, 0, bound);
            float[] dx = new float[want.length];
            Arrays.fill(dx, Float.NaN);
            Winograd.inputGrad(q, dy, go, w, wo, dx);
            assertClose(want, bound, dx, "input gradient " + q);
        });
    }

    /** A random geometry whose weight gradient the kernels compute, some of several chunks of images. */
    private static Geometry randomForWeights(RandomGenerator rng) {
        Geometry q = random(rng);
        int n = new int[] {1, 3, Winograd.CHUNK + 1, 2 * Winograd.CHUNK + 3}[rng.nextInt(4)];
        return geometry(n, q.c(), q.o(), q.h(), q.w());
    }

    @Test
    void weightGradMatchesTheDirectSum() {
        qt().withExamples(25).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = randomForWeights(rng);
            int xo = rng.nextInt(5), go = rng.nextInt(5);
            return new Object[] {q, random(rng, xo + q.n() * q.c() * q.pixels()), xo, random(rng, go + q.n() * q.o() * q.pixels()), go};
        }, c -> c[0] + " offsets " + c[2] + "/" + c[4])).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] x = (float[]) c[1], dy = (float[]) c[3];
            int xo = (int) c[2], go = (int) c[4];
            // dw[o, c, u, v] = Σ_n Σ_ij x[n, c, i + u − 1, j + v − 1] · dy[n, o, i, j]
            double[] want = new double[q.o() * q.c() * 9], bound = new double[want.length];
            for (int o = 0; o < q.o(); o++) for (int ch = 0; ch < q.c(); ch++) for (int u = 0; u < 3; u++) for (int v = 0; v < 3; v++) {
                double sum = 0, m = 0;
                for (int n = 0; n < q.n(); n++) for (int i = 0; i < q.h(); i++) for (int j = 0; j < q.w(); j++) {
                    double t = at(q, x, xo, n, ch, i + u - 1, j + v - 1) * dy[go + ((n * q.o() + o) * q.h() + i) * q.w() + j];
                    sum += t;
                    m += Math.abs(t);
                }
                int k = ((o * q.c() + ch) * 3 + u) * 3 + v;
                want[k] = sum;
                bound[k] = m;
            }
            float[] dw1 = new float[want.length], dw2 = new float[want.length];
            Arrays.fill(dw1, Float.NaN);
            try (var _ = Threads.limit(1)) {
                Winograd.weightGrad(q, x, xo, dy, go, dw1);
            }
            try (var _ = Threads.limit(2)) {
                Winograd.weightGrad(q, x, xo, dy, go, dw2);
            }
            assertClose(want, bound, dw1, "weight gradient " + q);
            assertArrayEquals(dw1, dw2, "1 and 2 threads, " + q);
        });
    }

    /**
     * The weight gradient written as scalar loops in the order {@link Winograd#weightGrad} documents: per chunk of
     * images, per group of whole images (as many as fill a block) and per block of the group's tiles, each product an fma
     * chain over the block's tiles from zero, added to the chunk's partial; dM = A dY Aᵀ rows first; the partials summed
     * in chunk order in float64 and taken through Gᵀ · G in float64, rounded once.
     */
    private static float[] weightGradDocumentedOrder(Geometry q, float[] x, float[] dy) {
        int c = q.c(), o = q.o(), h = q.h(), wd = q.w(), across = wd / 2, tiles = (h / 2) * across;
        int perUnit = Math.max(1, Winograd.BLOCK / tiles);
        double[] du = new double[16 * c * o];
        for (int first = 0; first < q.n(); first += Winograd.CHUNK) {
            int end = Math.min(q.n(), first + Winograd.CHUNK);
            float[] partial = null;
            for (int n0 = first; n0 < end; n0 += perUnit) {
                int total = Math.min(perUnit, end - n0) * tiles, blocks = (total + Winograd.BLOCK - 1) / Winograd.BLOCK;
                int size = ((total + blocks - 1) / blocks + 5) / 6 * 6;
                for (int start = 0; start < total; start += size) {
                    int len = Math.min(size, total - start);
                    float[][][] v = new float[len][][], m = new float[len][16][o];
                    for (int t = 0; t < len; t++) {
                        int n = n0 + (start + t) / tiles, tile = (start + t) % tiles, ti = tile / across, tj = tile % across;
                        v[t] = inputTransform(q, x, n, ti, tj);
                        for (int oc = 0; oc < o; oc++) {
                            float[] y = new float[4];
                            for (int k = 0; k < 4; k++) y[k] = dy[((n * o + oc) * h + 2 * ti + k / 2) * wd + 2 * tj + k % 2];
                            // rows: r0 = y0, r1 = y0 + y1, r2 = y0 − y1, r3 = −y1 (per column); then along each row
                            float[][] r = {{y[0], y[1]}, {y[0] + y[2], y[1] + y[3]}, {y[0] - y[2], y[1] - y[3]}, {-y[2], -y[3]}};
                            for (int a = 0; a < 4; a++) {
                                m[t][4 * a][oc] = r[a][0];
                                m[t][4 * a + 1][oc] = r[a][0] + r[a][1];
                                m[t][4 * a + 2][oc] = r[a][0] - r[a][1];
                                m[t][4 * a + 3][oc] = -r[a][1];
                            }
                        }
                    }
                    boolean opens = partial == null;
                    if (opens) partial = new float[16 * c * o];
                    for (int xi = 0; xi < 16; xi++) for (int ic = 0; ic < c; ic++) for (int oc = 0; oc < o; oc++) {
                        float sum = 0f;
                        for (int t = 0; t < len; t++) sum = Math.fma(v[t][xi][ic], m[t][xi][oc], sum);
                        int k = (xi * c + ic) * o + oc;
                        partial[k] = opens ? sum : sum + partial[k];
                    }
                }
            }
            for (int k = 0; k < du.length; k++) du[k] += partial[k];
        }
        float[] dw = new float[o * c * 9];
        for (int ic = 0; ic < c; ic++) for (int oc = 0; oc < o; oc++) {
            double[][] t = new double[3][4];
            for (int b = 0; b < 4; b++) {
                double u0 = du[(b * c + ic) * o + oc], u1 = du[((4 + b) * c + ic) * o + oc];
                double u2 = du[((8 + b) * c + ic) * o + oc], u3 = du[((12 + b) * c + ic) * o + oc];
                t[0][b] = u0 + 0.5 * (u1 + u2);
                t[1][b] = 0.5 * (u1 - u2);
                t[2][b] = 0.5 * (u1 + u2) + u3;
            }
            for (int i = 0; i < 3; i++) {
                int k = ((oc * c + ic) * 3 + i) * 3;
                dw[k] = (float) (t[i][0] + 0.5 * (t[i][1] + t[i][2]));
                dw[k + 1] = (float) (0.5 * (t[i][1] - t[i][2]));
                dw[k + 2] = (float) (0.5 * (t[i][1] + t[i][2]) + t[i][3]);
            }
        }
        return dw;
    }

    @Test
    void weightGradGivesTheBitsOfItsDocumentedOrder() {
        qt().withExamples(20).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = randomForWeights(rng);
            return new Object[] {q, random(rng, q.n() * q.c() * q.pixels()), random(rng, q.n() * q.o() * q.pixels())};
        }, c -> c[0].toString())).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] x = (float[]) c[1], dy = (float[]) c[2];
            float[] want = weightGradDocumentedOrder(q, x, dy), got = new float[want.length];
            Winograd.weightGrad(q, x, 0, dy, 0, got);
            for (int k = 0; k < want.length; k++) {
                if (Float.floatToRawIntBits(got[k]) != Float.floatToRawIntBits(want[k])) {
                    throw new AssertionError(q + " element " + k + ": " + got[k] + ", the documented order gives " + want[k]);
                }
            }
        });
    }

    @Test
    void everyImageIsHandedOnceWhenItsOutputIsComplete() {
        // 4×4 maps: 4 tiles an image, so a block holds many images and the last unit fewer.
        for (Geometry q : List.of(geometry(29, L, 4 * L, 4, 4), geometry(3, L, 2 * L, 32, 2 * L))) {
            RandomGenerator rng = new java.util.SplittableRandom(q.hashCode());
            float[] x = random(rng, q.n() * q.c() * q.pixels()), w = random(rng, q.o() * q.c() * 9);
            float[] y = new float[q.n() * q.o() * q.pixels()];
            Arrays.fill(y, Float.NaN);
            List<Integer> seen = new ArrayList<>();
            try (var _ = Threads.limit(1)) {
                Winograd.forward(q, x, 0, w, 0, null, 0, y, n -> {
                    int image = q.o() * q.pixels();
                    for (int k = n * image; k < (n + 1) * image; k++) assertFalse(Float.isNaN(y[k]), "image " + n + " handed on before element " + k);
                    seen.add(n);
                });
            }
            List<Integer> all = new ArrayList<>();
            for (int n = 0; n < q.n(); n++) all.add(n);
            assertEquals(all, seen, q.toString());
        }
    }

    @Test
    void whereItAppliesTheConvolutionOpAndItsGradientsStayCloseToFloat64() {
        Geometry all = geometry(3, 64, 64, 8, 8);
        assumeTrue(Winograd.applies(all) && Winograd.inputGradApplies(all) && Winograd.weightGradApplies(all), "Winograd off for " + all);
        // 64 → 64: all three passes here; 32 → 2 vectors: the weight gradient on its 6 × 2 tile, the rest direct;
        // 4 → 5 vectors: all three passes here, outputs (and the input gradient's inputs) a whole panel and a rest.
        Geometry narrow = geometry(3, 32, 2 * L, 8, 8), ragged = geometry(2, 4 * L, 5 * L, 6, 6);
        assertTrue(Winograd.weightGradApplies(narrow), "weight gradient by Winograd for " + narrow);
        assertTrue(Winograd.applies(ragged) && Winograd.inputGradApplies(ragged) && Winograd.weightGradApplies(ragged), "Winograd for " + ragged);
        for (Geometry q : List.of(all, narrow, ragged)) closeToFloat64(q);
    }

    private static void closeToFloat64(Geometry q) {
        RandomGenerator rng = new java.util.SplittableRandom(7);
        float[] xa = random(rng, q.n() * q.c() * q.pixels()), wa = random(rng, q.o() * q.c() * 9), ba = random(rng, q.o());
        float[] ga = random(rng, q.n() * q.o() * q.pixels());
        Tensor[] f = convolve(xa, wa, ba, ga, q, DType.FLOAT32), d = convolve(xa, wa, ba, ga, q, DType.FLOAT64);
        // y, dx and dw through the Winograd kernels (db through the direct sum): against the float64 op
        for (int k = 0; k < 4; k++) {
            double[] want = d[k].toDoubleArray(), got = f[k].to(DType.FLOAT64).toDoubleArray();
            double scale = Arrays.stream(want).map(Math::abs).max().orElse(1);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4 * scale, new String[] {"y", "dx", "dw", "db"}[k] + " at " + i + ", " + q);
            }
        }
    }

    /** y, dx, dw, db of conv2d(x, w, b) (stride 1, padding 1) with output gradient g, in the given dtype. */
    private static Tensor[] convolve(float[] xa, float[] wa, float[] ba, float[] ga, Geometry q, DType dtype) {
        Tensor x = Tensor.of(xa, q.n(), q.c(), q.h(), q.w()).to(dtype).requiresGrad(true);
        Tensor w = Tensor.of(wa, q.o(), q.c(), 3, 3).to(dtype).requiresGrad(true);
        Tensor b = Tensor.of(ba, q.o()).to(dtype).requiresGrad(true);
        Tensor y = Convolution.conv2d(x, w, b, 1, 1);
        y.backward(Tensor.of(ga, q.n(), q.o(), q.h(), q.w()).to(dtype));
        return new Tensor[] {y, x.grad(), w.grad(), b.grad()};
    }
}
