package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.ReduceKernels;

/**
 * Reductions over any set of dims, with keepdim: sum, max and min have kernels; mean, var and
 * logsumexp are composed from them; argmax/argmin return int64 indices (no gradient).
 *
 * <p>Max and min send the gradient to every element equal to the extremum, split equally among
 * ties (as {@code torch.amax}): a valid subgradient of a convex max, which the ERM experiment relies on.
 */
public final class Reductions {
    private Reductions() {}

    /**
     * Σ x over {@code dims}; the gradient is broadcast back over the reduced dimensions. int64 and bool inputs
     * are summed in float64. An empty reduced dimension gives 0.
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the sums
     * @see Tensor#sum
     */
    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(sum(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("sum", dims, x.dim());
        Tensor y = reduce("sum", ReduceKernels.Kind.SUM, x, mask, keepdim);
        int[] inShape = x.shape(), kept = keptShape(inShape, mask);
        return Autograd.record("sum", y, g -> new Tensor[] {g.reshape(kept).expand(inShape)}, t -> sum(t[0], dims, keepdim), x);
    }

    /**
     * {@code sum(x, dims) / n}, n the number of elements reduced. Integer and bool tensors give float64 means (their
     * exact int64 sum divided in float64; PyTorch refuses them).
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the means
     * @see Tensor#mean
     */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(mean(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("mean", dims, x.dim());
        Tensor total = sum(x, dims, keepdim);
        if (!x.dtype().isFloatingPoint()) total = total.to(DType.FLOAT64);
        return total.div(count(x.shape(), mask));
    }

    /**
     * The maximum over {@code dims} ({@code torch.amax}); every element equal to its maximum gets an equal
     * share of the gradient.
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the maxima
     * @see Tensor#max
     */
    public static Tensor max(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(max(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        return extremum("max", ReduceKernels.Kind.MAX, x, dims, keepdim);
    }

    /**
     * The minimum over {@code dims} ({@code torch.amin}); every element equal to its minimum gets an equal
     * share of the gradient.
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the minima
     * @see Tensor#min
     */
    public static Tensor min(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(min(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        return extremum("min", ReduceKernels.Kind.MIN, x, dims, keepdim);
    }

    private static Tensor extremum(String op, ReduceKernels.Kind k, Tensor x, int[] dims, boolean keepdim) {
        boolean[] mask = Shape.dimMask(op, dims, x.dim());
        Tensor y = reduce(op, k, x, mask, keepdim);
        int[] inShape = x.shape(), kept = keptShape(inShape, mask);
        int[] all = reducedDims(mask);
        return Autograd.record(op, y, g -> {
            Tensor hit = x.eq(y.reshape(kept)).to(x.dtype());
            Tensor share = g.reshape(kept).div(hit.sum(all, true));
            return new Tensor[] {hit.mul(share)};
        }, t -> {
            Tensor hit = x.eq(y.reshape(kept)).to(x.dtype());
            return hit.mul(t[0]).sum(all, keepdim).div(hit.sum(all, keepdim));
        }, x);
    }

    /**
     * Σ (x − mean)² / (n − correction) over {@code dims}, composed from primitives.
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param correction subtracted from the count n: 0 population, 1 unbiased
     * @param keepdim keep the reduced dimensions with size 1
     * @return the variances
     * @see Tensor#var
     */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(var(x.to(DType.FLOAT32), dims, correction, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("var", dims, x.dim());
        int[] all = reducedDims(mask);
        Tensor centered = x.sub(x.mean(all, true));
        return centered.mul(centered).sum(all, keepdim).div(count(x.shape(), mask) - correction);
    }

    /**
     * log Σ exp(x) over {@code dims}, computed as m + log Σ exp(x − m) with m the (constant) maximum, so 1e4
     * does not overflow; an infinite max is replaced by 0, which avoids inf − inf. No backward of its own: the
     * composed rules give g·softmax(x).
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the log-sum-exps
     * @see Tensor#logsumexp
     */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(logsumexp(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("logsumexp", dims, x.dim());
        int[] all = reducedDims(mask);
        Tensor m = x.detach().max(all, true);
        m = Tensor.where(m.abs().lt(Double.POSITIVE_INFINITY), m, m.scalarLike(0)); // an infinite max would make inf − inf
        Tensor out = x.sub(m).exp().sum(all, true).log().add(m);
        return keepdim ? out : out.reshape(reducedShape(x.shape(), mask, false));
    }

    /**
     * Positions of the maxima along {@code dim}: the first on ties; a NaN counts as the largest. No gradient.
     *
     * @param x the tensor (a 0-d x gives 0)
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return an int64 tensor
     * @see Tensor#argmax
     */
    public static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        if (HalfCompute.any(x)) return argmax(x.detach().to(DType.FLOAT32), dim, keepdim);
        return argExtremum("argmax", x, dim, keepdim, true);
    }

    /**
     * Positions of the minima along {@code dim}: the first on ties; a NaN counts as the smallest. No gradient.
     *
     * @param x the tensor (a 0-d x gives 0)
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return an int64 tensor
     * @see Tensor#argmin
     */
    public static Tensor argmin(Tensor x, int dim, boolean keepdim) {
        if (HalfCompute.any(x)) return argmin(x.detach().to(DType.FLOAT32), dim, keepdim);
        return argExtremum("argmin", x, dim, keepdim, false);
    }

    private static Tensor argExtremum(String op, Tensor x, int dim, boolean keepdim, boolean largest) {
        int d = Shape.normalizeDim(op, dim, x.dim());
        if (x.dim() == 0) return Tensor.of(new long[] {0}).reshape();
        int[] shape = x.shape();
        if (shape[d] == 0) throw new IllegalArgumentException(op + ": cannot reduce an empty dim " + d + " of shape " + Shape.format(shape));
        Tensor c = x.detach().contiguous();
        int outer = 1, inner = 1, r = shape[d];
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        long[] idx = new long[outer * inner];
        var s = c.storage();
        int base = c.storageOffset();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                double bv = s.getDouble(base + o * r * inner + j);
                for (int t = 1; t < r && !Double.isNaN(bv); t++) {
                    double v = s.getDouble(base + (o * r + t) * inner + j);
                    if (Double.isNaN(v) || (largest ? v > bv : v < bv)) {
                        bv = v;
                        best = t;
                    }
                }
                idx[o * inner + j] = best;
            }
        }
        boolean[] mask = new boolean[shape.length];
        mask[d] = true;
        return Tensor.of(idx).reshape(reducedShape(shape, mask, keepdim));
    }

    /**
     * The standard deviation, √{@link #var}: √(Σ (x − mean)² / (n − correction)) over {@code dims}. Composed, so
     * its gradient is var's over 2·std (infinite where all elements of a group are equal, as PyTorch's).
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param correction subtracted from the count n: 0 population, 1 unbiased (Bessel)
     * @param keepdim keep the reduced dimensions with size 1
     * @return the standard deviations
     * @see Tensor#std
     */
    public static Tensor std(Tensor x, int[] dims, int correction, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(std(x.to(DType.FLOAT32), dims, correction, keepdim), x.dtype());
        return var(x, dims, correction, keepdim).sqrt();
    }

    /**
     * Π x over {@code dims} (1 over an empty dim); integer and bool inputs multiply exactly to int64 (wrapping on
     * overflow, as PyTorch), with no gradient. Backward,
     * exact with zeros in the input: in a group with no zero, ∂y/∂xᵢ = y/xᵢ; with exactly one zero, the zero's
     * gradient is the product of the others and every other gradient is 0; with two or more zeros, all are 0.
     *
     * @param x the tensor
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the products
     * @see Tensor#prod
     */
    public static Tensor prod(Tensor x, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(prod(x.to(DType.FLOAT32), dims, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("prod", dims, x.dim());
        if (!x.dtype().isFloatingPoint()) return rawProduct(x.detach().to(DType.INT64), mask, keepdim); // exact int64, no gradient
        Tensor y = rawProduct(x, mask, keepdim);
        Tensor in = x;
        int[] kept = keptShape(x.shape(), mask), all = reducedDims(mask);
        return Autograd.record("prod", y, g -> new Tensor[] {g.reshape(kept).mul(productGradient(in, y.reshape(kept), all))},
                t -> t[0].mul(productGradient(in, y.reshape(kept), all)).sum(all, keepdim), x);
    }

    /**
     * ∂(Π x)/∂x for each element, by the zero count of its group (see {@link #prod}); y the products, kept dims.
     * Written so that its own derivative is right too where a group has at most one zero: there the others' gradient
     * is z·Π'/xⱼ, with z the zero element itself (value 0, derivative 1) and Π' the product of the non-zero
     * elements. With two or more zeros it is the constant 0, as PyTorch's.
     */
    private static Tensor productGradient(Tensor x, Tensor y, int[] all) {
        Tensor isZero = x.eq(0);
        Tensor zeros = isZero.to(x.dtype()).sum(all, true);
        Tensor safe = Tensor.where(isZero, x.scalarLike(1), x);
        Tensor zero = x.scalarLike(0);
        Tensor nonZeroProduct = safe.prod(all, true);
        Tensor theZero = Tensor.where(isZero, x, zero).sum(all, true);
        Tensor oneZero = Tensor.where(isZero, nonZeroProduct, theZero.mul(nonZeroProduct).div(safe));
        return Tensor.where(zeros.eq(0), y.div(safe), Tensor.where(zeros.eq(1), oneZero, zero));
    }

    /** The products over the masked dims (in double for floats, in long for int64) of a contiguous [kept…, reduced…] arrangement of x. */
    private static Tensor rawProduct(Tensor x, boolean[] mask, boolean keepdim) {
        int rank = x.dim();
        int[] order = new int[rank];
        int k = 0, outer = 1, r = 1;
        for (int i = 0; i < rank; i++) if (!mask[i]) { order[k++] = i; outer *= x.size(i); }
        for (int i = 0; i < rank; i++) if (mask[i]) { order[k++] = i; r *= x.size(i); }
        Tensor c = x.detach().permute(order).contiguous();
        Tensor y = Tensor.empty(x.dtype(), reducedShape(x.shape(), mask, keepdim));
        int base = c.storageOffset();
        if (x.dtype() == DType.FLOAT32) { // products in double, rounded once
            float[] a = c.storage().floats(), out = y.storage().floats();
            for (int o = 0; o < outer; o++) {
                double p = 1;
                for (int t = 0, at = base + o * r; t < r; t++) p *= a[at + t];
                out[o] = (float) p;
            }
        } else if (x.dtype() == DType.INT64) { // wraps on overflow, as int64 does in PyTorch
            long[] a = c.storage().longs(), out = y.storage().longs();
            for (int o = 0; o < outer; o++) {
                long p = 1;
                for (int t = 0, at = base + o * r; t < r; t++) p *= a[at + t];
                out[o] = p;
            }
        } else {
            double[] a = c.storage().doubles(), out = y.storage().doubles();
            for (int o = 0; o < outer; o++) {
                double p = 1;
                for (int t = 0, at = base + o * r; t < r; t++) p *= a[at + t];
                out[o] = p;
            }
        }
        return y;
    }

    /**
     * The vector p-norm over {@code dims} for p = 1 (Σ|x|), 2 (√Σx²) and ∞ (max|x|), as
     * {@code torch.linalg.vector_norm}. Subgradients as PyTorch: the 2-norm's gradient g·x/‖x‖ is 0 where
     * ‖x‖ = 0; the 1-norm's is g·sign(x) (0 at 0); the ∞-norm's is shared equally among the elements of largest
     * magnitude, times their sign.
     *
     * @param x a float32 or float64 tensor
     * @param p 1, 2 or {@link Double#POSITIVE_INFINITY}
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the norms
     * @throws IllegalArgumentException when p is not 1, 2 or ∞
     * @see Tensor#norm
     */
    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepdim) {
        if (HalfCompute.any(x)) return HalfCompute.round(norm(x.to(DType.FLOAT32), p, dims, keepdim), x.dtype());
        boolean[] mask = Shape.dimMask("norm", dims, x.dim());
        int[] all = reducedDims(mask);
        if (p == 1) return x.abs().sum(all, keepdim);
        if (p == Double.POSITIVE_INFINITY) return x.abs().max(all, keepdim);
        if (p != 2) throw new IllegalArgumentException("norm: p must be 1, 2 or infinity, was " + p);
        Tensor y = x.detach().square().sum(all, keepdim).sqrt();
        int[] kept = keptShape(x.shape(), mask);
        return Autograd.record("norm", y, g -> {
            Tensor yk = y.reshape(kept);
            Tensor safe = Tensor.where(yk.eq(0), yk.scalarLike(1), yk); // ‖x‖ = 0 means x = 0 there: the gradient is 0
            return new Tensor[] {g.reshape(kept).mul(x).div(safe)};
        }, t -> {
            Tensor safe = Tensor.where(y.eq(0), y.scalarLike(1), y);
            return x.mul(t[0]).sum(all, keepdim).div(safe);
        }, x);
    }

    /**
     * Running sums along {@code dim}: yᵢ = Σ_{j ≤ i} xⱼ (as {@code torch.cumsum}). Gradient: the reversed running
     * sum of g, gᵢ' = Σ_{j ≥ i} gⱼ. Floats keep their dtype; int64 and bool give int64 (no gradient).
     *
     * @param x the tensor
     * @param dim the dimension (negative counts from the end)
     * @return a new tensor of x's shape
     * @see Tensor#cumsum
     */
    public static Tensor cumsum(Tensor x, int dim) {
        if (HalfCompute.any(x)) return HalfCompute.round(cumsum(x.to(DType.FLOAT32), dim), x.dtype());
        int d = Shape.normalizeDim("cumsum", dim, x.dim());
        return scan(x, d, false);
    }

    /** Running sums along d, from the start (or, reversed, from the end); the two are each other's backward. */
    private static Tensor scan(Tensor x, int d, boolean reverse) {
        Tensor src = x.dtype().isFloatingPoint() || x.dtype() == DType.INT64 ? x.detach() : x.detach().to(DType.INT64);
        Tensor y = Views.copy(src);
        if (y.dim() > 0 && y.numel() > 0) {
            int n = y.size(d), inner = 1;
            for (int i = d + 1; i < y.dim(); i++) inner *= y.size(i);
            int outer = y.numel() / (n * inner);
            var ys = y.storage();
            for (int o = 0; o < outer; o++) {
                int block = o * n * inner;
                for (int s = 1; s < n; s++) {
                    int t = reverse ? n - 1 - s : s, prev = reverse ? t + 1 : t - 1;
                    int to = block + t * inner, from = block + prev * inner;
                    switch (ys.dtype()) {
                        case FLOAT32 -> { float[] a = ys.floats(); for (int j = 0; j < inner; j++) a[to + j] += a[from + j]; }
                        case FLOAT64 -> { double[] a = ys.doubles(); for (int j = 0; j < inner; j++) a[to + j] += a[from + j]; }
                        default -> { long[] a = ys.longs(); for (int j = 0; j < inner; j++) a[to + j] += a[from + j]; }
                    }
                }
            }
        }
        if (!x.dtype().isFloatingPoint()) return y;
        return Autograd.record(reverse ? "cumsum_backward" : "cumsum", y, g -> new Tensor[] {scan(g, d, !reverse)},
                t -> scan(t[0], d, reverse), x);
    }

    /**
     * Whether any element over {@code dims} is non-zero (true, for bool); NaN counts as non-zero. No gradient.
     *
     * @param x the tensor, of any dtype
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return a bool tensor (false over an empty dim)
     * @see Tensor#any
     */
    public static Tensor any(Tensor x, int[] dims, boolean keepdim) {
        Shape.dimMask("any", dims, x.dim());
        return x.detach().ne(0).to(DType.FLOAT64).sum(dims, keepdim).gt(0);
    }

    /**
     * Whether every element over {@code dims} is non-zero (true, for bool); NaN counts as non-zero. No gradient.
     *
     * @param x the tensor, of any dtype
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return a bool tensor (true over an empty dim)
     * @see Tensor#all
     */
    public static Tensor all(Tensor x, int[] dims, boolean keepdim) {
        Shape.dimMask("all", dims, x.dim());
        return x.detach().eq(0).to(DType.FLOAT64).sum(dims, keepdim).eq(0);
    }

    // ------------------------------------------------------------ the raw reduction

    /**
     * Reduces the masked dims of x, one run of adjacent dims at a time (last run first), each run as
     * a {@code [outer, r, inner]} block. Size-1 dims need no work.
     */
    static Tensor reduce(String op, ReduceKernels.Kind k, Tensor x, boolean[] mask, boolean keepdim) {
        DType in = x.dtype();
        if (!in.isFloatingPoint() && in != DType.INT64) {
            // Integers and bools reduce exactly in int64, as PyTorch's: a sum is int64, a max or min keeps the dtype.
            Tensor y = reduce(op, k, x.detach().to(DType.INT64), mask, keepdim);
            return k == ReduceKernels.Kind.SUM ? y : y.to(in);
        }
        int[] shape = x.shape();
        int[] outShape = reducedShape(shape, mask, keepdim);
        for (int i = 0; i < shape.length; i++) {
            if (mask[i] && shape[i] == 0) {
                if (k != ReduceKernels.Kind.SUM) {
                    throw new IllegalArgumentException(op + ": cannot reduce over the empty dim " + i + " of shape " + Shape.format(shape));
                }
                return Tensor.zeros(x.dtype(), outShape);
            }
        }
        Tensor cur = x.detach().contiguous();
        int[] curShape = shape.clone();
        boolean copied = cur != x;
        int end = shape.length;
        while (end > 0) {
            while (end > 0 && !(mask[end - 1] && curShape[end - 1] > 1)) end--;
            if (end == 0) break;
            int start = end - 1;
            while (start > 0 && mask[start - 1]) start--;
            int outer = 1, r = 1, inner = 1;
            for (int i = 0; i < start; i++) outer *= curShape[i];
            for (int i = start; i < end; i++) r *= curShape[i];
            for (int i = end; i < curShape.length; i++) inner *= curShape[i];
            for (int i = start; i < end; i++) curShape[i] = 1;
            Tensor next = Tensor.zeros(x.dtype(), curShape);
            if (x.dtype() == DType.FLOAT32) {
                ReduceKernels.reduce(k, cur.storage().floats(), cur.storageOffset(), outer, r, inner, next.storage().floats());
            } else if (x.dtype() == DType.INT64) {
                ReduceKernels.reduce(k, cur.storage().longs(), cur.storageOffset(), outer, r, inner, next.storage().longs());
            } else {
                ReduceKernels.reduce(k, cur.storage().doubles(), cur.storageOffset(), outer, r, inner, next.storage().doubles());
            }
            cur = next;
            copied = true;
            end = start;
        }
        if (!copied) cur = Views.copy(cur).detach(); // nothing reduced (all dims size 1): still a fresh tensor
        return Tensor.wrap(cur.storage(), cur.storageOffset(), outShape, Shape.contiguousStrides(outShape));
    }

    /**
     * The shape a reduction produces.
     *
     * @param shape the input's shape
     * @param mask which dimensions are reduced (see {@link dev.descent.core.Shape#dimMask})
     * @param keepdim keep reduced dimensions as size 1 instead of removing them
     * @return a new shape
     */
    public static int[] reducedShape(int[] shape, boolean[] mask, boolean keepdim) {
        int n = 0;
        for (int i = 0; i < shape.length; i++) if (!mask[i] || keepdim) n++;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!mask[i]) out[j++] = shape[i];
            else if (keepdim) out[j++] = 1;
        }
        return out;
    }

    private static int[] keptShape(int[] shape, boolean[] mask) {
        return reducedShape(shape, mask, true);
    }

    private static int[] reducedDims(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < mask.length; i++) if (mask[i]) out[j++] = i;
        return out;
    }

    private static int count(int[] shape, boolean[] mask) {
        int n = 1;
        for (int i = 0; i < shape.length; i++) if (mask[i]) n *= shape[i];
        return n;
    }
}
