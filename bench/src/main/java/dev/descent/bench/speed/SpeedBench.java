package dev.descent.bench.speed;

import dev.descent.bench.report.Count;
import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import dev.descent.data.FashionMnist;
import dev.descent.data.ImageDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of the speed benchmarks ({@code descent bench}): each workload on each thread count, medians
 * and min–max over repeated samples after warm-up, beside PyTorch (DJL, its own JVM) when asked and
 * numpy for matmul; prints rows as they are measured and a Markdown table at the end.
 */
public final class SpeedBench {
    /** What to measure in one run. */
    @FunctionalInterface
    public interface Plan {
        /**
         * Runs the chosen workloads.
         *
         * @param b the run
         * @throws IOException when a workload's data or the PyTorch side fails
         */
        void run(SpeedBench b) throws IOException;
    }

    /**
     * Measures what {@code plan} asks on each thread count that fits the kernel pool, printing rows as they are
     * measured and a Markdown table at the end.
     *
     * @param out       where the rows go
     * @param wanted    thread counts to measure
     * @param samples   timed samples per workload, at least 1
     * @param rounds    rounds of each row that has a reference (PyTorch, numpy), the two timed in turn; at least 1
     * @param vsPytorch run every workload in PyTorch too (the bench-pytorch module)
     * @param plan      the workloads
     * @throws IOException when a workload's data or the PyTorch side fails
     */
    public static void run(PrintStream out, int[] wanted, int samples, int rounds, boolean vsPytorch, Plan plan) throws IOException {
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
        int[] threads = Arrays.stream(wanted).filter(t -> t >= 1 && t <= Threads.poolSize()).distinct().toArray();
        if (threads.length == 0) throw new IllegalArgumentException("no thread count in " + Arrays.toString(wanted) + " fits the pool of " + Threads.poolSize());
        out.printf("machine: %s, load average %s, Descent pool %s, %s, %s %s%n", Count.of(Runtime.getRuntime().availableProcessors(), "processor"),
                loadAverage(), Count.of(Threads.poolSize(), "thread"), Kernels.vectorEnabled() ? Kernels.vectorBits() + "-bit vectors" : "scalar kernels",
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.println("caches, as the kernels block for them: " + dev.descent.core.Kernels.cacheSizes());
        String width = ReferenceWidth.widthNote();
        if (!width.isEmpty()) out.println("vector width: " + width);
        out.printf("timing: median [min–max] of %s after warm-up; a sample repeats short work to last ≥ 50 ms%n", Count.of(samples, "sample"));
        if (rounds > 1) {
            out.printf("rounds: a row with a reference (PyTorch, numpy) is timed in %d rounds, Descent and the reference in turn; each side's"
                    + " figure is the median of its rounds' medians [the extreme samples of all rounds], the ratio the median [min–max] of"
                    + " the rounds' ratios%n", rounds);
        }
        out.println(HeapSizing.describe() + "; young generation touched before timing in " + HeapSizing.touchYoungGeneration(10) + " ms");
        FmaPeak.Peak peak = FmaPeak.measure(threads);
        out.println(peak.describe());
        ReferenceSide torch = null;
        if (vsPytorch) {
            torch = ReferenceSide.pytorch(Path.of(System.getProperty("descent.home", ".")), out);
            out.println("PyTorch side: " + torch.version() + ", intra-op threads set per row, inter-op 1, " + ReferenceSide.openMpWait() + "; ratio = Descent speed / PyTorch speed");
            out.println("instruction set: " + ReferenceWidth.describe());
        }
        try {
            SpeedBench b = new SpeedBench(out, threads, samples, rounds, torch, peak);
            plan.run(b);
            b.summary();
            out.println(peak.againAtTheEnd(FmaPeak.measure(threads)));
        } finally {
            if (torch != null) torch.close();
        }
        out.printf("load average at the end: %s%n", loadAverage());
    }

    /** {@return the system load averages over 1, 5 and 15 minutes} */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private final PrintStream out;
    private final int[] threads;
    private final int samples;
    /** Rounds of a row that has a reference (see {@link #paired}). */
    private final int rounds;
    private final ReferenceSide torch;
    private final List<String> table = new ArrayList<>();
    private final FmaPeak.Peak peak;
    private final ThreadFlags flags = new ThreadFlags();

    private SpeedBench(PrintStream out, int[] threads, int samples, int rounds, ReferenceSide torch, FmaPeak.Peak peak) {
        this.peak = peak;
        this.out = out;
        this.threads = threads;
        this.samples = samples;
        this.rounds = rounds;
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

    /**
     * A row's two sides over its rounds: each side's median of its rounds' medians, with the extreme samples of all rounds,
     * and the ratio (Descent's speed over the reference's) as the median, least and greatest of the rounds' ratios; null
     * sides when there is no reference.
     *
     * @param ours   Descent's figure
     * @param theirs the reference's figure, or null
     * @param ratio  the ratios of the rounds, or null
     */
    record Paired(Value ours, Value theirs, Value ratio) {
        /**
         * Combines rounds measured in turn: round r of one side beside round r of the other.
         *
         * @param ours           Descent's rounds
         * @param theirs         the reference's rounds (as many), or null
         * @param higherIsBetter whether the unit is a speed (the ratio is then ours over theirs, else theirs over ours)
         * @return the row's figures
         */
        static Paired of(Value[] ours, Value[] theirs, boolean higherIsBetter) {
            if (theirs == null) return new Paired(acrossRounds(ours), null, null);
            if (theirs.length != ours.length) throw new IllegalArgumentException(ours.length + " rounds of Descent, " + theirs.length + " of the reference");
            double[] r = new double[ours.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = higherIsBetter ? ours[i].median() / theirs[i].median() : theirs[i].median() / ours[i].median();
            }
            Timing.Stats s = Timing.stats(r);
            return new Paired(acrossRounds(ours), acrossRounds(theirs), new Value(s.median(), s.min(), s.max()));
        }

        /** The median of the rounds' medians, the least of their least and the greatest of their greatest. */
        static Value acrossRounds(Value[] rounds) {
            double[] medians = new double[rounds.length];
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < rounds.length; i++) {
                medians[i] = rounds[i].median();
                min = Math.min(min, rounds[i].min());
                max = Math.max(max, rounds[i].max());
            }
            return new Value(Timing.stats(medians).median(), min, max);
        }

        /** {@return the ratio as the table prints it: "-" without a reference, "0.97" from one round, "0.97 [0.93–1.02]" from several} */
        String ratioText() {
            if (ratio == null) return "-";
            return ratio.min() == ratio.max() && ratio.min() == ratio.median() ? String.format(Locale.ROOT, "%.2f", ratio.median())
                    : ratio.format("%.2f");
        }
    }

    /** One side of a row, measured once a round. */
    @FunctionalInterface
    interface Side {
        /**
         * Measures the side once.
         *
         * @return the figure of this round
         * @throws IOException when the reference fails
         */
        Value measure() throws IOException;
    }

    /**
     * Times a row with a reference in {@link #rounds} rounds, Descent then the reference in each, so that a change of
     * the machine's speed (this 2-vCPU machine's shared cores swing ±10–30% within minutes) meets both sides of a round
     * rather than one side of the whole row; without a reference, one round.
     */
    private Paired paired(Side ours, Side theirs, boolean higherIsBetter) throws IOException {
        int n = theirs == null ? 1 : rounds;
        Value[] o = new Value[n], p = theirs == null ? null : new Value[n];
        for (int r = 0; r < n; r++) {
            o[r] = ours.measure();
            if (p != null) p[r] = theirs.measure();
        }
        return Paired.of(o, p, higherIsBetter);
    }

    private void row(String workload, String unit, int t, Value ours, Value theirs, boolean higherIsBetter, String fmt, String note) {
        row(workload, unit, t, Paired.of(new Value[] {ours}, theirs == null ? null : new Value[] {theirs}, higherIsBetter), higherIsBetter, fmt, note);
    }

    private void row(String workload, String unit, int t, Paired p, boolean higherIsBetter, String fmt, String note) {
        Value ours = p.ours(), theirs = p.theirs();
        String ratio = p.ratioText();
        String d = ours.format(fmt), theirText = theirs == null ? "-" : theirs.format(fmt);
        String mark = flags.record(workload, t, ours.median(), higherIsBetter);
        if (!mark.isEmpty()) note = note.isEmpty() ? "**" + mark + "**" : note + "; **" + mark + "**";
        out.printf("%-34s %-9s %2d  %-30s %-30s %6s  %s%n", workload, unit, t, d, theirText, ratio, note);
        if (!mark.isEmpty()) out.println("  ^ " + flags.flagged().getLast());
        table.add(String.format("| %s | %s | %d | %s | %s | %s |%s", workload, unit, t, d, theirText, ratio, note.isEmpty() ? "" : " " + note + " |"));
    }

    private void header(String title) {
        out.println();
        out.println(title);
        out.printf("%-34s %-9s %2s  %-30s %-30s %6s%n", "workload", "unit", "t", "Descent", torch == null ? "PyTorch (not run)" : "PyTorch", "ratio");
    }

    private Timing.Stats time(Runnable work, int t) {
        return time(work, t, 0);
    }

    /** As {@link #time(Runnable, int)}, warming up for at least {@code warmUpSeconds}. */
    private Timing.Stats time(Runnable work, int t, double warmUpSeconds) {
        try (var _ = Threads.limit(t)) {
            return Timing.measure(work, 3, samples, 0.05, warmUpSeconds);
        }
    }

    /**
     * The warm-up of each workload of {@link #optim}: measured 2026-12-02 on this project's 2-core machine, one second
     * left SimpleCNN's step at 68 ms and Shampoo's (root every tenth step) at 7.9 ms on 2 threads, five seconds 50 and
     * 4.3 ms — the first second's samples were still partly uncompiled code.
     */
    private static final double OPTIMIZER_WARM_UP_SECONDS = 5;

    /**
     * float32 n×n matmul, GFLOP/s, beside numpy when present.
     *
     * @param sizes the sizes n
     * @throws IOException when the PyTorch side fails
     */
    public void matmul(int[] sizes) throws IOException {
        for (int n : sizes) if (n < 1) throw new IllegalArgumentException("--sizes must be >= 1, was " + n);
        header("float32 matmul C = A·B (n×n), GFLOP/s = 2n³/time");
        boolean numpy = NumpyReference.available();
        if (!numpy) out.println("numpy: not available (python3 with numpy not found)");
        else out.println("numpy's BLAS (" + (ReferenceWidth.limited() ? "OPENBLAS_CORETYPE=Haswell, the AVX2 kernel, to match Descent's width" : "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset") + " for its command): " + NumpyReference.blasKernel());
        for (int n : sizes) {
            Runnable work = Workloads.matmul(n);
            double flops = 2.0 * n * n * n / 1e9;
            int count = torch != null || numpy ? rounds : 1;
            Value[][] ours = new Value[threads.length][count], theirs = torch == null ? null : new Value[threads.length][count];
            Value[][] np = numpy ? new Value[threads.length][count] : null;
            // Each round runs every thread count, each with its sides in turn (Descent, PyTorch, numpy in its own process),
            // so that a round's 2-thread figure and its 1-thread figure come from the same minute: this machine's second
            // vCPU slows by a third for minutes at a time while the first does not, and rows timed one after the other put
            // 2 threads at 1.66–1.77× one where the same JVM alternating them measured 1.85–1.97× (2026-12-05).
            for (int r = 0; r < count; r++) {
                for (int i = 0; i < threads.length; i++) {
                    int t = threads[i];
                    ours[i][r] = Value.ofSeconds(time(work, t)).rate(flops);
                    if (theirs != null) theirs[i][r] = Value.ofSeconds(torch.request("matmul %d %d %d", n, t, samples)).rate(flops);
                    if (np != null) np[i][r] = NumpyReference.matmulGflops(n, t, samples);
                }
            }
            int one = indexOf(threads, 1);
            boolean[] numpyComplete = new boolean[threads.length];
            for (int i = 0; i < threads.length; i++) numpyComplete[i] = np != null && !Arrays.asList(np[i]).contains(null);
            for (int i = 0; i < threads.length; i++) {
                int t = threads[i];
                Paired p = Paired.of(ours[i], theirs == null ? null : theirs[i], true);
                String note = peak.fraction(p.ours().median(), t)
                        + (theirs == null ? "" : "; PyTorch " + peak.fraction(p.theirs().median(), t));
                if (np != null && !numpyComplete[i]) note += "; numpy gave no figure in a round";
                else if (np != null) {
                    Paired vsNumpy = Paired.of(ours[i], np[i], true);
                    note += String.format(Locale.ROOT, "; numpy %s (%s), Descent/numpy %s", vsNumpy.theirs().format("%.1f"),
                            peak.fraction(vsNumpy.theirs().median(), t), vsNumpy.ratioText());
                }
                if (one >= 0 && t > 1) {
                    note += "; " + scalingNote(t, ours[i], ours[one]);
                    if (numpyComplete[i] && numpyComplete[one]) note += " (numpy " + Paired.of(np[i], np[one], true).ratioText() + ")";
                }
                row("matmul n=" + n, "GFLOP/s", t, p, true, "%.1f", note);
            }
        }
    }

    /** {@return the position of {@code value} in {@code a}, or −1} */
    private static int indexOf(int[] a, int value) {
        for (int i = 0; i < a.length; i++) if (a[i] == value) return i;
        return -1;
    }

    /**
     * The note on a t-thread row of how its speed compares with 1 thread's measured in the same rounds: the median [min–max]
     * of the rounds' ratios (t threads' GFLOP/s over 1 thread's).
     *
     * @param t       the row's thread count, above 1
     * @param many    the t-thread rounds (higher is better)
     * @param single  the 1-thread rounds, as many
     * @return for example "2 threads over 1 in the same rounds: 1.88 [1.80–1.95]"
     */
    static String scalingNote(int t, Value[] many, Value[] single) {
        return t + " threads over 1 in the same rounds: " + Paired.of(many, single, true).ratioText();
    }

    /**
     * The float64 linear algebra of {@code core.ops.Linalg} at size n (solve with 16 right-hand sides, inverse, det,
     * cholesky, qr, eigh, svd), milliseconds beside numpy (LAPACK through OpenBLAS) when present. Descent's decompositions
     * are plain unblocked algorithms computed one matrix per thread, so the thread count does not change their time.
     *
     * @param n the matrix size, ≥ 1
     */
    public void linalg(int n) {
        if (n < 1) throw new IllegalArgumentException("--n must be >= 1, was " + n);
        header("float64 linear algebra, n×n (ms; lower is better), beside numpy");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(n);
        dev.descent.core.Tensor a = dev.descent.core.Tensor.randn(dev.descent.core.DType.FLOAT64, rng, n, n)
                .add(dev.descent.core.Tensor.eye(n, dev.descent.core.DType.FLOAT64).mul(Math.sqrt(n)));
        dev.descent.core.Tensor spd = a.matmul(a.t()).div(n).add(dev.descent.core.Tensor.eye(n, dev.descent.core.DType.FLOAT64));
        dev.descent.core.Tensor b = dev.descent.core.Tensor.randn(dev.descent.core.DType.FLOAT64, rng, n, 16);
        Map<String, Runnable> work = new java.util.LinkedHashMap<>();
        work.put("solve", () -> dev.descent.core.ops.Linalg.solve(a, b));
        work.put("inverse", () -> dev.descent.core.ops.Linalg.inverse(a));
        work.put("det", () -> dev.descent.core.ops.Linalg.det(a));
        work.put("cholesky", () -> dev.descent.core.ops.Linalg.cholesky(spd));
        work.put("qr", () -> dev.descent.core.ops.Linalg.qr(a));
        work.put("eigh", () -> dev.descent.core.ops.Linalg.eigh(spd));
        work.put("svd", () -> dev.descent.core.ops.Linalg.svd(a));
        for (int t : threads) {
            Map<String, double[]> numpy = NumpyReference.linalgSeconds(n, t, samples);
            if (numpy.isEmpty()) out.println("numpy: not available (python3 with numpy not found)");
            for (Map.Entry<String, Runnable> e : work.entrySet()) {
                Value ours = Value.ofSeconds(time(e.getValue(), t)).scale(1e3);
                double[] np = numpy.get(e.getKey());
                Value theirs = np == null ? null : Value.ofSeconds(np).scale(1e3);
                // The "PyTorch" column holds numpy here; ratio = numpy time / Descent time (above 1: Descent is faster).
                row(e.getKey() + " n=" + n + " (vs numpy)", "ms", t, ours, theirs, false, "%.2f", "");
            }
        }
    }

    /**
     * conv2d forward, and forward + backward, on the benchmark shapes.
     *
     * @throws IOException when the PyTorch side fails
     */
    public void conv() throws IOException {
        conv(Workloads.CONV_SHAPES);
    }

    /**
     * conv2d forward, and forward + backward, on the given shapes.
     *
     * @param shapes the convolutions
     * @throws IOException when the PyTorch side fails
     */
    public void conv(List<Workloads.ConvShape> shapes) throws IOException {
        header("conv2d, batch 128, 3×3, padding 1, stride 1 (s2: stride 2) (ms; GFLOP/s in the note; forward+backward = input and weight gradients)");
        for (Workloads.ConvShape s : shapes) {
            for (boolean backward : new boolean[] {false, true}) {
                Runnable work = Workloads.conv(s, backward);
                double gflop = s.forwardFlops() * (backward ? 3 : 1) / 1e9;
                for (int t : threads) {
                    Paired p = paired(() -> Value.ofSeconds(time(work, t)).scale(1e3), torch == null ? null
                            : () -> Value.ofSeconds(torch.request("conv %d %d %d %d %d %d %d", s.cin(), s.cout(), s.hw(), backward ? 1 : 0, t, samples,
                                    s.stride())).scale(1e3), false);
                    double ours = p.ours().median() / 1e3;
                    String note = String.format(Locale.ROOT, "GFLOP/s %.1f (%s)", gflop / ours, peak.fraction(gflop / ours, t))
                            + (p.theirs() == null ? "" : String.format(Locale.ROOT, " vs %.1f (%s)", gflop * 1e3 / p.theirs().median(),
                                    peak.fraction(gflop * 1e3 / p.theirs().median(), t)));
                    row("conv " + s + (backward ? " fwd+bwd" : " fwd"), "ms", t, p, false, "%.2f", note + winogradNote(s, backward));
                }
            }
        }
    }

    /**
     * "; Descent's … by Winograd …" when a pass of the row runs Winograd's F(2×2, 3×3) (the weight gradient its transpose
     * F(3×3, 2×2)), whose 2.25× fewer multiplications can put its direct-convolution GFLOP/s above the machine's peak;
     * else "".
     */
    static String winogradNote(Workloads.ConvShape s, boolean backward) {
        int ho = (s.hw() + 2 - 3) / s.stride() + 1;
        var q = new dev.descent.core.kernel.ConvKernels.Geometry(Workloads.BATCH, s.cin(), s.hw(), s.hw(), s.cout(), 3, 3, s.stride(), s.stride(),
                1, 1, 1, 1, 1, ho, ho);
        List<String> passes = new java.util.ArrayList<>();
        if (dev.descent.core.kernel.Winograd.applies(q)) passes.add("forward");
        if (backward && dev.descent.core.kernel.Winograd.inputGradApplies(q)) passes.add("input gradient");
        if (backward && dev.descent.core.kernel.Winograd.weightGradApplies(q)) passes.add("weight gradient");
        if (passes.isEmpty()) return "";
        int last = passes.size() - 1;
        String named = last == 0 ? passes.get(0) : String.join(", ", passes.subList(0, last)) + " and " + passes.get(last);
        return "; Descent's " + named + " by Winograd: GFLOP/s counts the direct convolution's flops, so it can pass the peak";
    }

    /**
     * One SimpleCNN training step, images/s.
     *
     * @throws IOException when the PyTorch side fails
     */
    public void cnn() throws IOException {
        header("SimpleCNN training step (forward, cross-entropy, backward, Adam lr 1e-3), batch 128, 3×32×32");
        Workloads.TrainingStep step = Workloads.simpleCnnStep();
        for (int t : threads) {
            Paired p = paired(() -> Value.ofSeconds(time(step, t)).rate(Workloads.BATCH),
                    torch == null ? null : () -> Value.ofSeconds(torch.request("cnn %d %d", t, samples)).rate(Workloads.BATCH), true);
            row("SimpleCNN step", "images/s", t, p, true, "%.0f", "");
        }
    }

    /**
     * One training step of a GPT, tokens/s.
     *
     * @param shape the model's and the batch's sizes
     * @throws IOException when the PyTorch side fails
     */
    public void gpt(Workloads.GptShape shape) throws IOException {
        header("GPT training step (forward, token cross-entropy, backward, Adam lr 1e-3): " + shape);
        Runnable step = Workloads.gptStep(shape);
        for (int t : threads) {
            int count = torch == null ? 1 : rounds;
            Value[] ours = new Value[count], theirs = torch == null ? null : new Value[count];
            // CPU time per step (every thread of each process): steadier than wall time when other processes share the cores.
            double[] cpu = new double[count], theirCpu = new double[count];
            for (int r = 0; r < count; r++) {
                CpuTiming.Result c;
                try (var _ = Threads.limit(t)) {
                    c = CpuTiming.measure(step, 3, samples, 0.05);
                }
                ours[r] = Value.ofSeconds(c.wall()).rate(shape.tokens());
                cpu[r] = c.cpu().median();
                theirCpu[r] = Double.NaN;
                if (theirs == null) continue;
                double[] p = torch.request("gpt %d %d %d %d %d %d %d %d", shape.batch(), shape.context(), shape.layers(), shape.heads(),
                        shape.width(), shape.vocab(), t, samples);
                theirs[r] = Value.ofSeconds(p).rate(shape.tokens());
                if (p.length >= 4) theirCpu[r] = p[3];
            }
            double ourCpu = Timing.stats(cpu).median();
            String note = String.format(Locale.ROOT, "CPU ms/step: Descent %.1f", ourCpu * 1e3);
            if (theirs != null && !Double.isNaN(theirCpu[0])) {
                double other = Timing.stats(theirCpu).median();
                note += String.format(Locale.ROOT, ", PyTorch %.1f (ratio %.2f)", other * 1e3, other / ourCpu);
            }
            row("GPT step", "tokens/s", t, Paired.of(ours, theirs, true), true, "%.0f", note);
        }
    }

    /**
     * The optimizers PyTorch's side can time, and how: DJL's own optimizer classes (their update kernels are
     * DJL's, not {@code torch.optim}, which DJL's Java API does not reach), under their Descent names.
     */
    static final Map<String, String> DJL_OPTIMIZERS = Map.of("adam", "DJL Adam", "sgd", "DJL SGD, momentum 0.9");

    /**
     * The time of one optimizer step over SimpleCNN's 545,098 parameters for each name, beside the time of one
     * SimpleCNN training step (forward, loss, backward, Adam; batch 128) on the same thread count, and each
     * step as a percentage of it. Gradients hold fixed random values; closure optimizers step with a closure
     * returning a fixed loss ({@link Workloads#optimizerStep}).
     *
     * @param names     the optimizers, in order
     * @param optimizer builds the optimizer of a name for a model
     * @throws IOException when the PyTorch side fails
     */
    public void optim(List<String> names, java.util.function.BiFunction<String, dev.descent.nn.Module, dev.descent.optim.Optimizer> optimizer)
            throws IOException {
        header("optimizer step over SimpleCNN's 545,098 parameters (fixed random gradients; ms), and as % of a SimpleCNN training step"
                + " (batch 128, 3×32×32, Adam); PyTorch: DJL's Adam and SGD (DJL's own update kernels; torch.optim is not reachable through DJL)");
        Workloads.TrainingStep training = Workloads.simpleCnnStep();
        Map<String, Workloads.OptimizerStep> steps = new java.util.LinkedHashMap<>();
        for (String name : names) steps.put(name, Workloads.optimizerStep(m -> optimizer.apply(name, m)));
        for (int t : threads) {
            Value train = Value.ofSeconds(time(training, t, OPTIMIZER_WARM_UP_SECONDS)).scale(1e3);
            Value trainTorch = torch == null ? null : Value.ofSeconds(torch.request("cnn %d %d", t, samples)).scale(1e3);
            row("SimpleCNN training step", "ms", t, train, trainTorch, false, "%.1f", "= 100%");
            for (var e : steps.entrySet()) {
                Value ours = Value.ofSeconds(time(e.getValue(), t, OPTIMIZER_WARM_UP_SECONDS)).scale(1e3);
                String djl = DJL_OPTIMIZERS.get(e.getKey());
                Value theirs = torch == null || djl == null ? null : Value.ofSeconds(torch.request("optim %s %d %d", e.getKey(), t, samples)).scale(1e3);
                String note = String.format(Locale.ROOT, "%.1f%% of a training step%s", 100 * ours.median() / train.median(),
                        ours.median() > 0.1 * train.median() ? " (above 10%)" : "")
                        + (theirs == null ? "" : String.format(Locale.ROOT, "; %s: %.1f%% of PyTorch's training step", djl,
                                100 * theirs.median() / trainTorch.median()));
                if (e.getValue().optimizer().requiresClosure()) note += "; closure returns a fixed loss (no forward/backward)";
                row("step " + e.getKey(), "ms", t, ours, theirs, false, "%.3f", note);
            }
        }
    }

    /**
     * One MLP epoch on Fashion-MNIST, seconds and test accuracy (skipped when the data is not installed).
     *
     * @param runs epochs per thread count, each from a fresh model
     * @throws IOException when the data cannot be read or the PyTorch side fails
     */
    public void mlp(int runs) throws IOException {
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
            row("MLP epoch (" + Count.of(runs, "run") + ")", "s", t, ours, theirs, false, "%.2f", note);
        }
    }

    /** Bytes allocated and peak heap per training step after warm-up. */
    public void memory() {
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

    private void summary() {
        if (table.isEmpty()) return;
        out.println();
        out.println("| workload | unit | threads | Descent median [min–max] | PyTorch median [min–max] | Descent/PyTorch | notes |");
        out.println("|---|---|---|---|---|---|---|");
        for (String r : table) out.println(r);
        List<String> slower = flags.flagged();
        out.println();
        out.println(slower.isEmpty() ? "no workload is slower on 2 threads than on 1"
                : "slower on 2 threads than on 1 (" + slower.size() + "): " + String.join("; ", slower));
    }
}
