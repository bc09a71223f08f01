package dev.descent.core.check;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GradGradCheck passes correct second derivatives and catches a backward rule that is right once but not twice. */
class GradGradCheckTest {

    private static Tensor x() {
        return Tensor.randn(DType.FLOAT64, new SplittableRandom(3), 2, 3);
    }

    @Test
    void builtInOpsPass() {
        GradGradCheck.check("tanh·exp", in -> in[0].tanh().mul(in[0].exp()), x());
        GradGradCheck.check("matmul", in -> in[0].matmul(in[1]), x(), Tensor.randn(DType.FLOAT64, new SplittableRandom(4), 3, 2));
    }

    /** x³ whose backward rule 3x²·g is computed on detached values: its first derivative is right, its second is zero. */
    private static Tensor cubeWithOpaqueBackward(Tensor x) {
        Tensor y = x.detach().mul(x.detach()).mul(x.detach());
        return Autograd.record("cube", y, g -> new Tensor[] {g.mul(x.detach().square().mul(3))}, x);
    }

    @Test
    void aRuleThatIsNotItselfDifferentiableIsCaught() {
        GradCheck.check("cube", in -> cubeWithOpaqueBackward(in[0]), x()); // first derivatives are right
        GradCheck.GradCheckFailure f = assertThrows(GradCheck.GradCheckFailure.class,
                () -> GradGradCheck.check("cube", in -> cubeWithOpaqueBackward(in[0]), x()));
        assertTrue(f.getMessage().contains("cube"), f.getMessage());
    }
}
