package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * Sorting along a dimension: a stable merge sort of each slice finds the int64 positions, and the values are
 * {@link Tensor#gather}-ed at them, so their gradient is gather's (scattered back to the positions, zero for
 * elements {@link #topk} leaves out). NaN sorts above every number, as in PyTorch; −0.0 equals 0.0.
 */
public final class Sorting {
    private Sorting() {}

    /**
     * Sorted values and their positions along {@code dim}; equal values keep their order (stable, in both
     * directions). The values' gradient flows back to the positions they came from.
     *
     * @param x the tensor to sort (any dtype)
     * @param dim the dimension sorted along (negative counts from the end)
     * @param descending largest first when true
     * @return values (x's dtype and shape) and int64 indices (x's shape)
     * @see Tensor#sort
     */
    public static Tensor.Sorted sort(Tensor x, int dim, boolean descending) {
        Tensor idx = argsort(x, dim, descending);
        return new Tensor.Sorted(x.dim() == 0 ? x.clone() : x.gather(Shape.normalizeDim("sort", dim, x.dim()), idx), idx);
    }

    /**
     * The int64 positions that sort x along {@code dim} (stable): {@code x.gather(dim, argsort(x))} is sorted. No
     * gradient.
     *
     * @param x the tensor to sort (any dtype)
     * @param dim the dimension sorted along (negative counts from the end)
     * @param descending largest first when true
     * @return an int64 tensor of x's shape
     * @see Tensor#argsort
     */
    public static Tensor argsort(Tensor x, int dim, boolean descending) {
        int d = Shape.normalizeDim("argsort", dim, x.dim());
        if (x.dim() == 0) return Tensor.zeros(DType.INT64);
        return positions(x, d, descending, x.size(d));
    }

    /**
     * The {@code k} largest (or smallest) elements along {@code dim} and their positions. Whether or not
     * {@code sorted} is asked, the result comes in sorted order (largest first for {@code largest}), equal values
     * in their original order; PyTorch leaves the order unspecified when not sorted. The values' gradient
     * flows back to their positions; the elements left out get zero.
     *
     * @param x the tensor, rank ≥ 1 (any dtype)
     * @param k how many to keep, in {@code [0, x.size(dim)]}
     * @param dim the dimension searched (negative counts from the end)
     * @param largest the k largest when true, else the k smallest
     * @param sorted accepted for PyTorch's signature; the result is always sorted
     * @return values (x's dtype) and int64 indices, x's shape with {@code dim} of size k
     * @throws IllegalArgumentException when k is outside {@code [0, x.size(dim)]} or x is 0-d
     * @see Tensor#topk
     */
    public static Tensor.Sorted topk(Tensor x, int k, int dim, boolean largest, boolean sorted) {
        if (x.dim() == 0) throw new IllegalArgumentException("topk: needs a tensor of rank >= 1, got a 0-d tensor");
        int d = Shape.normalizeDim("topk", dim, x.dim());
        if (k < 0 || k > x.size(d)) {
            throw new IllegalArgumentException("topk: k = " + k + " is outside [0, " + x.size(d) + "] for dim " + d + " of shape " + Shape.format(x.shape()));
        }
        Tensor idx = positions(x, d, largest, k);
        return new Tensor.Sorted(x.gather(d, idx), idx);
    }

    /** The first {@code keep} positions of each stably sorted slice along d, as int64 of x's shape with d of size keep. */
    private static Tensor positions(Tensor x, int d, boolean descending, int keep) {
        Tensor rows = x.detach().transpose(d, -1).to(DType.FLOAT64).contiguous(); // each slice is a row
        int n = x.size(d), count = n == 0 ? 0 : rows.numel() / n;
        double[] v = rows.storage().doubles();
        int base = rows.storageOffset();
        int[] outShape = rows.shape();
        outShape[outShape.length - 1] = keep;
        long[] out = new long[count * keep];
        int[] perm = new int[n], tmp = new int[n];
        for (int r = 0; r < count; r++) {
            int off = base + r * n;
            for (int i = 0; i < n; i++) perm[i] = i;
            mergeSort(perm, tmp, 0, n, v, off, descending);
            for (int i = 0; i < keep; i++) out[r * keep + i] = perm[i];
        }
        return Tensor.of(out, outShape).transpose(d, -1).contiguous();
    }

    /** Stable merge sort of perm[lo, hi) by the keys v[off + perm[i]]. */
    private static void mergeSort(int[] perm, int[] tmp, int lo, int hi, double[] v, int off, boolean descending) {
        if (hi - lo < 2) return;
        if (hi - lo <= 16) { // insertion sort: stable, and quick on short runs
            for (int i = lo + 1; i < hi; i++) {
                int p = perm[i], j = i - 1;
                while (j >= lo && compare(v[off + perm[j]], v[off + p], descending) > 0) {
                    perm[j + 1] = perm[j];
                    j--;
                }
                perm[j + 1] = p;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(perm, tmp, lo, mid, v, off, descending);
        mergeSort(perm, tmp, mid, hi, v, off, descending);
        int i = lo, j = mid, o = lo;
        while (i < mid && j < hi) tmp[o++] = compare(v[off + perm[j]], v[off + perm[i]], descending) < 0 ? perm[j++] : perm[i++];
        while (i < mid) tmp[o++] = perm[i++];
        while (j < hi) tmp[o++] = perm[j++];
        System.arraycopy(tmp, lo, perm, lo, hi - lo);
    }

    /** Order of a before b: NaN above every number, −0.0 equal to 0.0; reversed when descending. */
    private static int compare(double a, double b, boolean descending) {
        boolean na = Double.isNaN(a), nb = Double.isNaN(b);
        int c = na || nb ? Boolean.compare(na, nb) : (a < b ? -1 : a > b ? 1 : 0);
        return descending ? -c : c;
    }
}
