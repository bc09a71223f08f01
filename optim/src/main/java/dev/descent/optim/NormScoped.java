package dev.descent.optim;

import java.util.List;
import java.util.Map;

/**
 * The base of the optimizers whose rule takes a norm over a {@link NormScope}, each group's tensors or all of them:
 * {@link ClippedSGD}, {@link NormalizedSGD}, {@link ClippingFramework}, {@link SAM} and, for the vector its set
 * constrains, {@link ProjectedGradientDescent}. It holds the scope and its setter, written once; what the norm is
 * the norm of is in each optimizer's documentation.
 *
 * @param <S> the optimizer's own type, which {@link #setNormScope} returns so that calls chain
 */
abstract sealed class NormScoped<S extends NormScoped<S>> extends Optimizer
        permits NormScaledStep, ClippingFramework, SAM, ProjectedGradientDescent {

    private NormScope normScope;

    NormScoped(List<ParamGroup> groups, Hyperparameters spec, NormScope initial) {
        super(groups, spec);
        this.normScope = initial;
    }

    NormScoped(List<ParamGroup> groups, Hyperparameters spec, Map<String, Object> defaults, NormScope initial) {
        super(groups, spec, defaults);
        this.normScope = initial;
    }

    /**
     * Chooses the set of parameters the norm is taken over (not saved with the state): see the optimizer's
     * documentation for its default and what the norm is of.
     *
     * @param scope {@link NormScope#GROUP} or {@link NormScope#ALL}
     * @return this optimizer
     * @throws IllegalArgumentException when {@code scope} is null
     */
    @SuppressWarnings("unchecked")
    public S setNormScope(NormScope scope) {
        if (scope == null) throw new IllegalArgumentException("norm scope must not be null (GROUP or ALL)");
        this.normScope = scope;
        return (S) this;
    }

    /**
     * The set of parameters the norm is taken over.
     *
     * @return the norm scope
     */
    public NormScope normScope() {
        return normScope;
    }
}
