package dev.descent.core.kernel;

import dev.descent.core.kernel.ConvKernels.Geometry;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3×3, stride-1, "same" convolution by Winograd's minimal filtering F(2×2, 3×3), in training (forward, input
 * gradient, and by its transpose F(3×3, 2×2) the weight gradient: {@link #weightGrad}) and inference: each 2×2 block of output pixels (a tile) comes from the 4×4 block of padded input around it
 * through 16 products per (output, input) channel pair instead of 36. Over a block of tiles those products are 16
 * matrix products, one per transform point ξ: M_ξ[tile, o] = Σ_c V_ξ[tile, c] · U_ξ[c, o], run by GEMM's register tiles.
 *
 * <p>Transforms (Lavin and Gray's notation): filter U = G g Gᵀ with G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]], computed in
 * float64 and rounded once; input V = Bᵀ d B with Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]; output
 * Y = Aᵀ M A with Aᵀ = [[1,1,1,0],[0,1,−1,−1]]. Channels lie in the vector lanes for both transforms: each image is
 * first copied channels-last with its zero border ([h+2][w+2][c]), the transformed input of a block is [ξ][tile][c]
 * (row-major A of each product), the products [ξ][tile][o] (rows padded to whole register tiles), and the output goes
 * channels-last to a staging buffer and from there to y's channel planes. So every load and store of the transforms is
 * a whole vector, on any map size (the F(2×2, 3×3) of the ONNX importer puts tiles in the lanes instead, which leaves
 * most lanes idle on small maps). Where the time goes (64 → 64 @8×8, 128 images, 1 thread, 512 bits): the products
 * two thirds, the channels-last copy 8%, the input transform 12%, the output transform 7%, the copy back 6%.
 *
 * <p>Its float32 sums round differently from the direct kernels' (the transforms add and subtract before multiplying;
 * against a float64 convolution of unit-variance inputs its largest error was smaller than theirs: 1.1e-6 against
 * 5.5e-6 for 64 → 64 @8×8), and each output depends only on its own tile's input and the fixed order of the sums over
 * channels and transform points: the same bits for any thread count.
 */
