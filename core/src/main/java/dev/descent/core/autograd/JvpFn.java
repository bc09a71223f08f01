package dev.descent.core.autograd;

import dev.descent.core.Tensor;

/**
 * The forward-mode (JVP) rule of one recorded op, written next to its {@link BackwardFn}: given the tangents of
 * the op's inputs, return the tangent of its output, J·t. Where the backward rule maps an output gradient to input
 * gradients (Jᵀ·g), this maps input tangents to the output tangent (J·t); the two are transposes of one linear map,
 * which the op sweep checks for every op: ⟨u, J·t⟩ = ⟨Jᵀ·u, t⟩.
 *
 * <p>Rules are written with tensor ops, so a tangent can itself be differentiated in reverse mode (and a gradient
 * computed from dual inputs carries a tangent: forward-over-reverse Hessian-vector products).
 */
@FunctionalInterface
public interface JvpFn {
    /**
     * Maps the inputs' tangents to the output's.
     *
     * @param tangents one per input, in input order; {@code null} where the input carries no tangent (a zero tangent,
     *        or an absent optional input). At least one entry is non-null.
     * @return the output's tangent, of the output's shape and dtype, or {@code null} for a zero tangent
     */
    Tensor apply(Tensor[] tangents);
}
