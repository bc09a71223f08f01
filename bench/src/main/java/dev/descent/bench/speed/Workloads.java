package dev.descent.bench.speed;

import dev.descent.core.DType;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.Losses;
import dev.descent.data.ImageDataset;
import dev.descent.nn.Flatten;
import dev.descent.nn.GPT;
import dev.descent.nn.Linear;
import dev.descent.nn.Models;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.core.Parameter;
import dev.descent.nn.Module;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Descent side of the speed benchmarks: each workload built once, then run as a {@link Runnable}
 * that a timer calls repeatedly. The PyTorch side ({@code bench-pytorch}) builds the same workloads.
 */
public final class Workloads {
    private Workloads() {}

    /** The batch size of every training workload. */
    public static final int BATCH = 128;

    /**
     * C = A·B for random n×n float32 A and B, in a {@link Workspace} scope as a training step's products are: C's array
     * is the one the previous call gave back, still in cache and not zeroed again. A fresh array each call (zeroed by
     * the JVM, in memory outside the caches) had cost 25% at n = 128, 13% at 256 and 3–4% at 1024, which is the
     * allocator, not the product; PyTorch's side reuses a just-freed block the same way (the C library's heap).
     */
    public static Runnable matmul(int n) {
        SplittableRandom rng = new SplittableRandom(n);
        Tensor a = Tensor.randn(rng, n, n), b = Tensor.randn(rng, n, n);
        Workspace ws = new Workspace();
        return () -> {
            try (var _ = ws.open()) {
                a.matmul(b);
            }
        };
    }

    /**
     * One conv2d shape of the benchmark: batch 128, 3×3 kernel, padding 1, stride 1 or 2 (hw is the input's height and
     * width; the output's is hw / stride).
     */
    public record ConvShape(int cin, int cout, int hw, int stride) {
        /** A stride-1 shape. */
        public ConvShape(int cin, int cout, int hw) {
            this(cin, cout, hw, 1);
        }

        /** Multiply-adds ×2 of the forward pass; forward + backward (input and weight gradients) is three times this. */
        public double forwardFlops() {
            int out = hw / stride;
            return 2.0 * BATCH * cout * out * out * cin * 9;
        }

        @Override
        public String toString() {
            return cin + "→" + cout + " @" + hw + "×" + hw + (stride == 1 ? "" : " s" + stride);
        }
    }

    /** The two shapes of the issue: SimpleCNN's first and second convolution. */
    public static final List<ConvShape> CONV_SHAPES = List.of(new ConvShape(3, 32, 32), new ConvShape(32, 64, 16));

    /**
     * The 3×3 convolutions of a CIFAR ResNet-32 (He et al. 2016, §4.2): one per stage at stride 1, and the two stride-2
     * transitions between stages. (Its first convolution, 3→16 @32×32, is a smaller 3→32.)
     */
    public static final List<ConvShape> RESNET32_SHAPES = List.of(new ConvShape(16, 16, 32), new ConvShape(32, 32, 16), new ConvShape(64, 64, 8),
            new ConvShape(16, 32, 32, 2), new ConvShape(32, 64, 16, 2));

    /**
     * conv2d forward with bias; with {@code backward}, also the input and weight gradients of the
     * output seeded with ones (bias has no gradient), as the PyTorch side's {@code backward(y)}. Each call runs
     * in a scope of one {@link Workspace}, as a training step does: its 8–17 MB output reuses the last call's
     * array. A fresh array per call measured the JVM instead of the kernel: zeroing it, and the page faults
     * of a heap that ParallelGC keeps growing, made samples of the same convolution jump between 1× and 2–10×
     * the kernel's CPU time (the phases ended at young collections).
     */
    public static Runnable conv(ConvShape s, boolean backward) {
        SplittableRandom rng = new SplittableRandom(s.cin() * 1000L + s.cout());
        Tensor x = Tensor.randn(rng, BATCH, s.cin(), s.hw(), s.hw());
        Tensor w = Tensor.randn(rng, s.cout(), s.cin(), 3, 3).mul(0.1);
        Tensor b = Tensor.randn(rng, s.cout()).mul(0.1);
        Workspace workspace = new Workspace();
        if (!backward) {
            return () -> {
                try (var _ = workspace.open(); var _ = GradMode.noGrad()) {
                    Convolution.conv2d(x, w, b, s.stride(), 1);
                }
            };
        }
        x.requiresGrad(true);
        w.requiresGrad(true);
        Tensor ones = Tensor.ones(BATCH, s.cout(), s.hw() / s.stride(), s.hw() / s.stride());
        return () -> {
            try (var _ = workspace.open()) {
                x.zeroGrad();
                w.zeroGrad();
                Convolution.conv2d(x, w, b, s.stride(), 1).backward(ones);
            }
        };
    }

