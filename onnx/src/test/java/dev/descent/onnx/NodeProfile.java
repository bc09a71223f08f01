package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.autograd.GradMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A per-step profile of a model's run (a diagnostic, run by hand): each step's op, shapes, convolution settings, FLOPs
 * and median time over the runs, and each one's share of the time beside its share of the FLOPs.
 * {@code java -cp ... dev.descent.onnx.NodeProfile MODEL.onnx N,C,H,W THREADS [SECONDS]}
 */
public final class NodeProfile {
    private NodeProfile() {}

    /**
     * Profiles a model.
     *
     * @param args the model file, the input shape (comma-separated), the thread count and optionally the seconds to run
     * @throws Exception when the model cannot be read
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int[] shape = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int threads = Integer.parseInt(args[2]);
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 20;
        if (System.getProperty("winogradMaxPixels") != null) WinogradConv.maxPixels = Integer.getInteger("winogradMaxPixels");
        if (System.getProperty("winogradMinLargePixels") != null) WinogradConv.minLargePixels = Integer.getInteger("winogradMinLargePixels");
        if (System.getProperty("winogradMinChannels") != null) WinogradConv.minChannels = Integer.getInteger("winogradMinChannels");
        OnnxModel m = OnnxModel.read(file, Map.of(OnnxModel.read(file).inputNames().get(0), shape));
        SplittableRandom rng = new SplittableRandom(1);
        float[] data = new float[Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b))];
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextDouble();
        Tensor x = Tensor.of(data, shape);
        Map<String, Tensor> in = Map.of(m.inputNames().get(0), x);
        Map<OnnxModel.Step, List<Long>> times = new LinkedHashMap<>();
        Map<OnnxModel.Step, String> shapes = new LinkedHashMap<>();
        Map<OnnxModel.Step, List<Long>> cpus = new LinkedHashMap<>();
        Map<OnnxModel.Step, List<Long>> cpusOff = new LinkedHashMap<>();
        List<Long> totals = new ArrayList<>(), totalsOff = new ArrayList<>();
        String ab = System.getProperty("ab"); // pointwise, winograd, both, direct (PointwiseConv's register tiles against its GEMM form), stem (StemConv), upsample (UpsampleConv) session9 (those three and Winograd's few-output gate) winograd43 (F(4×4, 3×3) against F(2×2, 3×3)) pointpad (Winograd's scratch matrices one cache line apart against none) or dilated (dilated convolutions through their phases against core's kernels): every other run with that path off, in the same process
        // -DalsoWarm=FILE=N,C,H,W;FILE=...: other models run in turn with this one during the warm-up (as bench onnx warms
        // every model), to see what running them in the same process does to this model's steps
        List<Runnable> others = new ArrayList<>();
        for (String spec : System.getProperty("alsoWarm", "").split(";")) {
            if (spec.isBlank()) continue;
            Path of = Path.of(spec.substring(0, spec.lastIndexOf('=')));
            int[] os = Arrays.stream(spec.substring(spec.lastIndexOf('=') + 1).split(",")).mapToInt(Integer::parseInt).toArray();
            OnnxModel om = OnnxModel.read(of, Map.of(OnnxModel.read(of).inputNames().get(0), os));
            Map<String, Tensor> oin = Map.of(om.inputNames().get(0), Tensor.rand(new SplittableRandom(2), os));
            others.add(() -> om.run(oin));
        }
        try (var noGrad = GradMode.noGrad(); var limit = Threads.limit(threads)) {
            long end = System.nanoTime() + (long) (seconds * 1e9 / 2);
            while (System.nanoTime() < end) { // warm-up
                m.run(in);
                others.forEach(Runnable::run);
            }
            end = System.nanoTime() + (long) (seconds * 1e9 / 2);
            for (int run = 0; System.nanoTime() < end; run++) {
                boolean off = ab != null && run % 2 == 1;
                if ("pointwise".equals(ab) || "both".equals(ab)) PointwiseConv.enabled = !off;
                if ("winograd".equals(ab) || "both".equals(ab)) WinogradConv.enabled = !off;
                if ("winograd43".equals(ab)) WinogradConv.large = !off;
                if ("pointpad".equals(ab)) WinogradConv.pointPad = off ? 0 : 16;
                if ("dilated".equals(ab)) WinogradConv.dilated = !off;
                if ("direct".equals(ab)) PointwiseConv.direct = !off;
                if ("stem".equals(ab)) StemConv.enabled = !off;
                if ("upsample".equals(ab)) UpsampleConv.enabled = !off;
                if ("session9".equals(ab)) { // this session's inference paths together
                    PointwiseConv.direct = !off;
                    StemConv.enabled = !off;
                    UpsampleConv.enabled = !off;
                    WinogradConv.minFewOutputs = off ? Integer.MAX_VALUE : 16;
                }
                Map<OnnxModel.Step, List<Long>> cpuInto = off ? cpusOff : cpus;
                // -Dab=threads: the other runs on one thread, and wall time (not the calling thread's CPU) is compared
                var oneThread = "threads".equals(ab) && off ? Threads.limit(1) : null;
                long t0 = System.nanoTime();
                m.runTimed(in, new OnnxModel.StepTimer() {
                    long wall, cpu;

                    @Override
                    public void before(OnnxModel.Step step) {
                        wall = System.nanoTime();
                        cpu = CPU.getCurrentThreadCpuTime();
                    }

                    @Override
                    public void after(OnnxModel.Step step, Tensor[] ins, Tensor[] outs) {
                        long w = System.nanoTime() - wall, c = CPU.getCurrentThreadCpuTime() - cpu;
                        if (off) {
                            cpuInto.computeIfAbsent(step, s -> new ArrayList<>()).add("threads".equals(ab) ? w : c);
                            return;
                        }
                        times.computeIfAbsent(step, s -> new ArrayList<>()).add(w);
                        cpus.computeIfAbsent(step, s -> new ArrayList<>()).add(c);
                        shapes.computeIfAbsent(step, s -> describe(s, ins, outs));
                    }
                });
                (off ? totalsOff : totals).add(System.nanoTime() - t0);
                if (oneThread != null) oneThread.close();
            }
        }
        double total = median(totals) / 1e6, sumSteps = 0, flopsAll = 0, sumCpu = 0;
        Map<OnnxModel.Step, Double> ms = new LinkedHashMap<>(), cpuMs = new LinkedHashMap<>();
        if (ab != null) {
            double on = 0, offSum = 0;
            Map<OnnxModel.Step, List<Long>> mine = "threads".equals(ab) ? times : cpus;
            for (var e : mine.entrySet()) {
                on += median(e.getValue()) / 1e6;
                offSum += cpusOff.containsKey(e.getKey()) ? median(cpusOff.get(e.getKey())) / 1e6 : 0;
            }
            for (var e : cpusOff.entrySet()) if (!mine.containsKey(e.getKey())) offSum += median(e.getValue()) / 1e6;
            System.out.printf("A/B %s: sum of step CPU medians %.2f ms with it, %.2f ms without; run wall medians %.2f and %.2f ms%n", ab, on, offSum,
                    median(totals) / 1e6, median(totalsOff) / 1e6);
            for (var e : mine.entrySet()) {
                List<Long> o = cpusOff.get(e.getKey());
                double a = median(e.getValue()) / 1e6, b = o == null ? Double.NaN : median(o) / 1e6;
                if (o != null && Math.abs(a - b) > 0.05 * Math.max(a, b)) System.out.printf("  step %s %s: %.3f with, %.3f without%n", e.getKey().node().name(), e.getKey().node().opType(), a, b);
            }
        }
        for (var e : times.entrySet()) {
            ms.put(e.getKey(), median(e.getValue()) / 1e6);
            cpuMs.put(e.getKey(), median(cpus.get(e.getKey())) / 1e6);
            sumSteps += ms.get(e.getKey());
            sumCpu += cpuMs.get(e.getKey());
        }
        for (var e : shapes.entrySet()) flopsAll += flops.getOrDefault(e.getKey(), 0d);
        System.out.printf("model %s input %s threads %d: %d runs, run median %.2f ms, sum of step medians %.2f ms (calling thread's CPU %.2f ms), %.3f GFLOP (conv)%n",
                file.getFileName(), Arrays.toString(shape), threads, totals.size(), total, sumSteps, sumCpu, flopsAll / 1e9);
        System.out.println("| # | op (step) | node | input → output | conv k/s/p/d/g | path | MFLOP | ms | CPU ms | % time | % FLOP | GFLOP/s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        int k = 0;
        for (var e : ms.entrySet()) {
            OnnxModel.Step s = e.getKey();
            double f = flops.getOrDefault(s, 0d), t = e.getValue();
            System.out.printf("| %d | %s | %s | %s | %.1f | %.3f | %.3f | %.1f | %.1f | %s |%n", k++, stepName(s), s.node().name(), shapes.get(s), f / 1e6, t, cpuMs.get(s),
                    100 * t / sumSteps, flopsAll == 0 ? 0 : 100 * f / flopsAll, f == 0 ? "" : String.format("%.1f", f / t / 1e6));
        }
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final Map<OnnxModel.Step, Double> flops = new LinkedHashMap<>();

    private static String stepName(OnnxModel.Step s) {
        String op = s.node().opType();
        return s.outputs().equals(s.node().outputs()) ? op : op + "+fused";
    }

    private static String describe(OnnxModel.Step s, Tensor[] ins, Tensor[] outs) {
        String io = (ins.length > 0 && ins[0] != null ? fmt(ins[0].shape()) : "-") + " → " + (outs.length > 0 && outs[0] != null ? fmt(outs[0].shape()) : "-");
        OnnxFile.Node n = s.node();
        Tensor wt = null;
        for (int j = 1; j < ins.length && wt == null; j++) if (ins[j] != null && ins[j].dim() == 4) wt = ins[j];
        if (n.opType().equals("Conv") && wt != null && outs[0] != null) {
            int[] w = wt.shape(), y = outs[0].shape(), xs = ins[0].shape();
            int g = (int) ints(n, "group", 1)[0];
            long[] st = ints(n, "strides", 1, 1), d = ints(n, "dilations", 1, 1), p = ints(n, "pads", 0, 0, 0, 0);
            boolean blocked = Blocked.isBlocked(outs[0]); // [N, O/B, H, W, B]
            flops.put(s, 2.0 * y[0] * (blocked ? w[0] : y[1]) * y[2] * y[3] * w[1] * w[2] * w[3]);
            String path;
            boolean symmetric = p.length == 4 && p[0] == p[2] && p[1] == p[3];
            if (blocked) {
                path = Blocked.supports(w, g, new int[] {(int) st[0], (int) st[1]}, new int[] {(int) d[0], (int) d[1]}, new int[4]) ? "Blocked" : "Blocked via planes";
            } else if (WinogradConv.enabled && symmetric && WinogradConv.applies(xs[1], y[1], w[2], w[3], (int) st[0], (int) st[1], (int) d[0], (int) d[1], g, y[2], y[3])) {
                path = "WinogradConv";
            } else if (PointwiseConv.enabled && w[2] == 1 && w[3] == 1 && g == 1 && st[0] == 1 && st[1] == 1 && Arrays.stream(p).allMatch(v -> v == 0)
                    && PointwiseConv.sized(xs[1], y[1], y[2] * y[3])) {
                path = "PointwiseConv";
            } else if (StemConv.applies(xs[1], y[1], w[2], w[3], (int) st[0], (int) st[1], (int) d[0], (int) d[1], g, y[3])) {
                path = "StemConv";
            } else if (g == xs[1] && w[1] == 1) path = "DepthwiseConv";
            else if (g == 1 && xs[1] <= 4 && w[2] * w[3] > 1) path = "DirectConv";
            else if (d[0] > 1) path = "dilated→batch of phases (implicit/im2col)";
            else if (g == 1 && y[2] * y[3] % 16 == 0 && (y[3] % 16 == 0 || y[3] < 16)) path = "ImplicitConv";
            else if (w[2] == 1 && w[3] == 1 && st[0] == 1) path = "pointwise GEMM";
            else path = "im2col+GEMM";
            if (!path.startsWith("Winograd") && !path.startsWith("Pointwise") && y[0] < Threads.count() && g == 1 && y[1] >= 24 && (long) y[1] * y[2] * y[3] * w[1] * w[2] * w[3] >= 1L << 22 && xs[1] > 4) path += " ×channel blocks";
            return io + " | " + w[2] + "×" + w[3] + "/" + st[0] + "/" + Arrays.toString(p) + "/" + d[0] + "/" + g + " | " + path;
        }
        return io + " |  | ";
    }

    private static long[] ints(OnnxFile.Node n, String name, long... otherwise) {
        OnnxFile.Attribute a = n.attributes().get(name);
        if (a == null) return otherwise;
        if (a.value() instanceof long[] l) return l;
        if (a.value() instanceof Long l) return new long[] {l};
        return otherwise;
    }

    private static String fmt(int[] s) {
        return Arrays.toString(s).replace(" ", "");
    }

    private static double median(List<Long> v) {
        long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
        return a[a.length / 2];
    }
}
