package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Clip by global norm and clip by value: against plain-loop references, and composed with any
 * optimizer (attached to it, or applied by hand before {@code step()}, which must be the same).
 */
class GradientTransformTest {

    static List<Parameter> withGradients(SplittableRandom rng, double scale, DType dtype) {
        List<Parameter> ps = new ArrayList<>();
        int[][] shapes = {{3}, {2, 4}, {5}};
        for (int[] shape : shapes) {
            Parameter p = new Parameter(Tensor.randn(dtype, rng, shape));
            p.setGrad(Tensor.randn(dtype, rng, shape).mul(scale));
            ps.add(p);
        }
        return ps;
    }

    static double[] grads(List<Parameter> ps) {
        List<Tensor> g = new ArrayList<>();
        for (Parameter p : ps) g.add(p.grad());
        return Quadratic.flat(g);
    }

    @Test
    void clipByGlobalNormScalesAllGradientsTogether() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            List<Parameter> ps = withGradients(rng, Math.exp(rng.nextDouble(-4, 4)), DType.FLOAT64);
            double max = Math.exp(rng.nextDouble(-2, 2));
            double[] g = grads(ps);
            double norm = 0;
            for (double x : g) norm += x * x;
            norm = Math.sqrt(norm);
            double coef = Math.min(1, max / (norm + 1e-6));
            double[] want = g.clone();
            for (int i = 0; i < want.length; i++) want[i] *= coef;
            var clip = new ClipByGlobalNorm(max);
            clip.apply(ps);
            assertEquals(norm, clip.lastNorm(), 1e-12 * norm);
            if (coef == 1) assertBitwise(g, grads(ps), "below the threshold the gradients are untouched");
            else assertClose(want, grads(ps), 1e-14, "clipped gradients");
            double after = 0;
            for (double x : grads(ps)) after += x * x;
            assertTrue(Math.sqrt(after) <= max * (1 + 1e-12), "norm after clipping " + Math.sqrt(after) + " > " + max);
        });
    }

    @Test
    void clipByValueClampsEachElement() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            DType dtype = rng.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32;
            List<Parameter> ps = withGradients(rng, 2, dtype);
            double limit = rng.nextDouble(0.01, 3);
            double[] g = grads(ps);
            new ClipByValue(limit).apply(ps);
            double[] got = grads(ps);
            for (int i = 0; i < g.length; i++) {
                double want = Math.max(-limit, Math.min(limit, g[i]));
                assertEquals(dtype == DType.FLOAT64 ? want : (float) want, got[i], 0.0, "element " + i);
            }
        });
    }

    /** Optimizers of every kind, to show that transforms compose with any of them. */
    static final List<Function<List<Parameter>, Optimizer>> OPTIMIZERS = List.of(
            ps -> new SGD(List.of(ParamGroup.of(ps).with("momentum", 0.9)), 0.1),
            ps -> new Adam(List.of(ParamGroup.of(ps)), 0.01),
            ps -> new SteinRuleAdam(List.of(ParamGroup.of(ps).with("warmup", 1)), 0.01),
            ps -> new ClippingFramework(List.of(ParamGroup.of(ps)), 0.1, 0.5, 0.9, 0.7),
            ps -> new ProjectedGradientDescent(List.of(ParamGroup.of(ps)), 0.1, Ball.origin(2)));

    @Test
    void attachedTransformsEqualTransformsAppliedByHandInOrder() {
        for (var build : OPTIMIZERS) {
            SplittableRandom rng = new SplittableRandom(3);
            List<Parameter> a = withGradients(rng, 3, DType.FLOAT32), b = new ArrayList<>();
            for (Parameter p : a) b.add(new Parameter(p));
            Optimizer attached = build.apply(a), byHand = build.apply(b);
            attached.addGradientTransform(new ClipByValue(1.0)).addGradientTransform(new ClipByGlobalNorm(2.0));
            SplittableRandom grads = new SplittableRandom(9);
            for (int s = 0; s < 4; s++) {
                for (int i = 0; i < a.size(); i++) {
                    Tensor g = Tensor.randn(DType.FLOAT32, grads, a.get(i).shape()).mul(3);
                    a.get(i).setGrad(g.clone());
                    b.get(i).setGrad(g.clone());
                }
                attached.step();
                new ClipByValue(1.0).apply(b);
                new ClipByGlobalNorm(2.0).apply(b);
                byHand.step();
            }
            assertBitwise(Quadratic.flat(b), Quadratic.flat(a), attached.getClass().getSimpleName() + " with attached transforms");
            assertEquals(2, attached.gradientTransforms().size());
        }
    }

    @Test
    void badThresholdsAreRefused() {
        assertEquals("maxNorm must be > 0 and finite, was 0.0", assertThrows(IllegalArgumentException.class, () -> new ClipByGlobalNorm(0)).getMessage());
        assertEquals("limit must be > 0, was NaN", assertThrows(IllegalArgumentException.class, () -> new ClipByValue(Double.NaN)).getMessage());
    }

    @Test
    void aStridedGradientIsReplacedByAClippedContiguousCopy() {
        Parameter p = new Parameter(Tensor.zeros(DType.FLOAT64, 2, 3));
        p.setGrad(Tensor.of(new double[] {1, -5, 3, 4, 5, -6}, 3, 2).t());
        new ClipByValue(2).apply(List.of(p));
        assertTrue(p.grad().isContiguous());
        assertClose(new double[] {1, 2, 2, -2, 2, -2}, p.grad().toDoubleArray(), 0, "clipped strided gradient");
    }
}
