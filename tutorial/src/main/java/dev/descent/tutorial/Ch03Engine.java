package dev.descent.tutorial;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Chapter 3 of the tutorial: what backward() does, first as a 25-line engine of our own, then in Descent's engine. */
public final class Ch03Engine {
    private Ch03Engine() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param mini the gradients of a and b from the chapter's own engine
     * @param real the gradients of a and b from {@code backward()}
     * @param deepGrad the gradient through a chain of 100,000 multiplications by 1.00001
     * @param firstDerivative d(x³)/dx at x = 3
     * @param secondDerivative d²(x³)/dx² at x = 3
     */
    public record Result(double[] mini, double[] real, double deepGrad, double firstDerivative, double secondDerivative) {}

    /**
     * Runs the chapter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("mini");
        // tag::compare[]
        Tensor a = Tensor.of(1.5).requiresGrad(true), b = Tensor.of(-0.5).requiresGrad(true);
        Tensor f = a.mul(b).add(a).mul(b.tanh()).add(a);        // f = (a·b + a)·tanh(b) + a: a is used three times

        Map<Tensor, Tensor> mine = miniBackward(f);
        f.backward();
        System.out.printf("our engine:   df/da = %.9f, df/db = %.9f%n", mine.get(a).item(), mine.get(b).item());
        System.out.printf("backward():   df/da = %.9f, df/db = %.9f%n", a.grad().item(), b.grad().item());
        // end::compare[]

        Tutorial.section("deep");
        // tag::deep[]
        Tensor v = Tensor.of(1.0).requiresGrad(true);
        Tensor w = v;
        for (int k = 0; k < 100_000; k++) w = w.mul(1.00001);  // a graph 100,000 ops deep
        w.backward();                                           // no recursion, so no StackOverflowError
        System.out.printf("dw/dv = %.6f = 1.00001^100000 = %.6f%n", v.grad().item(), Math.pow(1.00001, 100_000));
        // end::deep[]

        Tutorial.section("higher");
        // tag::higher[]
        Tensor x = Tensor.of(3.0).requiresGrad(true);
        Tensor y = x.mul(x).mul(x);                                         // x³
        Tensor dy = Autograd.grad(y, List.of(x), null, true).getFirst();    // 3x², recorded as a graph of its own
        Tensor d2y = Autograd.grad(dy, List.of(x)).getFirst();              // 6x
        System.out.println("d(x³)/dx = " + dy.item() + ", d²(x³)/dx² = " + d2y.item() + " at x = 3");
        // end::higher[]
        return new Result(new double[] {mine.get(a).item(), mine.get(b).item()}, new double[] {a.grad().item(), b.grad().item()},
                v.grad().item(), dy.item(), d2y.item());
    }

    /**
     * Reverse-mode autodiff in the style of micrograd: sort the graph, then run each op's backward rule
     * from the root towards the leaves, summing the gradients of tensors used more than once.
     *
     * @param root a scalar
     * @return d(root)/d(t) for every tensor t of the graph that received a gradient
     */
    // tag::mini[]
    static Map<Tensor, Tensor> miniBackward(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        sort(root, Collections.newSetFromMap(new IdentityHashMap<>()), order);   // every input before its op
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, Tensor.onesLike(root));                                  // d(root)/d(root) = 1
        try (var _ = GradMode.noGrad()) {                                        // rules compute, they need not record
            for (Tensor t : order.reversed()) {                                  // root first, leaves last
                Tensor g = grads.get(t);
                if (g == null || t.gradFn() == null) continue;                   // a leaf's gradient is complete
                Tensor[] inputGrads = t.gradFn().backward(g);                    // the op's own rule
                List<Tensor> inputs = t.gradFn().inputs();
                for (int i = 0; i < inputs.size(); i++) {
                    if (inputGrads[i] != null) grads.merge(inputs.get(i), inputGrads[i], Tensor::add);  // sum over uses
                }
            }
        }
        return grads;
    }

    static void sort(Tensor t, Set<Tensor> seen, List<Tensor> order) {
        if (!seen.add(t)) return;
        if (t.gradFn() != null) for (Tensor input : t.gradFn().inputs()) sort(input, seen, order);
        order.add(t);                                                            // after all of its inputs
    }
    // end::mini[]
}
