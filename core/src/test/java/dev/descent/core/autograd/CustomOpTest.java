package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.check.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CustomOpTest {

    /** The worked example of the custom-op API: y = x³ with dy/dx = 3x². */
    static final CustomOp CUBE = new CustomOp("cube") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].mul(in[0]).mul(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            return new Tensor[] {g.mul(in[0].square()).mul(3)};
        }
    };

    /** A softplus with a hand-written rule: log(1 + eˣ), derivative sigmoid(x). Two inputs to show the API: softplus(x)·w. */
    static final CustomOp SOFTPLUS_TIMES = new CustomOp("softplusTimes") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].exp().add(1).log().mul(in[1]);
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            Tensor sp = in[0].exp().add(1).log();
            return new Tensor[] {g.mul(in[1]).mul(in[0].sigmoid()), dev.descent.core.ops.Views.sumToShape(g.mul(sp), in[1].shape())};
        }
    };

    @Test
    void theWorkedExamplePassesTheGradientCheck() {
        Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(3), 3, 2);
        GradCheck.check("cube", in -> CUBE.apply(in[0]), x);
        Tensor w = Tensor.randn(DType.FLOAT64, new SplittableRandom(4), 2);
        GradCheck.check("softplusTimes", in -> SOFTPLUS_TIMES.apply(in[0], in[1]), x, w);
    }

    @Test
    void aCustomOpIsRecordedUnderItsName() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = CUBE.apply(x);
        assertEquals("cube", y.gradFn().op());
        y.backward();
        assertEquals(12.0, x.grad().item(), 1e-12);
    }

    @Test
    void theGradientCheckCatchesAWrongBackwardAndSaysWhere() {
        CustomOp wrong = new CustomOp("cubeWithWrongRule") {
            @Override
            protected Tensor forward(Tensor... in) {
                return in[0].mul(in[0]).mul(in[0]);
            }

            @Override
            protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
                return new Tensor[] {g.mul(in[0].square()).mul(2)}; // should be 3x²
            }
        };
        Tensor x = Tensor.of(new double[] {1.0, 2.0});
        AssertionError e = assertThrows(GradCheck.GradCheckFailure.class, () -> GradCheck.check("cubeWithWrongRule", in -> wrong.apply(in[0]), x));
        String m = e.getMessage();
        assertTrue(m.contains("cubeWithWrongRule") && m.contains("input 0[0]") && m.matches("(?s).*numerical (3\\.0|2\\.9999).*") && m.contains("analytical 2.0"), m);
    }

    @Test
    void aBackwardThatReturnsTheWrongShapeIsReportedWithBothShapes() {
        CustomOp badShape = new CustomOp("badShape") {
            @Override
            protected Tensor forward(Tensor... in) {
                return in[0].mul(2);
            }

            @Override
            protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
                return new Tensor[] {g.sum()};
            }
        };
        Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> badShape.apply(x).sum().backward());
        assertTrue(e.getMessage().contains("badShape") && e.getMessage().contains("[]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void fastModeChecksLargeTensorsAndStillCatchesErrors() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor a = Tensor.randn(DType.FLOAT64, rng, 40, 30), b = Tensor.randn(DType.FLOAT64, rng, 30, 20);
        GradCheck.Options fast = GradCheck.Options.defaults().withFastMode(3, 11);
        GradCheck.check(fast, "matmul", in -> in[0].matmul(in[1]).tanh(), a, b);
        CustomOp wrong = new CustomOp("scaledWrong") {
            @Override
            protected Tensor forward(Tensor... in) {
                return in[0].mul(2);
            }

            @Override
            protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
                return new Tensor[] {g.mul(2.01)};
            }
        };
        assertThrows(GradCheck.GradCheckFailure.class, () -> GradCheck.check(fast, "scaledWrong", in -> wrong.apply(in[0]), a));
    }
}
