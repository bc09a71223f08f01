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

/** The optimizers compared, in the order they run and are reported (docs/papers.md §1). */
public enum SrAdamMethod {
    /** Adam with ε on the uncorrected √v, so that it is SR-Adam with c ≡ 1. */
    ADAM("Adam"),
    /** SR-Adam shrinking the convolution layers, the paper's formula. */
    SR_PAPER("SR-Adam (conv, paper formula)"),
    /** SR-Adam shrinking the convolution layers, the authors' whitened statistics. */
    SR_WHITENED("SR-Adam (conv, whitened)"),
    /** SR-Adam shrinking every parameter as one group. */
    SR_ALL("SR-Adam (all parameters)");

    /** Published best test accuracies (%), CIFAR-10, input noise 0.05, 20 epochs, 5 seeds (docs/papers.md §1), by batch size: Adam, SR-Adam. */
    static final Map<Integer, double[]> PAPER_ADAM_SR = Map.of(64, new double[] {76.17, 72.02}, 128, new double[] {76.31, 73.75},
            256, new double[] {75.52, 75.73}, 512, new double[] {73.95, 75.84}, 1024, new double[] {71.96, 73.89});
    /** Published best test accuracy (%) of SR-Adam on all parameters, CIFAR-10, noise 0.05, batch 512. */
    static final double PAPER_ALL_512 = 71.25;

    final String label;

    SrAdamMethod(String label) {
        this.label = label;
    }

    /**
     * Whether the method shrinks (and so has a factor c to record).
     *
     * @return false for Adam only
     */
    public boolean shrinks() {
        return this != ADAM;
    }

    /**
     * The name in CSV files and log lines.
     *
     * @return e.g. {@code sr-whitened}
     */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The method whose key a CSV file names. */
    static SrAdamMethod of(String key, Object file) throws IOException {
        for (SrAdamMethod m : values()) if (m.key().equals(key)) return m;
        throw new IOException(file + ": unknown method '" + key + "'");
    }

    /** The published number at a batch size, or NaN (the paper's SR-Adam numbers come from the authors' whitened code). */
    double paper(int batch) {
        double[] p = PAPER_ADAM_SR.get(batch);
        return switch (this) {
            case ADAM -> p == null ? Double.NaN : p[0];
            case SR_PAPER, SR_WHITENED -> p == null ? Double.NaN : p[1];
            case SR_ALL -> batch == 512 ? PAPER_ALL_512 : Double.NaN;
        };
    }

    /** The optimizer over a model's parameters. */
    Optimizer optimizer(Sequential model, SrAdamConfig cfg) {
        List<Parameter> all = model.parameters();
        return switch (this) {
            case ADAM -> new Adam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("paper_epsilon", true)));
            case SR_PAPER, SR_WHITENED -> new SteinRuleAdam(List.of(
                    ParamGroup.of(model.parameters(Conv2d.class)).with("lr", cfg.lr()).with("shrink", true)
                            .with("variant", this == SR_PAPER ? SteinRuleAdam.Variant.PAPER : SteinRuleAdam.Variant.WHITENED),
                    ParamGroup.of(model.parametersExcept(Conv2d.class)).with("lr", cfg.lr()).with("shrink", false)));
            case SR_ALL -> new SteinRuleAdam(List.of(ParamGroup.of(all).with("lr", cfg.lr()).with("shrink", true).with("variant", cfg.allVariant())));
        };
    }
}
