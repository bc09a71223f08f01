package dev.descent.core;

import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.Engine;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.autograd.HookHandle;
import dev.descent.core.autograd.Node;
import dev.descent.core.ops.Activations;
import dev.descent.core.ops.Elementwise;
import dev.descent.core.ops.Indexing;
import dev.descent.core.ops.LinearAlgebra;
import dev.descent.core.ops.Reductions;
import dev.descent.core.ops.Softmax;
import dev.descent.core.ops.Sorting;
import dev.descent.core.ops.Views;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * An n-dimensional array that records the ops applied to it, so that gradients can flow back.
 *
 * <p>A tensor is a view: a {@link Storage} (one flat on-heap array), an offset into it, a shape and
 * strides. Reshape, permute, transpose, narrow, expand, squeeze and unsqueeze return views that share
 * the storage; {@link #contiguous()} copies only when the view is not already row-major. An op whose inputs
 * require a gradient (and grad mode on) records a {@link Node}; {@link #backward()} walks those nodes in
 * reverse.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.mul(x).add(x.exp());   // y = x² + eˣ
 * y.backward();                       // x.grad() = 2x + eˣ
 * }</pre>
 *
 * <p>The contract of the op methods, stated once here:
 * <ul>
 *   <li>Each op method states what it returns; the ops function it runs (linked from it) carries the math
 *       and the backward rule. Results are new tensors unless the method says view or "this tensor".
 *   <li>Binary ops broadcast by NumPy's rules and promote dtypes (float64 over float32 over float16 and bfloat16
 *       over the integers over bool, {@link DType#promote}, {@link Elementwise#resultType}); shapes that do not broadcast throw {@link IllegalArgumentException}
 *       naming both shapes and the dimension. A {@code double} operand is {@link #scalarLike}{@code (value)}:
 *       of this dtype when floating point, else float32 (so {@code intTensor.add(1.5)} is float32).
 *   <li>The unary functions {@code neg}, {@code exp}, {@code log}, {@code sqrt}, {@code abs}, {@code relu},
 *       {@code sigmoid}, {@code tanh} and {@code erf} keep shape and dtype and throw
 *       {@link IllegalArgumentException} on an integer or bool tensor (convert with {@link #to(DType)}).
 *   <li>Half precision ({@link DType#FLOAT16}, {@link DType#BFLOAT16}): every op method here, and the layer ops of
 *       {@code dev.descent.core.ops} (convolution, pooling, normalization, attention, losses), computes in float32 on
 *       the widened inputs and rounds its floating-point result to the half dtype on store, so its result equals the
 *       float32 op on the same values, rounded once; the gradient flows back in the half dtype. A {@code double}
 *       operand is rounded to the half dtype first ({@link #scalarLike}). The in-place methods write through a float32
 *       computation too. Only {@code Linalg}'s decompositions ({@code solve}, {@code inverse}, {@code det},
 *       {@code slogdet}, {@code cholesky}, {@code qr}, {@code eigh}, {@code svd}) refuse half tensors, with an
 *       {@link IllegalArgumentException} naming the op and the dtype and saying to call {@code to(DType.FLOAT32)};
 *       optimizers refuse half parameters the same way.
 *   <li>Integer dtypes other than int64 ({@code INT32}, {@code INT8}, {@code UINT8}) support views, copies,
 *       indexing, comparisons and {@link #to}; arithmetic on integers computes in int64 and returns int64 (PyTorch
 *       keeps the narrower type).
 *   <li>A dimension argument may be negative, counting from the end; out of range, or repeated, it throws
 *       {@link IllegalArgumentException}. {@code keepdim} keeps each reduced dimension with size 1, so the
 *       result broadcasts against this tensor; without it the dimension is removed.
 *   <li>The in-place methods ({@code copyFrom}, {@code fill}, {@code zero}, {@code addInPlace},
 *       {@code mulInPlace}, {@code set}) write through every view of the storage, record nothing, and throw
 *       {@link IllegalStateException} on a tensor that requires grad while grad mode is on (optimizers write
 *       inside {@link GradMode#noGrad()}).
 * </ul>
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
    private List<UnaryOperator<Tensor>> gradHooks; // null until a hook is registered (copy-on-write)
    private boolean retainsGrad;
    private Tensor tangent; // forward mode: d(this)/dε along the dual inputs' directions, or null

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
     * A view of an existing storage, recording nothing (PyTorch's {@code as_strided}): the low-level constructor
     * behind every view op. Element {@code [i0, i1, …]} is {@code storage[offset + Σ iₖ·strides[k]]}.
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
     * {@return a new contiguous (row-major) tensor of zeros} Like every factory here, the result does not require
     * grad, and none or an empty {@code shape} gives a 0-d (scalar) tensor.
     *
     * @param dtype the element type
     * @param shape the size of each dimension
     * @throws IllegalArgumentException when a size is negative or the shape holds more than 2³¹ − 1 elements (for
     *         every factory taking a shape)
     */
    public static Tensor zeros(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), 0, shape, Shape.contiguousStrides(shape));
    }

    /**
     * {@return a new contiguous tensor whose contents are unspecified} (PyTorch's {@code empty}), for an op that
     * writes every element: zeros when the array is new, a previous step's values when a {@link Workspace}
     * recycled it.
     *
     * @param dtype the element type
     * @param shape the size of each dimension
     */
    public static Tensor empty(DType dtype, int... shape) {
        return new Tensor(Storage.allocateUninitialized(dtype, Shape.numel(shape)), 0, shape, Shape.contiguousStrides(shape));
    }

    /**
     * {@return {@link #zeros(DType, int...)} in float32}
     *
     * @param shape the size of each dimension
     */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /**
     * {@return a new contiguous tensor of ones} ({@code true} for bool)
     *
     * @param dtype the element type
     * @param shape the size of each dimension
     */
    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    /**
     * {@return {@link #ones(DType, int...)} in float32}
     *
     * @param shape the size of each dimension
     */
    public static Tensor ones(int... shape) {
        return ones(DType.FLOAT32, shape);
    }

    /**
     * {@return a new contiguous tensor with every element {@code value}} converted to {@code dtype} (truncated
     * toward zero for int64; non-zero is {@code true} for bool).
     *
     * @param value the fill value
     * @param dtype the element type
     * @param shape the size of each dimension
     */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (value != 0) t.fillStorage(value);
        return t;
    }

    /**
     * {@return {@link #full(double, DType, int...)} in float32}
     *
     * @param value the fill value (rounded to float32)
     * @param shape the size of each dimension
     */
    public static Tensor full(double value, int... shape) {
        return full(value, DType.FLOAT32, shape);
    }

    /**
     * {@return zeros with the dtype and shape of {@code t}} (contiguous, whatever {@code t}'s strides)
     *
     * @param t the tensor whose dtype and shape to copy
     */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype(), t.shape);
    }

    /**
     * {@return ones with the dtype and shape of {@code t}}
     *
     * @param t the tensor whose dtype and shape to copy
     */
    public static Tensor onesLike(Tensor t) {
        return ones(t.dtype(), t.shape);
    }

    /**
     * {@return {@code value} everywhere, with the dtype and shape of {@code t}}
     *
     * @param t the tensor whose dtype and shape to copy
     * @param value the fill value, converted to {@code t}'s dtype
     */
    public static Tensor fullLike(Tensor t, double value) {
        return full(value, t.dtype(), t.shape);
    }

    /**
     * {@return a 0-d float64 tensor} Java's {@code double} literal gives float64, so {@code Tensor.of(2.0)} is
     * exact enough for gradient checks; {@code Tensor.of(2f)} gives float32.
     *
     * @param value the scalar
     */
    public static Tensor of(double value) {
        return scalar(value, DType.FLOAT64);
    }

    /**
     * {@return a 0-d float32 tensor ({@code Tensor.of(2f)})}
     *
     * @param value the scalar
     */
    public static Tensor of(float value) {
        return scalar(value, DType.FLOAT32);
    }

    /**
     * {@return a 0-d tensor of {@code dtype} holding {@code value}}
     *
     * @param value the scalar, converted to {@code dtype}
     * @param dtype the element type
     */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /**
     * {@return a contiguous float32 tensor over a copy of {@code data}, read in row-major order}
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements (for
     *         every {@code of} taking an array)
     */
    public static Tensor of(float[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * {@return a float64 tensor over a copy of {@code data}, as {@link #of(float[], int...)}}
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     */
    public static Tensor of(double[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * {@return an int64 tensor (labels, indices) over a copy of {@code data}, as {@link #of(float[], int...)}}
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     */
    public static Tensor of(long[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * {@return an int64 tensor from {@code int} values, as {@code torch.tensor([1, 2])} is int64} The index and
     * label type, without writing {@code long[]}; the same as {@link #ofIndices}.
     *
     * @param data the elements (copied, widened to long)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(int[] data, int... shape) {
        return ofIndices(data, shape);
    }

    /**
     * {@return an int64 tensor from {@code int} values}: the index and label type, without writing
     * {@code long[]}.
     *
     * @param data the elements (copied, widened to long)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     * @throws IllegalArgumentException when the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor ofIndices(int[] data, int... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return fromStorage(Storage.of(l), l.length, shape);
    }

    /**
     * {@return a bool tensor (a mask for {@link #where}) over a copy of {@code data}, as {@link #of(float[], int...)}}
     *
     * @param data the elements (copied)
     * @param shape the size of each dimension; none means 1-D of length {@code data.length}
     */
    public static Tensor of(boolean[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /**
     * {@return a float64 matrix {@code [rows.length, rows[0].length]} from rows of equal length}
     *
     * @param rows the rows (copied); no rows gives shape {@code [0, 0]}
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
     * {@return {@code [0, 1, …, end − 1]} as int64, like {@code torch.arange(end)}} Empty when {@code end ≤ 0}.
     *
     * @param end one past the last value
     */
    public static Tensor arange(int end) {
        long[] v = new long[Math.max(end, 0)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return of(v);
    }

    /**
     * {@return {@code start, start + step, start + 2·step, …} up to but excluding {@code end}} (down to, for a
     * negative step): {@code ⌈(end − start)/step⌉} values, each computed as {@code start + i·step} (no accumulated
     * rounding); empty when {@code step} points away from {@code end}.
     *
     * @param start the first value
     * @param end the bound, never reached
     * @param step the spacing, positive or negative
     * @param dtype the element type (int64 truncates each value toward zero)
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
     * {@return {@link #arange(double, double, double, DType)} in float32}
     *
     * @param start the first value
     * @param end the bound, never reached
     * @param step the spacing, positive or negative
     */
    public static Tensor arange(double start, double end, double step) {
        return arange(start, end, step, DType.FLOAT32);
    }

    /**
     * {@return the n×n identity matrix}
     *
     * @param n the number of rows and columns
     * @param dtype the element type
     */
    public static Tensor eye(int n, DType dtype) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.storage.setDouble(i * n + i, 1);
        return t;
    }

    /**
     * {@return uniform values in [0, 1): {@link #uniform uniform(0, 1, dtype, rng, shape)}}
     *
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     */
    public static Tensor rand(DType dtype, RandomGenerator rng, int... shape) {
        return uniform(0, 1, dtype, rng, shape);
    }

    /**
     * {@return {@link #rand(DType, RandomGenerator, int...)} in float32}
     *
     * @param rng the source of randomness
     * @param shape the size of each dimension
     */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        return rand(DType.FLOAT32, rng, shape);
    }

    /**
     * {@return uniform values {@code lo + (hi − lo)·u}} with one {@code u = rng.nextDouble()} per element in
     * row-major order, so a seeded generator gives the same tensor on every run (the same holds for
     * {@link #randn}).
     *
     * @param lo the lower bound (inclusive)
     * @param hi the upper bound (exclusive, unless equal to {@code lo})
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @throws IllegalArgumentException when {@code lo > hi} or either is NaN, or when a size is negative
     */
    public static Tensor uniform(double lo, double hi, DType dtype, RandomGenerator rng, int... shape) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform: need lo <= hi, was lo=" + lo + ", hi=" + hi);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    /**
     * {@return standard normal values} (mean 0, variance 1), one {@code rng.nextGaussian()} per element in
     * row-major order
     *
     * @param dtype the element type
     * @param rng the source of randomness
     * @param shape the size of each dimension
     */
    public static Tensor randn(DType dtype, RandomGenerator rng, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, rng.nextGaussian());
        return t;
    }

    /**
     * {@return {@link #randn(DType, RandomGenerator, int...)} in float32}
     *
     * @param rng the source of randomness
     * @param shape the size of each dimension
     */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        return randn(DType.FLOAT32, rng, shape);
    }


    // ---------------------------------------------------------------- what it is

    /** {@return the element type (that of the storage)} */
    public DType dtype() {
        return storage.dtype();
    }

    /** {@return a copy of the shape, outermost dimension first (empty for a 0-d tensor)} */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * {@return the size of dimension {@code dim}}
     *
     * @param dim the dimension ({@code -1} is the last)
     */
    public int size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length)];
    }

    /**
     * {@return the shape as an unmodifiable list, PyTorch's {@code x.size()}} It prints as {@code [2, 3]} and equals
     * {@code List.of(2, 3)}; {@link #shape()} gives the same sizes as an {@code int[]}. Not the element count: that
     * is {@link #numel()}.
     */
    public List<Integer> size() {
        return Arrays.stream(shape).boxed().toList();
    }

    /** {@return the number of dimensions (0 for a scalar)} */
    public int dim() {
        return shape.length;
    }

    /** {@return the number of elements, the product of the shape (1 for a 0-d tensor)} */
    public int numel() {
        return Shape.numel(shape);
    }

    /** {@return a copy of the strides, in storage elements per step along each dimension (0 on a broadcast one)} */
    public int[] strides() {
        return strides.clone();
    }

    /**
     * {@return the stride of dimension {@code dim}, in storage elements}
     *
     * @param dim the dimension
     */
    public int stride(int dim) {
        return strides[Shape.normalizeDim("stride", dim, shape.length)];
    }

    /** {@return where element {@code [0, …, 0]} sits in {@link #storage()}} */
    public int storageOffset() {
        return offset;
    }

    /**
     * {@return the flat array behind this view (not a copy)} Writing through it bypasses autodiff and the in-place
     * checks.
     */
    public Storage storage() {
        return storage;
    }

    /**
     * {@return whether the elements are row-major without gaps} Kernels take their fast path then; size-1
     * dimensions are ignored, whatever their stride.
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
     * {@return whether gradients flow to or through this tensor}: a leaf marked with {@link #requiresGrad(boolean)},
     * a {@link Parameter}, or the output of an op recorded on such tensors.
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf as wanting a gradient: {@link #backward()} then accumulates into its {@link #grad()}.
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
     * {@return whether no recorded op produced this tensor} (created directly, a {@link Parameter}, or detached);
     * only leaves receive {@link #grad()}.
     */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** {@return the recorded op that produced this tensor, or null for a leaf} */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * {@return the gradient d(root)/d(this) accumulated into this leaf, or null} Repeated backward calls add to
     * it. Interior tensors get one only after {@link #retainGrad()}; otherwise use {@link Autograd#grad} for those.
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the gradient, e.g. after clipping or an all-reduce; it is kept past the end of a {@link Workspace}
     * scope.
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
     * Registers a hook called with this tensor's gradient each time a backward pass computes it in full (for a leaf,
     * before it is added to {@link #grad()}), as PyTorch's {@code Tensor.register_hook}. The hook may read the gradient,
     * or return a replacement of the same shape that the pass uses from then on (to clip or mask it); returning
     * {@code null} keeps it. Hooks run in registration order, each on the previous one's result, during
     * {@link #backward()} and {@link Autograd#grad} alike.
     *
     * <pre>{@code
     * Tensor h = x.matmul(w).requiresGrad(true);
     * h.registerHook(g -> { System.out.println(g.square().sum().sqrt().item()); return null; });  // read
     * w.registerHook(g -> g.clamp(-1, 1));                                                        // replace
     * }</pre>
     *
     * @param hook gradient in, replacement or {@code null} out
     * @return a handle whose {@code remove()} unregisters the hook
     * @throws IllegalStateException when this tensor does not require grad (no gradient will ever reach it)
     */
    public HookHandle registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) throw new IllegalStateException("registerHook on a tensor that does not require grad: no gradient will reach it");
        java.util.Objects.requireNonNull(hook, "hook");
        List<UnaryOperator<Tensor>> next = gradHooks == null ? new ArrayList<>() : new ArrayList<>(gradHooks);
        next.add(hook);
        gradHooks = List.copyOf(next);
        return () -> {
            List<UnaryOperator<Tensor>> current = gradHooks;
            if (current == null) return;
            List<UnaryOperator<Tensor>> rest = new ArrayList<>(current);
            for (int i = 0; i < rest.size(); i++) {
                if (rest.get(i) == hook) {
                    rest.remove(i);
                    break;
                }
            }
            gradHooks = rest.isEmpty() ? null : List.copyOf(rest);
        };
    }

    /**
     * {@return the gradient hooks registered on this tensor, in order (empty when none)} Read by the autograd
     * engine; register with {@link #registerHook}.
     */
    public List<UnaryOperator<Tensor>> gradHooks() {
        return gradHooks == null ? List.of() : gradHooks;
    }

    /**
     * Keeps this interior tensor's gradient in {@link #grad()} during {@link #backward()}, as PyTorch's
     * {@code retain_grad()}: useful to look at an activation's gradient. A leaf keeps its gradient anyway.
     *
     * @return this tensor
     * @throws IllegalStateException when this tensor does not require grad
     */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad on a tensor that does not require grad");
        retainsGrad = true;
        return this;
    }

    /** {@return whether {@link #backward()} stores this tensor's gradient in {@link #grad()}: a leaf, or after {@link #retainGrad()}} */
    public boolean retainsGrad() {
        return retainsGrad || gradFn == null;
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
     * {@return the display name, or null} It shows in graph pictures, summaries and error messages; parameters
     * carry their module path, e.g. {@code "0.weight"}.
     */
    public String name() {
        return name;
    }

    /**
     * {@return this tensor, after setting its display name}
     *
     * @param name the name, or null for none
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
     * {@return the forward-mode tangent this tensor carries, or null (a zero tangent)} See {@link ForwardAD}.
     */
    public Tensor tangent() {
        return tangent;
    }

    /**
     * Internal to the autodiff engine: how {@link Autograd#record} and {@link ForwardAD#dual} attach a forward-mode
     * tangent to an op's output. Public only because they live in another package; ops never call it.
     *
     * @param t the tangent, of this tensor's shape and dtype
     */
    public void attachTangent(Tensor t) {
        this.tangent = t;
    }

    /**
     * Back-propagates from this one-element tensor (usually a loss): adds d(this)/d(leaf) into the
     * {@link #grad()} of every leaf that requires grad and that this tensor depends on.
     * {@link dev.descent.core.autograd.Engine} does the walk.
     *
     * <p>The graph is kept, so a second call adds the gradients again: always what PyTorch does with
     * {@code retain_graph=True}, where PyTorch without it raises. There is no {@code retainGraph} flag because
     * there is nothing to free: the graph's saved tensors are collected once the graph is unreachable (and a
     * {@link Workspace} scope recycles them per step), and double backward, {@code Autograd.grad}'s Jacobian rows
     * and gradient checking walk one graph several times. What stays the caller's: clear gradients between steps
     * ({@code zeroGrad}), and compute the loss anew after an optimizer step, since a graph whose inputs were
     * changed in place gives stale gradients.
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
     * {@link #backward(Tensor)}; with {@code createGraph} the backward rules run with grad mode on, so the
     * accumulated gradients are themselves recorded and can be differentiated again (Hessian-vector products).
     *
     * @param gradient the gradient of this tensor's shape; null for a one-element tensor
     * @param createGraph whether to record the backward computation
     */
    public void backward(Tensor gradient, boolean createGraph) {
        Engine.backward(this, gradient, createGraph);
    }

    /**
     * {@return the same data cut from the graph}: a new leaf sharing this tensor's storage and view, with no
     * graph node, gradient, tangent or name, that does not require grad.
     */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    // ---------------------------------------------------------------- views

    /**
     * {@return the same elements in row-major order as {@code newShape}}: a view when the strides allow, else a
     * copy (like {@code torch.reshape}); this tensor itself when the shape is unchanged. Runs {@link Views#reshape}.
     *
     * @param newShape the sizes; one of them may be {@code -1}, inferred from the element count
     * @throws IllegalArgumentException when the shape does not hold exactly {@link #numel()} elements, holds
     *         more than one {@code -1}, or has another negative size
     */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /**
     * {@return a view of {@code newShape}}: like {@link #reshape} but never copies. Runs {@link Views#view}.
     *
     * @param newShape the sizes; one of them may be {@code -1}
     * @throws IllegalArgumentException when the shape does not hold exactly {@link #numel()} elements, or when
     *         the strides do not allow a view (call {@link #reshape} or {@link #contiguous()} first)
     */
    public Tensor view(int... newShape) {
        return Views.view(this, newShape);
    }

    /**
     * {@return a view with the dimensions reordered}: result dimension i is this tensor's dimension
     * {@code order[i]}. Runs {@link Views#permute}.
     *
     * @param order a permutation of {@code 0 … dim()−1}
     */
    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    /**
     * {@return a view with two dimensions swapped} Runs {@link Views#transpose}.
     *
     * @param dim0 one dimension
     * @param dim1 the other
     */
    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /**
     * {@return the transpose of a matrix (a view); a vector or scalar as is}
     *
     * @throws IllegalArgumentException when the rank is above 2
     */
    public Tensor t() {
        if (shape.length > 2) throw new IllegalArgumentException("t(): expects a tensor of rank <= 2, got shape " + Shape.format(shape));
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /**
     * {@return a view of elements {@code start … start+length−1} along {@code dim}} Runs {@link Views#narrow}.
     *
     * @param dim the dimension
     * @param start the first index kept; negative counts from the end
     * @param length how many to keep, ≥ 0
     * @throws IllegalArgumentException when the range does not fit inside the dimension
     */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /**
     * {@return a view of elements {@code start, start+step, …} below {@code end} along {@code dim}} (Python's
     * {@code x[start:end:step]}): negative bounds count from the end, and bounds past either end are clamped.
     * Runs {@link Views#slice}.
     *
     * @param dim the dimension
     * @param start the first index (inclusive)
     * @param end the bound (exclusive)
     * @param step the spacing, ≥ 1
     * @throws IllegalArgumentException when {@code step} is below 1
     */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    /**
     * {@return a view of the slice at {@code index} along {@code dim}, that dimension removed} (Python's
     * {@code x[..., index, ...]}). Runs {@link Views#select}.
     *
     * @param dim the dimension
     * @param index the position along it; negative counts from the end
     * @throws IndexOutOfBoundsException when {@code index} is out of range for that dimension
     */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    /**
     * {@return a view broadcast to {@code newShape}}: size-1 dimensions are stretched (stride 0) and new leading
     * dimensions added, without copying (so do not write into it); this tensor itself when nothing changes.
     * Runs {@link Views#expand}.
     *
     * @param newShape the target shape, of at least this rank; {@code -1} keeps an existing size
     * @throws IllegalArgumentException when {@code newShape} has fewer dimensions, uses {@code -1} for a new
     *         leading dimension, or asks to change a dimension whose size is not 1
     */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    /**
     * {@return {@link #expand} to {@code other}'s shape}
     *
     * @param other the tensor whose shape to broadcast to
     */
    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** {@return this tensor without its size-1 dimensions (a view when the strides allow)} Runs {@link Views#squeeze}. */
    public Tensor squeeze() {
        return Views.squeeze(this);
    }

    /**
     * {@return this tensor without dimension {@code dim} when it has size 1, else this tensor}
     *
     * @param dim the dimension
     */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /**
     * {@return this tensor with a size-1 dimension inserted at {@code dim} (a view when the strides allow)}
     * Runs {@link Views#unsqueeze}.
     *
     * @param dim the position of the new dimension in the result, in {@code [−dim()−1, dim()]}
     */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** {@return all dimensions flattened into one, in row-major order} (a 0-d tensor becomes shape {@code [1]}) */
    public Tensor flatten() {
        return flatten(0, -1);
    }

    /**
     * {@return dimensions {@code startDim … endDim} (inclusive) flattened into one}, e.g. {@code flatten(1, -1)}
     * turns {@code [N, C, H, W]} into {@code [N, C·H·W]}. Runs {@link Views#flatten}.
     *
     * @param startDim the first dimension merged
     * @param endDim the last dimension merged
     */
    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    /** {@return this tensor when already row-major, else a row-major copy} Runs {@link Views#contiguous}. */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    /**
     * {@return a fresh row-major copy in a storage of its own}; differentiable, unlike {@link #detach()}.
     * Runs {@link Views#copy}.
     */
    public Tensor clone() {
        return Views.copy(this);
    }

    /**
     * {@return this tensor converted to {@code dtype}; itself when it already has that dtype} Between any two of the
     * nine dtypes, as PyTorch converts: floats round to the nearest value of a narrower float (ties to even; float64 to
     * float16 or bfloat16 through float32; NaN stays NaN, overflow gives ±∞); floats become integers by truncation
     * toward zero, and out of range (or NaN, ±∞) they follow one documented rule, not C's undefined behaviour:
     * truncate to int64 with Java's saturating conversion (NaN gives 0), then keep the low bits of the target's width,
     * so 300.0 becomes INT8 44 and −1.0 becomes UINT8 255; integers narrow by keeping their low bits; bool becomes 1 or
     * 0; converting to bool maps non-zero (and NaN) to {@code true}. A conversion between two floating dtypes (half
     * included) is differentiable: the gradient is converted back. Runs {@link Elementwise#cast}.
     *
     * @param dtype the element type wanted
     */
    public Tensor to(DType dtype) {
        return Elementwise.cast(this, dtype);
    }

    // ---------------------------------------------------------------- elementwise

    /**
     * {@return {@code this + other}, broadcast and promoted} Runs {@link Elementwise#add}.
     *
     * @param other the right operand
     */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /**
     * {@return {@code this + value}}
     *
     * @param value the scalar added to every element
     */
    public Tensor add(double value) {
        return Elementwise.add(this, scalarLike(value));
    }

    /**
     * {@return {@code this − other}, broadcast and promoted} Runs {@link Elementwise#sub}.
     *
     * @param other the right operand
     */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /**
     * {@return {@code this − value}}
     *
     * @param value the scalar subtracted from every element
     */
    public Tensor sub(double value) {
        return Elementwise.sub(this, scalarLike(value));
    }

    /**
     * {@return {@code this · other}, broadcast and promoted} Runs {@link Elementwise#mul}.
     *
     * @param other the right operand
     */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /**
     * {@return {@code this · value}}
     *
     * @param value the scalar factor
     */
    public Tensor mul(double value) {
        return Elementwise.mul(this, scalarLike(value));
    }

    /**
     * {@return {@code this / other}, broadcast and promoted} Two int64 (or bool) operands give an int64 quotient
     * truncated toward zero, unlike PyTorch's true division. Runs {@link Elementwise#div}.
     *
     * @param other the divisor
     */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /**
     * {@return {@code this / value}}
     *
     * @param value the divisor
     */
    public Tensor div(double value) {
        return Elementwise.div(this, scalarLike(value));
    }

    /** {@return {@code −this}} Runs {@link Elementwise#neg}. */
    public Tensor neg() {
        return Elementwise.neg(this);
    }

    /**
     * {@return {@code thisᵉ}} by {@link Math#pow}'s rules (a negative base with a non-integer exponent gives NaN)
     *
     * @param exponent the power e
     */
    public Tensor pow(double exponent) {
        return Elementwise.pow(this, scalarLike(exponent));
    }

    /**
     * {@return {@code this ^ exponent}, broadcast and promoted} Runs {@link Elementwise#pow}.
     *
     * @param exponent the powers
     */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** {@return {@code this²}, as {@code mul(this)}} */
    public Tensor square() {
        return mul(this);
    }

    /** {@return {@code eˣ}} Runs {@link Elementwise#exp}. */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /** {@return the natural logarithm {@code ln x} (NaN below 0, −∞ at 0)} Runs {@link Elementwise#log}. */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /** {@return the square root {@code √x} (NaN below 0)} Runs {@link Elementwise#sqrt}. */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    /** {@return the absolute value {@code |x|}} Runs {@link Elementwise#abs}. */
    public Tensor abs() {
        return Elementwise.abs(this);
    }

    /** {@return {@code max(x, 0)}} Runs {@link Elementwise#relu}. */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /** {@return the logistic function {@code σ(x) = 1 / (1 + e⁻ˣ)}, in [0, 1]} Runs {@link Elementwise#sigmoid}. */
    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    /** {@return the hyperbolic tangent, in [−1, 1]} Runs {@link Elementwise#tanh}. */
    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /** {@return the error function {@code erf(x) = 2/√π ∫₀ˣ e^{−t²} dt}, in [−1, 1]} Runs {@link Elementwise#erf}. */
    public Tensor erf() {
        return Elementwise.erf(this);
    }

    /**
     * {@return GELU, exact form (PyTorch's default): {@code x·Φ(x)}, Φ the standard normal CDF} Unlike the
     * unary primitives it accepts int64 and bool, giving float32. Runs {@link Activations#gelu}.
     */
    public Tensor gelu() {
        return Activations.gelu(this);
    }

    /**
     * {@return GELU, tanh approximation (PyTorch's {@code approximate="tanh"})} float32 for an int64 or bool
     * tensor. Runs {@link Activations#geluTanh}.
     */
    public Tensor geluTanh() {
        return Activations.geluTanh(this);
    }

    /**
     * {@return hard swish, {@code x·min(max(x + 3, 0), 6) / 6} (PyTorch's {@code hardswish})} One pass; float32 or
     * float64 (half dtypes compute in float32). Runs {@link Activations#hardswish}.
     */
    public Tensor hardswish() {
        return Activations.hardswish(this);
    }

    /**
     * {@return hard sigmoid, {@code min(max(x + 3, 0), 6) / 6} (PyTorch's {@code hardsigmoid})} One pass; float32 or
     * float64 (half dtypes compute in float32). Runs {@link Activations#hardsigmoid}.
     */
    public Tensor hardsigmoid() {
        return Activations.hardsigmoid(this);
    }

    /** {@return SiLU (swish), {@code x·σ(x)}} Runs {@link Activations#silu}. */
    public Tensor silu() {
        return Activations.silu(this);
    }

    /** {@return leaky ReLU with PyTorch's default slope 0.01: x above 0, 0.01·x below} Runs {@link Activations#leakyRelu}. */
    public Tensor leakyRelu() {
        return Activations.leakyRelu(this, 0.01);
    }

    /**
     * {@return leaky ReLU: x above 0, {@code slope·x} below} Runs {@link Activations#leakyRelu}.
     *
     * @param slope the slope below 0 (PyTorch's {@code negative_slope})
     * @throws IllegalArgumentException when the slope is not finite
     */
    public Tensor leakyRelu(double slope) {
        return Activations.leakyRelu(this, slope);
    }

    /** {@return ELU with α = 1: x above 0, {@code eˣ − 1} below} Runs {@link Activations#elu}. */
    public Tensor elu() {
        return Activations.elu(this, 1.0);
    }

    /**
     * {@return ELU: x above 0, {@code α·(eˣ − 1)} below} Runs {@link Activations#elu}.
     *
     * @param alpha α, the scale of the negative part
     * @throws IllegalArgumentException when alpha is not finite
     */
    public Tensor elu(double alpha) {
        return Activations.elu(this, alpha);
    }

    /** {@return softplus with PyTorch's defaults β = 1, threshold 20: {@code ln(1 + eˣ)}, x itself above 20} Runs {@link Activations#softplus}. */
    public Tensor softplus() {
        return Activations.softplus(this, 1, 20);
    }

    /**
     * {@return softplus, {@code (1/β)·ln(1 + e^(βx))}, and x itself where {@code βx > threshold}} As PyTorch's
     * {@code softplus(x, beta, threshold)}. Runs {@link Activations#softplus}.
     *
     * @param beta β (non-zero)
     * @param threshold where the linear region starts, in units of βx
     * @throws IllegalArgumentException when beta is 0 or not finite
     */
    public Tensor softplus(double beta, double threshold) {
        return Activations.softplus(this, beta, threshold);
    }

    /** {@return the sine (radians)} Runs {@link Elementwise#sin}. */
    public Tensor sin() {
        return Elementwise.sin(this);
    }

    /** {@return the cosine (radians)} Runs {@link Elementwise#cos}. */
    public Tensor cos() {
        return Elementwise.cos(this);
    }

    /** {@return {@code ln(1 + x)}, accurate near 0 (NaN below −1)} Runs {@link Elementwise#log1p}. */
    public Tensor log1p() {
        return Elementwise.log1p(this);
    }

    /** {@return {@code eˣ − 1}, accurate near 0} Runs {@link Elementwise#expm1}. */
    public Tensor expm1() {
        return Elementwise.expm1(this);
    }

    /** {@return the sign: 1, −1, or x itself at ±0 and NaN; zero gradient} Runs {@link Elementwise#sign}. */
    public Tensor sign() {
        return Elementwise.sign(this);
    }

    /** {@return the largest integer ≤ x (as a float); zero gradient} Runs {@link Elementwise#floor}. */
    public Tensor floor() {
        return Elementwise.floor(this);
    }

    /** {@return the smallest integer ≥ x (as a float); zero gradient} Runs {@link Elementwise#ceil}. */
    public Tensor ceil() {
        return Elementwise.ceil(this);
    }

    /** {@return the nearest integer, halves to even as {@code torch.round} (2.5 → 2); zero gradient} Runs {@link Elementwise#round}. */
    public Tensor round() {
        return Elementwise.round(this);
    }

    /** {@return {@code 1/√x} (+∞ at 0, NaN below)} Runs {@link Elementwise#rsqrt}. */
    public Tensor rsqrt() {
        return Elementwise.rsqrt(this);
    }

    /** {@return {@code 1/x}} Runs {@link Elementwise#reciprocal}. */
    public Tensor reciprocal() {
        return Elementwise.reciprocal(this);
    }

    /** {@return a bool tensor, true where the element is neither ±∞ nor NaN} Runs {@link Elementwise#isfinite}. */
    public Tensor isfinite() {
        return Elementwise.isfinite(this);
    }

    /** {@return a bool tensor, true where the element is NaN} Runs {@link Elementwise#isnan}. */
    public Tensor isnan() {
        return Elementwise.isnan(this);
    }

    /**
     * {@return a copy with {@code value} where {@code mask} is true, as PyTorch's {@code masked_fill}} The mask
     * broadcasts to this tensor's shape (e.g. a {@code [T, T]} {@link #causalMask} over {@code [B, H, T, T]}
     * scores); the gradient is 0 at the filled positions. Runs {@link Elementwise#maskedFill}.
     *
     * @param mask a bool tensor whose shape broadcasts to this one's
     * @param value the fill value, e.g. {@link Double#NEGATIVE_INFINITY} before a softmax
     * @throws IllegalArgumentException when the mask is not bool or does not broadcast to this shape
     */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.maskedFill(this, mask, value);
    }

    /**
     * {@return the lower triangle of the last two dims, the rest 0: kept where column − row ≤ {@code diagonal}}
     * As {@code torch.tril}; leading dims are a batch. Runs {@link Elementwise#tril}.
     *
     * @param diagonal 0 for the main diagonal, positive above it, negative below
     * @throws IllegalArgumentException when the tensor has fewer than 2 dims
     */
    public Tensor tril(int diagonal) {
        return Elementwise.tril(this, diagonal);
    }

    /** {@return {@link #tril(int) tril(0)}: the lower triangle with the main diagonal} */
    public Tensor tril() {
        return Elementwise.tril(this, 0);
    }

    /**
     * {@return the upper triangle of the last two dims, the rest 0: kept where column − row ≥ {@code diagonal}}
     * As {@code torch.triu}. Runs {@link Elementwise#triu}.
     *
     * @param diagonal 0 for the main diagonal, positive above it, negative below
     * @throws IllegalArgumentException when the tensor has fewer than 2 dims
     */
    public Tensor triu(int diagonal) {
        return Elementwise.triu(this, diagonal);
    }

    /** {@return {@link #triu(int) triu(0)}: the upper triangle with the main diagonal} */
    public Tensor triu() {
        return Elementwise.triu(this, 0);
    }

    /**
     * {@return a causal attention mask: bool {@code [size, size]}, TRUE WHERE COLUMN j &gt; ROW i} True marks what
     * to hide: query position i may attend to keys 0…i only. The convention is {@code masked_fill}'s (and
     * PyTorch's bool {@code attn_mask} in {@code nn.Transformer.generate_square_subsequent_mask}'s −∞ places):
     * {@code scores.maskedFill(Tensor.causalMask(t), Double.NEGATIVE_INFINITY).softmax(-1)}. Equal to
     * {@code triu(ones, 1)}. Note that PyTorch's {@code scaled_dot_product_attention} reads a bool mask the other
     * way (true = may attend): there pass {@code causalMask(t).eq(0)}, or its {@code is_causal} flag. Runs
     * {@link Elementwise#causalMask}.
     *
     * @param size the sequence length, ≥ 0
     * @throws IllegalArgumentException when size is negative
     */
    public static Tensor causalMask(int size) {
        return Elementwise.causalMask(size);
    }

    /**
     * {@return views of pieces of {@code size} elements along {@code dim}, the last one shorter if need be} As
     * {@code torch.split(x, size, dim)}; gradients flow back through every piece. Runs {@link Views#split(Tensor, int, int)}.
     *
     * @param size the length of each piece, ≥ 1
     * @param dim the dimension (negative counts from the end)
     * @throws IllegalArgumentException when size &lt; 1 or dim is out of range
     */
    public List<Tensor> split(int size, int dim) {
        return Views.split(this, size, dim);
    }

    /**
     * {@return views of pieces of the given sizes along {@code dim}} As {@code torch.split(x, [s0, s1, …], dim)}.
     * Runs {@link Views#split(Tensor, int[], int)}.
     *
     * @param sizes the length of each piece, summing to the dim's size
     * @param dim the dimension (negative counts from the end)
     * @throws IllegalArgumentException when the sizes do not sum to the dim's size, or one is negative
     */
    public List<Tensor> split(int[] sizes, int dim) {
        return Views.split(this, sizes, dim);
    }

    /**
     * {@return at most {@code chunks} views of ⌈n/chunks⌉ elements along {@code dim}} As {@code torch.chunk}: 5
     * elements in 4 chunks give pieces of 2, 2, 1. Runs {@link Views#chunk}.
     *
     * @param chunks the number of pieces wanted, ≥ 1
     * @param dim the dimension (negative counts from the end)
     * @throws IllegalArgumentException when chunks &lt; 1 or dim is out of range
     */
    public List<Tensor> chunk(int chunks, int dim) {
        return Views.chunk(this, chunks, dim);
    }

    /**
     * {@return this tensor tiled {@code repeats[i]} times along dim i} As {@code torch.Tensor.repeat}: with more
     * repeats than dims, leading size-1 dims are added first ({@code [2].repeat(3, 2)} is {@code [3, 4]}). A copy.
     * Runs {@link Views#repeat}.
     *
     * @param repeats the count per dim (≥ 0), at least as many as there are dims
     * @throws IllegalArgumentException when there are fewer repeats than dims, or one is negative
     */
    public Tensor repeat(int... repeats) {
        return Views.repeat(this, repeats);
    }

    /** {@return the product of all elements, 0-d (an exact int64 for integer and bool tensors)} Runs {@link Reductions#prod}. */
    public Tensor prod() {
        return Reductions.prod(this, new int[0], false);
    }

    /**
     * {@return the product over one dimension} The gradient is exact where the input holds zeros. Runs
     * {@link Reductions#prod}.
     *
     * @param dim the dimension (negative counts from the end)
     * @param keepdim keep the dimension with size 1
     */
    public Tensor prod(int dim, boolean keepdim) {
        return Reductions.prod(this, new int[] {dim}, keepdim);
    }

    /**
     * {@return the product over {@code dims} (1 over an empty dim)} Runs {@link Reductions#prod}.
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor prod(int[] dims, boolean keepdim) {
        return Reductions.prod(this, dims, keepdim);
    }

    /** {@return the unbiased standard deviation of all elements, √{@link #var()}, 0-d} Runs {@link Reductions#std}. */
    public Tensor std() {
        return Reductions.std(this, new int[0], 1, false);
    }

    /**
     * {@return the unbiased standard deviation (divisor n − 1) over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor std(int dim, boolean keepdim) {
        return Reductions.std(this, new int[] {dim}, 1, keepdim);
    }

    /**
     * {@return the standard deviation √(Σ(x − mean)² / (n − correction)) over {@code dims}, consistent with {@link #var(int[], int, boolean)}}
     * Runs {@link Reductions#std}.
     *
     * @param dims the dimensions; empty means all
     * @param correction 0 for the population standard deviation, 1 for Bessel's correction
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor std(int[] dims, int correction, boolean keepdim) {
        return Reductions.std(this, dims, correction, keepdim);
    }

    /** {@return the 2-norm of all elements, √Σx², 0-d (its gradient is 0 at x = 0)} Runs {@link Reductions#norm}. */
    public Tensor norm() {
        return Reductions.norm(this, 2, new int[0], false);
    }

    /**
     * {@return the p-norm of all elements, 0-d} Runs {@link Reductions#norm}.
     *
     * @param p 1, 2 or {@link Double#POSITIVE_INFINITY}
     * @throws IllegalArgumentException for another p
     */
    public Tensor norm(double p) {
        return Reductions.norm(this, p, new int[0], false);
    }

    /**
     * {@return the p-norm over one dimension} Runs {@link Reductions#norm}.
     *
     * @param p 1, 2 or {@link Double#POSITIVE_INFINITY}
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     * @throws IllegalArgumentException for another p
     */
    public Tensor norm(double p, int dim, boolean keepdim) {
        return Reductions.norm(this, p, new int[] {dim}, keepdim);
    }

    /**
     * {@return the vector p-norm over {@code dims}: Σ|x| (p = 1), √Σx² (p = 2) or max|x| (p = ∞)} As
     * {@code torch.linalg.vector_norm}; subgradients as PyTorch's (0 at x = 0). Runs {@link Reductions#norm}.
     *
     * @param p 1, 2 or {@link Double#POSITIVE_INFINITY}
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     * @throws IllegalArgumentException for another p
     */
    public Tensor norm(double p, int[] dims, boolean keepdim) {
        return Reductions.norm(this, p, dims, keepdim);
    }

    /**
     * {@return running sums along {@code dim}: element i is the sum of elements 0…i} Floats keep their dtype,
     * int64 and bool give int64. Runs {@link Reductions#cumsum}.
     *
     * @param dim the dimension (negative counts from the end)
     */
    public Tensor cumsum(int dim) {
        return Reductions.cumsum(this, dim);
    }

    /** {@return bool 0-d: whether any element is non-zero (true)} Runs {@link Reductions#any}. */
    public Tensor any() {
        return Reductions.any(this, new int[0], false);
    }

    /**
     * {@return bool: whether any element over {@code dim} is non-zero} Runs {@link Reductions#any}.
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor any(int dim, boolean keepdim) {
        return Reductions.any(this, new int[] {dim}, keepdim);
    }

    /**
     * {@return bool: whether any element over {@code dims} is non-zero (false over an empty dim)} Runs {@link Reductions#any}.
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor any(int[] dims, boolean keepdim) {
        return Reductions.any(this, dims, keepdim);
    }

    /** {@return bool 0-d: whether every element is non-zero (true)} Runs {@link Reductions#all}. */
    public Tensor all() {
        return Reductions.all(this, new int[0], false);
    }

    /**
     * {@return bool: whether every element over {@code dim} is non-zero} Runs {@link Reductions#all}.
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor all(int dim, boolean keepdim) {
        return Reductions.all(this, new int[] {dim}, keepdim);
    }

    /**
     * {@return bool: whether every element over {@code dims} is non-zero (true over an empty dim)} Runs {@link Reductions#all}.
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor all(int[] dims, boolean keepdim) {
        return Reductions.all(this, dims, keepdim);
    }

    /**
     * {@return the elementwise maximum, broadcast and promoted} Runs {@link Elementwise#maximum}.
     *
     * @param other the other operand
     */
    public Tensor maximum(Tensor other) {
        return Elementwise.maximum(this, other);
    }

    /**
     * {@return the elementwise minimum, broadcast and promoted} Runs {@link Elementwise#minimum}.
     *
     * @param other the other operand
     */
    public Tensor minimum(Tensor other) {
        return Elementwise.minimum(this, other);
    }

    /**
     * {@return values limited to [min, max]: {@code min(max(x, min), max)}} Runs {@link Elementwise#clamp}.
     *
     * @param min the lower limit ({@link Double#NEGATIVE_INFINITY} for none)
     * @param max the upper limit ({@link Double#POSITIVE_INFINITY} for none)
     * @throws IllegalArgumentException when {@code min > max}
     */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    /**
     * {@return {@link #clamp clamp(min, +∞)}}
     *
     * @param min the lower limit
     */
    public Tensor clampMin(double min) {
        return Elementwise.clamp(this, min, Double.POSITIVE_INFINITY);
    }

    /**
     * {@return {@link #clamp clamp(−∞, max)}}
     *
     * @param max the upper limit
     */
    public Tensor clampMax(double max) {
        return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, max);
    }

    /**
     * {@return {@code cond ? a : b} elementwise, all three broadcast, of {@code a} and {@code b}'s promoted dtype}
     * Runs {@link Elementwise#where}.
     *
     * @param cond a bool mask, e.g. from {@link #gt(double)}
     * @param a the values where {@code cond} is true
     * @param b the values where {@code cond} is false
     * @throws IllegalArgumentException when {@code cond} is not bool
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    // ---------------------------------------------------------------- comparisons (bool results, no gradient)

    /**
     * {@return {@code this == other}, broadcast} Comparisons give bool tensors, carry no gradient, and follow IEEE
     * 754: NaN equals nothing, {@code ne} is true wherever a side is NaN, the orderings false. Runs
     * {@link Elementwise#compare}.
     *
     * @param other the right operand
     */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.EQ, this, other);
    }

    /**
     * {@return {@code this == value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor eq(double value) {
        return eq(scalarLike(value));
    }

    /**
     * {@return {@code this != other}, broadcast}
     *
     * @param other the right operand
     */
    public Tensor ne(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.NE, this, other);
    }

    /**
     * {@return {@code this != value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor ne(double value) {
        return ne(scalarLike(value));
    }

    /**
     * {@return {@code this < other}, broadcast}
     *
     * @param other the right operand
     */
    public Tensor lt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LT, this, other);
    }

    /**
     * {@return {@code this < value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor lt(double value) {
        return lt(scalarLike(value));
    }

    /**
     * {@return {@code this <= other}, broadcast}
     *
     * @param other the right operand
     */
    public Tensor le(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LE, this, other);
    }

    /**
     * {@return {@code this <= value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor le(double value) {
        return le(scalarLike(value));
    }

    /**
     * {@return {@code this > other}, broadcast}
     *
     * @param other the right operand
     */
    public Tensor gt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GT, this, other);
    }

    /**
     * {@return {@code this > value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor gt(double value) {
        return gt(scalarLike(value));
    }

    /**
     * {@return {@code this >= other}, broadcast}
     *
     * @param other the right operand
     */
    public Tensor ge(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GE, this, other);
    }

    /**
     * {@return {@code this >= value}}
     *
     * @param value the scalar compared with every element
     */
    public Tensor ge(double value) {
        return ge(scalarLike(value));
    }

    // ---------------------------------------------------------------- reductions

    /**
     * {@return the sum of all elements, 0-d (0 when empty)} Integer and bool tensors sum exactly to int64
     * (as PyTorch), and their means are float64. Runs {@link Reductions#sum}.
     */
    public Tensor sum() {
        return Reductions.sum(this, new int[0], false);
    }

    /**
     * {@return the sum over one dimension, which is removed}
     *
     * @param dim the dimension
     */
    public Tensor sum(int dim) {
        return sum(new int[] {dim}, false);
    }

    /**
     * {@return the sum over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    /**
     * {@return the sum over several dimensions, which are removed} {@code x.sum(0, 2)}, as PyTorch's
     * {@code x.sum((0, 2))}.
     *
     * @param dims the dimensions; none means all
     */
    public Tensor sum(int... dims) {
        return sum(dims, false);
    }

    /**
     * {@return the sum over several dimensions at once}
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    /** {@return the mean of all elements, {@code sum() / numel()}, 0-d (NaN when empty)} Runs {@link Reductions#mean}. */
    public Tensor mean() {
        return Reductions.mean(this, new int[0], false);
    }

    /**
     * {@return the mean over one dimension, which is removed}
     *
     * @param dim the dimension
     */
    public Tensor mean(int dim) {
        return mean(new int[] {dim}, false);
    }

    /**
     * {@return the mean over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /**
     * {@return the mean over several dimensions: their sum divided by the number of elements reduced}
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    /**
     * {@return the largest element, 0-d} The maxima and minima are values only, like {@code torch.amax} (see
     * {@link #argmax(int, boolean)} for positions); they throw {@link IllegalArgumentException} on an empty
     * tensor or dimension. Runs {@link Reductions#max}.
     */
    public Tensor max() {
        return Reductions.max(this, new int[0], false);
    }

    /**
     * {@return the maximum over one dimension, which is removed}
     *
     * @param dim the dimension
     */
    public Tensor max(int dim) {
        return max(new int[] {dim}, false);
    }

    /**
     * {@return the maximum over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor max(int dim, boolean keepdim) {
        return max(new int[] {dim}, keepdim);
    }

    /**
     * {@return the maximum over several dimensions}
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor max(int[] dims, boolean keepdim) {
        return Reductions.max(this, dims, keepdim);
    }

    /** {@return the smallest element, 0-d} Runs {@link Reductions#min}. */
    public Tensor min() {
        return Reductions.min(this, new int[0], false);
    }

    /**
     * {@return the minimum over one dimension, which is removed}
     *
     * @param dim the dimension
     */
    public Tensor min(int dim) {
        return min(new int[] {dim}, false);
    }

    /**
     * {@return the minimum over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor min(int dim, boolean keepdim) {
        return min(new int[] {dim}, keepdim);
    }

    /**
     * {@return the minimum over several dimensions}
     *
     * @param dims the dimensions; empty means all
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor min(int[] dims, boolean keepdim) {
        return Reductions.min(this, dims, keepdim);
    }

    /**
     * {@return the unbiased variance of all elements, Σ(x − mean)² / (n − 1), 0-d (NaN for one element)} Runs
     * {@link Reductions#var}.
     */
    public Tensor var() {
        return Reductions.var(this, new int[0], 1, false);
    }

    /**
     * {@return the unbiased variance (divisor n − 1) over one dimension}
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     */
    public Tensor var(int dim, boolean keepdim) {
        return Reductions.var(this, new int[] {dim}, 1, keepdim);
    }

    /**
     * {@return the variance Σ(x − mean)² / (n − correction) over {@code dims}, n the number of elements reduced}
     *
     * @param dims the dimensions; empty means all
     * @param correction 0 for the population (biased) variance, 1 for the unbiased one
     * @param keepdim keep the reduced dimensions with size 1
     */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return Reductions.var(this, dims, correction, keepdim);
    }

    /**
     * {@return {@code log Σ exp(x)} over {@code dim}, finite for inputs of magnitude 1e4} Runs
     * {@link Reductions#logsumexp}.
     *
     * @param dim the dimension
     * @param keepdim keep the dimension with size 1
     * @throws IllegalArgumentException when {@code dim} has size 0
     */
    public Tensor logsumexp(int dim, boolean keepdim) {
        return Reductions.logsumexp(this, new int[] {dim}, keepdim);
    }

    /**
     * {@return the softmax along {@code dim}: each slice {@code exp(x) / Σ exp(x)}, in [0, 1], summing to 1}
     * Stable for logits of magnitude 1e4; −∞ entries give exact zeros (a slice of all −∞ gives NaN, as PyTorch).
     * Runs {@link Softmax#softmax}.
     *
     * @param dim the dimension normalised over
     */
    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    /**
     * {@return the log of the softmax along {@code dim}, computed without forming the softmax (values ≤ 0)} Feed
     * it to {@link dev.descent.core.ops.Losses#nllLoss}, or use {@link dev.descent.core.ops.Losses#crossEntropy}
     * on the logits directly. Runs {@link Softmax#logSoftmax}.
     *
     * @param dim the dimension normalised over
     */
    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    /**
     * {@return the int64 index of the largest element of the flattened tensor, 0-d}
     *
     * @throws IllegalArgumentException when the tensor is empty
     */
    public Tensor argmax() {
        return Reductions.argmax(this.reshape(-1), 0, false);
    }

    /**
     * {@return the int64 positions of the maxima along {@code dim}} The first wins on ties, a NaN counts as the
     * largest, and there is no gradient; {@code logits.argmax(1, false)} gives predicted classes. Runs
     * {@link Reductions#argmax}.
     *
     * @param dim the dimension searched
     * @param keepdim keep the dimension with size 1
     * @throws IllegalArgumentException when {@code dim} has size 0
     */
    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.argmax(this, dim, keepdim);
    }

    /**
     * {@return the int64 positions of the maxima along {@code dim}, which is removed} {@code argmax(dim, false)}:
     * {@code logits.argmax(1)} gives predicted classes, as in PyTorch.
     *
     * @param dim the dimension searched
     * @throws IllegalArgumentException when {@code dim} has size 0
     */
    public Tensor argmax(int dim) {
        return argmax(dim, false);
    }

    /**
     * {@return the int64 positions of the minima along {@code dim}, which is removed} {@code argmin(dim, false)}.
     *
     * @param dim the dimension searched
     * @throws IllegalArgumentException when {@code dim} has size 0
     */
    public Tensor argmin(int dim) {
        return argmin(dim, false);
    }

    /**
     * {@return the int64 positions of the minima along {@code dim}} (the first on ties; a NaN counts as the
     * smallest). Runs {@link Reductions#argmin}.
     *
     * @param dim the dimension searched
     * @param keepdim keep the dimension with size 1
     * @throws IllegalArgumentException when {@code dim} has size 0
     */
    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.argmin(this, dim, keepdim);
    }

    // ---------------------------------------------------------------- linear algebra and indexing

    /**
     * {@return the matrix product, with {@code torch.matmul} semantics} {@code [m, k] @ [k, n] → [m, n]}; a 1-D
     * operand is a row vector on the left or a column vector on the right, and that dimension is dropped from
     * the result (1-D @ 1-D is the dot product, 0-d); operands of rank above 2 are batches of matrices whose
     * batch dimensions broadcast. int64 and bool operands are multiplied in float32. Runs
     * {@link LinearAlgebra#matmul}.
     *
     * @param other the right operand
     * @throws IllegalArgumentException when either operand is 0-d, the contracted sizes differ, or the batch
     *         dimensions do not broadcast
     */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /**
     * {@return elements picked along {@code dim} by index, of {@code index}'s shape} For a 2-D tensor and
     * {@code dim = 0}, {@code out[i][j] = this[index[i][j]][j]}; for {@code dim = 1},
     * {@code out[i][j] = this[i][index[i][j]]} (so {@code logp.gather(1, labels.unsqueeze(1))} reads each row's
     * label entry). Runs {@link Indexing#gather}.
     *
     * @param dim the dimension indexed
     * @param index int64 positions along {@code dim}, of this tensor's rank and no larger than it in the other
     *         dimensions
     * @throws IllegalArgumentException when {@code index} is not int64, differs in rank, or is too large
     * @throws IndexOutOfBoundsException when an index lies outside {@code [0, size(dim))} (for every indexing op)
     */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /**
     * {@return the slices at the given positions along {@code dim}, in index order} (repeats allowed), e.g. a
     * mini-batch of rows {@code x.indexSelect(0, batchIndices)}. Runs {@link Indexing#indexSelect}.
     *
     * @param dim the dimension indexed
     * @param index a 1-D (or 0-d) int64 tensor of positions
     * @throws IllegalArgumentException when this tensor is 0-d, or {@code index} is not int64 or has rank above 1
     */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /**
     * {@return this tensor plus {@code src} scattered along {@code dim}} For {@code dim = 0},
     * {@code out[index[i][j]][j] += src[i][j]}, repeated indices adding up; this tensor is not modified. The
     * adjoint of {@link #gather}. Runs {@link Indexing#scatterAdd}.
     *
     * @param dim the dimension indexed
     * @param index int64 target positions along {@code dim}, of this tensor's rank, no larger than
     *         {@code src} anywhere nor than this tensor off {@code dim}
     * @param src the values added, converted to this tensor's dtype
     * @throws IllegalArgumentException when {@code index} is not int64 or the ranks or sizes do not fit
     */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    /**
     * {@return this tensor with slice i of {@code src} added at slice {@code index[i]} along {@code dim}}
     * Repeated indices add up; this tensor is not modified. The adjoint of {@link #indexSelect}. Runs
     * {@link Indexing#indexAdd}.
     *
     * @param dim the dimension indexed
     * @param index a 1-D int64 tensor of target positions
     * @param src the slices to add: this tensor's shape with {@code dim} of size {@code index.numel()}
     * @throws IllegalArgumentException when {@code index} is not a 1-D int64 tensor or {@code src} has the wrong
     *         shape
     */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        return Indexing.indexAdd(this, dim, index, src);
    }

    /**
     * {@return the tensors joined along an existing dimension, in list order, their dtypes promoted} Runs
     * {@link Indexing#cat}.
     *
     * @param tensors one or more tensors of equal rank (at least 1) whose sizes agree except along {@code dim}
     * @param dim the dimension joined along
     * @throws IllegalArgumentException when the list is empty, a tensor is 0-d, or ranks or sizes disagree
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Indexing.cat(tensors, dim);
    }

    /**
     * {@return tensors of one shape stacked along a new dimension} {@code n} tensors of shape {@code S} give one
     * of shape {@code S} with {@code n} inserted at {@code dim}. Runs {@link Indexing#stack}.
     *
     * @param tensors one or more tensors of identical shape
     * @param dim where the new dimension goes, in {@code [−rank−1, rank]}
     * @throws IllegalArgumentException when the list is empty or the shapes differ
     */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Indexing.stack(tensors, dim);
    }

    /**
     * {@return int64 one-hot rows for the int64 class indices in this tensor} A last dimension of
     * {@code numClasses} is added: {@code out[..., c] = 1} where {@code c} is the index, 0 elsewhere. No
     * gradient. Runs {@link Indexing#oneHot}.
     *
     * @param numClasses the length of each one-hot row, ≥ 1
     * @throws IllegalArgumentException when this tensor is not int64 or {@code numClasses} is below 1
     */
    public Tensor oneHot(int numClasses) {
        return Indexing.oneHot(this, numClasses);
    }

    // ---------------------------------------------------------------- in place (no graph)

    /**
     * Copies {@code src}, broadcast to this shape and converted to this dtype, into this tensor's elements.
     *
     * @param src the values; its shape must broadcast to this one
     * @return this tensor
     */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        Elementwise.copyInto(src, this);
        return this;
    }

    /**
     * Sets every element to {@code value} (converted to this dtype) in place.
     *
     * @param value the new value of every element
     * @return this tensor
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

    /** {@return this tensor, after setting every element to zero in place} */
    public Tensor zero() {
        return fill(0);
    }

    /**
     * {@code this += other} in place ({@code other} broadcast to this shape, converted to this dtype).
     *
     * @param other the values to add
     * @return this tensor
     */
    public Tensor addInPlace(Tensor other) {
        checkInPlace("addInPlace");
        Elementwise.addInto(this, other);
        return this;
    }

    /**
     * {@code this += alpha · other} in place (PyTorch's {@code add_(other, alpha=…)}): the optimizers' update step.
     *
     * @param other the values to add, broadcast to this shape
     * @param alpha the factor applied to {@code other} first
     * @return this tensor
     */
    public Tensor addInPlace(Tensor other, double alpha) {
        return addInPlace(alpha == 1 ? other : detachedScale(other, alpha));
    }

    /**
     * {@code this *= other} in place ({@code other} broadcast to this shape).
     *
     * @param other the factors
     * @return this tensor
     */
    public Tensor mulInPlace(Tensor other) {
        checkInPlace("mulInPlace");
        Elementwise.mulInto(this, other);
        return this;
    }

    /**
     * {@code this *= value} in place.
     *
     * @param value the factor
     * @return this tensor
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
            default -> {
                for (int i = offset, end = offset + numel(); i < end; i++) storage.setDouble(i, value);
            }
        }
    }

    // ---------------------------------------------------------------- reading values

    /**
     * {@return a 0-d constant to combine with this tensor} Of this tensor's dtype when it is floating point, else
     * float32; it does not require grad.
     *
     * @param value the scalar
     */
    public Tensor scalarLike(double value) {
        return scalar(value, dtype().isFloatingPoint() ? dtype() : DType.FLOAT32);
    }

    /**
     * {@return the value of a one-element tensor as a double (bool: 1 or 0)}, e.g. {@code loss.item()}
     *
     * @throws IllegalStateException when the tensor does not have exactly one element
     */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item(): expects one element, the tensor has shape " + Shape.format(shape));
        return storage.getDouble(offset);
    }

    /**
     * {@return the element at one position as a double (bool: 1 or 0; int64 beyond 2⁵³ is rounded)}
     *
     * @param index one coordinate per dimension; negative counts from the end
     * @throws IllegalArgumentException when the number of coordinates differs from {@link #dim()}
     * @throws IndexOutOfBoundsException when a coordinate is out of range
     */
    public double get(int... index) {
        return storage.getDouble(flatIndex(index));
    }

    /**
     * {@return the element at one position as a long (floats truncated toward zero; bool: 1 or 0)}
     *
     * @param index one coordinate per dimension, as for {@link #get}
     */
    public long getLong(int... index) {
        return storage.getLong(flatIndex(index));
    }

    /**
     * Sets the element at one position.
     *
     * @param value the new value, converted to this dtype
     * @param index one coordinate per dimension, as for {@link #get}
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

    /** {@return a new array of the elements in row-major order, converted to float} */
    public float[] toFloatArray() {
        Tensor c = to(DType.FLOAT32).contiguous();
        return Arrays.copyOfRange(c.storage.floats(), c.offset, c.offset + c.numel());
    }

    /** {@return a new array of the elements in row-major order, converted to double} */
    public double[] toDoubleArray() {
        Tensor c = to(DType.FLOAT64).contiguous();
        return Arrays.copyOfRange(c.storage.doubles(), c.offset, c.offset + c.numel());
    }

    /** {@return a new array of the elements in row-major order, converted to long (floats truncated toward zero)} */
    public long[] toLongArray() {
        Tensor c = to(DType.INT64).contiguous();
        return Arrays.copyOfRange(c.storage.longs(), c.offset, c.offset + c.numel());
    }

    /** {@return a new array of the elements in row-major order, converted to boolean (non-zero is true)} */
    public boolean[] toBooleanArray() {
        Tensor c = to(DType.BOOL).contiguous();
        return Arrays.copyOfRange(c.storage.bools(), c.offset, c.offset + c.numel());
    }

    /**
     * {@return whether both have the same shape, dtype and elements} Elements compare bit for bit as
     * {@link java.util.Arrays#equals} does: NaN equals NaN, and 0.0 differs from −0.0. Strides may differ.
     *
     * @param other the tensor to compare with
     */
    public boolean contentEquals(Tensor other) {
        if (other.dtype() != dtype() || !Arrays.equals(other.shape, shape)) return false;
        return switch (dtype()) {
            case FLOAT32 -> Arrays.equals(toFloatArray(), other.toFloatArray());
            case FLOAT64 -> Arrays.equals(toDoubleArray(), other.toDoubleArray());
            case INT64 -> Arrays.equals(toLongArray(), other.toLongArray());
            case BOOL -> Arrays.equals(toBooleanArray(), other.toBooleanArray());
            case FLOAT16, BFLOAT16, INT8, UINT8, INT32 -> rawEquals(other);
        };
    }

    /** Elementwise bit equality of two tensors of one narrow dtype and shape. */
    private boolean rawEquals(Tensor other) {
        Tensor a = contiguous(), b = other.contiguous();
        int n = numel(), ao = a.offset, bo = b.offset;
        return switch (dtype()) {
            case FLOAT16, BFLOAT16 -> Arrays.equals(a.storage.shorts(), ao, ao + n, b.storage.shorts(), bo, bo + n);
            case INT8, UINT8 -> Arrays.equals(a.storage.bytes(), ao, ao + n, b.storage.bytes(), bo, bo + n);
            default -> Arrays.equals(a.storage.ints(), ao, ao + n, b.storage.ints(), bo, bo + n);
        };
    }

    /**
     * {@return whether the shapes match and {@code |a − b| ≤ atol + rtol·|b|} everywhere}, as
     * {@code numpy.allclose} ({@code b} is {@code other}). NaNs must sit at the same places; equal infinities
     * match. The dtypes may differ.
     *
     * @param other the reference values
     * @param rtol the relative tolerance
     * @param atol the absolute tolerance
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

    // ---------------------------------------------------------------- sorting, scattering and sampling

    /**
     * Values sorted along a dimension and the int64 positions they came from, as returned by {@link #sort} and
     * {@link #topk} (PyTorch's {@code (values, indices)} pair).
     *
     * @param values the sorted (or selected) values; their gradient flows back to the positions
     * @param indices int64 positions along the sorted dimension, of the values' shape
     */
    public record Sorted(Tensor values, Tensor indices) {}

    /**
     * {@return this tensor sorted along {@code dim}, with the positions of the sorted values} The sort is stable:
     * equal values keep their order, in both directions. NaN sorts above every number. The values' gradient
     * flows back to the positions they came from. Runs {@link Sorting#sort}.
     *
     * @param dim the dimension sorted along
     * @param descending largest first when true
     */
    public Sorted sort(int dim, boolean descending) {
        return Sorting.sort(this, dim, descending);
    }

    /**
     * {@return the int64 positions that sort this tensor along {@code dim}} stably, so that
     * {@code gather(dim, argsort(dim, descending))} is {@code sort(dim, descending).values()}. No gradient. Runs
     * {@link Sorting#argsort}.
     *
     * @param dim the dimension sorted along
     * @param descending largest first when true
     */
    public Tensor argsort(int dim, boolean descending) {
        return Sorting.argsort(this, dim, descending);
    }

    /**
     * {@return the {@code k} largest (or smallest) elements along {@code dim} and their positions} Always in sorted
     * order, ties in their original order; the values' gradient flows back to their positions and is zero
     * elsewhere. Runs {@link Sorting#topk}.
     *
     * @param k how many, in {@code [0, size(dim)]}
     * @param dim the dimension searched
     * @param largest the largest when true, else the smallest
     * @param sorted accepted for PyTorch's signature; the result is sorted either way
     * @throws IllegalArgumentException when k is out of range or this tensor is 0-d
     */
    public Sorted topk(int k, int dim, boolean largest, boolean sorted) {
        return Sorting.topk(this, k, dim, largest, sorted);
    }

    /**
     * {@return a copy of this tensor with {@code src} written at the positions {@code index} names along
     * {@code dim}} For {@code dim = 0}, {@code out[index[i][j]][j] = src[i][j]}; where positions repeat, the last
     * in row-major order of {@code index} wins. Runs {@link Indexing#scatter(Tensor, int, Tensor, Tensor)}.
     *
     * @param dim the dimension indexed
     * @param index int64 target positions, of this tensor's rank, no larger than {@code src} anywhere nor than
     *        this tensor off {@code dim}
     * @param src the values written, converted to this tensor's dtype
     * @throws IllegalArgumentException when {@code index} is not int64 or the ranks or sizes do not fit
     */
    public Tensor scatter(int dim, Tensor index, Tensor src) {
        return Indexing.scatter(this, dim, index, src);
    }

    /**
     * {@return a copy of this tensor with {@code value} written at the positions {@code index} names along
     * {@code dim}} Runs {@link Indexing#scatter(Tensor, int, Tensor, double)}.
     *
     * @param dim the dimension indexed
     * @param index int64 target positions, of this tensor's rank and no larger than it off {@code dim}
     * @param value the value written
     * @throws IllegalArgumentException when {@code index} is not int64 or the ranks or sizes do not fit
     */
    public Tensor scatter(int dim, Tensor index, double value) {
        return Indexing.scatter(this, dim, index, value);
    }

    /**
     * {@return a copy of this tensor where each target of {@code index} along {@code dim} is reduced with the
     * {@code src} values sent to it} {@code reduce} is {@code "sum"}, {@code "prod"}, {@code "mean"},
     * {@code "amax"} or {@code "amin"}; with {@code includeSelf} the target's own value takes part. Targets nothing
     * is sent to are unchanged. Differentiable for every reduction (see {@link Indexing#scatterReduce}).
     *
     * @param dim the dimension indexed
     * @param index int64 target positions, of this tensor's rank, no larger than {@code src} anywhere nor than
     *        this tensor off {@code dim}
     * @param src the values sent, converted to this tensor's dtype
     * @param reduce the reduction's name
     * @param includeSelf whether each target's own value joins the reduction
     * @throws IllegalArgumentException when {@code reduce} is unknown, {@code index} is not int64, or the ranks or
     *         sizes do not fit
     */
    public Tensor scatterReduce(int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        return Indexing.scatterReduce(this, dim, index, src, reduce, includeSelf);
    }

    /**
     * {@return int64 category indices drawn from rows of non-negative weights, {@code [numSamples]} or
     * {@code [rows, numSamples]}} (PyTorch's {@code torch.multinomial}) Each row need not sum to 1: category j of a row is drawn with probability {@code w[j] / Σ w}. Without
     * replacement, a drawn category's weight becomes 0 for the row's next draws. One {@code rng.nextDouble()} per
     * sample, rows in order.
     *
     * @param probs weights {@code [n]} or {@code [rows, n]}, finite and non-negative, at least one positive per row
     * @param numSamples samples per row, ≥ 1 (without replacement, at most the row's positive weights)
     * @param replacement whether a category may be drawn again
     * @param rng the source of randomness
     * @throws IllegalArgumentException naming the row and value for a negative, NaN or infinite weight, an all-zero
     *         row, or too many samples without replacement; or when probs is not 1-D or 2-D
     */
    public static Tensor multinomial(Tensor probs, int numSamples, boolean replacement, RandomGenerator rng) {
        return Sampling.multinomial(probs, numSamples, replacement, rng);
    }

    /**
     * {@return int64 integers drawn uniformly from [low, high)}, one {@code rng.nextLong(low, high)} per element in
     * row-major order
     *
     * @param low the smallest value (inclusive)
     * @param high one past the largest value
     * @param rng the source of randomness
     * @param shape the size of each dimension
     * @throws IllegalArgumentException when {@code low >= high}
     */
    public static Tensor randint(long low, long high, RandomGenerator rng, int... shape) {
        return Sampling.randint(low, high, rng, shape);
    }

    /**
     * {@return a uniformly random permutation of 0 … n − 1}, int64 of shape {@code [n]}, by Fisher–Yates from
     * {@code rng}
     *
     * @param n the length, ≥ 0
     * @param rng the source of randomness
     * @throws IllegalArgumentException when n is negative
     */
    public static Tensor randperm(int n, RandomGenerator rng) {
        return Sampling.randperm(n, rng);
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
