/**
 * Every differentiable op, one class per family, each with its forward and its backward rule side by
 * side: {@link dev.descent.core.ops.Elementwise} (arithmetic, unary functions, comparisons, casts),
 * {@link dev.descent.core.ops.Views} (reshape, permute, slicing, expand), {@link dev.descent.core.ops.Reductions},
 * {@link dev.descent.core.ops.LinearAlgebra} (matmul), {@link dev.descent.core.ops.Indexing} (gather,
 * scatter, cat, stack), {@link dev.descent.core.ops.Softmax}, {@link dev.descent.core.ops.Activations},
 * {@link dev.descent.core.ops.Convolution}, {@link dev.descent.core.ops.Pooling},
 * {@link dev.descent.core.ops.Normalization}, {@link dev.descent.core.ops.RandomMasking} (dropout) and
 * {@link dev.descent.core.ops.Losses}.
 *
 * <p>The ops of the first seven families are called as methods of {@link dev.descent.core.Tensor}
 * ({@code x.add(y)} runs {@code Elementwise.add(x, y)}; {@code x.gelu()} runs {@code Activations.gelu(x)}): the
 * statics here are their implementations, documented with the math and the backward rule, while the
 * {@code Tensor} method states the contract. Convolution, pooling, normalisation, dropout and the losses
 * have no {@code Tensor} method: they are called here directly (as {@code torch.nn.functional}), or
 * through the layers of {@code dev.descent.nn}. The rule is stated in {@link dev.descent.core}. A small set of
 * primitives has hand-written kernels; the rest (softmax, GELU, variance, the normalisations,
 * cross-entropy) is composed from them. Backward rules are written with tensor ops, so with grad mode on
 * they are themselves differentiable. Binary ops broadcast by NumPy's rules and promote dtypes
 * ({@link dev.descent.core.ops.Elementwise#resultType}); errors name the shapes and the dimension.
 *
 * <p>Half precision: each public op here given a FLOAT16 or BFLOAT16 input widens its inputs to float32 at entry,
 * runs its float32 path, and rounds a floating-point result back to the half dtype (the promotion of the inputs'
 * float dtypes), so the result equals the float32 op rounded once and the float32 kernels are untouched. The
 * exceptions are {@link dev.descent.core.ops.Linalg}'s decompositions, which refuse half inputs with an
 * {@link IllegalArgumentException} naming the op and the dtype and saying to call {@code to(DType.FLOAT32)}; and
 * {@code scatterAdd}, {@code indexAdd} and {@code scatterReduce}, which accumulate into their half-precision target
 * element by element (rounding at each step, as PyTorch's do).
 */
package dev.descent.core.ops;
