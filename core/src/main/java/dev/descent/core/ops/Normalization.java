package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.BackwardFn;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import jdk.incubator.vector.FloatVector;
import java.util.Arrays;

/**
 * Batch, layer, RMS and group normalisation, composed from primitive ops (so their gradients, of any order, come
 * from the primitives' rules).
 */
public final class Normalization {
    private Normalization() {}

    /**
     * Batch normalisation (Ioffe &amp; Szegedy 2015) over every dim but 1 (channels): input [N, C] or
     * [N, C, ...]. {@code y = (x − mean) / √(var + eps) · weight + bias}, per channel.
     *
     * <p>Training: normalise with the batch mean and the biased batch variance, and update the running
     * statistics in place: {@code running = (1 − momentum)·running + momentum·batch}, using the
     * unbiased variance (PyTorch's convention). Eval: normalise with the running statistics.
     * {@code runningMean}/{@code runningVar} may be null (no tracking: batch statistics always);
     * {@code weight}/{@code bias} may be null (no affine transform). Composed from primitives, so gradients
     * flow through the batch statistics.
     *
     * @param x the input {@code [N, C, ...]}
     * @param runningMean the running mean {@code [C]}, updated in place in training, or null
     * @param runningVar the running variance {@code [C]}, updated in place in training, or null
     * @param weight the scale γ {@code [C]}, or null
     * @param bias the shift β {@code [C]}, or null
     * @param training whether to use (and track) batch statistics
     * @param momentum the weight of the new batch in the running statistics, in [0, 1] (PyTorch's default 0.1)
     * @param eps added to the variance for stability, &gt; 0 (PyTorch's default 1e-5)
     * @return the normalised tensor, of x's shape
     * @throws IllegalArgumentException when x has rank below 2, a statistic or affine parameter is not
     *         {@code [C]}, eps ≤ 0, momentum is outside [0, 1], or training sees only one value per channel
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (HalfCompute.any(x, weight, bias)) {
            // running statistics stay in their own dtype: batchNorm updates them in place
            return HalfCompute.round(batchNorm(x.to(DType.FLOAT32), runningMean, runningVar, HalfCompute.widen(weight), HalfCompute.widen(bias), training, momentum, eps),
                    HalfCompute.storeAs(x, weight, bias));
        }
        if (x.dim() < 2) throw new IllegalArgumentException("batchNorm: input must be [N, C, ...], got " + Shape.format(x.shape()));
        int c = x.size(1);
        checkChannels("running mean", runningMean, c);
        checkChannels("running var", runningVar, c);
        checkChannels("weight", weight, c);
        checkChannels("bias", bias, c);
        if (!(eps > 0)) throw new IllegalArgumentException("batchNorm: eps must be > 0, was " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("batchNorm: momentum must be in [0, 1], was " + momentum);
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 2; i < x.dim(); i++) dims[i - 1] = i;
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor mean, var;
        boolean useBatch = training || runningMean == null || runningVar == null;
        if (useBatch) {
            int n = x.numel() / Math.max(c, 1);
            if (training && n <= 1) {
                throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got input " + Shape.format(x.shape()));
            }
            mean = x.mean(dims, true);
            var = x.sub(mean).square().mean(dims, true);
            if (training && runningMean != null && runningVar != null) {
                try (var _ = GradMode.noGrad()) {
                    Tensor m = mean.detach().reshape(c).to(runningMean.dtype());
                    Tensor v = var.detach().reshape(c).mul((double) n / (n - 1)).to(runningVar.dtype());
                    runningMean.mulInPlace(1 - momentum).addInPlace(m, momentum);
                    runningVar.mulInPlace(1 - momentum).addInPlace(v, momentum);
                }
            }
        } else {
            mean = runningMean.detach().reshape(bshape).to(x.dtype());
            var = runningVar.detach().reshape(bshape).to(x.dtype());
        }
        Tensor y = x.sub(mean).div(var.add(eps).sqrt());
        if (weight != null) y = y.mul(weight.reshape(bshape));
        if (bias != null) y = y.add(bias.reshape(bshape));
        return y;
    }

    private static void checkChannels(String what, Tensor t, int c) {
        if (t != null && (t.dim() != 1 || t.size(0) != c)) {
            throw new IllegalArgumentException("batchNorm: " + what + " of shape " + Shape.format(t.shape()) + " should be [" + c + "]");
        }
    }

    /**
     * Layer normalisation (Ba, Kiros &amp; Hinton 2016) over the trailing dims {@code normalizedShape}:
     * (x − mean) / √(var + eps), biased variance, then the optional elementwise affine {@code weight},
     * {@code bias} (of that shape). The normalisation x̂ = (x − mean)·rstd, rstd = 1/√(var + eps), is one pass per row
     * with its own backward (below); the affine part, with both weight and bias of x's float dtype, is one more node
     * with its own one-pass rules (the composed {@code x̂.mul(weight).add(bias)} bit for bit), else composed from primitives.
     *
     * @param x the input, whose trailing dimensions are {@code normalizedShape}
     * @param normalizedShape the trailing shape normalised over (at least one dimension)
     * @param weight the scale, of shape {@code normalizedShape}, or null
     * @param bias the shift, of shape {@code normalizedShape}, or null
     * @param eps added to the variance for stability, &gt; 0
     * @return the normalised tensor, of x's shape
     * @throws IllegalArgumentException when {@code normalizedShape} is empty or not x's trailing shape, an
     *         affine parameter has another shape, or eps ≤ 0
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        if (HalfCompute.any(x, weight, bias)) {
            return HalfCompute.round(layerNorm(HalfCompute.widen(x), normalizedShape, HalfCompute.widen(weight), HalfCompute.widen(bias), eps), HalfCompute.storeAs(x, weight, bias));
        }
        int k = normalizedShape.length, r = x.dim();
        int[] xs = x.shape();
        if (k == 0 || k > r || !Arrays.equals(Arrays.copyOfRange(xs, r - k, r), normalizedShape)) {
            throw new IllegalArgumentException("layerNorm: normalized shape " + Shape.format(normalizedShape) + " is not the trailing part of input "
                    + Shape.format(xs));
        }
        if (!(eps > 0)) throw new IllegalArgumentException("layerNorm: eps must be > 0, was " + eps);
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !Arrays.equals(t.shape(), normalizedShape)) {
                throw new IllegalArgumentException("layerNorm: affine parameter of shape " + Shape.format(t.shape()) + " should be " + Shape.format(normalizedShape));
            }
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        Tensor y;
        if (x.dtype().isFloatingPoint() && x.numel() > 0) {
            y = normalized(x, dims, eps);
        } else {
            Tensor mean = x.mean(dims, true);
            Tensor centered = x.sub(mean);
            y = centered.div(centered.square().mean(dims, true).add(eps).sqrt());
        }
        if (weight != null && bias != null && fusesAffine(y, weight, bias)) return affine(y, weight, bias);
        if (weight != null) y = y.mul(weight);
        // after the product the bias goes into the product's fresh storage (the same add node and bits, one tensor fewer)
        if (bias != null) y = weight != null ? Affine.addToFresh(y, bias) : y.add(bias);
        return y;
    }

    /** Whether {@link #affine} serves x̂, w and b: one float dtype, x̂ contiguous. */
    private static boolean fusesAffine(Tensor xhat, Tensor w, Tensor b) {
        DType dt = xhat.dtype();
        return (dt == DType.FLOAT32 || dt == DType.FLOAT64) && w.dtype() == dt && b.dtype() == dt && xhat.isContiguous() && w.numel() > 0 && xhat.numel() > 0;
    }

