package dev.descent.optim;

import static dev.descent.optim.Steps.assertClose;

import dev.descent.core.DType;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first steps of SGD, Adam, AdamW, RMSprop and Adagrad on a small quadratic equal float64
 * references written as plain loops from each algorithm's formulas (not by calling the optimizers),
 * for several hyperparameter combinations, in float64 (to 1e-12) and float32 (to 1e-5); Adadelta, Rprop and
 * Lion the same way over 20 steps with two groups of different hyperparameters.
 */
class ReferenceTest {
    static final int STEPS = 6;
    final SplittableRandom rng = new SplittableRandom(4);
    final Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
    final double[] theta0 = Quadratic.gaussian(rng, 7, 1);

    // ------------------------------------------------------------------ SGD

    static double[] sgdReference(Quadratic q, double[] theta0, int steps, double lr, double mu, double tau, double wd, boolean nesterov) {
        double[] th = theta0.clone(), buf = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                double gi = g[i] + wd * th[i];
                if (mu != 0) {
                    buf[i] = t == 1 ? gi : mu * buf[i] + (1 - tau) * gi;
                    gi = nesterov ? gi + mu * buf[i] : buf[i];
                }
                th[i] -= lr * gi;
            }
        }
        return th;
    }

    @Test
    void sgdMatchesReference() {
        double[][] configs = { // lr, momentum, dampening, weight decay, nesterov (0/1)
                {0.1, 0, 0, 0, 0}, {0.1, 0.9, 0, 0, 0}, {0.05, 0.9, 0.5, 0.01, 0}, {0.05, 0.8, 0, 0.1, 1}, {0.2, 0.9, 0.9, 0, 0}};
        for (double[] c : configs) {
            double[] want = sgdReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], c[4] == 1);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new SGD(List.of(ParamGroup.of(ps).with("lr", c[0])
                        .with("momentum", c[1]).with("dampening", c[2]).with("weight_decay", c[3]).with("nesterov", c[4] == 1))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "SGD " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    @Test
    void twoTimeScaleSgdIsTwoGroupsWithTheirOwnLearningRates() {
        double fast = 0.3, slow = 0.003;
        double[] th = theta0.clone();
        for (int t = 0; t < STEPS; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) th[i] -= (i < 3 ? fast : slow) * g[i];
        }
        double[] got = Steps.run(q, theta0, DType.FLOAT64, STEPS, Steps.SHAPES, new int[] {1, 1},
                gs -> new SGD(List.of(ParamGroup.of(gs.get(0)).with("lr", fast), ParamGroup.of(gs.get(1)).with("lr", slow))));
        assertClose(th, got, 1e-12, "two-time-scale SGD");
    }

    // ------------------------------------------------------------------ Adam and AdamW

    /** Adam as torch.optim.Adam computes it: ε added after the bias correction of sqrt(v). */
    static double[] adamReference(Quadratic q, double[] theta0, int steps, double lr, double b1, double b2, double eps, double wd,
            double decoupled, boolean amsgrad) {
        double[] th = theta0.clone(), m = new double[th.length], v = new double[th.length], vmax = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                th[i] *= 1 - lr * decoupled;
                double gi = g[i] + wd * th[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                vmax[i] = Math.max(vmax[i], v[i]);
                double second = amsgrad ? vmax[i] : v[i];
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = second / (1 - Math.pow(b2, t));
                th[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return th;
    }

    /** Kingma &amp; Ba §2's form (docs/papers.md §1): ε on the uncorrected sqrt(v). */
    static double[] adamPaperReference(Quadratic q, double[] theta0, int steps, double lr, double b1, double b2, double eps) {
        double[] th = theta0.clone(), m = new double[th.length], v = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                th[i] -= lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)) * m[i] / (Math.sqrt(v[i]) + eps);
            }
        }
        return th;
    }

    @Test
    void adamWithPaperEpsilonMatchesItsReference() {
        // A large ε makes the two placements differ visibly; the default placement must not match this reference.
        double[] want = adamPaperReference(q, theta0, STEPS, 0.05, 0.9, 0.99, 1e-2);
        double[] got = Steps.run(q, theta0, DType.FLOAT64, STEPS, ps -> new Adam(List.of(ParamGroup.of(ps).with("lr", 0.05).with("beta2", 0.99)
                .with("eps", 1e-2).with("paper_epsilon", true))));
        assertClose(want, got, 1e-12, "Adam, paper ε");
        double[] pytorch = Steps.run(q, theta0, DType.FLOAT64, STEPS, ps -> new Adam(List.of(ParamGroup.of(ps).with("lr", 0.05).with("beta2", 0.99)
                .with("eps", 1e-2))));
        org.junit.jupiter.api.Assertions.assertTrue(Math.abs(pytorch[0] - want[0]) > 1e-6, "the two ε placements should differ with ε = 1e-2");
    }

    @Test
    void adamMatchesReference() {
        double[][] configs = { // lr, beta1, beta2, eps, weight decay, amsgrad
                {1e-2, 0.9, 0.999, 1e-8, 0, 0}, {0.1, 0.5, 0.9, 1e-3, 0.1, 0}, {0.05, 0.9, 0.99, 1e-8, 0, 1}, {0.05, 0, 0.5, 0.1, 0.01, 1}};
        for (double[] c : configs) {
            double[] want = adamReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], c[4], 0, c[5] == 1);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new Adam(List.of(ParamGroup.of(ps).with("lr", c[0]).with("beta1", c[1])
                        .with("beta2", c[2]).with("eps", c[3]).with("weight_decay", c[4]).with("amsgrad", c[5] == 1))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "Adam " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    @Test
    void adamWMatchesReference() {
        double[][] configs = {{1e-2, 0.9, 0.999, 1e-8, 1e-2, 0}, {0.1, 0.8, 0.95, 1e-6, 0.5, 1}};
        for (double[] c : configs) {
            double[] want = adamReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], 0, c[4], c[5] == 1);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new AdamW(List.of(ParamGroup.of(ps).with("lr", c[0]).with("beta1", c[1])
                        .with("beta2", c[2]).with("eps", c[3]).with("weight_decay", c[4]).with("amsgrad", c[5] == 1))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "AdamW " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    // ------------------------------------------------------------------ RMSprop

    static double[] rmspropReference(Quadratic q, double[] theta0, int steps, double lr, double alpha, double eps, double wd, double mu,
            boolean centered) {
        double[] th = theta0.clone(), v = new double[th.length], gavg = new double[th.length], buf = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                double gi = g[i] + wd * th[i];
                v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
                double avg = v[i];
                if (centered) {
                    gavg[i] = alpha * gavg[i] + (1 - alpha) * gi;
                    avg -= gavg[i] * gavg[i];
                }
                double d = Math.sqrt(avg) + eps;
                if (mu > 0) {
                    buf[i] = mu * buf[i] + gi / d;
                    th[i] -= lr * buf[i];
                } else {
                    th[i] -= lr * gi / d;
                }
            }
        }
        return th;
    }

    @Test
    void rmspropMatchesReference() {
        double[][] configs = { // lr, alpha, eps, weight decay, momentum, centered
                {1e-2, 0.99, 1e-8, 0, 0, 0}, {0.05, 0.9, 1e-4, 0.1, 0.9, 0}, {0.01, 0.9, 1e-6, 0, 0, 1}, {0.02, 0.5, 1e-8, 0.01, 0.5, 1}};
        for (double[] c : configs) {
            double[] want = rmspropReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], c[4], c[5] == 1);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new RMSprop(List.of(ParamGroup.of(ps).with("lr", c[0]).with("alpha", c[1])
                        .with("eps", c[2]).with("weight_decay", c[3]).with("momentum", c[4]).with("centered", c[5] == 1))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "RMSprop " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    // ------------------------------------------------------------------ Adagrad

    static double[] adagradReference(Quadratic q, double[] theta0, int steps, double lr, double lrDecay, double wd, double init, double eps) {
        double[] th = theta0.clone(), sum = new double[th.length];
        java.util.Arrays.fill(sum, init);
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < th.length; i++) {
                double gi = g[i] + wd * th[i];
                sum[i] += gi * gi;
                th[i] -= clr * gi / (Math.sqrt(sum[i]) + eps);
            }
        }
        return th;
    }

    @Test
    void adagradMatchesReference() {
        double[][] configs = {{1e-2, 0, 0, 0, 1e-10}, {0.5, 0.1, 0.05, 0.1, 1e-6}};
        for (double[] c : configs) {
            double[] want = adagradReference(q, theta0, STEPS, c[0], c[1], c[2], c[3], c[4]);
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double[] got = Steps.run(q, theta0, dtype, STEPS, ps -> new Adagrad(List.of(ParamGroup.of(ps).with("lr", c[0]).with("lr_decay", c[1])
                        .with("weight_decay", c[2]).with("initial_accumulator_value", c[3]).with("eps", c[4]))));
                assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "Adagrad " + java.util.Arrays.toString(c) + " " + dtype);
            }
        }
    }

    // ------------------------------------------------------------------ Adadelta, Rprop, Lion: two groups, 20 steps

    /** Steps of the two-group runs; group 0 holds elements 0–2 (the {3} tensor), group 1 elements 3–6 (the {2, 2} tensor). */
    static final int LONG_STEPS = 20;

    /** The group of element {@code i} in the two-group runs. */
    static int groupOf(int i) {
        return i < Steps.SHAPES[0][0] ? 0 : 1;
    }

    /** Runs an optimizer over the two groups {3} and {2, 2} for {@link #LONG_STEPS} and compares with the reference. */
    void assertTwoGroupsMatch(String name, double[] want, java.util.function.Function<List<List<dev.descent.core.Parameter>>, Optimizer> build) {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, LONG_STEPS, Steps.SHAPES, new int[] {1, 1}, build);
            assertClose(want, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, name + " " + dtype);
        }
    }

    /** Adadelta as torch.optim.Adadelta documents it; hyperparameters indexed by group. */
    static double[] adadeltaReference(Quadratic q, double[] theta0, int steps, double[] lr, double[] rho, double[] eps, double[] wd) {
        double[] th = theta0.clone(), v = new double[th.length], u = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                int k = groupOf(i);
                double gi = g[i] + wd[k] * th[i];
                v[i] = rho[k] * v[i] + (1 - rho[k]) * gi * gi;
                double delta = Math.sqrt(u[i] + eps[k]) / Math.sqrt(v[i] + eps[k]) * gi;
                u[i] = rho[k] * u[i] + (1 - rho[k]) * delta * delta;
                th[i] -= lr[k] * delta;
            }
        }
        return th;
    }

    @Test
    void adadeltaMatchesReferenceWithTwoGroups() {
        double[] lr = {1.0, 0.5}, rho = {0.9, 0.95}, eps = {1e-6, 1e-4}, wd = {0.1, 0.01};
        double[] want = adadeltaReference(q, theta0, LONG_STEPS, lr, rho, eps, wd);
        org.junit.jupiter.api.Assertions.assertTrue(Math.abs(want[0] - theta0[0]) > 1e-3, "Adadelta reference did not move");
        assertTwoGroupsMatch("Adadelta", want, gs -> new Adadelta(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("rho", rho[0]).with("eps", eps[0]).with("weight_decay", wd[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("rho", rho[1]).with("eps", eps[1]).with("weight_decay", wd[1]))));
    }

    /**
     * Rprop as torch.optim.Rprop documents it; hyperparameters indexed by group. It fails when some gradient comes
     * within 1e-4 of 0 (float32 rounding moves a gradient by about 1e-6 here): a flipped sign there would make the
     * float32 run rightly differ. It also fails when no sign ever changes, which would leave that rule untested.
     */
    static double[] rpropReference(Quadratic q, double[] theta0, int steps, double[] lr, double[] etaMinus, double[] etaPlus,
            double[] stepMin, double[] stepMax) {
        double[] th = theta0.clone(), prev = new double[th.length], eta = new double[th.length];
        for (int i = 0; i < th.length; i++) eta[i] = lr[groupOf(i)];
        int flips = 0;
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                int k = groupOf(i);
                double gi = g[i];
                org.junit.jupiter.api.Assertions.assertTrue(Math.abs(gi) > 1e-4, "gradient " + gi + " near a sign boundary at step " + t + ", element " + i);
                if (gi * prev[i] > 0) {
                    eta[i] = Math.min(eta[i] * etaPlus[k], stepMax[k]);
                } else if (gi * prev[i] < 0) {
                    eta[i] = Math.max(eta[i] * etaMinus[k], stepMin[k]);
                    gi = 0;
                    flips++;
                }
                th[i] -= eta[i] * Math.signum(gi);
                prev[i] = gi;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(flips > 0, "the Rprop reference never saw a sign change: the test would not test it");
        return th;
    }

    @Test
    void rpropMatchesReferenceWithTwoGroups() {
        double[] lr = {1e-2, 5e-2}, etaMinus = {0.5, 0.4}, etaPlus = {1.2, 1.3}, stepMin = {1e-6, 1e-2}, stepMax = {50, 0.1};
        double[] want = rpropReference(q, theta0, LONG_STEPS, lr, etaMinus, etaPlus, stepMin, stepMax);
        assertTwoGroupsMatch("Rprop", want, gs -> new Rprop(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("etaminus", etaMinus[0]).with("etaplus", etaPlus[0])
                        .with("step_size_min", stepMin[0]).with("step_size_max", stepMax[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("etaminus", etaMinus[1]).with("etaplus", etaPlus[1])
                        .with("step_size_min", stepMin[1]).with("step_size_max", stepMax[1]))));
    }

    /**
     * Lion as Chen et al. 2023 (Algorithm 2) write it, decoupled weight decay first; hyperparameters indexed by group.
     * It fails when some interpolation c comes within 1e-4 of 0 (float32 rounding moves a gradient by about 1e-6
     * here): a flipped sign there would make the float32 run rightly differ.
     */
    static double[] lionReference(Quadratic q, double[] theta0, int steps, double[] lr, double[] beta1, double[] beta2, double[] wd) {
        double[] th = theta0.clone(), m = new double[th.length];
        for (int t = 1; t <= steps; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) {
                int k = groupOf(i);
                th[i] *= 1 - lr[k] * wd[k];
                double c = beta1[k] * m[i] + (1 - beta1[k]) * g[i];
                org.junit.jupiter.api.Assertions.assertTrue(Math.abs(c) > 1e-4, "c = " + c + " near a sign boundary at step " + t + ", element " + i);
                th[i] -= lr[k] * Math.signum(c);
                m[i] = beta2[k] * m[i] + (1 - beta2[k]) * g[i];
            }
        }
        return th;
    }

    @Test
    void lionMatchesReferenceWithTwoGroups() {
        double[] lr = {0.03, 0.01}, beta1 = {0.9, 0.8}, beta2 = {0.99, 0.9}, wd = {0.5, 0.1};
        double[] want = lionReference(q, theta0, LONG_STEPS, lr, beta1, beta2, wd);
        assertTwoGroupsMatch("Lion", want, gs -> new Lion(List.of(
                ParamGroup.of(gs.get(0)).with("lr", lr[0]).with("beta1", beta1[0]).with("beta2", beta2[0]).with("weight_decay", wd[0]),
                ParamGroup.of(gs.get(1)).with("lr", lr[1]).with("beta1", beta1[1]).with("beta2", beta2[1]).with("weight_decay", wd[1]))));
    }
}