    /**
     * A model, its optimizer and one fixed batch: a training step runs forward, loss, backward and Adam,
     * in a scope of its workspace (as the train command does), or without one when {@code workspace} is null.
     */
    public record TrainingStep(Sequential model, Optimizer optimizer, Tensor x, Tensor y, Workspace workspace) implements Runnable {
        TrainingStep(Sequential model, Optimizer optimizer, Tensor x, Tensor y) {
            this(model, optimizer, x, y, new Workspace());
        }

        @Override
        public void run() {
            if (workspace == null) {
                step();
                return;
            }
            try (var _ = workspace.open()) {
                step();
            }
        }

        private void step() {
            Tensor loss = Losses.crossEntropy(model.forward(x), y);
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
        }

        /** The same step without a workspace: every array allocated afresh. */
        public TrainingStep withoutWorkspace() {
            return new TrainingStep(model, optimizer, x, y, null);
        }
    }

    /** SimpleCNN (Models.simpleCnn, 545,098 parameters) with Adam lr 1e-3 on a random batch of 128 3×32×32 images. */
    public static TrainingStep simpleCnnStep() {
        SplittableRandom rng = new SplittableRandom(7);
        Sequential model = Models.simpleCnn(3, 32, 10, rng);
        model.train();
        Tensor x = Tensor.randn(rng, BATCH, 3, 32, 32);
        long[] labels = new long[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(10);
        return new TrainingStep(model, new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3), x, Tensor.of(labels));
    }

    /**
     * The default GPT of {@code descent train --model gpt} and its default batch: 32 windows of 64 tokens, 2 blocks,
     * 4 heads, width 64, over the 113 distinct characters of Debian's fortunes (the vocabulary that command builds
     * from them), trained with Adam at lr 1e-3.
     *
     * @param batch windows per step
     * @param context tokens per window
     * @param layers Transformer blocks
     * @param heads attention heads
     * @param width the model width
     * @param vocab the number of token ids
     */
    public record GptShape(int batch, int context, int layers, int heads, int width, int vocab) {
        /** The defaults of {@code descent train --model gpt} on fortunes. */
        public static final GptShape DEFAULT = new GptShape(32, 64, 2, 4, 64, 113);

        /** {@return tokens per training step: batch × context} */
        public int tokens() {
            return batch * context;
        }

        @Override
        public String toString() {
            return "batch " + batch + ", context " + context + ", " + layers + " layers, " + heads + " heads, width " + width + ", vocabulary " + vocab;
        }
    }

