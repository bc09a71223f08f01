package dev.descent.tutorial;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.CustomOp;
import dev.descent.core.autograd.GraphDot;
import dev.descent.core.check.GradCheck;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Chapter 5 of the tutorial: a new differentiable op, softplus, with its forward and backward side by side. */
public final class Ch05CustomOp {
    private Ch05CustomOp() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param naive softplus of the sample points computed from primitive ops
     * @param values softplus of the sample points from the custom op
     * @param grads its gradient at the sample points
     * @param composedNodes the nodes in the graph of the composed, stable softplus
     * @param customNodes the nodes in the graph of the custom op
     * @param secondDerivative d²softplus/dx² at 0
     * @param layerOutputShape the output shape of the small network that uses the op as a layer
     */
    public record Result(Tensor naive, Tensor values, Tensor grads, long composedNodes, long customNodes, double secondDerivative,
            int[] layerOutputShape) {}

    /**
     * Runs the chapter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /** softplus(x) = log(1 + eˣ), a smooth ReLU, whose derivative is sigmoid(x). */
    // tag::softplus[]
    static final CustomOp SOFTPLUS = new CustomOp("softplus") {
        @Override
        protected Tensor forward(Tensor... in) {                  // log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|): never overflows
            Tensor x = in[0];
            return x.clampMin(0).add(x.abs().neg().exp().add(1).log());
        }

        @Override
        protected Tensor[] backward(Tensor g, Tensor out, Tensor... in) {
            return new Tensor[] {g.mul(in[0].sigmoid())};         // d/dx log(1 + eˣ) = eˣ/(1 + eˣ) = sigmoid(x)
        }

        @Override
        protected Tensor jvp(Tensor[] t, Tensor out, Tensor... in) {
            return t[0].mul(in[0].sigmoid());                     // forward mode (chapter 9): the tangent times sigmoid(x)
        }
    };
    // end::softplus[]

    /** The op as a layer, so that it can sit in a {@link Sequential}. */
    // tag::module[]
    static final class Softplus extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return SOFTPLUS.apply(x);
        }
    }
    // end::module[]

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("use");
        // tag::use[]
        Tensor x = Tensor.of(new double[] {-1000, -2, 0, 3, 1000}).requiresGrad(true);
        Tensor naive = x.exp().add(1).log();                      // the textbook formula: e¹⁰⁰⁰ overflows
        Tensor y = SOFTPLUS.apply(x);
        y.sum().backward();
        System.out.println("naive:      " + naive);
        System.out.println("softplus:   " + y);
        System.out.println("its grad:   " + x.grad());
        // end::use[]

        Tutorial.section("check");
        // tag::check[]
        GradCheck.check("softplus", in -> SOFTPLUS.apply(in[0]), Tensor.randn(DType.FLOAT64, new SplittableRandom(1), 4, 3));
        System.out.println("GradCheck: passed");

        Tensor v = Tensor.of(new double[] {0.5, -1}).requiresGrad(true);
        long composed = nodes(v.clampMin(0).add(v.abs().neg().exp().add(1).log()));
        long custom = nodes(SOFTPLUS.apply(v));
        System.out.println("graph nodes: " + composed + " composed from primitives, " + custom + " as one op");
        // end::check[]

        Tutorial.section("second");
        // tag::second[]
        Tensor z = Tensor.of(0.0).requiresGrad(true);
        Tensor dz = Autograd.grad(SOFTPLUS.apply(z), List.of(z), null, true).getFirst();  // sigmoid(0) = 0.5, recorded
        Tensor d2z = Autograd.grad(dz, List.of(z)).getFirst();                            // sigmoid'(0) = 0.25
        System.out.println("softplus'(0) = " + dz.item() + ", softplus''(0) = " + d2z.item());
        // end::second[]

        Tutorial.section("layer");
        // tag::layer[]
        var rng = new SplittableRandom(7);
        var net = new Sequential(new Linear(2, 8, rng), new Softplus(), new Linear(8, 1, rng));
        Tensor out = net.forward(Tensor.randn(rng, 5, 2));
        System.out.println("output " + Arrays.toString(out.shape()) + ", made by " + out.gradFn().op()
                + "; the graph holds softplus: " + GraphDot.of(out).contains("label=\"softplus"));
        // end::layer[]
        return new Result(naive, y, x.grad(), composed, custom, d2z.item(), out.shape());
    }

    private static long nodes(Tensor t) {
        return GraphDot.of(t).lines().filter(l -> l.contains("shape=box")).count();
    }
}
