// One arm of the SR-Adam comparison: one of the experiment's own optimizers, or a baseline added by name.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.Baseline;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import java.io.IOException;

/** An optimizer the SR-Adam experiment runs: a {@link SrAdamMethod}, or a {@link BaselineArm} ({@code --baseline NAME[:LR]}). */
public sealed interface SrAdamArm permits SrAdamMethod, SrAdamArm.BaselineArm {
    /** {@return the name in CSV files and log lines} */
    String key();

    /** {@return the name in report tables and plots} */
    String label();

    /** {@return whether the arm shrinks (and so has a factor c to record)} */
    boolean shrinks();

    /**
     * The published number at a batch size and noise level, or NaN.
     *
     * @param batch the batch size
     * @param noise the input noise
     * @return the paper's best test accuracy (%), or NaN
     */
    double paper(int batch, double noise);

    /**
     * The optimizer over a model's parameters.
     *
     * @param model the model
     * @param cfg   the experiment's settings
     * @return the optimizer
     */
    Optimizer optimizer(Sequential model, SrAdamConfig cfg);

    /**
     * A baseline optimizer by name, at the experiment's learning rate ({@link SrAdamConfig#lr}: every optimizer of this
     * experiment shares it) unless the spec gives one, and no weight decay (as every arm here).
     *
     * @param baseline the baseline
     */
    record BaselineArm(Baseline baseline) implements SrAdamArm {
        @Override
        public String key() {
            return baseline.key();
        }

        @Override
        public String label() {
            return baseline.label();
        }

        @Override
        public boolean shrinks() {
            return false;
        }

        @Override
        public double paper(int batch, double noise) {
            return Double.NaN;
        }

        @Override
        public Optimizer optimizer(Sequential model, SrAdamConfig cfg) {
            return baseline.optimizer(model, cfg.lr(), 0);
        }
    }

    /**
     * The arm a CSV key names.
     *
     * @param key  the key
     * @param cfg  the settings (their baselines carry the learning rates)
     * @param file the file, for the message
     * @return the arm
     * @throws IOException for a key that names no arm of these settings
     */
    static SrAdamArm of(String key, SrAdamConfig cfg, Object file) throws IOException {
        for (SrAdamArm a : cfg.arms()) if (a.key().equals(key)) return a;
        if (Baseline.fromKey(key) != null) return new BaselineArm(Baseline.fromKey(key));
        return SrAdamMethod.of(key, file);
    }
}
