package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.List;

/**
 * A closed convex set that a parameter group is constrained to, given by its Euclidean projection:
 * the set that {@link ProjectedGradientDescent} projects onto after each gradient step.
 *
 * <p>The point is the group's tensors viewed as one vector (tensor 0's elements, then tensor 1's, …),
 * so a {@link Ball} bounds the norm of the whole group, not of each tensor. Implementations write the
 * projection into the tensors in place; they are called inside a no-grad scope.
 */
public interface ConvexSet {

    /** Replaces {@code point} by its Euclidean projection onto the set, in place. */
    void project(List<? extends Tensor> point);

    /** True when {@code point} lies in the set, allowing a relative slack {@code tolerance} for rounding. */
    boolean contains(List<? extends Tensor> point, double tolerance);
}
