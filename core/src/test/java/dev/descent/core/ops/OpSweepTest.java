package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.check.OpSweep;
import dev.descent.core.check.QuickTheoriesRandom;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The generic properties, swept over every registered op. The registry's generators draw from a
 * {@link QuickTheoriesRandom}: QuickTheories makes every choice of rank, size, dim and branch (fixed
 * seed in CI, printed on failure), so a failing case shrinks to a small shape; element values come
 * from a seed it draws too. Where a property needs the same case in float32 and float64, the choices
 * are recorded once and replayed for each dtype.
 */
class OpSweepTest {

    /** float64 analytical gradients equal central differences (GradCheck's defaults). */
    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return OpRegistry.all().stream().filter(OpInfo::differentiable).map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(40).forAll(QuickTheoriesRandom.gen(rng -> op.gen().make(rng, DType.FLOAT64, true), Case::description))
                        .checkAssert(c -> OpSweep.checkGradients(publicCase(op, c)))));
    }

    /**
     * Ops left out of the second-order sweep, each for a stated reason: their backward is not itself differentiable and
     * says so by throwing (attention, scatterReduce with prod), or their generator draws points where the gradient is
     * not differentiable on purpose (prod with two zeros, where the gradient is 0 as in PyTorch; norm at a zero vector,
     * where the subgradient is 0).
     */
    static final java.util.Set<String> NO_SECOND_ORDER = java.util.Set.of("scaledDotProductAttention", "scatterReduce", "prod", "norm");

    /** The backward rules are themselves differentiated correctly: GradGradCheck in float64 (fewer examples: each costs a Jacobian of a gradient). */
    @TestFactory
    Stream<DynamicTest> secondOrderGradientsMatchFiniteDifferences() {
        return OpRegistry.all().stream().filter(op -> op.differentiable() && !NO_SECOND_ORDER.contains(op.name())).map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(8).forAll(QuickTheoriesRandom.gen(rng -> op.gen().make(rng, DType.FLOAT64, true), Case::description))
                        .checkAssert(c -> OpSweep.checkSecondOrder(publicCase(op, c)))));
    }

    /**
     * Forward mode: every differentiable op has a JVP rule, its J·v equals central differences along v, and it is the
     * transpose of the backward rule, ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random u and v (float64). An op without a JVP rule fails.
     */
    @TestFactory
    Stream<DynamicTest> forwardModeIsTheTransposeOfReverseMode() {
        return OpRegistry.all().stream().filter(OpInfo::differentiable).map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(25).forAll(QuickTheoriesRandom.gen(rng -> op.gen().make(rng, DType.FLOAT64, true), Case::description))
                        .checkAssert(c -> OpSweep.checkForwardMode(publicCase(op, c)))));
    }

    /** Ops without gradients (comparisons, rounding, indices) accept dual inputs: they run, and their result carries no tangent or a zero one. */
    @TestFactory
    Stream<DynamicTest> nonDifferentiableOpsAcceptDualInputs() {
        return OpRegistry.all().stream().filter(op -> !op.differentiable()).map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(10).forAll(QuickTheoriesRandom.gen(rng -> op.gen().make(rng, DType.FLOAT64, false), Case::description))
                        .checkAssert(c -> {
                    Tensor[] dual = Arrays.stream(c.inputs()).map(t -> t.dtype().isFloatingPoint() ? ForwardAD.dual(t, Tensor.onesLike(t)) : t).toArray(Tensor[]::new);
                    Tensor y = c.fn().apply(dual);
                    Tensor plain = c.fn().apply(c.inputs());
                    assertTrue(y.contentEquals(plain), c.description() + ": dual inputs change the value");
                    if (y.tangent() != null) assertEquals(0.0, y.tangent().abs().sum().item(), c.description() + ": a non-differentiable op returned a non-zero tangent");
                })));
    }

    /** The op (its fast kernels) equals the plain-loop reference: float64 to 1e-12, float32 to a few ulps. */
    @TestFactory
    Stream<DynamicTest> forwardMatchesScalarReference() {
        return OpRegistry.all().stream().map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(60).forAll(QuickTheoriesRandom.tapes(rng -> op.gen().make(rng, DType.FLOAT64, false).description()))
                        .checkAssert(tape -> {
                    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                        Case c = op.gen().make(tape.replay(), dt, false);
                        boolean f32 = dt == DType.FLOAT32;
                        double rtol = f32 ? (op.accumulates() ? 1e-5 : 1e-6) : (op.accumulates() ? 1e-10 : 1e-12);
                        double atol = f32 ? (op.accumulates() ? 1e-5 : Float.MIN_NORMAL) : (op.accumulates() ? 1e-10 : Double.MIN_NORMAL);
                        OpSweep.checkReference(publicCase(op, c), rtol, atol);
                    }
                })));
    }

    /** Strided, permuted, offset inputs give the same result as contiguous ones. */
    @TestFactory
    Stream<DynamicTest> nonContiguousInputsMatchContiguous() {
        return OpRegistry.all().stream().map(op -> dynamicTest(op.name(), () ->
                qt().withExamples(40).forAll(QuickTheoriesRandom.tapes(rng -> {
                    Case c = op.gen().make(rng, DType.FLOAT64, false);
                    for (Tensor t : c.inputs()) TensorGen.nonContiguous(rng, t);
                    return c.description();
                })).checkAssert(tape -> {
                    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                        RandomGenerator rng = tape.replay();
                        Case c = op.gen().make(rng, dt, false);
                        OpSweep.checkLayout(publicCase(op, c), rng, dt == DType.FLOAT32 ? 1e-6 : 1e-13);
                    }
                })));
    }

    /** The registry's case as the public sweep's: the reference's expected values become a float64 tensor. */
    static OpSweep.Case publicCase(OpInfo op, Case c) {
        return new OpSweep.Case(op.name() + " (" + c.description() + ")", c.inputs(), c.fn(), in -> c.reference().apply(in).toTensor(), c.gradOptions());
    }
}
