// An extra arm of an image reproduction: any optimizer descent train knows, by name (--baseline NAME[:LR]).
package dev.descent.bench.reproduce;

import dev.descent.bench.OptimizerFactory;
import dev.descent.nn.Module;
import dev.descent.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An optimizer added to a comparison by name ({@code --baseline NAME[:LR]}): built by {@link OptimizerFactory} with
 * {@code descent train}'s defaults, at the experiment's learning rate (or {@code LR} when given) and the experiment's
 * weight decay. Its runs are paired by seed with the experiment's own arms (same initial weights, batches, noise).
 *
 * @param name an {@link OptimizerFactory#NAMES} name
 * @param lr   the learning rate given after the colon, or null for the experiment's convention
 */
public record Baseline(String name, Double lr) {
    /** The prefix of a baseline's key in CSV files, so that a baseline named like one of the experiment's own arms stays apart. */
    public static final String PREFIX = "baseline-";

    /** Checks the name and the learning rate. */
    public Baseline {
        if (!OptimizerFactory.NAMES.contains(name)) throw new IllegalArgumentException("--baseline: " + OptimizerFactory.unknown(name));
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) throw new IllegalArgumentException("--baseline " + name + ": the learning rate must be > 0, was " + lr);
    }

    /**
     * Reads {@code NAME} or {@code NAME:LR}.
     *
     * @param spec the option's value
     * @return the baseline
     * @throws IllegalArgumentException for an unknown name or a bad learning rate
     */
    public static Baseline parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) return new Baseline(spec.trim().toLowerCase(Locale.ROOT), null);
        String lr = spec.substring(colon + 1).trim();
        try {
            return new Baseline(spec.substring(0, colon).trim().toLowerCase(Locale.ROOT), Double.parseDouble(lr));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--baseline " + spec + ": '" + lr + "' is not a learning rate (NAME or NAME:LR)");
        }
    }

    /**
     * Reads every spec, refusing a name given twice.
     *
     * @param specs the option's values (null: none)
     * @return the baselines, in the order given
     */
    public static List<Baseline> parseAll(List<String> specs) {
        List<Baseline> out = new ArrayList<>();
        if (specs == null) return out;
        for (String s : specs) {
            Baseline b = parse(s);
            if (out.stream().anyMatch(x -> x.name.equals(b.name))) throw new IllegalArgumentException("--baseline " + b.name + " is given twice");
            out.add(b);
        }
        return List.copyOf(out);
    }

    /**
     * The baseline a CSV key names (its learning rate is in the run's settings, not in the key).
     *
     * @param key e.g. {@code baseline-lion}
     * @return the baseline, or null when the key is not a baseline's
     */
    public static Baseline fromKey(String key) {
        return key.startsWith(PREFIX) ? new Baseline(key.substring(PREFIX.length()), null) : null;
    }

    /** {@return the name in CSV files and log lines, e.g. {@code baseline-lion}} */
    public String key() {
        return PREFIX + name;
    }

    /** {@return the name in report tables and plots} */
    public String label() {
        return name + " (baseline)";
    }

    /**
     * The learning rate this baseline runs at.
     *
     * @param experimentLr the experiment's learning rate for its arms, or null when each arm uses its algorithm's default
     * @return {@link #lr} when given, else {@code experimentLr}, else the algorithm's default
     */
    public double lr(Double experimentLr) {
        if (lr != null) return lr;
        if (experimentLr != null) return experimentLr;
        return OptimizerFactory.resolve(OptimizerFactory.Settings.defaults(name)).lr();
    }

    /**
     * The optimizer over a model's parameters.
     *
     * @param model        the model
     * @param experimentLr the experiment's learning rate convention (see {@link #lr(Double)})
     * @param weightDecay  the experiment's weight decay
     * @return the optimizer
     */
    public Optimizer optimizer(Module model, Double experimentLr, double weightDecay) {
        return OptimizerFactory.create(OptimizerFactory.Settings.defaults(name).withLrAndDecay(lr(experimentLr), weightDecay), model);
    }

    /**
     * How the settings line of a report describes the baselines.
     *
     * @param baselines    the baselines
     * @param experimentLr the experiment's learning rate convention
     * @param weightDecay  the experiment's weight decay
     * @return e.g. {@code lion at lr 0.001; …}
     */
    public static String describe(List<Baseline> baselines, Double experimentLr, double weightDecay) {
        return String.join("; ", baselines.stream().map(b -> String.format(Locale.ROOT, "`%s` (descent train --optimizer %s, its other defaults), lr %s%s,"
                + " weight decay %s", b.name, b.name, Statistics.sig(b.lr(experimentLr)), b.lr != null ? " (given)" : experimentLr != null
                ? " (the experiment's)" : " (the algorithm's default)", Statistics.sig(weightDecay))).toList());
    }
}