    /**
     * LayerNorm's affine part y = x̂·w + b (w and b of the normalised shape, broadcast over the rows) as one node, each
     * way one pass: the composed {@code x̂.mul(w).add(b)} bit for bit, in value (the product rounded, then the sum) and
     * in gradients: dx̂ = g·w; dw = Σ_rows g·x̂ and db = Σ_rows g, each a running sum down the rows from the first row's
     * term, as the sum over the leading dims folds them ({@code ReduceKernels.foldF}); the threads split the columns.
     * A backward that records (gradients of gradients) or a g of another shape or dtype takes the composed rules.
     */
    private static Tensor affine(Tensor xhat, Tensor w, Tensor b) {
        int n = w.numel(), rows = xhat.numel() / n;
        int[] ys = xhat.shape(), ws = w.shape(), bs = b.shape();
        Tensor wc = w.detach().contiguous(), bc = b.detach().contiguous();
        Tensor y = Tensor.empty(xhat.dtype(), ys); // every element is written
        affineRows(xhat, wc, bc, y, rows, n);
        return Autograd.record("layerNormAffine", y, g -> {
            if (Autograd.isRecording(g, xhat, w, b) || g.dtype() != xhat.dtype() || !Arrays.equals(g.shape(), ys)) {
                return new Tensor[] {xhat.requiresGrad() ? g.mul(w) : null, w.requiresGrad() ? Views.sumToShape(g.mul(xhat), ws) : null,
                        b.requiresGrad() ? Views.sumToShape(g, bs) : null};
            }
            Tensor gc = g.detach().contiguous();
            Tensor gx = xhat.requiresGrad() ? Tensor.empty(g.dtype(), ys) : null, gw = Tensor.empty(g.dtype(), ws), gb = Tensor.empty(g.dtype(), bs);
            affineGradRows(gc, xhat, wc, gx, gw, gb, rows, n);
            return new Tensor[] {gx, w.requiresGrad() ? gw : null, b.requiresGrad() ? gb : null};
        }, t -> Tangents.sum(ys, t[0] == null ? null : t[0].mul(w), t[1] == null ? null : xhat.mul(t[1]), t[2]), xhat, w, b);
    }

