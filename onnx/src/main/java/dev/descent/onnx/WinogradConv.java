package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.BatchedGemm;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.ops.FusedConvolution;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference-only 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2 block of output
 * pixels comes from a 4×4 block of input through 16 products per (output, input) channel pair instead of 36, the
 * products of all pairs being 16 matrix products (one per transform point) over a block of tiles. Its float32 sums
 * round differently from the direct convolution's (the transforms add and subtract before multiplying), so it runs only
 * where no gradient is recorded, in the ONNX importer's inference path; its error is a few float32 ulps of the
 * magnitudes involved (the transforms' factors are 0, ±1 and ±½).
 *
 * <p>Transforms (Lavin and Gray's notation): filter U = G g Gᵀ with G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]; input
 * V = Bᵀ d B with Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]; output Y = Aᵀ M A with Aᵀ = [[1,1,1,0],[0,1,−1,−1]],
 * M = Σ_c U ⊙ V element-wise over the 16 points.
 */
final class WinogradConv {
    private WinogradConv() {}

    /** Tiles per block of work: one column panel of the GEMM kernel (whole panels waste no lanes). */
    private static final int BLOCK_TILES = Gemm.NR;

    /**
     * The least input and output channels, and the most output pixels, where it ran faster than the direct kernels
     * (CPU time, one thread: below 64 channels the transforms cost more than the products save; up to 80×80, the largest
     * map measured, M-LSD's 64→64 at 80×80 took 3.8 ms against the implicit GEMM's 4.1–4.3).
     */
    static volatile int minChannels = 64, maxPixels = 80 * 80;

    /**
     * Whether a convolution qualifies: 3×3, stride 1, dilation 1, one group, enough channels for the products to
     * dominate the transforms, and an output of at least 4×4.
     *
     * @param c  input channels
     * @param o  output channels
     * @param kh kernel height
     * @param kw kernel width
     * @param sh vertical stride
     * @param sw horizontal stride
     * @param dh vertical dilation
     * @param dw horizontal dilation
     * @param groups groups
     * @param ho output height
     * @param wo output width
     * @return whether {@link #forward} applies
     */
    static boolean applies(int c, int o, int kh, int kw, int sh, int sw, int dh, int dw, int groups, int ho, int wo) {
        return kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && groups == 1 && c >= minChannels && ho >= 4 && wo >= 4
                && (long) ho * wo <= maxPixels && (o >= minChannels || (o >= minFewOutputs && (long) ho * wo <= maxFewOutputsPixels && ho * wo >= minFewOutputsPixels));
    }

    /**
     * With fewer than {@link #minChannels} outputs (but at least this many), maps of {@link #minFewOutputsPixels} to
     * {@link #maxFewOutputsPixels} pixels still run here: PP-OCR det's 96→24 at 40×40 took 0.85 ms against core's 2.95
     * (im2col and a GEMM; one thread, CPU time, runs alternating in one process, load 8), at 20×20 0.43 against 0.72;
     * at 10×10 (rows of 5 tiles: most vector lanes idle) 0.48 against 0.20, and at 80×80 the transforms of 96 inputs for
     * only 24 outputs made it slower (3.4 ms against the implicit kernel's 2.0). Off with
     * -Ddescent.onnx.winogradFewOutputs=false.
     */
    static volatile int minFewOutputs = "false".equals(System.getProperty("descent.onnx.winogradFewOutputs")) ? Integer.MAX_VALUE : 16;
    /** See {@link #minFewOutputs}. */
    static volatile int minFewOutputsPixels = 20 * 20, maxFewOutputsPixels = 40 * 40;

    /**
     * U = G g Gᵀ for every (output, input) channel pair, in float64 then rounded once.
     *
     * @param w float32 [O, C, 3, 3]
     * @return 16·O·C floats, U[ξ][o][c] at (ξ·O + o)·C + c
     */
    static float[] transformFilter(Tensor w) {
        Tensor wc = w.detach().contiguous();
        float[] a = wc.storage().floats();
        int off = wc.storageOffset(), o = w.size(0), c = w.size(1);
        float[] u = new float[16 * o * c];
        double[] t = new double[12];
        for (int oi = 0; oi < o; oi++) {
            for (int ci = 0; ci < c; ci++) {
                int g = off + (oi * c + ci) * 9;
                for (int j = 0; j < 3; j++) { // t = G g: 4 rows × 3 columns
                    double g0 = a[g + j], g1 = a[g + 3 + j], g2 = a[g + 6 + j];
                    t[j] = g0;
                    t[3 + j] = 0.5 * (g0 + g1 + g2);
                    t[6 + j] = 0.5 * (g0 - g1 + g2);
                    t[9 + j] = g2;
                }
                for (int i = 0; i < 4; i++) { // U = t Gᵀ
                    double t0 = t[3 * i], t1 = t[3 * i + 1], t2 = t[3 * i + 2];
                    double[] r = {t0, 0.5 * (t0 + t1 + t2), 0.5 * (t0 - t1 + t2), t2};
                    for (int j = 0; j < 4; j++) u[((4 * i + j) * o + oi) * c + ci] = (float) r[j];
                }
            }
        }
        return u;
    }

    /**
     * The convolution of a Conv node when it qualifies (float32, no gradient recorded, symmetric padding, see
     * {@link #applies}), else null. Dilated by d and padded by d (the size-keeping dilated convolution), with sizes
     * divisible by d: the undilated convolution of its phases' {@link #mosaic} when that qualifies.
     *
     * @param x       the input [N, C, H, W]
     * @param w       the weight [O, C, kH, kW]
     * @param b       the bias [O], or null
     * @param top     padding above
     * @param left    padding left
     * @param bottom  padding below
     * @param right   padding right
     * @param strides the strides
     * @param dil     the dilations
     * @param groups  the groups
     * @param act     the fused activation
     * @param packed  the node's packed weights
     * @return the output, or null when the Winograd path does not apply
     */
    static Tensor tryConv(Tensor x, Tensor w, Tensor b, int top, int left, int bottom, int right, int[] strides, int[] dil, int groups,
                          FusedConvolution.Activation act, PackedWeights packed) {
        if (!enabled || top != bottom || left != right || x.dim() != 4 || w.dim() != 4 || x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32
                || (b != null && (b.dtype() != DType.FLOAT32 || b.dim() != 1 || b.size(0) != w.size(0))) || x.size(1) != w.size(1)
                || Autograd.isRecording(x, w, b)) {
            return null;
        }
        int d = dil[0];
        if (d > 1 && dilated && dil[1] == d && top == d && left == d && x.size(2) % d == 0 && x.size(3) % d == 0) {
            // dilated by d, padded by d: one undilated convolution of the phases' mosaic (see mosaic), gated on the
            // output's own size (the mosaic is d − 1 lines larger each way: M-LSD's 80×80 runs as 84×84)
            if (!applies(x.size(1), w.size(0), w.size(2), w.size(3), strides[0], strides[1], 1, 1, groups, x.size(2), x.size(3))) return null;
            Tensor m = mosaic(x, d);
            return fromMosaic(undilated(m, w, 1, 1, m.size(2), m.size(3), epilogue(b, act), packed), d, x.size(2), x.size(3));
        }
        int ho = x.size(2) + 2 * top - 2, wo = x.size(3) + 2 * left - 2;
        if (!applies(x.size(1), w.size(0), w.size(2), w.size(3), strides[0], strides[1], dil[0], dil[1], groups, ho, wo)) return null;
        return undilated(x, w, top, left, ho, wo, epilogue(b, act), packed);
    }

    /**
     * The mosaic of a dilated convolution's phases: output pixel (d·u + r, d·v + s) of a 3×3 convolution dilated by d
     * reads only input pixels of row phase r and column phase s, so the phase sub-image x[d·u + r, d·v + s] (hs × ws)
     * convolved without dilation (padding 1) gives that phase of the output. The d² sub-images are laid out in a grid,
     * phase (r, s) at rows r·(hs + 1) and columns s·(ws + 1), one row or column of zeros between neighbours (the
     * padding both sides of it read), so that one undilated convolution of the mosaic computes every phase; its outputs
     * on the zero lines are dropped. M-LSD's 64→64 at 80×80, dilation 5: a mosaic of 84×84.
     *
     * @param x float32 [N, C, H, W], H and W divisible by d
     * @param d the dilation
     * @return float32 [N, C, d·(H/d + 1) − 1, d·(W/d + 1) − 1]
     */
    private static Tensor mosaic(Tensor x, int d) {
        Tensor xc = x.detach().contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset(), n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), hs = h / d, ws = w / d;
        int hm = d * (hs + 1) - 1, wm = d * (ws + 1) - 1;
        Tensor m = Tensor.empty(DType.FLOAT32, n, c, hm, wm);
        float[] ma = m.storage().floats();
        Parallel.forRange(n * c, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int src = xo + p * h * w, dst = p * hm * wm;
                Arrays.fill(ma, dst, dst + hm * wm, 0f);
                for (int y = 0; y < h; y++) {
                    int row = dst + ((y % d) * (hs + 1) + y / d) * wm, in = src + y * w;
                    for (int s = 0; s < d; s++) {
                        int at = row + s * (ws + 1);
                        for (int v = 0; v < ws; v++) ma[at + v] = xa[in + d * v + s];
                    }
                }
            }
        });
        return m;
    }

    /** The dilated convolution's output [N, O, h, w] from its mosaic's (see {@link #mosaic}). */
    private static Tensor fromMosaic(Tensor mosaicOut, int d, int h, int w) {
        Tensor ym = mosaicOut.contiguous();
        float[] ma = ym.storage().floats();
        int mo = ym.storageOffset(), n = ym.size(0), o = ym.size(1), hm = ym.size(2), wm = ym.size(3), hs = h / d, ws = w / d;
        Tensor y = Tensor.empty(DType.FLOAT32, n, o, h, w);
        float[] ya = y.storage().floats();
        Parallel.forRange(n * o, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int src = mo + p * hm * wm, dst = p * h * w;
                for (int yy = 0; yy < h; yy++) {
                    int row = src + ((yy % d) * (hs + 1) + yy / d) * wm, out = dst + yy * w;
                    for (int s = 0; s < d; s++) {
                        int at = row + s * (ws + 1);
                        for (int v = 0; v < ws; v++) ya[out + d * v + s] = ma[at + v];
                    }
                }
            }
        });
        return y;
    }

    /** The Winograd convolution of an output ho × wo: F(4×4, 3×3) tiles when {@link #large}, else F(2×2, 3×3). */
    private static Tensor undilated(Tensor x, Tensor w, int ph, int pw, int ho, int wo, ConvEpilogue e, PackedWeights packed) {
        if (large(ho, wo)) return Winograd43.forward(x, packed.of(w, PackedWeights.Form.WINOGRAD_4X4), w.size(0), ph, pw, e, Vectors.ENABLED);
        return forward(x, packed.of(w, PackedWeights.Form.WINOGRAD_2X2), w.size(0), ph, pw, e);
    }

    /** The bias and activation as an output-loop epilogue (null when there is nothing to do); b [O] float32 or null. */
    static ConvEpilogue epilogue(Tensor b, FusedConvolution.Activation act) {
        Tensor bc = b == null ? null : b.detach().contiguous();
        ConvEpilogue.Activation a = switch (act.kind()) {
            case NONE -> null;
            case RELU -> ConvEpilogue.Activation.RELU;
            case SIGMOID -> ConvEpilogue.Activation.SIGMOID;
            case HARDSWISH -> ConvEpilogue.Activation.HARDSWISH;
            case HARDSIGMOID -> ConvEpilogue.Activation.HARDSIGMOID;
            case CLAMP -> ConvEpilogue.Activation.CLAMP;
        };
        return bc == null && a == null && !act.hasAffine() ? null
                : new ConvEpilogue(bc == null ? null : bc.storage().floats(), bc == null ? 0 : bc.storageOffset(), a, (float) act.min(), (float) act.max(),
                        (float) act.preScale(), (float) act.preShift(), (float) act.scale(), (float) act.shift());
    }

    /**
     * Whether a convolution that {@link #applies} runs with F(4×4, 3×3) tiles ({@link Winograd43}): outputs of at least
     * {@link #minLargePixels} pixels, when {@link #large} is on.
     *
     * @param ho output height
     * @param wo output width
     * @return whether the 4×4 tiles
     */
    static boolean large(int ho, int wo) {
        return large && (long) ho * wo >= minLargePixels;
    }

    /** Dilated convolutions through their phases on unless -Ddescent.onnx.winogradDilated=false (see {@link #tryConv}). */
    static volatile boolean dilated = !"false".equals(System.getProperty("descent.onnx.winogradDilated"));

    /** F(4×4, 3×3) on unless -Ddescent.onnx.winograd43=false. */
    static volatile boolean large = !"false".equals(System.getProperty("descent.onnx.winograd43"));
    /**
     * See {@link #large(int, int)}: 20×20 and larger maps. Measured in the models, the two tile sizes alternating
     * run by run in one process (NodeProfile -Dab=winograd43, CPU time of each step, 512 bits): M-LSD tiny's 128→128 at
     * 40×40 1.81 ms against 2.44, 64→64 at 80×80 1.67–1.96 against 2.33–2.80 (whole model 24.5 ms against 27.8 on one
     * thread; 19.8 against 21.6 ms wall on two; 48.1 against 53.6 at 256 bits); M-LSD large's 128→128 at 20×20 0.73 against
     * 2.08 (one thread) and 0.74 against 0.85 (two); PP-OCR det's 96→24 at 20×20 0.18 against 0.42. Smaller maps were not
     * measured and keep F(2×2, 3×3).
     */
    static volatile int minLargePixels = 20 * 20;

    /**
     * On unless -Ddescent.onnx.winograd=false. With scalar transforms it measured no faster than the direct kernels on the
     * published models; with vector transforms that keep few vectors live, M-LSD at one thread (runs alternating with and
     * without it in one process, thread CPU, load 9) took 46.9 ms against 53.8: its 40×40 convolutions (128→128 and
     * 128→64, which the direct kernels run through im2col + GEMM) 3.4 and 2.2 ms against 6.8 and 4.3, its 64→64 at
     * 80×80 3.8 against 4.1–4.3.
     */
    static volatile boolean enabled = !"false".equals(System.getProperty("descent.onnx.winograd"));

    /** Per-thread buffers: the input transforms V [16][C][tiles] and the products M [16][O][tiles] (with a vector of room past its end). */
    private static final class Scratch {
        float[] v = new float[0];
        float[] m = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Lane i takes lane i/2 (ZIP_LOW) or L/2 + i/2 (ZIP_HIGH): with ODD, two vectors' lanes interleaved. */
    static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> i / 2), ZIP_HIGH = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);
    static final VectorMask<Float> ODD = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL & ((1L << L) - 1));
    /** Lanes i < L/2 take lane 2i (EVEN) or 2i + 1 (ODD) of the first vector, lanes i ≥ L/2 lane 2(i − L/2) (+ 1) of the second. */
    static final VectorShuffle<Float> EVEN_LOW = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i : 0);
    static final VectorShuffle<Float> EVEN_HIGH = VectorShuffle.fromOp(S, i -> i >= L / 2 ? 2 * (i - L / 2) : 0);
    static final VectorShuffle<Float> ODD_LOW = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i + 1 : 0);
    static final VectorShuffle<Float> ODD_HIGH = VectorShuffle.fromOp(S, i -> i >= L / 2 ? 2 * (i - L / 2) + 1 : 0);
    static final VectorMask<Float> UPPER = VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    /**
     * The convolution of x [N, C, H, W] (float32) with the filters U of {@link #transformFilter}, zero padding ph
     * rows above and below and pw columns left and right, then the epilogue (bias, activation) over each output plane.
     *
     * @param x  the input
     * @param u  the filter transforms for o outputs and C inputs
     * @param o  output channels
     * @param ph vertical padding
     * @param pw horizontal padding
     * @param e  bias and activation, or null for none
     * @return [N, O, H + 2ph − 2, W + 2pw − 2]
     */
    static Tensor forward(Tensor x, float[] u, int o, int ph, int pw, ConvEpilogue e) {
        return forward(x, u, o, ph, pw, e, Vectors.ENABLED);
    }

    /**
     * {@link #forward(Tensor, float[], int, int, int, ConvEpilogue)}, its transforms with vectors over a row's tiles or
     * (vector = false) their scalar twins: the same float operations per tile in the same order, so the same bits.
     */
    static Tensor forward(Tensor x, float[] u, int o, int ph, int pw, ConvEpilogue e, boolean vector) {
        Tensor xc = x.detach().contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset(), n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int ho = h + 2 * ph - 2, wo = w + 2 * pw - 2, th = (ho + 1) / 2, tw = (wo + 1) / 2;
        int all = th * tw, blocksPerImage = (all + BLOCK_TILES - 1) / BLOCK_TILES;
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, ho, wo);
        float[] ya = out.storage().floats();
        // vector: each image's padded planes split into even and odd columns, so the four columns of a row of tiles
        // are four contiguous loads (columns 2q, 2q + 1, 2q + 2, 2q + 3 are even[q], odd[q], even[q + 1], odd[q + 1])
        int hp = 2 * th + 2, pl = tw + 1 + L;
        // (from the run's workspace when there is one: a batch's worth, given back after the step; splitColumns zeroes it)
        float[] split = vector ? Storage.allocateUninitialized(DType.FLOAT32, n * c * hp * 2 * pl).floats() : null;
        if (vector) {
            Parallel.forRange(n * c, Math.max(1, (1 << 14) / (hp * 2 * pl)), (from, to) -> {
                for (int p = from; p < to; p++) splitColumns(xa, xo + p * h * w, h, w, ph, pw, split, p * hp * 2 * pl, hp, pl);
            });
        }
        Parallel.forRange(n * blocksPerImage, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.v.length < 16 * pointStride(c, BLOCK_TILES)) s.v = new float[16 * pointStride(c, BLOCK_TILES)];
            if (s.m.length < 16 * pointStride(o, BLOCK_TILES) + L) s.m = new float[16 * pointStride(o, BLOCK_TILES) + L];
            float[] v = s.v, m = s.m;
            for (int blk = from; blk < to; blk++) {
                int img = blk / blocksPerImage, t0 = (blk % blocksPerImage) * BLOCK_TILES, tiles = Math.min(BLOCK_TILES, all - t0);
                if (vector) inputTransformVector(split, img * c * hp * 2 * pl, c, hp, pl, t0, tiles, tw, v);
                else inputTransform(xa, xo + img * c * h * w, c, h, w, ph, pw, t0, tiles, tw, v);
                products(16, o, c, tiles, u, v, m, vector);
                if (vector) outputTransformVector(m, o, tiles, t0, tw, ya, img * o * ho * wo, ho, wo);
                else outputTransform(m, o, tiles, t0, tw, ya, img * o * ho * wo, ho, wo);
            }
        });
        finish(ya, n, o, ho * wo, e);
        return out;
    }

    /**
     * M[ξ] = U[ξ] V[ξ] for the points ξ < points, in one call (Gemm's bits; nothing packed: per call, Gemm's packing and
     * forking cost as much as these small products): U [points][o][c]; V's [c][tiles] and M's [o][tiles] matrices
     * {@link #pointStride} apart.
     */
    static void products(int points, int o, int c, int tiles, float[] u, float[] v, float[] m, boolean vector) {
        int vStride = pointStride(c, tiles), mStride = pointStride(o, tiles);
        int[] uOff = new int[points], vOff = new int[points], mOff = new int[points];
        for (int p = 0; p < points; p++) {
            uOff[p] = p * o * c;
            vOff[p] = p * vStride;
            mOff[p] = p * mStride;
        }
        BatchedGemm.sgemm(points, o, tiles, c, u, uOff, c, 1, v, vOff, tiles, 1, m, mOff, tiles, vector);
    }

    /**
     * The floats from one point's matrix of V (rows = input channels) or of M (rows = output channels) to the next's in
     * a block's scratch: rows × tiles and one cache line more. Without the line, the 16 (F(2×2, 3×3)) or 36 (F(4×4,
     * 3×3)) matrices of 64 channels × 64 tiles lay exactly 16 KB apart, so the vectors one transform step writes (or
     * reads), one per point, all fell into one set of the 12-way L1 and evicted each other.
     */
    static int pointStride(int rows, int tiles) {
        return rows * tiles + pointPad;
    }

    /**
     * The line of {@link #pointStride}, in floats (0 for an A/B: NodeProfile -Dab=pointpad). Measured, the two
     * alternating run by run in one process: M-LSD tiny 23.9 against 25.3 ms on one thread (F(4×4) decoder
     * convolutions 9–24% faster), 39.98 against 41.64 ms at 256 bits, PP-OCR det unchanged.
     */
    static volatile int pointPad = 16;

    /** The epilogue (bias, activation; nothing when null) over each of the n·o output planes of y, in place. */
    static void finish(float[] y, int n, int o, int pixels, ConvEpilogue e) {
        if (e == null) return;
        Parallel.forRange(n * o, Math.max(1, (1 << 14) / pixels), (from, to) -> {
            for (int p = from; p < to; p++) e.apply(y, p * pixels, p % o, 1, pixels, true);
        });
    }

    /**
     * split[so + (row·2 + parity)·pl + k] = padded[row][2k + parity] for rows [0, hp), zero outside the image; each
     * pair of vectors of an image row split into its even and odd columns by two shuffles each (a copy: the values).
     */
    static void splitColumns(float[] xa, int xp, int h, int w, int ph, int pw, float[] split, int so, int hp, int pl) {
        java.util.Arrays.fill(split, so, so + hp * 2 * pl, 0f);
        int pe = pw & 1; // the phase of the image's even columns
        for (int y = 0; y < h && y + ph < hp; y++) {
            int src = xp + y * w, row = so + (y + ph) * 2 * pl, de = row + pe * pl, dodd = row + (1 - pe) * pl, col = 0;
            if ((w + pw + 1) / 2 + L <= pl) { // room for whole vectors past the row's end (always, as sized by forward)
                for (; col + 2 * L <= w; col += 2 * L) {
                    FloatVector v0 = FloatVector.fromArray(S, xa, src + col), v1 = FloatVector.fromArray(S, xa, src + col + L);
                    v0.rearrange(EVEN_LOW).blend(v1.rearrange(EVEN_HIGH), UPPER).intoArray(split, de + ((col + pw) >> 1));
                    v0.rearrange(ODD_LOW).blend(v1.rearrange(ODD_HIGH), UPPER).intoArray(split, dodd + ((col + 1 + pw) >> 1));
                }
            }
            for (; col < w; col++) {
                int pc = col + pw;
                split[row + (pc & 1) * pl + (pc >> 1)] = xa[src + col];
            }
        }
    }

    /**
     * {@link #inputTransform} with a vector of a tile row's consecutive tiles per step, from the split columns: each
     * column's Bᵀ d through a small buffer (e[4i + j] is row i, column j), then each row's (Bᵀ d) B into V, so that at
     * most eight vectors are live (sixteen at once spilled).
     */
    private static void inputTransformVector(float[] sp, int so, int c, int hp, int pl, int t0, int tiles, int tw, float[] v) {
        int plane = pointStride(c, tiles);
        float[] e = new float[16 * L];
        for (int t = t0; t < t0 + tiles; ) {
            int r = t / tw, q0 = t % tw, len = Math.min(tw - q0, t0 + tiles - t);
            for (int ci = 0; ci < c; ci++) {
                int base = so + (ci * hp + 2 * r) * 2 * pl, vo = ci * tiles + (t - t0);
                for (int k = 0; k < len; k += L) {
                    int q = q0 + k;
                    // rows: Bᵀ d, column by column (columns 0..3 are even[q], odd[q], even[q + 1], odd[q + 1])
                    for (int j = 0; j < 4; j++) {
                        int at = base + q + (j & 1) * pl + (j >> 1);
                        FloatVector a0 = FloatVector.fromArray(S, sp, at), a1 = FloatVector.fromArray(S, sp, at + 2 * pl);
                        FloatVector a2 = FloatVector.fromArray(S, sp, at + 4 * pl), a3 = FloatVector.fromArray(S, sp, at + 6 * pl);
                        a0.sub(a2).intoArray(e, j * L);
                        a1.add(a2).intoArray(e, (4 + j) * L);
                        a2.sub(a1).intoArray(e, (8 + j) * L);
                        a1.sub(a3).intoArray(e, (12 + j) * L);
                    }
                    // columns: (Bᵀ d) B, row i to points 4i .. 4i + 3
                    int at = vo + k;
                    boolean whole = len - k >= L;
                    VectorMask<Float> mk = whole ? null : S.indexInRange(k, len);
                    for (int i = 0; i < 4; i++) {
                        FloatVector d0 = FloatVector.fromArray(S, e, 4 * i * L), d1 = FloatVector.fromArray(S, e, (4 * i + 1) * L);
                        FloatVector d2 = FloatVector.fromArray(S, e, (4 * i + 2) * L), d3 = FloatVector.fromArray(S, e, (4 * i + 3) * L);
                        int to = at + 4 * i * plane;
                        if (whole) {
                            d0.sub(d2).intoArray(v, to);
                            d1.add(d2).intoArray(v, to + plane);
                            d2.sub(d1).intoArray(v, to + 2 * plane);
                            d1.sub(d3).intoArray(v, to + 3 * plane);
                        } else {
                            d0.sub(d2).intoArray(v, to, mk);
                            d1.add(d2).intoArray(v, to + plane, mk);
                            d2.sub(d1).intoArray(v, to + 2 * plane, mk);
                            d1.sub(d3).intoArray(v, to + 3 * plane, mk);
                        }
                    }
                }
            }
            t += len;
        }
    }

    /**
     * {@link #outputTransform} with a vector of a tile row's consecutive tiles per step, interleaved into the output
     * rows; each column's Aᵀ M through a small buffer (e[j] row 0, e[4 + j] row 1), as the input transform does.
     */
    private static void outputTransformVector(float[] m, int o, int tiles, int t0, int tw, float[] y, int yImage, int ho, int wo) {
        int plane = pointStride(o, tiles);
        float[] e = new float[8 * L];
        for (int t = t0; t < t0 + tiles; ) {
            int r = t / tw, q0 = t % tw, len = Math.min(tw - q0, t0 + tiles - t), oy = 2 * r;
            boolean two = oy + 1 < ho;
            for (int oi = 0; oi < o; oi++) {
                int mo = oi * tiles + (t - t0), yo = yImage + oi * ho * wo + oy * wo;
                for (int k = 0; k < len; k += L) {
                    int at = mo + k;
                    for (int j = 0; j < 4; j++) { // rows of Aᵀ M: a = m0 + m1 + m2, b = m1 − m2 − m3 down column j
                        FloatVector m0 = FloatVector.fromArray(S, m, at + j * plane), m1 = FloatVector.fromArray(S, m, at + (4 + j) * plane);
                        FloatVector m2 = FloatVector.fromArray(S, m, at + (8 + j) * plane), m3 = FloatVector.fromArray(S, m, at + (12 + j) * plane);
                        m0.add(m1).add(m2).intoArray(e, j * L);
                        m1.sub(m2).sub(m3).intoArray(e, (4 + j) * L);
                    }
                    // the output columns 2q .. 2q + 2·(tiles) − 1 of this step, cut at the output's right edge
                    int col = 2 * (q0 + k), count = Math.min(2 * Math.min(L, len - k), wo - col);
                    for (int i = 0; i < (two ? 2 : 1); i++) {
                        FloatVector a0 = FloatVector.fromArray(S, e, 4 * i * L), a1 = FloatVector.fromArray(S, e, (4 * i + 1) * L);
                        FloatVector a2 = FloatVector.fromArray(S, e, (4 * i + 2) * L), a3 = FloatVector.fromArray(S, e, (4 * i + 3) * L);
                        zip(a0.add(a1).add(a2), a1.sub(a2).sub(a3), y, yo + i * wo + col, count);
                    }
                }
            }
            t += len;
        }
    }

    /** y[at + 2i] = left[i], y[at + 2i + 1] = right[i], for the first count floats. */
    static void zip(FloatVector left, FloatVector right, float[] y, int at, int count) {
        FloatVector lo = left.rearrange(ZIP_LOW).blend(right.rearrange(ZIP_LOW), ODD);
        FloatVector hi = left.rearrange(ZIP_HIGH).blend(right.rearrange(ZIP_HIGH), ODD);
        if (count >= 2 * L) {
            lo.intoArray(y, at);
            hi.intoArray(y, at + L);
        } else {
            lo.intoArray(y, at, S.indexInRange(0, count));
            if (count > L) hi.intoArray(y, at + L, S.indexInRange(L, count));
        }
    }

    /** V[ξ][c][t] = (Bᵀ d B)[ξ] of the 4×4 input block of each tile t0 + t (row-major over the image's tiles), zeros outside the image. */
    private static void inputTransform(float[] xa, int xi, int c, int h, int w, int ph, int pw, int t0, int tiles, int tw, float[] v) {
        float[] d = new float[16];
        int plane = pointStride(c, tiles);
        for (int ci = 0; ci < c; ci++) {
            int xp = xi + ci * h * w, vo = ci * tiles;
            for (int t = 0; t < tiles; t++) {
                {
                    int r = (t0 + t) / tw, q = (t0 + t) % tw, iy = 2 * r - ph, ix = 2 * q - pw;
                    if (iy >= 0 && iy + 4 <= h && ix >= 0 && ix + 4 <= w) {
                        for (int i = 0; i < 4; i++) {
                            int row = xp + (iy + i) * w + ix;
                            d[4 * i] = xa[row];
                            d[4 * i + 1] = xa[row + 1];
                            d[4 * i + 2] = xa[row + 2];
                            d[4 * i + 3] = xa[row + 3];
                        }
                    } else {
                        for (int i = 0; i < 4; i++) {
                            int y = iy + i;
                            for (int j = 0; j < 4; j++) {
                                int xx = ix + j;
                                d[4 * i + j] = y >= 0 && y < h && xx >= 0 && xx < w ? xa[xp + y * w + xx] : 0f;
                            }
                        }
                    }
                    // rows: Bᵀ d
                    for (int j = 0; j < 4; j++) {
                        float d0 = d[j], d1 = d[4 + j], d2 = d[8 + j], d3 = d[12 + j];
                        d[j] = d0 - d2;
                        d[4 + j] = d1 + d2;
                        d[8 + j] = d2 - d1;
                        d[12 + j] = d1 - d3;
                    }
                    // columns: (Bᵀ d) B
                    for (int i = 0; i < 4; i++) {
                        float d0 = d[4 * i], d1 = d[4 * i + 1], d2 = d[4 * i + 2], d3 = d[4 * i + 3];
                        int at = vo + t + 4 * i * plane;
                        v[at] = d0 - d2;
                        v[at + plane] = d1 + d2;
                        v[at + 2 * plane] = d2 - d1;
                        v[at + 3 * plane] = d1 - d3;
                    }
                }
            }
        }
    }

    /** y's 2×2 block of each tile t0 + t = Aᵀ M A, cut at the output's edge. */
    private static void outputTransform(float[] m, int o, int tiles, int t0, int tw, float[] y, int yImage, int ho, int wo) {
        int plane = pointStride(o, tiles);
        for (int oi = 0; oi < o; oi++) {
            int mo = oi * tiles, yo = yImage + oi * ho * wo;
            for (int k = 0; k < tiles; k++) {
                {
                    int r = (t0 + k) / tw, q = (t0 + k) % tw, oy = 2 * r, t = mo + k;
                    boolean two = oy + 1 < ho;
                    // rows of Aᵀ M (2 × 4): column j sums rows 0..2 (a) and takes rows 1 − 2 − 3 (b); then times A
                    float m00 = m[t], m01 = m[t + plane], m02 = m[t + 2 * plane], m03 = m[t + 3 * plane];
                    float m10 = m[t + 4 * plane], m11 = m[t + 5 * plane], m12 = m[t + 6 * plane], m13 = m[t + 7 * plane];
                    float m20 = m[t + 8 * plane], m21 = m[t + 9 * plane], m22 = m[t + 10 * plane], m23 = m[t + 11 * plane];
                    float m30 = m[t + 12 * plane], m31 = m[t + 13 * plane], m32 = m[t + 14 * plane], m33 = m[t + 15 * plane];
                    float a0 = m00 + m10 + m20, a1 = m01 + m11 + m21, a2 = m02 + m12 + m22, a3 = m03 + m13 + m23;
                    float b0 = m10 - m20 - m30, b1 = m11 - m21 - m31, b2 = m12 - m22 - m32, b3 = m13 - m23 - m33;
                    int ox = 2 * q, at = yo + oy * wo + ox;
                    boolean right = ox + 1 < wo;
                    y[at] = a0 + a1 + a2;
                    if (right) y[at + 1] = a1 - a2 - a3;
                    if (two) {
                        y[at + wo] = b0 + b1 + b2;
                        if (right) y[at + wo + 1] = b1 - b2 - b3;
                    }
                }
            }
        }
    }
}
