package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.kernel.BatchedGemm;
import dev.descent.core.kernel.Vectors;
import java.util.Arrays;

/**
 * Attention's per-head products ({@code [..., m, k] @ [..., k, n]} with the same batch dims on both sides, float32)
 * through {@link BatchedGemm}: strided operands read in place, nothing packed, the result written in a chosen layout.
 * The values are {@link Tensor#matmul}'s bit for bit (BatchedGemm sums as Gemm does). No autograd: the callers run
 * inside an op's forward or backward.
 */
final class HeadProducts {
    private HeadProducts() {}

    /**
     * Whether {@link #matmul} serves these operands: vector kernels on, all float32, one rank of at least 3, the same
     * batch dims (no broadcasting).
     */
    static boolean applies(Tensor... ts) {
        if (!Vectors.ENABLED) return false;
        int rank = ts[0].dim();
        if (rank < 3) return false;
        int[] batch = Arrays.copyOf(ts[0].shape(), rank - 2);
        for (Tensor t : ts) {
            if (t.dtype() != DType.FLOAT32 || t.dim() != rank || !Arrays.equals(batch, Arrays.copyOf(t.shape(), rank - 2))) return false;
        }
        return true;
    }

    /**
     * a·b per batch entry (the operands as {@link #applies} requires; any strides), into a new tensor whose dims lie in
     * memory in the order of {@code like}'s (outermost = largest stride, the last dim innermost), or row-major when
     * like is null or its last dim is not its innermost: a gradient laid out as its input is, so that the views the
     * input came from (a head split {@code [B, L, H, d] → [B, H, L, d]}) undo without a copy.
     */
    static Tensor matmul(Tensor a, Tensor b, Tensor like) {
        return matmul(a, b, like, BatchedGemm.FULL);
    }

    /**
     * {@link #matmul(Tensor, Tensor, Tensor)} with a causal structure ({@link BatchedGemm#LOWER},
     * {@link BatchedGemm#DEPTH_TO_ROW}, {@link BatchedGemm#DEPTH_FROM_ROW}: the terms it skips must be zeros).
     */
    static Tensor matmul(Tensor a, Tensor b, Tensor like, int structure) {
        int rank = a.dim();
        int[] as = a.shape(), bs = b.shape();
        int m = as[rank - 2], k = as[rank - 1], n = bs[rank - 1];
        if (bs[rank - 2] != k) throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs) + " cannot be multiplied");
        int[] shape = as.clone();
        shape[rank - 1] = n;
        Tensor out = empty(shape, like);
        int[] ast = a.strides(), bst = b.strides(), cst = out.strides();
        int count = 1;
        for (int d = 0; d < rank - 2; d++) count *= shape[d];
        int[] aOff = offsets(shape, ast, a.storageOffset(), count), bOff = offsets(shape, bst, b.storageOffset(), count),
                cOff = offsets(shape, cst, out.storageOffset(), count);
        BatchedGemm.sgemm(count, m, n, k, a.storage().floats(), aOff, ast[rank - 2], ast[rank - 1], b.storage().floats(), bOff, bst[rank - 2],
                bst[rank - 1], out.storage().floats(), cOff, cst[rank - 2], structure, true);
        return out;
    }

    /** A new float32 tensor of the given shape laid out in like's dim order (see {@link #matmul}). */
    private static Tensor empty(int[] shape, Tensor like) {
        int rank = shape.length;
        if (like == null || like.stride(-1) != 1) return Tensor.empty(DType.FLOAT32, shape);
        int[] st = like.strides();
        Integer[] order = new Integer[rank];
        for (int d = 0; d < rank; d++) order[d] = d;
        // Largest stride outermost (a stable sort: ties keep their order; size-1 dims, whose stride means nothing, first);
        // the last dim stays innermost.
        int[] key = new int[rank];
        for (int d = 0; d < rank; d++) key[d] = like.size(d) == 1 ? Integer.MAX_VALUE : st[d];
        Arrays.sort(order, 0, rank - 1, (x, y) -> Integer.compare(key[y], key[x]));
        boolean identity = true;
        for (int d = 0; d < rank; d++) identity &= order[d] == d;
        if (identity) return Tensor.empty(DType.FLOAT32, shape);
        int[] ps = new int[rank], inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            ps[i] = shape[order[i]];
            inverse[order[i]] = i;
        }
        return Tensor.empty(DType.FLOAT32, ps).permute(inverse);
    }

    /** The storage offset of each batch entry (row-major over the batch dims of shape) for a tensor of strides st. */
    private static int[] offsets(int[] shape, int[] st, int base, int count) {
        int batchRank = shape.length - 2;
        int[] offs = new int[count], idx = new int[batchRank];
        int off = base;
        for (int t = 0; t < count; t++) {
            offs[t] = off;
            for (int d = batchRank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    off += st[d];
                    break;
                }
                off -= st[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        return offs;
    }
}
