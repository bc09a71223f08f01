// The four optimizers of the SR-Adam reproduction, how each is built over SimpleCNN, and the paper's numbers for each.
package dev.descent.bench.reproduce.sradam;

import dev.descent.core.Parameter;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SteinRuleAdam;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The optimizers compared, in the order they run and are reported (docs/papers.md §1): the paper's four, two mechanism controls, two baselines. */
public enum SrAdamMethod implements SrAdamArm {
    /** Adam with ε on the uncorrected √v, so that it is SR-Adam with c ≡ 1. */
    ADAM("Adam"),
    /** SR-Adam shrinking the convolution layers, the paper's formula. */
    SR_PAPER("SR-Adam (conv, paper formula)"),
    /** SR-Adam shrinking the convolution layers, the authors' whitened statistics. */
    SR_WHITENED("SR-Adam (conv, whitened)"),
    /** SR-Adam shrinking every parameter as one group. */
    SR_ALL("SR-Adam (all parameters)"),
    /** Mechanism control: SR-Adam on the convolution layers with σ² from bias-corrected moments of the raw gradient. */
    SR_RAW("SR-Adam (conv, raw-gradient moments)"),
    /**
     * Mechanism control: Adam with β1 = 0.99 on the convolution layers only. The whitened variant's constant c = 0.1 makes
     * m ← 0.9·m + 0.1·(0.9·m + 0.1·g) = 0.99·m + 0.01·g there, so this is its first moment without the shrunk second moment.
     */
    ADAM_CONV_099("Adam (β1 = 0.99 on conv layers)"),
    /** Baseline: SGD with momentum 0.9. */
    MOMENTUM("SGD, momentum 0.9"),
    /** Baseline: plain SGD. */
    SGD("SGD");

    /** Published best test accuracies (%), CIFAR-10, batch 512, 20 epochs, 5 seeds (docs/papers.md §1), by noise: SGD, momentum, Adam, SR-Adam, SR-Adam all. */
    static final Map<Double, double[]> PAPER_BY_NOISE = Map.of(0.0, new double[] {48.95, 72.31, 74.12, 75.59, 70.86},
            0.05, new double[] {49.25, 72.22, 73.95, 75.84, 71.25}, 0.1, new double[] {49.24, 71.89, 73.20, 75.37, 70.44});
    /** Published best test accuracies (%), CIFAR-10, input noise 0.05, 20 epochs, 5 seeds (docs/papers.md §1), by batch size: Adam, SR-Adam. */
    static final Map<Integer, double[]> PAPER_ADAM_SR = Map.of(64, new double[] {76.17, 72.02}, 128, new double[] {76.31, 73.75},
            256, new double[] {75.52, 75.73}, 512, new double[] {73.95, 75.84}, 1024, new double[] {71.96, 73.89});
    final String label;

    SrAdamMethod(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /**
     * Whether the method shrinks (and so has a factor c to record).
     *
     * @return true for the SR-Adam variants
     */
    @Override
    public boolean shrinks() {
        return this == SR_PAPER || this == SR_WHITENED || this == SR_ALL || this == SR_RAW;
    }

    /**
     * The name in CSV files and log lines.
     *
     * @return e.g. {@code sr-whitened}
     */
    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The method whose key a CSV file names. */
    static SrAdamMethod of(String key, Object file) throws IOException {
        for (SrAdamMethod m : values()) if (m.key().equals(key)) return m;
        throw new IOException(file + ": unknown method '" + key + "'");
    }

    /**
     * The published number at a batch size and noise level, or NaN (the paper's SR-Adam numbers come from the authors' whitened
     * code; the mechanism controls are not in the paper).
     */
    @Override
    public double paper(int batch, double noise) {
        int column = switch (this) {
            case SGD -> 0;
            case MOMENTUM -> 1;
            case ADAM -> 2;
            case SR_PAPER, SR_WHITENED -> 3;
            case SR_ALL -> 4;
            case SR_RAW, ADAM_CONV_099 -> -1;
        };
        if (column < 0) return Double.NaN;
        if (batch == 512 && PAPER_BY_NOISE.containsKey(noise)) return PAPER_BY_NOISE.get(noise)[column];
        double[] p = noise == 0.05 ? PAPER_ADAM_SR.get(batch) : null;
        if (p == null || column < 2 || column > 3) return Double.NaN;
        return p[column - 2];
    }

    /** The optimizer over a model's parameters. */
    @Override
    public Optimizer optimizer(Sequential model, SrAdamConfig cfg) {
        List<Parameter> all = model.parameters();
        return switch (this) {
            case ADAM -> new Adam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("paper_epsilon", true)));
            case SR_PAPER, SR_WHITENED -> new SteinRuleAdam(List.of(
                    ParamGroup.of(model.parameters(Conv2d.class)).with("lr", cfg.lr()).with("shrink", true)
                            .with("variant", this == SR_PAPER ? SteinRuleAdam.Variant.PAPER : SteinRuleAdam.Variant.WHITENED),
                    ParamGroup.of(model.parametersExcept(Conv2d.class)).with("lr", cfg.lr()).with("shrink", false)));
            case SR_ALL -> new SteinRuleAdam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("shrink", true).with("variant", cfg.allVariant())));
            case SR_RAW -> new SteinRuleAdam(List.of(
                    ParamGroup.of(model.parameters(Conv2d.class)).with("lr", cfg.lr()).with("shrink", true).with("variant", SteinRuleAdam.Variant.RAW_MOMENTS),
                    ParamGroup.of(model.parametersExcept(Conv2d.class)).with("lr", cfg.lr()).with("shrink", false)));
            case ADAM_CONV_099 -> new Adam(List.of(ParamGroup.of(model.parameters(Conv2d.class)).with("lr", cfg.lr()).with("beta1", 0.99)
                            .with("paper_epsilon", true),
                    ParamGroup.of(model.parametersExcept(Conv2d.class)).with("lr", cfg.lr()).with("paper_epsilon", true)));
            case MOMENTUM -> new dev.descent.optim.SGD(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("momentum", 0.9)));
            case SGD -> new dev.descent.optim.SGD(List.of(ParamGroup.of(all).with("lr", cfg.lr())));
        };
    }
}
