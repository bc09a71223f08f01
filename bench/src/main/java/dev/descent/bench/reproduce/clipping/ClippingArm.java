// One optimizer of the clipping comparison's network part: one of the paper's four, or a baseline added by name.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.reproduce.Baseline;
import dev.descent.nn.Sequential;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import java.io.IOException;
import java.util.List;

/** An optimizer the clipping experiment trains: a {@link ClippingMethod}, or a {@link BaselineArm} ({@code --baseline NAME[:LR]}). */
public sealed interface ClippingArm permits ClippingMethod, ClippingArm.BaselineArm {
    /** {@return the name in CSV files and log lines} */
    String key();

    /** {@return the name in report tables and plots} */
    String label();

    /** {@return the settings line of the report} */
    String hyperparameters();

    /**
     * The optimizer over a model's parameters.
     *
     * @param model the model
     * @param cfg   the experiment's settings
     * @param clip  the clipping function of a clipping method (null otherwise)
     * @return the optimizer
     */
    Optimizer optimizer(Sequential model, ClippingConfig cfg, ClippingFramework.Clip clip);

    /**
     * The learning-rate schedule: ÷ 10 at the milestone.
     *
     * @param opt the optimizer
     * @param cfg the settings
     * @return the scheduler
     */
    LrScheduler scheduler(Optimizer opt, ClippingConfig cfg);

    /**
     * A baseline optimizer by name, as this experiment treats its own: each optimizer at its own learning rate (the
     * algorithm's default from {@code descent train}, or the one given after the colon), the experiment's weight decay,
     * and the learning rate ÷ 10 after the milestone.
     *
     * @param baseline the baseline
     */
    record BaselineArm(Baseline baseline) implements ClippingArm {
        @Override
        public String key() {
            return baseline.key();
        }

        @Override
        public String label() {
            return baseline.label();
        }

        @Override
        public String hyperparameters() {
            return "`" + baseline.name() + "` (descent train --optimizer " + baseline.name() + ", its other defaults), lr "
                    + dev.descent.bench.reproduce.Statistics.sig(baseline.lr(null)) + (baseline.lr() != null ? " (given)" : " (the algorithm's default)")
                    + ", the experiment's weight decay, lr ÷ 10 after the milestone";
        }

        @Override
        public Optimizer optimizer(Sequential model, ClippingConfig cfg, ClippingFramework.Clip clip) {
            return baseline.optimizer(model, null, cfg.weightDecay());
        }

        @Override
        public LrScheduler scheduler(Optimizer opt, ClippingConfig cfg) {
            return new LrScheduler(opt, Schedule.multiStep(List.of(cfg.milestone()), 0.1), "lr");
        }
    }

    /**
     * The arm a CSV key names.
     *
     * @param key  the key
     * @param cfg  the settings whose baselines carry the learning rates, or null
     * @param file the file, for the message
     * @return the arm
     * @throws IOException for a key that names no arm
     */
    static ClippingArm of(String key, ClippingConfig cfg, Object file) throws IOException {
        if (cfg != null) for (Baseline b : cfg.baselines()) if (b.key().equals(key)) return new BaselineArm(b);
        if (Baseline.fromKey(key) != null) return new BaselineArm(Baseline.fromKey(key));
        return ClippingMethod.of(key, file);
    }
}
