package dev.descent.tutorial;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Anomaly;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.check.GradCheck;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/** Chapter 4 of the tutorial: checking a backward rule against finite differences, and what a wrong rule looks like when caught. */
public final class Ch04GradCheck {
    private Ch04GradCheck() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param bestStepError the smallest error of the central difference over the steps tried
     * @param bestStep the step h that gave it
     * @param worstDifference the largest |numerical − analytical| of the passing full check
     * @param failure the message of the check that caught the wrong rule
     * @param anomaly the message of the anomaly detector
     */
    public record Result(double bestStepError, double bestStep, double worstDifference, String failure, String anomaly) {}

    /**
     * Runs the chapter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("numeric");
        // tag::numeric[]
        DoubleUnaryOperator f = t -> t * t + StrictMath.exp(t);   // x² + eˣ; StrictMath: the same bits on every machine
        double exact = 2 * 2 + StrictMath.exp(2);                  // its derivative 2x + eˣ at x = 2
        for (double h : new double[] {1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11, 1e-13}) {
            double numerical = (f.applyAsDouble(2 + h) - f.applyAsDouble(2 - h)) / (2 * h);
            System.out.printf("h = %.0e   (f(x+h) − f(x−h))/2h = %.12f   error %.1e%n", h, numerical, Math.abs(numerical - exact));
        }
        // end::numeric[]
        double bestError = Double.MAX_VALUE, bestStep = 0;
        for (double h : new double[] {1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11, 1e-13}) {
            double e = Math.abs((f.applyAsDouble(2 + h) - f.applyAsDouble(2 - h)) / (2 * h) - exact);
            if (e < bestError) {
                bestError = e;
                bestStep = h;
            }
        }

        Tutorial.section("check");
        // tag::check[]
        GradCheck.check(t -> t.mul(t).add(t.exp()), Tensor.of(2.0));        // passes: returns quietly

        var rng = new SplittableRandom(4);
        Tensor x = Tensor.randn(rng, 5, 3), w = Tensor.randn(rng, 3, 2), b = Tensor.randn(rng, 2);
        double worst = GradCheck.check(GradCheck.Options.defaults(), "linear+tanh",
                in -> in[0].matmul(in[1]).add(in[2]).tanh(), x, w, b);        // every entry of three Jacobians
        System.out.println("linear+tanh: passed, every |numerical − analytical| < 1e-8: " + (worst < 1e-8));

        Tensor big = Tensor.randn(DType.FLOAT64, rng, 200, 300);
        GradCheck.check(GradCheck.Options.defaults().withFastMode(4, 42), "big softmax",
                in -> in[0].softmax(1), big);                                  // 4 random projections, not 60,000² entries
        System.out.println("big softmax (fast mode): passed");
        // end::check[]

        Tutorial.section("wrong");
        // tag::wrong[]
        String failure;
        try {
            GradCheck.check("cube", in -> cubeWithWrongRule(in[0]), Tensor.of(new double[] {1, 2}));
            failure = "(not caught)";
        } catch (GradCheck.GradCheckFailure e) {
            failure = e.getMessage();
        }
        System.out.println(failure);
        // end::wrong[]

        Tutorial.section("anomaly");
        String anomaly = anomalyMessage();
        System.out.println(anomaly);
        return new Result(bestError, bestStep, worst, failure, anomaly);
    }

    /**
     * x³ with a deliberately wrong backward rule, 2x² instead of 3x².
     *
     * @param x the input
     * @return x³, recorded with the wrong rule
     */
    // tag::cube[]
    static Tensor cubeWithWrongRule(Tensor x) {
        Tensor y;
        try (var _ = GradMode.noGrad()) {
            y = x.mul(x).mul(x);                                           // forward: x³, not recorded op by op
        }
        return Autograd.record("cube", y, g -> new Tensor[] {g.mul(x.square()).mul(2)}, x);  // rule: 2x² — wrong, it is 3x²
    }
    // end::cube[]

    /**
     * Runs a backward that produces an infinity with anomaly detection on.
     *
     * @return the detector's message
     */
    static String anomalyMessage() {
        try {
            return sqrtAtZero();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // tag::anomaly[]
    static String sqrtAtZero() throws Exception {                  // close() of detect()'s scope is declared to throw
        Tensor x = Tensor.of(new double[] {4, 0, 1}).requiresGrad(true);
        try (var _ = Anomaly.detect()) {
            x.sqrt().sum().backward();                             // d√x/dx = 1/(2√x) is infinite at 0
            return "no anomaly";
        } catch (Anomaly.AnomalyException e) {
            return e.getMessage();
        }
    }
    // end::anomaly[]
}