    /** y = x̂·w + b row by row (x̂, w, b contiguous; y fresh), rows split over the pool in fixed chunks. */
    static void affineRows(Tensor xhat, Tensor w, Tensor b, Tensor y, int rows, int n) {
        int ho = xhat.storageOffset(), wo = w.storageOffset(), bo = b.storageOffset();
        int grain = Math.max(1, (1 << 14) / n);
        if (y.dtype() == DType.FLOAT32) {
            float[] hs = xhat.storage().floats(), wf = w.storage().floats(), bf = b.storage().floats(), yf = y.storage().floats();
            Parallel.forRange(rows, grain, (from, to) -> {
                for (int row = from; row < to; row++) affineRowF(hs, ho + row * n, wf, wo, bf, bo, yf, row * n, n, Vectors.ENABLED);
            });
        } else {
            double[] hs = xhat.storage().doubles(), wd = w.storage().doubles(), bd = b.storage().doubles(), yd = y.storage().doubles();
            Parallel.forRange(rows, grain, (from, to) -> {
                for (int row = from; row < to; row++) {
                    for (int i = 0; i < n; i++) yd[row * n + i] = hs[ho + row * n + i] * wd[wo + i] + bd[bo + i];
                }
            });
        }
    }

    /** One float32 row of {@link #affineRows}: y = x̂·w (rounded) + b; {@code vector=false} runs the scalar twin (same bits). */
    static void affineRowF(float[] h, int ho, float[] w, int wo, float[] b, int bo, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector) {
            var S = Vectors.F;
            int L = S.length(), upper = S.loopBound(n);
            for (; i < upper; i += L) {
                FloatVector.fromArray(S, h, ho + i).mul(FloatVector.fromArray(S, w, wo + i)).add(FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = h[ho + i] * w[wo + i] + b[bo + i];
    }

    /**
     * dx̂ = g·w (when gx is not null), dw = Σ_rows g·x̂, db = Σ_rows g for g and x̂ contiguous [rows, n]; the columns
     * split over the pool (each column's sums run down all the rows, so the split leaves the bits as they are).
     */
    static void affineGradRows(Tensor g, Tensor xhat, Tensor w, Tensor gx, Tensor gw, Tensor gb, int rows, int n) {
        int go = g.storageOffset(), ho = xhat.storageOffset(), wo = w.storageOffset();
        int align = Vectors.FL, grain = Math.max(align, (1 << 15) / Math.max(1, rows));
        if (g.dtype() == DType.FLOAT32) {
            float[] gs = g.storage().floats(), hs = xhat.storage().floats(), wf = w.storage().floats(), xs = gx == null ? null : gx.storage().floats();
            float[] dw = gw.storage().floats(), db = gb.storage().floats();
            Parallel.forRange(n, grain, align, (from, to) -> affineGradColsF(gs, go, hs, ho, wf, wo, xs, dw, db, rows, n, from, to, Vectors.ENABLED));
        } else {
            double[] gs = g.storage().doubles(), hs = xhat.storage().doubles(), wd = w.storage().doubles(), xs = gx == null ? null : gx.storage().doubles();
            double[] dw = gw.storage().doubles(), db = gb.storage().doubles();
            Parallel.forRange(n, grain, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double sw = 0, sb = 0;
                    for (int r = 0; r < rows; r++) {
                        double gv = gs[go + r * n + i], p = gv * hs[ho + r * n + i];
                        if (xs != null) xs[r * n + i] = gv * wd[wo + i];
                        sw = r == 0 ? p : sw + p;
                        sb = r == 0 ? gv : sb + gv;
                    }
                    dw[i] = sw;
                    db[i] = sb;
                }
            });
        }
    }

