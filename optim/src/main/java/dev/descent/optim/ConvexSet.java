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

    /**
     * Replaces a point by its Euclidean projection onto the set, in place.
     *
     * @param point the group's tensors, viewed as one vector
     */
    void project(List<? extends Tensor> point);

    /**
     * Whether a point lies in the set.
     *
     * @param point the group's tensors, viewed as one vector
     * @param tolerance a relative slack for rounding (0 for an exact test)
     * @return true when the point is in the set, up to the slack
     */
    boolean contains(List<? extends Tensor> point, double tolerance);
}
