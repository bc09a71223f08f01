package dev.descent.cli;

import dev.descent.bench.speed.Memory;
import dev.descent.bench.speed.Timing;
import dev.descent.bench.speed.PyTorchSide;
import dev.descent.bench.speed.Workloads;
import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import dev.descent.data.FashionMnist;
import dev.descent.data.ImageDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code descent bench …}: speed measurements on 1 and 2 threads, medians and min–max over repeated
 * runs after warm-up. With {@code --vs-pytorch} every workload also runs in PyTorch (DJL, its own JVM),
 * alternating with Descent workload by workload, and the table gives Descent/PyTorch speed ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Speed benchmarks on 1 and 2 threads: matmul, conv2d, a SimpleCNN training step, an MLP epoch on Fashion-MNIST,"
            + " and heap use per training step. With no subcommand, all of them.",
            "--vs-pytorch runs each workload in PyTorch too (the bench-pytorch module, built on first use with ./descent build -Ppytorch)."},
        subcommands = {BenchCommand.Matmul.class, BenchCommand.Conv.class, BenchCommand.Cnn.class, BenchCommand.Mlp.class,
            BenchCommand.MemoryUse.class})
final class BenchCommand implements Callable<Integer> {

    /** Options every benchmark takes. */
    static final class Common {
        @Option(names = "--vs-pytorch", description = "run every workload in PyTorch too (through DJL) and print Descent/PyTorch ratios")
        boolean vsPytorch;

        @Option(names = "--samples", description = "timed samples per workload (default: ${DEFAULT-VALUE})")
        int samples = 7;

        @Option(names = "--threads-list", split = ",", description = "thread counts to measure (default: 1,2, capped by the pool size)")
        int[] threads = {1, 2};
    }

    @Mixin
    Common common = new Common();

    @Option(names = "--sizes", split = ",", description = "matmul sizes (default: 256,512,1024,2048)")
    int[] sizes = {256, 512, 1024, 2048};

    @Option(names = "--mlp-runs", description = "MLP epochs per thread count, each from a fresh model (default: ${DEFAULT-VALUE})")
    int mlpRuns = 3;

