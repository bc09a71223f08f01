/**
 * Tensors: the types every other Descent module builds on.
 *
 * <p>{@link dev.descent.core.Tensor} is an n-dimensional view (storage + offset + shape + strides) over
 * one on-heap array ({@link dev.descent.core.Storage}) of a {@link dev.descent.core.DType}: float32 for
 * training, float64 for checking, int64 for indices and labels, bool for masks. Its methods are the
 * user-facing op set; each delegates to a function in {@link dev.descent.core.ops}, where forward and
 * backward sit side by side. {@link dev.descent.core.Parameter} is the trainable leaf that modules own and
 * optimizers update. Also here: {@link dev.descent.core.Shape} for shape arithmetic and broadcasting,
 * {@link dev.descent.core.Workspace} for recycling a training step's buffers, and
 * {@link dev.descent.core.Threads} for the kernels' thread count.
 *
 * <p>Everything about the graph (recording it, grad mode, custom ops, anomaly detection, the backward
 * walk) is in {@link dev.descent.core.autograd}.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.mul(x).add(x.exp());   // y = x² + eˣ
 * y.backward();                       // x.grad() = 2x + eˣ
 * }</pre>
 */
package dev.descent.core;
