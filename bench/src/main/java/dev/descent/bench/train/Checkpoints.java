package dev.descent.bench.train;

import dev.descent.core.Tensor;
import dev.descent.core.io.Json;
import dev.descent.core.io.Safetensors;
import dev.descent.nn.Module;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checkpoints of a run, each a folder {@code checkpoints/ckpt-EEEE-BBBBBB} (the position: the next
 * epoch and the next batch within it) holding the model, the optimizer state and {@code state.json}.
 * A checkpoint is written completely into its own folder before {@code checkpoints/LATEST} is
 * replaced atomically to name it; only then are older ones deleted. A crash at any moment leaves
 * LATEST naming a complete checkpoint (or none at all).
 */
public final class Checkpoints {
    private final Path dir;

    public Checkpoints(Path runDir) {
        this.dir = runDir.resolve("checkpoints");
    }

    /** Where training resumes, and the numbers of the epoch in progress. */
    public record Position(int epoch, int batch, long steps, double lossSum, long correct, long seen, double seconds, List<EpochMetrics> history) {}

    /** Writes a checkpoint at {@code pos} and makes it the latest. */
    public void save(Module model, Map<String, String> modelMeta, Optimizer opt, Position pos) throws IOException {
        Files.createDirectories(dir);
        String name = String.format("ckpt-%04d-%06d", pos.epoch(), pos.batch());
        Path target = dir.resolve(name);
        if (Files.exists(target)) deleteTree(target);
        Files.createDirectories(target);
        Safetensors.save(model.stateDict(), modelMeta, target.resolve("model.safetensors"));
        OptimizerState.save(opt, target.resolve("optimizer.safetensors"));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", pos.epoch());
        state.put("batch", pos.batch());
        state.put("steps", pos.steps());
        state.put("loss_sum", pos.lossSum());
        state.put("correct", pos.correct());
        state.put("seen", pos.seen());
        state.put("seconds", pos.seconds());
        List<Object> hist = new ArrayList<>();
        for (EpochMetrics m : pos.history()) hist.add(MetricsLog.toMap(m));
        state.put("history", hist);
        MetricsLog.writeText(target.resolve("state.json"), Json.write(state) + "\n");
        MetricsLog.writeText(dir.resolve("LATEST"), name + "\n");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path old : s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().equals(name)).toList()) deleteTree(old);
        }
    }

    /** The latest checkpoint's folder, or null when there is none. */
    public Path latest() throws IOException {
        Path latest = dir.resolve("LATEST");
        if (!Files.exists(latest)) return null;
        Path p = dir.resolve(Files.readString(latest).trim());
        if (!Files.isDirectory(p)) throw new IOException(latest + " names " + p.getFileName() + ", which does not exist");
        return p;
    }

    /** Loads the latest checkpoint into {@code model} and {@code opt}; returns its position. */
    public Position restore(Path ckpt, Module model, Optimizer opt) throws IOException {
        model.load(ckpt.resolve("model.safetensors"));
        OptimizerState.load(opt, ckpt.resolve("optimizer.safetensors"));
        Map<?, ?> s;
        try {
            s = (Map<?, ?>) Json.parse(Files.readString(ckpt.resolve("state.json")));
        } catch (Json.ParseException | ClassCastException e) {
            throw new IOException(ckpt.resolve("state.json") + ": not a checkpoint state (" + e.getMessage() + ")", e);
        }
        List<EpochMetrics> history;
        try {
            history = MetricsLog.fromJson(s.get("history"));
        } catch (IllegalArgumentException e) {
            throw new IOException(ckpt.resolve("state.json") + ": " + e.getMessage(), e);
        }
        return new Position(num(s, "epoch").intValue(), num(s, "batch").intValue(), num(s, "steps").longValue(), num(s, "loss_sum").doubleValue(),
                num(s, "correct").longValue(), num(s, "seen").longValue(), num(s, "seconds").doubleValue(), history);
    }

    /** The model saved in a checkpoint (for comparisons in tests). */
    public static Map<String, Tensor> modelState(Path ckpt) throws IOException {
        return Safetensors.load(ckpt.resolve("model.safetensors")).tensors();
    }

    private static Number num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v == null ? Double.NaN : (Number) v;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(q);
        }
    }
}