    /**
     * One GPT training step: forward, token cross-entropy, backward and Adam (lr 1e-3) on a fixed random batch of
     * token windows (targets: random tokens too; the work does not depend on their values), in a scope of its workspace.
     *
     * @param s the model's and the batch's sizes
     * @return the step
     */
    public static Runnable gptStep(GptShape s) {
        SplittableRandom rng = new SplittableRandom(11);
        GPT model = Models.gpt(s.vocab(), s.context(), s.layers(), s.heads(), s.width(), rng);
        model.train();
        long[] x = new long[s.tokens()], y = new long[s.tokens()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(s.vocab());
            y[i] = rng.nextInt(s.vocab());
        }
        Tensor tokens = Tensor.of(x, s.batch(), s.context()), targets = Tensor.of(y, s.tokens());
        Optimizer adam = new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3);
        Workspace ws = new Workspace();
        return () -> {
            try (var _ = ws.open()) {
                Tensor logits = model.forward(tokens);
                Tensor loss = Losses.crossEntropy(logits.reshape(-1, s.vocab()), targets);
                adam.zeroGrad();
                loss.backward();
                adam.step();
            }
        };
    }

    /**
     * One optimizer step over SimpleCNN's parameters (Models.simpleCnn for 3×32×32 and 10 classes, 545,098
     * parameters, as {@link #simpleCnnStep}) whose gradients hold fixed random values (normal, σ = 0.01, drawn
     * once): only the optimizer's own work is timed, no forward or backward pass. An optimizer that steps only
     * with a closure (SAM, LBFGS) gets one that returns a fixed loss and leaves the gradients as they are, so
     * its time is its own bookkeeping without the extra forward and backward passes the algorithm asks for.
     *
     * @param optimizer the optimizer under test, given the model
     * @return the step, and the optimizer it runs
     */
    public static OptimizerStep optimizerStep(Function<Module, Optimizer> optimizer) {
        SplittableRandom rng = new SplittableRandom(11);
        Sequential model = Models.simpleCnn(3, 32, 10, rng);
        model.train();
        for (Parameter p : model.parameters()) p.setGrad(Tensor.randn(rng, p.shape()).mul(0.01).to(p.dtype()));
        Optimizer opt = optimizer.apply(model);
        Tensor loss = Tensor.of(1f);
        Supplier<Tensor> closure = () -> loss;
        return new OptimizerStep(opt, opt.requiresClosure() ? () -> opt.step(closure) : opt::step, new Workspace());
    }

    /**
     * An optimizer and one step of it.
     *
     * @param optimizer the optimizer
     * @param step      runs one {@code step()} (or {@code step(closure)} when the optimizer needs a closure)
     * @param workspace the scope each step runs in, as the training step's
     */
    public record OptimizerStep(Optimizer optimizer, Runnable step, Workspace workspace) implements Runnable {
        @Override
        public void run() {
            try (var _ = workspace.open()) {
                step.run();
            }
        }
    }

    /** The MLP 784-256-10 of the issue. */
    public static Sequential mlp(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Flatten(), new Linear(784, 256, rng), new ReLU(), new Linear(256, 10, rng));
    }

    /** One MLP step on a random batch (for the allocation measurement). */
    public static TrainingStep mlpStep() {
        SplittableRandom rng = new SplittableRandom(8);
        Sequential model = mlp(8);
        Tensor x = Tensor.rand(rng, BATCH, 784);
        long[] labels = new long[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(10);
        return new TrainingStep(model, new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3), x, Tensor.of(labels));
    }

    /** Seconds of one epoch and the test accuracy (%) after it. */
    public record Epoch(double seconds, double accuracy) {}

    /**
     * One epoch of the MLP with Adam (lr 1e-3, batch 128, the last batch partial) over {@code train} in
     * a shuffled order, from a fresh model; then its accuracy on {@code test}. Batches are copied into
     * one reused buffer, as the PyTorch side copies them into new arrays.
     */
    public static Epoch mlpEpoch(float[] trainX, int[] trainY, float[] testX, int[] testY, long seed) {
        Sequential model = mlp(seed);
        Optimizer opt = new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3);
        int n = trainY.length;
        int[] order = shuffled(n, seed);
        float[] xb = new float[BATCH * 784];
        long[] yb = new long[BATCH];
        Storage xs = Storage.of(xb), ys = Storage.of(yb);
        Workspace ws = new Workspace();
        long t0 = System.nanoTime();
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            for (int i = 0; i < b; i++) {
                System.arraycopy(trainX, order[start + i] * 784, xb, i * 784, 784);
                yb[i] = trainY[order[start + i]];
            }
            Tensor x = Tensor.wrap(xs, 0, new int[] {b, 784}, new int[] {784, 1});
            Tensor y = Tensor.wrap(ys, 0, new int[] {b}, new int[] {1});
            try (var _ = ws.open()) {
                Tensor loss = Losses.crossEntropy(model.forward(x), y);
                opt.zeroGrad();
                loss.backward();
                opt.step();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Epoch(seconds, accuracy(model, testX, testY));
    }

    static double accuracy(Sequential model, float[] x, int[] y) {
        model.eval();
        int correct = 0, n = y.length;
        try (var _ = GradMode.noGrad()) {
            for (int start = 0; start < n; start += 1000) {
                int b = Math.min(1000, n - start);
                Tensor xs = Tensor.wrap(Storage.of(x), start * 784, new int[] {b, 784}, new int[] {784, 1});
                long[] pred = model.forward(xs).argmax(1, false).toLongArray();
                for (int i = 0; i < b; i++) if (pred[i] == y[start + i]) correct++;
            }
        }
        model.train();
        return 100.0 * correct / n;
    }

    /** All pixels of a 28×28 one-channel dataset as float32 in [0, 1], image after image. */
    public static float[] pixels(ImageDataset d) {
        Tensor all = d.all().x();
        if (all.dtype() != DType.FLOAT32) throw new IllegalStateException("expected float32 images");
        return all.contiguous().toFloatArray();
    }

    /** A Fisher–Yates shuffle of 0..n-1 from a seed; the PyTorch side uses the same one. */
    public static int[] shuffled(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
