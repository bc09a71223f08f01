package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;

/**
 * A change to gradients made between {@code backward()} and the update, composable with any
 * optimizer: either added to one ({@link Optimizer#addGradientTransform}), so it runs at the start
 * of every step over all parameters that have gradients, or applied by hand before {@code step()}.
 *
 * <pre>{@code
 * opt.addGradientTransform(new ClipByGlobalNorm(1.0));   // every step
 * new ClipByValue(0.5).apply(opt.parameters());          // once, by hand
 * }</pre>
 */
public interface GradientTransform {

    /**
     * Changes the gradients of {@code params} in place (parameters whose gradient is null are
     * ignored). A gradient that is a strided view is first replaced by a contiguous copy.
     *
     * @param params the parameters whose gradients change
     */
    void apply(List<? extends Parameter> params);
}