    /**
     * Columns [from, to) of {@link #affineGradRows} in float32: a vector of columns at a time down all the rows, its two
     * running sums in registers; the columns past the last whole vector by the scalar twin ({@code vector=false}: all of
     * them), which does the same operations per element and so gives the same bits. dx (gx) is row-major [rows, n].
     */
    static void affineGradColsF(float[] g, int go, float[] h, int ho, float[] w, int wo, float[] gx, float[] dw, float[] db, int rows, int n,
                                int from, int to, boolean vector) {
        int i = from;
        if (vector && rows > 0) {
            var S = Vectors.F;
            int L = S.length();
            // four vectors of columns at a time: eight running sums in registers, independent chains (one column's sums
            // are a chain of dependent adds down the rows: a single vector of columns waits on their latency)
            for (; i + 4 * L <= to; i += 4 * L) affineGradCols4(g, go, h, ho, w, wo, gx, dw, db, rows, n, i);
            for (; i + L <= to; i += L) affineGradCols1(g, go, h, ho, w, wo, gx, dw, db, rows, n, i);
        }
        for (; i < to; i++) {
            float sw = 0f, sb = 0f, wi = w[wo + i];
            for (int r = 0; r < rows; r++) {
                float gv = g[go + r * n + i], p = gv * h[ho + r * n + i];
                if (gx != null) gx[r * n + i] = gv * wi;
                sw = r == 0 ? p : sw + p;
                sb = r == 0 ? gv : sb + gv;
            }
            dw[i] = sw;
            db[i] = sb;
        }
    }
    /** One vector of columns from column i of {@link #affineGradColsF}'s vector loop (the loop body, in a method of its own). */
    private static void affineGradCols1(float[] g, int go, float[] h, int ho, float[] w, int wo, float[] gx, float[] dw, float[] db, int rows,
                                        int n, int i) {
        var S = Vectors.F;
        FloatVector wv = FloatVector.fromArray(S, w, wo + i);
        FloatVector gv = FloatVector.fromArray(S, g, go + i);
        FloatVector sw = gv.mul(FloatVector.fromArray(S, h, ho + i)), sb = gv;
        if (gx != null) gv.mul(wv).intoArray(gx, i);
        for (int r = 1; r < rows; r++) {
            int at = r * n + i;
            gv = FloatVector.fromArray(S, g, go + at);
            sw = sw.add(gv.mul(FloatVector.fromArray(S, h, ho + at)));
            sb = sb.add(gv);
            if (gx != null) gv.mul(wv).intoArray(gx, at);
        }
        sw.intoArray(dw, i);
        sb.intoArray(db, i);
    }

