package dev.descent.train;

import dev.descent.core.Tensor;
import dev.descent.core.io.AtomicFile;
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
 * The checkpoints of a run, written by a {@link Trainer}. Checkpoints of a run, each a folder {@code checkpoints/ckpt-EEEE-BBBBBB} (the position: the next
 * epoch and the next batch within it) holding the model, the optimizer state and {@code state.json}.
 * A checkpoint is written completely into its own folder before {@code checkpoints/LATEST} is
 * replaced atomically to name it; only then are older ones deleted. A crash at any moment leaves
 * LATEST naming a complete checkpoint (or none at all).
 */
public final class Checkpoints {
    private final Path dir;

    /**
     * The checkpoints under {@code runDir/checkpoints}.
     *
     * @param runDir the run's folder
     */
    public Checkpoints(Path runDir) {
        this.dir = runDir.resolve("checkpoints");
    }

    /**
     * Where training resumes, and the numbers of the epoch in progress.
     *
     * @param epoch   the next epoch, from 0
     * @param batch   the batches of that epoch already done
     * @param steps   optimizer steps taken since the run began
     * @param lossSum the epoch's loss so far, summed over examples
     * @param correct the epoch's correct predictions so far
     * @param seen    the epoch's examples so far
     * @param seconds the epoch's wall time so far
     * @param history the completed epochs
     */
    public record Position(int epoch, int batch, long steps, double lossSum, long correct, long seen, double seconds, List<EpochMetrics> history) {}

    /**
     * Writes a checkpoint at {@code pos} and makes it the latest; older checkpoints are deleted after.
     *
     * @param model     the model (its state dict is saved)
     * @param modelMeta metadata stored in the model file
     * @param opt       the optimizer (its state is saved)
     * @param pos       the position
     * @throws IOException when a file cannot be written (LATEST then still names the previous checkpoint)
     */
    public void save(Module model, Map<String, String> modelMeta, Optimizer opt, Position pos) throws IOException {
        save(model, modelMeta, opt, pos, folder -> {});
    }

    /** Writes what a checkpoint holds besides the model, the optimizer and the position (a callback's accumulated state). */
    @FunctionalInterface
    public interface Extra {
        /**
         * Writes files into the checkpoint being made.
         *
         * @param folder the checkpoint's folder (it becomes the latest only after this returns)
         * @throws IOException when a file cannot be written
         */
        void writeInto(Path folder) throws IOException;
    }

    /**
     * Writes a checkpoint at {@code pos} with further files, and makes it the latest; older checkpoints are deleted after.
     *
     * @param model     the model (its state dict is saved)
     * @param modelMeta metadata stored in the model file
     * @param opt       the optimizer (its state is saved)
     * @param pos       the position
     * @param extra     writes further files into the checkpoint's folder before LATEST names it
     * @throws IOException when a file cannot be written (LATEST then still names the previous checkpoint)
     */
    public void save(Module model, Map<String, String> modelMeta, Optimizer opt, Position pos, Extra extra) throws IOException {
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
        AtomicFile.writeString(target.resolve("state.json"), Json.write(state) + "\n");
        extra.writeInto(target);
        AtomicFile.writeString(dir.resolve("LATEST"), name + "\n");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path old : s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().equals(name)).toList()) deleteTree(old);
        }
    }

    /**
     * The latest checkpoint.
     *
     * @return its folder, or null when there is none
     * @throws IOException when LATEST names a folder that does not exist
     */
    public Path latest() throws IOException {
        Path latest = dir.resolve("LATEST");
        if (!Files.exists(latest)) return null;
        Path p = dir.resolve(Files.readString(latest).trim());
        if (!Files.isDirectory(p)) throw new IOException(latest + " names " + p.getFileName() + ", which does not exist");
        return p;
    }

    /**
     * Loads a checkpoint into {@code model} and {@code opt}.
     *
     * @param ckpt  the checkpoint's folder
     * @param model receives the saved weights and buffers
     * @param opt   receives the saved optimizer state (and with it the scheduler's position)
     * @return where the run resumes
     * @throws IOException when a file is missing or corrupt (named in the message)
     */
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

    /**
     * The model saved in a checkpoint (for comparisons in tests).
     *
     * @param ckpt the checkpoint's folder
     * @return its tensors by name
     * @throws IOException when the file cannot be read
     */
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
