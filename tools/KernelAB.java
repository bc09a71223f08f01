import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One workload of core's kernels timed in two builds of core in one JVM, in turns: see tools/kernel-ab. Each build is
 * loaded by its own class loader (its own classes, statics, scratch buffers and JIT-compiled code), so both run on the
 * same core at nearly the same moment, and a change of the machine's speed between turns touches both sides of a round.
 */
public final class KernelAB {
    private KernelAB() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 5) {
            System.err.println("usage: KernelAB BASE_CLASSES THIS_CLASSES ROUNDS SECONDS_PER_TURN WORKLOAD...");
            System.exit(2);
        }
        Path[] dirs = {Path.of(args[0]), Path.of(args[1])};
        int rounds = Integer.parseInt(args[2]);
        double turn = Double.parseDouble(args[3]);
        String[] workload = Arrays.copyOfRange(args, 4, args.length);
        String[] names = {"base", "this"};
        Runnable[] sides = new Runnable[2];
        double flops = 0;
        // One set of arrays for both sides: where an array lies (its alignment to cache lines and pages) moved an A/A
        // comparison by 2–3% when each side had its own.
        java.util.Map<String, float[]> arrays = new java.util.HashMap<>();
        for (int s = 0; s < 2; s++) {
            ClassLoader loader = new URLClassLoader(new URL[] {dirs[s].toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Workload w = workload(loader, workload, arrays);
            sides[s] = w.run();
            flops = w.flops();
        }
        // Warm-up: both sides in turns until C2 has compiled their kernels.
        for (int i = 0; i < 6; i++) for (Runnable r : sides) timeFor(r, 0.5);
        double[][] medians = new double[2][rounds];
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            // Alternate which side goes first, so that neither always runs just after the other's allocations.
            int first = round % 2;
            for (int k = 0; k < 2; k++) {
                int s = (first + k) % 2;
                medians[s][round] = timeFor(sides[s], turn);
            }
            ratios[round] = medians[0][round] / medians[1][round];
            if (Boolean.getBoolean("kernelab.verbose")) {
                System.out.printf(Locale.ROOT, "round %2d: base %.3f ms, this %.3f ms, base/this %.3f%n", round + 1, medians[0][round] * 1e3,
                        medians[1][round] * 1e3, ratios[round]);
            }
        }
        for (int s = 0; s < 2; s++) {
            double[] m = medians[s].clone();
            Arrays.sort(m);
            System.out.printf(Locale.ROOT, "%s: %.3f ms [%.3f–%.3f]%s%n", names[s], median(m) * 1e3, m[0] * 1e3, m[m.length - 1] * 1e3,
                    flops > 0 ? String.format(Locale.ROOT, ", %.1f GFLOP/s", flops / median(m) / 1e9) : "");
        }
        double[] r = ratios.clone();
        Arrays.sort(r);
        int faster = 0;
        for (double x : ratios) if (x > 1) faster++;
        System.out.printf(Locale.ROOT, "%s: speed of this tree / base = %.3f [%.3f–%.3f] (median [min–max] of %d rounds; faster in %d)%n",
                String.join(" ", workload), median(r), r[0], r[r.length - 1], rounds, faster);
        StringBuilder all = new StringBuilder("ratios:");
        for (double x : ratios) all.append(String.format(Locale.ROOT, " %.5f", x));
        System.out.println(all);
    }

    /** The median per-call time (seconds) of {@code r} over calls lasting at least {@code seconds} in all. */
    private static double timeFor(Runnable r, double seconds) {
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            r.run();
            times.add((System.nanoTime() - t0) / 1e9);
        } while (System.nanoTime() < end || times.size() < 3);
        double[] t = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return median(t);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private record Workload(Runnable run, double flops) {}

    /** The workload named by {@code w}, on the classes of {@code loader}; its inputs are the same seeded values on both sides. */
    private static Workload workload(ClassLoader loader, String[] w, java.util.Map<String, float[]> arrays) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        SplittableRandom rng = new SplittableRandom(1);
        java.util.function.BiFunction<String, Integer, float[]> array = (name, n) -> arrays.computeIfAbsent(name, k -> random(rng, n));
        switch (w[0]) {
            case "matmul", "matmul-at", "matmul-bt" -> {
                // matmul N, or M N K: C (M×N) = A·B, both row-major; matmul-at: A stored transposed (column-major, Xᵀ·dY);
                // matmul-bt: B stored transposed (X·Wᵀ, a linear layer's forward).
                int m = Integer.parseInt(w[1]), n = w.length > 3 ? Integer.parseInt(w[2]) : m, k = w.length > 3 ? Integer.parseInt(w[3]) : m;
                boolean transposed = w[0].equals("matmul-at");
                int ars = transposed ? 1 : k, acs = transposed ? m : 1;
                boolean bTransposed = w[0].equals("matmul-bt");
                int brs = bTransposed ? 1 : n, bcs = bTransposed ? k : 1;
                float[] a = array.apply("a", m * k), b = array.apply("b", k * n), c = array.apply("c", m * n);
                Class<?> gemm = Class.forName("dev.descent.core.kernel.Gemm", true, loader);
                MethodHandle h = lookup.findStatic(gemm, "sgemm", MethodType.methodType(void.class, int.class, int.class, int.class,
                        float[].class, int.class, int.class, int.class, float[].class, int.class, int.class, int.class,
                        float[].class, int.class, int.class, boolean.class));
                return new Workload(() -> invoke(() -> h.invoke(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, n, false)), 2.0 * m * n * k);
            }
            case "conv-fwd", "conv-dx", "conv-dw", "wino-fwd", "wino-dx", "wino-dw" -> {
                boolean wino = w[0].startsWith("wino");
                int c = Integer.parseInt(w[1]), o = Integer.parseInt(w[2]), hw = Integer.parseInt(w[3]);
                int stride = w.length > 4 ? Integer.parseInt(w[4]) : 1, batch = w.length > 5 ? Integer.parseInt(w[5]) : 128;
                int out = (hw + 2 - 3) / stride + 1;
                Class<?> geometry = Class.forName("dev.descent.core.kernel.ConvKernels$Geometry", true, loader);
                Class<?>[] ints = new Class<?>[16];
                Arrays.fill(ints, int.class);
                Object q = lookup.findConstructor(geometry, MethodType.methodType(void.class, ints))
                        .invokeWithArguments(batch, c, hw, hw, o, 3, 3, stride, stride, 1, 1, 1, 1, 1, out, out);
                Class<?> conv = Class.forName("dev.descent.core.kernel." + (wino ? "Winograd" : "ImplicitConv"), true, loader);
                float[] x = array.apply("x", batch * c * hw * hw), wt = array.apply("w", o * c * 9), y = array.apply("y", batch * o * out * out);
                float[] dy = array.apply("dy", batch * o * out * out), dx = array.apply("dx", x.length), dw = array.apply("dw", wt.length);
                double flops = 2.0 * batch * o * c * 9 * out * out;
                MethodHandle h;
                Object[] callArgs;
                if (w[0].equals("wino-fwd")) {
                    h = lookup.findStatic(conv, "forward", MethodType.methodType(void.class, geometry, float[].class, int.class, float[].class,
                            int.class, float[].class, int.class, float[].class, java.util.function.IntConsumer.class));
                    callArgs = new Object[] {q, x, 0, wt, 0, null, 0, y, null};
                } else if (w[0].equals("conv-fwd")) {
                    h = lookup.findStatic(conv, "forward", MethodType.methodType(void.class, geometry, float[].class, int.class, float[].class,
                            int.class, float[].class, int.class, float[].class));
                    callArgs = new Object[] {q, x, 0, wt, 0, null, 0, y};
                } else if (w[0].endsWith("-dx")) {
                    h = lookup.findStatic(conv, stride == 1 ? "inputGrad" : "stridedInputGrad", MethodType.methodType(void.class, geometry,
                            float[].class, int.class, float[].class, int.class, float[].class));
                    callArgs = new Object[] {q, dy, 0, wt, 0, dx};
                } else {
                    h = lookup.findStatic(conv, "weightGrad", MethodType.methodType(void.class, geometry, float[].class, int.class,
                            float[].class, int.class, float[].class));
                    callArgs = new Object[] {q, x, 0, dy, 0, dw};
                }
                MethodHandle call = h;
                return new Workload(() -> invoke(() -> call.invokeWithArguments(callArgs)), flops);
            }
            default -> throw new IllegalArgumentException("unknown workload " + w[0] + " (matmul N | matmul M N K | matmul-at M N K | matmul-bt M N K | conv-fwd|conv-dx|conv-dw|wino-fwd|wino-dx|wino-dw C O HW [STRIDE [BATCH]])");
        }
    }

    private interface Call {
        void run() throws Throwable;
    }

    private static void invoke(Call c) {
        try {
            c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() - 0.5);
        return a;
    }
}
