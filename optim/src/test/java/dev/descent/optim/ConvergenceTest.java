package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.optim.ClippingFramework.Clip;
import dev.descent.optim.SteinRuleAdam.Variant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer minimises a convex quadratic (10 dimensions, Hessian eigenvalues 1…10, gradients by
 * autodiff) to ||θ − θ*|| ≤ 1e-6, and the 3-dimensional Rosenbrock function from (−1.2, 1, 1) to
 * ||θ − 1|| ≤ 1e-3, each within the stated number of steps (the final iterate is checked).
 */
class ConvergenceTest {
    static final double QUADRATIC_TOLERANCE = 1e-6, ROSENBROCK_TOLERANCE = 1e-3;

    /**
     * How to run one optimizer on one problem.
     *
     * @param build the optimizer over the given groups
     * @param schedule a schedule stepped after every step, or null
     * @param steps the stated budget: after this many steps the iterate must be within tolerance
     */
    record Run(Function<List<ParamGroup>, Optimizer> build, Schedule schedule, int steps) {}

    /** One optimizer on both problems. */
    record Case(String name, Run quadratic, Run rosenbrock) {}

    static Run run(Function<List<ParamGroup>, Optimizer> build, int steps) {
        return new Run(build, null, steps);
    }

    static ParamGroup only(List<ParamGroup> groups) {
        return groups.get(0);
    }

    /**
     * Adaptive methods with a constant rate hover at the scale of lr around the minimum; annealed to
     * 0 by a cosine over the budget they settle. The budget is then the schedule's period.
     */
    static Run annealed(Function<List<ParamGroup>, Optimizer> build, int steps) {
        return new Run(build, Schedule.cosine(steps, 0), steps);
    }