    /**
     * Four vectors of columns from column i of {@link #affineGradColsF}'s vector loop: per element the same operations in
     * the same order (so the same bits), the four columns' chains interleaved.
     */
    private static void affineGradCols4(float[] g, int go, float[] h, int ho, float[] w, int wo, float[] gx, float[] dw, float[] db, int rows,
                                        int n, int i) {
        var S = Vectors.F;
        int L = S.length();
        FloatVector w0 = FloatVector.fromArray(S, w, wo + i), w1 = FloatVector.fromArray(S, w, wo + i + L);
        FloatVector w2 = FloatVector.fromArray(S, w, wo + i + 2 * L), w3 = FloatVector.fromArray(S, w, wo + i + 3 * L);
        FloatVector g0 = FloatVector.fromArray(S, g, go + i), g1 = FloatVector.fromArray(S, g, go + i + L);
        FloatVector g2 = FloatVector.fromArray(S, g, go + i + 2 * L), g3 = FloatVector.fromArray(S, g, go + i + 3 * L);
        FloatVector sw0 = g0.mul(FloatVector.fromArray(S, h, ho + i)), sw1 = g1.mul(FloatVector.fromArray(S, h, ho + i + L));
        FloatVector sw2 = g2.mul(FloatVector.fromArray(S, h, ho + i + 2 * L)), sw3 = g3.mul(FloatVector.fromArray(S, h, ho + i + 3 * L));
        FloatVector sb0 = g0, sb1 = g1, sb2 = g2, sb3 = g3;
        if (gx != null) {
            g0.mul(w0).intoArray(gx, i);
            g1.mul(w1).intoArray(gx, i + L);
            g2.mul(w2).intoArray(gx, i + 2 * L);
            g3.mul(w3).intoArray(gx, i + 3 * L);
        }
        for (int r = 1; r < rows; r++) {
            int at = r * n + i;
            g0 = FloatVector.fromArray(S, g, go + at);
            g1 = FloatVector.fromArray(S, g, go + at + L);
            g2 = FloatVector.fromArray(S, g, go + at + 2 * L);
            g3 = FloatVector.fromArray(S, g, go + at + 3 * L);
            sw0 = sw0.add(g0.mul(FloatVector.fromArray(S, h, ho + at)));
            sw1 = sw1.add(g1.mul(FloatVector.fromArray(S, h, ho + at + L)));
            sw2 = sw2.add(g2.mul(FloatVector.fromArray(S, h, ho + at + 2 * L)));
            sw3 = sw3.add(g3.mul(FloatVector.fromArray(S, h, ho + at + 3 * L)));
            sb0 = sb0.add(g0);
            sb1 = sb1.add(g1);
            sb2 = sb2.add(g2);
            sb3 = sb3.add(g3);
            if (gx != null) {
                g0.mul(w0).intoArray(gx, at);
                g1.mul(w1).intoArray(gx, at + L);
                g2.mul(w2).intoArray(gx, at + 2 * L);
                g3.mul(w3).intoArray(gx, at + 3 * L);
            }
        }
        sw0.intoArray(dw, i);
        sw1.intoArray(dw, i + L);
        sw2.intoArray(dw, i + 2 * L);
        sw3.intoArray(dw, i + 3 * L);
        sb0.intoArray(db, i);
        sb1.intoArray(db, i + L);
        sb2.intoArray(db, i + 2 * L);
        sb3.intoArray(db, i + 3 * L);
    }

    /**
     * x̂ = (x − mean)·rstd over the trailing {@code dims} (n elements a row), rstd = 1/√(var + eps) with the biased
     * variance, each row in one kernel (sums in double, two passes so the variance does not cancel). Recorded as two
     * nodes on x, so that the backward rules, written with differentiable ops, differentiate again:
     * <ul>
     *   <li>x̂: ∂x̂/∂x is the symmetric rstd·(I − 𝟙𝟙ᵀ/n − x̂x̂ᵀ/n), so both the gradient and the tangent of a g are
     *       rstd·(g − mean(g) − x̂·mean(g·x̂)); when nothing records (a plain backward), one kernel pass per row.
     *   <li>rstd: ∂rstd/∂xⱼ = −rstd²·x̂ⱼ/n, used only by x̂'s rule, i.e. by second derivatives.
     * </ul>
     */
    private static Tensor normalized(Tensor x, int[] dims, double eps) {
        int n = 1;
        for (int d : dims) n *= x.size(d);
        int rows = x.numel() / n;
        int[] rowShape = x.shape().clone();
        for (int d : dims) rowShape[d] = 1;
        Tensor xc = x.detach().contiguous();
        Tensor xhat = Tensor.empty(x.dtype(), x.shape()), rstd = Tensor.empty(x.dtype(), rowShape); // every element is written
        normalizeRows(xc, xhat, rstd, rows, n, eps);
        Tensor[] xh = {xhat};
        final int count = n;
        Tensor rs = Autograd.record("layerNormRstd", rstd,
                g -> new Tensor[] {g.mul(rstd.square()).mul(xh[0]).mul(-1.0 / count)},
                t -> t[0].mul(xh[0]).sum(dims, true).mul(rstd.square()).mul(-1.0 / count), x);
        BackwardFn rule = g -> new Tensor[] {normalizedGrad(g, xh[0], rs, dims, rows, count)};
        xh[0] = Autograd.record("layerNormNormalized", xhat, rule, t -> normalizedGrad(t[0], xh[0], rs, dims, rows, count), x);
        return xh[0];
    }

