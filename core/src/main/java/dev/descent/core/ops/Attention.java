package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.kernel.BatchedGemm;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.kernel.VectorMath;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Scaled dot-product attention as one op with its own backward: softmax(q·kᵀ/√E + mask)·v, the softmax and masking in
 * one pass over each row of scores. In float32 with q, k and v of the same batch dims, the per-head products run on
 * {@link BatchedGemm} (nothing packed; a causal product skips the scores past the diagonal and the terms whose
 * probability is 0) with {@link Tensor#matmul}'s bits, and the output and input gradients are laid out as q, k and v
 * are; otherwise on the GEMM paths of {@link Tensor#matmul}. A causal query therefore ignores the values and keys after
 * it even when they are infinite or NaN (the full product would give 0·∞ = NaN there).
 */
public final class Attention {
    private Attention() {}

    /** Whether float32 per-head products go through {@link HeadProducts} (tests turn it off to compare the two paths bit for bit). */
    static boolean batchedProducts = true;

    /**
     * {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double, RandomGenerator)} without
     * dropout.
     *
     * @param q queries {@code (..., L, E)}
     * @param k keys {@code (..., S, E)}
     * @param v values {@code (..., S, Ev)}
     * @param mask null, a bool mask (true: may attend) or a float additive mask, broadcastable to {@code (..., L, S)}
     * @param causal whether query i may only attend keys j ≤ i
     * @return the attended values {@code (..., L, Ev)}
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        return scaledDotProductAttention(q, k, v, mask, causal, 0, null);
    }

    /**
     * Attention of queries q over keys k and values v (PyTorch's {@code scaled_dot_product_attention}):
     * <pre>
     *   S = q·kᵀ / √E  (+ mask when it is a float tensor)
     *   S[i, j] = −∞ where a bool mask is false, and where j &gt; i when causal
     *   P = softmax(S) along the keys;  P' = P·m/(1 − p), m[i, j] = (u ≥ p), u drawn from rng  (dropout)
     *   out = P'·v
     * </pre>
     * The leading (batch, head) dims of q, k, v and the mask broadcast. The causal rule is PyTorch's top-left
     * alignment ({@code tril} of an L×S matrix of ones); unlike PyTorch, it may be combined with a mask (both apply).
     *
     * <p><b>Fully masked rows.</b> A query row whose every key is masked (all false, or all −∞) gives an output
     * row of zeros and zero gradients, not PyTorch's NaN: such rows appear in padded batches, and a NaN there
     * would poison the whole loss.
     *
     * <p><b>Backward</b>, with the probabilities saved by the forward (one L×S matrix per batch entry and head:
     * memory O(L·S) per head, nothing of size O(L·S·E)): dv = P'ᵀ·g; dP' = g·vᵀ; dP = dP'·m/(1 − p);
     * dS = P ⊙ (dP − rowsum(dP ⊙ P)); dq = dS·k/√E; dk = dSᵀ·q/√E; a float mask gets dS. Each is summed back over
     * broadcast dims. The saved probabilities are constants of the backward, so gradients of gradients
     * ({@code createGraph}) through this op are not available and throw.
     *
     * @param q queries {@code (..., L, E)}, floating point
     * @param k keys {@code (..., S, E)}
     * @param v values {@code (..., S, Ev)}
     * @param mask null; a BOOL mask where true means "may attend"; or a float mask added to the scores; either
     *        broadcastable to {@code (..., L, S)}
     * @param causal whether query i may only attend keys j ≤ i
     * @param dropoutP the probability of dropping an attention weight, in [0, 1]; 0 draws nothing
     * @param rng the source of the dropout mask (row-major over the broadcast {@code (..., L, S)}); may be null when
     *        dropoutP is 0
     * @return the attended values, of shape {@code broadcast(...) + (L, Ev)} and the promoted float dtype
     * @throws IllegalArgumentException when a rank is below 2, E or S disagree, the batch dims or the mask do not
     *         broadcast, dropoutP is outside [0, 1], or rng is null with dropoutP &gt; 0
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double dropoutP,
                                                   RandomGenerator rng) {
        if (HalfCompute.any(q, k, v, mask)) {
            return HalfCompute.round(scaledDotProductAttention(HalfCompute.widen(q), HalfCompute.widen(k), HalfCompute.widen(v), HalfCompute.widen(mask), causal,
                    dropoutP, rng), HalfCompute.storeAs(q, k, v));
        }
        check(q, k, v, mask, dropoutP, rng);
        DType dt = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        if (!dt.isFloatingPoint()) dt = DType.FLOAT32;
        Tensor qc = q.to(dt), kc = k.to(dt), vc = v.to(dt);
        Tensor fmask = mask != null && mask.dtype() != DType.BOOL ? mask.to(dt) : null;
        int e = q.size(-1);
        double scale = 1 / Math.sqrt(e);
        Tensor probs, dropped, keep = null;
        // Per-head products without Gemm's packing when q, k, v are float32 with the same batch dims (the same bits).
        boolean heads = batchedProducts && HeadProducts.applies(qc, kc, vc) && (mask == null || !widensScores(qc, kc, mask));
        try (var _ = GradMode.noGrad(); var _ = ForwardAD.suspended()) {
            // a fresh tensor: rows are rewritten in place below
            // (causal: the scores past the diagonal are not computed; the softmax sets them to 0)
            Tensor scores = heads ? HeadProducts.matmul(qc, kc.transpose(-1, -2), null, causal ? BatchedGemm.LOWER : BatchedGemm.FULL)
                    : qc.detach().matmul(kc.detach().transpose(-1, -2));
            int[] full = scores.shape();
            if (mask != null) full = Shape.broadcast("scaledDotProductAttention (mask)", full, mask.shape());
            if (!Arrays.equals(full, scores.shape())) scores = scores.expand(full).contiguous();
            softmaxRows(scores, mask, causal, scale);
            probs = scores;
            dropped = probs;
            if (dropoutP > 0) {
                keep = dropMask(probs, dropoutP, rng);
                dropped = probs.mul(keep);
            }
        }
        Tensor out;
        try (var _ = GradMode.noGrad(); var _ = ForwardAD.suspended()) {
            // laid out as q is: a head split's [B, L, H, d] → [B, H, L, d] view then undoes without a copy
            // (causal: query i sums values p ≤ i, the others have probability 0)
            out = heads ? HeadProducts.matmul(dropped, vc, qc, causal ? BatchedGemm.DEPTH_TO_ROW : BatchedGemm.FULL) : dropped.matmul(vc.detach());
        }
        Tensor p = probs, pd = dropped, m = keep;
        int[] qs = qc.shape(), ks = kc.shape(), vs = vc.shape(), ps = probs.shape();
        return Autograd.record("scaledDotProductAttention", out, g -> {
            if (GradMode.isEnabled() || carriesTangent(g, qc, kc, vc, fmask)) {
                throw new UnsupportedOperationException("scaledDotProductAttention: gradients of gradients (createGraph, or a backward pass"
                        + " through dual tensors: forward over reverse) are not supported; its backward treats the saved attention"
                        + " probabilities as constants");
            }
            // each gradient laid out as its input (see HeadProducts.matmul); causal: the terms and scores past the diagonal,
            // whose probabilities are 0, are skipped (the sums keep their bits)
            boolean hg = heads && HeadProducts.applies(g, qc);
            int lower = causal ? BatchedGemm.LOWER : BatchedGemm.FULL, toRow = causal ? BatchedGemm.DEPTH_TO_ROW : BatchedGemm.FULL,
                    fromRow = causal ? BatchedGemm.DEPTH_FROM_ROW : BatchedGemm.FULL;
            Tensor dv = !vc.requiresGrad() ? null
                    : hg ? HeadProducts.matmul(pd.transpose(-1, -2), g, vc, fromRow) : Views.sumToShape(pd.transpose(-1, -2).matmul(g), vs);
            Tensor dq = null, dk = null, dmask = null;
            if (qc.requiresGrad() || kc.requiresGrad() || (fmask != null && fmask.requiresGrad())) {
                Tensor dp = hg ? HeadProducts.matmul(g, vc.transpose(-1, -2), null, lower) : Views.sumToShape(g.matmul(vc.detach().transpose(-1, -2)), ps);
                Tensor ds = scoreGradient(p, dp, m, scale); // dS/√E: the scale of dq and dk folded in
                if (qc.requiresGrad()) dq = hg ? HeadProducts.matmul(ds, kc, qc, toRow) : Views.sumToShape(ds.matmul(kc.detach()), qs);
                if (kc.requiresGrad()) dk = hg ? HeadProducts.matmul(ds.transpose(-1, -2), qc, kc, fromRow) : Views.sumToShape(ds.transpose(-1, -2).matmul(qc.detach()), ks);
                if (fmask != null && fmask.requiresGrad()) dmask = Views.sumToShape(ds.div(scale), fmask.shape());
            }
            return new Tensor[] {dq, dk, dv, dmask};
        }, t -> {
            // dS = (dq·kᵀ + q·dkᵀ)·scale + dmask; dP = P ⊙ (dS − rowsum(P ⊙ dS)), times the dropout factors;
            // dOut = dP·v + P'·dv. Masked scores have P = 0, so they pass no tangent on.
            Tensor ds = Tangents.sum(ps, t[0] == null ? null : t[0].matmul(kc.transpose(-1, -2)).mul(scale),
                    t[1] == null ? null : qc.matmul(t[1].transpose(-1, -2)).mul(scale), t[3]);
            Tensor dp = null;
            if (ds != null) {
                Tensor pds = p.mul(ds);
                dp = pds.sub(p.mul(pds.sum(-1, true)));
                if (m != null) dp = dp.mul(m);
            }
            return Tangents.sum(out.shape(), dp == null ? null : dp.matmul(vc), t[2] == null ? null : pd.matmul(t[2]));
        }, qc, kc, vc, fmask);
    }

    /** Whether the mask has batch dims the scores q·kᵀ lack (the scores are then expanded to its shape). */
    private static boolean widensScores(Tensor q, Tensor k, Tensor mask) {
        int[] scores = q.shape().clone();
        scores[scores.length - 1] = k.size(-2);
        return !Arrays.equals(scores, Shape.broadcast("scaledDotProductAttention (mask)", scores, mask.shape()));
    }

    /** Whether forward mode is on and one of the tensors carries a tangent. */
    private static boolean carriesTangent(Tensor... ts) {
        if (!ForwardAD.isEnabled()) return false;
        for (Tensor t : ts) if (t != null && t.tangent() != null) return true;
        return false;
    }

    /**
     * Turns each row of {@code scores} (contiguous, {@code (..., L, S)}) into attention probabilities in place: scale,
     * add or apply the mask and the causal rule, softmax; a row with no key left becomes zeros.
     */
    /**
     * softmaxRows in float32 without a mask (a causal row i keeps keys j ≤ i), one {@link #softmaxRowF} per row; the
     * same bits at every thread count.
     */
    private static void softmaxRowsF(float[] fs, int base, int rows, int len, int s, boolean causal, float scale) {
        Parallel.forRange(rows, Math.max(1, 16_384 / Math.max(1, s)), (from, to) -> {
            int lanes = Vectors.FL;
            float[] row = new float[(s + lanes - 1) / lanes * lanes], sums = new float[lanes];
            for (int r = from; r < to; r++) {
                int i = r % len;
                softmaxRowF(fs, base + r * s, row, causal ? Math.min(i + 1, s) : s, s, scale, sums, Vectors.ENABLED);
            }
        });
    }

    /**
     * One row of s scores at fs[at…], of which the first n are kept: x·scale, minus their max, exp by
     * {@link VectorMath#expRow} (vector and scalar twin agree bit for bit), divided by their sum; the other s − n
     * become 0, as does a row whose n scores are all −∞. The sum is kept per vector lane in float (element j in lane
     * j mod L), the lanes then added in double in lane order; {@code vector=false} runs the scalar twin, which keeps the
     * same lanes in {@code sums} and so gives the same bits. A −∞ score among others contributes e^{−104} ≈ 0, not
     * exactly 0.
     *
     * @param row scratch of at least s rounded up to whole vectors
     * @param sums scratch of one float per lane
     */
    static void softmaxRowF(float[] fs, int at, float[] row, int n, int s, float scale, float[] sums, boolean vector) {
        if (vector) softmaxRowVector(fs, at, row, n, s, scale, sums);
        else softmaxRowScalar(fs, at, row, n, s, scale, sums);
    }

    /**
     * {@link #softmaxRowF}'s vector loop: a short row's last vector (a causal row averages half a vector of them) is
     * read, summed and written under a mask instead of element by element; its lanes past n go through the exp as −1,
     * not −∞ (whose exp, e^{−104}, is subnormal: slow arithmetic), and add nothing to the sum.
     */
    private static void softmaxRowVector(float[] fs, int at, float[] row, int n, int s, float scale, float[] sums) {
        var S = Vectors.F;
        int L = S.length(), whole = S.loopBound(n);
        boolean tail = whole < n;
        VectorMask<Float> last = S.indexInRange(whole, n), past = last.not();
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), xt = mv;
        for (int i = 0; i < whole; i += L) {
            FloatVector x = FloatVector.fromArray(S, fs, at + i).mul(scale);
            x.intoArray(row, i);
            mv = mv.max(x);
        }
        if (tail) {
            xt = FloatVector.fromArray(S, fs, at + whole, last).mul(scale).blend(Float.NEGATIVE_INFINITY, past);
            mv = mv.max(xt);
        }
        float max = mv.reduceLanes(VectorOperators.MAX); // max is exact in any order
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(fs, at, at + s, 0f);
            return;
        }
        for (int i = 0; i < whole; i += L) FloatVector.fromArray(S, row, i).sub(max).intoArray(row, i);
        if (tail) xt.sub(max).blend(-1f, past).intoArray(row, whole);
        VectorMath.expRow(row, 0, row, 0, tail ? whole + L : whole, true);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < whole; j += L) acc = acc.add(FloatVector.fromArray(S, row, j));
        if (tail) acc = acc.add(FloatVector.fromArray(S, row, whole).blend(0f, past));
        acc.intoArray(sums, 0);
        double sum = 0;
        for (int k = 0; k < L; k++) sum += sums[k];
        float inv = (float) (1 / sum);
        for (int i = 0; i < whole; i += L) FloatVector.fromArray(S, row, i).mul(inv).intoArray(fs, at + i);
        if (tail) FloatVector.fromArray(S, row, whole).mul(inv).intoArray(fs, at + whole, last);
        for (int i = n; i < s; i++) fs[at + i] = 0f;
    }

    /** {@link #softmaxRowF}'s scalar twin: the vector loop's operations element by element, the sum in the same lanes. */
    private static void softmaxRowScalar(float[] fs, int at, float[] row, int n, int s, float scale, float[] sums) {
        int L = Vectors.F.length();
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = fs[at + i] * scale;
            row[i] = x;
            max = Math.max(max, x);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(fs, at, at + s, 0f);
            return;
        }
        for (int i = 0; i < n; i++) row[i] -= max;
        VectorMath.expRow(row, 0, row, 0, n, false);
        Arrays.fill(sums, 0, L, 0f);
        for (int j = 0; j < n; j++) sums[j % L] += row[j];
        double sum = 0;
        for (int k = 0; k < L; k++) sum += sums[k];
        float inv = (float) (1 / sum);
        for (int i = 0; i < n; i++) fs[at + i] = row[i] * inv;
        for (int i = n; i < s; i++) fs[at + i] = 0f;
    }

    private static void softmaxRows(Tensor scores, Tensor mask, boolean causal, double scale) {
        int[] shape = scores.shape();
        int rank = shape.length, len = shape[rank - 2], s = shape[rank - 1], rows = s == 0 ? 0 : scores.numel() / s;
        Tensor me = mask == null ? null : mask.expand(shape); // a view: broadcast dims have stride 0
        int[] mst = me == null ? new int[rank] : me.strides();
        int mOff = me == null ? 0 : me.storageOffset();
        boolean[] mb = me != null && me.dtype() == DType.BOOL ? me.storage().bools() : null;
        Tensor mf = me != null && mb == null ? me : null;
        boolean f32 = scores.dtype() == DType.FLOAT32;
        float[] fs = f32 ? scores.storage().floats() : null;
        double[] ds = f32 ? null : scores.storage().doubles();
        int base = scores.storageOffset();
        if (f32 && me == null) {
            softmaxRowsF(fs, base, rows, len, s, causal, (float) scale);
            return;
        }
        // Rows are independent: each chunk of rows finds its mask offsets from the row number alone.
        Parallel.forRange(rows, Math.max(1, 16_384 / Math.max(1, s)), (from, to) -> {
            double[] row = new double[s];
            boolean[] open = new boolean[s];
            for (int r = from; r < to; r++) {
                int i = r % len, at = base + r * s, mAt = mOff + i * mst[rank - 2];
                for (int d = rank - 3, rest = r / len; d >= 0; d--) {
                    mAt += (rest % shape[d]) * mst[d];
                    rest /= shape[d];
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double x = (f32 ? fs[at + j] : ds[at + j]) * scale;
                    boolean allowed = !causal || j <= i;
                    int mp = mAt + j * mst[rank - 1];
                    if (mb != null) allowed &= mb[mp];
                    else if (mf != null) x += mf.storage().getDouble(mp);
                    allowed &= x != Double.NEGATIVE_INFINITY;
                    open[j] = allowed;
                    row[j] = x;
                    if (allowed && x > max) max = x;
                }
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    row[j] = open[j] ? Math.exp(row[j] - max) : 0;
                    sum += row[j];
                }
                double inv = sum > 0 ? 1 / sum : 0; // no key left: a row of zeros
                for (int j = 0; j < s; j++) {
                    if (f32) fs[at + j] = (float) (row[j] * inv);
                    else ds[at + j] = row[j] * inv;
                }
            }
        });
    }

    /**
     * {@code c·P ⊙ (dP·m − rowsum(dP·m ⊙ P))} row by row in one pass: the softmax backward through the dropout
     * factors m (none when null), times c. Each row by {@link #scoreGradRowF} or {@link #scoreGradRowD}.
     */
    private static Tensor scoreGradient(Tensor probs, Tensor dProbs, Tensor keep, double c) {
        int[] shape = probs.shape();
        int s = shape[shape.length - 1], rows = s == 0 ? 0 : probs.numel() / s;
        Tensor p = probs.contiguous(), dp = dProbs.to(p.dtype()).contiguous(), m = keep == null ? null : keep.contiguous();
        Tensor out = Tensor.empty(p.dtype(), shape); // every element written below
        int po = p.storageOffset(), dpo = dp.storageOffset(), mo = m == null ? 0 : m.storageOffset();
        boolean vector = Vectors.ENABLED;
        if (p.dtype() == DType.FLOAT32) {
            float[] pa = p.storage().floats(), da = dp.storage().floats(), ma = m == null ? null : m.storage().floats(), oa = out.storage().floats();
            float cf = (float) c;
            Parallel.forRange(rows, Math.max(1, 16_384 / Math.max(1, s)), (from, to) -> {
                float[] sums = new float[Vectors.FL];
                for (int r = from; r < to; r++) {
                    int at = r * s;
                    scoreGradRowF(pa, po + at, da, dpo + at, ma, mo + at, oa, at, s, cf, sums, vector);
                }
            });
        } else {
            double[] pa = p.storage().doubles(), da = dp.storage().doubles(), ma = m == null ? null : m.storage().doubles(), oa = out.storage().doubles();
            Parallel.forRange(rows, Math.max(1, 16_384 / Math.max(1, s)), (from, to) -> {
                double[] sums = new double[Vectors.DL];
                for (int r = from; r < to; r++) {
                    int at = r * s;
                    scoreGradRowD(pa, po + at, da, dpo + at, ma, mo + at, oa, at, s, c, sums, vector);
                }
            });
        }
        return out;
    }

    /**
     * One row of s scores' gradient in float32: {@code o = c·p ⊙ (d·m − dot)}, {@code dot = Σ d·m·p} (m = 1 when ma is
     * null). The dot is kept per vector lane in float (fused multiply-adds), the lanes then added in double in lane
     * order, then the tail; {@code vector=false} runs the scalar twin, which keeps the same lanes in {@code sums} and
     * the same operations, and so gives the same bits.
     *
     * @param sums scratch of one float per lane
     */
    static void scoreGradRowF(float[] p, int po, float[] d, int dOff, float[] ma, int mo, float[] o, int oo, int s, float c, float[] sums,
                              boolean vector) {
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(s);
        if (vector) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < upper; j += L) {
                FloatVector dm = FloatVector.fromArray(S, d, dOff + j);
                if (ma != null) dm = dm.mul(FloatVector.fromArray(S, ma, mo + j));
                acc = dm.fma(FloatVector.fromArray(S, p, po + j), acc);
            }
            acc.intoArray(sums, 0);
        } else {
            Arrays.fill(sums, 0, L, 0f);
            for (int j = 0; j < upper; j++) {
                float dm = ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j];
                sums[j % L] = Math.fma(dm, p[po + j], sums[j % L]);
            }
        }
        double dotD = 0;
        for (int k = 0; k < L; k++) dotD += sums[k];
        for (int j = upper; j < s; j++) dotD += (double) (ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j]) * p[po + j];
        float dot = (float) dotD;
        int j = 0;
        if (vector) {
            for (; j < upper; j += L) {
                FloatVector dm = FloatVector.fromArray(S, d, dOff + j);
                if (ma != null) dm = dm.mul(FloatVector.fromArray(S, ma, mo + j));
                FloatVector.fromArray(S, p, po + j).mul(c).mul(dm.sub(dot)).intoArray(o, oo + j);
            }
        }
        for (; j < s; j++) {
            float dm = ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j];
            o[oo + j] = p[po + j] * c * (dm - dot);
        }
    }

    /**
     * {@link #scoreGradRowF} in float64: the dot per vector lane, the lanes added in lane order, then the tail;
     * {@code vector=false} runs the scalar twin (same bits).
     *
     * @param sums scratch of one double per lane
     */
    static void scoreGradRowD(double[] p, int po, double[] d, int dOff, double[] ma, int mo, double[] o, int oo, int s, double c, double[] sums,
                              boolean vector) {
        var S = Vectors.D;
        int L = S.length(), upper = S.loopBound(s);
        if (vector) {
            DoubleVector acc = DoubleVector.zero(S);
            for (int j = 0; j < upper; j += L) {
                DoubleVector dm = DoubleVector.fromArray(S, d, dOff + j);
                if (ma != null) dm = dm.mul(DoubleVector.fromArray(S, ma, mo + j));
                acc = dm.fma(DoubleVector.fromArray(S, p, po + j), acc);
            }
            acc.intoArray(sums, 0);
        } else {
            Arrays.fill(sums, 0, L, 0d);
            for (int j = 0; j < upper; j++) {
                double dm = ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j];
                sums[j % L] = Math.fma(dm, p[po + j], sums[j % L]);
            }
        }
        double dot = 0;
        for (int k = 0; k < L; k++) dot += sums[k];
        for (int j = upper; j < s; j++) dot = Math.fma(ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j], p[po + j], dot);
        int j = 0;
        if (vector) {
            for (; j < upper; j += L) {
                DoubleVector dm = DoubleVector.fromArray(S, d, dOff + j);
                if (ma != null) dm = dm.mul(DoubleVector.fromArray(S, ma, mo + j));
                DoubleVector.fromArray(S, p, po + j).mul(c).mul(dm.sub(dot)).intoArray(o, oo + j);
            }
        }
        for (; j < s; j++) {
            double dm = ma == null ? d[dOff + j] : d[dOff + j] * ma[mo + j];
            o[oo + j] = p[po + j] * c * (dm - dot);
        }
    }

    /** The dropout factors m/(1 − p) for every probability, drawn row-major from rng. */
    private static Tensor dropMask(Tensor probs, double p, RandomGenerator rng) {
        Tensor keep = Tensor.empty(probs.dtype(), probs.shape());
        double factor = p >= 1 ? 0 : 1 / (1 - p);
        for (int i = 0; i < keep.numel(); i++) keep.storage().setDouble(keep.storageOffset() + i, rng.nextDouble() >= p ? factor : 0);
        return keep;
    }

    private static void check(Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, RandomGenerator rng) {
        String op = "scaledDotProductAttention";
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2) {
            throw new IllegalArgumentException(op + ": q, k and v need rank >= 2 ((..., L, E), (..., S, E), (..., S, Ev)), got "
                    + Shape.format(q.shape()) + ", " + Shape.format(k.shape()) + ", " + Shape.format(v.shape()));
        }
        if (q.size(-1) != k.size(-1)) {
            throw new IllegalArgumentException(op + ": q " + Shape.format(q.shape()) + " and k " + Shape.format(k.shape())
                    + " must have the same last dim E (" + q.size(-1) + " vs " + k.size(-1) + ")");
        }
        if (k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException(op + ": k " + Shape.format(k.shape()) + " and v " + Shape.format(v.shape())
                    + " must have the same number of keys S at dim -2 (" + k.size(-2) + " vs " + v.size(-2) + ")");
        }
        int[] qb = Arrays.copyOf(q.shape(), q.dim() - 2), kb = Arrays.copyOf(k.shape(), k.dim() - 2), vb = Arrays.copyOf(v.shape(), v.dim() - 2);
        Shape.broadcast(op + " (batch dims of q, k and v)", Shape.broadcast(op + " (batch dims of q and k)", qb, kb), vb);
        if (mask != null) {
            int[] scores = Arrays.copyOf(Shape.broadcast(op, qb, kb), Math.max(qb.length, kb.length) + 2);
            scores[scores.length - 2] = q.size(-2);
            scores[scores.length - 1] = k.size(-2);
            int[] ms = mask.shape();
            for (int i = 1; i <= Math.min(2, ms.length); i++) {
                if (ms[ms.length - i] != 1 && ms[ms.length - i] != scores[scores.length - i]) {
                    throw new IllegalArgumentException(op + ": mask " + Shape.format(ms) + " does not broadcast to the scores (..., L, S) = "
                            + Shape.format(scores));
                }
            }
            Shape.broadcast(op + " (mask against the scores)", scores, ms);
            if (mask.dtype() == DType.INT64) throw new IllegalArgumentException(op + ": mask must be BOOL (true: may attend) or floating point, was INT64");
        }
        if (!(dropoutP >= 0 && dropoutP <= 1)) throw new IllegalArgumentException(op + ": dropoutP must be in [0, 1], was " + dropoutP);
        if (dropoutP > 0 && rng == null) throw new IllegalArgumentException(op + ": dropoutP " + dropoutP + " needs a RandomGenerator, got null");
    }
}
