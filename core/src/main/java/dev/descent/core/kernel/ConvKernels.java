package dev.descent.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The data movement behind 2-D convolution: im2col lays out the input patches that one group of
 * output channels sees as a matrix, so that the convolution is a GEMM; col2im is its adjoint (it adds
 * patch gradients back into the image). Both work on one image and one group, over a range of
 * patch rows, so that callers can split the work across threads without overlap.
 *
 * <p>Layout: {@code cols[r][p]} with row {@code r = (c·kh + i)·kw + j} (input channel within the group,
 * kernel row, kernel column) and column {@code p = oh·wo + ow} (output pixel).
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** The shape arithmetic of one conv2d: input [n, c, h, w], weight [o, c/groups, kh, kw]. */
    public record Geometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                           int groups, int ho, int wo) {
        /** Channels per group on the input side. */
        public int cg() {
            return c / groups;
        }

        /** Channels per group on the output side. */
        public int og() {
            return o / groups;
        }

        /** Rows of the patch matrix: c/groups · kh · kw. */
        public int rows() {
            return cg() * kh * kw;
        }

        /** Columns of the patch matrix: ho · wo. */
        public int pixels() {
            return ho * wo;
        }
    }

    /**
     * cols[r - rowFrom][·] for r in [rowFrom, rowTo) of image x (at xOff, [c, h, w]) and group g.
     *
     * <p>Each output row's in-image pixels ow ∈ [lo, hi) are found once and copied by a plain loop, the edges zeroed by
     * loops of their own: no per-pixel bounds test, and no {@code Arrays.fill}/{@code arraycopy} call per row, whose
     * call overhead dominated for narrow maps (8×8 with padding 1: 4,608 rows of 8 floats per image, a third of a
     * 64→64 forward's time).
     */
    public static void im2col(Geometry q, float[] x, int xOff, int g, int rowFrom, int rowTo, float[] cols) {
        int hw = q.h() * q.w(), pixels = q.pixels(), wo = q.wo(), sw = q.sw();
        for (int r = rowFrom; r < rowTo; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int plane = xOff + (g * q.cg() + c) * hw;
            int dst = (r - rowFrom) * pixels;
            int iw0 = -q.pw() + j * q.dw();
            // ow in [lo, hi) maps inside the row: iw0 + ow·sw ∈ [0, w).
            int lo = Math.min(wo, iw0 >= 0 ? 0 : (-iw0 + sw - 1) / sw);
            int hi = Math.max(lo, Math.min(wo, q.w() - iw0 <= 0 ? 0 : (q.w() - iw0 - 1) / sw + 1));
            for (int oh = 0; oh < q.ho(); oh++) {
                int ih = oh * q.sh() - q.ph() + i * q.dh();
                int rowDst = dst + oh * wo;
                if (ih < 0 || ih >= q.h()) {
                    for (int ow = 0; ow < wo; ow++) cols[rowDst + ow] = 0f;
                    continue;
                }
                int src = plane + ih * q.w() + iw0;
                for (int ow = 0; ow < lo; ow++) cols[rowDst + ow] = 0f;
                if (sw == 1) {
                    for (int ow = lo; ow < hi; ow++) cols[rowDst + ow] = x[src + ow];
                } else {
                    for (int ow = lo; ow < hi; ow++) cols[rowDst + ow] = x[src + ow * sw];
                }
                for (int ow = hi; ow < wo; ow++) cols[rowDst + ow] = 0f;
            }
        }
    }

    /** Whether {@link #im2colPadded} applies: stride 1, no dilation. */
    public static boolean paddedIm2colApplies(Geometry q) {
        return q.sh() == 1 && q.sw() == 1 && q.dh() == 1 && q.dw() == 1;
    }

    /** Floats of the padded buffer {@link #im2colPadded} and {@link #im2colTransposed} need for one group. */
    public static int paddedSize(Geometry q) {
        return q.cg() * (q.h() + 2 * q.ph()) * (q.w() + 2 * q.pw());
    }

    /**
     * {@link #im2col(Geometry, float[], int, int, int, int, float[])} of all patch rows of group g, for a stride-1
     * undilated convolution ({@link #paddedIm2colApplies}), through a zero-padded copy of the group's channels in
     * {@code xp} ({@link #paddedSize} floats): every output row of a patch row is then {@code wo} consecutive floats
     * of the copy, one vector move or two, with no edges to test or zero. (For 64→64 @8×8 the row-by-row im2col was a
     * third of the forward.) The same values as im2col.
     */
    public static void im2colPadded(Geometry q, float[] x, int xOff, int g, float[] xp, float[] cols) {
        int hp = q.h() + 2 * q.ph(), wp = q.w() + 2 * q.pw(), wo = q.wo(), pixels = q.pixels();
        ImplicitConv.pad(x, xOff + g * q.cg() * q.h() * q.w(), q.cg(), q.h(), q.w(), q.ph(), q.pw(), xp, 0);
        int rows = q.rows();
        for (int r = 0; r < rows; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int src = (c * hp + i) * wp + j, dst = r * pixels;
            for (int oh = 0; oh < q.ho(); oh++, src += wp, dst += wo) copyRow(xp, src, cols, dst, wo);
        }
    }

    /** dst[d, d+n) = src[s, s+n): whole vectors (a masked one for a remaining 8 or more at 512 bits), then scalars. */
    static void copyRow(float[] src, int s, float[] dst, int d, int n) {
        int k = 0;
        if (Vectors.ENABLED) {
            int fl = Vectors.FL;
            for (; k + fl <= n; k += fl) FloatVector.fromArray(Vectors.F, src, s + k).intoArray(dst, d + k);
            if (fl > 8 && k + 8 <= n) {
                VectorMask<Float> m = Vectors.F.indexInRange(k, n);
                FloatVector.fromArray(Vectors.F, src, s + k, m).intoArray(dst, d + k, m);
                k = n;
            }
        }
        for (; k < n; k++) dst[d + k] = src[s + k];
    }

    /**
     * The transpose of {@link #im2col(Geometry, float[], int, int, int, int, float[])} over all patch rows of group g:
     * {@code colsT[p·rows + r]} = {@code cols[r·pixels + p]}. The weight gradient's GEMM reads the patch matrix as its
     * B operand transposed; handed row-major, its packing copies rows instead of walking columns (that column walk was
     * 40% of a stride-2 16→32 weight gradient). The same values, so the same sums.
     *
     * <p>Any stride and dilation, through a zero-padded copy of the group's channels in {@code xp} ({@link #paddedSize}
     * floats): each row of colsT (one output pixel) is then written in order, kw consecutive taps at a time, with no
     * edge tests. (Written column by column from the image, the scattered stores cost 2–3 cycles a float: 40% of a
     * 64→64 @8×8 weight gradient.)
     */
    public static void im2colTransposed(Geometry q, float[] x, int xOff, int g, float[] xp, float[] colsT) {
        int hp = q.h() + 2 * q.ph(), wp = q.w() + 2 * q.pw(), plane = hp * wp;
        ImplicitConv.pad(x, xOff + g * q.cg() * q.h() * q.w(), q.cg(), q.h(), q.w(), q.ph(), q.pw(), xp, 0);
        int cg = q.cg(), kh = q.kh(), kw = q.kw(), dwp = q.dh() * wp, dw = q.dw();
        boolean three = kw == 3 && dw == 1;
        int d = 0;
        for (int oh = 0; oh < q.ho(); oh++) {
            for (int ow = 0; ow < q.wo(); ow++) {
                int base = oh * q.sh() * wp + ow * q.sw();
                for (int c = 0; c < cg; c++) {
                    for (int i = 0, src = base + c * plane; i < kh; i++, src += dwp) {
                        if (three) {
                            colsT[d] = xp[src];
                            colsT[d + 1] = xp[src + 1];
                            colsT[d + 2] = xp[src + 2];
                            d += 3;
                        } else {
                            for (int j = 0; j < kw; j++) colsT[d++] = xp[src + j * dw];
                        }
                    }
                }
            }
        }
    }

    /**
     * x[image at xOff, group g] += the patches in cols rows [rowFrom, rowTo) (the adjoint of im2col). Rows in order,
     * and in each the in-image pixels [lo, hi) (see im2col) without a per-pixel test: each element of x receives its
     * terms in the order of r, as before.
     */
    public static void col2im(Geometry q, float[] cols, int g, int rowFrom, int rowTo, float[] x, int xOff) {
        int hw = q.h() * q.w(), pixels = q.pixels(), wo = q.wo(), sw = q.sw();
        for (int r = rowFrom; r < rowTo; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int plane = xOff + (g * q.cg() + c) * hw;
            int src = (r - rowFrom) * pixels;
            int iw0 = -q.pw() + j * q.dw();
            int lo = Math.min(wo, iw0 >= 0 ? 0 : (-iw0 + sw - 1) / sw);
            int hi = Math.max(lo, Math.min(wo, q.w() - iw0 <= 0 ? 0 : (q.w() - iw0 - 1) / sw + 1));
            for (int oh = 0; oh < q.ho(); oh++) {
                int ih = oh * q.sh() - q.ph() + i * q.dh();
                if (ih < 0 || ih >= q.h()) continue;
                int rowSrc = src + oh * wo, dst = plane + ih * q.w() + iw0;
                if (sw == 1) {
                    for (int ow = lo; ow < hi; ow++) x[dst + ow] += cols[rowSrc + ow];
                } else {
                    for (int ow = lo; ow < hi; ow++) x[dst + ow * sw] += cols[rowSrc + ow];
                }
            }
        }
    }

    /**
     * {@link #col2im(Geometry, float[], int, int, int, float[], int)} of all patch rows of group g for a stride-1
     * undilated convolution ({@link #paddedIm2colApplies}), through a zero-padded accumulator {@code xp}
     * ({@link #paddedSize} floats, overwritten): each patch row's output rows add into {@code wo} consecutive floats of
     * it with vector adds and no edge tests, then the interior is added to x. Each element of the accumulator receives
     * its terms in the order of r from 0, as col2im's, and x (zeros, as the input gradient's) gets the finished sum:
     * the same bits when x starts at zero.
     */
    public static void col2imPadded(Geometry q, float[] cols, int g, float[] xp, float[] x, int xOff) {
        int hp = q.h() + 2 * q.ph(), wp = q.w() + 2 * q.pw(), wo = q.wo(), pixels = q.pixels(), rows = q.rows();
        java.util.Arrays.fill(xp, 0, q.cg() * hp * wp, 0f);
        for (int r = 0; r < rows; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int dst = (c * hp + i) * wp + j, src = r * pixels;
            for (int oh = 0; oh < q.ho(); oh++, dst += wp, src += wo) addRow(cols, src, xp, dst, wo);
        }
        int h = q.h(), w = q.w(), hw = h * w;
        for (int c = 0; c < q.cg(); c++) {
            int plane = xOff + (g * q.cg() + c) * hw;
            for (int ih = 0; ih < h; ih++) addRow(xp, (c * hp + ih + q.ph()) * wp + q.pw(), x, plane + ih * w, w);
        }
    }

    /** dst[d, d+n) += src[s, s+n), element by element (vectors, a masked one for a remaining 8 or more at 512 bits, then scalars). */
    private static void addRow(float[] src, int s, float[] dst, int d, int n) {
        int k = 0;
        if (Vectors.ENABLED) {
            int fl = Vectors.FL;
            for (; k + fl <= n; k += fl) FloatVector.fromArray(Vectors.F, dst, d + k).add(FloatVector.fromArray(Vectors.F, src, s + k)).intoArray(dst, d + k);
            if (fl > 8 && k + 8 <= n) {
                VectorMask<Float> m = Vectors.F.indexInRange(k, n);
                FloatVector.fromArray(Vectors.F, dst, d + k, m).add(FloatVector.fromArray(Vectors.F, src, s + k, m)).intoArray(dst, d + k, m);
                k = n;
            }
        }
        for (; k < n; k++) dst[d + k] += src[s + k];
    }

    /** {@link #im2col(Geometry, float[], int, int, int, int, float[])} for float64. */
    public static void im2col(Geometry q, double[] x, int xOff, int g, int rowFrom, int rowTo, double[] cols) {
        int hw = q.h() * q.w(), pixels = q.pixels();
        for (int r = rowFrom; r < rowTo; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int plane = xOff + (g * q.cg() + c) * hw;
            int dst = (r - rowFrom) * pixels;
            for (int oh = 0; oh < q.ho(); oh++) {
                int ih = oh * q.sh() - q.ph() + i * q.dh();
                int rowDst = dst + oh * q.wo();
                int src = plane + ih * q.w();
                int iw0 = -q.pw() + j * q.dw();
                for (int ow = 0; ow < q.wo(); ow++) {
                    int iw = iw0 + ow * q.sw();
                    cols[rowDst + ow] = ih >= 0 && ih < q.h() && iw >= 0 && iw < q.w() ? x[src + iw] : 0d;
                }
            }
        }
    }

    /** {@link #col2im(Geometry, float[], int, int, int, float[], int)} for float64. */
    public static void col2im(Geometry q, double[] cols, int g, int rowFrom, int rowTo, double[] x, int xOff) {
        int hw = q.h() * q.w(), pixels = q.pixels();
        for (int r = rowFrom; r < rowTo; r++) {
            int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = r / (q.kw() * q.kh());
            int plane = xOff + (g * q.cg() + c) * hw;
            int src = (r - rowFrom) * pixels;
            for (int oh = 0; oh < q.ho(); oh++) {
                int ih = oh * q.sh() - q.ph() + i * q.dh();
                if (ih < 0 || ih >= q.h()) continue;
                int rowSrc = src + oh * q.wo(), dst = plane + ih * q.w();
                int iw0 = -q.pw() + j * q.dw();
                for (int ow = 0; ow < q.wo(); ow++) {
                    int iw = iw0 + ow * q.sw();
                    if (iw >= 0 && iw < q.w()) x[dst + iw] += cols[rowSrc + ow];
                }
            }
        }
    }
}
