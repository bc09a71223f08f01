package dev.descent.bench;

import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** {@code descent bench …}: speed measurements, each beside a reference measured in the same run. */
@picocli.CommandLine.Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed measurements beside a reference run in the same process.",
        subcommands = {SpeedCommand.Matmul.class})
final class SpeedCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "bench: which benchmark? (available: matmul)");
    }

    /** float32 n×n matmul GFLOP/s on 1 and 2 threads, Descent beside numpy (OpenBLAS) when present. */
    @picocli.CommandLine.Command(name = "matmul", mixinStandardHelpOptions = true, description = "float32 matmul GFLOP/s on 1 and 2 threads, beside numpy when present.")
    static final class Matmul implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = "--sizes", split = ",", description = "matrix sizes (default: 128,256,512,1024,2048)")
        int[] sizes = {128, 256, 512, 1024, 2048};

        @picocli.CommandLine.Option(names = "--samples", description = "timed samples per size (default: ${DEFAULT-VALUE})")
        int samples = 7;

        @Override
        public Integer call() {
            return matmul(sizes, samples);
        }
    }

    static int matmul(int[] sizes, int samples) {
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        int[] threadCounts = Threads.poolSize() >= 2 ? new int[] {1, 2} : new int[] {1};
        System.out.printf("float32 matmul C = A·B (n×n), GFLOP/s = 2n³/time; median [min–max] of %d samples after warm-up%n", samples);
        System.out.printf("machine: %d processors, Descent pool %d threads, %s%n", Runtime.getRuntime().availableProcessors(),
                Threads.poolSize(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Map<String, double[]> numpy = new HashMap<>();
        for (int t : threadCounts) numpy.putAll(numpyGflops(sizes, t, samples));
        if (numpy.isEmpty()) System.out.println("numpy: not available (python3 with numpy not found): no reference column");
        System.out.println();
        System.out.printf("%6s %8s %28s %28s %8s%n", "n", "threads", "Descent GFLOP/s", "numpy GFLOP/s", "ratio");
        for (int n : sizes) {
            SplittableRandom rng = new SplittableRandom(n);
            Tensor a = Tensor.randn(rng, n, n), b = Tensor.randn(rng, n, n);
            double flops = 2.0 * n * n * n;
            for (int t : threadCounts) {
                Timing.Stats s;
                try (var _ = Threads.limit(t)) {
                    s = Timing.measure(() -> a.matmul(b), 3, samples, 0.05);
                }
                String ours = String.format("%.1f [%.1f–%.1f]", flops / s.median() / 1e9, flops / s.max() / 1e9, flops / s.min() / 1e9);
                double[] np = numpy.get(n + "/" + t);
                String ref = np == null ? "-" : String.format("%.1f [%.1f–%.1f]", np[0], np[1], np[2]);
                String ratio = np == null ? "-" : String.format("%.2f", flops / s.median() / 1e9 / np[0]);
                System.out.printf("%6d %8d %28s %28s %8s%n", n, t, ours, ref, ratio);
            }
        }
        return 0;
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
    private static Map<String, double[]> numpyGflops(int[] sizes, int threads, int samples) {
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
