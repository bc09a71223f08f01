package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.ModelFactory;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Safetensors;
import dev.descent.nn.Module;
import dev.descent.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent onnx export: a model file of descent train → .onnx whose outputs equal the rebuilt network's (1e-5 relative). */
class OnnxExportCommandTest {
    @TempDir
    Path dir;

    /** max |a − b| ≤ 1e-5 · max |expected|. */
    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double[] e = expected.to(DType.FLOAT64).toDoubleArray(), a = actual.to(DType.FLOAT64).toDoubleArray();
        double scale = 0, diff = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            diff = Math.max(diff, Math.abs(e[i] - a[i]));
        }
        assertTrue(diff <= 1e-5 * scale, "largest difference " + diff + " over largest magnitude " + scale);
    }

    private static void assertSame(Module net, Path onnx, Tensor x) throws Exception {
        net.eval();
        OnnxModel m = OnnxModel.read(onnx);
        try (var _ = GradMode.noGrad()) {
            assertClose(net.forward(x), m.forward(x));
        }
    }

    @Test
    void aTrainedImageModelExportsBesideItsFile() throws Exception {
        Path run = dir.resolve("run");
        CommandRun t = CommandRun.of(FailureMessageTest.train(run));
        assertEquals(0, t.code(), t.all());
        CommandRun r = CommandRun.of("onnx", "export", run.toString());
        assertEquals(0, r.code(), r.all());
        Path onnx = run.resolve("model.onnx");
        assertTrue(r.out().contains("wrote " + onnx.toAbsolutePath()) && r.out().contains("[N,") && r.out().contains("mean "), r.out());
        ModelFile saved = ModelFile.read(run.resolve("model.safetensors"));
        assertSame(saved.build(), onnx, Tensor.randn(new SplittableRandom(1), 3, saved.channels(), saved.height(), saved.width()));
    }

    @Test
    void aResNetFileWithRunningStatisticsExports() throws Exception {
        RandomGenerator rng = new SplittableRandom(2);
        Module net = ModelFactory.create("resnet8", 3, 16, 16, 4, rng);
        Map<String, Tensor> state = new HashMap<>(net.stateDict());
        net.stateDict().forEach((k, v) -> {
            if (k.endsWith("running_var")) state.put(k, Tensor.rand(rng, v.shape()).add(0.5));
            else if (k.endsWith("running_mean")) state.put(k, Tensor.randn(rng, v.shape()).mul(0.3));
        });
        net.loadStateDict(state);
        Map<String, String> meta = new LinkedHashMap<>(FailureMessageTest.meta("resnet8", "3,16,16"));
        meta.put("descent.classes", "4");
        Path file = Files.createDirectories(dir.resolve("resnet")).resolve("model.safetensors");
        Safetensors.save(net.stateDict(), meta, file);
        Path onnx = dir.resolve("out/resnet8.onnx");
        CommandRun r = CommandRun.of("onnx", "export", file.toString(), "--out", onnx.toString(), "--opset", "18");
        assertEquals(0, r.code(), r.all());
        assertSame(ModelFile.read(file).build(), onnx, Tensor.randn(rng, 2, 3, 16, 16));
    }

    @Test
    void gptAndLstmFilesExport() throws Exception {
        RandomGenerator rng = new SplittableRandom(3);
        Path gptFile = textModel("gpt", rng);
        Path onnx = dir.resolve("gpt.onnx");
        CommandRun r = CommandRun.of("onnx", "export", gptFile.toString(), "--out", onnx.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("int64 [N,T]"), r.out());
        assertSame(TextModelFile.read(gptFile).build(), onnx, Tensor.randint(0, 20, rng, 2, 11));

        Path lstmFile = textModel("lstm", rng);
        CommandRun l = CommandRun.of("onnx", "export", lstmFile.toString());
        assertEquals(0, l.code(), l.all());
        assertSame(TextModelFile.read(lstmFile).build(), lstmFile.resolveSibling("model.onnx"), Tensor.randint(0, 20, rng, 3, 5));
        CommandRun o = CommandRun.of("onnx", "export", gptFile.toString(), "--opset", "12");
        assertEquals(2, o.code(), o.all());
        assertTrue(o.err().contains("--opset"), o.err());
    }

    /** A text model file as descent train writes it (TextTraining.modelMeta's keys), with random weights. */
    private Path textModel(String name, RandomGenerator rng) throws Exception {
        Module net = ModelFactory.createText(name, 20, 16, 1, 2, 8, rng);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "descent");
        meta.put("descent.model", name);
        meta.put("descent.text.vocabulary", "20");
        meta.put("descent.text.tokens", "characters");
        meta.put("descent.text.context", "16");
        meta.put("descent.text.layers", "1");
        meta.put("descent.text.heads", "2");
        meta.put("descent.text.width", "8");
        Path file = Files.createDirectories(dir.resolve(name)).resolve("model.safetensors");
        Safetensors.save(net.stateDict(), meta, file);
        return file;
    }
}
