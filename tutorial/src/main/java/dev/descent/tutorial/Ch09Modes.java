package dev.descent.tutorial;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.Functional;
import dev.descent.core.autograd.Functional.Mode;
import dev.descent.core.autograd.HookHandle;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Chapter 9 of the tutorial: Jacobian-vector products by dual tensors (forward mode) and vector-Jacobian products
 * (reverse mode), whole Jacobians both ways, their cost, Hessians and Hessian-vector products (forward over reverse),
 * and hooks.
 */
public final class Ch09Modes {
    private Ch09Modes() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param x the point of the tiny function
     * @param jvp J·v at x for v = (1, 0)
     * @param vjp uᵀJ at x for u = (0, 1, 0)
     * @param dualValue f(x), from the pass on the dual tensor (x, v)
     * @param dualTangent the tangent that pass carried out: J·v
     * @param byRows the tiny function's Jacobian in reverse mode
     * @param byColumns the same Jacobian in forward mode
     * @param wide the passes {reverse mode: forward passes, backward passes; forward mode: forward passes, backward passes}
     *        for the Jacobian of a function with 1000 inputs and 1 output
     * @param tall the same for a function with 1 input and 1000 outputs
     * @param a the weights of the wide and the tall function
     * @param wideX the point of the wide function
     * @param tallX the point of the tall function
     * @param wideJacobian the wide function's Jacobian (reverse mode)
     * @param tallJacobian the tall function's Jacobian (reverse mode)
     * @param data the logistic regression's inputs
     * @param labels its labels, 0 or 1
     * @param w the point the Hessian is taken at
     * @param hessian the loss's Hessian at w
     * @param v the direction of the Hessian-vector product
     * @param hvp the Hessian-vector product from {@link Functional#hvp}
     * @param gradient the loss's gradient at w, from the backward pass through the dual tensor (w, v)
     * @param hvpByHand the tangent that gradient carried: H·v, forward over reverse
     * @param hvpReverse H·v reverse over reverse
     * @param gradNorms each weight's gradient norm, as its hook saw it
     * @param storedGradNorms each weight's gradient norm read from {@code grad()} after the pass
     * @param activations each layer's output, as the forward hooks saw it
     * @param mlpInput the MLP's input
     * @param mlpTarget the MLP's target
     * @param lastWeightGrad the last layer's weight gradient
     */
    public record Result(Tensor x, Tensor jvp, Tensor vjp, Tensor dualValue, Tensor dualTangent, Tensor byRows, Tensor byColumns, long[] wide, long[] tall, Tensor a,
            Tensor wideX, Tensor tallX, Tensor wideJacobian, Tensor tallJacobian, Tensor data, Tensor labels, Tensor w, Tensor hessian, Tensor v, Tensor hvp,
            Tensor gradient, Tensor hvpByHand, Tensor hvpReverse, Map<String, Double> gradNorms,
            Map<String, Double> storedGradNorms, Map<String, Tensor> activations, Tensor mlpInput, Tensor mlpTarget, Tensor lastWeightGrad) {}

    /**
     * Runs the chapter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /**
     * The tiny function of the chapter, from two inputs to three outputs.
     *
     * @param x a vector of two elements
     * @return f(x)
     */
    // tag::tiny[]
    static Tensor f(Tensor x) {                                  // f(x₀, x₁) = (x₀·x₁, sin x₀, x₁²)
        Tensor x0 = x.select(0, 0), x1 = x.select(0, 1);
        return Tensor.stack(List.of(x0.mul(x1), x0.sin(), x1.square()), 0);
    }
    // end::tiny[]

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("products");
        // tag::products[]
        Tensor x = Tensor.of(new double[] {2, 3});
        Tensor v = Tensor.of(new double[] {1, 0});               // a direction in the input space (n = 2)
        Tensor u = Tensor.of(new double[] {0, 1, 0});            // a weighting of the outputs (m = 3)
        Tensor jv = Functional.jvp(Ch09Modes::f, x, v);          // J·v: how all outputs move when x moves along v
        Tensor uJ = Functional.vjp(Ch09Modes::f, x, u);          // uᵀJ: how the output u·f moves with each input
        System.out.println("J·v = " + jv);
        System.out.println("uᵀJ = " + uJ);
        // end::products[]

        Tutorial.section("dual");
        // tag::dual[]
        Tensor xv = ForwardAD.dual(x, v);                        // x, carrying the tangent v beside its values
        Tensor y = f(xv);                                        // one ordinary pass: each op computes its value and its tangent
        System.out.println("f(x) = " + ForwardAD.primal(y));
        System.out.println("J·v  = " + ForwardAD.tangent(y));
        ForwardAD.Result r = Autograd.jvp(Ch09Modes::f, x, v);   // the same pass, packaged: r.value() and r.tangent()
        System.out.println("Autograd.jvp: " + r.tangent());
        // end::dual[]

        Tutorial.section("jacobian");
        // tag::jacobian[]
        Function<Tensor[], Tensor[]> fs = in -> new Tensor[] {f(in[0])};
        Tensor byRows = Functional.jacobian(fs, new Tensor[] {x}, Mode.REVERSE)[0][0];     // m = 3 VJPs, one row each
        Tensor byColumns = Functional.jacobian(fs, new Tensor[] {x}, Mode.FORWARD)[0][0];  // n = 2 JVPs, one column each
        System.out.println("by rows:    " + byRows);
        System.out.println("by columns: " + byColumns);
        System.out.println("largest difference: " + byRows.sub(byColumns).abs().max().item());
        // end::jacobian[]

        Tutorial.section("cost");
        // tag::cost[]
        var rng = new SplittableRandom(9);
        Tensor a = Tensor.randn(DType.FLOAT64, rng, 1000);
        Tensor wideX = Tensor.randn(DType.FLOAT64, rng, 1000), tallX = Tensor.of(new double[] {0.5});
        UnaryOperator<Tensor> wideF = t -> t.tanh().mul(a).sum().reshape(1);   // n = 1000 inputs, m = 1 output: a loss
        UnaryOperator<Tensor> tallF = t -> t.mul(a).tanh();                    // n = 1 input, m = 1000 outputs: a curve
        long[] wide = jacobianPasses("n = 1000, m = 1", wideF, wideX);
        long[] tall = jacobianPasses("n = 1, m = 1000", tallF, tallX);
        // end::cost[]

        Tutorial.section("timing");
        Tensor wideJ = time("n = 1000, m = 1", wideF, wideX);
        Tensor tallJ = time("n = 1, m = 1000", tallF, tallX);

        Tutorial.section("hessian");
        // tag::hessian[]
        var data = new SplittableRandom(3);
        Tensor inputs = Tensor.randn(DType.FLOAT64, data, 8, 3);               // logistic regression: 8 points, 3 weights
        Tensor labels = inputs.sum(1).gt(0).to(DType.FLOAT64);                 // label 1 when the coordinates sum to > 0
        Function<Tensor, Tensor> loss = w -> {
            Tensor z = inputs.matmul(w);                                        // the logits
            return z.softplus().sub(labels.mul(z)).mean().add(w.square().sum().mul(0.05));  // cross-entropy + L2
        };
        Tensor w = Tensor.of(new double[] {0.3, -0.2, 0.5});
        Tensor h = Functional.hessian(loss, w);                                 // 3×3, three rows of second derivatives
        Tensor dir = Tensor.of(new double[] {1, -1, 2});
        Tensor hv = Functional.hvp(loss, w, dir);                              // H·v without forming H
        System.out.println("H =\n" + h);
        System.out.println("symmetric to rounding, largest |H − Hᵀ| < 1e-15: " + (h.sub(h.t()).abs().max().item() < 1e-15));
        System.out.println("hvp(v) = " + hv);
        System.out.println("H·v    = " + h.matmul(dir));
        // end::hessian[]

        Tutorial.section("forward-over-reverse");
        // tag::fwdrev[]
        Tensor leaf = w.detach().requiresGrad(true);
        Tensor lossOnDual = loss.apply(ForwardAD.dual(leaf, dir));          // one forward pass, w carrying the tangent v
        Tensor grad = Autograd.grad(lossOnDual, List.of(leaf)).get(0);     // one backward pass: ∇L, carrying a tangent too
        Tensor hvByHand = ForwardAD.tangent(grad);                          // the tangent of ∇L along v is H·v
        Tensor hvReverse = Functional.hvp(loss, w, dir, Mode.REVERSE);      // reverse over reverse: the gradient of ⟨∇L, v⟩
        System.out.println("∇L                   = " + ForwardAD.primal(grad));
        System.out.println("forward over reverse = " + hvByHand);
        System.out.println("reverse over reverse = " + hvReverse);
        // end::fwdrev[]

        Tutorial.section("hooks");
        // tag::hooks[]
        var init = new SplittableRandom(5);
        var mlp = new Sequential(new Linear(4, 16, init), new Tanh(), new Linear(16, 16, init), new Tanh(), new Linear(16, 1, init));
        Map<String, Double> gradNorms = new LinkedHashMap<>();
        Map<String, Tensor> activations = new LinkedHashMap<>();
        List<HookHandle> handles = new ArrayList<>();
        mlp.namedParameters().forEach((name, p) -> {
            if (name.endsWith("weight")) handles.add(p.registerHook(g -> {           // runs when the pass reaches p
                gradNorms.put(name, g.norm().item());
                return null;                                                         // null: keep the gradient as it is
            }));
        });
        mlp.namedChildren().forEach((name, layer) -> handles.add(layer.registerForwardHook((m, in, out) -> {
            activations.put(name, out.detach());                                     // runs after the layer's forward
            return null;
        })));

        Tensor input = Tensor.randn(init, 32, 4), target = input.select(1, 0).mul(input.select(1, 1)).reshape(32, 1);
        mlp.call(input).sub(target).square().mean().backward();                      // Sequential runs each layer by call(x), with its hooks
        handles.forEach(HookHandle::remove);

        activations.forEach((name, act) -> System.out.printf("layer %s %-6s output %-8s mean |a| %.4f%n", name,
                mlp.namedChildren().get(name).getClass().getSimpleName(), Arrays.toString(act.shape()), act.abs().mean().item()));
        gradNorms.forEach((name, norm) -> System.out.printf("‖∂L/∂%s‖ = %.4f%n", name, norm));
        // end::hooks[]

        Map<String, Double> stored = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : mlp.namedParameters().entrySet()) {
            if (e.getKey().endsWith("weight")) stored.put(e.getKey(), e.getValue().grad().norm().item());
        }
        return new Result(x, jv, uJ, ForwardAD.primal(y), ForwardAD.tangent(y), byRows, byColumns, wide, tall, a, wideX, tallX, wideJ, tallJ, inputs, labels, w, h, dir,
                hv, ForwardAD.primal(grad), hvByHand, hvReverse, gradNorms, stored, activations, input, target, mlp.namedParameters().get("4.weight").grad());
    }

    /**
     * Builds f's Jacobian in reverse and in forward mode and counts the forward and backward passes each takes.
     *
     * @param name the function's description
     * @param f the function
     * @param x the point
     * @return the passes {reverse: forward, backward; forward: forward, backward}
     */
    // tag::passes[]
    static long[] jacobianPasses(String name, UnaryOperator<Tensor> f, Tensor x) {
        long[] passes = new long[4];
        for (Mode mode : new Mode[] {Mode.REVERSE, Mode.FORWARD}) {
            long[] count = {0, 0};                                            // {forward passes, backward passes}
            Function<Tensor[], Tensor[]> counted = in -> {
                count[0]++;                                                   // every evaluation of f is a forward pass
                if (in[0].requiresGrad()) {                                   // reverse mode: x is a leaf of a graph
                    in[0].registerHook(g -> { count[1]++; return null; });    // fires on every backward pass that reaches x
                }
                return new Tensor[] {f.apply(in[0])};
            };
            Tensor j = Functional.jacobian(counted, new Tensor[] {x}, mode)[0][0];
            System.arraycopy(count, 0, passes, 2 * mode.ordinal(), 2);
            System.out.printf("%s: %-7s Jacobian %s in %4d forward and %4d backward passes%n", name, mode, Arrays.toString(j.shape()), count[0], count[1]);
        }
        return passes;
    }
    // end::passes[]

    /** Prints the wall time of both Jacobians (an illustration; it varies from run to run) and returns the reverse one. */
    private static Tensor time(String name, UnaryOperator<Tensor> f, Tensor x) {
        Function<Tensor[], Tensor[]> fs = in -> new Tensor[] {f.apply(in[0])};
        Tensor result = null;
        for (Mode mode : new Mode[] {Mode.REVERSE, Mode.FORWARD}) {
            Functional.jacobian(fs, new Tensor[] {x}, mode); // warm up
            long start = System.nanoTime();
            Tensor j = Functional.jacobian(fs, new Tensor[] {x}, mode)[0][0];
            System.out.printf("%s: %-7s %8.1f ms%n", name, mode, (System.nanoTime() - start) / 1e6);
            if (result == null) result = j;
        }
        return result;
    }
}
