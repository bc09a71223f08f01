package dev.descent.core;

import dev.descent.core.autograd.Engine;
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

    /** A view of {@code storage}; shape and strides are copied and checked against the storage's size. */
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

    /** A new tensor sharing {@code other}'s storage and view (used by {@link Parameter}). */
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
     * {@code as_strided}). The result does not require grad.
     */
    public static Tensor wrap(Storage storage, int offset, int[] shape, int[] strides) {
        return new Tensor(storage, offset, shape, strides);
    }

    /** A new contiguous tensor of the given dtype and shape, filled with zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), 0, shape, Shape.contiguousStrides(shape));
    }

    /** A float32 tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    /** A float32 tensor of ones. */
    public static Tensor ones(int... shape) {
        return ones(DType.FLOAT32, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (value != 0) t.fillStorage(value);
        return t;
    }

    /** A float32 tensor filled with {@code value}. */
    public static Tensor full(double value, int... shape) {
        return full(value, DType.FLOAT32, shape);
    }

    /** Zeros with the dtype and shape of {@code t}. */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.dtype(), t.shape);
    }

    /** Ones with the dtype and shape of {@code t}. */
    public static Tensor onesLike(Tensor t) {
        return ones(t.dtype(), t.shape);
    }

    /** {@code value} everywhere, with the dtype and shape of {@code t}. */
    public static Tensor fullLike(Tensor t, double value) {
        return full(value, t.dtype(), t.shape);
    }

    /** A 0-d float64 tensor (Java's {@code double} literal: {@code Tensor.of(2.0)}). */
    public static Tensor of(double value) {
        return scalar(value, DType.FLOAT64);
    }

    /** A 0-d float32 tensor ({@code Tensor.of(2f)}). */
    public static Tensor of(float value) {
        return scalar(value, DType.FLOAT32);
    }

    /** A 0-d tensor of the given dtype. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /** A float32 tensor over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(float[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /** A float64 tensor over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(double[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /** An int64 tensor over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(long[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /** An int64 tensor from int values; no shape means 1-D. */
    public static Tensor ofIndices(int[] data, int... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return fromStorage(Storage.of(l), l.length, shape);
    }

    /** A bool tensor over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(boolean[] data, int... shape) {
        return fromStorage(Storage.of(data.clone()), data.length, shape);
    }

    /** A 2-D float64 tensor from rows of equal length. */
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

    /** {@code [0, 1, …, end-1]} as int64, like {@code torch.arange(end)}. */
    public static Tensor arange(int end) {
        long[] v = new long[Math.max(end, 0)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return of(v);
    }

    /** {@code start, start+step, …} below {@code end} (above, for a negative step). */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be non-zero, was " + step);
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) t.storage.setDouble(i, start + i * step);
        return t;
    }

    /** float32 {@code arange(start, end, step)}. */
    public static Tensor arange(double start, double end, double step) {
        return arange(start, end, step, DType.FLOAT32);
    }

    /** The n×n identity matrix. */
    public static Tensor eye(int n, DType dtype) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.storage.setDouble(i * n + i, 1);
        return t;
    }

    /** Uniform values in [0, 1) drawn from {@code rng}. */
    public static Tensor rand(DType dtype, RandomGenerator rng, int... shape) {
        return uniform(0, 1, dtype, rng, shape);
    }

    /** float32 uniform values in [0, 1) drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        return rand(DType.FLOAT32, rng, shape);
    }

    /** Uniform values in [lo, hi) drawn from {@code rng}. */
    public static Tensor uniform(double lo, double hi, DType dtype, RandomGenerator rng, int... shape) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform: need lo <= hi, was lo=" + lo + ", hi=" + hi);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    /** Standard normal values drawn from {@code rng}. */
    public static Tensor randn(DType dtype, RandomGenerator rng, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setDouble(i, rng.nextGaussian());
        return t;
    }

    /** float32 standard normal values drawn from {@code rng}. */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        return randn(DType.FLOAT32, rng, shape);
    }


    // ---------------------------------------------------------------- what it is

    public DType dtype() {
        return storage.dtype();
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length)];
    }

    /** The number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** The number of elements. */
    public int numel() {
        return Shape.numel(shape);
    }

    /** A copy of the strides (in elements). */
    public int[] strides() {
        return strides.clone();
    }

    /** The stride of dimension {@code dim}. */
    public int stride(int dim) {
        return strides[Shape.normalizeDim("stride", dim, shape.length)];
    }

    /** Where element 0 sits in the storage. */
    public int storageOffset() {
        return offset;
    }

    /** The flat array behind this view (shared with other views). */
    public Storage storage() {
        return storage;
    }

    /** True when the elements are laid out row-major without gaps (size-1 dims ignored). */
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

    /** True when gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf as wanting a gradient ({@code true}) or not; returns this.
     *
     * @throws IllegalStateException on a tensor produced by a recorded op, or of a non-float dtype
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

    /** True when no recorded op produced this tensor. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The node of the op that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** The accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (null clears it). */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.format(g.shape) + " does not match tensor shape " + Shape.format(shape));
        }
        grad = g;
    }

    /** Clears the gradient (sets it to null, as PyTorch's {@code set_to_none}). */
    public void zeroGrad() {
        grad = null;
    }

    /** A name shown in graph pictures and error messages (parameters carry their module path). */
    public String name() {
        return name;
    }

    /** Sets the display name; returns this. */
    public Tensor name(String name) {
        this.name = name;
        return this;
    }

    void attach(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** Back-propagates from this scalar: accumulates d(this)/d(leaf) into every leaf's grad. */
    public void backward() {
        Engine.backward(this, null, false);
    }

    /** Back-propagates {@code gradient} (of this tensor's shape). */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false);
    }

    /**
     * Back-propagates {@code gradient} (null for a scalar); with {@code createGraph} the gradients are
     * recorded too, so they can be differentiated again.
     */
    public void backward(Tensor gradient, boolean createGraph) {
        Engine.backward(this, gradient, createGraph);
    }

    /** The same data, cut from the graph: a leaf that does not require grad. */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    // ---------------------------------------------------------------- views

    /** A tensor of the new shape with the same elements (a view when the strides allow; one -1 is inferred). */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /** Like {@link #reshape} but never copies: fails when the strides do not allow a view. */
    public Tensor view(int... newShape) {
        return Views.view(this, newShape);
    }

    /** Reorders dimensions: result dim i is this tensor's dim {@code order[i]}. */
    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    /** Swaps two dimensions. */
    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** The transpose of a matrix (rank ≤ 2). */
    public Tensor t() {
        if (shape.length > 2) throw new IllegalArgumentException("t(): expects a tensor of rank <= 2, got shape " + Shape.format(shape));
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /** Elements {@code start … start+length-1} along {@code dim} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** Elements {@code start, start+step, …} below {@code end} along {@code dim} (a view; Python's {@code x[start:end:step]}). */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    /** The slice at {@code index} along {@code dim}, with that dim removed (a view). */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    /** Broadcasts to a larger shape without copying (-1 keeps a size). */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    /** {@link #expand} to {@code other}'s shape. */
    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** Removes every size-1 dimension. */
    public Tensor squeeze() {
        return Views.squeeze(this);
    }

    /** Removes dimension {@code dim} when it has size 1. */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /** Inserts a size-1 dimension at {@code dim}. */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** All dimensions flattened into one. */
    public Tensor flatten() {
        return flatten(0, -1);
    }

    /** Dimensions {@code startDim … endDim} flattened into one. */
    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    /** This tensor when already row-major, else a row-major copy. */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    /** A row-major copy (differentiable: the gradient passes through). */
    public Tensor clone() {
        return Views.copy(this);
    }

    /** This tensor converted to {@code dtype} (itself when it already is). */
    public Tensor to(DType dtype) {
        return Elementwise.cast(this, dtype);
    }

    // ---------------------------------------------------------------- elementwise

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /** {@code this + value}. */
    public Tensor add(double value) {
        return Elementwise.add(this, scalarLike(value));
    }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /** {@code this - value}. */
    public Tensor sub(double value) {
        return Elementwise.sub(this, scalarLike(value));
    }

    /** {@code this * other}, broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /** {@code this * value}. */
    public Tensor mul(double value) {
        return Elementwise.mul(this, scalarLike(value));
    }

    /** {@code this / other}, broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /** {@code this / value}. */
    public Tensor div(double value) {
        return Elementwise.div(this, scalarLike(value));
    }

    /** {@code -this}. */
    public Tensor neg() {
        return Elementwise.neg(this);
    }

    /** {@code this ^ exponent}, elementwise. */
    public Tensor pow(double exponent) {
        return Elementwise.pow(this, scalarLike(exponent));
    }

    /** {@code this ^ exponent}, broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** {@code this²}. */
    public Tensor square() {
        return mul(this);
    }

    /** {@code eˣ}. */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /** The natural logarithm. */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /** The square root. */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    /** The absolute value (gradient 0 at 0). */
    public Tensor abs() {
        return Elementwise.abs(this);
    }

    /** {@code max(x, 0)} (gradient 0 at 0, as in PyTorch). */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /** {@code 1 / (1 + e^-x)}. */
    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    /** The hyperbolic tangent. */
    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /** The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt. */
    public Tensor erf() {
        return Elementwise.erf(this);
    }

    /** The elementwise maximum, broadcasting (ties split the gradient equally). */
    public Tensor maximum(Tensor other) {
        return Elementwise.maximum(this, other);
    }

    /** The elementwise minimum, broadcasting (ties split the gradient equally). */
    public Tensor minimum(Tensor other) {
        return Elementwise.minimum(this, other);
    }

    /** Values limited to [min, max] (gradient 1 inside, 0 outside). */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    /** Values limited to at least {@code min}. */
    public Tensor clampMin(double min) {
        return Elementwise.clamp(this, min, Double.POSITIVE_INFINITY);
    }

    /** Values limited to at most {@code max}. */
    public Tensor clampMax(double max) {
        return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, max);
    }

    /** {@code cond ? a : b} elementwise, broadcasting all three; {@code cond} is a bool tensor. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    // ---------------------------------------------------------------- comparisons (bool results, no gradient)

    /** {@code this == other}, broadcasting. */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.EQ, this, other);
    }

    /** {@code this == value}. */
    public Tensor eq(double value) {
        return eq(scalarLike(value));
    }

    /** {@code this != other}, broadcasting. */
    public Tensor ne(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.NE, this, other);
    }

    /** {@code this != value}. */
    public Tensor ne(double value) {
        return ne(scalarLike(value));
    }

    /** {@code this < other}, broadcasting. */
    public Tensor lt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LT, this, other);
    }

    /** {@code this < value}. */
    public Tensor lt(double value) {
        return lt(scalarLike(value));
    }

    /** {@code this <= other}, broadcasting. */
    public Tensor le(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.LE, this, other);
    }

    /** {@code this <= value}. */
    public Tensor le(double value) {
        return le(scalarLike(value));
    }

    /** {@code this > other}, broadcasting. */
    public Tensor gt(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GT, this, other);
    }

    /** {@code this > value}. */
    public Tensor gt(double value) {
        return gt(scalarLike(value));
    }

    /** {@code this >= other}, broadcasting. */
    public Tensor ge(Tensor other) {
        return Elementwise.compare(Elementwise.Comparison.GE, this, other);
    }

    /** {@code this >= value}. */
    public Tensor ge(double value) {
        return ge(scalarLike(value));
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements (a 0-d tensor). */
    public Tensor sum() {
        return Reductions.sum(this, new int[0], false);
    }

    /** The sum over {@code dim}. */
    public Tensor sum(int dim) {
        return sum(new int[] {dim}, false);
    }

    /** The sum over {@code dim}, keeping it as size 1 when {@code keepdim}. */
    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    /** The sum over {@code dims} (all when empty). */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    /** The mean of all elements. */
    public Tensor mean() {
        return Reductions.mean(this, new int[0], false);
    }

    /** The mean over {@code dim}. */
    public Tensor mean(int dim) {
        return mean(new int[] {dim}, false);
    }

    /** The mean over {@code dim}, keeping it when {@code keepdim}. */
    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /** The mean over {@code dims} (all when empty). */
    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    /** The largest element (ties share the gradient equally). */
    public Tensor max() {
        return Reductions.max(this, new int[0], false);
    }

    /** The maximum over {@code dim}. */
    public Tensor max(int dim) {
        return max(new int[] {dim}, false);
    }

    /** The maximum over {@code dim}, keeping it when {@code keepdim}. */
    public Tensor max(int dim, boolean keepdim) {
        return max(new int[] {dim}, keepdim);
    }

    /** The maximum over {@code dims} (all when empty), like {@code torch.amax}. */
    public Tensor max(int[] dims, boolean keepdim) {
        return Reductions.max(this, dims, keepdim);
    }

    /** The smallest element (ties share the gradient equally). */
    public Tensor min() {
        return Reductions.min(this, new int[0], false);
    }

    /** The minimum over {@code dim}. */
    public Tensor min(int dim) {
        return min(new int[] {dim}, false);
    }

    /** The minimum over {@code dim}, keeping it when {@code keepdim}. */
    public Tensor min(int dim, boolean keepdim) {
        return min(new int[] {dim}, keepdim);
    }

    /** The minimum over {@code dims} (all when empty), like {@code torch.amin}. */
    public Tensor min(int[] dims, boolean keepdim) {
        return Reductions.min(this, dims, keepdim);
    }

    /** The unbiased variance of all elements (divisor n − 1). */
    public Tensor var() {
        return Reductions.var(this, new int[0], 1, false);
    }

    /** The unbiased variance over {@code dim}. */
    public Tensor var(int dim, boolean keepdim) {
        return Reductions.var(this, new int[] {dim}, 1, keepdim);
    }

    /** The variance over {@code dims} with divisor {@code n − correction} (0: population, 1: unbiased). */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return Reductions.var(this, dims, correction, keepdim);
    }

    /** {@code log Σ exp(x)} over {@code dim}, stable for large inputs. */
    public Tensor logsumexp(int dim, boolean keepdim) {
        return Reductions.logsumexp(this, new int[] {dim}, keepdim);
    }

    /** The softmax along {@code dim}. */
    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    /** The log of the softmax along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    /** The index of the largest element of the flattened tensor (int64, 0-d; first on ties). */
    public Tensor argmax() {
        return Reductions.argmax(this.reshape(-1), 0, false);
    }

    /** Indices of the maxima along {@code dim} (int64; first on ties). */
    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.argmax(this, dim, keepdim);
    }

    /** Indices of the minima along {@code dim} (int64; first on ties). */
    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.argmin(this, dim, keepdim);
    }

    // ---------------------------------------------------------------- linear algebra and indexing

    /** The matrix product with {@code torch.matmul} semantics (1-D, 2-D, and batched with broadcast batch dims). */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /** {@code out[i][j] = this[index[i][j]][j]} for dim 0 (and likewise for other dims); index is int64. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** The slices at the 1-D int64 {@code index} along {@code dim}. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /** This tensor plus {@code src} scattered along {@code dim} at {@code index} (the adjoint of gather). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    /** This tensor plus the slices of {@code src} added at the 1-D {@code index} along {@code dim} (the adjoint of indexSelect). */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        return Indexing.indexAdd(this, dim, index, src);
    }

    /** Tensors joined along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Indexing.cat(tensors, dim);
    }

    /** Tensors of one shape stacked along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Indexing.stack(tensors, dim);
    }

    /** One-hot rows for the int64 class indices in this tensor (int64 result with an extra last dim). */
    public Tensor oneHot(int numClasses) {
        return Indexing.oneHot(this, numClasses);
    }

    // ---------------------------------------------------------------- in place (no graph)

    /**
     * Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor's elements.
     * In-place writes bypass autodiff: they are refused on a tensor that requires grad while grad mode
     * is on.
     */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        Elementwise.copyInto(src, this);
        return this;
    }

    /** Sets every element to {@code value}. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        if (isContiguous() && numel() == storage.size()) {
            fillStorage(value);
        } else {
            Elementwise.copyInto(scalarLike(value), this);
        }
        return this;
    }

    /** Sets every element to zero. */
    public Tensor zero() {
        return fill(0);
    }

    /** {@code this += other} (broadcast to this shape). */
    public Tensor addInPlace(Tensor other) {
        checkInPlace("addInPlace");
        Elementwise.addInto(this, other);
        return this;
    }

    /** {@code this += alpha * other}. */
    public Tensor addInPlace(Tensor other, double alpha) {
        return addInPlace(alpha == 1 ? other : detachedScale(other, alpha));
    }

    /** {@code this *= other} (broadcast to this shape). */
    public Tensor mulInPlace(Tensor other) {
        checkInPlace("mulInPlace");
        Elementwise.mulInto(this, other);
        return this;
    }

    /** {@code this *= value}. */
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

    /** A 0-d tensor of this tensor's dtype holding {@code value} (no gradient). */
    public Tensor scalarLike(double value) {
        return scalar(value, dtype().isFloatingPoint() ? dtype() : DType.FLOAT32);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item(): expects one element, the tensor has shape " + Shape.format(shape));
        return storage.getDouble(offset);
    }

    /** The element at {@code index} (one coordinate per dimension, negative counts from the end). */
    public double get(int... index) {
        return storage.getDouble(flatIndex(index));
    }

    /** The element at {@code index}, as a long. */
    public long getLong(int... index) {
        return storage.getLong(flatIndex(index));
    }

    /** Sets the element at {@code index} (a raw write: no graph, refused on tensors that require grad in grad mode). */
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

    /** The elements in row-major order, as floats. */
    public float[] toFloatArray() {
        Tensor c = to(DType.FLOAT32).contiguous();
        return Arrays.copyOfRange(c.storage.floats(), c.offset, c.offset + c.numel());
    }

    /** The elements in row-major order, as doubles. */
    public double[] toDoubleArray() {
        Tensor c = to(DType.FLOAT64).contiguous();
        return Arrays.copyOfRange(c.storage.doubles(), c.offset, c.offset + c.numel());
    }

    /** The elements in row-major order, as longs. */
    public long[] toLongArray() {
        Tensor c = to(DType.INT64).contiguous();
        return Arrays.copyOfRange(c.storage.longs(), c.offset, c.offset + c.numel());
    }

    /** The elements in row-major order, as booleans. */
    public boolean[] toBooleanArray() {
        Tensor c = to(DType.BOOL).contiguous();
        return Arrays.copyOfRange(c.storage.bools(), c.offset, c.offset + c.numel());
    }

    /** True when both have the same shape, dtype and elements (NaN equals NaN). */
    public boolean contentEquals(Tensor other) {
        if (other.dtype() != dtype() || !Arrays.equals(other.shape, shape)) return false;
        return switch (dtype()) {
            case FLOAT32 -> Arrays.equals(toFloatArray(), other.toFloatArray());
            case FLOAT64 -> Arrays.equals(toDoubleArray(), other.toDoubleArray());
            case INT64 -> Arrays.equals(toLongArray(), other.toLongArray());
            case BOOL -> Arrays.equals(toBooleanArray(), other.toBooleanArray());
        };
    }

    /** True when shapes match and |a − b| ≤ atol + rtol·|b| everywhere (NaNs must match). */
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
