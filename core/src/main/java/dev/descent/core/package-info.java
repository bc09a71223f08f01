/**
 * Tensors and autodiff: the types every other Descent module builds on.
 *
 * <p>{@link dev.descent.core.Tensor} is an n-dimensional view (storage + offset + shape + strides) over
 * one on-heap array ({@link dev.descent.core.Storage}) of a {@link dev.descent.core.DType}: float32 for
 * training, float64 for checking, int64 for indices and labels, bool for masks. Its methods are the
 * user-facing op set; each delegates to a function in {@link dev.descent.core.ops}, where forward and
 * backward sit side by side. An op on tensors that require grad, with {@link dev.descent.core.GradMode}
 * on, records a {@link dev.descent.core.Node} through {@link dev.descent.core.Autograd#record};
 * {@link dev.descent.core.Tensor#backward()} walks those nodes in reverse
 * ({@link dev.descent.core.autograd.Engine}). {@link dev.descent.core.Parameter} is the trainable leaf
 * that modules own and optimizers update.
 *
 * <p>Also here: {@link dev.descent.core.CustomOp} and {@link dev.descent.core.BackwardFn} for defining an
 * op with its own gradient, {@link dev.descent.core.Anomaly} for finding the first op that produced a NaN,
 * {@link dev.descent.core.Shape} for shape arithmetic and broadcasting, and
 * {@link dev.descent.core.Threads} for the kernels' thread count.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.mul(x).add(x.exp());   // y = x² + eˣ
 * y.backward();                       // x.grad() = 2x + eˣ
 * }</pre>
 */
package dev.descent.core;
