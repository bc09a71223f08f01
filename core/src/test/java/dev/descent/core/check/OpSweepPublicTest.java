package dev.descent.core.check;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The public sweep passes a correct user op and catches, and shrinks, each kind of bug it looks for. */
class OpSweepPublicTest {

    /** softsign(x) = x / (1 + |x|), with a hand-written backward 1/(1 + |x|)² (or a wrong one) and forward-mode rule. */
    private static Tensor softsign(Tensor x, boolean wrongBackward) {
        Tensor y;
        try (var _ = dev.descent.core.autograd.GradMode.noGrad()) {
            y = x.div(x.abs().add(1));
        }
        return Autograd.record("softsign", y, g -> {
            Tensor d = Tensor.onesLike(x).div(x.abs().add(1).square());
            return new Tensor[] {wrongBackward ? g.mul(d).mul(x.abs().lt(2.5).to(g.dtype()).add(1)) : g.mul(d)};
        }, t -> t[0].div(x.abs().add(1).square()), x);
    }

    private static OpSweep.Generator softsignCases(boolean wrongBackward) {
        return d -> {
            Tensor x = d.tensor(d.shape(0), d.forGradient() ? TensorGen.Values.AWAY_FROM_ZERO : TensorGen.Values.EDGES);
            return new OpSweep.Case("softsign " + Arrays.toString(x.shape()), new Tensor[] {x}, in -> softsign(in[0], wrongBackward),
                    in -> in[0].div(in[0].abs().add(1)));
        };
    }

    @Test
    void aCorrectOpPasses() {
        OpSweep.of("softsign", softsignCases(false)).secondOrder(true).run();
    }

    @Test
    void aWrongGradientIsCaughtAndShrunkToOneElement() {
        OpSweep.Failure f = assertThrows(OpSweep.Failure.class, () -> OpSweep.of("softsign", softsignCases(true)).run());
        assertTrue(f.getMessage().contains("op 'softsign' fails its gradients check"), f.getMessage());
        assertTrue(f.getMessage().contains("rank ≤ 0, dims ≤ 1"), "shrunk to a scalar: " + f.getMessage());
    }

    @Test
    void aWrongReferenceIsCaught() {
        OpSweep.Failure f = assertThrows(OpSweep.Failure.class, () -> OpSweep.of("twice", d -> {
            Tensor x = d.tensor(d.shape(1), TensorGen.Values.NORMAL);
            return new OpSweep.Case("twice", new Tensor[] {x}, in -> in[0].mul(2), in -> in[0].add(in[0]).add(in[0].abs().lt(0.01).to(in[0].dtype())));
        }).examples(200).gradients(false).run());
        assertTrue(f.getMessage().contains("reference"), f.getMessage());
    }

    @Test
    void anOpThatIgnoresStridesIsCaught() {
        // Reads the storage from its offset in row-major order, as a kernel that forgot the strides would.
        OpSweep.Failure f = assertThrows(OpSweep.Failure.class, () -> OpSweep.of("rawCopy", d -> {
            Tensor x = d.tensor(d.shape(2), TensorGen.Values.NORMAL);
            return new OpSweep.Case("rawCopy " + Arrays.toString(x.shape()), new Tensor[] {x}, in -> Tensor.wrap(in[0].storage(), in[0].storageOffset(),
                    in[0].shape(), rowMajor(in[0].shape())).contiguous(), in -> in[0].mul(1));
        }).gradients(false).run());
        assertTrue(f.getMessage().contains("reference") || f.getMessage().contains("layout"), f.getMessage());
    }

    @Test
    void anOpaqueBackwardFailsTheSecondOrderCheck() {
        OpSweep.Generator cube = d -> {
            Tensor x = d.tensor(d.shape(0), TensorGen.Values.NORMAL);
            return new OpSweep.Case("cube", new Tensor[] {x}, in -> {
                Tensor v = in[0];
                return Autograd.record("cube", v.detach().mul(v.detach()).mul(v.detach()), g -> new Tensor[] {g.mul(v.detach().square().mul(3))},
                        t -> t[0].mul(v.detach().square().mul(3)), v);
            }, null);
        };
        OpSweep.of("cube", cube).run(); // first derivatives are right
        OpSweep.Failure f = assertThrows(OpSweep.Failure.class, () -> OpSweep.of("cube", cube).secondOrder(true).run());
        assertTrue(f.getMessage().contains("second-order"), f.getMessage());
    }

    private static int[] rowMajor(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= shape[i];
        }
        return s;
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OpSweep.of("x", d -> null).examples(0));
        assertThrows(IllegalArgumentException.class, () -> OpSweep.of("x", d -> null).maxSize(1, 0));
    }
}
