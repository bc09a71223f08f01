package dev.descent.core;

import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.Engine;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.autograd.Node;
import dev.descent.core.ops.Activations;
import dev.descent.core.ops.Elementwise;
import dev.descent.core.ops.Indexing;
import dev.descent.core.ops.LinearAlgebra;
import dev.descent.core.ops.Reductions;
import dev.descent.core.ops.Softmax;
import dev.descent.core.ops.Views;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An n-dimensional array that records the ops applied to it, so that gradients can flow back.
 *
 * <p>A tensor is a view: a {@link Storage} (one flat on-heap array), an offset into it, a shape and
 * strides. Reshape, permute, transpose, narrow, expand, squeeze and unsqueeze return views that share
 * the storage; {@link #contiguous()} copies only when the view is not already row-major. Binary ops
 * broadcast by NumPy's rules. An op whose inputs require a gradient (and grad mode on) records a
 * {@link Node}; {@link #backward()} walks those nodes in reverse.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.mul(x).add(x.exp());   // y = x² + eˣ
 * y.backward();                       // x.grad() = 2x + eˣ
 * }</pre>
 *
 * <p>Tensors are not synchronised: share them read-only between threads (inference may run on many
 * threads at once; training one graph from several threads is not supported).
 */
public class Tensor {
    private final Storage storage;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private String name;

    /**
     * A view of {@code storage}: element {@code [i0, i1, …]} sits at {@code offset + Σ iₖ·strides[k]}. Shape and
     * strides are copied, and the view is checked to stay inside the storage.
     *
     * @param storage the flat array to view (shared, not copied)
     * @param offset where element {@code [0, …, 0]} sits in the storage
     * @param shape the size of each dimension
     * @param strides the step in storage elements along each dimension (may be 0, for a broadcast dim)
     * @throws IllegalArgumentException when shape and strides differ in rank, a size is negative, or the view
     *         reaches outside the storage
     */
    protected Tensor(Storage storage, int offset, int[] shape, int[] strides) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shape.format(shape) + " and strides " + Shape.format(strides) + " differ in rank");
        }
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.strides = strides.clone();
        checkBounds();
    }

    /**
     * A new tensor sharing {@code other}'s storage and view, without its gradient, graph node or name (used by
     * {@link Parameter}).
     *
     * @param other the tensor whose storage, offset, shape and strides to share
     */
    protected Tensor(Tensor other) {
        this(other.storage, other.offset, other.shape, other.strides);
    }

    private void checkBounds() {
        if (Shape.numel(shape) == 0) return;
        long lo = offset, hi = offset;
        for (int i = 0; i < shape.length; i++) {
            long span = (long) (shape[i] - 1) * strides[i];
            if (span < 0) lo += span;
            else hi += span;
        }
        if (lo < 0 || hi >= storage.size()) {
            throw new IllegalArgumentException("view [offset " + offset + ", shape " + Shape.format(shape) + ", strides "
                    + Shape.format(strides) + "] reaches outside a storage of " + storage.size() + " elements");
        }
    }

    // ---------------------------------------------------------------- creation

    /**
     * A view of an existing storage: the low-level constructor behind every view op (PyTorch's
     * {@code as_strided}). Element {@code [i0, i1, …]} is {@code storage[offset + Σ iₖ·strides[k]]}. The
     * result does not require grad and records nothing.
     *
     * @param storage the flat array to view (shared, not copied)
     * @param offset where element {@code [0, …, 0]} sits in the storage
     * @param shape the size of each dimension
     * @param strides the step in storage elements along each dimension (0 repeats an element)
     * @return a tensor viewing {@code storage}
     * @throws IllegalArgumentException when shape and strides differ in rank, a size is negative, or the view
     *         reaches outside the storage
     */
    public static Tensor wrap(Storage storage, int offset, int[] shape, int[] strides) {
        return new Tensor(storage, offset, shape, strides);
    }

    /**
     * A new contiguous (row-major) tensor filled with zeros.
     *
     * @param dtype the element type
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh tensor of zeros that does not require grad
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor zeros(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), 0, shape, Shape.contiguousStrides(shape));
    }

    /**
     * A new contiguous tensor whose contents are unspecified (PyTorch's {@code empty}), for an op that writes
     * every element: zeros when the array is new, a previous step's values when a {@link Workspace} recycled
     * it.
     *
     * @param dtype the element type
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous tensor that does not require grad
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor empty(DType dtype, int... shape) {
        return new Tensor(Storage.allocateUninitialized(dtype, Shape.numel(shape)), 0, shape, Shape.contiguousStrides(shape));
    }

    /**
     * A new float32 tensor of zeros.
     *
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous float32 tensor of zeros
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /**
     * A new tensor filled with ones.
     *
     * @param dtype the element type ({@code true} for bool)
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous tensor of ones
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    /**
     * A new float32 tensor of ones.
     *
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous float32 tensor of ones
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor ones(int... shape) {
        return ones(DType.FLOAT32, shape);
    }

    /**
     * A new tensor with every element set to {@code value}, converted to {@code dtype} (truncated toward zero
     * for int64; non-zero is {@code true} for bool).
     *
     * @param value the fill value
     * @param dtype the element type
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (value != 0) t.fillStorage(value);
        return t;
    }

    /**
     * A new float32 tensor with every element set to {@code value}.
     *
     * @param value the fill value (rounded to float32)
     * @param shape the size of each dimension; none gives a 0-d (scalar) tensor
     * @return a fresh contiguous float32 tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor full(double value, int... shape) {
        return full(value, DType.FLOAT32, shape);
    }

    /**
     * Zeros with the dtype and shape of {@code t} (contiguous, whatever {@code t}'s strides).
     *
     * @param t the tensor whose dtype and shape to copy
     * @return a fresh tensor of zeros that does not require grad
     */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype(), t.shape);
    }

    /**
     * Ones with the dtype and shape of {@code t} (contiguous, whatever {@code t}'s strides).
     *
     * @param t the tensor whose dtype and shape to copy
     * @return a fresh tensor of ones that does not require grad
     */
    public static Tensor onesLike(Tensor t) {
        return ones(t.dtype(), t.shape);
    }

    /**
     * {@code value} everywhere, with the dtype and shape of {@code t}.
     *
     * @param t the tensor whose dtype and shape to copy
     * @param value the fill value, converted to {@code t}'s dtype
     * @return a fresh contiguous tensor that does not require grad
     */
    public static Tensor fullLike(Tensor t, double value) {
        return full(value, t.dtype(), t.shape);
    }

    /**
     * A 0-d float64 tensor: Java's {@code double} literal gives float64, so {@code Tensor.of(2.0)} is exact enough
     * for gradient checks. Use {@link #of(float)} ({@code Tensor.of(2f)}) for float32.
     *
     * @param value the scalar
     * @return a 0-d float64 tensor
     */
    public static Tensor of(double value) {
        return scalar(value, DType.FLOAT64);
    }

    /**
     * A 0-d float32 tensor ({@code Tensor.of(2f)}).
     *
     * @param value the scalar
     * @return a 0-d float32 tensor
     */
    public static Tensor of(float value) {
        return scalar(value, DType.FLOAT32);
    }

    /**
     * A 0-d tensor of the given dtype.
     *
     * @param value the scalar, converted to {@code dtype}
     * @param dtype the element type
     * @return a 0-d tensor holding {@code value}
     */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /**
     * A float32 tensor over a copy of {@code data}, read in row-major order.
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @return a contiguous float32 tensor
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(float[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * A float64 tensor over a copy of {@code data}, read in row-major order.
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @return a contiguous float64 tensor
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(double[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * An int64 tensor over a copy of {@code data}, read in row-major order (class labels, indices).
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @return a contiguous int64 tensor
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(long[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * An int64 tensor from {@code int} values: the index and label type, without writing {@code long[]}.
     *
     * @param data the elements (copied, widened to long)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @return a contiguous int64 tensor
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor ofIndices(int[] data, int... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return fromStorage(Storage.of(l), l.length, shape);
    }

    /**
     * A bool tensor over a copy of {@code data}, read in row-major order (masks for {@link #where}).
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @return a contiguous bool tensor
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(boolean[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * A 2-D float64 tensor {@code [rows.length, rows[0].length]} from rows of equal length.
     *
     * @param rows the rows (copied); no rows gives shape {@code [0, 0]}
     * @return a contiguous float64 matrix
     * @throws IllegalArgumentException naming the row when the rows differ in length
     */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromStorage(Storage.of(flat), flat.length, rows.length, cols);
    }

    private static Tensor fromStorage(Storage s, int n, int... shape) {
        int[] sh = shape.length == 0 ? new int[] {n} : shape;
        if (Shape.numel(sh) != n) {
            throw new IllegalArgumentException("shape " + Shape.format(sh) + " holds " + Shape.numel(sh) + " elements, but " + n + " values were given");
        }
        return new Tensor(s, 0, sh, Shape.contiguousStrides(sh));
    }

    /**
     * {@code [0, 1, …, end − 1]} as int64, like {@code torch.arange(end)}.
     *
     * @param end one past the last value; 0 or less gives an empty tensor
     * @return a 1-D int64 tensor of {@code max(end, 0)} elements
     */
    public static Tensor arange(int end) {
        long[] v = new long[Math.max(end, 0)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return of(v);
    }

    /**
     * {@code start, start + step, start + 2·step, …} up to but excluding {@code end} (down to, for a negative
     * step): {@code ⌈(end − start)/step⌉} values, each computed as {@code start + i·step} (no accumulated
     * rounding).
     *
     * @param start the first value
     * @param end the bound, never reached
     * @param step the spacing, positive or negative
     * @param dtype the element type (int64 truncates each value toward zero)
     * @return a 1-D tensor, empty when {@code step} points away from {@code end}
     * @throws IllegalArgumentException when {@code step} is 0 or NaN
     */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be non-zero, was " + step);
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) t.storage.setDouble(i, start + i * step);
        return t;
    }

    /**
     * {@link #arange(double, double, double, DType)} in float32.
     *
     * @param start the first value
     * @param end the bound, never reached
     * @param step the spacing, positive or negative
     * @return a 1-D float32 tensor, empty when {@code step} points away from {@code end}
     * @throws IllegalArgumentException when {@code step} is 0 or NaN
     */
    public static Tensor arange(double start, double end, double step) {
        return arange(start, end, step, DType.FLOAT32);
    }

    /**
     * The n×n identity matrix.
     *
     * @param n the number of rows and columns
     * @param dtype the element type
     * @return a contiguous {@code [n, n]} tensor with ones on the diagonal and zeros elsewhere
     * @throws IllegalArgumentException when {@code n} is negative
     */
    public static Tensor eye(int n, DType dtype) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.storage.setDouble(i * n + i, 1);
        return t;
    }

    /**
     * Uniform values in [0, 1), drawn from {@code rng} in row-major order (one {@code nextDouble()} each, so a
     * seeded generator gives the same tensor on every run).
     *
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @return a fresh contiguous tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor rand(DType dtype, RandomGenerator rng, int... shape) {
        return uniform(0, 1, dtype, rng, shape);
    }

    /**
     * float32 uniform values in [0, 1) drawn from {@code rng} in row-major order.
     *
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @return a fresh contiguous float32 tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        return rand(DType.FLOAT32, rng, shape);
    }

    /**
     * Uniform values {@code lo + (hi − lo)·u}, u in [0, 1) drawn from {@code rng} in row-major order.
     *
     * @param lo the lower bound (inclusive)
     * @param hi the upper bound (exclusive, unless equal to {@code lo})
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @return a fresh contiguous tensor
     * @throws IllegalArgumentException when {@code lo > hi} or either is NaN, or when a size is negative
     */
    public static Tensor uniform(double lo, double hi, DType dtype, RandomGenerator rng, int... shape) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform: need lo <= hi, was lo=" + lo + ", hi=" + hi);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    /**
     * Standard normal values (mean 0, variance 1), one {@code rng.nextGaussian()} per element in row-major
     * order.
     *
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @return a fresh contiguous tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor randn(DType dtype, RandomGenerator rng, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, rng.nextGaussian());
        return t;
    }

    /**
     * float32 standard normal values drawn from {@code rng} in row-major order.
     *
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @return a fresh contiguous float32 tensor
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements
     */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        return randn(DType.FLOAT32, rng, shape);
    }


    // ---------------------------------------------------------------- what it is

    /**
     * The element type, that of the storage.
     *
     * @return float32, float64, int64 or bool
     */
    public DType dtype() {
        return storage.dtype();
    }

    /**
     * A copy of the shape: the size of each dimension, outermost first.
     *
     * @return a new array; empty for a 0-d tensor
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The size of one dimension.
     *
     * @param dim the dimension; negative counts from the end ({@code -1} is the last)
     * @return the number of elements along {@code dim}
     * @throws IllegalArgumentException when {@code dim} is out of range for this rank
     */
    public int size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length)];
    }

    /**
     * The number of dimensions (the rank).
     *
     * @return 0 for a scalar, 1 for a vector, 2 for a matrix, …
     */
    public int dim() {
        return shape.length;
    }

    /**
     * The number of elements: the product of the shape.
     *
     * @return 1 for a 0-d tensor, 0 when any dimension is 0
     */
    public int numel() {
        return Shape.numel(shape);
    }

    /**
     * A copy of the strides: how many storage elements one step along each dimension skips.
     *
     * @return a new array, one stride per dimension (0 on a broadcast dimension)
     */
    public int[] strides() {
        return strides.clone();
    }

    /**
     * The stride of one dimension, in storage elements.
     *
     * @param dim the dimension; negative counts from the end
     * @return the storage distance between neighbours along {@code dim}
     * @throws IllegalArgumentException when {@code dim} is out of range for this rank
     */
    public int stride(int dim) {
        return strides[Shape.normalizeDim("stride", dim, shape.length)];
    }

    /**
     * Where element {@code [0, …, 0]} sits in the storage.
     *
     * @return an index into {@link #storage()}'s array
     */
    public int storageOffset() {
        return offset;
    }

    /**
     * The flat array behind this view, shared with every other view of it. Writing through it bypasses
     * autodiff and the in-place checks.
     *
     * @return the storage (not a copy)
     */
    public Storage storage() {
        return storage;
    }

    /**
     * True when the elements are laid out row-major without gaps, so that kernels can take their fast path
     * (size-1 dimensions are ignored, whatever their stride).
     *
     * @return whether the strides are the row-major strides of the shape
     */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- autodiff

    /**
     * True when gradients flow to or through this tensor: a leaf marked with {@link #requiresGrad(boolean)}, a
     * {@link Parameter}, or the output of an op recorded on such tensors.
     *
     * @return whether this tensor takes part in autodiff
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf as wanting a gradient ({@code true}) or not. {@link #backward()} then accumulates into its
     * {@link #grad()}.
     *
     * @param flag whether gradients should be computed for this tensor
     * @return this tensor, for chaining ({@code Tensor.of(2.0).requiresGrad(true)})
     * @throws IllegalStateException for {@code false} on a tensor produced by a recorded op (use
     *         {@link #detach()}), or for {@code true} on an int64 or bool tensor
     */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor (output of '" + gradFn.op() + "'); use detach()");
        }
        if (flag && !dtype().isFloatingPoint()) {
            throw new IllegalStateException("only float32 and float64 tensors can require grad, this one is " + dtype());
        }
        requiresGrad = flag;
        return this;
    }

    /**
     * True when no recorded op produced this tensor: created directly, a {@link Parameter}, or detached.
     * Only leaves receive {@link #grad()}.
     *
     * @return whether {@link #gradFn()} is null
     */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * The recorded op that produced this tensor: the way back into the graph.
     *
     * @return the node, or null for a leaf
     */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * The gradient accumulated into this leaf by {@link #backward()}: d(root)/d(this), of this tensor's shape.
     * Repeated backward calls add to it; {@link #zeroGrad()} clears it. Interior (non-leaf) tensors never get
     * one: use {@link Autograd#grad} for those.
     *
     * @return the gradient, or null when none has been accumulated
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the gradient, e.g. after clipping or an all-reduce. The gradient is kept past the end of a
     * {@link Workspace} scope.
     *
     * @param g the new gradient, of this tensor's shape, or null to clear it
     * @throws IllegalArgumentException when {@code g}'s shape differs from this tensor's
     */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.format(g.shape) + " does not match tensor shape " + Shape.format(shape));
        }
        grad = Workspace.keep(g); // a leaf's gradient outlives the workspace scope it was computed in
    }

    /**
     * Clears the gradient (sets it to null, as PyTorch's {@code set_to_none}), so that the next backward starts
     * afresh instead of adding.
     */
    public void zeroGrad() {
        grad = null;
    }

    /**
     * Clears the gradient as PyTorch's {@code zero_grad(set_to_none)}: sets it to null, or (setToNone false)
     * fills it with zeros in place so that the next backward adds into the same array instead of allocating a
     * new one. A gradient that itself requires grad (from {@code createGraph}) is always set to null.
     *
     * @param setToNone whether to drop the gradient rather than zero it
     */
    public void zeroGrad(boolean setToNone) {
        if (setToNone || grad == null || grad.requiresGrad()) grad = null;
        else grad.zero();
    }

    /**
     * A name shown in graph pictures, summaries and error messages (parameters carry their module path, e.g.
     * {@code "0.weight"}).
     *
     * @return the name, or null when none was set
     */
    public String name() {
        return name;
    }

    /**
     * Sets the display name.
     *
     * @param name the name, or null for none
     * @return this tensor, for chaining
     */
    public Tensor name(String name) {
        this.name = name;
        return this;
    }

    /**
     * Internal to the autodiff engine: how {@link Autograd#record} marks this tensor as the output of a recorded
     * op. It is public only because {@code Autograd} lives in another package; ops call {@code Autograd.record},
     * never this.
     *
     * @param node the node {@code Autograd.record} just built for the op that produced this tensor
     */
    public void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /**
     * Back-propagates from this one-element tensor (usually a loss): adds d(this)/d(leaf) into the
     * {@link #grad()} of every leaf that requires grad and that this tensor depends on. The graph is kept, so a
     * second call adds the gradients again. See {@link dev.descent.core.autograd.Engine} for the walk.
     *
     * @throws IllegalStateException when this tensor does not require grad (nothing it depends on was marked,
     *         or it was computed under {@link GradMode#noGrad()})
     * @throws IllegalArgumentException when this tensor has more than one element (pass a gradient, or reduce
     *         it first with {@link #sum()})
     */
    public void backward() {
        Engine.backward(this, null, false);
    }

    /**
     * Back-propagates {@code gradient} as d(root)/d(this): a vector-Jacobian product, accumulated into every
     * leaf's {@link #grad()}.
     *
     * @param gradient the gradient of this tensor's shape (converted to its dtype); null for a one-element tensor
     * @throws IllegalStateException when this tensor does not require grad
     * @throws IllegalArgumentException when {@code gradient}'s shape differs from this tensor's, or it is null
     *         and this tensor has more than one element
     */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false);
    }

    /**
     * Back-propagates {@code gradient}; with {@code createGraph} the backward rules run with grad mode on, so
     * the accumulated gradients are themselves recorded and can be differentiated again (gradients of
     * gradients, Hessian-vector products).
     *
     * @param gradient the gradient of this tensor's shape; null for a one-element tensor
     * @param createGraph whether to record the backward computation
     * @throws IllegalStateException when this tensor does not require grad
     * @throws IllegalArgumentException when {@code gradient}'s shape differs from this tensor's, or it is null
     *         and this tensor has more than one element
     */
    public void backward(Tensor gradient, boolean createGraph) {
        Engine.backward(this, gradient, createGraph);
    }

    /**
     * The same data, cut from the graph: a new leaf that shares this tensor's storage and view but does not
     * require grad. Gradients do not flow through it.
     *
     * @return a view of the same elements with no graph node, gradient or name
     */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    // ---------------------------------------------------------------- views

    /**
     * A tensor of the new shape with the same elements in row-major order: a view when the strides allow,
     * else a copy (like {@code torch.reshape}). This tensor itself when the shape is unchanged. The gradient
     * is reshaped back.
     *
     * @param newShape the sizes; one of them may be {@code -1}, inferred from the element count
     * @return a tensor of {@code newShape}
     * @throws IllegalArgumentException when the shape does not hold exactly {@link #numel()} elements, holds
     *         more than one {@code -1}, or has another negative size
     */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /**
     * Like {@link #reshape} but never copies: the result always shares this tensor's storage.
     *
     * @param newShape the sizes; one of them may be {@code -1}
     * @return a view of {@code newShape}
     * @throws IllegalArgumentException when the shape does not hold exactly {@link #numel()} elements, or when
     *         the strides do not allow a view (call {@link #reshape} or {@link #contiguous()} first)
     */
    public Tensor view(int... newShape) {
        return Views.view(this, newShape);
    }

    /**
     * Reorders the dimensions without copying: result dimension i is this tensor's dimension {@code order[i]}.
     * The gradient goes back through the inverse permutation.
     *
     * @param order a permutation of {@code 0 … dim()−1} (negative entries count from the end)
     * @return a view with permuted shape and strides
     * @throws IllegalArgumentException when {@code order} has the wrong length, repeats a dimension, or names
     *         one out of range
     */
    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    /**
     * Swaps two dimensions (a view).
     *
     * @param dim0 one dimension (negative counts from the end)
     * @param dim1 the other
     * @return a view with the two dimensions exchanged
     * @throws IllegalArgumentException when a dimension is out of range
     */
    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /**
     * The transpose of a matrix (a view); a vector or scalar is returned as is.
     *
     * @return {@code transpose(0, 1)} for a matrix, this tensor for rank 0 or 1
     * @throws IllegalArgumentException when the rank is above 2
     */
    public Tensor t() {
        if (shape.length > 2) throw new IllegalArgumentException("t(): expects a tensor of rank <= 2, got shape " + Shape.format(shape));
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /**
     * Elements {@code start … start+length−1} along {@code dim} (a view). The gradient is embedded back into
     * zeros of this tensor's shape.
     *
     * @param dim the dimension (negative counts from the end)
     * @param start the first index kept; negative counts from the end
     * @param length how many to keep, ≥ 0
     * @return a view with {@code dim} of size {@code length}
     * @throws IllegalArgumentException when {@code dim} is out of range, or the range does not fit inside it
     */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /**
     * Elements {@code start, start+step, …} below {@code end} along {@code dim} (a view; Python's
     * {@code x[start:end:step]}). Negative bounds count from the end, and bounds past either end are
     * clamped, as in Python. The gradient is embedded back into zeros of this tensor's shape.
     *
     * @param dim the dimension (negative counts from the end)
     * @param start the first index (inclusive)
     * @param end the bound (exclusive)
     * @param step the spacing, ≥ 1
     * @return a view with {@code ⌈(end − start)/step⌉} (or 0) elements along {@code dim}
     * @throws IllegalArgumentException when {@code dim} is out of range or {@code step} is below 1
     */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    /**
     * The slice at {@code index} along {@code dim}, with that dimension removed (a view; Python's
     * {@code x[..., index, ...]}).
     *
     * @param dim the dimension (negative counts from the end)
     * @param index the position along it; negative counts from the end
     * @return a view of rank {@code dim() − 1}
     * @throws IllegalArgumentException when {@code dim} is out of range
     * @throws IndexOutOfBoundsException when {@code index} is out of range for that dimension
     */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    /**
     * Broadcasts to a larger shape without copying: size-1 dimensions are stretched (stride 0) and new leading
     * dimensions added. This tensor itself when nothing changes. The gradient is summed back over the
     * broadcast dimensions.
     *
     * @param newShape the target shape, of at least this rank; {@code -1} keeps an existing size
     * @return a view of {@code newShape} (do not write into it: its elements alias)
     * @throws IllegalArgumentException when {@code newShape} has fewer dimensions, uses {@code -1} for a new
     *         leading dimension, or asks to change a dimension whose size is not 1
     */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    /**
     * {@link #expand} to {@code other}'s shape.
     *
     * @param other the tensor whose shape to broadcast to
     * @return a view of {@code other}'s shape
     * @throws IllegalArgumentException when this shape does not broadcast to {@code other}'s
     */
    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /**
     * Removes every size-1 dimension (a view when the strides allow).
     *
     * @return a tensor with the same elements and no size-1 dimension
     */
    public Tensor squeeze() {
        return Views.squeeze(this);
    }

    /**
     * Removes dimension {@code dim} when it has size 1; otherwise returns this tensor unchanged.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a tensor of rank {@code dim() − 1}, or this tensor
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /**
     * Inserts a size-1 dimension at {@code dim} (a view when the strides allow).
     *
     * @param dim the position of the new dimension, in {@code [−dim()−1, dim()]}; negative counts from the end
     *          of the result
     * @return a tensor of rank {@code dim() + 1}
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /**
     * All dimensions flattened into one, in row-major order (a view when the strides allow).
     *
     * @return a 1-D tensor of {@link #numel()} elements (a 0-d tensor becomes shape {@code [1]})
     */
    public Tensor flatten() {
        return flatten(0, -1);
    }

    /**
     * Dimensions {@code startDim … endDim} (inclusive) flattened into one, e.g. {@code flatten(1, -1)} turns
     * {@code [N, C, H, W]} into {@code [N, C·H·W]}.
     *
     * @param startDim the first dimension merged (negative counts from the end)
     * @param endDim the last dimension merged (negative counts from the end)
     * @return a tensor of rank {@code dim() − (endDim − startDim)}
     * @throws IllegalArgumentException when a dimension is out of range or {@code startDim} comes after
     *         {@code endDim}
     */
    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    /**
     * This tensor when already row-major, else a row-major copy whose gradient passes straight through.
     *
     * @return a contiguous tensor with the same elements
     */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    /**
     * A fresh row-major copy of the elements, in a storage of its own. Differentiable: the gradient passes
     * through unchanged (unlike {@link #detach()}).
     *
     * @return a new contiguous tensor that shares nothing with this one
     */
    public Tensor clone() {
        return Views.copy(this);
    }

    /**
     * This tensor converted to {@code dtype}. Floats become int64 by truncation toward zero (NaN becomes 0);
     * bool becomes 1 or 0; converting to bool maps non-zero (and NaN) to {@code true}. Between float32 and float64 the gradient is
     * converted back; conversions to or from int64 and bool carry none.
     *
     * @param dtype the element type wanted
     * @return this tensor itself when it already has that dtype, else a new contiguous tensor
     */
    public Tensor to(DType dtype) {
        return Elementwise.cast(this, dtype);
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * {@code this + other}, elementwise with NumPy broadcasting and dtype promotion (see
     * {@link dev.descent.core.ops.Elementwise#resultType}). Each input's gradient is the output's, summed over
     * the dimensions it was broadcast along.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast, naming both and the dimension
     */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /**
     * {@code this + value}. The scalar is a 0-d tensor of this dtype when floating point, else float32, so
     * on an int64 or bool tensor the result is float32.
     *
     * @param value the scalar added to every element
     * @return a new tensor of this shape
     */
    public Tensor add(double value) {
        return Elementwise.add(this, scalarLike(value));
    }

    /**
     * {@code this − other}, elementwise with broadcasting and dtype promotion.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /**
     * {@code this − value} (float32 result for an int64 or bool tensor, as {@link #add(double)}).
     *
     * @param value the scalar subtracted from every element
     * @return a new tensor of this shape
     */
    public Tensor sub(double value) {
        return Elementwise.sub(this, scalarLike(value));
    }

    /**
     * {@code this · other}, elementwise with broadcasting and dtype promotion; d/dthis = other, d/dother = this.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /**
     * {@code this · value} (float32 result for an int64 or bool tensor, as {@link #add(double)}).
     *
     * @param value the scalar factor
     * @return a new tensor of this shape
     */
    public Tensor mul(double value) {
        return Elementwise.mul(this, scalarLike(value));
    }

    /**
     * {@code this / other}, elementwise with broadcasting and dtype promotion; d/dthis = 1/other,
     * d/dother = −this/other². When both operands are int64 (or bool) the quotient is int64, truncated toward
     * zero, unlike PyTorch's true division.
     *
     * @param other the divisor
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /**
     * {@code this / value} (float32 result for an int64 or bool tensor, as {@link #add(double)}).
     *
     * @param value the divisor
     * @return a new tensor of this shape
     */
    public Tensor div(double value) {
        return Elementwise.div(this, scalarLike(value));
    }

    /**
     * {@code −this}.
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor neg() {
        return Elementwise.neg(this);
    }

    /**
     * {@code thisᵉ} elementwise (Java's {@link Math#pow} rules: a negative base with a non-integer exponent is
     * NaN); d/dx = e·xᵉ⁻¹.
     *
     * @param exponent the power e
     * @return a new tensor of this shape (float32 for an int64 or bool tensor)
     */
    public Tensor pow(double exponent) {
        return Elementwise.pow(this, scalarLike(exponent));
    }

    /**
     * {@code this ^ exponent}, elementwise with broadcasting; d/dbase = e·baseᵉ⁻¹ and d/de = baseᵉ·ln base,
     * taken as 0 where the base is 0 (as PyTorch does).
     *
     * @param exponent the powers
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    /**
     * {@code this²}, as {@code mul(this)}.
     *
     * @return a new tensor of this shape and dtype
     */
    public Tensor square() {
        return mul(this);
    }

    /**
     * {@code eˣ} elementwise; the gradient is the output itself.
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool (convert with {@link #to(DType)})
     */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /**
     * The natural logarithm {@code ln x} (NaN below 0, −∞ at 0); d/dx = 1/x.
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /**
     * The square root {@code √x} (NaN below 0); d/dx = 1/(2√x), infinite at 0.
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    /**
     * The absolute value {@code |x|}; its gradient is sign(x), taken as 0 at the kink x = 0.
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor abs() {
        return Elementwise.abs(this);
    }

    /**
     * {@code max(x, 0)}; the gradient is 1 where x &gt; 0 and 0 elsewhere, including at the kink x = 0 (as in
     * PyTorch).
     *
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /**
     * The logistic function {@code σ(x) = 1 / (1 + e⁻ˣ)}; d/dx = σ(x)·(1 − σ(x)).
     *
     * @return a new tensor of this shape and dtype, values in [0, 1]
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    /**
     * The hyperbolic tangent; d/dx = 1 − tanh²(x).
     *
     * @return a new tensor of this shape and dtype, values in [−1, 1]
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /**
     * The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt; d/dx = 2/√π·e^{−x²}. GELU is built on it.
     *
     * @return a new tensor of this shape and dtype, values in [−1, 1]
     * @throws IllegalArgumentException when this tensor is int64 or bool
     */
    public Tensor erf() {
        return Elementwise.erf(this);
    }

    /**
     * GELU, exact form (PyTorch's default): {@code x·Φ(x)}, Φ the standard normal CDF; composed from
     * {@link #erf()} in {@link Activations#gelu}.
     *
     * @return a new tensor of this shape (float32 for an int64 or bool tensor)
     */
    public Tensor gelu() {
        return Activations.gelu(this);
    }

    /**
     * GELU, tanh approximation (PyTorch's {@code approximate="tanh"}); composed from {@link #tanh()} in
     * {@link Activations#geluTanh}.
     *
     * @return a new tensor of this shape (float32 for an int64 or bool tensor)
     */
    public Tensor geluTanh() {
        return Activations.geluTanh(this);
    }

    /**
     * The elementwise maximum, with broadcasting and dtype promotion. The gradient goes to the larger input;
     * on ties each input gets half of it.
     *
     * @param other the other operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor maximum(Tensor other) {
        return Elementwise.maximum(this, other);
    }

    /**
     * The elementwise minimum, with broadcasting and dtype promotion. The gradient goes to the smaller input;
     * on ties each input gets half of it.
     *
     * @param other the other operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor minimum(Tensor other) {
        return Elementwise.minimum(this, other);
    }

    /**
     * Values limited to [min, max]: {@code min(max(x, min), max)}. The gradient passes where
     * {@code min ≤ x ≤ max} (boundaries included) and is 0 outside.
     *
     * @param min the lower limit ({@link Double#NEGATIVE_INFINITY} for none)
     * @param max the upper limit ({@link Double#POSITIVE_INFINITY} for none)
     * @return a new tensor of this shape and dtype
     * @throws IllegalArgumentException when {@code min > max}
     */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    /**
     * Values limited to at least {@code min}: {@code max(x, min)}, gradient 1 where {@code x ≥ min}, else 0.
     *
     * @param min the lower limit
     * @return a new tensor of this shape and dtype
     */
    public Tensor clampMin(double min) {
        return Elementwise.clamp(this, min, Double.POSITIVE_INFINITY);
    }

    /**
     * Values limited to at most {@code max}: {@code min(x, max)}, gradient 1 where {@code x ≤ max}, else 0.
     *
     * @param max the upper limit
     * @return a new tensor of this shape and dtype
     */
    public Tensor clampMax(double max) {
        return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, max);
    }

    /**
     * {@code cond ? a : b} elementwise, broadcasting all three. The gradient goes to {@code a} where
     * {@code cond} holds and to {@code b} elsewhere; {@code cond} gets none.
     *
     * @param cond a bool mask, e.g. from {@link #gt(double)}
     * @param a the values where {@code cond} is true
     * @param b the values where {@code cond} is false
     * @return a new tensor of the broadcast shape, of {@code a} and {@code b}'s promoted dtype
     * @throws IllegalArgumentException when {@code cond} is not bool, or the shapes do not broadcast
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    // ---------------------------------------------------------------- comparisons (bool results, no gradient)

    /**
     * {@code this == other} elementwise, broadcasting. NaN equals nothing. Comparisons carry no gradient.
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.EQ, this, other);
    }

    /**
     * {@code this == value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor eq(double value) {
        return eq(scalarLike(value));
    }

    /**
     * {@code this != other} elementwise, broadcasting (true wherever either side is NaN).
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor ne(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.NE, this, other);
    }

    /**
     * {@code this != value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor ne(double value) {
        return ne(scalarLike(value));
    }

    /**
     * {@code this < other} elementwise, broadcasting (false where either side is NaN).
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor lt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LT, this, other);
    }

    /**
     * {@code this < value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor lt(double value) {
        return lt(scalarLike(value));
    }

    /**
     * {@code this <= other} elementwise, broadcasting (false where either side is NaN).
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor le(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LE, this, other);
    }

    /**
     * {@code this <= value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor le(double value) {
        return le(scalarLike(value));
    }

    /**
     * {@code this > other} elementwise, broadcasting (false where either side is NaN).
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor gt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GT, this, other);
    }

    /**
     * {@code this > value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor gt(double value) {
        return gt(scalarLike(value));
    }

    /**
     * {@code this >= other} elementwise, broadcasting (false where either side is NaN).
     *
     * @param other the right operand
     * @return a new bool tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public Tensor ge(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GE, this, other);
    }

    /**
     * {@code this >= value} elementwise.
     *
     * @param value the scalar compared with every element
     * @return a new bool tensor of this shape
     */
    public Tensor ge(double value) {
        return ge(scalarLike(value));
    }

    // ---------------------------------------------------------------- reductions

    /**
     * The sum of all elements. The gradient is the output's, broadcast back to every element. Sums of int64
     * and bool tensors are computed, and returned, in float64.
     *
     * @return a 0-d tensor (0 for an empty tensor)
     */
    public Tensor sum() {
        return Reductions.sum(this, new int[0], false);
    }

    /**
     * The sum over one dimension, which is removed.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a tensor of rank {@code dim() − 1}
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor sum(int dim) {
        return sum(new int[] {dim}, false);
    }

    /**
     * The sum over one dimension.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1 (so the result broadcasts against this tensor)
     * @return the sums
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    /**
     * The sum over several dimensions at once.
     *
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the sums
     * @throws IllegalArgumentException when a dimension is out of range or repeated
     */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    /**
     * The mean of all elements, {@code sum() / numel()} (NaN for an empty tensor).
     *
     * @return a 0-d tensor (float64 for an int64 or bool tensor)
     */
    public Tensor mean() {
        return Reductions.mean(this, new int[0], false);
    }

    /**
     * The mean over one dimension, which is removed.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a tensor of rank {@code dim() − 1}
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor mean(int dim) {
        return mean(new int[] {dim}, false);
    }

    /**
     * The mean over one dimension.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return the means
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /**
     * The mean over several dimensions at once: their sum divided by the number of elements reduced.
     *
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the means
     * @throws IllegalArgumentException when a dimension is out of range or repeated
     */
    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    /**
     * The largest element. Every element equal to it shares the gradient equally (as {@code torch.amax}): a
     * valid subgradient of the max.
     *
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the tensor is empty
     */
    public Tensor max() {
        return Reductions.max(this, new int[0], false);
    }

    /**
     * The maximum over one dimension, which is removed (values only: see {@link #argmax(int, boolean)} for
     * the positions). Ties share the gradient equally.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a tensor of rank {@code dim() − 1}
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor max(int dim) {
        return max(new int[] {dim}, false);
    }

    /**
     * The maximum over one dimension; ties share the gradient equally.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return the maxima
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor max(int dim, boolean keepdim) {
        return max(new int[] {dim}, keepdim);
    }

    /**
     * The maximum over several dimensions, like {@code torch.amax}; ties share the gradient equally.
     *
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the maxima
     * @throws IllegalArgumentException when a dimension is out of range, repeated, or has size 0
     */
    public Tensor max(int[] dims, boolean keepdim) {
        return Reductions.max(this, dims, keepdim);
    }

    /**
     * The smallest element. Every element equal to it shares the gradient equally.
     *
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the tensor is empty
     */
    public Tensor min() {
        return Reductions.min(this, new int[0], false);
    }

    /**
     * The minimum over one dimension, which is removed; ties share the gradient equally.
     *
     * @param dim the dimension (negative counts from the end)
     * @return a tensor of rank {@code dim() − 1}
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor min(int dim) {
        return min(new int[] {dim}, false);
    }

    /**
     * The minimum over one dimension; ties share the gradient equally.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return the minima
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor min(int dim, boolean keepdim) {
        return min(new int[] {dim}, keepdim);
    }

    /**
     * The minimum over several dimensions, like {@code torch.amin}; ties share the gradient equally.
     *
     * @param dims the dimensions (negative count from the end); empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @return the minima
     * @throws IllegalArgumentException when a dimension is out of range, repeated, or has size 0
     */
    public Tensor min(int[] dims, boolean keepdim) {
        return Reductions.min(this, dims, keepdim);
    }

    /**
     * The unbiased variance of all elements: Σ(x − mean)² / (n − 1).
     *
     * @return a 0-d tensor (NaN for a single element)
     */
    public Tensor var() {
        return Reductions.var(this, new int[0], 1, false);
    }

    /**
     * The unbiased variance (divisor n − 1) over one dimension.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return the variances
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor var(int dim, boolean keepdim) {
        return Reductions.var(this, new int[] {dim}, 1, keepdim);
    }

    /**
     * The variance Σ(x − mean)² / (n − correction) over {@code dims}, n the number of elements reduced.
     *
     * @param dims the dimensions (negative count from the end); empty means all
     * @param correction 0 for the population (biased) variance, 1 for the unbiased one
     * @param keepdim keep the reduced dimensions with size 1
     * @return the variances
     * @throws IllegalArgumentException when a dimension is out of range or repeated
     */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return Reductions.var(this, dims, correction, keepdim);
    }

    /**
     * {@code log Σ exp(x)} over {@code dim}, computed as {@code m + log Σ exp(x − m)} with m the (constant)
     * maximum, so that inputs of magnitude 1e4 do not overflow. The gradient is {@code softmax(x)}.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return the log-sum-exps
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor logsumexp(int dim, boolean keepdim) {
        return Reductions.logsumexp(this, new int[] {dim}, keepdim);
    }

    /**
     * The softmax along {@code dim}: {@code exp(x − max) / Σ exp(x − max)}, each slice along {@code dim}
     * summing to 1. Stable for logits of magnitude 1e4.
     *
     * @param dim the dimension normalised over (negative counts from the end)
     * @return a new tensor of this shape, values in [0, 1]
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    /**
     * The log of the softmax along {@code dim}, computed stably as {@code x − logsumexp(x)}. Feed it to
     * {@link dev.descent.core.ops.Losses#nllLoss}, or use {@link dev.descent.core.ops.Losses#crossEntropy} on
     * the logits directly.
     *
     * @param dim the dimension normalised over (negative counts from the end)
     * @return a new tensor of this shape, values ≤ 0
     * @throws IllegalArgumentException when {@code dim} is out of range
     */
    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    /**
     * The index of the largest element of the flattened tensor (the first on ties; a NaN counts as the
     * largest). Carries no gradient.
     *
     * @return a 0-d int64 tensor
     * @throws IllegalArgumentException when the tensor is empty
     */
    public Tensor argmax() {
        return Reductions.argmax(this.reshape(-1), 0, false);
    }

    /**
     * The indices of the maxima along {@code dim} (the first on ties; a NaN counts as the largest), e.g.
     * {@code logits.argmax(1, false)} for predicted classes. Carries no gradient.
     *
     * @param dim the dimension searched (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return an int64 tensor of positions along {@code dim}
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.argmax(this, dim, keepdim);
    }

    /**
     * The indices of the minima along {@code dim} (the first on ties; a NaN counts as the smallest). Carries no
     * gradient.
     *
     * @param dim the dimension searched (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     * @return an int64 tensor of positions along {@code dim}
     * @throws IllegalArgumentException when {@code dim} is out of range or has size 0
     */
    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.argmin(this, dim, keepdim);
    }

    // ---------------------------------------------------------------- linear algebra and indexing

    /**
     * The matrix product with {@code torch.matmul} semantics: {@code [m, k] @ [k, n] → [m, n]}; a 1-D operand is
     * a row vector on the left or a column vector on the right, and that dimension is dropped from the result
     * (1-D @ 1-D is the dot product, 0-d); operands of rank above 2 are batches of matrices whose batch
     * dimensions broadcast. Gradients: dA = dC·Bᵀ, dB = Aᵀ·dC, summed over broadcast batch dimensions.
     * int64 and bool operands are multiplied in float32.
     *
     * @param other the right operand
     * @return the product
     * @throws IllegalArgumentException when either operand is 0-d, the contracted sizes differ, or the batch
     *         dimensions do not broadcast
     */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /**
     * Picks elements along {@code dim} by index: for a 2-D tensor and {@code dim = 0},
     * {@code out[i][j] = this[index[i][j]][j]}; for {@code dim = 1}, {@code out[i][j] = this[i][index[i][j]]}
     * (so {@code logp.gather(1, labels.unsqueeze(1))} reads each row's label entry). The gradient is scattered
     * back with {@link #scatterAdd}.
     *
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 positions along {@code dim}, of this tensor's rank and no larger than it in the other
     *         dimensions
     * @return a tensor of {@code index}'s shape and this tensor's dtype
     * @throws IllegalArgumentException when {@code index} is not int64, differs in rank, or is larger than this
     *         tensor in a dimension other than {@code dim}
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size(dim))}
     */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /**
     * The slices at the given positions along {@code dim}, in index order (repeats allowed), e.g. a mini-batch
     * of rows {@code x.indexSelect(0, batchIndices)}. The gradient is added back with {@link #indexAdd}.
     *
     * @param dim the dimension indexed (negative counts from the end)
     * @param index a 1-D (or 0-d) int64 tensor of positions
     * @return a new tensor whose {@code dim} has {@code index.numel()} entries
     * @throws IllegalArgumentException when this tensor is 0-d, {@code dim} is out of range, or {@code index}
     *         is not int64 or has rank above 1
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size(dim))}
     */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /**
     * This tensor plus {@code src} scattered along {@code dim}: for {@code dim = 0},
     * {@code out[index[i][j]][j] += src[i][j]} (repeated indices add up). The adjoint of {@link #gather};
     * differentiable in this tensor and in {@code src}.
     *
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 target positions along {@code dim}, of this tensor's rank, no larger than
     *         {@code src} anywhere nor than this tensor off {@code dim}
     * @param src the values added, converted to this tensor's dtype
     * @return a new tensor of this tensor's shape (this tensor is not modified)
     * @throws IllegalArgumentException when {@code index} is not int64 or the ranks or sizes do not fit
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size(dim))}
     */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    /**
     * This tensor with slice i of {@code src} added at slice {@code index[i]} along {@code dim} (repeated
     * indices add up). The adjoint of {@link #indexSelect}; differentiable in this tensor and in {@code src}.
     *
     * @param dim the dimension indexed (negative counts from the end)
     * @param index a 1-D int64 tensor of target positions
     * @param src the slices to add: this tensor's shape with {@code dim} of size {@code index.numel()}
     * @return a new tensor of this tensor's shape (this tensor is not modified)
     * @throws IllegalArgumentException when {@code index} is not a 1-D int64 tensor or {@code src} has the wrong
     *         shape
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size(dim))}
     */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        return Indexing.indexAdd(this, dim, index, src);
    }

    /**
     * Tensors joined along an existing dimension, in list order; their dtypes promote. The gradient is cut
     * back into the pieces.
     *
     * @param tensors one or more tensors of equal rank (at least 1) whose sizes agree except along {@code dim}
     * @param dim the dimension joined along (negative counts from the end)
     * @return a new tensor whose {@code dim} is the sum of the pieces' sizes
     * @throws IllegalArgumentException when the list is empty, a tensor is 0-d, or ranks or sizes disagree
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Indexing.cat(tensors, dim);
    }

    /**
     * Tensors of one shape stacked along a new dimension: {@code n} tensors of shape {@code S} give one of
     * shape {@code S} with {@code n} inserted at {@code dim}.
     *
     * @param tensors one or more tensors of identical shape
     * @param dim where the new dimension goes, in {@code [−rank−1, rank]}
     * @return a new tensor of rank one more than the inputs
     * @throws IllegalArgumentException when the list is empty, the shapes differ, or {@code dim} is out of
     *         range
     */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Indexing.stack(tensors, dim);
    }

    /**
     * One-hot rows for the int64 class indices in this tensor: {@code out[..., c] = 1} where {@code c} is the
     * index, 0 elsewhere. Carries no gradient.
     *
     * @param numClasses the length of each one-hot row, ≥ 1
     * @return an int64 tensor of this shape plus a last dimension of {@code numClasses}
     * @throws IllegalArgumentException when this tensor is not int64 or {@code numClasses} is below 1
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, numClasses)}
     */
    public Tensor oneHot(int numClasses) {
        return Indexing.oneHot(this, numClasses);
    }

    // ---------------------------------------------------------------- in place (no graph)

    /**
     * Copies {@code src}, broadcast to this shape and converted to this dtype, into this tensor's elements (and
     * so into every view that shares them). In-place writes bypass autodiff: they are refused on a tensor that
     * requires grad while grad mode is on; optimizers write inside {@link GradMode#noGrad()}.
     *
     * @param src the values; its shape must broadcast to this one
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when {@code src}'s shape does not broadcast to this shape
     */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        Elementwise.copyInto(src, this);
        return this;
    }

    /**
     * Sets every element to {@code value} in place (converted to this dtype), bypassing autodiff.
     *
     * @param value the new value of every element
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     */
    public Tensor fill(double value) {
        checkInPlace("fill");
        if (isContiguous() && numel() == storage.size()) {
            fillStorage(value);
        } else {
            Elementwise.copyInto(scalarLike(value), this);
        }
        return this;
    }

    /**
     * Sets every element to zero in place, bypassing autodiff.
     *
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     */
    public Tensor zero() {
        return fill(0);
    }

    /**
     * {@code this += other} in place ({@code other} broadcast to this shape, converted to this dtype), bypassing
     * autodiff.
     *
     * @param other the values to add
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when {@code other}'s shape does not broadcast to this shape
     */
    public Tensor addInPlace(Tensor other) {
        checkInPlace("addInPlace");
        Elementwise.addInto(this, other);
        return this;
    }

    /**
     * {@code this += alpha · other} in place (PyTorch's {@code add_(other, alpha=…)}), bypassing autodiff: the
     * optimizers' update step.
     *
     * @param other the values to add, broadcast to this shape
     * @param alpha the factor applied to {@code other} first
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when {@code other}'s shape does not broadcast to this shape
     */
    public Tensor addInPlace(Tensor other, double alpha) {
        return addInPlace(alpha == 1 ? other : detachedScale(other, alpha));
    }

    /**
     * {@code this *= other} in place ({@code other} broadcast to this shape), bypassing autodiff.
     *
     * @param other the factors
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when {@code other}'s shape does not broadcast to this shape
     */
    public Tensor mulInPlace(Tensor other) {
        checkInPlace("mulInPlace");
        Elementwise.mulInto(this, other);
        return this;
    }

    /**
     * {@code this *= value} in place, bypassing autodiff.
     *
     * @param value the factor
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     */
    public Tensor mulInPlace(double value) {
        return mulInPlace(scalarLike(value));
    }

    private Tensor detachedScale(Tensor other, double alpha) {
        try (var _ = GradMode.noGrad()) {
            return other.mul(alpha);
        }
    }

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place change of a tensor that requires grad; do it inside GradMode.noGrad()"
                    + (name != null ? " (tensor '" + name + "')" : ""));
        }
    }

    private void fillStorage(double value) {
        switch (dtype()) {
            case FLOAT32 -> Arrays.fill(storage.floats(), offset, offset + numel(), (float) value);
            case FLOAT64 -> Arrays.fill(storage.doubles(), offset, offset + numel(), value);
            case INT64 -> Arrays.fill(storage.longs(), offset, offset + numel(), (long) value);
            case BOOL -> Arrays.fill(storage.bools(), offset, offset + numel(), value != 0);
        }
    }

    // ---------------------------------------------------------------- reading values

    /**
     * A 0-d constant to combine with this tensor: of this tensor's dtype when it is floating point, else
     * float32. It does not require grad.
     *
     * @param value the scalar
     * @return a new 0-d tensor
     */
    public Tensor scalarLike(double value) {
        return scalar(value, dtype().isFloatingPoint() ? dtype() : DType.FLOAT32);
    }

    /**
     * The value of a one-element tensor, as a double (bool: 1 or 0), e.g. {@code loss.item()}.
     *
     * @return the single element
     * @throws IllegalStateException when the tensor does not have exactly one element
     */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item(): expects one element, the tensor has shape " + Shape.format(shape));
        return storage.getDouble(offset);
    }

    /**
     * The element at one position, as a double (bool: 1 or 0; int64 beyond 2⁵³ is rounded).
     *
     * @param index one coordinate per dimension; negative counts from the end
     * @return the element
     * @throws IllegalArgumentException when the number of coordinates differs from {@link #dim()}
     * @throws IndexOutOfBoundsException when a coordinate is out of range
     */
    public double get(int... index) {
        return storage.getDouble(flatIndex(index));
    }

    /**
     * The element at one position, as a long (floats truncated toward zero; bool: 1 or 0).
     *
     * @param index one coordinate per dimension; negative counts from the end
     * @return the element
     * @throws IllegalArgumentException when the number of coordinates differs from {@link #dim()}
     * @throws IndexOutOfBoundsException when a coordinate is out of range
     */
    public long getLong(int... index) {
        return storage.getLong(flatIndex(index));
    }

    /**
     * Sets the element at one position: a raw write that records nothing.
     *
     * @param value the new value, converted to this dtype
     * @param index one coordinate per dimension; negative counts from the end
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when the number of coordinates differs from {@link #dim()}
     * @throws IndexOutOfBoundsException when a coordinate is out of range
     */
    public void set(double value, int... index) {
        checkInPlace("set");
        storage.setDouble(flatIndex(index), value);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length + " coordinates for a tensor of shape " + Shape.format(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            int k = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (k < 0 || k >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + index[i] + " out of range for dim " + i + " of size " + shape[i] + " (shape " + Shape.format(shape) + ")");
            }
            p += k * strides[i];
        }
        return p;
    }

    /**
     * The elements in row-major order, converted to float.
     *
     * @return a new array of {@link #numel()} floats
     */
    public float[] toFloatArray() {
        Tensor c = to(DType.FLOAT32).contiguous();
        return Arrays.copyOfRange(c.storage.floats(), c.offset, c.offset + c.numel());
    }

    /**
     * The elements in row-major order, converted to double.
     *
     * @return a new array of {@link #numel()} doubles
     */
    public double[] toDoubleArray() {
        Tensor c = to(DType.FLOAT64).contiguous();
        return Arrays.copyOfRange(c.storage.doubles(), c.offset, c.offset + c.numel());
    }

    /**
     * The elements in row-major order, converted to long (floats truncated toward zero).
     *
     * @return a new array of {@link #numel()} longs
     */
    public long[] toLongArray() {
        Tensor c = to(DType.INT64).contiguous();
        return Arrays.copyOfRange(c.storage.longs(), c.offset, c.offset + c.numel());
    }

    /**
     * The elements in row-major order, converted to boolean (non-zero is true).
     *
     * @return a new array of {@link #numel()} booleans
     */
    public boolean[] toBooleanArray() {
        Tensor c = to(DType.BOOL).contiguous();
        return Arrays.copyOfRange(c.storage.bools(), c.offset, c.offset + c.numel());
    }

    /**
     * True when both have the same shape, dtype and elements, bit for bit as {@link java.util.Arrays#equals}
     * compares them: NaN equals NaN, and 0.0 differs from −0.0. Strides may differ.
     *
     * @param other the tensor to compare with
     * @return whether the two hold the same values
     */
    public boolean contentEquals(Tensor other) {
        if (other.dtype() != dtype() || !Arrays.equals(other.shape, shape)) return false;
        return switch (dtype()) {
            case FLOAT32 -> Arrays.equals(toFloatArray(), other.toFloatArray());
            case FLOAT64 -> Arrays.equals(toDoubleArray(), other.toDoubleArray());
            case INT64 -> Arrays.equals(toLongArray(), other.toLongArray());
            case BOOL -> Arrays.equals(toBooleanArray(), other.toBooleanArray());
        };
    }

    /**
     * True when the shapes match and {@code |a − b| ≤ atol + rtol·|b|} everywhere, as {@code numpy.allclose}
     * ({@code b} is {@code other}). NaNs must sit at the same places; equal infinities match. The dtypes may
     * differ.
     *
     * @param other the reference values
     * @param rtol the relative tolerance
     * @param atol the absolute tolerance
     * @return whether every element is close
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (!Arrays.equals(other.shape, shape)) return false;
        double[] a = toDoubleArray(), b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) || Double.isNaN(b[i])) {
                if (Double.isNaN(a[i]) != Double.isNaN(b[i])) return false;
                continue;
            }
            if (a[i] == b[i]) continue; // equal infinities
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
