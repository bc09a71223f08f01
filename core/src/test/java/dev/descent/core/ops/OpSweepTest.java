package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Tensor;
import dev.descent.core.check.GradCheck;
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
                        .checkAssert(c -> {
                    GradCheck.check(c.gradOptions(), op.name() + " (" + c.description() + ")", c.fn(), c.inputs());
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
                        Tensor out = c.fn().apply(c.inputs());
                        Expected want = c.reference().apply(c.inputs());
                        assertArrayEquals(want.shape(), out.shape(), () -> op.name() + " (" + c.description() + ") " + dt + ": shape");
                        assertClose(op, c, dt, out, want);
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
                        Tensor[] strided = Arrays.stream(c.inputs()).map(t -> TensorGen.nonContiguous(rng, t)).toArray(Tensor[]::new);
                        for (int i = 0; i < strided.length; i++) {
                            assertTrue(strided[i].numel() <= 1 || !strided[i].isContiguous() || strided[i].storageOffset() > 0, "generator gave a plain layout");
                        }
                        Tensor a = c.fn().apply(c.inputs()), b = c.fn().apply(strided);
                        assertArrayEquals(a.shape(), b.shape());
                        double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-13;
                        assertTrue(a.allClose(b, tol, tol), () -> op.name() + " (" + c.description() + ") " + dt + ": contiguous " + a + " vs strided " + b);
                    }
                })));
    }

    private static void assertClose(OpInfo op, Case c, DType dt, Tensor out, Expected want) {
        double[] got = out.toDoubleArray();
        double[] exp = want.values().clone();
        boolean f32 = dt == DType.FLOAT32 && out.dtype() == DType.FLOAT32;
        if (f32) for (int i = 0; i < exp.length; i++) exp[i] = (float) exp[i];
        double rtol = f32 ? (op.accumulates() ? 1e-5 : 1e-6) : (op.accumulates() ? 1e-10 : 1e-12);
        double atol = f32 ? (op.accumulates() ? 1e-5 : Float.MIN_NORMAL) : (op.accumulates() ? 1e-10 : Double.MIN_NORMAL);
        assertEquals(exp.length, got.length);
        for (int i = 0; i < exp.length; i++) {
            double g = got[i], e = exp[i];
            boolean ok = (Double.isNaN(g) && Double.isNaN(e)) || g == e || Math.abs(g - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                throw new AssertionError(op.name() + " (" + c.description() + ") " + dt + ": element " + i + " is " + g + ", the reference says " + e
                        + "\n inputs: " + Arrays.toString(c.inputs()));
            }
        }
    }
}
