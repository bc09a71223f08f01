package dev.descent.tutorial;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.CustomOp;
import dev.descent.core.check.GradGradCheck;
import dev.descent.core.check.OpSweep;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.Views;
import java.util.Arrays;

/**
 * Chapter 10 of the tutorial: custom ops with a wrong backward rule and a wrong forward-mode rule, caught and shrunk by
 * the op sweep, then fixed.
 */
public final class Ch10VerifyOp {
    private Ch10VerifyOp() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param wrongFailure the sweep's message for the op with the wrong backward
     * @param fixedPassed whether the fixed op passed the sweep with second order on
     * @param detachedFirstOrderPassed whether the op with a backward in raw doubles passed the first-order sweep
     * @param detachedFailure the sweep's message for that op with second order on
     * @param smoothAbsFailure the sweep's message for smooth abs without the broadcast reduction
     * @param smoothAbsFixedPassed whether smooth abs with the reduction passed the sweep with second order on
     * @param wrongJvpFirstOrderPassed whether smooth abs with the wrong forward-mode rule passed the sweep without the forward-mode check
     * @param wrongJvpFailure the sweep's message for smooth abs with the wrong forward-mode rule
     */
    public record Result(String wrongFailure, boolean fixedPassed, boolean detachedFirstOrderPassed, String detachedFailure, String smoothAbsFailure,
            boolean smoothAbsFixedPassed, boolean wrongJvpFirstOrderPassed, String wrongJvpFailure) {}