    /** rstd·(g − mean(g) − x̂·mean(g·x̂)) per row: one kernel when nothing records, else differentiable ops. */
    private static Tensor normalizedGrad(Tensor g, Tensor xhat, Tensor rstd, int[] dims, int rows, int n) {
        if (Autograd.isRecording(g, xhat, rstd) || g.dtype() != xhat.dtype() || !Arrays.equals(g.shape(), xhat.shape())) {
            return rstd.mul(g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true))));
        }
        Tensor gc = g.detach().contiguous(), dx = Tensor.empty(g.dtype(), g.shape());
        normalizedGradRows(gc, xhat, rstd, dx, rows, n);
        return dx;
    }

    /** x̂ and rstd of each contiguous row of n (x contiguous; x̂ and rstd fresh), rows split over the pool in fixed chunks. */
    static void normalizeRows(Tensor x, Tensor xhat, Tensor rstd, int rows, int n, double eps) {
        int xo = x.storageOffset();
        int grain = Math.max(1, (1 << 14) / n);
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.storage().floats(), ys = xhat.storage().floats(), rs = rstd.storage().floats();
            Parallel.forRange(rows, grain, (from, to) -> {
                float[] lanes = new float[2 * Vectors.FL];
                for (int row = from; row < to; row++) normalizeRowF(xs, xo + row * n, ys, row * n, rs, row, n, eps, lanes, Vectors.ENABLED);
            });
        } else {
            double[] xs = x.storage().doubles(), ys = xhat.storage().doubles(), rs = rstd.storage().doubles();
            Parallel.forRange(rows, grain, (from, to) -> {
                for (int row = from; row < to; row++) {
                    int o = xo + row * n, yo = row * n;
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += xs[o + i];
                    double mean = sum / n, sq = 0;
                    for (int i = 0; i < n; i++) {
                        double c = xs[o + i] - mean;
                        sq += c * c;
                    }
                    double r = 1 / Math.sqrt(sq / n + eps);
                    rs[row] = r;
                    for (int i = 0; i < n; i++) ys[yo + i] = (xs[o + i] - mean) * r;
                }
            });
        }
    }

    /** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) per contiguous row of n (g contiguous; x̂, rstd and dx fresh). */
    static void normalizedGradRows(Tensor g, Tensor xhat, Tensor rstd, Tensor dx, int rows, int n) {
        int go = g.storageOffset();
        int grain = Math.max(1, (1 << 14) / n);
        if (g.dtype() == DType.FLOAT32) {
            float[] gs = g.storage().floats(), hs = xhat.storage().floats(), rs = rstd.storage().floats(), ds = dx.storage().floats();
            Parallel.forRange(rows, grain, (from, to) -> {
                float[] lanes = new float[2 * Vectors.FL];
                for (int row = from; row < to; row++) normalizedGradRowF(gs, go + row * n, hs, row * n, rs[row], ds, n, lanes, Vectors.ENABLED);
            });
        } else {
            double[] gs = g.storage().doubles(), hs = xhat.storage().doubles(), rs = rstd.storage().doubles(), ds = dx.storage().doubles();
            Parallel.forRange(rows, grain, (from, to) -> {
                for (int row = from; row < to; row++) {
                    int o = go + row * n, ho = row * n;
                    double sg = 0, sgh = 0;
                    for (int i = 0; i < n; i++) {
                        sg += gs[o + i];
                        sgh += gs[o + i] * hs[ho + i];
                    }
                    double mg = sg / n, mgh = sgh / n, r = rs[row];
                    for (int i = 0; i < n; i++) ds[ho + i] = r * (gs[o + i] - mg - hs[ho + i] * mgh);
                }
            });
        }
    }

    /**
     * One float32 row of {@link #normalizeRows}: the sums kept per vector lane in float (lane k holds the elements
     * k, k + L, … of the vector part), the lanes then added in double in lane order, then the tail; {@code vector=false}
     * runs the scalar twin, which keeps the same lanes in {@code lanes} (2L floats of scratch) and so gives the same bits.
     */
    static void normalizeRowF(float[] x, int xo, float[] y, int yo, float[] rs, int row, int n, double eps, float[] lanes, boolean vector) {
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(n);
        double sum = 0;
        if (vector) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < upper; i += L) acc = acc.add(FloatVector.fromArray(S, x, xo + i));
            acc.intoArray(lanes, 0);
        } else {
            java.util.Arrays.fill(lanes, 0, L, 0f);
            for (int i = 0; i < upper; i++) lanes[i % L] += x[xo + i];
        }
        for (int k = 0; k < L; k++) sum += lanes[k];
        for (int i = upper; i < n; i++) sum += x[xo + i];
        float m = (float) (sum / n);
        double sq = 0;
        if (vector) {
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < upper; i += L) {
                FloatVector c = FloatVector.fromArray(S, x, xo + i).sub(m);
                acc = c.fma(c, acc);
            }
            acc.intoArray(lanes, 0);
        } else {
            java.util.Arrays.fill(lanes, 0, L, 0f);
            for (int i = 0; i < upper; i++) {
                float c = x[xo + i] - m;
                lanes[i % L] = Math.fma(c, c, lanes[i % L]);
            }
        }
        for (int k = 0; k < L; k++) sq += lanes[k];
        for (int i = upper; i < n; i++) {
            float c = x[xo + i] - m;
            sq += c * c;
        }
        float r = (float) (1 / Math.sqrt(sq / n + eps));
        rs[row] = r;
        int i = 0;
        if (vector) {
            for (; i < upper; i += L) FloatVector.fromArray(S, x, xo + i).sub(m).mul(r).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (x[xo + i] - m) * r;
    }

    /**
     * One float32 row of {@link #normalizedGradRows}, its sums per lane as {@link #normalizeRowF}'s; {@code vector=false}
     * runs the scalar twin (same bits).
     */
    static void normalizedGradRowF(float[] g, int go, float[] h, int ho, float r, float[] dx, int n, float[] lanes, boolean vector) {
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(n);
        if (vector) {
            FloatVector sg = FloatVector.zero(S), sgh = FloatVector.zero(S);
            for (int i = 0; i < upper; i += L) {
                FloatVector gv = FloatVector.fromArray(S, g, go + i);
                sg = sg.add(gv);
                sgh = gv.fma(FloatVector.fromArray(S, h, ho + i), sgh);
            }
            sg.intoArray(lanes, 0);
            sgh.intoArray(lanes, L);
        } else {
            java.util.Arrays.fill(lanes, 0, 2 * L, 0f);
            for (int i = 0; i < upper; i++) {
                lanes[i % L] += g[go + i];
                lanes[L + i % L] = Math.fma(g[go + i], h[ho + i], lanes[L + i % L]);
            }
        }
        double a = 0, b = 0;
        for (int k = 0; k < L; k++) {
            a += lanes[k];
            b += lanes[L + k];
        }
        for (int i = upper; i < n; i++) {
            a += g[go + i];
            b += (double) g[go + i] * h[ho + i];
        }
        float mg = (float) (a / n), mgh = (float) (b / n);
        int i = 0;
        if (vector) {
            for (; i < upper; i += L) {
                FloatVector.fromArray(S, g, go + i).sub(mg).sub(FloatVector.fromArray(S, h, ho + i).mul(mgh)).mul(r).intoArray(dx, ho + i);
            }
        }
        for (; i < n; i++) dx[ho + i] = (g[go + i] - mg - h[ho + i] * mgh) * r;
    }

    /**
     * Root-mean-square normalisation (Zhang &amp; Sennrich 2019) over the trailing dims {@code normalizedShape}:
     * {@code y = x / √(mean(x²) + eps) · weight}, no centring and no bias, as {@code torch.nn.functional.rms_norm}.
     * Composed from primitives.
     *
     * @param x the input, whose trailing dimensions are {@code normalizedShape}
     * @param normalizedShape the trailing shape normalised over (at least one dimension)
     * @param weight the scale, of shape {@code normalizedShape}, or null
     * @param eps added to the mean square, &gt; 0 (PyTorch's default is the machine epsilon of x's dtype)
     * @return the normalised tensor, of x's shape
     * @throws IllegalArgumentException when {@code normalizedShape} is empty or not x's trailing shape, the weight
     *         has another shape, or eps ≤ 0
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, double eps) {
        if (HalfCompute.any(x, weight)) return HalfCompute.round(rmsNorm(HalfCompute.widen(x), normalizedShape, HalfCompute.widen(weight), eps), HalfCompute.storeAs(x, weight));
        int[] dims = trailingDims("rmsNorm", x, normalizedShape, eps);
        if (weight != null && !Arrays.equals(weight.shape(), normalizedShape)) {
            throw new IllegalArgumentException("rmsNorm: weight of shape " + Shape.format(weight.shape()) + " should be " + Shape.format(normalizedShape));
        }
        Tensor y = x.div(x.square().mean(dims, true).add(eps).sqrt());
        return weight == null ? y : y.mul(weight);
    }

    /**
     * Group normalisation (Wu &amp; He 2018): the C channels of x {@code [N, C, ...]} split into {@code numGroups}
     * consecutive groups; each (sample, group) is normalised over its channels and positions with its own mean
     * and biased variance, then scaled and shifted per channel: {@code y = (x − mean) / √(var + eps) · weight[c] + bias[c]}.
     * The same in training and eval (no running statistics). Composed from primitives.
     *
     * @param x the input {@code [N, C, ...]}
     * @param numGroups the number of groups G, ≥ 1, dividing C
     * @param weight the scale γ {@code [C]}, or null
     * @param bias the shift β {@code [C]}, or null
     * @param eps added to the variance, &gt; 0 (PyTorch's default 1e-5)
     * @return the normalised tensor, of x's shape
     * @throws IllegalArgumentException when x has rank below 2, G does not divide C, an affine parameter is not
     *         {@code [C]}, or eps ≤ 0
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        if (HalfCompute.any(x, weight, bias)) {
            return HalfCompute.round(groupNorm(HalfCompute.widen(x), numGroups, HalfCompute.widen(weight), HalfCompute.widen(bias), eps), HalfCompute.storeAs(x, weight, bias));
        }
        if (x.dim() < 2) throw new IllegalArgumentException("groupNorm: input must be [N, C, ...], got " + Shape.format(x.shape()));
        int n = x.size(0), c = x.size(1);
        if (numGroups < 1 || c % numGroups != 0) {
            throw new IllegalArgumentException("groupNorm: " + numGroups + " groups must be >= 1 and divide the " + c + " channels of input " + Shape.format(x.shape()));
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException("groupNorm: affine parameter of shape " + Shape.format(t.shape()) + " should be [" + c + "]");
            }
        }
        if (!(eps > 0)) throw new IllegalArgumentException("groupNorm: eps must be > 0, was " + eps);
        Tensor g = x.reshape(n, numGroups, x.numel() / Math.max(1, n * numGroups));
        Tensor centered = g.sub(g.mean(2, true));
        Tensor y = centered.div(centered.square().mean(2, true).add(eps).sqrt()).reshape(x.shape());
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        if (weight != null) y = y.mul(weight.reshape(bshape));
        if (bias != null) y = y.add(bias.reshape(bshape));
        return y;
    }

    /** The last {@code normalizedShape.length} dims of x, after checking they are {@code normalizedShape} and eps &gt; 0. */
    private static int[] trailingDims(String op, Tensor x, int[] normalizedShape, double eps) {
        int k = normalizedShape.length, r = x.dim();
        int[] xs = x.shape();
        if (k == 0 || k > r || !Arrays.equals(Arrays.copyOfRange(xs, r - k, r), normalizedShape)) {
            throw new IllegalArgumentException(op + ": normalized shape " + Shape.format(normalizedShape) + " is not the trailing part of input "
                    + Shape.format(xs));
        }
        if (!(eps > 0)) throw new IllegalArgumentException(op + ": eps must be > 0, was " + eps);
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        return dims;
    }
}
