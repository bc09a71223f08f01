package dev.descent.core.ops;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.CopyKernels;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * View ops: new shapes and strides over the same storage, and their backward rules. A view that
 * keeps every element (reshape, permute, squeeze) sends the gradient back through the inverse view;
 * a view that keeps some elements (narrow, slice, select) sends it back by embedding the gradient in
 * zeros ({@link #embed}), whose own backward is the view again; expand's backward sums over the
 * broadcast dims.
 */
public final class Views {
    private Views() {}

    // ------------------------------------------------------------ raw views (no recording)

    /** A raw view: same storage, new shape and strides. */
    static Tensor raw(Tensor x, int offset, int[] shape, int[] strides) {
        return Tensor.wrap(x.storage(), offset, shape, strides);
    }

    /** Strides for viewing x as {@code shape} without a copy, or null when impossible. */
    static int[] viewStrides(Tensor x, int[] newShape) {
        int[] oldShape = x.shape(), oldStrides = x.strides();
        int numel = x.numel();
        if (numel == 0 || x.isContiguous()) return Shape.contiguousStrides(newShape);
        // Walk groups of old dims that are contiguous among themselves; each group must map onto whole new dims.
        int[] out = new int[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBase = oldStrides.length == 0 ? 1 : oldStrides[oldStrides.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    // ------------------------------------------------------------ shape-preserving-data views

    /**
     * x seen as {@code newShape} without a copy; the gradient is reshaped back. The op behind
     * {@link Tensor#view}.
     *
     * @param x the tensor to view
     * @param newShape the sizes, with at most one {@code -1}
     * @return a view sharing x's storage
     */
    public static Tensor view(Tensor x, int[] newShape) {
        int[] shape = Shape.inferSize("view", newShape, x.numel());
        int[] strides = viewStrides(x, shape);
        if (strides == null) {
            throw new IllegalArgumentException("view: a tensor of shape " + Shape.format(x.shape()) + " and strides " + Shape.format(x.strides())
                    + " cannot be viewed as " + Shape.format(shape) + " without a copy; use reshape()");
        }
        Tensor y = raw(x, x.storageOffset(), shape, strides);
        int[] inShape = x.shape();
        return Autograd.record("view", y, g -> new Tensor[] {g.reshape(inShape)}, t -> t[0].reshape(y.shape()), x);
    }

    /**
     * x as {@code newShape}: a view when the strides allow, else a view of a contiguous copy; x itself when the
     * shape is unchanged.
     *
     * @param x the tensor to reshape
     * @param newShape the sizes, with at most one {@code -1}
     * @return a tensor of {@code newShape} with x's elements in row-major order
     * @see Tensor#reshape
     */
    public static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = Shape.inferSize("reshape", newShape, x.numel());
        if (Arrays.equals(shape, x.shape())) return x;
        if (viewStrides(x, shape) != null) return view(x, shape);
        return view(x.contiguous(), shape);
    }

    /**
     * The dimensions of x reordered (result dim i is x's dim {@code order[i]}); the gradient goes back through
     * the inverse permutation.
     *
     * @param x the tensor
     * @param order a permutation of x's dimensions (negative entries count from the end)
     * @return a view with permuted shape and strides
     * @see Tensor#permute
     */
    public static Tensor permute(Tensor x, int[] order) {
        int rank = x.dim();
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length + " dims, the tensor has "
                    + rank + " (shape " + Shape.format(x.shape()) + ")");
        }
        int[] shape = x.shape(), strides = x.strides();
        int[] ns = new int[rank], nst = new int[rank], inverse = new int[rank];
        boolean[] used = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shape.normalizeDim("permute", order[i], rank);
            if (used[d]) throw new IllegalArgumentException("permute: dim " + d + " repeats in " + Arrays.toString(order));
            used[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        Tensor y = raw(x, x.storageOffset(), ns, nst);
        return Autograd.record("permute", y, g -> new Tensor[] {g.permute(inverse)}, t -> permute(t[0], order), x);
    }

    /**
     * x with dimensions {@code d0} and {@code d1} swapped (a view).
     *
     * @param x the tensor
     * @param d0 one dimension (negative counts from the end)
     * @param d1 the other
     * @return a permuted view
     * @see Tensor#transpose
     */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        int rank = x.dim();
        int a = Shape.normalizeDim("transpose", d0, rank), b = Shape.normalizeDim("transpose", d1, rank);
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    /**
     * x without its size-1 dimensions.
     *
     * @param x the tensor
     * @return a reshaped tensor (x itself when it has none)
     * @see Tensor#squeeze
     */
    public static Tensor squeeze(Tensor x) {
        int[] shape = x.shape();
        return reshape(x, Arrays.stream(shape).filter(d -> d != 1).toArray());
    }

    /**
     * x without dimension {@code dim} when that has size 1, else x unchanged.
     *
     * @param x the tensor
     * @param dim the dimension (negative counts from the end)
     * @return a reshaped tensor, or x
     * @see Tensor#squeeze
     */
    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("squeeze", dim, x.dim());
        if (x.dim() == 0 || x.size(d) != 1) return x;
        int[] shape = x.shape();
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) ns[j++] = shape[i];
        return reshape(x, ns);
    }

    /**
     * x with a size-1 dimension inserted at {@code dim}.
     *
     * @param x the tensor
     * @param dim the new dimension's position in the result, in {@code [−rank−1, rank]}
     * @return a reshaped tensor of rank one more
     * @see Tensor#unsqueeze
     */
    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("unsqueeze", dim, x.dim() + 1);
        int[] shape = x.shape();
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) ns[i] = i == d ? 1 : shape[j++];
        return reshape(x, ns);
    }

    /**
     * x with dimensions {@code startDim … endDim} merged into one (a 0-d x becomes {@code [1]}).
     *
     * @param x the tensor
     * @param startDim the first dimension merged (negative counts from the end)
     * @param endDim the last dimension merged, inclusive
     * @return a reshaped tensor
     * @see Tensor#flatten
     */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        if (x.dim() == 0) return reshape(x, new int[] {1});
        int s = Shape.normalizeDim("flatten", startDim, x.dim()), e = Shape.normalizeDim("flatten", endDim, x.dim());
        if (s > e) throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim);
        int[] shape = x.shape();
        int[] ns = new int[shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) ns[j++] = shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        ns[j++] = m;
        for (int i = e + 1; i < shape.length; i++) ns[j++] = shape[i];
        return reshape(x, ns);
    }

    // ------------------------------------------------------------ expand and its adjoint

    /**
     * x broadcast to {@code newShape} without copying (stride 0 on stretched and new dimensions); its
     * backward sums the gradient back with {@link #sumToShape}.
     *
     * @param x the tensor
     * @param newShape the target shape, of at least x's rank; {@code -1} keeps a size
     * @return a view, or x itself when the shape is unchanged
     * @see Tensor#expand
     */
    public static Tensor expand(Tensor x, int[] newShape) {
        int[] shape = x.shape(), strides = x.strides();
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shape.format(shape) + " to " + Shape.format(newShape) + " (fewer dims)");
        }
        int off = newShape.length - shape.length;
        int[] ns = new int[newShape.length], nst = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int want = newShape[i];
            if (i < off) {
                if (want < 0) throw new IllegalArgumentException("expand: size -1 not allowed for new leading dim " + i);
                ns[i] = want;
                nst[i] = 0;
                continue;
            }
            int have = shape[i - off];
            if (want == -1 || want == have) {
                ns[i] = have;
                nst[i] = strides[i - off];
            } else if (have == 1) {
                ns[i] = want;
                nst[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.format(shape) + " to " + Shape.format(newShape)
                        + " at dim " + i + ": " + have + " vs " + want);
            }
        }
        if (Arrays.equals(ns, shape)) return x;
        Tensor y = raw(x, x.storageOffset(), ns, nst);
        int[] inShape = x.shape();
        return Autograd.record("expand", y, g -> new Tensor[] {sumToShape(g, inShape)}, t -> t[0].expand(ns), x);
    }

    /**
     * Sums a broadcast gradient back down to {@code shape}: over the leading dimensions {@code shape} lacks and
     * over the dimensions where it has size 1 (the adjoint of broadcasting).
     *
     * @param g a tensor whose shape {@code shape} broadcasts to
     * @param shape the shape wanted
     * @return g itself when the shapes already match, else the sums, reshaped to {@code shape}
     * @throws IllegalArgumentException when {@code shape} does not broadcast to g's shape
     */
    public static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        if (!Shape.broadcastsTo(shape, gs)) {
            throw new IllegalArgumentException("sumToShape: " + Shape.format(shape) + " does not broadcast to " + Shape.format(gs));
        }
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[n++] = i;
        }
        Tensor s = n == 0 ? g : g.sum(Arrays.copyOf(dims, n), true);
        return s.reshape(shape);
    }

    // ------------------------------------------------------------ partial views and embedding

    /** A view that keeps part of the elements; its backward embeds the gradient in zeros. */
    private static Tensor partialView(String op, Tensor x, UnaryOperator<Tensor> rawView) {
        Tensor y = rawView.apply(x);
        int[] inShape = x.shape();
        return Autograd.record(op, y, g -> new Tensor[] {embed(op, g, inShape, rawView)}, t -> partialView(op, t[0], rawView), x);
    }

    /** Zeros of {@code shape} with {@code g} written into the view {@code rawView} selects; backward: that view. */
    private static Tensor embed(String op, Tensor g, int[] shape, UnaryOperator<Tensor> rawView) {
        Tensor z = Tensor.zeros(g.dtype(), shape);
        Tensor target = rawView.apply(z);
        CopyKernels.copy(g.storage(), g.storageOffset(), g.strides(), target.storage(), target.storageOffset(), target.strides(), g.shape());
        return Autograd.record(op + "_backward", z, gg -> new Tensor[] {partialView(op, gg, rawView)}, t -> embed(op, t[0], shape, rawView), g);
    }

    /**
     * Elements {@code start … start+length−1} of x along {@code dim} (a view); the backward embeds the
     * gradient in zeros.
     *
     * @param x the tensor
     * @param dim the dimension (negative counts from the end)
     * @param start the first index; negative counts from the end
     * @param length how many elements to keep
     * @return a view
     * @see Tensor#narrow
     */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.normalizeDim("narrow", dim, x.dim());
        int size = x.size(d);
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length + " exceed dim " + d + " of size " + size
                    + " (shape " + Shape.format(x.shape()) + ")");
        }
        return slice(x, d, start, start + length, 1);
    }

    /**
     * Python's {@code x[start:end:step]} along {@code dim} (a view): negative bounds count from the end and
     * bounds are clamped into range; the backward embeds the gradient in zeros.
     *
     * @param x the tensor
     * @param dim the dimension (negative counts from the end)
     * @param start the first index (inclusive)
     * @param end the bound (exclusive)
     * @param step the spacing, ≥ 1
     * @return a view
     * @see Tensor#slice
     */
    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int d = Shape.normalizeDim("slice", dim, x.dim());
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, was " + step);
        int size = x.size(d);
        int s = clampIndex(start, size), e = clampIndex(end, size);
        int len = e > s ? (e - s + step - 1) / step : 0;
        final int fs = s, flen = len;
        return partialView("slice", x, t -> {
            int[] shape = t.shape(), strides = t.strides();
            int off = t.storageOffset() + (flen == 0 ? 0 : fs * strides[d]);
            shape[d] = flen;
            strides[d] *= step;
            return raw(t, off, shape, strides);
        });
    }

    private static int clampIndex(int i, int size) {
        if (i < 0) i += size;
        return Math.max(0, Math.min(size, i));
    }

    /**
     * The slice of x at {@code index} along {@code dim}, with that dimension removed (a view); the backward
     * embeds the gradient in zeros.
     *
     * @param x the tensor
     * @param dim the dimension (negative counts from the end)
     * @param index the position; negative counts from the end
     * @return a view of rank one less
     * @see Tensor#select
     */
    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.normalizeDim("select", dim, x.dim());
        int size = x.size(d);
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dim " + d + " of size " + size
                    + " (shape " + Shape.format(x.shape()) + ")");
        }
        return partialView("select", x, t -> {
            int[] shape = t.shape(), strides = t.strides();
            int[] ns = new int[shape.length - 1], nst = new int[shape.length - 1];
            for (int k = 0, j = 0; k < shape.length; k++) {
                if (k == d) continue;
                ns[j] = shape[k];
                nst[j++] = strides[k];
            }
            return raw(t, t.storageOffset() + i * strides[d], ns, nst);
        });
    }

    // ------------------------------------------------------------ splits (lists of views)

    /**
     * x cut along {@code dim} into pieces of {@code size} elements, the last one shorter when size does not
     * divide the dim (as {@code torch.split}). Each piece is a {@link #narrow} view, so the gradient flows back.
     *
     * @param x the tensor
     * @param size the length of each piece, ≥ 1
     * @param dim the dimension (negative counts from the end)
     * @return the pieces in order; one empty piece when the dim has size 0
     * @throws IllegalArgumentException when size &lt; 1 or dim is out of range
     * @see Tensor#split(int, int)
     */
    public static java.util.List<Tensor> split(Tensor x, int size, int dim) {
        int d = Shape.normalizeDim("split", dim, x.dim());
        if (size < 1) throw new IllegalArgumentException("split: size must be ≥ 1, was " + size);
        int n = x.size(d);
        java.util.List<Tensor> out = new java.util.ArrayList<>();
        if (n == 0) out.add(narrow(x, d, 0, 0));
        for (int start = 0; start < n; start += size) out.add(narrow(x, d, start, Math.min(size, n - start)));
        return out;
    }

    /**
     * x cut along {@code dim} into pieces of the given sizes (as {@code torch.split} with a list), each a
     * {@link #narrow} view.
     *
     * @param x the tensor
     * @param sizes the length of each piece (≥ 0), summing to the dim's size
     * @param dim the dimension (negative counts from the end)
     * @return one piece per size, in order
     * @throws IllegalArgumentException when a size is negative or the sizes do not sum to the dim's size
     * @see Tensor#split(int[], int)
     */
    public static java.util.List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Shape.normalizeDim("split", dim, x.dim());
        long total = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " contain a negative size");
            total += s;
        }
        if (total != x.size(d)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to " + total + ", but dim " + d + " of shape "
                    + Shape.format(x.shape()) + " has size " + x.size(d));
        }
        java.util.List<Tensor> out = new java.util.ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            out.add(narrow(x, d, start, s));
            start += s;
        }
        return out;
    }

    /**
     * x cut along {@code dim} into at most {@code chunks} pieces of ⌈n / chunks⌉ elements, the last one shorter
     * (as {@code torch.chunk}: fewer pieces come back when n is not large enough, e.g. 5 in 4 chunks gives 3).
     *
     * @param x the tensor
     * @param chunks the number of pieces wanted, ≥ 1
     * @param dim the dimension (negative counts from the end)
     * @return the pieces, views of x ({@code chunks} empty ones when the dim has size 0, as torch's)
     * @throws IllegalArgumentException when chunks &lt; 1 or dim is out of range
     * @see Tensor#chunk
     */
    public static java.util.List<Tensor> chunk(Tensor x, int chunks, int dim) {
        int d = Shape.normalizeDim("chunk", dim, x.dim());
        if (chunks < 1) throw new IllegalArgumentException("chunk: chunks must be ≥ 1, was " + chunks);
        int n = x.size(d);
        if (n == 0) return java.util.Collections.nCopies(chunks, narrow(x, d, 0, 0)); // torch: as many empty pieces as chunks
        return split(x, (n + chunks - 1) / chunks, d);
    }

    /**
     * x tiled {@code repeats[i]} times along each dim (as {@code torch.Tensor.repeat}): when there are more
     * repeats than dims, x gets leading dims of size 1 first. Composed as a reshape that interleaves size-1
     * dims, an {@link #expand} and a copy, so the gradient sums over the copies.
     *
     * @param x the tensor
     * @param repeats how many times along each dim, ≥ 0, at least as many as x has dims
     * @return a new tensor of shape {@code repeats[i]·size[i]}
     * @throws IllegalArgumentException when there are fewer repeats than dims, or a repeat is negative
     * @see Tensor#repeat
     */
    public static Tensor repeat(Tensor x, int[] repeats) {
        int k = repeats.length, lead = k - x.dim();
        if (lead < 0) {
            throw new IllegalArgumentException("repeat: " + k + " repeats " + Arrays.toString(repeats) + " for a tensor of shape "
                    + Shape.format(x.shape()) + " (need at least " + x.dim() + ")");
        }
        int[] interleaved = new int[2 * k], expanded = new int[2 * k], out = new int[k];
        for (int i = 0; i < k; i++) {
            if (repeats[i] < 0) throw new IllegalArgumentException("repeat: negative repeat in " + Arrays.toString(repeats));
            int s = i < lead ? 1 : x.size(i - lead);
            interleaved[2 * i] = 1;
            interleaved[2 * i + 1] = s;
            expanded[2 * i] = repeats[i];
            expanded[2 * i + 1] = s;
            out[i] = repeats[i] * s;
        }
        return copy(x.reshape(interleaved).expand(expanded)).reshape(out); // always a copy, as torch's (never x's storage)
    }

    // ------------------------------------------------------------ copies

    /**
     * A fresh row-major copy; the gradient passes straight through. The op behind {@link Tensor#clone()}.
     *
     * @param x the tensor to copy
     * @return a new contiguous tensor of x's shape and dtype
     */
    public static Tensor copy(Tensor x) {
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        CopyKernels.copy(x.storage(), x.storageOffset(), x.strides(), y.storage(), 0, y.strides(), x.shape());
        return Autograd.record("clone", y, g -> new Tensor[] {g}, t -> t[0], x);
    }

    /**
     * x itself when row-major, else {@link #copy}(x).
     *
     * @param x the tensor
     * @return a contiguous tensor with x's elements
     * @see Tensor#contiguous
     */
    public static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : copy(x);
    }
}
