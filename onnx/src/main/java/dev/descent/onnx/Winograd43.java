package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference-only 3×3 stride-1 convolution by Winograd's F(4×4, 3×3): each 4×4 block of output pixels comes from a 6×6
 * block of input through 36 products per (output, input) channel pair instead of 144 — against {@link WinogradConv}'s
 * F(2×2, 3×3), 0.56× the products and 0.56× the transformed input per output pixel. The price is precision: the
 * transforms' factors reach 5 and 8 (filter: 1/24), so its float32 error is ~10–25× F(2×2, 3×3)'s, about 1e-6 of
 * Σ|x·w| per output. Like WinogradConv it runs only where no gradient is recorded, in the ONNX importer.
 *
 * <p>Transforms (Lavin and Gray): filter U = G g Gᵀ, G = [[¼,0,0],[−⅙,−⅙,−⅙],[−⅙,⅙,−⅙],[1/24,1/12,⅙],[1/24,−1/12,⅙],
 * [0,0,1]] (float64, rounded once); input V = Bᵀ d B, Bᵀ = [[4,0,−5,0,1,0],[0,−4,−4,1,1,0],[0,4,−4,−1,1,0],
 * [0,−2,−1,2,1,0],[0,2,−1,−2,1,0],[0,4,0,−5,0,1]]; output Y = Aᵀ M A, Aᵀ = [[1,1,1,1,1,0],[0,1,−1,2,−2,0],
 * [0,1,1,4,4,0],[0,1,−1,8,−8,1]], M = Σ_c U ⊙ V over the 36 points.
 *
 * <p>Layout. The tiles are numbered row by row over a grid one tile wider than the output needs (tile t = r·(tw + 1) + q):
 * the extra column's tile computes nothing anyone reads, and in exchange the input each point of consecutive tiles needs
 * is consecutive in memory, across tile rows too, so every vector of the transforms is a whole one (a row of tiles is 5
 * to 20 tiles here: vectors over one row at a time left a third of the lanes idle). Each padded input plane is copied
 * once into 16 phase planes P[i][j][r][q] = padded[4r + i][4q + j] (i, j < 4): the input value at row 4r + a, column
 * 4q + b of a tile (a, b < 6) is P[a mod 4][b mod 4] at t + ⌊a/4⌋·(tw + 1) + ⌊b/4⌋.
 */
final class Winograd43 {
    private Winograd43() {}

    /** Tiles per block of work: one column panel of the GEMM kernel. */
    private static final int BLOCK_TILES = Gemm.NR;

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    // the shuffles and masks of WinogradConv: EVEN_LOW … UPPER split a pair of vectors into its even and odd lanes,
    // ZIP_LOW, ZIP_HIGH and ODD interleave two
    private static final VectorShuffle<Float> EVEN_LOW = WinogradConv.EVEN_LOW, EVEN_HIGH = WinogradConv.EVEN_HIGH;
    private static final VectorShuffle<Float> ODD_LOW = WinogradConv.ODD_LOW, ODD_HIGH = WinogradConv.ODD_HIGH;
    private static final VectorShuffle<Float> ZIP_LOW = WinogradConv.ZIP_LOW, ZIP_HIGH = WinogradConv.ZIP_HIGH;
    private static final VectorMask<Float> UPPER = WinogradConv.UPPER, ODD_LANES = WinogradConv.ODD;