    static final List<Case> CASES = List.of(
            new Case("SGD",
                    run(g -> new SGD(g, 0.1), 250),
                    run(g -> new SGD(g, 1e-3), 20_000)),
            new Case("SGD heavy ball",
                    run(g -> new SGD(List.of(only(g).with("momentum", 0.9)), 0.05), 500),
                    run(g -> new SGD(List.of(only(g).with("momentum", 0.9)), 1e-3), 3_000)),
            new Case("SGD Nesterov",
                    run(g -> new SGD(List.of(only(g).with("momentum", 0.9).with("nesterov", true)), 0.05), 300),
                    run(g -> new SGD(List.of(only(g).with("momentum", 0.9).with("nesterov", true)), 5e-4), 5_000)),
            new Case("Adam",
                    annealed(g -> new Adam(g, 1e-2), 1_000),
                    annealed(g -> new Adam(g, 1e-2), 10_000)),
            new Case("Adam AMSGrad",
                    annealed(g -> new Adam(List.of(only(g).with("amsgrad", true)), 1e-2), 1_000),
                    annealed(g -> new Adam(List.of(only(g).with("amsgrad", true)), 1e-2), 30_000)),
            new Case("AdamW (λ = 1e-5)",
                    annealed(g -> new AdamW(List.of(only(g).with("weight_decay", 1e-5)), 1e-2), 3_000),
                    annealed(g -> new AdamW(List.of(only(g).with("weight_decay", 1e-5)), 1e-2), 10_000)),
            new Case("RMSprop",
                    annealed(g -> new RMSprop(g, 1e-2), 1_000),
                    annealed(g -> new RMSprop(g, 1e-3), 10_000)),
            new Case("RMSprop centred, momentum",
                    annealed(g -> new RMSprop(List.of(only(g).with("centered", true).with("momentum", 0.9)), 1e-2), 1_000),
                    annealed(g -> new RMSprop(List.of(only(g).with("centered", true).with("momentum", 0.9)), 1e-3), 10_000)),
            new Case("Adagrad",
                    run(g -> new Adagrad(g, 0.5), 150),
                    run(g -> new Adagrad(g, 0.5), 20_000)),
            new Case("Adamax",
                    annealed(g -> new Adamax(g, 2e-2), 1_000),
                    annealed(g -> new Adamax(g, 1e-2), 10_000)),
            new Case("NAdam",
                    annealed(g -> new NAdam(g, 1e-2), 1_000),
                    annealed(g -> new NAdam(g, 1e-2), 10_000)),
            new Case("RAdam",
                    annealed(g -> new RAdam(g, 3e-2), 3_000),
                    annealed(g -> new RAdam(g, 2e-3), 20_000)),
            new Case("Adadelta",
                    annealed(g -> new Adadelta(g), 3_000),
                    annealed(g -> new Adadelta(g), 20_000)),
            new Case("Rprop (η_min = 0)",
                    run(g -> new Rprop(List.of(only(g).with("step_size_min", 0.0))), 500),
                    run(g -> new Rprop(List.of(only(g).with("step_size_min", 0.0))), 5_000)),
            new Case("Lion",
                    annealed(g -> new Lion(g, 1e-2), 3_000),
                    annealed(g -> new Lion(g, 1e-3), 20_000)),
            new Case("SR-Adam",
                    annealed(g -> new SteinRuleAdam(g, 3e-2), 3_000),
                    annealed(g -> new SteinRuleAdam(g, 1e-2), 10_000)),
            new Case("SR-Adam whitened",
                    annealed(g -> new SteinRuleAdam(List.of(only(g).with("variant", Variant.WHITENED)), 1e-2), 3_000),
                    annealed(g -> new SteinRuleAdam(List.of(only(g).with("variant", Variant.WHITENED)), 1e-2), 10_000)),
            new Case("clipped SGD",
                    run(g -> new ClippedSGD(g, 0.1, 1), 250),
                    run(g -> new ClippedSGD(g, 1e-3, 10), 20_000)),
            new Case("normalised SGD (β = 1)",
                    run(g -> new NormalizedSGD(List.of(only(g).with("beta", 1.0)), 0.1), 250),
                    run(g -> new NormalizedSGD(List.of(only(g).with("beta", 1.0)), 1e-3), 25_000)),
            new Case("mixed clipping",
                    run(g -> new ClippingFramework(g, 0.1, 0.1, 0.9, 0.7), 350),
                    run(g -> new ClippingFramework(g, 1e-3, 0.1, 0.9, 0.7), 20_000)),
            new Case("clipped momentum, soft",
                    run(g -> new ClippingFramework(List.of(only(g).with("clip", Clip.SOFT)), 0.1, 0.1, 0.9, 1), 500),
                    run(g -> new ClippingFramework(List.of(only(g).with("clip", Clip.SOFT)), 1e-3, 0.1, 0.9, 1), 20_000)),
            new Case("projected GD",
                    run(g -> new ProjectedGradientDescent(g, 0.1, Ball.origin(10)), 250),
                    run(g -> new ProjectedGradientDescent(g, 1e-3, Ball.origin(2)), 20_000)));

    // ------------------------------------------------------------------ the problems

    static final int N = 10;
    final Tensor a, b;
    final double[] minimiser;

