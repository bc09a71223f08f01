// `descent reproduce erm`: options → ErmConfig → the ERM experiment.
package dev.descent.cli.reproduce;

import static dev.descent.cli.reproduce.ClippingCommand.or;

import dev.descent.bench.reproduce.erm.ErmConfig;
import dev.descent.bench.reproduce.erm.ErmExperiment;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code descent reproduce erm}: an option left out takes the value of {@link ErmConfig#full} (or {@link ErmConfig#toy} with --quick);
 * a changed {@code --samples} m moves the defaults that depend on it (d = 6m, |V| = 4·2^m, λ = m^−1.5).
 */
@Command(name = "erm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docs/papers.md §3: projected GD on Feldman's instance: generalisation gap against ηT and the unseen-codeword check.",
            "The gap is plotted on log-log axes with a fitted slope; the codeword check is exact. The paper's extra terms are not public:"
                + " ε adds a linear stand-in noise term, λ a strongly convex term."})
final class ErmCommand implements Callable<Integer> {
    @Mixin
    ReproduceOptions common;
    @Option(names = "--samples", description = "m, the number of samples (default: 10; quick 5)")
    Integer samples;
    @Option(names = "--dimension", description = "d (default: 6m)")
    Integer dimension;
    @Option(names = "--code-size", description = "|V| (default: 4·2^m)")
    Integer codeSize;
    @Option(names = "--radius", description = "radius of the ball (default: 1)")
    Double radius;
    @Option(names = "--lrs", split = ",", description = "steps η (default: 0.01,0.1; quick 0.1)")
    List<Double> lrs;
    @Option(names = "--max-steps", description = "largest horizon T; the grid is 1, 2, 5, 10, … up to it (default: 10000; quick 200)")
    Integer maxSteps;
    @Option(names = "--noise", split = ",", description = "ε values of the linear stand-in term (default: 0,0.1)")
    List<Double> noises;
    @Option(names = "--lambda", split = ",", description = "λ values of the strongly convex term (default: 0 and m^-1.5)")
    List<Double> lambdas;
    @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3,4,5; quick 1,2)")
    List<Long> seeds;
    @Option(names = "--resume", description = "keep the trajectories an interrupted invocation with the same settings completed in --out; run the rest")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        ErmConfig d = common.quick ? ErmConfig.toy() : ErmConfig.full();
        int m = or(samples, d.samples());
        boolean mChanged = samples != null && samples != d.samples();
        ErmConfig cfg = new ErmConfig(m, or(dimension, 6 * m), codeSize != null ? codeSize : mChanged ? 4 << Math.min(m, 20) : d.codeSize(),
                or(radius, d.radius()), or(lrs, d.lrs()), maxSteps != null ? ErmConfig.oneTwoFive(maxSteps) : d.horizons(), or(noises, d.noises()),
                lambdas != null ? lambdas : mChanged ? List.of(0.0, Math.pow(m, -1.5)) : d.lambdas(), or(seeds, d.seeds()), common.quick, resume);
        String settings = String.format(Locale.ROOT, "m = %d, d = %d, |V| = %d, η %s, T up to %d, ε %s, λ %s, seeds %s", cfg.samples(), cfg.dimension(),
                cfg.codeSize(), cfg.lrs(), cfg.horizons().getLast(), cfg.noises(), cfg.lambdas(), cfg.seeds());
        return common.run(new ErmExperiment(), cfg, settings);
    }
}