    @Override
    public Integer call() throws IOException {
        return run(common, out -> {
            out.matmul(sizes);
            out.conv();
            out.cnn();
            out.mlp(mlpRuns);
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

    @Command(name = "conv", mixinStandardHelpOptions = true,
            description = "conv2d forward, and forward + backward, batch 128, 3×3, stride 1, padding 1: 3→32 @32×32 and 32→64 @16×16.")
    static final class Conv implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() throws IOException {
            return run(common, Bench::conv);
        }
    }

    @Command(name = "cnn", mixinStandardHelpOptions = true, description = "One SimpleCNN training step (forward, loss, backward, Adam), batch 128, 3×32×32.")
    static final class Cnn implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() throws IOException {
            return run(common, Bench::cnn);
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

    @Command(name = "memory", mixinStandardHelpOptions = true, description = "Bytes allocated and peak heap per training step after warm-up (SimpleCNN, MLP).")
    static final class MemoryUse implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Override
        public Integer call() throws IOException {
            return run(common, Bench::memory);
        }
    }

    @FunctionalInterface
    interface Plan {
        void run(Bench b) throws IOException;
    }

    static int run(Common c, Plan plan) throws IOException {
        if (c.samples < 1) throw new IllegalArgumentException("--samples must be >= 1, was " + c.samples);
        PrintStream out = System.out;
        int[] threads = Arrays.stream(c.threads).filter(t -> t >= 1 && t <= Threads.poolSize()).distinct().toArray();
        if (threads.length == 0) throw new IllegalArgumentException("no thread count in " + Arrays.toString(c.threads) + " fits the pool of " + Threads.poolSize());
        out.printf("machine: %d processors, load average %s, Descent pool %d threads, %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), Threads.poolSize(), Kernels.vectorEnabled() ? Kernels.vectorBits() + "-bit vectors" : "scalar kernels",
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.printf("timing: median [min–max] of %d samples after warm-up; a sample repeats short work to last ≥ 50 ms%n", c.samples);
        PyTorchSide torch = null;
        if (c.vsPytorch) {
            torch = PyTorchSide.start(Path.of(System.getProperty("descent.home", ".")), out);
            out.println("PyTorch side: " + torch.version() + ", intra-op threads set per row, inter-op 1; ratio = Descent speed / PyTorch speed");
        }
        try {
            Bench b = new Bench(out, threads, c.samples, torch);
            plan.run(b);
            b.summary();
        } finally {
            if (torch != null) torch.close();
        }
        out.printf("load average at the end: %s%n", loadAverage());
        return 0;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** One run of benchmarks: prints rows as they are measured, and a Markdown table at the end. */
    static final class Bench {
        private final PrintStream out;
        private final int[] threads;
        private final int samples;
        private final PyTorchSide torch;
        private final List<String> table = new ArrayList<>();

        Bench(PrintStream out, int[] threads, int samples, PyTorchSide torch) {
            this.out = out;
            this.threads = threads;
            this.samples = samples;
            this.torch = torch;
        }

        /** A measured quantity: median, worst and best, in a unit where higher is better or not. */
        record Value(double median, double min, double max) {
            static Value ofSeconds(Timing.Stats s) {
                return new Value(s.median(), s.min(), s.max());
            }

            static Value ofSeconds(double[] s) {
                return new Value(s[0], s[1], s[2]);
            }

            /** work/seconds: the slowest sample gives the low end. */
            Value rate(double work) {
                return new Value(work / median, work / max, work / min);
            }

            Value scale(double f) {
                return new Value(median * f, min * f, max * f);
            }

            String format(String fmt) {
                return String.format(Locale.ROOT, fmt + " [" + fmt + "–" + fmt + "]", median, min, max);
            }
        }

        private void row(String workload, String unit, int t, Value ours, Value theirs, boolean higherIsBetter, String fmt, String note) {
            String ratio = theirs == null ? "-"
                    : String.format(Locale.ROOT, "%.2f", higherIsBetter ? ours.median() / theirs.median() : theirs.median() / ours.median());
            String d = ours.format(fmt), p = theirs == null ? "-" : theirs.format(fmt);
            out.printf("%-34s %-9s %2d  %-30s %-30s %6s  %s%n", workload, unit, t, d, p, ratio, note);
            table.add(String.format("| %s | %s | %d | %s | %s | %s |%s", workload, unit, t, d, p, ratio, note.isEmpty() ? "" : " " + note + " |"));
        }

        private void header(String title) {
            out.println();
            out.println(title);
            out.printf("%-34s %-9s %2s  %-30s %-30s %6s%n", "workload", "unit", "t", "Descent", torch == null ? "PyTorch (not run)" : "PyTorch", "ratio");
        }

        private Timing.Stats time(Runnable work, int t) {
            try (var _ = Threads.limit(t)) {
                return Timing.measure(work, 3, samples, 0.05);
            }
        }

        void matmul(int[] sizes) throws IOException {
            header("float32 matmul C = A·B (n×n), GFLOP/s = 2n³/time");
            Map<String, double[]> numpy = new HashMap<>();
            for (int t : threads) numpy.putAll(numpyGflops(sizes, t, samples));
            if (numpy.isEmpty()) out.println("numpy: not available (python3 with numpy not found)");
            for (int n : sizes) {
                Runnable work = Workloads.matmul(n);
                double flops = 2.0 * n * n * n / 1e9;
                for (int t : threads) {
                    Value ours = Value.ofSeconds(time(work, t)).rate(flops);
                    Value theirs = torch == null ? null : Value.ofSeconds(torch.request("matmul %d %d %d", n, t, samples)).rate(flops);
                    double[] np = numpy.get(n + "/" + t);
                    String note = np == null ? "" : String.format(Locale.ROOT, "numpy %.1f [%.1f–%.1f], Descent/numpy %.2f", np[0], np[1], np[2], ours.median() / np[0]);
                    row("matmul n=" + n, "GFLOP/s", t, ours, theirs, true, "%.1f", note);
                }
            }
        }

        void conv() throws IOException {
            header("conv2d, batch 128, 3×3, stride 1, padding 1 (ms; GFLOP/s in the note; forward+backward = input and weight gradients)");
            for (Workloads.ConvShape s : Workloads.CONV_SHAPES) {
                for (boolean backward : new boolean[] {false, true}) {
                    Runnable work = Workloads.conv(s, backward);
                    double gflop = s.forwardFlops() * (backward ? 3 : 1) / 1e9;
                    for (int t : threads) {
                        Value ours = Value.ofSeconds(time(work, t));
                        Value theirs = torch == null ? null
                                : Value.ofSeconds(torch.request("conv %d %d %d %d %d %d", s.cin(), s.cout(), s.hw(), backward ? 1 : 0, t, samples));
                        String note = String.format(Locale.ROOT, "GFLOP/s %.1f", gflop / ours.median())
                                + (theirs == null ? "" : String.format(Locale.ROOT, " vs %.1f", gflop / theirs.median()));
                        row("conv " + s + (backward ? " fwd+bwd" : " fwd"), "ms", t, ours.scale(1e3), theirs == null ? null : theirs.scale(1e3),
                                false, "%.2f", note);
                    }
                }
            }
        }

        void cnn() throws IOException {
            header("SimpleCNN training step (forward, cross-entropy, backward, Adam lr 1e-3), batch 128, 3×32×32");
            Workloads.TrainingStep step = Workloads.simpleCnnStep();
            for (int t : threads) {
                Value ours = Value.ofSeconds(time(step, t)).rate(Workloads.BATCH);
                Value theirs = torch == null ? null : Value.ofSeconds(torch.request("cnn %d %d", t, samples)).rate(Workloads.BATCH);
                row("SimpleCNN step", "images/s", t, ours, theirs, true, "%.0f", "");
            }
        }

        void mlp(int runs) throws IOException {
            header("MLP 784-256-10, Adam lr 1e-3, batch 128: one epoch of Fashion-MNIST (60,000 images), then test accuracy");
            Path dir = FashionMnist.SYSTEM_DIR;
            if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))) {
                out.println("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): skipped");
                return;
            }
            ImageDataset train = FashionMnist.train(dir), test = FashionMnist.test(dir);
            float[] trainX = Workloads.pixels(train), testX = Workloads.pixels(test);
            int[] trainY = train.labels(), testY = test.labels();
            // A warm-up epoch (JIT), not timed.
            Workloads.mlpEpoch(trainX, trainY, testX, testY, 999);
            for (int t : threads) {
                double[] secs = new double[runs], acc = new double[runs];
                for (int r = 0; r < runs; r++) {
                    try (var _ = Threads.limit(t)) {
                        Workloads.Epoch e = Workloads.mlpEpoch(trainX, trainY, testX, testY, 1000 + r);
                        secs[r] = e.seconds();
                        acc[r] = e.accuracy();
                    }
                }
                Value ours = Value.ofSeconds(Timing.stats(secs));
                Value theirs = null;
                String note = String.format(Locale.ROOT, "test accuracy %.2f%%", Timing.stats(acc).median());
                if (torch != null) {
                    double[] p = torch.request("mlp %d %d %s", t, runs, dir);
                    theirs = new Value(p[0], p[1], p[2]);
                    note += String.format(Locale.ROOT, " vs %.2f%%", p[3]);
                }
                row("MLP epoch (" + runs + " runs)", "s", t, ours, theirs, false, "%.2f", note);
            }
        }

        void memory() {
            out.println();
            out.println("heap per training step after warm-up (Descent; all threads; default thread count)");
            Workloads.TrainingStep cnn = Workloads.simpleCnnStep(), mlp = Workloads.mlpStep();
            for (var e : List.of(Map.entry("SimpleCNN step", (Runnable) cnn), Map.entry("SimpleCNN step, no workspace", (Runnable) cnn.withoutWorkspace()),
                    Map.entry("MLP step", (Runnable) mlp), Map.entry("MLP step, no workspace", (Runnable) mlp.withoutWorkspace()))) {
                Memory.Use u = Memory.measure(e.getValue(), 5, 10);
                String line = String.format(Locale.ROOT, "allocated %,d bytes/step; peak heap %,d bytes; live after GC %,d bytes",
                        u.allocatedPerCall(), u.peakHeap(), u.liveHeap());
                out.printf("%-34s %s%n", e.getKey(), line);
                table.add("| " + e.getKey() + " | bytes | " + Threads.poolSize() + " | " + line + " | | |");
            }
        }

        void summary() {
            if (table.isEmpty()) return;
            out.println();
            out.println("| workload | unit | threads | Descent median [min–max] | PyTorch median [min–max] | Descent/PyTorch | notes |");
            out.println("|---|---|---|---|---|---|---|");
            for (String r : table) out.println(r);
        }
    }

    private static final String NUMPY_SCRIPT = """
            import sys, time
            import numpy as np
            samples = int(sys.argv[1])
            for n in map(int, sys.argv[2:]):
                rng = np.random.default_rng(n)
                a = rng.standard_normal((n, n), dtype=np.float32)
                b = rng.standard_normal((n, n), dtype=np.float32)
                for _ in range(3): a @ b
                t0 = time.perf_counter(); a @ b; once = max(time.perf_counter() - t0, 1e-9)
                reps = max(1, int(0.05 / once + 0.999))
                per = []
                for _ in range(samples):
                    t0 = time.perf_counter()
                    for _ in range(reps): a @ b
                    per.append((time.perf_counter() - t0) / reps)
                per.sort()
                f = 2.0 * n ** 3 / 1e9
                print(n, f / per[len(per) // 2], f / per[-1], f / per[0])
            """;

    /** numpy's GFLOP/s (median, min, max) per size at {@code threads} threads, keyed "n/threads"; empty when unavailable. */
    static Map<String, double[]> numpyGflops(int[] sizes, int threads, int samples) {
        Map<String, double[]> out = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", NUMPY_SCRIPT, Integer.toString(samples)));
        for (int n : sizes) cmd.add(Integer.toString(n));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            for (String v : List.of("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")) pb.environment().put(v, Integer.toString(threads));
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 4 && f[0].matches("\\d+")) {
                        out.put(f[0] + "/" + threads, new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }
}
