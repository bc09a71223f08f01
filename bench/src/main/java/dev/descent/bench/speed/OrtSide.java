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
 * The ONNX Runtime side of {@code descent bench onnx}: the {@code onnx-reference} module (ONNX Runtime's Java API,
 * built only with the Maven profile {@code onnxruntime}) running in its own JVM, answering one request per line
 * ({@code dev.descent.onnxreference.OrtBench}). Keeping it open lets the bench alternate Descent and ONNX Runtime
 * model by model, so both see the same machine load. ONNX Runtime never enters this JVM's class path.
 */
public final class OrtSide implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final String version;

    private OrtSide(Process process, String version) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = process.inputReader(StandardCharsets.UTF_8);
        this.version = version;
    }

    /** {@return "ONNX Runtime 1.22.0"} */
    public String version() {
        return version;
    }

    /**
     * Starts the ONNX Runtime side, building {@code onnx-reference} first (through {@code descent build -Ponnxruntime})
     * when it has not been built or its sources are newer than the build.
     *
     * @param home the project folder (where {@code ./descent} is)
     * @param log  where build progress goes
     * @return the running side
     * @throws IOException when the build fails or the side does not start
     */
    public static OrtSide start(Path home, PrintStream log) throws IOException {
        Path module = home.resolve("onnx-reference");
        Path classpath = module.resolve("target/classpath.txt"), classes = module.resolve("target/classes");
        if (!Files.isRegularFile(classpath) || newerSources(module, classpath)) {
            log.println("building the ONNX Runtime side: " + home.resolve("descent") + " build -Ponnxruntime -pl onnx-reference -am");
            Process build = new ProcessBuilder(home.resolve("descent").toString(), "build", "-Ponnxruntime", "-pl", "onnx-reference", "-am")
                    .directory(home.toFile()).redirectErrorStream(true).start();
            try (BufferedReader r = build.inputReader(StandardCharsets.UTF_8)) {
                r.lines().forEach(l -> log.println("  " + l));
            }
            try {
                if (build.waitFor() != 0) throw new IOException("building onnx-reference failed (exit " + build.exitValue() + ")");
                // The plugin leaves an unchanged class path file alone: date it, so the next run sees a fresh build.
                Files.setLastModifiedTime(classpath, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building onnx-reference", e);
            }
        }
        String cp = classes + java.io.File.pathSeparator + Files.readString(classpath).trim();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-cp", cp,
                "dev.descent.onnxreference.OrtBench"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
        String first = r.readLine();
        if (first == null || !first.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the ONNX Runtime side did not start: " + first);
        }
        return new OrtSide(p, first.substring(6));
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

    /**
     * Sends one request.
     *
     * @param line the request
     * @return the numbers of its RESULT line (seconds: median, min, max)
     * @throws IOException when the side fails or answers with an error
     */
    public double[] request(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null) throw new IOException("the ONNX Runtime side exited");
        if (!answer.startsWith("RESULT ")) throw new IOException("ONNX Runtime side: " + answer);
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
