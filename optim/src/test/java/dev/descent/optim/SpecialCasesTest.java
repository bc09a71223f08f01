package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Algorithms that are exact special cases of others, on random quadratics (the special cases of
 * SR-Adam and of the clipping framework are in their own tests): AdamW with λ = 0 is Adam, clipped
 * SGD with γ = ∞ is SGD, projected GD onto the whole space is SGD. The special case and the general
 * algorithm agree bit for bit, and both match the float64 reference loop of {@link ReferenceTest}
 * written from the algorithm's formula: two optimizers sharing one update function would agree with
 * each other even if that function were wrong.
 */
class SpecialCasesTest {
    static final int STEPS = 8;

    /**
     * A random 7-dimensional quadratic and starting point, in float32 or float64. The 56 numbers of
     * the problem come from a seed: shrinking them one by one would not make a failure easier to
     * read, while the hyperparameters and the dtype, drawn by QuickTheories, do shrink.
     */
    record Problem(long seed, DType dtype) {
        Quadratic quadratic() {
            return Quadratic.random(new SplittableRandom(seed), 7, 0.1, 5);
        }

        double[] theta0() {
            SplittableRandom rng = new SplittableRandom(seed);
            Quadratic.random(rng, 7, 0.1, 5);
            return Quadratic.gaussian(rng, 7, 1);
        }

        double tolerance() {
            return dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        }
    }

    static Gen<Problem> problems() {
        return longs().all().zip(booleans().all(), (seed, f32) -> new Problem(seed, f32 ? DType.FLOAT32 : DType.FLOAT64));
    }

    /** Weight decay: none half the time (the case that must reduce exactly), else in (0, 0.1). */
    static Gen<Double> weightDecays() {
        return booleans().all().zip(doubles().between(0, 0.1), (none, wd) -> none ? 0.0 : wd);
    }

    /**
     * Runs {@code special} and {@code general} on the problem: they must agree bit for bit, and both
     * must match {@code reference} (float64) within the dtype's tolerance.
     */
    static void sameRunsAsReference(Problem p, double[] reference, String what,
            Function<List<Parameter>, Optimizer> special, Function<List<Parameter>, Optimizer> general) {
        Quadratic q = p.quadratic();
        double[] theta0 = p.theta0();
        double[] a = Steps.run(q, theta0, p.dtype(), STEPS, special::apply), b = Steps.run(q, theta0, p.dtype(), STEPS, general::apply);
        assertClose(reference, b, p.tolerance(), what + ": the general algorithm against the reference, " + p.dtype());
        assertClose(reference, a, p.tolerance(), what + ": the special case against the reference, " + p.dtype());
        assertBitwise(b, a, what + ": the special case against the general algorithm");
    }

    record AdamHyper(double lr, double beta1, double beta2, boolean amsgrad) {}

    @Test
    void adamWWithoutDecayIsAdamWithoutDecay() {
        Gen<AdamHyper> hyper = doubles().between(1e-3, 0.1).zip(doubles().between(0, 0.99), doubles().between(0.5, 0.9999),
                booleans().all(), AdamHyper::new);
        qt().forAll(hyper, problems()).checkAssert((h, p) -> {
            // PyTorch's Adam (ε = 1e-8 after the bias correction), no L2 decay and no decoupled decay.
            double[] want = ReferenceTest.adamReference(p.quadratic(), p.theta0(), STEPS, h.lr(), h.beta1(), h.beta2(), 1e-8, 0, 0, h.amsgrad());
            sameRunsAsReference(p, want, "AdamW(λ = 0) and Adam " + h,
                    ps -> new AdamW(List.of(ParamGroup.of(ps).with("weight_decay", 0.0).with("beta1", h.beta1()).with("beta2", h.beta2())
                            .with("amsgrad", h.amsgrad())), h.lr()),
                    ps -> new Adam(List.of(ParamGroup.of(ps).with("beta1", h.beta1()).with("beta2", h.beta2()).with("amsgrad", h.amsgrad())), h.lr()));
        });
    }

    @Test
    void clippedSgdWithInfiniteThresholdIsSgd() {
        qt().forAll(doubles().between(1e-3, 0.3), weightDecays(), problems()).checkAssert((lr, wd, p) -> {
            double[] want = ReferenceTest.sgdReference(p.quadratic(), p.theta0(), STEPS, lr, 0, 0, wd, false);
            sameRunsAsReference(p, want, "clipped SGD(γ = ∞) and SGD, lr " + lr + ", wd " + wd,
                    ps -> new ClippedSGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr, Double.POSITIVE_INFINITY),
                    ps -> new SGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr));
        });
    }

    @Test
    void projectedGdOntoTheWholeSpaceIsSgd() {
        qt().forAll(doubles().between(1e-3, 0.3), weightDecays(), problems()).checkAssert((lr, wd, p) -> {
            double[] want = ReferenceTest.sgdReference(p.quadratic(), p.theta0(), STEPS, lr, 0, 0, wd, false);
            sameRunsAsReference(p, want, "projected GD onto ℝⁿ and SGD, lr " + lr + ", wd " + wd,
                    ps -> new ProjectedGradientDescent(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr,
                            new Box(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)),
                    ps -> new SGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr));
        });
    }
}
