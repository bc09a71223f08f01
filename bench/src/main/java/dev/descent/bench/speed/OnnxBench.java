package dev.descent.bench.speed;

import dev.descent.core.Kernels;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.autograd.GradMode;
import dev.descent.onnx.OnnxModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code descent bench onnx}: each published model of {@link PublishedOnnxModels} run by Descent's importer beside
 * ONNX Runtime (its own JVM, {@link ReferenceSide}) in the same run: latency at batch 1 and throughput at a larger batch (32
 * by default, for the models that accept a batch), on each thread count (ONNX Runtime's intra-op threads set equal),
 * medians and min–max of timed samples after warm-up, and the ratio of Descent's speed to ONNX Runtime's; beside the
 * wall-clock times, each process's CPU time per call ({@link CpuTiming}), the steadier measure on a loaded machine.
 * Both sides run on the same seeded random input ({@link PublishedOnnxModels.Model#randomInput}, seed 1).
 */
public final class OnnxBench {
    /** Warm-up before each measurement, in seconds of wall time: the JIT needs CPU to compile the kernels, and a loaded machine gives it little. */
    static final double WARM_UP_SECONDS = 5;

    /** Warm-up before each later round of a measurement (the model is warm from the first), seconds of wall time. */
    static final double ROUND_WARM_UP_SECONDS = 1;

    /** The shortest timed sample, in seconds of wall time (the CPU time of the samples is read in 10 ms ticks). */
    static final double MIN_SAMPLE_SECONDS = 0.2;

    private final PrintStream out;
    private final int samples;
    private final int rounds;
    private final ReferenceSide ort;
    private final Path dir;
    private final List<String> table = new ArrayList<>();

    private OnnxBench(PrintStream out, int samples, int rounds, ReferenceSide ort, Path dir) {
        this.out = out;
        this.samples = samples;
        this.rounds = rounds;
        this.ort = ort;
        this.dir = dir;
    }

    /**
     * Measures every model found in {@code dir}, printing rows as they are measured and a Markdown table at the end.
     *
     * @param out     where the rows go
     * @param dir     the folder holding the models' files ({@code DESCENT_ONNX_MODELS})
     * @param models  the models to measure (those absent from {@code dir} are listed as skipped)
     * @param threads thread counts, each at most the pool's size
     * @param samples timed samples per measurement, at least 1
     * @param rounds  times each measurement alternates the two sides, at least 1: medians over rounds, and the median
     *                (and range) of the rounds' ratios
     * @param batch   the batch of the throughput rows, at least 2
     * @param withOrt run ONNX Runtime too (builds {@code onnx-reference} with the profile {@code onnxruntime} when needed)
     * @throws IOException when a model cannot be read or the ONNX Runtime side fails
     */
    public static void run(PrintStream out, Path dir, List<PublishedOnnxModels.Model> models, int[] threads, int samples, int rounds, int batch,
                           boolean withOrt) throws IOException {
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
        if (batch < 2) throw new IllegalArgumentException("--batch must be >= 2, was " + batch);
        for (int t : threads) {
            if (t < 1 || t > Threads.poolSize()) throw new IllegalArgumentException("thread count " + t + " does not fit the pool of " + Threads.poolSize());
        }
        out.printf("machine: %d processors, load average %s, Descent pool %d threads, %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
                SpeedBench.loadAverage(), Threads.poolSize(), Kernels.vectorEnabled() ? Kernels.vectorBits() + "-bit vectors" : "scalar kernels",
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.printf(Locale.ROOT, "timing: %d rounds, each side in turn (the first after ≥ %.0f s of warm-up, later ones after %.0f s), %d samples a round;"
                + " median of the rounds' medians [min–max of all samples]; a sample repeats short work to last ≥ %.1f s; ratio = median [min–max] of"
                + " the rounds' ratios; CPU ms = the process's CPU time per call, median of the rounds; core = how fast the core ran during Descent's samples"
                + " against ORT's (a register-only FMA probe before each sample, on the calling thread); ratio, equal core = each round's ratio times"
                + " that round's probe times, Descent's over ORT's; MB D = Java heap Descent allocates per call (all threads), median of the"
                + " rounds; models in %s%n", rounds, WARM_UP_SECONDS,
                ROUND_WARM_UP_SECONDS, samples, MIN_SAMPLE_SECONDS, dir);
        ReferenceSide ort = null;
        if (withOrt) {
            ort = ReferenceSide.onnxRuntime(Path.of(System.getProperty("descent.home", ".")), out);
            out.println("ONNX Runtime side: " + ort.version() + " (CPU, all graph optimizations, intra-op threads = t, inter-op 1);"
                    + " ratio = Descent speed / ONNX Runtime speed");
        }
        try {
            OnnxBench b = new OnnxBench(out, samples, rounds, ort, dir);
            out.printf("%n%-30s %-9s %2s  %-26s %-26s %-18s  %9s %9s %6s  %5s %-18s  %6s%n", "model", "unit", "t", "Descent", ort == null ? "ONNX Runtime (not run)" : "ONNX Runtime",
                    "ratio", "CPU ms D", "CPU ms O", "ratio", "core", "ratio, equal core", "MB D");
            b.warmUp(models);
            for (PublishedOnnxModels.Model m : models) b.model(m, threads, batch);
            b.summary();
        } finally {
            if (ort != null) ort.close();
        }
        out.printf("load average at the end: %s%n", SpeedBench.loadAverage());
    }

    /**
     * Runs every model at batch 1 until the JIT has compiled the kernels: at least {@link #JIT_WARM_UP_SECONDS} in all
     * and 5 calls of each. Under load the JIT gets little CPU and the Vector API's fallback (before compilation) is
     * two orders of magnitude slower than the compiled kernels, so without this the first rows time the JIT.
     */
    private void warmUp(List<PublishedOnnxModels.Model> models) throws IOException {
        long start = System.nanoTime();
        List<Runnable> runs = new ArrayList<>();
        for (PublishedOnnxModels.Model m : models) {
            Path file = m.find(dir).orElse(null);
            if (file == null) continue;
            OnnxModel model = OnnxModel.read(file);
            Map<String, Tensor> in = Map.of(model.inputNames().get(0), Tensor.of(m.randomInput(1, 1), m.shape(1)));
            runs.add(() -> {
                try (var g = GradMode.noGrad()) {
                    model.run(in);
                }
            });
        }
        if (runs.isEmpty()) return;
        for (int i = 0; i < 5 || System.nanoTime() - start < JIT_WARM_UP_SECONDS * 1e9; i++) runs.forEach(Runnable::run);
        out.printf(Locale.ROOT, "JIT warm-up: every model at batch 1 for %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** The least time of {@link #warmUp}, seconds. */
    static final double JIT_WARM_UP_SECONDS = 30;

    private void model(PublishedOnnxModels.Model m, int[] threads, int batch) throws IOException {
        Path file = m.find(dir).orElse(null);
        if (file == null) {
            out.printf("%-34s skipped: %s is not in %s%n", m.key(), m.file(), dir);
            return;
        }
        OnnxModel model = OnnxModel.read(file);
        String input = model.inputNames().get(0);
        for (int t : threads) {
            measure(m, model, input, 1, t, "ms", true);
            if (m.batchable()) measure(m, model, input, batch, t, "images/s", false);
        }
    }

    private void measure(PublishedOnnxModels.Model m, OnnxModel model, String input, int batch, int t, String unit, boolean latency) throws IOException {
        Map<String, Tensor> in = Map.of(input, Tensor.of(m.randomInput(batch, 1), m.shape(batch)));
        // rounds alternate the two sides, so a change of the machine's speed meets both; each round's ratio is its own
        Rounds ours = new Rounds(rounds), theirs = new Rounds(rounds);
        double[] ratios = new double[rounds], coreRatios = new double[rounds], heap = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double warm = r == 0 ? WARM_UP_SECONDS : ROUND_WARM_UP_SECONDS;
            try (var limit = Threads.limit(t)) {
                CpuTiming.Result c = CpuTiming.measure(() -> {
                    try (var g = GradMode.noGrad()) {
                        model.run(in);
                    }
                }, 3, warm, samples, MIN_SAMPLE_SECONDS);
                ours.add(r, c.wall().median(), c.wall().min(), c.wall().max(), c.cpu().median(), c.core().median());
                heap[r] = c.heap();
            }
            if (ort == null) continue;
            double[] o = ort.request("time %s %d %d %d %s %s %s", m.key(), batch, t, samples, warm, MIN_SAMPLE_SECONDS, dir);
            theirs.add(r, o[0], o[1], o[2], o[3], o.length > 6 ? o[6] : Double.NaN);
            ratios[r] = o[0] / ours.median[r];
            coreRatios[r] = atEqualCore(ratios[r], ours.core[r], theirs.core[r]);
        }
        double ourMedian = Timing.stats(ours.median).median(), theirMedian = Timing.stats(theirs.median).median();
        String name = m.key() + " " + dims(m.shape(batch));
        // Latency in ms (lower is better); throughput in images/s (higher is better). Ratio: Descent speed / ONNX Runtime speed.
        double[] d = latency ? new double[] {ourMedian * 1e3, ours.min * 1e3, ours.max * 1e3} : new double[] {batch / ourMedian, batch / ours.max, batch / ours.min};
        double[] o = ort == null ? null : latency ? new double[] {theirMedian * 1e3, theirs.min * 1e3, theirs.max * 1e3}
                : new double[] {batch / theirMedian, batch / theirs.max, batch / theirs.min};
        String fmt = latency ? "%.2f" : "%.1f";
        String ds = format(fmt, d), os = o == null ? "-" : format(fmt, o);
        Timing.Stats rs = Timing.stats(ratios);
        String ratio = ort == null ? "-" : rounds == 1 ? String.format(Locale.ROOT, "%.2f", rs.median()) : format("%.2f", stats3(rs));
        // CPU time per call of each process (all its threads) over all samples: steadier than wall time under load.
        double ourCpu = Timing.stats(ours.cpu).median(), theirCpu = Timing.stats(theirs.cpu).median();
        String cpu = String.format(Locale.ROOT, "%.2f", ourCpu * 1e3), cpuOrt = ort == null ? "-" : String.format(Locale.ROOT, "%.2f", theirCpu * 1e3);
        String cpuRatio = ort == null ? "-" : String.format(Locale.ROOT, "%.2f", theirCpu / ourCpu);
        // core: how fast Descent's core ran against ORT's during their samples (probe times, ORT's over Descent's)
        String core = ort == null ? "-" : String.format(Locale.ROOT, "%.2f", Timing.stats(theirs.core).median() / Timing.stats(ours.core).median());
        String equalCore = ort == null || Double.isNaN(coreRatios[0]) ? "-" : format("%.2f", stats3(Timing.stats(coreRatios)));
        String what = latency ? "latency, batch 1" : "throughput, batch " + batch;
        String mb = String.format(Locale.ROOT, "%.2f", Timing.stats(heap).median() / 1e6);
        out.printf("%-30s %-9s %2d  %-26s %-26s %-18s  %9s %9s %6s  %5s %-18s  %6s  %s%n", name, unit, t, ds, os, ratio, cpu, cpuOrt, cpuRatio, core, equalCore,
                mb, what);
        table.add(String.format("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |", name, what, unit, t, ds, os, ratio, cpu, cpuOrt, cpuRatio,
                core, equalCore, mb));
    }

    /**
     * One side's figures over the rounds: each round's median wall and CPU seconds per call and median core probe
     * (seconds), and the extremes of all samples.
     */
    private static final class Rounds {
        final double[] median, cpu, core;
        double min = Double.POSITIVE_INFINITY, max;

        Rounds(int rounds) {
            median = new double[rounds];
            cpu = new double[rounds];
            core = new double[rounds];
        }

        void add(int round, double wallMedian, double wallMin, double wallMax, double cpuMedian, double coreProbe) {
            median[round] = wallMedian;
            cpu[round] = cpuMedian;
            core[round] = coreProbe;
            min = Math.min(min, wallMin);
            max = Math.max(max, wallMax);
        }
    }

    /**
     * A round's speed ratio as if both sides had run on a core of the same speed: each side's time divided by its core
     * probe's time, so a ratio measured while Descent's core ran 20% slower rises by 20%.
     *
     * @param ratio      Descent speed / ONNX Runtime speed (ORT's time over Descent's)
     * @param ourProbe   the core probe's seconds during Descent's samples
     * @param theirProbe the same during ONNX Runtime's samples
     * @return the ratio at equal core speed (NaN when a probe is missing)
     */
    static double atEqualCore(double ratio, double ourProbe, double theirProbe) {
        return ratio * ourProbe / theirProbe;
    }

    private static double[] stats3(Timing.Stats s) {
        return new double[] {s.median(), s.min(), s.max()};
    }

    private static String dims(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "×").append(s[i]);
        return b.toString();
    }

    private static String format(String fmt, double[] v) {
        return String.format(Locale.ROOT, fmt + " [" + fmt + "–" + fmt + "]", v[0], v[1], v[2]);
    }

    private void summary() {
        if (table.isEmpty()) return;
        out.println();
        out.println("| model, input | measure | unit | threads | Descent median [min–max] | ONNX Runtime median [min–max] | Descent/ORT speed (wall), rounds' median [min–max]"
                + " | Descent CPU ms/call | ORT CPU ms/call | Descent/ORT speed (CPU) | Descent's/ORT's core speed | Descent/ORT speed at equal core speed"
                + " | Descent heap MB/call |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String r : table) out.println(r);
    }
}
