package dev.descent.cli;

import dev.descent.bench.speed.SpeedBench;
import dev.descent.bench.speed.Workloads;
import dev.descent.nn.Module;
import dev.descent.optim.LBFGS;
import dev.descent.optim.Optimizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code descent bench …}: speed measurements on 1 and 2 threads, medians and min–max over repeated
 * runs after warm-up. With {@code --vs-pytorch} every workload also runs in PyTorch (DJL, its own JVM),
 * alternating with Descent in rounds ({@code --rounds}) row by row, and the table gives Descent/PyTorch speed ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Speed benchmarks on 1 and 2 threads: matmul, conv2d, a SimpleCNN training step, an MLP epoch on Fashion-MNIST,"
            + " a GPT training step, and heap use per training step. With no subcommand, all of them but optim.",
            "--vs-pytorch runs each workload in PyTorch too (the bench-pytorch module, built on first use with ./descent build -Ppytorch)."},
        subcommands = {BenchCommand.Matmul.class, BenchCommand.Conv.class, BenchCommand.Cnn.class, BenchCommand.Mlp.class,
            BenchCommand.Gpt.class, BenchCommand.MemoryUse.class, BenchCommand.LinalgBench.class, BenchCommand.Optim.class,
            BenchCommand.SparkBenchCommand.class, BenchOnnxCommand.class})
final class BenchCommand implements Callable<Integer> {

    /** Options every benchmark takes. */
    static final class Common {
        @Option(names = "--vs-pytorch", description = "run every workload in PyTorch too (through DJL) and print Descent/PyTorch ratios")
        boolean vsPytorch;

        @Option(names = "--samples", description = "timed samples per workload (default: ${DEFAULT-VALUE})")
        int samples = 7;

        @Option(names = "--threads-list", split = ",", description = "thread counts to measure (default: 1,2, capped by the pool size)")
        int[] threads = {1, 2};

        @Option(names = "--rounds", description = "rounds of each row that has a reference (PyTorch, numpy), the two timed in turn; the ratio"
                + " is the median [min–max] of the rounds' ratios (default: ${DEFAULT-VALUE})")
        int rounds = 3;
    }

    @Mixin
    Common common = new Common();

    @Option(names = "--sizes", split = ",", description = "matmul sizes (default: 128,256,512,1024,2048)")
    int[] sizes = {128, 256, 512, 1024, 2048};

    @Option(names = "--mlp-runs", description = "MLP epochs per thread count, each from a fresh model (default: ${DEFAULT-VALUE})")
    int mlpRuns = 3;

    @Override
    public Integer call() throws IOException {
        return run(common, out -> {
            out.matmul(sizes);
            out.conv();
            out.cnn();
            out.mlp(mlpRuns);
            out.gpt(Workloads.GptShape.DEFAULT);
            out.memory();
        });
    }

    @Command(name = "matmul", mixinStandardHelpOptions = true, description = "float32 n×n matmul GFLOP/s, beside numpy (OpenBLAS) when present.")
    static final class Matmul implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--sizes", split = ",", description = "matrix sizes (default: 128,256,512,1024,2048)")
        int[] sizes = {128, 256, 512, 1024, 2048};

