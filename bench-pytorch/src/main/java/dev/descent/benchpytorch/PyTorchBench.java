package dev.descent.benchpytorch;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.descent.bench.speed.CpuTiming;
import dev.descent.bench.speed.Timing;
import dev.descent.bench.speed.Workloads;
import dev.descent.data.FashionMnist;
import dev.descent.data.ImageDataset;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The PyTorch side of {@code descent bench --vs-pytorch}: the same workloads as Descent's bench, run
 * in PyTorch (libtorch 2.7, through DJL), one request per line on standard input, one answer per line
 * on standard output. The bench command keeps this process open and alternates requests with its own
 * measurements, so both sides run at the same time of day under the same machine load.
 *
 * <pre>
 *   matmul N THREADS SAMPLES                 → RESULT median min max      (seconds per call)
 *   conv CIN COUT HW BACKWARD THREADS SAMPLES [STRIDE] → RESULT median min max (BACKWARD: 0 or 1; STRIDE 1 by default)
 *   cnn THREADS SAMPLES                       → RESULT median min max      (seconds per step)
 *   mlp THREADS RUNS DIR                      → RESULT median min max acc  (seconds per epoch; test accuracy %)
 *   gpt B T LAYERS HEADS WIDTH VOCAB THREADS SAMPLES → RESULT median min max cpu (seconds per GPT training step; cpu:
 *                                              the process's CPU seconds per step)
 *   gptloss B T LAYERS HEADS WIDTH VOCAB STEPS → RESULT first last (the loss of one batch before the first and the last
 *                                              of STEPS steps on it: a check that the step trains)
 *   optim NAME THREADS SAMPLES                → RESULT median min max      (seconds per optimizer step; NAME adam or sgd)
 *   quit
 * </pre>
 *
 * Timing is Descent's {@code Timing}: warm-up calls (at least a second of them), then samples of at least 50 ms (short work
 * repeated inside a sample), median and min–max. PyTorch's intra-op thread count is set per request
 * ({@code torch.set_num_threads}); inter-op threads stay at 1.
 */
public final class PyTorchBench {
    private PyTorchBench() {}

    private static final int BATCH = 128;

