// `descent reproduce unlearning`: options → UnlearningConfig → the unlearning experiment.
package dev.descent.cli.reproduce;

import static dev.descent.cli.reproduce.ClippingCommand.or;

import dev.descent.bench.reproduce.unlearning.UnlearningConfig;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
import dev.descent.bench.reproduce.unlearning.UnlearningExperiment;
import dev.descent.bench.report.Count;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent reproduce unlearning}: an option left out takes the value of {@link UnlearningConfig#full} (or {@link UnlearningConfig#toy} with --quick). */
@Command(name = "unlearning", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docs/papers.md §2: teacher–student runs in float64 with per-layer learning rates.",
            "Sweeps over the teacher's c2 and the second layer's initial scale a0; alignment and mean second-layer weight against step."
                + " The parametrisation is configurable."})
final class UnlearningCommand implements Callable<Integer> {
    @Mixin
    ReproduceOptions common;
    @Option(names = "--dimension", description = "d (default: 32; quick 8)")
    Integer dimension;
    @Option(names = "--width", description = "N (default: 256; quick 32)")
    Integer width;
    @Option(names = "--batch-size", description = "examples per step (default: 2048; quick 128)")
    Integer batch;
    @Option(names = "--steps", description = "SGD steps (default: 4000; quick 150)")
    Integer steps;
    @Option(names = "--student", split = ",", description = "students, the first the main one: tanh, tanh-bias, relu, relu-bias, erf, erf-bias"
            + " (default: tanh-bias,tanh — biases let tanh represent the teacher's even He2 term)")
    List<String> students;
    @Option(names = "--output-scale", description = "mean-field (1/N, default) or sqrt (1/√N)")
    String outputScale = "mean-field";
    @Option(names = "--lr-w", description = "first-layer rate (default: 0.5)")
    Double lrW;
    @Option(names = "--lr-a", description = "second-layer rate (default: 0.005)")
    Double lrA;
    @Option(names = "--lr-scale", description = "width (default: η = rate·N) or none (η = rate)")
    String lrScale = "width";
    @Option(names = "--w-init-scale", description = "first-layer rows start as N(0, scale²/d·I) (default: 1)")
    Double wInitScale;
    @Option(names = "--a-init", description = "const (default: a_i = a0) or sign (a_i = ±a0)")
    String aInit = "const";
    @Option(names = "--c1", description = "teacher's first Hermite coefficient (default: 1)")
    Double c1;
    @Option(names = "--c2", split = ",", description = "c2 sweep (default: 0,0.5,1,2; quick 0,1)")
    List<Double> c2;
    @Option(names = "--a0", split = ",", description = "a0 sweep (default: 0.01,0.1,1; quick 0.1,1)")
    List<Double> a0;
    @Option(names = "--c2-base", description = "c2 during the a0 sweep (default: 1)")
    Double c2Base;
    @Option(names = "--a0-base", description = "a0 during the c2 sweep (default: 0.1)")
    Double a0Base;
    @Option(names = "--c3", description = "odd-teacher control for odd students: c2 = 0 and this He3 coefficient against none (default: 1; 0: off)")
    Double c3;
    @Option(names = "--antithetic", arity = "1", description = "antithetic control: the c2 sweep again on batches of pairs (x, −x) (default: true)")
    Boolean antithetic;
    @Option(names = "--label-noise", description = "std of noise on y (default: 0)")
    Double labelNoise;
    @Option(names = "--points", description = "log-spaced steps recorded (default: 120; quick 40)")
    Integer points;
    @Option(names = "--seeds", split = ",", description = "seeds (default: 1,2,3,4,5; quick 1)")
    List<Long> seeds;
    @Option(names = "--resume", description = "keep the runs an interrupted invocation with the same settings completed in --out, continue the one it"
            + " was running from its last checkpoint, run the rest")
    boolean resume;
    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "SGD steps between checkpoints of the run in progress (default: 500; 0: none)")
    Long checkpointEvery;

    @Override
    public Integer call() throws IOException {
        UnlearningConfig d = common.quick ? UnlearningConfig.toy() : UnlearningConfig.full();
        List<Student> st = students == null ? d.students() : students.stream().map(Student::of).toList();
        boolean meanField = choice("--output-scale", outputScale, "mean-field", "sqrt");
        boolean times = choice("--lr-scale", lrScale, "width", "none");
        boolean sign = !choice("--a-init", aInit, "const", "sign");
        UnlearningConfig cfg = new UnlearningConfig(or(dimension, d.dimension()), or(width, d.width()), or(batch, d.batch()), or(steps, d.steps()), st,
                meanField, or(lrW, d.lrW()), or(lrA, d.lrA()), times, or(wInitScale, d.wInitScale()), sign, or(c1, d.c1()), or(c2, d.c2Sweep()),
                or(a0, d.a0Sweep()), or(c2Base, d.c2Base()), or(a0Base, d.a0Base()), or(c3, d.c3()),
                or(antithetic, d.antithetic()), or(labelNoise, d.labelNoise()), or(points, d.points()),
                or(seeds, d.seeds()), common.quick, resume);
        if (checkpointEvery != null) cfg = cfg.withCheckpointEvery(checkpointEvery);
        String settings = String.format(Locale.ROOT, "d %d, N %d, batch %d, %s; %s", cfg.dimension(), cfg.width(), cfg.batch(), Count.of(cfg.steps(), "step"),
                cfg.parametrisation());
        return common.run(new UnlearningExperiment(), cfg, settings);
    }

    /** True for the first of two values, false for the second; any other value is rejected naming the option. */
    private static boolean choice(String option, String value, String yes, String no) {
        if (value.equals(yes)) return true;
        if (value.equals(no)) return false;
        throw new IllegalArgumentException(option + " must be " + yes + " or " + no + ", was '" + value + "'");
    }
}