    ConvergenceTest() {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] q = new double[N][N]; // orthonormal rows by Gram–Schmidt
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) q[i][j] = rng.nextGaussian();
            for (int k = 0; k < i; k++) {
                double d = 0;
                for (int j = 0; j < N; j++) d += q[i][j] * q[k][j];
                for (int j = 0; j < N; j++) q[i][j] -= d * q[k][j];
            }
            double s = 0;
            for (int j = 0; j < N; j++) s += q[i][j] * q[i][j];
            for (int j = 0; j < N; j++) q[i][j] /= Math.sqrt(s);
        }
        double[] am = new double[N * N], bv = Quadratic.gaussian(rng, N, 1);
        minimiser = new double[N]; // θ* = −Qᵀ diag(1/λ) Q b, λ_k = k + 1
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) for (int k = 0; k < N; k++) am[i * N + j] += q[k][i] * (k + 1) * q[k][j];
            for (int k = 0; k < N; k++) {
                double qb = 0;
                for (int j = 0; j < N; j++) qb += q[k][j] * bv[j];
                minimiser[i] -= q[k][i] * qb / (k + 1);
            }
        }
        a = Tensor.of(am, N, N);
        b = Tensor.of(bv, N, 1);
    }

    /** ½θᵀAθ + bᵀθ, built from core ops so that autodiff supplies the gradient. */
    Tensor quadratic(Parameter theta) {
        return theta.t().matmul(a.matmul(theta)).mul(0.5).add(b.t().matmul(theta)).sum();
    }

    /** ∇ of Σ_i (1 − x_i)² + 100·(x_{i+1} − x_i²)², by hand (checked against autodiff below). */
    static double[] rosenbrockGradient(double[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i + 1 < x.length; i++) {
            g[i] += -2 * (1 - x[i]) - 400 * x[i] * (x[i + 1] - x[i] * x[i]);
            g[i + 1] += 200 * (x[i + 1] - x[i] * x[i]);
        }
        return g;
    }

    static Tensor rosenbrock(Tensor p) {
        Tensor x = p.narrow(0, 0, 2), y = p.narrow(0, 1, 2);
        return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    }

    static double distance(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(s);
    }

    @Test
    void rosenbrockGradientMatchesAutodiff() {
        Parameter p = new Parameter(Tensor.of(new double[] {-1.2, 1, 0.3}));
        rosenbrock(p).backward();
        Steps.assertClose(rosenbrockGradient(p.toDoubleArray()), p.grad().toDoubleArray(), 1e-12, "Rosenbrock gradient");
    }

    // ------------------------------------------------------------------ the runs

    double[] minimiseQuadratic(Run c, int steps) {
        Parameter theta = new Parameter(Tensor.zeros(DType.FLOAT64, N, 1));
        Optimizer opt = c.build.apply(List.of(ParamGroup.of(theta)));
        LrScheduler scheduler = c.schedule == null ? null : new LrScheduler(opt, c.schedule);
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            quadratic(theta).backward();
            opt.step();
            if (scheduler != null) scheduler.step();
        }
        return theta.toDoubleArray();
    }

    static double[] minimiseRosenbrock(Run c, int steps) {
        Parameter x = new Parameter(Tensor.of(new double[] {-1.2, 1, 1}));
        Optimizer opt = c.build.apply(List.of(ParamGroup.of(x)));
        LrScheduler scheduler = c.schedule == null ? null : new LrScheduler(opt, c.schedule);
        for (int s = 0; s < steps; s++) {
            x.setGrad(Tensor.of(rosenbrockGradient(x.toDoubleArray())));
            opt.step();
            if (scheduler != null) scheduler.step();
        }
        return x.toDoubleArray();
    }

    @Test
    void everyOptimizerMinimisesTheQuadraticAndRosenbrock() {
        StringBuilder failures = new StringBuilder();
        for (Case c : CASES) {
            double q = distance(minimiseQuadratic(c.quadratic, c.quadratic.steps), minimiser);
            double r = distance(minimiseRosenbrock(c.rosenbrock, c.rosenbrock.steps), new double[] {1, 1, 1});
            System.out.printf("%-28s quadratic %6d steps: %.2e   Rosenbrock %6d steps: %.2e%n", c.name, c.quadratic.steps, q, c.rosenbrock.steps, r);
            if (!(q <= QUADRATIC_TOLERANCE)) failures.append(c.name + ": quadratic error " + q + " after " + c.quadratic.steps + " steps\n");
            if (!(r <= ROSENBROCK_TOLERANCE)) failures.append(c.name + ": Rosenbrock error " + r + " after " + c.rosenbrock.steps + " steps\n");
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }
}
