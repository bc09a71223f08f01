package dev.descent.bench.speed;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A reference engine the side-by-side benches compare against, running in its own JVM and answering one request per
 * line: PyTorch through DJL (module {@code bench-pytorch}, Maven profile {@code pytorch}) or ONNX Runtime's Java API
 * (module {@code onnx-reference}, profile {@code onnxruntime}). Keeping it open lets a bench alternate Descent and the
 * reference row by row, so both see the same machine load; the reference's native library never enters this JVM's
 * class path. The protocol: the side prints {@code READY <version>} once, then answers each request line with
 * {@code RESULT <numbers…>} or a line that is an error message; {@code quit} ends it.
 */
public final class ReferenceSide implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final String version;
    /** Where the side's standard error goes (its own messages and a crash's stack trace). */
    private final Path errors;

    private ReferenceSide(String name, Process process, BufferedReader out, String version, Path errors) {
        this.name = name;
        this.process = process;
        this.errors = errors;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = out;
        this.version = version;
    }

    /**
     * Starts the PyTorch side ({@code dev.descent.benchpytorch.PyTorchBench}), building {@code bench-pytorch} first when
     * needed.
     *
     * @param home the project folder (where {@code ./descent} is)
     * @param log  where build progress goes
     * @return the running side
     * @throws IOException when the build fails or the side does not start
     */
    public static ReferenceSide pytorch(Path home, PrintStream log) throws IOException {
        return start("PyTorch", home, "bench-pytorch", "pytorch", "dev.descent.benchpytorch.PyTorchBench", log);
    }

    /**
     * Starts the ONNX Runtime side ({@code dev.descent.onnxreference.OrtBench}), building {@code onnx-reference} first
     * when needed.
     *
     * @param home the project folder (where {@code ./descent} is)
     * @param log  where build progress goes
     * @return the running side
     * @throws IOException when the build fails or the side does not start
     */
    public static ReferenceSide onnxRuntime(Path home, PrintStream log) throws IOException {
        return start("ONNX Runtime", home, "onnx-reference", "onnxruntime", "dev.descent.onnxreference.OrtBench", log);
    }

    /**
     * Builds the module (through {@code descent build -P<profile> -pl <module> -am}) when it has not been built or its
     * sources are newer than the build, then starts its main class and waits for its READY line.
     */
    private static ReferenceSide start(String name, Path home, String moduleName, String profile, String mainClass, PrintStream log)
            throws IOException {
        Path module = home.resolve(moduleName);
        Path classpath = module.resolve("target/classpath.txt"), classes = module.resolve("target/classes");
        if (!Files.isRegularFile(classpath) || newerSources(module, classpath)) {
            List<String> build = List.of(home.resolve("descent").toString(), "build", "-P" + profile, "-pl", moduleName, "-am");
            log.println("building the " + name + " side: " + String.join(" ", build));
            Process p = new ProcessBuilder(build).directory(home.toFile()).redirectErrorStream(true).start();
            try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                r.lines().forEach(l -> log.println("  " + l));
            }
            try {
                if (p.waitFor() != 0) throw new IOException("building " + moduleName + " failed (exit " + p.exitValue() + ")");
                // The plugin leaves an unchanged class path file alone: date it, so the next run sees a fresh build.
                Files.setLastModifiedTime(classpath, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building " + moduleName, e);
            }
        }
        String cp = classes + File.pathSeparator + Files.readString(classpath).trim();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path errors = module.resolve("target/bench-side-stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command(java, cp, mainClass)).redirectError(errors.toFile());
        boundOpenMpSpin(pb.environment());
        if (profile.equals("pytorch")) ReferenceWidth.limitPyTorch(pb.environment());
        Process p = pb.start();
        BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
        String first = r.readLine();
        if (first == null || !first.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the " + name + " side did not start: " + first + lastErrors(errors));
        }
        return new ReferenceSide(name, p, r, first.substring(6), errors);
    }

    /**
     * The spin count given to libgomp (PyTorch's OpenMP) in the reference side, unless the caller's environment sets
     * {@code GOMP_SPINCOUNT} or {@code OMP_WAIT_POLICY}: about 100 µs of PAUSE instructions (~40 ns each on this
     * project's Sapphire Rapids machine), the same bound as Descent's pool ({@code Parallel.SPIN_NANOS}). libgomp's
     * default, 300000 spins, is 10–14 ms here: measured 2026-12-03 at load 11, a two-thread PyTorch GPT step took
     * 1.85 s with it and 34 ms with this bound (one thread: 58 ms), since a thread spinning at a barrier for its
     * descheduled partner holds the core the partner needs; on a quiet machine the two agree.
     */
    public static final String OPENMP_SPIN_COUNT = "2500";

    /** Sets {@link #OPENMP_SPIN_COUNT} in a child process's environment unless it already says how OpenMP waits. */
    static void boundOpenMpSpin(java.util.Map<String, String> env) {
        if (!env.containsKey("GOMP_SPINCOUNT") && !env.containsKey("OMP_WAIT_POLICY")) env.put("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT);
    }

    /**
     * {@return how the reference side's OpenMP threads wait, for a bench's header: the bounded spin count set by this
     * class, or the caller's own {@code GOMP_SPINCOUNT}/{@code OMP_WAIT_POLICY}}
     */
    public static String openMpWait() {
        String spin = System.getenv("GOMP_SPINCOUNT"), policy = System.getenv("OMP_WAIT_POLICY");
        if (spin == null && policy == null) return "OpenMP spin bounded to ~100 µs like Descent's pool (GOMP_SPINCOUNT=" + OPENMP_SPIN_COUNT + ")";
        return "OpenMP wait from the environment (" + (spin == null ? "" : "GOMP_SPINCOUNT=" + spin + " ")
                + (policy == null ? "" : "OMP_WAIT_POLICY=" + policy) + ")";
    }

    /**
     * The command line of a reference side's JVM. The side warms up as long as this JVM does
     * ({@code -Ddescent.bench.warmupSeconds}); it times with {@link CpuTiming}, whose core probe is a Vector API loop,
     * so it needs the incubator module (without it the side died at its first request).
     *
     * @param java      the java launcher
     * @param classpath the side's class path
     * @param mainClass the side's main class
     * @return the command
     */
    public static List<String> command(Path java, String classpath, String mainClass) {
        return List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx2g",
                "-Ddescent.bench.warmupSeconds=" + Timing.WARM_UP_SECONDS, "-cp", classpath, mainClass);
    }

    /** {@return the last lines of a side's standard error that are not JVM warnings, for an error message, or ""} */
    static String lastErrors(Path errors) {
        try {
            List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank() && !l.startsWith("WARNING:")).toList();
            if (lines.isEmpty()) return "";
            return "; its standard error (" + errors + ") ends: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static boolean newerSources(Path module, Path stamp) throws IOException {
        long built = Files.getLastModifiedTime(stamp).toMillis();
        try (Stream<Path> files = Files.walk(module.resolve("src"))) {
            if (files.anyMatch(f -> lastModified(f) > built)) return true;
        }
        return lastModified(module.resolve("pom.xml")) > built;
    }

    private static long lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@return the engine's version as its side reports it, e.g. "PyTorch 2.7.1 (DJL 0.36.0)" or "ONNX Runtime 1.22.0"} */
    public String version() {
        return version;
    }

    /**
     * Sends one request.
     *
     * @param line the request
     * @return the numbers of its RESULT line (seconds: median, min, max, then any extra the request defines)
     * @throws IOException when the side exits or answers with an error
     */
    public double[] request(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null) throw new IOException("the " + name + " side exited" + lastErrors(errors));
        if (!answer.startsWith("RESULT ")) throw new IOException(name + " side: " + answer);
        String[] f = answer.substring(7).trim().split("\\s+");
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) v[i] = Double.parseDouble(f[i]);
        return v;
    }

    /**
     * A request formatted with {@link Locale#ROOT}.
     *
     * @param format the format
     * @param args   its arguments
     * @return the numbers of the RESULT line
     * @throws IOException when the side fails
     */
    public double[] request(String format, Object... args) throws IOException {
        return request(String.format(Locale.ROOT, format, args));
    }

    /** Asks the side to quit, and ends its process if it has not within 10 s. */
    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.flush();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