public final class Winograd {
    private Winograd() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Columns of a packed U panel (GEMM's B micro-panel width). */
    private static final int NR = Gemm.NR;
    /**
     * Tiles per block, a multiple of GEMM's tile rows (6 or 3): a block's transformed input and products, 16 · BLOCK ·
     * (c + o) floats, stay in L2 between the transforms and the products (at 64 → 64 channels 768 KB beside the 16
     * filters' 256 KB; 48 tiles measured the same there, and 2–6% slower at 32 → 64 @16×16, whose 64 tiles an image
     * then made a block of 48 and one of 16).
     */
    static final int BLOCK = 96;

    /**
     * Floats from one transform point's rows of a block to the next's: a cache line more than the rows, so that the 16
     * loads or stores of one tile do not all fall in one L1 set (64 → 64 @8×8 at 512 bits, planes a multiple of 4 KB
     * apart: 3.3 against 2.5–2.8 ms a forward of 128 images).
     */
    private static int plane(int channels) {
        return BLOCK * channels + L;
    }

    /** Switch: {@code -Ddescent.conv.winograd=false} keeps every convolution on the direct kernels. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("descent.conv.winograd"));

    /**
     * Whether the kernels here can compute a convolution: 3×3, stride 1, padding 1, no dilation, one group, an even map,
     * input and output channels whole vectors (at most {@link Gemm#KC} inputs), with vectors of 8 or 16 lanes. Not the
     * register count: the products' bits are the same on GEMM's 6 × 4 tile (32
     * registers) and its 3 × 3 (16), so that 256-bit runs give the same bits on AVX2 and AVX-512 CPUs.
     */
    public static boolean supports(Geometry q) {
        return Vectors.ENABLED && (L == 16 || L == 8) && sameThreeByThree(q)
                && q.h() % 2 == 0 && q.w() % 2 == 0
                && q.c() % L == 0 && q.o() % L == 0 && q.c() <= Gemm.KC;
    }

    /**
     * Whether a convolution runs here rather than on the direct kernels: {@link #supports} it, it has at least 4 output
     * vectors (one whole 6 × 4-vector tile with 32 registers; a rest of 1 or 2 vectors runs on a narrower tile, see
     * {@code products}) and at least 32 inputs; decided by the vector width and the shape only, never by the CPU's
     * register count (see {@link #supports}). Measured (one thread, 128 images, 2026-12-05): at 512 bits 64 → 64 @8×8
     * 1.49× and 32 → 64 @16×16 1.24× faster than the direct kernels, 64 → 80 / 96 / 160 @8×8 1.34× / 1.45× / 1.54×,
     * 32 → 80 / 96 @16×16 1.11× / 1.24×, but fewer than 4 output vectors no: 32 → 32 @16×16 0.95–1.1×, 32 → 48 @16×16
     * 0.95×, 16 → 16 @32×32 0.6×; at 256 bits 64 → 64 @8×8 1.75×, 32 → 32 @16×16 1.45×, 32 → 64 @16×16 1.52×, 32 → 48
     * @16×16 1.47× (1.67× for 32 → 40 with 16 registers). Maps whose rows are not whole vectors, where the direct kernels
     * read a row-shifted copy, gain most (512 bits): 32 → 64 @14×14 (SimpleCNN's second layer on 28×28 images) 1.8–2.0×,
     * 64 → 64 @14×14 2.1×, 64 → 64 @6×6 5×. {@code -Ddescent.conv.winograd=false} turns it off.
     */
    public static boolean applies(Geometry q) {
        return ENABLED && supports(q) && q.o() >= 4 * L && q.c() >= 32;
    }

    /** Per-thread buffers. */
    private static final class Scratch {
        float[] image = new float[0], stage = new float[0], v = new float[0], m = new float[0], out = new float[0];
        /** The calling thread's chunk partials and float64 sums of {@link #weightGrad}. */
        float[] partials = new float[0];
        double[] sums = new double[0];

        static float[] grow(float[] a, int size) {
            return a.length < size ? new float[size] : a;
        }

        /** This thread's buffers for a unit of images: padded images, the stage, transformed input, products, outputs. */
        Scratch ready(int image, int stage, int v, int m, int out) {
            this.image = grow(this.image, image);
            this.stage = grow(this.stage, stage);
            this.v = grow(this.v, v);
            this.m = grow(this.m, m);
            this.out = grow(this.out, out);
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The 16 transformed filters as packed B micro-panels: U_ξ of output panel p (NR channels, zero past o) at
     * ((ξ · panels + p) · c + ic) · NR + oc % NR.
     */
    static float[] filters(int c, int o, float[] w, int wo, boolean turned) {
        int panels = (o + NR - 1) / NR;
        float[] u = new float[16 * panels * c * NR];
        double[] t = new double[12];
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < c; ic++) {
                // Turned: filter (oc, ic) is w's filter (ic, oc) rotated by 180°, w being [c][o][3][3].
                int g = wo + (turned ? ic * o + oc : oc * c + ic) * 9;
                // t = G g (4 × 3), then U = t Gᵀ (4 × 4).
                for (int j = 0; j < 3; j++) {
                    double g0 = tap(w, g, 0, j, turned), g1 = tap(w, g, 1, j, turned), g2 = tap(w, g, 2, j, turned);
                    t[j] = g0;
                    t[3 + j] = 0.5 * (g0 + g1 + g2);
                    t[6 + j] = 0.5 * (g0 - g1 + g2);
                    t[9 + j] = g2;
                }
                int at = ((oc / NR) * c + ic) * NR + oc % NR, point = panels * c * NR;
                for (int a = 0; a < 4; a++, at += 4 * point) {
                    double r0 = t[3 * a], r1 = t[3 * a + 1], r2 = t[3 * a + 2];
                    u[at] = (float) r0;
                    u[at + point] = (float) (0.5 * (r0 + r1 + r2));
                    u[at + 2 * point] = (float) (0.5 * (r0 - r1 + r2));
                    u[at + 3 * point] = (float) r2;
                }
            }
        }
        return u;
    }

    /** Tap (i, j) of the 3 × 3 filter at g, or of its 180° turn. */
    private static double tap(float[] w, int g, int i, int j, boolean turned) {
        return turned ? w[g + (2 - i) * 3 + 2 - j] : w[g + i * 3 + j];
    }

    /**
     * y = conv2d(x, w) + bias (bias [O] or null) when {@link #supports}; every element of y written. {@code afterImage}
     * (or null) runs on each image index once that image's output is complete, on the thread that computed it.
     */
    public static void forward(Geometry q, float[] x, int xo, float[] w, int wo, float[] bias, int bo, float[] y, IntConsumer afterImage) {
        run(q, x, xo, filters(q.c(), q.o(), w, wo, false), bias, bo, y, afterImage);
    }

    /**
     * dx = the input gradient of conv2d for dy when {@link #supports} the transposed convolution: the "same" convolution of dy with each
     * filter turned by 180° and the channel roles swapped. Every element of dx written.
     */
    public static void inputGrad(Geometry q, float[] dy, int go, float[] w, int wo, float[] dx) {
        run(transposed(q), dy, go, filters(q.o(), q.c(), w, wo, true), null, 0, dx, null);
    }

    /** Whether {@link #inputGrad} runs here: the transposed convolution (o inputs, c outputs) {@link #applies}. */
    public static boolean inputGradApplies(Geometry q) {
        return sameThreeByThree(q) && applies(transposed(q));
    }

    /** A 3×3, stride-1, padding-1 convolution without dilation or groups: the one shape Winograd's F(2×2, 3×3) is for. */
    private static boolean sameThreeByThree(Geometry q) {
        return q.kh() == 3 && q.kw() == 3 && q.sh() == 1 && q.sw() == 1 && q.ph() == 1 && q.pw() == 1
                && q.dh() == 1 && q.dw() == 1 && q.groups() == 1;
    }

    /** The stride-1 "same" convolution from dy (o channels) to dx (c channels), for {@link #inputGrad}. */
    public static Geometry transposed(Geometry q) {
        return new Geometry(q.n(), q.o(), q.h(), q.w(), q.c(), 3, 3, 1, 1, 1, 1, 1, 1, 1, q.h(), q.w());
    }

    /** Images per partial sum of {@link #weightGrad}: fixed, so that the order of its sums never follows the thread count. */
    static final int CHUNK = 16;

    /**
     * Whether {@link #weightGrad} runs here: {@link #supports} it, it has at least 16 inputs (the products' rows) and at
     * least 2 output vectors (the products' lanes), or at 512 bits one output vector and at least 32 inputs; by width and
     * shape only, as {@link #applies}. Measured against the direct kernels (one thread, 128 images, 2026-12-05), at 512
     * bits: 32 → 64 @16×16 1.2–1.6×, 64 → 64 @8×8 1.42×, 128 → 64 @8×8 1.65×, 64 → 128 @8×8 1.75×, 32 → 64 @14×14 2.5×,
     * 16 → 64 @32×32 1.8×; outputs of 2 vectors on the 6 × 2 tile, 32 → 32 @16×16 1.15–1.2×, 64 → 32 @16×16 1.19×,
     * 16 → 32 @32×32 1.15–1.26×, 32 → 32 @8×8 1.41×, 128 → 32 @8×8 1.73×; of 1 vector on the 6 × 1 tile, 32 → 16
     * @16×16 1.33×, 64 → 16 @8×8 1.88×, but 16 → 16 @32×32 1.01× (not taken: 16 inputs). At 256 bits: 32 → 32 @16×16
     * 1.36×, 64 → 64 @8×8 1.6×, 32 → 64 and 64 → 32 @16×16 1.6×, 16 → 32 @32×32 1.25×; 2 output vectors, 16 → 16 @32×32
     * 1.08× (1.28× with 16 registers), 32 → 16 @16×16 1.39× (1.68×), 64 → 16 @8×8 1.62× (2.37×); not taken: 8 → 32
     * @32×32 0.95× (8 inputs), 32 → 8 @16×16 0.95× (1 output vector).
     */
    public static boolean weightGradApplies(Geometry q) {
        return ENABLED && supports(q) && q.c() >= 16 && (q.o() >= 2 * L || L == 16 && q.c() >= 32);
    }

    /**
     * dw [O, C, 3, 3] = the weight gradient of conv2d for dy when {@link #supports}, by F(3×3, 2×2), the transpose of
     * the forward's F(2×2, 3×3): with V_ξ the forward's transformed input of each tile and dM = A dY Aᵀ the 2×2 output
     * gradient of the tile taken back through the output transform (A = [[1,0],[1,1],[1,−1],[0,−1]]), the gradient of
     * the transformed filters is dU_ξ[c, o] = Σ_tiles V_ξ[tile, c] · dM_ξ[tile, o] — 16 matrix products over a block's
     * tiles, on GEMM's register tile with input channels as its rows and output channels in the lanes — and dw = Gᵀ dU G.
     * 4 products a weight and pixel against the direct kernels' 9. dw is fully overwritten.
     *
     * <p>Order: per chunk of {@link #CHUNK} images, each block's product is one fma chain over the block's tiles in order
     * from zero, added to the chunk's partial (the first block's overwrites it); the chunks' partials are added in chunk
     * order to float64 sums from zero, which are taken through Gᵀ · G in float64 and rounded once. Chunks and blocks
     * follow from the shape only: the same bits on any thread count. Scratch: the partials of two chunks a thread (16 ·
     * c · o floats each, rows and columns padded to the register tile) and 16 · c · o doubles.
     */
    public static void weightGrad(Geometry q, float[] x, int xo, float[] dy, int go, float[] dw) {
        int c = q.c(), o = q.o(), h = q.h(), wd = q.w(), pixels = h * wd;
        int tiles = (h / 2) * (wd / 2), across = wd / 2, wp = wd + 2, imageSize = (h + 2) * wp * c;
        // The products' rows (input channels) padded to whole register tiles: those of the full panels' tile and of the
        // last panel's, which is narrower when o is not a multiple of NR (see Gemm.kernelS(vectors, …)).
        int panels = (o + NR - 1) / NR, ldu = panels * NR, lastVectors = (o - (panels - 1) * NR) / L;
        int tileRows = Math.max(Gemm.MR, Gemm.rowsS(lastVectors)), rows = (c + tileRows - 1) / tileRows * tileRows;
        int size = 16 * rows * ldu, chunks = (q.n() + CHUNK - 1) / CHUNK;
        int perUnit = Math.max(1, BLOCK / tiles);
        // Chunks in waves of two a thread: a wave's partials are made in parallel, then added to the float64 sums in
        // chunk order, so that the scratch is a wave's, not the batch's (the order of the additions is the same).
        int wave = Math.min(chunks, 2 * Parallel.threads());
        Scratch caller = SCRATCH.get();
        float[] partials = caller.partials = Scratch.grow(caller.partials, wave * size);
        double[] du = caller.sums = caller.sums.length < 16 * c * o ? new double[16 * c * o] : caller.sums;
        Arrays.fill(du, 0, 16 * c * o, 0);
        int sumGrain = Math.max(1, 4096 / (wave * o));
        boolean ahead = Prefetch.worth((long) q.n() * c * pixels * Float.BYTES);
        Vectors.count();
        for (int w0 = 0; w0 < chunks; w0 += wave) {
            int first = w0, count = Math.min(wave, chunks - w0);
            Parallel.forRange(count, 1, (from, to) -> {
                Scratch s = SCRATCH.get().ready(perUnit * imageSize, pixels * c, 16 * plane(c), 16 * gradPlane(panels), perUnit * pixels * o);
                for (int k = from; k < to; k++) {
                    int ch = first + k, end = Math.min(q.n(), (ch + 1) * CHUNK);
                    boolean opens = true;
                    for (int n0 = ch * CHUNK; n0 < end; n0 += perUnit) {
                        int images = Math.min(perUnit, end - n0), total = images * tiles;
                        for (int g = 0; g < images; g++) {
                            int xAt = xo + (n0 + g) * c * pixels, dyAt = go + (n0 + g) * o * pixels;
                            if (ahead) {
                                Prefetch.lines(x, xAt, c * pixels);
                                Prefetch.lines(dy, dyAt, o * pixels);
                            }
                            channelsLast(x, xAt, c, h, wd, s.image, g * imageSize, s.stage);
                            transpose(dy, dyAt, o, pixels, s.out, g * pixels * o);
                        }
                        int blocks = (total + BLOCK - 1) / BLOCK, blockSize = ((total + blocks - 1) / blocks + 5) / 6 * 6;
                        for (int start = 0; start < total; start += blockSize) {
                            int len = Math.min(blockSize, total - start);
                            for (int t = 0; t < len; t++) {
                                int i = start + t, g = i / tiles, tile = i % tiles, ty = 2 * (tile / across), tx = 2 * (tile % across);
                                inputTile(s.image, g * imageSize + (ty * wp + tx) * c, wp * c, c, s.v, t * c, plane(c));
                                gradTile(s.out, g * pixels * o + (ty * wd + tx) * o, wd * o, o, s.m, t * NR, gradPlane(panels));
                            }
                            for (int xi = 0; xi < 16; xi++) {
                                for (int p = 0; p < panels; p++) {
                                    int bpo = xi * gradPlane(panels) + p * BLOCK * NR, co = k * size + xi * rows * ldu + p * NR;
                                    int vectors = Math.min(NR, o - p * NR) / L, step = Gemm.rowsS(vectors);
                                    for (int r = 0; r < rows; r += step) {
                                        Gemm.kernelS(vectors, len, s.v, xi * plane(c) + r, c, s.m, bpo, partials, co + r * ldu, ldu, opens);
                                    }
                                }
                            }
                            opens = false;
                        }
                    }
                }
            });
            // du[ic, ξ, oc] += the wave's partials, in chunk order.
            Parallel.forRange(c, sumGrain, (from, to) -> {
                for (int ic = from; ic < to; ic++) {
                    for (int k = 0; k < count; k++) {
                        for (int xi = 0; xi < 16; xi++) {
                            int at = k * size + (xi * rows + ic) * ldu, d = (ic * 16 + xi) * o;
                            for (int oc = 0; oc < o; oc++) du[d + oc] += partials[at + oc];
                        }
                    }
                }
            });
        }
        // dw[oc, ic] = Gᵀ dU[ic, ·, oc] G, rounded once.
        Parallel.forRange(c, sumGrain, (from, to) -> {
            double[] t = new double[12];
            for (int ic = from; ic < to; ic++) {
                for (int oc = 0; oc < o; oc++) filterGrad(du, ic * 16 * o + oc, o, t, dw, (oc * c + ic) * 9);
            }
        });
    }

    /** dw[wo + 3i + j] = (Gᵀ dU G)[i, j] for dU_ξ = du[ξ · stride + at], in float64 (t: 12 doubles of scratch), rounded once. */
    private static void filterGrad(double[] du, int at, int stride, double[] t, float[] dw, int wo) {
        for (int b = 0; b < 4; b++) {
            double u0 = du[at + b * stride], u1 = du[at + (4 + b) * stride], u2 = du[at + (8 + b) * stride], u3 = du[at + (12 + b) * stride];
            t[b] = u0 + 0.5 * (u1 + u2);
            t[4 + b] = 0.5 * (u1 - u2);
            t[8 + b] = 0.5 * (u1 + u2) + u3;
        }
        for (int i = 0; i < 3; i++) {
            double u0 = t[4 * i], u1 = t[4 * i + 1], u2 = t[4 * i + 2], u3 = t[4 * i + 3];
            dw[wo + 3 * i] = (float) (u0 + 0.5 * (u1 + u2));
            dw[wo + 3 * i + 1] = (float) (0.5 * (u1 - u2));
            dw[wo + 3 * i + 2] = (float) (0.5 * (u1 + u2) + u3);
        }
    }

    /** Floats from one transform point's output-gradient panels of a block to the next's: a cache line more (see {@link #plane}). */
    private static int gradPlane(int panels) {
        return panels * BLOCK * NR + L;
    }

    private static void run(Geometry q, float[] x, int xo, float[] u, float[] bias, int bo, float[] y, IntConsumer afterImage) {
        int c = q.c(), o = q.o(), h = q.h(), wd = q.w(), pixels = h * wd;
        int tiles = (h / 2) * (wd / 2), across = wd / 2, wp = wd + 2, imageSize = (h + 2) * wp * c;
        int ldm = (o + NR - 1) / NR * NR;
        // A unit of work is one image, or as many whole images as fill a block when an image has fewer tiles; its tiles
        // go in blocks of equal size (a multiple of 6, at most BLOCK but for that rounding).
        int perUnit = Math.max(1, BLOCK / tiles);
        int units = (q.n() + perUnit - 1) / perUnit;
        boolean ahead = Prefetch.worth((long) q.n() * c * pixels * Float.BYTES);
        Vectors.count();
        Parallel.forRange(units, 1, (from, to) -> {
            Scratch s = SCRATCH.get().ready(perUnit * imageSize, pixels * c, 16 * plane(c), 16 * plane(ldm), perUnit * pixels * o);
            for (int unit = from; unit < to; unit++) {
                int n0 = unit * perUnit, images = Math.min(perUnit, q.n() - n0), total = images * tiles;
                for (int g = 0; g < images; g++) {
                    int at = xo + (n0 + g) * c * pixels;
                    if (ahead) Prefetch.lines(x, at, c * pixels);
                    channelsLast(x, at, c, h, wd, s.image, g * imageSize, s.stage);
                }
                int blocks = (total + BLOCK - 1) / BLOCK, size = ((total + blocks - 1) / blocks + 5) / 6 * 6;
                for (int start = 0; start < total; start += size) {
                    int len = Math.min(size, total - start);
                    for (int t = 0; t < len; t++) {
                        int k = start + t, g = k / tiles, tile = k % tiles;
                        int at = g * imageSize + (2 * (tile / across) * wp + 2 * (tile % across)) * c;
                        inputTile(s.image, at, wp * c, c, s.v, t * c, plane(c));
                    }
                    products(len, c, o, s.v, u, s.m);
                    for (int t = 0; t < len; t++) {
                        int k = start + t, g = k / tiles, tile = k % tiles;
                        int at = g * pixels * o + (2 * (tile / across) * wd + 2 * (tile % across)) * o;
                        outputTile(s.m, t * ldm, plane(ldm), o, bias, bo, s.out, at, wd * o);
                    }
                }
                for (int g = 0; g < images; g++) {
                    channelsFirst(s.out, g * pixels * o, o, pixels, y, (n0 + g) * o * pixels);
                    if (afterImage != null) afterImage.accept(n0 + g);
                }
            }
        });
    }

    /**
     * The padded image channels-last: dst[((hh + 1) · (w + 2) + ww + 1) · c + ch] = x[ch, hh, ww], a zero border; by
     * L × L transpositions in registers, straight into the padded rows when a row is whole vectors, else through
     * {@code stage} ([h·w][c], the pixels past the last whole vector float by float) and a copy per row.
     */
    static void channelsLast(float[] x, int xo, int c, int h, int w, float[] dst, int d, float[] stage) {
        int wp = w + 2, pixels = h * w;
        Arrays.fill(dst, d, d + wp * c, 0f);
        Arrays.fill(dst, d + (h + 1) * wp * c, d + (h + 2) * wp * c, 0f);
        for (int hh = 0; hh < h; hh++) {
            int row = d + (hh + 1) * wp * c;
            Arrays.fill(dst, row, row + c, 0f);
            Arrays.fill(dst, row + (w + 1) * c, row + (w + 2) * c, 0f);
        }
        if (w % L == 0) {
            for (int cv = 0; cv < c; cv += L) {
                for (int hh = 0; hh < h; hh++) {
                    ChannelWeightGrad.transposeBlocks(x, xo + cv * pixels + hh * w, pixels, w / L, dst, d + ((hh + 1) * wp + 1) * c + cv, c);
                }
            }
        } else {
            transpose(x, xo, c, pixels, stage, 0);
            for (int hh = 0; hh < h; hh++) System.arraycopy(stage, hh * w * c, dst, d + ((hh + 1) * wp + 1) * c, w * c);
        }
    }

    /**
     * dst[d + p · c + ch] = x[xo + ch · pixels + p] for one image: by L × L transpositions in registers, the pixels past
     * the last whole vector float by float.
     */
    static void transpose(float[] x, int xo, int c, int pixels, float[] dst, int d) {
        int whole = pixels / L * L;
        for (int cv = 0; cv < c; cv += L) ChannelWeightGrad.transposeBlocks(x, xo + cv * pixels, pixels, whole / L, dst, d + cv, c);
        for (int p = whole; p < pixels; p++) {
            for (int ch = 0; ch < c; ch++) dst[d + p * c + ch] = x[xo + ch * pixels + p];
        }
    }

    /**
     * y[oc · pixels + p] = src[so + p · o + oc] for one image, by L × L transpositions in registers (the pixels past the
     * last whole vector float by float).
     */
    static void channelsFirst(float[] src, int so, int o, int pixels, float[] y, int yo) {
        int whole = pixels / L * L;
        for (int p = 0; p < whole; p += L) ChannelWeightGrad.transposeBlocks(src, so + p * o, o, o / L, y, yo + p, pixels);
        for (int p = whole; p < pixels; p++) {
            for (int oc = 0; oc < o; oc++) y[yo + oc * pixels + p] = src[so + p * o + oc];
        }
    }

    /**
     * M_ξ = V_ξ · U_ξ for the block's first len tiles, by GEMM's register tile in whole tiles: rows past len up to a
     * multiple of the tile's rows, and columns past o up to a multiple of {@link Gemm#NR} (zero filters), are computed
     * into the buffer's slack and never read. A last panel of 1 or 2 vectors (o not a multiple of NR: with 16 registers,
     * NR is 3 vectors) runs on the 6 × 1 or 6 × 2 tile rather than the full one (at 256 bits with 16 registers, 128
     * images, 1 thread: 32 → 32 @16×16 forward 5.9–6.2 → 4.8–5.1 ms, input gradient of 64 → 64 @8×8 4.1–4.4 → 3.4–3.5).
     * Each product is one fma chain over the channels in order, whatever the tile.
     */
    private static void products(int len, int c, int o, float[] v, float[] u, float[] m) {
        int panels = (o + NR - 1) / NR, ldm = panels * NR;
        for (int xi = 0; xi < 16; xi++) {
            for (int p = 0; p < panels; p++) {
                int bpo = (xi * panels + p) * c * NR, vectors = Math.min(NR, o - p * NR) / L, step = Gemm.rowsS(vectors);
                for (int r = 0; r < len; r += step) {
                    Gemm.kernelD(vectors, c, v, xi * plane(c) + r * c, c, u, bpo, m, xi * plane(ldm) + r * ldm + p * NR, ldm, true);
                }
            }
        }
    }

    /**
     * V = Bᵀ d B of one tile for every channel vector: d[a][b] at img[at + a · rowStride + b · c + ch], V_ξ (ξ = 4a + b)
     * to v[vo + ξ · plane + ch]. Flat on purpose: the four rows' 16 vectors stay in registers.
     */
    private static void inputTile(float[] img, int at, int rowStride, int c, float[] v, int vo, int plane) {
        for (int ch = 0; ch < c; ch += L) {
            int r0 = at + ch, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
            // Columns first: each row's d0 − d2, d1 + d2, d2 − d1, d1 − d3.
            FloatVector d00 = FloatVector.fromArray(S, img, r0), d01 = FloatVector.fromArray(S, img, r0 + c);
            FloatVector d02 = FloatVector.fromArray(S, img, r0 + 2 * c), d03 = FloatVector.fromArray(S, img, r0 + 3 * c);
            FloatVector t00 = d00.sub(d02), t01 = d01.add(d02), t02 = d02.sub(d01), t03 = d01.sub(d03);
            FloatVector d10 = FloatVector.fromArray(S, img, r1), d11 = FloatVector.fromArray(S, img, r1 + c);
            FloatVector d12 = FloatVector.fromArray(S, img, r1 + 2 * c), d13 = FloatVector.fromArray(S, img, r1 + 3 * c);
            FloatVector t10 = d10.sub(d12), t11 = d11.add(d12), t12 = d12.sub(d11), t13 = d11.sub(d13);
            FloatVector d20 = FloatVector.fromArray(S, img, r2), d21 = FloatVector.fromArray(S, img, r2 + c);
            FloatVector d22 = FloatVector.fromArray(S, img, r2 + 2 * c), d23 = FloatVector.fromArray(S, img, r2 + 3 * c);
            FloatVector t20 = d20.sub(d22), t21 = d21.add(d22), t22 = d22.sub(d21), t23 = d21.sub(d23);
            FloatVector d30 = FloatVector.fromArray(S, img, r3), d31 = FloatVector.fromArray(S, img, r3 + c);
            FloatVector d32 = FloatVector.fromArray(S, img, r3 + 2 * c), d33 = FloatVector.fromArray(S, img, r3 + 3 * c);
            FloatVector t30 = d30.sub(d32), t31 = d31.add(d32), t32 = d32.sub(d31), t33 = d31.sub(d33);
            // Then rows: the same combinations down each column.
            int o = vo + ch;
            t00.sub(t20).intoArray(v, o);
            t01.sub(t21).intoArray(v, o + plane);
            t02.sub(t22).intoArray(v, o + 2 * plane);
            t03.sub(t23).intoArray(v, o + 3 * plane);
            t10.add(t20).intoArray(v, o + 4 * plane);
            t11.add(t21).intoArray(v, o + 5 * plane);
            t12.add(t22).intoArray(v, o + 6 * plane);
            t13.add(t23).intoArray(v, o + 7 * plane);
            t20.sub(t10).intoArray(v, o + 8 * plane);
            t21.sub(t11).intoArray(v, o + 9 * plane);
            t22.sub(t12).intoArray(v, o + 10 * plane);
            t23.sub(t13).intoArray(v, o + 11 * plane);
            t10.sub(t30).intoArray(v, o + 12 * plane);
            t11.sub(t31).intoArray(v, o + 13 * plane);
            t12.sub(t32).intoArray(v, o + 14 * plane);
            t13.sub(t33).intoArray(v, o + 15 * plane);
        }
    }

    /**
     * Y = Aᵀ M A (+ bias) of one tile for every output-channel vector: M_ξ at m[mo + ξ · plane + oc], the 2 × 2 outputs
     * to out[at + a · rowStride + b · o + oc]. Flat on purpose.
     */
    private static void outputTile(float[] m, int mo, int plane, int o, float[] bias, int bo, float[] out, int at, int rowStride) {
        for (int oc = 0; oc < o; oc += L) {
            int i = mo + oc;
            FloatVector m00 = FloatVector.fromArray(S, m, i), m01 = FloatVector.fromArray(S, m, i + plane);
            FloatVector m02 = FloatVector.fromArray(S, m, i + 2 * plane), m03 = FloatVector.fromArray(S, m, i + 3 * plane);
            FloatVector m10 = FloatVector.fromArray(S, m, i + 4 * plane), m11 = FloatVector.fromArray(S, m, i + 5 * plane);
            FloatVector m12 = FloatVector.fromArray(S, m, i + 6 * plane), m13 = FloatVector.fromArray(S, m, i + 7 * plane);
            FloatVector m20 = FloatVector.fromArray(S, m, i + 8 * plane), m21 = FloatVector.fromArray(S, m, i + 9 * plane);
            FloatVector m22 = FloatVector.fromArray(S, m, i + 10 * plane), m23 = FloatVector.fromArray(S, m, i + 11 * plane);
            FloatVector m30 = FloatVector.fromArray(S, m, i + 12 * plane), m31 = FloatVector.fromArray(S, m, i + 13 * plane);
            FloatVector m32 = FloatVector.fromArray(S, m, i + 14 * plane), m33 = FloatVector.fromArray(S, m, i + 15 * plane);
            // Rows first: s0 = m0 + m1 + m2 and s1 = m1 − m2 − m3 of each row.
            FloatVector a0 = m00.add(m01).add(m02), b0 = m01.sub(m02).sub(m03);
            FloatVector a1 = m10.add(m11).add(m12), b1 = m11.sub(m12).sub(m13);
            FloatVector a2 = m20.add(m21).add(m22), b2 = m21.sub(m22).sub(m23);
            FloatVector a3 = m30.add(m31).add(m32), b3 = m31.sub(m32).sub(m33);
            FloatVector y00 = a0.add(a1).add(a2), y01 = b0.add(b1).add(b2);
            FloatVector y10 = a1.sub(a2).sub(a3), y11 = b1.sub(b2).sub(b3);
            if (bias != null) {
                FloatVector bv = FloatVector.fromArray(S, bias, bo + oc);
                y00 = y00.add(bv);
                y01 = y01.add(bv);
                y10 = y10.add(bv);
                y11 = y11.add(bv);
            }
            int r0 = at + oc, r1 = r0 + rowStride;
            y00.intoArray(out, r0);
            y01.intoArray(out, r0 + o);
            y10.intoArray(out, r1);
            y11.intoArray(out, r1 + o);
        }
    }

    /**
     * dM = A dY Aᵀ of one tile for every output-channel vector (A = [[1,0],[1,1],[1,−1],[0,−1]]): dY[a][b] at
     * dy[at + a · rowStride + b · o + oc], dM_ξ (ξ = 4a + b) to output panel oc / NR of plane ξ, m[mo + ξ · plane + (oc / NR)
     * · BLOCK · NR + oc % NR]. Rows first (r0 = y0, r1 = y0 + y1, r2 = y0 − y1, r3 = −y1 down each column), then the same
     * along each row. Flat on purpose.
     */
    private static void gradTile(float[] dy, int at, int rowStride, int o, float[] m, int mo, int plane) {
        for (int oc = 0; oc < o; oc += L) {
            int i = at + oc;
            FloatVector y00 = FloatVector.fromArray(S, dy, i), y01 = FloatVector.fromArray(S, dy, i + o);
            FloatVector y10 = FloatVector.fromArray(S, dy, i + rowStride), y11 = FloatVector.fromArray(S, dy, i + rowStride + o);
            FloatVector s0 = y00.add(y10), s1 = y01.add(y11), d0 = y00.sub(y10), d1 = y01.sub(y11);
            FloatVector n0 = y10.neg(), n1 = y11.neg();
            int k = mo + (oc / NR) * BLOCK * NR + oc % NR;
            y00.intoArray(m, k);
            y00.add(y01).intoArray(m, k + plane);
            y00.sub(y01).intoArray(m, k + 2 * plane);
            y01.neg().intoArray(m, k + 3 * plane);
            s0.intoArray(m, k + 4 * plane);
            s0.add(s1).intoArray(m, k + 5 * plane);
            s0.sub(s1).intoArray(m, k + 6 * plane);
            s1.neg().intoArray(m, k + 7 * plane);
            d0.intoArray(m, k + 8 * plane);
            d0.add(d1).intoArray(m, k + 9 * plane);
            d0.sub(d1).intoArray(m, k + 10 * plane);
            d1.neg().intoArray(m, k + 11 * plane);
            n0.intoArray(m, k + 12 * plane);
            n0.add(n1).intoArray(m, k + 13 * plane);
            n0.sub(n1).intoArray(m, k + 14 * plane);
            y11.intoArray(m, k + 15 * plane);
        }
    }
}
