package dev.descent.tutorial;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.autograd.GraphDot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Chapter 2 of the tutorial: ops record a graph as they run, backward() walks it, gradients accumulate; the graph as a picture. */
public final class Ch02Backward {
    private Ch02Backward() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param dydx d(x² + eˣ)/dx at x = 2
     * @param afterTwoBackwards x's gradient after a second backward() without clearing it
     * @param powerGrad d(x⁵)/dx at x = 2, through a graph built by a loop
     * @param biasGrad the gradient of a bias broadcast over 4 rows
     * @param noGradResultRequiresGrad whether a result computed in a no-grad scope requires grad
     * @param tinyMlpLoss the tiny MLP's loss
     * @param dot the DOT text of the tiny MLP's graph
     */
    public record Result(double dydx, double afterTwoBackwards, double powerGrad, Tensor biasGrad, boolean noGradResultRequiresGrad,
            double tinyMlpLoss, String dot) {}

    /**
     * Runs the chapter; {@code --dot FILE} also writes the tiny MLP's graph to FILE.
     *
     * @param args nothing, or {@code --dot FILE}
     */
    public static void main(String[] args) {
        boolean dot = args.length == 2 && args[0].equals("--dot");
        if (!dot && args.length != 0) throw new IllegalArgumentException("chapter 2 takes no arguments, or --dot FILE");
        run();
        if (dot) {
            try {
                Files.writeString(Path.of(args[1]), GraphDot.of(tinyMlpLoss()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.println("wrote " + args[1]);
        }
    }

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("scalar");
        // tag::scalar[]
        Tensor x = Tensor.of(2.0).requiresGrad(true).name("x");  // a leaf that wants a gradient
        Tensor y = x.mul(x).add(x.exp());                       // y = x² + eˣ: two ops recorded, then a third
        printGraph(y, "");
        y.backward();                                           // dy/dx into x.grad()
        System.out.printf("y = %.6f, dy/dx = %.6f, and 2x + eˣ = %.6f%n", y.item(), x.grad().item(), 2 * 2 + Math.exp(2));
        // end::scalar[]
        double dydx = x.grad().item();

        Tutorial.section("accumulate");
        // tag::accumulate[]
        y.backward();                                           // the graph is still there: its gradient is added again
        System.out.printf("after a second backward(): %.6f%n", x.grad().item());
        double twice = x.grad().item();
        x.zeroGrad();                                           // what a training loop does before each backward()
        System.out.println("after zeroGrad(): " + x.grad());
        // end::accumulate[]

        Tutorial.section("loop");
        // tag::loop[]
        Tensor p = Tensor.of(1.0);
        for (int k = 0; k < 5; k++) p = p.mul(x);               // ordinary Java decides the graph: five muls
        p.backward();
        System.out.printf("d(x⁵)/dx at 2 = %.1f (5x⁴ = 80)%n", x.grad().item());
        // end::loop[]
        double powerGrad = x.grad().item();

        Tutorial.section("broadcast");
        // tag::broadcast[]
        Tensor rows = Tensor.ones(4, 3);
        Tensor b = Tensor.zeros(3).requiresGrad(true);          // [3], broadcast over 4 rows
        rows.add(b).sum().backward();
        System.out.println("b.grad() = " + b.grad() + ": each element of b was used 4 times");
        // end::broadcast[]

        Tutorial.section("nograd");
        // tag::nograd[]
        Tensor z;
        try (var _ = GradMode.noGrad()) {
            z = x.mul(3);                                       // computed, not recorded
        }
        System.out.println("in a no-grad scope: requiresGrad " + z.requiresGrad() + ", gradFn " + z.gradFn());
        // end::nograd[]

        Tutorial.section("mlp");
        // tag::dot[]
        Tensor loss = tinyMlpLoss();
        String dot = GraphDot.of(loss);                         // Graphviz text: boxes are ops, ellipses are leaves
        System.out.printf("loss %.4f; its graph has %d nodes and %d edges%n", loss.item(),
                dot.lines().filter(l -> l.contains("label=")).count(), dot.lines().filter(l -> l.contains("->")).count());
        // end::dot[]
        return new Result(dydx, twice, powerGrad, b.grad(), z.requiresGrad(), loss.item(), dot);
    }

    /**
     * The loss of a tiny two-layer MLP on four points: the graph pictured in the chapter.
     *
     * @return the scalar loss, with its graph
     */
    // tag::tinymlp[]
    public static Tensor tinyMlpLoss() {
        var rng = new SplittableRandom(0);
        Tensor x = Tensor.randn(rng, 4, 2).name("x");                        // 4 points in the plane
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1).name("y");     // a target per point
        Tensor w1 = Tensor.randn(rng, 2, 3).requiresGrad(true).name("w1");  // parameters: leaves that want gradients
        Tensor b1 = Tensor.zeros(3).requiresGrad(true).name("b1");
        Tensor w2 = Tensor.randn(rng, 3, 1).requiresGrad(true).name("w2");
        Tensor b2 = Tensor.zeros(1).requiresGrad(true).name("b2");
        Tensor h = x.matmul(w1).add(b1).tanh();                              // [4, 3]
        Tensor out = h.matmul(w2).add(b2);                                   // [4, 1]
        return out.sub(y).square().mean();                                   // mean squared error, a 0-d tensor
    }
    // end::tinymlp[]

    /**
     * Prints the graph behind {@code t} as a tree: each op with its inputs indented below it.
     *
     * @param t the tensor whose graph is printed
     * @param indent the current indentation
     */
    // tag::printgraph[]
    static void printGraph(Tensor t, String indent) {
        if (t.gradFn() == null) {                               // a leaf: nothing recorded it
            System.out.println(indent + (t.name() != null ? t.name() : "constant " + t.item()));
            return;
        }
        System.out.println(indent + t.gradFn().op() + " = " + t.item());
        for (Tensor input : t.gradFn().inputs()) printGraph(input, indent + "    ");
    }
    // end::printgraph[]
}
