package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tensor gradient hooks (read, replace, order, removal) and retainGrad, checked against gradients computed without them. */
class HooksTest {

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(DType.FLOAT64, new SplittableRandom(seed), shape);
    }

    /** loss = sum(tanh(x·w)²), with the interior h = x·w. */
    private record Net(Tensor x, Tensor w, Tensor h, Tensor loss) {}

    private static Net net() {
        Tensor x = randn(1, 4, 3), w = randn(2, 3, 2).requiresGrad(true);
        Tensor h = x.matmul(w);
        return new Net(x, w, h, h.tanh().square().sum());
    }

    @Test
    void aReadingHookSeesTheInteriorGradient() {
        Net n = net();
        Tensor expected = Autograd.grad(n.loss(), List.of(n.h())).get(0);
        List<Tensor> seen = new ArrayList<>();
        n.h().registerHook(g -> {
            seen.add(g.clone());
            return null;
        });
        n.loss().backward();
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).allClose(expected, 0, 0), "the hook gets dL/dh");
        assertTrue(n.w().grad().allClose(Autograd.grad(n.loss(), List.of(n.w())).get(0), 0, 0), "a reading hook changes nothing");
    }

    @Test
    void aReplacingHookChangesEverythingUpstream() {
        Net plain = net();
        plain.loss().backward();
        Net hooked = net();
        hooked.h().registerHook(g -> g.mul(2));
        hooked.loss().backward();
        assertTrue(hooked.w().grad().allClose(plain.w().grad().mul(2), 1e-15, 0), "dL/dw doubles when dL/dh is doubled");
    }

    @Test
    void leafHooksRunBeforeAccumulationInOrderAndCanBeRemoved() {
        Net n = net();
        List<String> order = new ArrayList<>();
        List<Double> secondSaw = new ArrayList<>();
        HookHandle first = n.w().registerHook(g -> {
            order.add("first");
            return g.clamp(-0.1, 0.1);
        });
        n.w().registerHook(g -> {
            order.add("second");
            secondSaw.add(maxAbs(g));
            return null;
        });
        n.loss().backward();
        assertEquals(List.of("first", "second"), order);
        assertTrue(secondSaw.get(0) <= 0.1, "the second hook sees the first's result");
        assertTrue(maxAbs(n.w().grad()) <= 0.1);
        first.remove();
        first.remove(); // twice is harmless
        n.w().zeroGrad();
        order.clear();
        n.loss().backward();
        assertEquals(List.of("second"), order);
        assertTrue(n.w().grad().allClose(Autograd.grad(n.loss(), List.of(n.w())).get(0), 0, 0), "unclamped again");
    }

    @Test
    void hooksRunInAutogradGradToo() {
        Net n = net();
        n.h().registerHook(g -> g.mul(0));
        assertEquals(0.0, maxAbs(Autograd.grad(n.loss(), List.of(n.w())).get(0)));
    }

    @Test
    void retainGradKeepsAnInteriorGradientAndAccumulates() {
        Net n = net();
        n.loss().backward();
        assertNull(n.h().grad(), "interior tensors keep no gradient by default");
        Net r = net();
        r.h().retainGrad();
        Tensor expected = Autograd.grad(r.loss(), List.of(r.h())).get(0);
        r.loss().backward();
        assertTrue(r.h().grad().allClose(expected, 0, 0));
        r.loss().backward();
        assertTrue(r.h().grad().allClose(expected.mul(2), 1e-15, 0), "a second backward adds, as for leaves");
        assertTrue(r.h().retainsGrad() && r.w().retainsGrad() && !n.h().retainsGrad());
    }

    @Test
    void misuseIsReported() {
        Net n = net();
        assertThrows(IllegalStateException.class, () -> n.x().registerHook(g -> g), "x does not require grad");
        assertThrows(IllegalStateException.class, () -> n.x().retainGrad());
        n.h().registerHook(g -> g.sum());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.loss().backward());
        assertTrue(e.getMessage().contains("[4,2]"), e.getMessage());
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