    /**
     * Runs the chapter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /** softsign(x) = x / (1 + |x|), with a backward rule that forgets a square. */
    // tag::wrong[]
    static final CustomOp SOFTSIGN_WRONG = new CustomOp("softsign") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].div(in[0].abs().add(1));                 // x / (1 + |x|)
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            return new Tensor[] {g.div(in[0].abs().add(1))};      // BUG: the derivative is 1/(1 + |x|)², not 1/(1 + |x|)
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return t[0].div(in[0].abs().add(1).square());         // forward mode: the tangent times 1/(1 + |x|)² (right)
        }
    };
    // end::wrong[]

    /** softsign with the right backward rule, written with tensor ops so that it can be differentiated again. */
    // tag::fixed[]
    static final CustomOp SOFTSIGN = new CustomOp("softsign") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].div(in[0].abs().add(1));
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            return new Tensor[] {g.div(in[0].abs().add(1).square())};  // d/dx x/(1 + |x|) = 1/(1 + |x|)²
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return t[0].div(in[0].abs().add(1).square());
        }
    };
    // end::fixed[]

    /** softsign with the right derivative, computed in plain doubles: right values, but invisible to a second backward pass. */
    // tag::detached[]
    static final CustomOp SOFTSIGN_DETACHED = new CustomOp("softsign") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].div(in[0].abs().add(1));
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            double[] d = in[0].toDoubleArray();                   // leaves the graph: the engine cannot see through this
            for (int i = 0; i < d.length; i++) d[i] = 1 / ((1 + Math.abs(d[i])) * (1 + Math.abs(d[i])));
            return new Tensor[] {g.mul(Tensor.of(d, d.length).reshape(in[0].shape()).to(g.dtype()))};
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return t[0].div(in[0].abs().add(1).square());
        }
    };
    // end::detached[]

    /** √(x² + e²), |x| with its corner rounded off by e; x and e broadcast, and the backward rule forgets it. */
    // tag::smoothAbs[]
    static final CustomOp SMOOTH_ABS_WRONG = new CustomOp("smoothAbs") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].square().add(in[1].square()).sqrt();     // √(x² + e²), x and e broadcast together
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            return new Tensor[] {g.mul(in[0]).div(out), g.mul(in[1]).div(out)};  // BUG: both have the output's shape
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return smoothAbsTangent(t, out, in);                                  // right: see below
        }
    };
    // end::smoothAbs[]

    /** Smooth abs with the broadcast gradients summed back to the inputs' shapes. */
    // tag::smoothAbsFixed[]
    static final CustomOp SMOOTH_ABS = new CustomOp("smoothAbs") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].square().add(in[1].square()).sqrt();
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            Tensor gx = g.mul(in[0]).div(out), ge = g.mul(in[1]).div(out);      // ∂/∂x = x/out, ∂/∂e = e/out
            return new Tensor[] {Views.sumToShape(gx, in[0].shape()), Views.sumToShape(ge, in[1].shape())};  // sum over broadcast dims
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return smoothAbsTangent(t, out, in);
        }
    };
    // end::smoothAbsFixed[]

    /**
     * The forward-mode rule of smooth abs: d√(x² + e²) = (x·dx + e·de)/out, one term per input that carries a tangent.
     *
     * @param t   the inputs' tangents, null for an input that carries none
     * @param out the output
     * @param in  x and e
     * @return the output's tangent, or null when neither input carries one
     */
    // tag::smoothAbsJvp[]
    static Tensor smoothAbsTangent(Tensor[] t, Tensor out, Tensor... in) {
        Tensor sum = null;                                                    // null: a zero tangent
        if (t[0] != null) sum = t[0].mul(in[0]);                              // x·dx
        if (t[1] != null) sum = sum == null ? t[1].mul(in[1]) : sum.add(t[1].mul(in[1]));  // + e·de
        return sum == null ? null : sum.div(out);                             // dividing by out broadcasts to its shape
    }
    // end::smoothAbsJvp[]

    /** Smooth abs whose forward-mode rule forgets e's tangent: backward right, J·v wrong whenever e moves. */
    static final CustomOp SMOOTH_ABS_JVP_WRONG = new CustomOp("smoothAbs") {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].square().add(in[1].square()).sqrt();
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            Tensor gx = g.mul(in[0]).div(out), ge = g.mul(in[1]).div(out);
            return new Tensor[] {Views.sumToShape(gx, in[0].shape()), Views.sumToShape(ge, in[1].shape())};
        }

        // tag::wrongJvp[]
        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            if (t[0] != null) return t[0].mul(in[0]).div(out);             // BUG: returns x's term alone when x moves,
            return t[1].mul(in[1]).div(out);                               // but when x and e both move, their terms add
        }
        // end::wrongJvp[]
    };

    /**
     * The sweep's generator for a smooth abs op: two inputs of shapes that broadcast together.
     *
     * @param op the op to sweep
     * @return the generator
     */
    // tag::smoothAbsCases[]
    static OpSweep.Generator smoothAbsCases(CustomOp op) {
        return d -> {
            int[][] shapes = d.broadcastPair();                                // two shapes that broadcast, size-1 dims included
            Tensor x = d.tensor(shapes[0], TensorGen.Values.NORMAL), e = d.tensor(shapes[1], TensorGen.Values.POSITIVE);
            return new OpSweep.Case("smoothAbs " + Arrays.toString(x.shape()) + " " + Arrays.toString(e.shape()), new Tensor[] {x, e},
                    in -> op.apply(in[0], in[1]), null);                       // no reference this time
        };
    }
    // end::smoothAbsCases[]

    /**
     * The sweep's generator for a softsign op: one input of a random shape within the sweep's size budget, and a
     * reference computed element by element.
     *
     * @param op the op to sweep
     * @return the generator
     */
    // tag::generator[]
    static OpSweep.Generator softsignCases(CustomOp op) {
        return d -> {
            Tensor x = d.tensor(d.shape(0), TensorGen.Values.AWAY_FROM_ZERO);   // |x| ≥ 0.25: softsign'' jumps at 0
            return new OpSweep.Case("softsign " + Arrays.toString(x.shape()), new Tensor[] {x},
                    in -> op.apply(in[0]),
                    Ch10VerifyOp::softsignByLoop);                             // the reference
        };
    }

    static Tensor softsignByLoop(Tensor[] in) {                              // the formula, element by element, in doubles
        double[] y = in[0].toDoubleArray();
        for (int i = 0; i < y.length; i++) y[i] = y[i] / (1 + Math.abs(y[i]));
        return Tensor.of(y, y.length).reshape(in[0].shape()).to(in[0].dtype());
    }
    // end::generator[]

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("caught");
        String wrongFailure = null;
        // tag::caught[]
        try {
            OpSweep.of("softsign", softsignCases(SOFTSIGN_WRONG)).run();
        } catch (OpSweep.Failure failure) {
            System.out.println(failure.getMessage());
            wrongFailure = failure.getMessage();
        }
        // end::caught[]

        Tutorial.section("fixed");
        // tag::passes[]
        OpSweep.of("softsign", softsignCases(SOFTSIGN)).secondOrder(true).run();   // throws on the first property that fails
        System.out.println("softsign passes: gradients, second-order gradients, forward mode, reference (float32, float64), layout");
        // end::passes[]

        Tutorial.section("detached");
        boolean firstOrderPassed;
        String detachedFailure = null;
        // tag::second[]
        OpSweep.of("softsign", softsignCases(SOFTSIGN_DETACHED)).run();
        System.out.println("first order: passed");
        firstOrderPassed = true;
        try {
            OpSweep.of("softsign", softsignCases(SOFTSIGN_DETACHED)).secondOrder(true).run();
        } catch (OpSweep.Failure failure) {
            System.out.println(failure.getMessage().lines().limit(2).reduce((a, b) -> a + "\n" + b).orElseThrow());
            detachedFailure = failure.getMessage();
        }
        // end::second[]

        Tutorial.section("broadcast");
        String smoothAbsFailure = null;
        // tag::broadcast[]
        OpSweep.of("smoothAbs", smoothAbsCases(SMOOTH_ABS_WRONG)).maxSize(0, 1).run();   // scalars only: the bug hides
        System.out.println("scalars only: passed");
        try {
            OpSweep.of("smoothAbs", smoothAbsCases(SMOOTH_ABS_WRONG)).run();
        } catch (OpSweep.Failure failure) {
            System.out.println(failure.getMessage());
            smoothAbsFailure = failure.getMessage();
        }
        OpSweep.of("smoothAbs", smoothAbsCases(SMOOTH_ABS)).secondOrder(true).run();
        System.out.println("fixed: passed");
        // end::broadcast[]

        Tutorial.section("forward");
        String wrongJvpFailure = null;
        // tag::forward[]
        OpSweep.of("smoothAbs", smoothAbsCases(SMOOTH_ABS_JVP_WRONG)).forwardMode(false).run();   // backward alone: passes
        System.out.println("without the forward-mode check: passed");
        try {
            OpSweep.of("smoothAbs", smoothAbsCases(SMOOTH_ABS_JVP_WRONG)).run();               // forward mode is on by default
        } catch (OpSweep.Failure failure) {
            System.out.println(failure.getMessage());
            wrongJvpFailure = failure.getMessage();
        }
        // end::forward[]

        Tutorial.section("gradgrad");
        // tag::gradgrad[]
        GradGradCheck.check("softsign", in -> SOFTSIGN.apply(in[0]), Tensor.of(new double[] {-2, -0.5, 0.7, 3}));
        System.out.println("GradGradCheck: passed");
        // end::gradgrad[]
        return new Result(wrongFailure, true, firstOrderPassed, detachedFailure, smoothAbsFailure, true, true, wrongJvpFailure);
    }
}
