package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Algorithms that are exact special cases of others agree bit for bit on random quadratics (the
 * special cases of SR-Adam and of the clipping framework are in their own tests): AdamW with λ = 0
 * is Adam, clipped SGD with γ = ∞ is SGD, projected GD onto the whole space is SGD.
 */
class SpecialCasesTest {

    static void sameRuns(long seed, Function<List<Parameter>, Optimizer> first, Function<List<Parameter>, Optimizer> second) {
        SplittableRandom rng = new SplittableRandom(seed);
        Quadratic q = Quadratic.random(rng, 7, 0.1, 5);
        double[] theta0 = Quadratic.gaussian(rng, 7, 1);
        DType dtype = rng.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32;
        double[] a = Steps.run(q, theta0, dtype, 8, first::apply), b = Steps.run(q, theta0, dtype, 8, second::apply);
        assertBitwise(a, b, "special case");
    }

    @Test
    void adamWWithoutDecayIsAdamWithoutDecay() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double lr = rng.nextDouble(1e-3, 0.1), b1 = rng.nextDouble(0, 0.99), b2 = rng.nextDouble(0.5, 0.9999);
            boolean amsgrad = rng.nextBoolean();
            sameRuns(rng.nextLong(),
                    ps -> new AdamW(List.of(ParamGroup.of(ps).with("weight_decay", 0.0).with("beta1", b1).with("beta2", b2).with("amsgrad", amsgrad)), lr),
                    ps -> new Adam(List.of(ParamGroup.of(ps).with("beta1", b1).with("beta2", b2).with("amsgrad", amsgrad)), lr));
        });
    }

    @Test
    void clippedSgdWithInfiniteThresholdIsSgd() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double lr = rng.nextDouble(1e-3, 0.3), wd = rng.nextBoolean() ? 0 : rng.nextDouble(0, 0.1);
            sameRuns(rng.nextLong(),
                    ps -> new ClippedSGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr, Double.POSITIVE_INFINITY),
                    ps -> new SGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr));
        });
    }

    @Test
    void projectedGdOntoTheWholeSpaceIsSgd() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double lr = rng.nextDouble(1e-3, 0.3), wd = rng.nextBoolean() ? 0 : rng.nextDouble(0, 0.1);
            sameRuns(rng.nextLong(),
                    ps -> new ProjectedGradientDescent(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr,
                            new Box(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)),
                    ps -> new SGD(List.of(ParamGroup.of(ps).with("weight_decay", wd)), lr));
        });
    }
}
