package dev.descent.onnxreference;

import ai.onnxruntime.OnnxTensor;
import dev.descent.bench.speed.PublishedOnnxModels;
import dev.descent.bench.speed.CpuTiming;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The ONNX Runtime side of {@code descent bench onnx}: one request per line on standard input, one answer per line on
 * standard output. The bench command keeps this process open and alternates requests with its own measurements, so
 * both sides see the same machine load.
 *
 * <pre>
 *   time MODEL_KEY BATCH THREADS SAMPLES WARMUP_SECONDS MIN_SAMPLE_SECONDS DIR
 *       → RESULT median min max cpu_median cpu_min cpu_max core   (wall seconds per call of the model on a batch,
 *                                  the process's CPU seconds per call, the median of CpuTiming's core-speed probe)
 *   quit
 * </pre>
 *
 * The input is {@link PublishedOnnxModels.Model#randomInput} with seed 1, the same numbers Descent's side runs on. A
 * session stays open for its model, batch and thread count until {@code quit}, so a request repeated in a later round
 * times the same warm session (as Descent's side times the same model object); a request for another model closes the
 * sessions of the one before.
 * Timing is Descent's {@link CpuTiming}: warm-up, then samples of at least MIN_SAMPLE_SECONDS, median and min–max of
 * wall time, and CPU time per call over all the samples. ONNX Runtime's
 * intra-op thread count is the request's THREADS; inter-op threads 1; all graph optimizations on.
 */
public final class OrtBench {
    private OrtBench() {}

    /** An open session and its input. */
    private record Session(OrtModel model, OnnxTensor input) implements AutoCloseable {
        @Override
        public void close() throws ai.onnxruntime.OrtException {
            input.close();
            model.close();
        }
    }

    /**
     * Answers requests until {@code quit} or the end of the input.
     *
     * @param args unused
     * @throws Exception when reading the input fails
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        String version;
        try {
            version = OrtModel.version();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            out.println("ERROR ONNX Runtime did not load: " + e);
            return;
        }
        out.println("READY ONNX Runtime " + version);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, Session> sessions = new HashMap<>();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("quit")) break;
                try {
                    if (!f[0].equals("time") || f.length != 8) throw new IllegalArgumentException("unknown request: " + line);
                    PublishedOnnxModels.Model m = PublishedOnnxModels.byKey(f[1]);
                    int batch = Integer.parseInt(f[2]), threads = Integer.parseInt(f[3]), samples = Integer.parseInt(f[4]);
                    double warmup = Double.parseDouble(f[5]), minSample = Double.parseDouble(f[6]);
                    Path file = m.find(Path.of(f[7])).orElseThrow(() -> new IllegalArgumentException(m.file() + " is not in " + f[7]));
                    String key = file + " " + batch + " " + threads;
                    Session session = sessions.get(key);
                    if (session == null) {
                        // only one model's sessions stay open: the bench measures the models one after another
                        for (var it = sessions.entrySet().iterator(); it.hasNext();) {
                            var e = it.next();
                            if (e.getKey().startsWith(file + " ")) continue;
                            e.getValue().close();
                            it.remove();
                        }
                        OrtModel model = new OrtModel(file, threads);
                        try {
                            session = new Session(model, model.tensor(m.randomInput(batch, 1), m.shape(batch)));
                        } catch (Exception e) {
                            model.close();
                            throw e;
                        }
                        sessions.put(key, session);
                    }
                    Session run = session;
                    CpuTiming.Result s = CpuTiming.measure(() -> {
                        try {
                            run.model().runOnly(run.input());
                        } catch (ai.onnxruntime.OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    }, 3, warmup, samples, minSample);
                    out.printf(Locale.ROOT, "RESULT %.9f %.9f %.9f %.9f %.9f %.9f %.9f%n", s.wall().median(), s.wall().min(), s.wall().max(),
                            s.cpu().median(), s.cpu().min(), s.cpu().max(), s.core().median());
                } catch (Exception e) {
                    out.println("ERROR " + e.toString().replace('\n', ' '));
                }
            }
        } finally {
            for (Session s : sessions.values()) s.close();
        }
    }
}
