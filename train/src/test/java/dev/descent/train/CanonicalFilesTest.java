package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.nn.Linear;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file Descent writes gives the same bytes for the same content: an optimizer state, a model, a checkpoint
 * (model, optimizer, state.json, LATEST) and metrics.json, written by two fresh JVMs (Map.of's order is drawn anew
 * in each) and in this one from maps of other kinds, are equal byte for byte.
 */
class CanonicalFilesTest {
    @TempDir
    Path dir;

    /** Writes the files into args[0]; the metadata map is a Map.of ("mapof") or a HashMap of another capacity ("hash"). */
    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), args.length > 1 && args[1].equals("hash"));
    }

    static void write(Path out, boolean hashMap) throws IOException {
        var rng = new SplittableRandom(5);
        Sequential model = new Sequential(new Linear(3, 4, rng), new ReLU(), new Linear(4, 2, rng));
        Optimizer opt = new Adam(List.of(ParamGroup.of(model.parameters()).with("amsgrad", true)), 1e-2);
        Tensor x = Tensor.randn(DType.FLOAT32, rng, 5, 3);
        model.forward(x).square().mean().backward();
        opt.step();
        Map<String, String> meta = Map.of("zeta", "1", "alpha", "2", "mu", "3", "beta", "4", "omega", "5", "kappa", "6");
        if (hashMap) {
            Map<String, String> h = new HashMap<>(1 << 12);
            new TreeMap<>(meta).descendingMap().forEach(h::put);
            meta = h;
        }
        model.save(out.resolve("model.safetensors"));
        OptimizerState.save(opt, out.resolve("optimizer.safetensors"));
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 0.5, 0.75, 0.6, 0.7, 1.25, 1e-2, 10));
        new Checkpoints(out.resolve("run")).save(model, meta, opt, new Checkpoints.Position(1, 10, 10, 5.0, 7, 10, 1.25, history));
        new MetricsLog(out.resolve("run")).write(history);
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    private void inChildJvm(Path out, String maps) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                CanonicalFilesTest.class.getName(), out.toString(), maps).redirectErrorStream(true).redirectOutput(dir.resolve(maps + ".log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve(maps + ".log")));
    }

    @Test
    void theSameContentGivesTheSameBytesInEveryRun() throws IOException, InterruptedException {
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c"), d = dir.resolve("d");
        inChildJvm(a, "mapof");
        inChildJvm(b, "mapof");
        write(c, false);
        write(d, true);
        Map<String, byte[]> first = files(a);
        assertEquals(List.of("model.safetensors", "optimizer.safetensors", "run/checkpoints/LATEST", "run/checkpoints/ckpt-0001-000010/model.safetensors",
                "run/checkpoints/ckpt-0001-000010/optimizer.safetensors", "run/checkpoints/ckpt-0001-000010/state.json", "run/metrics.csv", "run/metrics.json"),
                List.copyOf(first.keySet()));
        for (Path other : List.of(b, c, d)) {
            Map<String, byte[]> again = files(other);
            assertEquals(first.keySet(), again.keySet());
            for (String f : first.keySet()) assertArrayEquals(first.get(f), again.get(f), f + " differs between " + a.getFileName() + " and " + other.getFileName());
        }
    }
}
