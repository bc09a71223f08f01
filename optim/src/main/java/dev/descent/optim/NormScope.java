package dev.descent.optim;

/**
 * The set of parameters over which a norm-based rule takes its norm, separate from the hyperparameter
 * groups: with {@link #ALL} one can clip or normalise by the norm of every parameter at once while giving
 * layers different learning rates. Set on an optimizer with {@code setNormScope}
 * ({@link ClippedSGD#setNormScope}, {@link NormalizedSGD#setNormScope},
 * {@link ClippingFramework#setNormScope}, {@link SAM#setNormScope}, and for the set a projection constrains,
 * {@link ProjectedGradientDescent#setNormScope}). It is a construction-time choice of the caller, like the
 * gradient transforms, and is not saved with the optimizer state.
 *
 * <p>With {@code ALL}, the norm is that of the vector of every parameter that has a gradient in this step,
 * each element's decayed gradient {@code g + wd·θ} using its own group's weight decay, summed in float64
 * in group order, then parameter order; each group still steps with its own {@code lr}, {@code gamma} and
 * other hyperparameters. With one group both scopes give the same bits.
 */
public enum NormScope {
    /** The norm of each group's tensors viewed as one vector (the default, as the papers' rules are stated). */
    GROUP,
    /** The norm of all parameters of the optimizer viewed as one vector. */
    ALL
}
