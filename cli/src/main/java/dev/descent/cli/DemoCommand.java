package dev.descent.cli;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.data.TwoSpirals;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code descent demo}: a 2-64-64-2 MLP learns two interleaved spirals with plain SGD and momentum,
 * printing loss and accuracy as they improve. Built from core alone, so it shows the whole loop:
 * forward, loss, backward, update.
 */
@picocli.CommandLine.Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small MLP on generated two-spiral data and print the loss falling (core alone: no nn, optim or data).")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @picocli.CommandLine.Option(names = "--epochs", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs = 60;

    @picocli.CommandLine.Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("demo: --epochs must be >= 1, was " + epochs);
        SplittableRandom rng = new SplittableRandom(seed);
        TwoSpirals.Data train = TwoSpirals.generate(2048, 1.0, 0.03, rng);
        TwoSpirals.Data test = TwoSpirals.generate(1024, 1.0, 0.03, rng);

        List<Parameter> params = List.of(
                uniform("w1", rng, 2, 2, 64), uniform("b1", rng, 2, 64),
                uniform("w2", rng, 64, 64, 64), uniform("b2", rng, 64, 64),
                uniform("w3", rng, 64, 64, 2), uniform("b3", rng, 64, 2));
        Tensor[] velocity = params.stream().map(Tensor::zerosLike).toArray(Tensor[]::new);
        double lr = 0.1, momentum = 0.9;
        int batch = 128, n = train.x().size(0);

        System.out.printf("demo: MLP 2-64-64-2 on two spirals (%d train, %d test points), SGD lr %.2g momentum %.2g, seed %d%n",
                n, test.x().size(0), lr, momentum, seed);
        System.out.println("epoch   train loss   test loss   test accuracy");
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor order = permutation(n, rng);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += batch) {
                Tensor idx = order.narrow(0, from, Math.min(batch, n - from));
                Tensor loss = crossEntropy(forward(params, train.x().indexSelect(0, idx)), train.y().indexSelect(0, idx));
                for (Parameter p : params) p.zeroGrad();
                loss.backward();
                try (var _ = GradMode.noGrad()) {
                    for (int i = 0; i < params.size(); i++) {
                        velocity[i].mulInPlace(momentum).addInPlace(params.get(i).grad());
                        params.get(i).addInPlace(velocity[i], -lr);
                    }
                }
                lossSum += loss.item();
                batches++;
            }
            if (epoch == 1 || epoch % 10 == 0 || epoch == epochs) {
                try (var _ = GradMode.noGrad()) {
                    Tensor logits = forward(params, test.x());
                    double testLoss = crossEntropy(logits, test.y()).item();
                    double acc = logits.argmax(1, false).eq(test.y()).to(DType.FLOAT64).mean().item();
                    System.out.printf("%5d   %10.4f   %9.4f   %12.1f%%%n", epoch, lossSum / batches, testLoss, 100 * acc);
                }
            }
        }
        System.out.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static Tensor forward(List<Parameter> p, Tensor x) {
        Tensor h = x.matmul(p.get(0)).add(p.get(1)).relu();
        h = h.matmul(p.get(2)).add(p.get(3)).relu();
        return h.matmul(p.get(4)).add(p.get(5));
    }

    /** Mean negative log-likelihood of the true class under softmax(logits). */
    private static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).mean().neg();
    }

    /** Uniform in ±1/√fanIn, PyTorch's default scale for a linear layer's weights and biases. */
    private static Parameter uniform(String name, SplittableRandom rng, int fanIn, int... shape) {
        double bound = 1 / Math.sqrt(fanIn);
        return new Parameter(name, Tensor.uniform(-bound, bound, DType.FLOAT32, rng, shape));
    }

    private static Tensor permutation(int n, SplittableRandom rng) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return Tensor.of(p);
    }

}
