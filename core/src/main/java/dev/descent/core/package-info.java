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
 * <p>Where an op's entry point lives (as PyTorch splits {@code Tensor} and {@code torch.nn.functional}):
 * <ul>
 *   <li>a {@code Tensor} method when the op is math on tensors whose only settings are dimensions, sizes or
 *       scalar operands: elementwise arithmetic and functions (with the activations that are a fixed
 *       elementwise function of one tensor: {@code relu}, {@code sigmoid}, {@code tanh}, {@code gelu}),
 *       comparisons and casts, reductions along dimensions (with {@code softmax} and {@code logSoftmax}),
 *       views and copies, {@code matmul} and indexing; a static method of {@code Tensor} when the op has no
 *       receiver ({@code where}, {@code cat}, {@code stack});
 *   <li>a static function of its family class in {@link dev.descent.core.ops} when the op is the computation
 *       of a layer or a loss, configured by weights, statistics, a window, a probability, an epsilon or a
 *       reduction: convolution, pooling, normalisation, dropout and the losses. These have no {@code Tensor}
 *       method.
 * </ul>
 * Every op is implemented by a static in its {@code ops} class; a {@code Tensor} method delegates to it.
 * The method's Javadoc states the contract, the implementation's the math and the backward rule.
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
