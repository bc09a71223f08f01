package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Attention;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.Normalization;
import dev.descent.core.ops.Pooling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    private static final int BIG = Workspace.MIN_ELEMENTS * 2;

    @Test
    void aTensorOfAClosedScopeThrowsOnAccessInsteadOfShowingOtherNumbers() {
        Workspace ws = new Workspace();
        Tensor t;
        try (var _ = ws.open()) {
            t = Tensor.ones(DType.FLOAT32, BIG);
            assertEquals(BIG, t.sum().item());
        }
        assertTrue(t.storage().isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.sum());
        assertTrue(e.getMessage().contains("Workspace"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.storage().getDouble(0));
        // A view shares the storage, so it is released with it.
        assertThrows(IllegalStateException.class, () -> t.reshape(2, BIG / 2).sum());
    }

    @Test
    void theNextScopeReusesTheArraysZeroed() {
        Workspace ws = new Workspace();
        float[] first;
        try (var _ = ws.open()) {
            Tensor a = Tensor.zeros(DType.FLOAT32, 4, BIG / 4);
            first = a.storage().floats();
            java.util.Arrays.fill(first, 7f);
        }
        long fresh = ws.freshElements();
        assertEquals(BIG, fresh);
        try (var _ = ws.open()) {
            Tensor b = Tensor.zeros(DType.FLOAT32, BIG); // another shape, same dtype and size
            assertSame(first, b.storage().floats(), "the array of the last scope is handed out again");
            for (float v : b.toFloatArray()) assertEquals(0f, v);
            Tensor c = Tensor.zeros(DType.FLOAT64, BIG); // another dtype: a new array
            assertEquals(0.0, c.sum().item());
        }
        assertEquals(BIG, ws.reusedElements());
        assertEquals(fresh + BIG, ws.freshElements()); // the float64 tensor (its 0-d sum is too small to track)
    }

    @Test
    void aTensorRecycledEarlyIsHandedOutAgainInTheSameScopeAndHeldAfterIt() {
        Workspace ws = new Workspace();
        Tensor outside = Tensor.ones(DType.FLOAT32, BIG);
        assertFalse(Workspace.recycle(outside), "no scope open");
        Tensor kept;
        float[] early;
        try (var _ = ws.open()) {
            assertFalse(Workspace.recycle(outside), "allocated outside the scope");
            assertFalse(Workspace.recycle(null));
            kept = Workspace.keep(Tensor.ones(DType.FLOAT32, BIG));
            assertFalse(Workspace.recycle(kept), "kept");
            Tensor a = Tensor.full(3, DType.FLOAT32, 2, BIG / 2);
            Tensor view = a.transpose(0, 1);
            early = a.storage().floats();
            assertTrue(Workspace.recycle(view), "a view gives back the storage it shares");
            assertFalse(Workspace.recycle(a), "once only");
            assertThrows(IllegalStateException.class, () -> a.sum());
            Tensor b = Tensor.zeros(DType.FLOAT32, BIG);
            assertSame(early, b.storage().floats(), "the next allocation of that size takes the array given back");
            for (float v : b.toFloatArray()) assertEquals(0f, v, "zeroed");
            Tensor c = Tensor.ones(DType.FLOAT32, BIG); // none given back is left: a new array
            assertNotSame(early, c.storage().floats());
            assertTrue(Workspace.recycle(c));
            assertEquals(BIG, kept.sum().item(), "kept tensors are untouched");
        }
        assertEquals(2L * BIG, ws.heldElements(), "b's array and c's, given back early; not the kept one");
        assertEquals(BIG, kept.sum().item(), "a kept tensor outlives the scope");
        assertEquals(BIG, outside.sum().item());
        try (var _ = ws.open()) {
            Tensor d = Tensor.zeros(DType.FLOAT32, BIG);
            assertFalse(Workspace.recycle(kept), "kept in an earlier scope of the same workspace");
            assertTrue(Workspace.recycle(d));
        }
        assertEquals(BIG, ws.heldElements(), "the array the last scope used only");
        assertEquals(2L * BIG, ws.reusedElements(), "the early array once in the first scope, one array in the second");
    }

    @Test
    void theTemporariesOfAPieceOfWorkAreGivenBackAndItsResultsStay() {
        Workspace ws = new Workspace();
        try (var _ = ws.open()) {
            Tensor before = Tensor.ones(DType.FLOAT32, BIG);
            int mark = Workspace.allocations();
            Tensor temp = Tensor.ones(DType.FLOAT32, BIG).mul(2); // two temporaries
            Tensor kept = Workspace.keep(Tensor.ones(DType.FLOAT32, BIG));
            Tensor result = temp.add(1).reshape(2, BIG / 2), second = Tensor.ones(DType.FLOAT64, BIG);
            assertEquals(mark + 5, Workspace.allocations());
            Workspace.recycleAllocatedSince(mark, result, null, second);
            assertTrue(temp.storage().isReleased(), "a temporary");
            assertFalse(result.storage().isReleased(), "a result (a view: its storage)");
            assertFalse(second.storage().isReleased());
            assertFalse(kept.storage().isReleased(), "kept");
            assertFalse(before.storage().isReleased(), "allocated before the mark");
            assertEquals(3.0 * BIG, result.sum().item());
        }
        assertEquals(0, Workspace.allocations(), "no scope open");
    }

    @Test
    void keptTensorsAndSmallOnesSurviveAndAreNotHandedOutAgain() {
        Workspace ws = new Workspace();
        Tensor kept, small;
        try (var _ = ws.open()) {
            kept = Workspace.keep(Tensor.full(3, DType.FLOAT32, BIG));
            small = Tensor.full(5, DType.FLOAT32, Workspace.MIN_ELEMENTS - 1);
        }
        try (var _ = ws.open()) {
            Tensor other = Tensor.full(9, DType.FLOAT32, BIG);
            assertNotSame(kept.storage().floats(), other.storage().floats());
        }
        assertEquals(3.0 * BIG, kept.sum().item());
        assertEquals(5.0 * (Workspace.MIN_ELEMENTS - 1), small.sum().item());
    }

    @Test
    void leafGradientsSurviveTheScopeOfTheirBackward() {
        Workspace ws = new Workspace();
        Tensor w = Tensor.randn(new SplittableRandom(1), BIG).requiresGrad(true);
        Tensor expected;
        try (var _ = GradMode.noGrad()) {
            expected = w.mul(2);
        }
        for (int step = 0; step < 3; step++) {
            w.zeroGrad();
            try (var _ = ws.open()) {
                w.mul(w).sum().backward();
            }
            assertArrayEquals(expected.toFloatArray(), w.grad().toFloatArray());
        }
    }

    @Test
    void allocationsOnOtherThreadsAreNotTheScopes() throws Exception {
        Workspace ws = new Workspace();
        AtomicReference<Tensor> made = new AtomicReference<>();
        try (var _ = ws.open()) {
            Thread t = new Thread(() -> made.set(Tensor.ones(DType.FLOAT32, BIG)));
            t.start();
            t.join();
        }
        assertFalse(made.get().storage().isReleased());
        assertEquals(BIG, made.get().sum().item());
    }

    @Test
    void scopesDoNotNestAndCloseOnTheirOwnThread() throws Exception {
        Workspace a = new Workspace(), b = new Workspace();
        try (var _ = a.open()) {
            assertThrows(IllegalStateException.class, a::open);
            assertThrows(IllegalStateException.class, b::open);
        }
        var scope = a.open();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                scope.close();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(thrown.get() instanceof IllegalStateException);
        scope.close();
        try (var _ = b.open()) {
            assertSame(b, Workspace.active());
        }
        assertSame(null, Workspace.active());
    }

    @Test
    void backwardAfterTheScopeOfItsForwardFailsClearly() {
        Workspace ws = new Workspace();
        Tensor x = Tensor.randn(new SplittableRandom(2), 2, 4, 32, 32).requiresGrad(true);
        Tensor y;
        try (var _ = ws.open()) {
            y = Pooling.maxPool2d(x, new Pooling.Window(2, 2, 2, 2, 0, 0));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("Workspace"), e.getMessage());
    }

    @Test
    void aStepInAWorkspaceComputesWhatItComputesWithout() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = Tensor.randn(rng, 4, 3, 16, 16), k = Tensor.randn(rng, 8, 3, 3, 3);
        float[] plain = null;
        Workspace ws = new Workspace();
        for (int run = 0; run < 3; run++) {
            Tensor w = k.clone().requiresGrad(true);
            if (run == 0) {
                step(x, w);
                plain = w.grad().toFloatArray();
            } else {
                try (var _ = ws.open()) {
                    step(x, w);
                }
                assertArrayEquals(plain, w.grad().toFloatArray(), "run " + run);
            }
        }
        assertTrue(ws.reusedElements() > 0);
    }

    @Test
    void opsThatSkipZeroingWriteEveryElement() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = Tensor.randn(rng, 2, 8, 16, 16), w = Tensor.randn(rng, 16, 8, 3, 3), b = Tensor.randn(rng, 16);
        Tensor m = Tensor.randn(rng, 40, 50), n = Tensor.randn(rng, 50, 30), col = Tensor.randn(rng, 40, 1);
        Pooling.Window two = new Pooling.Window(2, 2, 2, 2, 0, 0);
        Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
        ops.put("exp", () -> m.exp());
        ops.put("relu", () -> x.relu());
        ops.put("add broadcast", () -> m.add(col));
        ops.put("add ints", () -> Tensor.of(new long[2048]).add(Tensor.of(new long[] {3})));
        ops.put("tril", () -> x.tril(1));
        ops.put("repeat", () -> m.repeat(2, 1, 3));
        ops.put("prod", () -> m.prod(new int[] {0}, false));
        ops.put("cumsum", () -> m.cumsum(0));
        ops.put("matmul", () -> m.matmul(n));
        ops.put("matmul transposed", () -> n.t().matmul(m.t()));
        ops.put("copy of a transpose", () -> m.t().contiguous());
        ops.put("conv2d", () -> Convolution.conv2d(x, w, b, 1, 1));
        ops.put("max pool", () -> Pooling.maxPool2d(x, two));
        ops.put("silu", () -> m.silu());
        ops.put("gelu", () -> m.gelu());
        ops.put("layerNorm and its gradient", () -> {
            Tensor mi = m.detach().requiresGrad(true);
            Normalization.layerNorm(mi, new int[] {50}, null, null, 1e-5).square().sum().backward();
            return Tensor.cat(List.of(Normalization.layerNorm(m, new int[] {50}, null, null, 1e-5).reshape(-1), mi.grad().reshape(-1)), 0);
        });
        ops.put("leakyRelu", () -> x.leakyRelu(0.1));
        ops.put("sin", () -> m.sin());
        ops.put("isnan", () -> m.isnan());
        Tensor aq = Tensor.randn(rng, 2, 3, 40, 8), ak = Tensor.randn(rng, 2, 3, 50, 8), av = Tensor.randn(rng, 2, 3, 50, 8);
        ops.put("attention with dropout", () -> Attention.scaledDotProductAttention(aq, ak, av, null, true, 0.25, new SplittableRandom(9)));
        ops.put("attention gradients", () -> {
            Tensor qi = aq.detach().requiresGrad(true), ki = ak.detach().requiresGrad(true), vi = av.detach().requiresGrad(true);
            Attention.scaledDotProductAttention(qi, ki, vi, null, true, 0.25, new SplittableRandom(9)).square().sum().backward();
            return Tensor.cat(List.of(qi.grad().reshape(-1), ki.grad().reshape(-1), vi.grad().reshape(-1)), 0);
        });
        Tensor sidx = Tensor.randint(0, 40, new SplittableRandom(10), 60, 50);
        ops.put("scatterReduce amax", () -> m.scatterReduce(0, sidx, Tensor.randn(new SplittableRandom(11), 60, 50), "amax", false));
        ops.put("sort", () -> m.sort(1, true).values());
        Tensor x14 = Tensor.randn(rng, 40, 8, 14, 14), dy14 = Tensor.randn(rng, 40, 16, 14, 14);
        ops.put("conv2d weight gradient, im2col path (partials per chunk of images)",
                () -> Convolution.conv2dWeightGrad(x14, dy14, w.shape(), new Convolution.Params(1, 1, 1, 1, 1, 1, 1)));
        ops.put("conv2d input and weight gradients, relu and pool backward", () -> {
            Tensor xi = x.detach().requiresGrad(true), wi = w.detach().requiresGrad(true);
            Pooling.maxPool2d(Convolution.conv2d(xi, wi, b, 1, 1).relu(), two).sum().backward();
            return Tensor.cat(List.of(xi.grad().reshape(-1), wi.grad().reshape(-1)), 0);
        });
        Workspace.poison = true;
        try {
            for (var op : ops.entrySet()) {
                double[] expected = op.getValue().get().to(DType.FLOAT64).toDoubleArray();
                Workspace ws = new Workspace();
                for (int run = 0; run < 2; run++) {
                    try (var _ = ws.open()) {
                        double[] got = op.getValue().get().to(DType.FLOAT64).toDoubleArray();
                        assertArrayEquals(expected, got, op.getKey() + ", run " + run);
                    }
                }
                assertTrue(ws.reusedElements() > 0, op.getKey() + " reused nothing");
            }
        } finally {
            Workspace.poison = false;
        }
    }

    @Test
    void secondOrderGradientsInAScopeEqualThoseOutside() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor x = Tensor.randn(rng, BIG).requiresGrad(true), v = Tensor.randn(rng, BIG);
        float[] plain = hessianVector(x, v);
        Workspace ws = new Workspace();
        for (int run = 0; run < 3; run++) {
            float[] got;
            try (var _ = ws.open()) {
                got = hessianVector(x, v);
            }
            assertArrayEquals(plain, got, "run " + run);
        }
        assertTrue(ws.reusedElements() > 0);
    }

    /** H·v of f(x) = Σ tanh(x)·x² by double backward, copied out as a Java array. */
    private static float[] hessianVector(Tensor x, Tensor v) {
        Tensor f = x.tanh().mul(x.mul(x)).sum();
        Tensor g = Autograd.grad(f, List.of(x), null, true).get(0);
        return Autograd.grad(g.mul(v).sum(), List.of(x)).get(0).toFloatArray();
    }

    private static void step(Tensor x, Tensor w) {
        Tensor y = dev.descent.core.ops.Convolution.conv2d(x, w, null, 1, 1).relu();
        Pooling.maxPool2d(y, new Pooling.Window(2, 2, 2, 2, 0, 0)).pow(2).mean().backward();
    }
}
