package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every registered op on FLOAT16 and BFLOAT16 inputs: it either computes in float32 and rounds on store (the result's
 * bits equal the float32 op on the same values, rounded to the half dtype) or refuses with an
 * {@link IllegalArgumentException} that names the op, the dtype and {@code to(DType.FLOAT32)}; never another exception.
 * Ops composed of several rounding steps in the half dtype (listed in {@link #COMPOSED}) are checked to one half ulp per
 * step instead of bitwise.
 */
class HalfPrecisionOpsTest {
    /**
     * Ops that are not wrapped at entry: they compose other ops, each of which rounds to the half dtype, so their result
     * differs from the float32 op rounded once by a few half ulps (PyTorch's composite ops behave the same way).
     */
    static final Set<String> COMPOSED = Set.of("scatterAdd", "indexAdd");

    /** The ops that refuse half inputs (the decompositions of {@code Linalg}); any other refusal fails. */
    static final Set<String> REFUSED = Set.of("cholesky", "det", "eigh", "inverse", "logAbsDet", "qr", "solve", "svd");

    @TestFactory
    Stream<DynamicTest> everyOpOnFloat16EqualsFloat32Rounded() {
        return OpRegistry.all().stream().map(op -> DynamicTest.dynamicTest(op.name(), () -> check(op, DType.FLOAT16)));
    }

    @TestFactory
    Stream<DynamicTest> everyOpOnBfloat16EqualsFloat32Rounded() {
        return OpRegistry.all().stream().map(op -> DynamicTest.dynamicTest(op.name(), () -> check(op, DType.BFLOAT16)));
    }

    /** The op's backward on half leaves runs and gives each a gradient of its own dtype and shape. */
    private static void backward(OpInfo op, Case c, Tensor[] h, DType half) {
        Tensor[] leaves = new Tensor[h.length];
        for (int i = 0; i < h.length; i++) leaves[i] = h[i] != null && h[i].dtype() == half ? h[i].detach().requiresGrad(true) : h[i];
        try {
            c.fn().apply(leaves).to(DType.FLOAT32).sum().backward();
        } catch (RuntimeException e) {
            throw new AssertionError(op.name() + " backward on " + half + " (" + c.description() + "): " + e, e);
        }
        for (Tensor l : leaves) {
            if (l == null || !l.requiresGrad() || l.grad() == null) continue;
            assertEquals(half, l.grad().dtype(), op.name() + ": gradient dtype");
            assertTrue(java.util.Arrays.equals(l.shape(), l.grad().shape()), op.name() + ": gradient shape");
        }
    }

    private static void check(OpInfo op, DType half) {
        SplittableRandom rng = new SplittableRandom(op.name().hashCode());
        for (int example = 0; example < 5; example++) {
            Case c = op.gen().make(rng, DType.FLOAT32, false);
            Tensor[] h = new Tensor[c.inputs().length], f = new Tensor[h.length];
            boolean anyHalf = false;
            for (int i = 0; i < h.length; i++) {
                Tensor in = c.inputs()[i];
                if (in != null && in.dtype() == DType.FLOAT32) {
                    h[i] = in.detach().to(half);
                    f[i] = h[i].to(DType.FLOAT32);
                    anyHalf = true;
                } else {
                    h[i] = in;
                    f[i] = in;
                }
            }
            if (!anyHalf) return;
            Tensor got;
            try {
                got = c.fn().apply(h);
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains(half.name()) && m.contains("to(DType.FLOAT32)") && REFUSED.contains(op.name())) return; // a clear refusal
                throw new AssertionError(op.name() + " on " + half + " (" + c.description() + "): unclear refusal: " + m, e);
            } catch (RuntimeException e) {
                throw new AssertionError(op.name() + " on " + half + " (" + c.description() + "): " + e, e);
            }
            Tensor want = c.fn().apply(f);
            if (want.dtype() == DType.FLOAT32) want = want.to(half);
            assertEquals(want.dtype(), got.dtype(), op.name() + ": dtype");
            if (example == 0 && op.differentiable() && got.dtype().isFloatingPoint()) backward(op, c, h, half);
            if (COMPOSED.contains(op.name())) {
                assertTrue(got.to(DType.FLOAT64).allClose(want.to(DType.FLOAT64), 3e-2, 1e-3), op.name() + " " + c.description());
            } else if (!got.contentEquals(want)) {
                fail(op.name() + " on " + half + " (" + c.description() + "): " + got + " differs from the float32 op rounded: " + want);
            }
        }
    }
}
