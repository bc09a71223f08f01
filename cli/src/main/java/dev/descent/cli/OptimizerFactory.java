package dev.descent.cli;

import dev.descent.nn.Module;
import dev.descent.optim.Optimizer;
import java.util.List;

/**
 * Builds the optimizer a {@link TrainConfig} names, with its parameter groups: {@code descent train}'s side of
 * bench's {@link dev.descent.bench.OptimizerFactory}, which holds the names, defaults and constructions (the
 * reproductions' {@code --baseline} uses them too).
 */
public final class OptimizerFactory {
    private OptimizerFactory() {}

    /** The names {@code --optimizer} accepts. */
    public static final List<String> NAMES = dev.descent.bench.OptimizerFactory.NAMES;

    /** Why {@code --optimizer lbfgs} is refused (see bench's {@link dev.descent.bench.OptimizerFactory#LBFGS_REFUSED}). */
    static final String LBFGS_REFUSED = dev.descent.bench.OptimizerFactory.LBFGS_REFUSED;

    /**
     * The settings with every default this optimizer uses filled in: its learning rate and weight decay, and
     * γ, β, ν or the radius where the algorithm has them. Options the algorithm ignores stay as given (null
     * when left out). {@code config.json} records these values, so it says what the run used.
     *
     * @throws IllegalArgumentException for an unknown optimizer name
     */
    public static TrainConfig resolve(TrainConfig c) {
        dev.descent.bench.OptimizerFactory.Settings r = dev.descent.bench.OptimizerFactory.resolve(settings(c));
        return c.withHyperparameters(r.lr(), r.weightDecay(), r.gamma(), r.beta(), r.nu(), r.radius());
    }

    /**
     * The message for a name {@code --optimizer} does not accept.
     *
     * @param name the name given
     * @return why it is refused, listing the known names
     */
    static String unknown(String name) {
        return dev.descent.bench.OptimizerFactory.unknown(name);
    }

    /** The optimizer for {@code model}'s parameters, with the defaults of {@link #resolve} for settings left out. */
    public static Optimizer create(TrainConfig c, Module model) {
        return dev.descent.bench.OptimizerFactory.create(settings(c), model);
    }

    /** The optimizer's part of a run's settings. */
    static dev.descent.bench.OptimizerFactory.Settings settings(TrainConfig c) {
        return new dev.descent.bench.OptimizerFactory.Settings(c.optimizer(), c.lr(), c.momentum(), c.weightDecay(), c.nesterov(), c.beta1(), c.beta2(),
                c.eps(), c.amsgrad(), c.gamma(), c.beta(), c.nu(), c.softClip(), c.shrink(), c.variant(), c.radius(), c.clipNorm());
    }
}