    /** Per-thread buffers: V [36][C][tiles], M [36][O][tiles], the transforms' 36 vectors and the output's 16. */
    private static final class Scratch {
        float[] v = new float[0];
        float[] m = new float[0];
        final float[] e = new float[36 * L];
        final float[] out = new float[16 * L];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * U = G g Gᵀ for every (output, input) channel pair, in float64 then rounded once.
     *
     * @param w float32 [O, C, 3, 3]
     * @return 36·O·C floats, U[ξ][o][c] at (ξ·O + o)·C + c
     */
    static float[] transformFilter(Tensor w) {
        Tensor wc = w.detach().contiguous();
        float[] a = wc.storage().floats();
        int off = wc.storageOffset(), o = w.size(0), c = w.size(1);
        float[] u = new float[36 * o * c];
        double[] t = new double[18], r = new double[6];
        for (int oi = 0; oi < o; oi++) {
            for (int ci = 0; ci < c; ci++) {
                int g = off + (oi * c + ci) * 9;
                for (int j = 0; j < 3; j++) { // t = G g: 6 rows × 3 columns
                    gColumn(a[g + j], a[g + 3 + j], a[g + 6 + j], t, j, 3);
                }
                for (int i = 0; i < 6; i++) { // U = t Gᵀ
                    gColumn(t[3 * i], t[3 * i + 1], t[3 * i + 2], r, 0, 1);
                    for (int j = 0; j < 6; j++) u[((6 * i + j) * o + oi) * c + ci] = (float) r[j];
                }
            }
        }
        return u;
    }

    /** out[at + k·stride] = (G (g0, g1, g2)ᵀ)[k] for k < 6. */
    private static void gColumn(double g0, double g1, double g2, double[] out, int at, int stride) {
        out[at] = g0 / 4;
        out[at + stride] = -(g0 + g1 + g2) / 6;
        out[at + 2 * stride] = -(g0 - g1 + g2) / 6;
        out[at + 3 * stride] = g0 / 24 + g1 / 12 + g2 / 6;
        out[at + 4 * stride] = g0 / 24 - g1 / 12 + g2 / 6;
        out[at + 5 * stride] = g2;
    }

