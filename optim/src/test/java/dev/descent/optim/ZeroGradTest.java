package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** zeroGrad(setToNone) as PyTorch's zero_grad: null gradients, or the same arrays zeroed in place. */
class ZeroGradTest {
    private static Parameter param(long seed) {
        return new Parameter(Tensor.randn(new SplittableRandom(seed), 300));
    }

    /** A few Adam steps on loss = Σ (p − t)², clearing gradients either way; the parameters after them. */
    private static float[] train(boolean setToNone) {
        Parameter p = param(1);
        Tensor target = Tensor.randn(new SplittableRandom(2), 300);
        Adam adam = new Adam(List.of(ParamGroup.of(List.of(p))), 1e-2);
        Tensor firstGrad = null;
        for (int step = 0; step < 5; step++) {
            adam.zeroGrad(setToNone);
            p.sub(target).pow(2).sum().backward();
            if (step == 0) firstGrad = p.grad();
            else if (!setToNone) assertSame(firstGrad, p.grad(), "the same gradient tensor, zeroed and added into");
            adam.step();
        }
        return p.toFloatArray();
    }

    @Test
    void zeroingInPlaceTrainsAsSettingToNone() {
        assertArrayEquals(train(true), train(false));
    }

    @Test
    void zeroingInPlaceLeavesZerosAndSettingToNoneLeavesNull() {
        Parameter p = param(3);
        Adam adam = new Adam(List.of(ParamGroup.of(List.of(p))), 1e-2);
        p.mul(p).sum().backward();
        Tensor g = p.grad();
        adam.zeroGrad(false);
        assertSame(g, p.grad());
        for (float v : g.toFloatArray()) assertTrue(v == 0f);
        adam.zeroGrad();
        assertNull(p.grad());
    }

    @Test
    void aParameterWithoutGradientIsSkippedOnlyWhenSetToNone() {
        for (boolean setToNone : new boolean[] {true, false}) {
            Parameter used = param(4), unused = param(5);
            Adam adam = new Adam(List.of(ParamGroup.of(List.of(used, unused))), 1e-2);
            used.add(unused).sum().backward(); // both get a gradient once
            adam.step();
            float[] before = unused.toFloatArray();
            adam.zeroGrad(setToNone);
            used.sum().backward(); // now only `used` does
            adam.step();
            boolean moved = !java.util.Arrays.equals(before, unused.toFloatArray());
            // Zeroed in place, the unused parameter is stepped with a zero gradient, and Adam's momentum moves it.
            if (setToNone) assertFalse(moved, "set to none: skipped");
            else assertTrue(moved, "zeroed in place: stepped");
        }
    }
}
