package dev.descent.bench.speed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PyTorch side of the side-by-side bench: the {@code bench-pytorch} module (DJL + libtorch, built
 * only with the Maven profile {@code pytorch}) running in its own JVM, answering one request per line.
 * Keeping it open lets the bench alternate Descent and PyTorch workload by workload, so both see the
 * same machine load. DJL never enters this JVM's class path.
 */
public final class PyTorchSide implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final String version;

    private PyTorchSide(Process process, String version) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = process.inputReader(StandardCharsets.UTF_8);
        this.version = version;
    }

    /** "PyTorch 2.7.1 (DJL 0.36.0)". */
    public String version() {
        return version;
    }

    /**
     * Starts the PyTorch side, building {@code bench-pytorch} first (through {@code descent build -Ppytorch})
     * when it has not been built or its sources are newer than the build.
     *
     * @param home the project folder (where {@code ./descent} is)
     * @param log  where build progress goes
     */
    public static PyTorchSide start(Path home, PrintStream log) throws IOException {
        Path module = home.resolve("bench-pytorch");
        Path classpath = module.resolve("target/classpath.txt"), classes = module.resolve("target/classes");
        if (!Files.isRegularFile(classpath) || newerSources(module, classpath)) {
            log.println("building the PyTorch side: " + home.resolve("descent") + " build -Ppytorch -pl bench-pytorch -am");
            Process build = new ProcessBuilder(home.resolve("descent").toString(), "build", "-Ppytorch", "-pl", "bench-pytorch", "-am")
                    .directory(home.toFile()).redirectErrorStream(true).start();
            try (BufferedReader r = build.inputReader(StandardCharsets.UTF_8)) {
                r.lines().forEach(l -> log.println("  " + l));
            }
            try {
                if (build.waitFor() != 0) throw new IOException("building bench-pytorch failed (exit " + build.exitValue() + ")");
                // The plugin leaves an unchanged class path file alone: date it, so the next run sees a fresh build.
                Files.setLastModifiedTime(classpath, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building bench-pytorch", e);
            }
        }
        String cp = classes + java.io.File.pathSeparator + Files.readString(classpath).trim();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-cp", cp,
                "dev.descent.benchpytorch.PyTorchBench"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
        String first = r.readLine();
        if (first == null || !first.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the PyTorch side did not start: " + first);
        }
        return new PyTorchSide(p, first.substring(6));
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

    /** Sends one request; returns the numbers of its RESULT line (seconds: median, min, max, then any extra). */
    public double[] request(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null) throw new IOException("the PyTorch side exited");
        if (!answer.startsWith("RESULT ")) throw new IOException("PyTorch side: " + answer);
        String[] f = answer.substring(7).trim().split("\\s+");
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) v[i] = Double.parseDouble(f[i]);
        return v;
    }

    /** A request formatted with {@link Locale#ROOT}. */
    public double[] request(String format, Object... args) throws IOException {
        return request(String.format(Locale.ROOT, format, args));
    }

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
