package dev.descent.tutorial;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.TwoSpirals;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Chapter 6 of the tutorial: a multilayer perceptron from raw tensors, trained on two spirals with a hand-written SGD step. */
public final class Ch06Mlp {
    private Ch06Mlp() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param parameterCount the number of trained scalars
     * @param losses the mean training loss of each epoch
     * @param testAccuracy the fraction of test points classified correctly after training
     */
    public record Result(int parameterCount, List<Double> losses, double testAccuracy) {}

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
        Tutorial.section("data");
        // tag::data[]
        var rng = new SplittableRandom(42);
        TwoSpirals.Data train = TwoSpirals.generate(1000, 1.0, 0.02, rng);   // x: float32 [1000, 2], y: int64 [1000]
        TwoSpirals.Data test = TwoSpirals.generate(500, 1.0, 0.02, rng);
        System.out.println("train x " + java.util.Arrays.toString(train.x().shape()) + ", first point " + train.x().select(0, 0)
                + " of class " + train.y().getLong(0));
        // end::data[]

        Tutorial.section("params");
        // tag::params[]
        List<Tensor> params = List.of(
                uniform(rng, 2, 2, 32).name("w1"), uniform(rng, 2, 32).name("b1"),     // 2 → 32
                uniform(rng, 32, 32, 32).name("w2"), uniform(rng, 32, 32).name("b2"),   // 32 → 32
                uniform(rng, 32, 32, 2).name("w3"), uniform(rng, 32, 2).name("b3"));    // 32 → 2 class scores
        int count = params.stream().mapToInt(Tensor::numel).sum();
        System.out.println(count + " parameters");
        // end::params[]

        Tutorial.section("train");
        // tag::train[]
        double lr = 0.5;
        var batches = new DataLoader(train.dataset(), 50, 7);           // shuffled mini-batches of 50, seeded
        List<Double> losses = new ArrayList<>();
        for (int epoch = 1; epoch <= 40; epoch++) {
            double sum = 0;
            for (Batch b : batches) {
                Tensor loss = crossEntropy(forward(params, b.x()), b.y());
                for (Tensor p : params) p.zeroGrad();                   // gradients accumulate: clear them first
                loss.backward();
                try (var _ = GradMode.noGrad()) {                       // the update itself is not part of the graph
                    for (Tensor p : params) p.addInPlace(p.grad(), -lr); // θ ← θ − lr·∂loss/∂θ
                }
                sum += loss.item() * b.size();
            }
            losses.add(sum / train.x().size(0));
            if (epoch == 1 || epoch % 5 == 0) System.out.printf("epoch %2d  train loss %.4f  test accuracy %5.1f%%%n", epoch, losses.getLast(),
                    100 * accuracy(params, test));
        }
        // end::train[]
        return new Result(count, losses, accuracy(params, test));
    }

    /**
     * The network: two tanh layers, then a linear layer that gives one score per class.
     *
     * @param p the parameters w1, b1, w2, b2, w3, b3
     * @param x points [N, 2]
     * @return class scores (logits) [N, 2]
     */
    // tag::forward[]
    static Tensor forward(List<Tensor> p, Tensor x) {
        Tensor h = x.matmul(p.get(0)).add(p.get(1)).tanh();             // [N, 2]·[2, 32] + [32] → [N, 32]
        h = h.matmul(p.get(2)).add(p.get(3)).tanh();                    // [N, 32]
        return h.matmul(p.get(4)).add(p.get(5));                        // [N, 2]: a score per class
    }

    /** Mean over the batch of −log softmax(scores)[true class]. */
    static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).mean().neg();
    }
    // end::forward[]

    /**
     * Uniform in ±1/√fanIn (PyTorch's default scale for linear layers), as a leaf that requires grad.
     *
     * @param rng the generator
     * @param fanIn the number of inputs of the layer
     * @param shape the tensor's shape
     * @return the new parameter
     */
    // tag::uniform[]
    static Tensor uniform(SplittableRandom rng, int fanIn, int... shape) {
        double bound = 1 / Math.sqrt(fanIn);
        return Tensor.uniform(-bound, bound, DType.FLOAT32, rng, shape).requiresGrad(true);
    }
    // end::uniform[]

    /**
     * The fraction of points whose highest score is their class.
     *
     * @param params the network's parameters
     * @param data the points and classes
     * @return the accuracy in [0, 1]
     */
    // tag::accuracy[]
    static double accuracy(List<Tensor> params, TwoSpirals.Data data) {
        try (var _ = GradMode.noGrad()) {                               // evaluation builds no graph
            Tensor predicted = forward(params, data.x()).argmax(1, false);
            return predicted.eq(data.y()).to(DType.FLOAT64).mean().item();
        }
    }
    // end::accuracy[]
}