    /**
     * {@link WinogradConv#forward(Tensor, float[], int, int, int, ConvEpilogue)} with the filters U of
     * {@link #transformFilter}, its transforms with vectors over consecutive tiles or (vector = false) their scalar
     * twins, which read the input directly: the same float operations per tile in the same order, so the same bits.
     */
    static Tensor forward(Tensor x, float[] u, int o, int ph, int pw, ConvEpilogue e, boolean vector) {
        Tensor xc = x.detach().contiguous();
        float[] xa = xc.storage().floats();
        int xo = xc.storageOffset(), n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int ho = h + 2 * ph - 2, wo = w + 2 * pw - 2, th = (ho + 3) / 4, tw = (wo + 3) / 4, tw1 = tw + 1;
        // tiles up to a whole vector past the last (their outputs dropped): the products' columns past the last whole
        // vector would run in the GEMM's scalar twin
        int all = (th * tw1 + L - 1) / L * L, blocksPerImage = (all + BLOCK_TILES - 1) / BLOCK_TILES;
        // a phase plane: th + 1 rows of tw + 1 (the last read by the tiles' rows 4 and 5), a vector of zeros past them
        // (read by the tiles past the last)
        int span = (th + 1) * tw1 + L, planes = 16 * span;
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, ho, wo);
        float[] ya = out.storage().floats();
        float[] ph16 = vector ? Storage.allocateUninitialized(DType.FLOAT32, n * c * planes).floats() : null;
        if (vector) {
            Parallel.forRange(n * c, Math.max(1, (1 << 14) / planes), (from, to) -> {
                for (int p = from; p < to; p++) splitPhases(xa, xo + p * h * w, h, w, ph, pw, ph16, p * planes, th, tw1, span);
            });
        }
        Parallel.forRange(n * blocksPerImage, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            if (s.v.length < 36 * WinogradConv.pointStride(c, BLOCK_TILES)) s.v = new float[36 * WinogradConv.pointStride(c, BLOCK_TILES)];
            if (s.m.length < 36 * WinogradConv.pointStride(o, BLOCK_TILES)) s.m = new float[36 * WinogradConv.pointStride(o, BLOCK_TILES)];
            float[] v = s.v, m = s.m;
            for (int blk = from; blk < to; blk++) {
                int img = blk / blocksPerImage, t0 = (blk % blocksPerImage) * BLOCK_TILES, tiles = Math.min(BLOCK_TILES, all - t0);
                if (vector) inputTransformVector(ph16, img * c * planes, c, span, tw1, t0, tiles, v, s.e);
                else inputTransform(xa, xo + img * c * h * w, c, h, w, ph, pw, t0, tiles, tw1, v);
                WinogradConv.products(36, o, c, tiles, u, v, m, vector);
                if (vector) outputTransformVector(m, o, tiles, t0, tw, ya, img * o * ho * wo, ho, wo, s.e, s.out);
                else outputTransform(m, o, tiles, t0, tw, ya, img * o * ho * wo, ho, wo);
            }
        });
        WinogradConv.finish(ya, n, o, ho * wo, e);
        return out;
    }

    /**
     * The 16 phase planes of one padded input plane (see the class comment): dst[so + (4i + j)·span + r·tw1 + q] =
     * padded[4r + i][4q + j], zero outside the image. Rows split four ways by two rounds of even/odd shuffles, four
     * vectors at a time, the last four masked: their lanes past the row store zeros (the padding's own values) at most a
     * vector past the row's last q, into the next tile row of the same plane (written after, or padding) or the
     * plane's last vector of zeros.
     */
    static void splitPhases(float[] xa, int xp, int h, int w, int ph, int pw, float[] dst, int so, int th, int tw1, int span) {
        java.util.Arrays.fill(dst, so, so + 16 * span, 0f);
        for (int y = 0; y < h; y++) {
            int yp = y + ph;
            if (yp >= 4 * (th + 1)) break;
            int src = xp + y * w, row = so + 4 * (yp & 3) * span + (yp >> 2) * tw1;
            for (int col = 0; col < w; col += 4 * L) {
                FloatVector v0, v1, v2, v3;
                if (col + 4 * L <= w) {
                    v0 = FloatVector.fromArray(S, xa, src + col);
                    v1 = FloatVector.fromArray(S, xa, src + col + L);
                    v2 = FloatVector.fromArray(S, xa, src + col + 2 * L);
                    v3 = FloatVector.fromArray(S, xa, src + col + 3 * L);
                } else {
                    int left = w - col;
                    v0 = FloatVector.fromArray(S, xa, src + col, S.indexInRange(0, left));
                    v1 = FloatVector.fromArray(S, xa, src + col + L, S.indexInRange(L, left));
                    v2 = FloatVector.fromArray(S, xa, src + col + 2 * L, S.indexInRange(2 * L, left));
                    v3 = FloatVector.fromArray(S, xa, src + col + 3 * L, S.indexInRange(3 * L, left));
                }
                // (written out: helpers taking vectors were not inlined, and a vector crossing a call is boxed)
                FloatVector e01 = v0.rearrange(EVEN_LOW).blend(v1.rearrange(EVEN_HIGH), UPPER), o01 = v0.rearrange(ODD_LOW).blend(v1.rearrange(ODD_HIGH), UPPER);
                FloatVector e23 = v2.rearrange(EVEN_LOW).blend(v3.rearrange(EVEN_HIGH), UPPER), o23 = v2.rearrange(ODD_LOW).blend(v3.rearrange(ODD_HIGH), UPPER);
                // the padded columns pc, pc + 4, … (pc = col + k + pw for k = 0, 2 from the evens, 1, 3 from the odds)
                // into phase plane pc mod 4 from q = ⌊pc/4⌋
                int p0 = col + pw, p1 = p0 + 1, p2 = p0 + 2, p3 = p0 + 3;
                e01.rearrange(EVEN_LOW).blend(e23.rearrange(EVEN_HIGH), UPPER).intoArray(dst, row + (p0 & 3) * span + (p0 >> 2));
                o01.rearrange(EVEN_LOW).blend(o23.rearrange(EVEN_HIGH), UPPER).intoArray(dst, row + (p1 & 3) * span + (p1 >> 2));
                e01.rearrange(ODD_LOW).blend(e23.rearrange(ODD_HIGH), UPPER).intoArray(dst, row + (p2 & 3) * span + (p2 >> 2));
                o01.rearrange(ODD_LOW).blend(o23.rearrange(ODD_HIGH), UPPER).intoArray(dst, row + (p3 & 3) * span + (p3 >> 2));
            }
        }
    }

    /**
     * V[ξ][c][t] = (Bᵀ d B)[ξ] for the tiles t0 … t0 + tiles − 1, a vector of consecutive tiles per step from the phase
     * planes: each column's Bᵀ d into e (e[6i + j] is row i, column j), then each row's (Bᵀ d) B into V. (The helpers
     * take arrays and offsets, never vectors: C2 does not inline them here, and a vector crossing a call is boxed.)
     */
    private static void inputTransformVector(float[] p, int so, int c, int span, int tw1, int t0, int tiles, float[] v, float[] e) {
        int plane = WinogradConv.pointStride(c, tiles);
        for (int ci = 0; ci < c; ci++) {
            int base = so + ci * 16 * span + t0, vo = ci * tiles;
            for (int k = 0; k < tiles; k += L) {
                for (int j = 0; j < 6; j++) {
                    int at = base + k + (j & 3) * span + (j >> 2); // rows 0..3 of column j, rows 4 and 5 one tile row on
                    bt(p, at, at + 4 * span, at + 8 * span, at + 12 * span, at + tw1, at + 4 * span + tw1, e, j * L, 6 * L);
                }
                for (int i = 0; i < 6; i++) {
                    int r = 6 * i * L;
                    bt(e, r, r + L, r + 2 * L, r + 3 * L, r + 4 * L, r + 5 * L, v, vo + k + 6 * i * plane, plane);
                }
            }
        }
    }

    /** Bᵀ (d0 … d5)ᵀ, a vector each (d_k = a[a_k …]), into out[o + k·os …] for k < 6 (the order of {@link #btScalar}). */
    private static void bt(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, float[] out, int o, int os) {
        FloatVector d0 = FloatVector.fromArray(S, a, a0), d1 = FloatVector.fromArray(S, a, a1), d2 = FloatVector.fromArray(S, a, a2);
        FloatVector d3 = FloatVector.fromArray(S, a, a3), d4 = FloatVector.fromArray(S, a, a4), d5 = FloatVector.fromArray(S, a, a5);
        d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(out, o);
        d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(out, o + os);
        d4.sub(d3).add(d1.sub(d2).mul(4f)).intoArray(out, o + 2 * os);
        FloatVector x = d4.sub(d2), y = d3.sub(d1).mul(2f);
        x.add(y).intoArray(out, o + 3 * os);
        x.sub(y).intoArray(out, o + 4 * os);
        d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(out, o + 5 * os);
    }

    /** Bᵀ (d[at], d[at + stride], … d[at + 5·stride])ᵀ into out[o + k·os], k < 6: {@link #bt}'s operations on floats. */
    private static void btScalar(float[] d, int at, int stride, float[] out, int o, int os) {
        float d0 = d[at], d1 = d[at + stride], d2 = d[at + 2 * stride], d3 = d[at + 3 * stride], d4 = d[at + 4 * stride], d5 = d[at + 5 * stride];
        out[o] = d0 * 4f - d2 * 5f + d4;
        out[o + os] = d3 + d4 - (d1 + d2) * 4f;
        out[o + 2 * os] = d4 - d3 + (d1 - d2) * 4f;
        float a = d4 - d2, b = (d3 - d1) * 2f;
        out[o + 3 * os] = a + b;
        out[o + 4 * os] = a - b;
        out[o + 5 * os] = d1 * 4f - d3 * 5f + d5;
    }

    /**
     * The output blocks of the tiles t0 … t0 + tiles − 1 = Aᵀ M A, a vector of consecutive tiles per step: each
     * column's Aᵀ M into e (e[6a + j] is row a, column j), each output row's (Aᵀ M) A interleaved four ways into out
     * (out[a·4L + 4l + b] is row a, column b of the step's tile l), then each tile row's piece copied into y, cut at
     * the output's edges; the extra column's tiles (q = tw) are dropped.
     */
    private static void outputTransformVector(float[] m, int o, int tiles, int t0, int tw, float[] y, int yImage, int ho, int wo, float[] e, float[] out) {
        int plane = WinogradConv.pointStride(o, tiles), tw1 = tw + 1;
        for (int oi = 0; oi < o; oi++) {
            int mo = oi * tiles, yo = yImage + oi * ho * wo;
            for (int k = 0; k < tiles; k += L) {
                for (int j = 0; j < 6; j++) at(m, mo + k + j * plane, 6 * plane, e, j * L, 6 * L);
                for (int a = 0; a < 4; a++) {
                    at(e, 6 * a * L, L, out, 4 * a * L, L);
                    interleave4(out, 4 * a * L);
                }
                // the step's tiles, tile row by tile row
                int end = Math.min(tiles, k + L);
                for (int t = k; t < end; ) {
                    int g = t0 + t, row = g / tw1, q = g % tw1, len = Math.min(end - t, tw1 - q);
                    int cols = Math.min(4 * Math.min(len, tw - q), wo - 4 * q);
                    for (int a = 0; a < 4 && cols > 0 && 4 * row + a < ho; a++) {
                        System.arraycopy(out, 4 * a * L + 4 * (t - k), y, yo + (4 * row + a) * wo + 4 * q, cols);
                    }
                    t += len;
                }
            }
        }
    }

    /** Aᵀ (m0 … m5)ᵀ, m_k the vector at a[a0 + k·stride], into out[o + k·os], k < 4 (the order of {@link #atScalar}). */
    private static void at(float[] a, int a0, int stride, float[] out, int o, int os) {
        FloatVector m0 = FloatVector.fromArray(S, a, a0), m1 = FloatVector.fromArray(S, a, a0 + stride), m2 = FloatVector.fromArray(S, a, a0 + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, a, a0 + 3 * stride), m4 = FloatVector.fromArray(S, a, a0 + 4 * stride);
        FloatVector m5 = FloatVector.fromArray(S, a, a0 + 5 * stride);
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(out, o);
        d12.add(d34.mul(2f)).intoArray(out, o + os);
        s12.add(s34.mul(4f)).intoArray(out, o + 2 * os);
        d12.add(d34.mul(8f)).add(m5).intoArray(out, o + 3 * os);
    }

    /** The four vectors at out[at …] (columns 0..3 of L tiles) rewritten in place as L runs of four. */
    private static void interleave4(float[] out, int at) {
        FloatVector y0 = FloatVector.fromArray(S, out, at), y1 = FloatVector.fromArray(S, out, at + L);
        FloatVector y2 = FloatVector.fromArray(S, out, at + 2 * L), y3 = FloatVector.fromArray(S, out, at + 3 * L);
        // zip(zip(y0, y2), zip(y1, y3)): y0[l], y1[l], y2[l], y3[l] in turn
        FloatVector a0 = y0.rearrange(ZIP_LOW).blend(y2.rearrange(ZIP_LOW), ODD_LANES), a1 = y0.rearrange(ZIP_HIGH).blend(y2.rearrange(ZIP_HIGH), ODD_LANES);
        FloatVector b0 = y1.rearrange(ZIP_LOW).blend(y3.rearrange(ZIP_LOW), ODD_LANES), b1 = y1.rearrange(ZIP_HIGH).blend(y3.rearrange(ZIP_HIGH), ODD_LANES);
        a0.rearrange(ZIP_LOW).blend(b0.rearrange(ZIP_LOW), ODD_LANES).intoArray(out, at);
        a0.rearrange(ZIP_HIGH).blend(b0.rearrange(ZIP_HIGH), ODD_LANES).intoArray(out, at + L);
        a1.rearrange(ZIP_LOW).blend(b1.rearrange(ZIP_LOW), ODD_LANES).intoArray(out, at + 2 * L);
        a1.rearrange(ZIP_HIGH).blend(b1.rearrange(ZIP_HIGH), ODD_LANES).intoArray(out, at + 3 * L);
    }


    /** The scalar twin of {@link #inputTransformVector}, reading the input directly (zeros outside the image). */
    private static void inputTransform(float[] xa, int xi, int c, int h, int w, int ph, int pw, int t0, int tiles, int tw1, float[] v) {
        float[] d = new float[36], e = new float[36];
        int plane = WinogradConv.pointStride(c, tiles);
        for (int ci = 0; ci < c; ci++) {
            int xp = xi + ci * h * w, vo = ci * tiles;
            for (int t = 0; t < tiles; t++) {
                int r = (t0 + t) / tw1, q = (t0 + t) % tw1, iy = 4 * r - ph, ix = 4 * q - pw;
                for (int i = 0; i < 6; i++) {
                    int yy = iy + i;
                    for (int j = 0; j < 6; j++) {
                        int xx = ix + j;
                        d[6 * i + j] = yy >= 0 && yy < h && xx >= 0 && xx < w ? xa[xp + yy * w + xx] : 0f;
                    }
                }
                if (q == tw1 - 1) java.util.Arrays.fill(d, 0f); // the extra column: read by no one
                for (int j = 0; j < 6; j++) btScalar(d, j, 6, e, j, 6); // rows: Bᵀ d
                for (int i = 0; i < 6; i++) btScalar(e, 6 * i, 1, v, vo + t + 6 * i * plane, plane); // columns: (Bᵀ d) B
            }
        }
    }

    /** The scalar twin of {@link #outputTransformVector}. */
    private static void outputTransform(float[] m, int o, int tiles, int t0, int tw, float[] y, int yImage, int ho, int wo) {
        int plane = WinogradConv.pointStride(o, tiles), tw1 = tw + 1;
        float[] e = new float[24], yr = new float[4];
        for (int oi = 0; oi < o; oi++) {
            int mo = oi * tiles, yo = yImage + oi * ho * wo;
            for (int t = 0; t < tiles; t++) {
                int r = (t0 + t) / tw1, q = (t0 + t) % tw1;
                if (q == tw) continue;
                for (int j = 0; j < 6; j++) { // rows of Aᵀ M
                    int at = mo + t + j * plane;
                    atScalar(m[at], m[at + 6 * plane], m[at + 12 * plane], m[at + 18 * plane], m[at + 24 * plane], m[at + 30 * plane], e, j, 6);
                }
                for (int a = 0; a < 4 && 4 * r + a < ho; a++) {
                    atScalar(e[6 * a], e[6 * a + 1], e[6 * a + 2], e[6 * a + 3], e[6 * a + 4], e[6 * a + 5], yr, 0, 1);
                    int row = yo + (4 * r + a) * wo;
                    for (int b = 0; b < 4 && 4 * q + b < wo; b++) y[row + 4 * q + b] = yr[b];
                }
            }
        }
    }

    /** {@link #at}'s operations on floats. */
    private static void atScalar(float m0, float m1, float m2, float m3, float m4, float m5, float[] out, int at, int stride) {
        float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
        out[at] = m0 + s12 + s34;
        out[at + stride] = d12 + d34 * 2f;
        out[at + 2 * stride] = s12 + s34 * 4f;
        out[at + 3 * stride] = d12 + d34 * 8f + m5;
    }
}
