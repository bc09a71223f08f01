/**
 * Every differentiable op, one class per family, each with its forward and its backward rule side by
 * side: {@link dev.descent.core.ops.Elementwise} (arithmetic, unary functions, comparisons, casts),
 * {@link dev.descent.core.ops.Views} (reshape, permute, slicing, expand), {@link dev.descent.core.ops.Reductions},
 * {@link dev.descent.core.ops.LinearAlgebra} (matmul), {@link dev.descent.core.ops.Indexing} (gather,
 * scatter, cat, stack), {@link dev.descent.core.ops.Softmax}, {@link dev.descent.core.ops.Activations},
 * {@link dev.descent.core.ops.Convolution}, {@link dev.descent.core.ops.Pooling},
 * {@link dev.descent.core.ops.Normalization}, {@link dev.descent.core.ops.Dropout} and
 * {@link dev.descent.core.ops.Losses}.
 *
 * <p>Most of these are also methods of {@link dev.descent.core.Tensor} ({@code x.add(y)} is
 * {@code Elementwise.add(x, y)}); the ones that are not (convolution, pooling, normalisation, dropout,
 * losses, GELU) are called here directly, or through the layers of {@code dev.descent.nn}. A small set of
 * primitives has hand-written kernels; the rest (softmax, GELU, variance, the normalisations,
 * cross-entropy) is composed from them. Backward rules are written with tensor ops, so with grad mode on
 * they are themselves differentiable. Binary ops broadcast by NumPy's rules and promote dtypes
 * ({@link dev.descent.core.ops.Elementwise#resultType}); errors name the shapes and the dimension.
 */
package dev.descent.core.ops;
