package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Parallel;
import java.util.Arrays;

/**
 * Matrix multiply with {@code torch.matmul} semantics: 1-D·1-D is a dot product, a 1-D operand is
 * treated as a row (left) or column (right) vector and that dim is removed from the result, and
 * operands of rank > 2 are batches of matrices whose batch dims broadcast. One primitive, batched
 * {@code [..., m, k] @ [..., k, n]} over strided operands, does the work; its backward is two more
 * matmuls against transposed views (no copies), summed back over broadcast batch dims.
 */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * {@code a @ b} with {@code torch.matmul} semantics (see the class comment and {@link Tensor#matmul}).
     * Operands are promoted to a common dtype; integer operands are multiplied in float32. Gradients, for
     * C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC, summed back over broadcast batch dimensions.
     *
     * @param a the left operand, rank ≥ 1
     * @param b the right operand, rank ≥ 1
     * @return the product
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (HalfCompute.any(a, b)) return HalfCompute.round(matmul(HalfCompute.widen(a), HalfCompute.widen(b)), HalfCompute.storeAs(a, b));
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least 1 dim, got shapes " + Shape.format(a.shape())
                    + " and " + Shape.format(b.shape()));
        }
        Tensor[] p = Elementwise.promote(a, b);
        Tensor x = p[0], y = p[1];
        if (!x.dtype().isFloatingPoint()) {
            x = x.to(DType.FLOAT32);
            y = y.to(DType.FLOAT32);
        }
        boolean vecLeft = x.dim() == 1, vecRight = y.dim() == 1;
        Tensor l = vecLeft ? x.unsqueeze(0) : x;
        Tensor r = vecRight ? y.unsqueeze(1) : y;
        Tensor out;
        if (l.dim() > 2 && r.dim() == 2) {
            // [..., m, k] @ [k, n] is one [(...·m), k] @ [k, n] product, as torch.matmul folds it: B is packed once and
            // the threads split (...·m) rows rather than many small products, and B's gradient is one product over
            // the folded rows instead of a product per batch entry summed afterwards.
            int[] ls = l.shape();
            int rows = 1;
            for (int i = 0; i < ls.length - 1; i++) rows *= ls[i];
            Tensor flat = batched(l.reshape(rows, ls[ls.length - 1]), r, a, b);
            int[] outShape = ls.clone();
            outShape[ls.length - 1] = r.shape()[1];
            out = flat.reshape(outShape);
        } else {
            out = batched(l, r, a, b);
        }
        if (vecLeft) out = out.squeeze(-2);
        if (vecRight) out = out.squeeze(-1);
        return out;
    }

    /** [..., m, k] @ [..., k, n] with broadcast batch dims; the recorded primitive. */
    static Tensor batched(Tensor l, Tensor r, Tensor origA, Tensor origB) {
        int[] ls = l.shape(), rs = r.shape();
        int m = ls[ls.length - 2], k = ls[ls.length - 1], k2 = rs[rs.length - 2], n = rs[rs.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.format(origA.shape()) + " and " + Shape.format(origB.shape())
                    + " cannot be multiplied (" + k + " vs " + k2 + " in the contracted dim)");
        }
        int[] lb = Arrays.copyOf(ls, ls.length - 2), rb = Arrays.copyOf(rs, rs.length - 2);
        int[] batch = Shape.broadcast("matmul (batch dims)", lb, rb);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(l.dtype(), outShape); // every product writes its block (accumulate = false)
        int batches = Shape.numel(batch);
        int[] lOff = batchOffsets(l, batch), rOff = batchOffsets(r, batch);
        int[] lst = l.strides(), rst = r.strides();
        int lrs = lst[ls.length - 2], lcs = lst[ls.length - 1], rrs = rst[rs.length - 2], rcs = rst[rs.length - 1];
        int mn = m * n;
        // Many small products: one per thread at a time. Few large ones: the GEMM splits each itself.
        int grain = (int) Math.max(1, 2_000_000L / Math.max(1L, 2L * m * n * k));
        if (l.dtype() == DType.FLOAT32) {
            float[] A = l.storage().floats(), B = r.storage().floats(), C = out.storage().floats();
            Parallel.forRange(batches, grain, (from, to) -> {
                for (int i = from; i < to; i++) Gemm.sgemm(m, n, k, A, lOff[i], lrs, lcs, B, rOff[i], rrs, rcs, C, i * mn, n, false);
            });
        } else {
            double[] A = l.storage().doubles(), B = r.storage().doubles(), C = out.storage().doubles();
            Parallel.forRange(batches, grain, (from, to) -> {
                for (int i = from; i < to; i++) Gemm.dgemm(m, n, k, A, lOff[i], lrs, lcs, B, rOff[i], rrs, rcs, C, i * mn, n, false);
            });
        }
        return Autograd.record("matmul", out, g -> new Tensor[] {
                l.requiresGrad() ? Views.sumToShape(g.matmul(r.transpose(-1, -2)), ls) : null,
                r.requiresGrad() ? Views.sumToShape(l.transpose(-1, -2).matmul(g), rs) : null},
                t -> Tangents.sum(outShape, t[0] == null ? null : t[0].matmul(r), t[1] == null ? null : l.matmul(t[1])), l, r);
    }

    /** Storage offset of each batch entry of t (batch dims broadcast to {@code batch}). */
    private static int[] batchOffsets(Tensor t, int[] batch) {
        int[] ts = t.shape(), st = t.strides();
        int rank = batch.length, tb = ts.length - 2, lead = rank - tb;
        int[] strides = new int[rank];
        for (int i = 0; i < tb; i++) strides[i + lead] = ts[i] == 1 ? 0 : st[i];
        int count = Shape.numel(batch);
        int[] offs = new int[count];
        int[] idx = new int[rank];
        int off = t.storageOffset();
        for (int b = 0; b < count; b++) {
            offs[b] = off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    off += strides[d];
                    break;
                }
                off -= strides[d] * (batch[d] - 1);
                idx[d] = 0;
            }
        }
        return offs;
    }
}