    public static void main(String[] args) throws Exception {
        // Offline: the native library comes from the pytorch-native-cpu jar; nothing is downloaded.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.default_engine", "PyTorch");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            out.println("ERROR PyTorch engine did not load: " + e);
            return;
        }
        out.println("READY PyTorch " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ")");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 0 || f[0].isEmpty()) continue;
            try {
                switch (f[0]) {
                    case "quit" -> {
                        return;
                    }
                    case "matmul" -> out.println(result(matmul(Integer.parseInt(f[1]), threads(f[2]), Integer.parseInt(f[3]))));
                    case "conv" -> out.println(result(conv(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                            f[4].equals("1"), threads(f[5]), Integer.parseInt(f[6]), f.length > 7 ? Integer.parseInt(f[7]) : 1)));
                    case "cnn" -> out.println(result(cnnStep(threads(f[1]), Integer.parseInt(f[2]))));
                    case "mlp" -> out.println(mlpEpochs(threads(f[1]), Integer.parseInt(f[2]), f[3]));
                    case "gpt" -> out.println(resultWithCpu(gptStep(ints(f, 1, 6), threads(f[7]), Integer.parseInt(f[8]))));
                    case "gptloss" -> out.println(gptLoss(ints(f, 1, 6), Integer.parseInt(f[7])));
                    case "optim" -> out.println(result(optimizerStep(f[1], threads(f[2]), Integer.parseInt(f[3]))));
                    default -> out.println("ERROR unknown request: " + line);
                }
            } catch (Exception | Error e) {
                out.println("ERROR " + f[0] + ": " + e.toString().replace('\n', ' '));
            }
        }
    }

    private static int threads(String s) {
        int t = Integer.parseInt(s);
        JniUtils.setNumThreads(t);
        return t;
    }

    private static int[] ints(String[] f, int from, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = Integer.parseInt(f[from + i]);
        return v;
    }

    private static String resultWithCpu(double[] s) {
        return String.format(Locale.ROOT, "RESULT %.9g %.9g %.9g %.9g", s[0], s[1], s[2], s[3]);
    }

    private static String result(double[] s) {
        return String.format(Locale.ROOT, "RESULT %.9g %.9g %.9g", s[0], s[1], s[2]);
    }

    // ------------------------------------------------------------ workloads

    private static double[] matmul(int n, int threads, int samples) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n)), b = m.randomNormal(new Shape(n, n));
            return measure(() -> {
                try (NDArray c = a.matMul(b)) {
                    c.getShape();
                }
            }, 3, samples);
        }
    }

    /** conv2d 3×3, stride 1, padding 1, with bias; with {@code backward}, the input and weight gradients of sum(y·1). */
    private static double[] conv(int cin, int cout, int hw, boolean backward, int threads, int samples, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(BATCH, cin, hw, hw));
            NDArray w = m.randomNormal(0, 0.1f, new Shape(cout, cin, 3, 3), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 0.1f, new Shape(cout), DataType.FLOAT32);
            Shape one = new Shape(1, 1), pad = new Shape(1, 1), strides = new Shape(stride, stride);
            if (!backward) {
                return measure(() -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray y = Conv2d.conv2d(x, w, b, strides, pad, one, 1).singletonOrThrow();
                        y.attach(step);
                    }
                }, 3, samples);
            }
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            return measure(() -> {
                try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = Conv2d.conv2d(x, w, b, strides, pad, one, 1).singletonOrThrow();
                    y.attach(step);
                    gc.backward(y); // seeds with ones, as Descent's y.backward(ones)
                }
            }, 3, samples);
        }
    }

    /** The SimpleCNN of Descent's Models.simpleCnn: conv 3→32, ReLU, maxpool 2, conv 32→64, ReLU, maxpool 2, dense 4096→128, ReLU, dropout 0.2, dense → 10. */
    static SequentialBlock simpleCnn() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.2f).build())
                .add(Linear.builder().setUnits(10).build());
    }

    static SequentialBlock mlp() {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(256).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    private static Trainer trainer(Model model, Shape input) {
        DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
                .optInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
        Trainer t = model.newTrainer(cfg);
        t.initialize(input);
        pytorchDefaultInit(model.getBlock(), new SplittableRandom(42));
        return t;
    }

    /**
     * PyTorch's (and Descent's) default initialisation of Linear and Conv2d, replacing DJL's Xavier:
     * weight and bias uniform in ±1/sqrt(fan_in), fan_in = the weight's elements per output unit.
     */
    private static void pytorchDefaultInit(ai.djl.nn.Block block, SplittableRandom rng) {
        long fanIn = 1;
        for (var pair : block.getParameters()) {
            NDArray a = pair.getValue().getArray();
            long[] shape = a.getShape().getShape();
            if (pair.getKey().endsWith("weight")) {
                fanIn = 1;
                for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
            }
            float bound = (float) (1 / Math.sqrt(fanIn));
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            a.set(v);
        }
    }

    /** One training step: forward, loss, backward, Adam update. */
    private static void step(Trainer t, NDArray x, NDArray y) {
        try (GradientCollector gc = t.newGradientCollector()) {
            NDList pred = t.forward(new NDList(x));
            NDArray loss = t.getLoss().evaluate(new NDList(y), pred);
            gc.backward(loss);
        }
        t.step();
    }

    private static double[] cnnStep(int threads, int samples) {
        try (Model model = Model.newInstance("simplecnn", "PyTorch")) {
            model.setBlock(simpleCnn());
            try (Trainer t = trainer(model, new Shape(BATCH, 3, 32, 32)); NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = m.randomNormal(new Shape(BATCH, 3, 32, 32));
                NDArray y = m.randomInteger(0, 10, new Shape(BATCH), DataType.INT64);
                return measure(() -> {
                    try (NDManager step = m.newSubManager()) {
                        NDArray xs = x.duplicate(), ys = y.duplicate();
                        xs.attach(step);
                        ys.attach(step);
                        step(t, xs, ys);
                    }
                }, 3, samples);
            }
        }
    }

    /** One training step of {@link DjlGpt}; {@code s} = batch, context, layers, heads, width, vocabulary. */
    private static double[] gptStep(int[] s, int threads, int samples) {
        try (NDManager m = NDManager.newBaseManager(); DjlGpt gpt = new DjlGpt(m, s[5], s[1], s[2], s[3], s[4])) {
            NDArray[] batch = gpt.batch(s[0], s[1], 11);
            CpuTiming.Result r = CpuTiming.measure(() -> gpt.step(batch[0], batch[1]), 3, samples, 0.05);
            return new double[] {r.wall().median(), r.wall().min(), r.wall().max(), r.cpu().median()};
        }
    }

    private static String gptLoss(int[] s, int steps) {
        try (NDManager m = NDManager.newBaseManager(); DjlGpt gpt = new DjlGpt(m, s[5], s[1], s[2], s[3], s[4])) {
            NDArray[] batch = gpt.batch(s[0], s[1], 11);
            float first = gpt.step(batch[0], batch[1]), last = first;
            for (int i = 1; i < steps; i++) last = gpt.step(batch[0], batch[1]);
            return String.format(Locale.ROOT, "RESULT %.6f %.6f", first, last);
        }
    }

    /** The parameter shapes of SimpleCNN for 3×32×32 images and 10 classes (545,098 values), in PyTorch's layout. */
    private static final long[][] SIMPLE_CNN_SHAPES = {{32, 3, 3, 3}, {32}, {64, 32, 3, 3}, {64}, {128, 4096}, {128}, {10, 128}, {10}};

    /**
     * One update of DJL's optimizer over SimpleCNN-shaped parameters with fixed random gradients (σ = 0.01):
     * {@code adam} is DJL's Adam (lr 1e-3), {@code sgd} DJL's SGD with momentum 0.9 (lr 0.01). These are DJL's
     * own optimizer classes, whose PyTorch-engine kernels are DJL's JNI code, not {@code torch.optim}: DJL's
     * Java API exposes no {@code torch.optim} optimizer.
     */
    private static double[] optimizerStep(String name, int threads, int samples) {
        Optimizer opt = switch (name) {
            case "adam" -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).optMomentum(0.9f).build();
            default -> throw new IllegalArgumentException("optim: DJL side has adam and sgd, not '" + name + "'");
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] w = new NDArray[SIMPLE_CNN_SHAPES.length], g = new NDArray[w.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = m.randomNormal(0, 0.05f, new Shape(SIMPLE_CNN_SHAPES[i]), DataType.FLOAT32);
                g[i] = m.randomNormal(0, 0.01f, new Shape(SIMPLE_CNN_SHAPES[i]), DataType.FLOAT32);
            }
            return measure(() -> {
                for (int i = 0; i < w.length; i++) opt.update("p" + i, w[i], g[i]);
            }, 3, samples);
        }
    }

    /** Epochs of the 784-256-10 MLP with Adam on Fashion-MNIST, each from a fresh model: seconds and test accuracy. */
    private static String mlpEpochs(int threads, int runs, String dir) throws java.io.IOException {
        ImageDataset train = FashionMnist.train(java.nio.file.Path.of(dir)), test = FashionMnist.test(java.nio.file.Path.of(dir));
        float[] trainX = pixels(train), testX = pixels(test);
        int[] trainY = train.labels(), testY = test.labels();
        double[] seconds = new double[runs], acc = new double[runs];
        for (int r = 0; r < runs; r++) {
            try (Model model = Model.newInstance("mlp", "PyTorch")) {
                model.setBlock(mlp());
                try (Trainer t = trainer(model, new Shape(BATCH, 784))) {
                    NDManager m = model.getNDManager();
                    int[] order = Workloads.shuffled(train.size(), 1000 + r);
                    float[] xb = new float[BATCH * 784];
                    long[] yb = new long[BATCH];
                    long t0 = System.nanoTime();
                    for (int start = 0; start < order.length; start += BATCH) {
                        int b = Math.min(BATCH, order.length - start);
                        for (int i = 0; i < b; i++) {
                            System.arraycopy(trainX, order[start + i] * 784, xb, i * 784, 784);
                            yb[i] = trainY[order[start + i]];
                        }
                        try (NDManager step = m.newSubManager()) {
                            NDArray x = step.create(FloatBuffer.wrap(xb, 0, b * 784), new Shape(b, 784));
                            NDArray y = step.create(Arrays.copyOf(yb, b), new Shape(b));
                            step(t, x, y);
                        }
                    }
                    seconds[r] = (System.nanoTime() - t0) / 1e9;
                    acc[r] = accuracy(t, m, testX, testY);
                }
            }
        }
        double[] s = stats(seconds);
        double[] a = acc.clone();
        Arrays.sort(a);
        return String.format(Locale.ROOT, "RESULT %.9g %.9g %.9g %.4f", s[0], s[1], s[2], a[a.length / 2]);
    }

    private static double accuracy(Trainer t, NDManager m, float[] x, int[] y) {
        int correct = 0, n = y.length;
        for (int start = 0; start < n; start += 1000) {
            int b = Math.min(1000, n - start);
            try (NDManager step = m.newSubManager()) {
                NDArray xs = step.create(FloatBuffer.wrap(x, start * 784, b * 784).slice(), new Shape(b, 784));
                NDArray logits = t.evaluate(new NDList(xs)).singletonOrThrow();
                long[] pred = logits.argMax(1).toLongArray();
                for (int i = 0; i < b; i++) if (pred[i] == y[start + i]) correct++;
            }
        }
        return 100.0 * correct / n;
    }

    /** Pixels scaled to [0, 1], as Descent's ImageDataset.batch does. */
    private static float[] pixels(ImageDataset d) {
        float[] out = new float[d.size() * 784];
        var all = d.all().x().toFloatArray();
        System.arraycopy(all, 0, out, 0, out.length);
        return out;
    }

    // ------------------------------------------------------------ timing (as Descent's Timing)

    static double[] measure(Runnable work, int warmups, int samples) {
        return array(Timing.measure(work, warmups, samples, 0.05));
    }

    /** median, min, max. */
    static double[] stats(double[] v) {
        return array(Timing.stats(v));
    }

    private static double[] array(Timing.Stats s) {
        return new double[] {s.median(), s.min(), s.max()};
    }
}
