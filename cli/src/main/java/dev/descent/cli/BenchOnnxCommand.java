package dev.descent.cli;

import dev.descent.bench.speed.OnnxBench;
import dev.descent.bench.speed.PublishedOnnxModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descent bench onnx}: the published ONNX models run by Descent beside ONNX Runtime, latency and throughput. */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = {"The real published ONNX models (PaddleOCR det/rec/cls, BlazeFace, M-LSD; DESCENT_ONNX_MODELS or --models),"
                + " run by Descent's importer beside ONNX Runtime (its Java API in a separate JVM, built with the profile onnxruntime"
                + " on first use): latency at batch 1 and throughput at --batch for the models that take a batch, on each thread count."})
final class BenchOnnxCommand implements Callable<Integer> {
    @Option(names = "--models", description = "the folder holding the models' .onnx files (default: $DESCENT_ONNX_MODELS)")
    Path models;

    @Option(names = "--only", split = ",", description = "only these models (keys: ocr-det, ocr-rec, ocr-cls, blazeface, mlsd)")
    List<String> only;

    @Option(names = "--batch", description = "the batch of the throughput rows (default: ${DEFAULT-VALUE})")
    int batch = 32;

    @Option(names = "--samples", description = "timed samples per measurement (default: ${DEFAULT-VALUE})")
    int samples = 5;

    @Option(names = "--rounds", description = "times each measurement alternates Descent and ONNX Runtime; the ratio is the median of the rounds' (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(names = "--threads-list", split = ",", description = "thread counts to measure (default: 1,2, capped by the pool size)")
    int[] threads = {1, 2};

    @Option(names = "--no-onnxruntime", description = "Descent only: do not build or start the ONNX Runtime side")
    boolean noOrt;

    @Override
    public Integer call() throws Exception {
        Path dir = models != null ? models : PublishedOnnxModels.folder().orElseThrow(() -> new IllegalArgumentException(
                "no models folder: pass --models DIR or set DESCENT_ONNX_MODELS (.ci/run shows how the npm packages are fetched)"));
        List<PublishedOnnxModels.Model> chosen = new ArrayList<>();
        if (only == null) chosen.addAll(PublishedOnnxModels.ALL);
        else for (String k : only) chosen.add(PublishedOnnxModels.byKey(k));
        int pool = dev.descent.core.Threads.poolSize();
        int[] t = java.util.Arrays.stream(threads).filter(n -> n >= 1 && n <= pool).distinct().toArray();
        if (t.length == 0) throw new IllegalArgumentException("no thread count in " + java.util.Arrays.toString(threads) + " fits the pool of " + pool);
        OnnxBench.run(System.out, dir, chosen, t, samples, rounds, batch, !noOrt);
        return 0;
    }
}
