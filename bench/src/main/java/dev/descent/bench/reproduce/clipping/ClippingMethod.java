// The four network optimizers of the clipping reproduction, with the paper's CIFAR-10 hyperparameters.
package dev.descent.bench.reproduce.clipping;

import dev.descent.nn.Sequential;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import dev.descent.optim.Schedule;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** The network optimizers compared, in the order they run and are reported (docs/papers.md §4). */
public enum ClippingMethod implements ClippingArm {
    /** The baseline. */
    SGD_MOMENTUM("SGD+momentum (dampened)", 1.0, Double.NaN, 0.9, Double.NaN),
    /** ν = 0: clipped SGD. */
    CLIPPED_SGD("clipped SGD", 1.0, 1.0, Double.NaN, 0),
    /** ν = 1: clipped momentum. */
    CLIPPED_MOMENTUM("clipped momentum", 1.5, 0.25, 0.9, 1),
    /** ν = 0.7: mixed clipping. */
    MIXED("mixed clipping", 1.0, 1.0, 0.999, 0.7);

    final String label;
    final double lr, gamma, beta, nu;

    ClippingMethod(String label, double lr, double gamma, double beta, double nu) {
        this.label = label;
        this.lr = lr;
        this.gamma = gamma;
        this.beta = beta;
        this.nu = nu;
    }

    /**
     * The name in CSV files and log lines.
     *
     * @return e.g. {@code clipped-momentum}
     */
    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String label() {
        return label;
    }

    /**
     * The initial step η.
     *
     * @return η before the decay
     */
    public double lr() {
        return lr;
    }

    /** The method whose key a CSV file names. */
    static ClippingMethod of(String key, Object file) throws IOException {
        for (ClippingMethod m : values()) if (m.key().equals(key)) return m;
        throw new IOException(file + ": unknown method '" + key + "'");
    }

    @Override
    public String hyperparameters() {
        return switch (this) {
            case SGD_MOMENTUM -> "`SGD`, lr " + lr + ", momentum 0.9, dampening 0.9 (EMA momentum; PyTorch's b ← g on step one)";
            case CLIPPED_SGD -> "`ClippingFramework` ν = 0, η " + lr + ", γ " + gamma;
            default -> "`ClippingFramework` ν = " + nu + ", η " + lr + ", γ " + gamma + ", β " + beta;
        };
    }

    /** The optimizer over a model's parameters; {@code clip} is the clipping methods' h (ignored by SGD+momentum). */
    @Override
    public Optimizer optimizer(Sequential model, ClippingConfig cfg, ClippingFramework.Clip clip) {
        ParamGroup g = ParamGroup.of(model.parameters()).with("lr", lr).with("weight_decay", cfg.weightDecay());
        return switch (this) {
            case SGD_MOMENTUM -> new SGD(List.of(g.with("momentum", 0.9).with("dampening", 0.9)));
            case CLIPPED_SGD -> new ClippingFramework(List.of(g.with("gamma", gamma).with("nu", nu).with("clip", clip)));
            case CLIPPED_MOMENTUM, MIXED -> new ClippingFramework(List.of(g.with("gamma", gamma).with("nu", nu).with("beta", beta).with("clip", clip)));
        };
    }

    /** η, and γ for the clipping family, ÷ 10 at the milestone. */
    @Override
    public LrScheduler scheduler(Optimizer opt, ClippingConfig cfg) {
        Schedule s = Schedule.multiStep(List.of(cfg.milestone()), 0.1);
        return this == SGD_MOMENTUM ? new LrScheduler(opt, s, "lr") : new LrScheduler(opt, s, "lr", "gamma");
    }
}