        @Override
        public Integer call() throws IOException {
            return run(common, b -> b.matmul(sizes));
        }
    }

    @Command(name = "linalg", mixinStandardHelpOptions = true,
            description = "float64 solve, inverse, det, cholesky, qr, eigh and svd of an n×n matrix (ms), beside numpy (LAPACK) when present.")
    static final class LinalgBench implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--n", description = "the matrix size (default: ${DEFAULT-VALUE})")
        int n = 256;

        @Override
        public Integer call() throws IOException {
            return run(common, b -> b.linalg(n));
        }
    }

    @Command(name = "conv", mixinStandardHelpOptions = true,
            description = "conv2d forward, and forward + backward, batch 128, 3×3, stride 1, padding 1: 3→32 @32×32 and 32→64 @16×16"
                    + " (--shapes resnet32: ResNet-32's, with its stride-2 transitions; all: both).")
    static final class Conv implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--shapes", description = "bench (SimpleCNN's two), resnet32 or all (default: ${DEFAULT-VALUE})")
        String shapes = "bench";

        @Override
        public Integer call() throws IOException {
            List<Workloads.ConvShape> list = switch (shapes) {
                case "bench" -> Workloads.CONV_SHAPES;
                case "resnet32" -> Workloads.RESNET32_SHAPES;
                case "all" -> java.util.stream.Stream.concat(Workloads.CONV_SHAPES.stream(), Workloads.RESNET32_SHAPES.stream()).toList();
                default -> throw new IllegalArgumentException("--shapes must be bench, resnet32 or all, was " + shapes);
            };
            return run(common, b -> b.conv(list));
        }
    }

    @Command(name = "cnn", mixinStandardHelpOptions = true, description = "One SimpleCNN training step (forward, loss, backward, Adam), batch 128, 3×32×32.")
    static final class Cnn implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() throws IOException {
            return run(common, SpeedBench::cnn);
        }
    }

    @Command(name = "mlp", mixinStandardHelpOptions = true, description = "One epoch of an MLP 784-256-10 with Adam, batch 128, on Fashion-MNIST, and its test accuracy.")
    static final class Mlp implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--runs", description = "epochs per thread count, each from a fresh model (default: ${DEFAULT-VALUE})")
        int runs = 3;

        @Override
        public Integer call() throws IOException {
            return run(common, b -> b.mlp(runs));
        }
    }

    @Command(name = "gpt", mixinStandardHelpOptions = true,
            description = {"One training step (forward, token cross-entropy, backward, Adam lr 1e-3) of the default GPT of train --model gpt,"
                + " tokens/s: batch 32, context 64, 2 layers, 4 heads, width 64, vocabulary 113 (fortunes' characters).",
                "With --vs-pytorch, the same model written with DJL's PyTorch engine."})
    static final class Gpt implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--batch-size", description = "windows per step (default: ${DEFAULT-VALUE}, as train --model gpt)")
        int batch = Workloads.GptShape.DEFAULT.batch();

        @Option(names = "--context", description = "tokens per window (default: ${DEFAULT-VALUE})")
        int context = Workloads.GptShape.DEFAULT.context();

        @Option(names = "--layers", description = "Transformer blocks (default: ${DEFAULT-VALUE})")
        int layers = Workloads.GptShape.DEFAULT.layers();

        @Option(names = "--heads", description = "attention heads (default: ${DEFAULT-VALUE})")
        int heads = Workloads.GptShape.DEFAULT.heads();

        @Option(names = "--width", description = "model width (default: ${DEFAULT-VALUE})")
        int width = Workloads.GptShape.DEFAULT.width();

        @Option(names = "--vocab", description = "vocabulary size (default: ${DEFAULT-VALUE})")
        int vocab = Workloads.GptShape.DEFAULT.vocab();

        @Override
        public Integer call() throws IOException {
            for (var o : new Object[][] {{"--batch-size", batch}, {"--context", context}, {"--layers", layers}, {"--heads", heads}, {"--width", width},
                {"--vocab", vocab}}) {
                if ((int) o[1] < 1) throw new IllegalArgumentException(o[0] + " must be >= 1, was " + o[1]);
            }
            if (width % heads != 0) throw new IllegalArgumentException("--heads " + heads + " must divide --width " + width);
            var shape = new Workloads.GptShape(batch, context, layers, heads, width, vocab);
            return run(common, b -> b.gpt(shape));
        }
    }

    @Command(name = "spark", mixinStandardHelpOptions = true,
            description = {"SimpleCNN training steps/s with one global batch: one process on 2 threads, local[2] (1 thread per worker),"
                + " and a standalone cluster of 2 one-core workers when --cluster is given; per step: compute, encode, exchange, sum.",
                "Runs in the spark module, which the launcher builds on first use (./descent build -Pspark)."})
    static final class SparkBenchCommand implements Callable<Integer> {
        @Option(names = "--steps", description = "measured steps after the warm-up (default: ${DEFAULT-VALUE})")
        int steps = 30;

        @Option(names = "--warmup", description = "steps before the measured ones, in every run (default: ${DEFAULT-VALUE})")
        int warmup = 100;

        @Option(names = "--batch", description = "global batch, split over 2 workers (default: ${DEFAULT-VALUE})")
        int batch = 64;

        @Option(names = "--cluster", paramLabel = "spark://HOST:PORT", description = "a standalone master with 2 workers of 1 core (default: none)")
        String cluster;

        @Option(names = "--data-dir", description = "a folder every executor sees, for the generated images (default: a temporary folder)")
        java.nio.file.Path dataDir;

        @Override
        public Integer call() throws Exception {
            if (!SparkRun.available()) {
                throw new IllegalArgumentException("bench spark needs the spark module on the class path: run it through the launcher (./descent bench spark)");
            }
            try {
                Class.forName("dev.descent.spark.SparkBench").getMethod("run", int.class, int.class, int.class, String.class, java.nio.file.Path.class, java.io.PrintStream.class)
                        .invoke(null, steps, warmup, batch, cluster, dataDir, System.out);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                throw e;
            }
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, description = "Bytes allocated and peak heap per training step after warm-up (SimpleCNN, MLP).")
    static final class MemoryUse implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() throws IOException {
            return run(common, SpeedBench::memory);
        }
    }

    @Command(name = "optim", mixinStandardHelpOptions = true,
            description = {"One optimizer step over SimpleCNN's 545,098 parameters (fixed random gradients) for every --optimizer name and LBFGS,"
                + " beside one SimpleCNN training step (batch 128), as a %% of it.",
                "SAM and LBFGS step with a closure returning a fixed loss: their time excludes the forward/backward passes they ask for.",
                "--vs-pytorch: DJL's Adam and SGD (DJL's own optimizer classes; torch.optim is not reachable through DJL)."})
    static final class Optim implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--optimizers", split = ",", description = "only these (default: all of them)")
        List<String> only;

        @Override
        public Integer call() throws IOException {
            List<String> names = only == null ? OPTIMIZERS : only;
            for (String n : names) if (!OPTIMIZERS.contains(n)) throw new IllegalArgumentException(OptimizerFactory.unknown(n));
            return run(common, b -> b.optim(names, BenchCommand::optimizer));
        }
    }

    /** Every optimizer {@code bench optim} times: each name {@code --optimizer} accepts, then LBFGS (refused by train, timed here). */
    static final List<String> OPTIMIZERS;

    static {
        List<String> all = new ArrayList<>(OptimizerFactory.NAMES);
        all.add("lbfgs");
        OPTIMIZERS = List.copyOf(all);
    }

    /** The optimizer of a name as {@code descent train --optimizer NAME} builds it with every default; LBFGS with PyTorch's defaults. */
    static Optimizer optimizer(String name, Module model) {
        if (name.equals("lbfgs")) return new LBFGS(model.parameters());
        return dev.descent.bench.OptimizerFactory.create(dev.descent.bench.OptimizerFactory.Settings.defaults(name), model);
    }

    /** Runs the plan with the common options. */
    static int run(Common c, SpeedBench.Plan plan) throws IOException {
        SpeedBench.run(System.out, c.threads, c.samples, c.rounds, c.vsPytorch, plan);
        return 0;
    }
}
