package dev.descent.onnxreference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.bench.speed.PublishedOnnxModels;
import dev.descent.bench.speed.ReferenceSide;
import java.io.BufferedReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX Runtime side of {@code descent bench onnx}, started with the bench's own command line
 * ({@link ReferenceSide#command}) on this module's class path, answers a timing request with the seven numbers the
 * bench reads. The bench itself is only run by hand, so a side that cannot start or dies at its first request (as it
 * did when the command lacked the Vector API module its timing needs) is caught here.
 */
class OrtBenchSideTest {
    @Test
    void theSideStartedAsTheBenchStartsItAnswersATimingRequest(@TempDir Path tmp) throws Exception {
        Path dir = PublishedOnnxModels.folder().orElse(null);
        assumeTrue(dir != null, "DESCENT_ONNX_MODELS is not set (.ci/run fetches the published models and sets it): skipped");
        PublishedOnnxModels.Model m = PublishedOnnxModels.OCR_CLS;
        assumeTrue(m.find(dir).isPresent(), m.file() + " is not in DESCENT_ONNX_MODELS=" + dir + ": skipped");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path errors = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(ReferenceSide.command(java, System.getProperty("java.class.path"), OrtBench.class.getName()))
                .redirectError(errors.toFile()).start();
        try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8); Writer in = p.outputWriter(StandardCharsets.UTF_8)) {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY ONNX Runtime "), ready + "; " + Files.readString(errors));
            in.write("time " + m.key() + " 1 1 2 0.2 0.01 " + dir + "\n");
            in.flush();
            String answer = out.readLine();
            assertTrue(answer != null && answer.startsWith("RESULT "), answer + "; " + Files.readString(errors));
            String[] f = answer.substring(7).trim().split("\\s+");
            assertEquals(7, f.length, answer);
            double median = Double.parseDouble(f[0]), min = Double.parseDouble(f[1]), max = Double.parseDouble(f[2]), core = Double.parseDouble(f[6]);
            assertTrue(min > 0 && min <= median && median <= max, answer);
            assertTrue(core > 0 && core < 1, "the core probe's seconds: " + answer);
            in.write("quit\n");
            in.flush();
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
