package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.CommandRun;
import dev.descent.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.descent.core.io.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train command end to end on generated data: outputs, bitwise resume (in process, after a kill,
 * after SIGTERM), divergence and bad input.
 */
class TrainCommandTest {
    @TempDir
    Path dir;

    /** A small, quick run: the MLP on 1,000 generated images. */
    static List<String> small(Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "mlp", "--train-subset", "1000", "--test-subset", "300",
                "--batch-size", "50", "--epochs", Integer.toString(epochs), "--seed", "7", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    static CommandRun run(List<String> args) {
        return CommandRun.of(args.toArray(new String[0]));
    }

    @Test
    void aRunWritesMetricsPlotsModelOptimizerAndARunRecord() throws IOException {
        Path out = dir.resolve("run");
        CommandRun r = run(small(out, 2));
        assertEquals(0, r.code(), r.out() + r.err());
        for (String f : List.of("metrics.csv", "metrics.json", "loss.png", "accuracy.png", "model.safetensors", "optimizer.safetensors", "run.json",
                "config.json", "checkpoints/LATEST")) {
            assertTrue(Files.exists(out.resolve(f)), "missing " + f);
        }
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header and one row per epoch: " + csv);
        byte[] png = Files.readAllBytes(out.resolve("loss.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        assertTrue(r.out().contains("epoch 2/2  train loss"), r.out());
        String record = Files.readString(out.resolve("run.json"));
        assertTrue(record.contains("\"seed\":7") && record.contains("\"threads\"") && record.contains("\"java\""), record);
        // What reproduces the run bit for bit: seed, threads, vector width and JDK.
        assertTrue(record.contains("\"vector_bits\":" + dev.descent.core.Kernels.vectorBits()) && record.contains("\"jdk\":\"" + Runtime.version() + "\""), record);
    }

    @Test
    void configJsonRecordsTheDataAndHyperparametersUsedAndSummaryReadsTheRun() throws Exception {
        Path out = dir.resolve("resolved");
        List<String> args = small(out, 1);
        args.set(args.indexOf("synthetic"), "auto");
        CommandRun r = run(args);
        assertEquals(0, r.code(), r.all());
        Map<?, ?> config = (Map<?, ?>) Json.parse(Files.readString(out.resolve("config.json")));
        assertEquals(dev.descent.bench.ImageSource.resolve("auto"), config.get("data"), "the data used, not 'auto'");
        assertEquals(1e-3, config.get("lr"), "Adam's default learning rate, not null");
        assertEquals(0.0, config.get("weight_decay"));
        assertTrue(!r.out().matches("(?s).*\\b1 (epochs|classes|threads|test images|batches)\\b.*"), "a noun that does not agree with 1:\n" + r.out());

        String parameters = r.out().replaceFirst("(?s).*model: ([0-9,]+) parameters.*", "$1");
        for (Path source : new Path[] {out, out.resolve("model.safetensors")}) {
            CommandRun s = CommandRun.of("summary", source.toString());
            assertEquals(0, s.code(), s.all());
            assertTrue(s.out().contains("mlp") && s.out().contains("Linear") && s.out().contains("Total parameters: " + parameters), s.out());
        }
        CommandRun byName = CommandRun.of("summary", "mlp", "--input", "1,28,28");
        assertTrue(byName.out().contains("Total parameters: " + parameters), byName.all());
    }

    @Test
    void theLossPlotHasEveryStepAndTheTitleNamesTheRun() {
        TrainRun.Plots plots = new TrainRun.Plots(dir, "mlp on synthetic, Adam lr 0.001");
        for (int b = 1; b <= 4; b++) plots.onStep(null, new dev.descent.train.Step(1, b, 4, b, 2.0 / b, 10, 10L * b, 1.0));
        var loss = plots.loss(List.of(new dev.descent.train.EpochMetrics(1, 1.0, 0.5, 0.9, 0.6, 1.0, 1e-3, 4)));
        assertEquals(List.of("train, each step", "train, epoch mean", "test"), loss.labels());
        assertTrue(loss.title().contains("mlp") && loss.title().contains("synthetic") && loss.title().contains("Adam"), loss.title());
    }

    @Test
    void theNewSchedulesRunFromTheCommandLine() throws IOException {
        for (String spec : new String[] {"plateau:0.5:0", "onecycle:0.5", "restarts:1:2/2/constant"}) {
            Path out = dir.resolve("schedule-" + spec.replace(':', '_').replace('/', '_'));
            CommandRun r = run(small(out, 3, "--schedule", spec));
            assertEquals(0, r.code(), spec + ": " + r.all());
        }
    }

    @Test
    void everyOptimizerNameTrainsAndBeatsChance() throws IOException {
        for (String name : OptimizerFactory.NAMES) {
            Path out = dir.resolve("opt-" + name);
            CommandRun r = run(small(out, 1, "--optimizer", name));
            assertEquals(0, r.code(), name + ": " + r.all());
            List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
            double testAccuracy = Double.parseDouble(rows.get(1).split(",")[4]);
            assertTrue(testAccuracy > 0.2, name + ": test accuracy after one epoch " + testAccuracy + " (chance 0.1)\n" + r.out());
        }
    }

    @Test
    void resumingFromACheckpointEndsBitwiseIdentical() throws IOException {
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        // A schedule that changes every epoch: a resumed run must also restore the scheduler's position.
        assertEquals(0, run(small(straight, 3, "--schedule", "step:1:0.5")).code());
        assertEquals(0, run(small(split, 1, "--schedule", "step:1:0.5")).code());
        CommandRun resumed = run(List.of("train", "--resume", split.toString(), "--epochs", "3"));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming from"), resumed.out());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model.safetensors")), Files.readAllBytes(split.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(straight.resolve("optimizer.safetensors")), Files.readAllBytes(split.resolve("optimizer.safetensors")));
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).size(), Files.readAllLines(split.resolve("metrics.csv")).size());
    }

    @Test
    void accumulateIsRecordedInConfigJsonAndAResumedRunKeepsIt() throws Exception {
        Path straight = dir.resolve("acc-straight"), split = dir.resolve("acc-split");
        CommandRun s = run(small(straight, 2, "--accumulate", "3"));
        assertEquals(0, s.code(), s.all());
        assertTrue(s.out().contains("batch 50 × 3 accumulated"), s.out());
        Map<?, ?> config = (Map<?, ?>) Json.parse(Files.readString(straight.resolve("config.json")));
        assertEquals(3L, config.get("accumulate"));
        // 20 batches of 50 an epoch in groups of 3: 7 optimizer steps an epoch (the last group is 2 batches).
        List<String> csv = Files.readAllLines(straight.resolve("metrics.csv"));
        int stepsColumn = List.of(csv.get(0).split(",")).indexOf("steps");
        assertEquals("14", csv.get(2).split(",")[stepsColumn], csv.toString());
        assertEquals(0, run(small(split, 1, "--accumulate", "3")).code());
        CommandRun resumed = run(List.of("train", "--resume", split.toString(), "--epochs", "2"));
        assertEquals(0, resumed.code(), resumed.all());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model.safetensors")), Files.readAllBytes(split.resolve("model.safetensors")),
                "the resumed run read --accumulate 3 from config.json");
    }

    @Test
    void aDivergingRunStopsNamingTheEpochAndStep() {
        CommandRun r = run(small(dir.resolve("nan"), 2, "--optimizer", "sgd", "--lr", "1e30"));
        assertEquals(TrainRun.EXIT_DIVERGED, r.code(), r.out());
        assertTrue(r.out().contains("training diverged") && r.out().contains("at epoch 1, batch"), r.out());
        assertTrue(!Files.exists(dir.resolve("nan/model.safetensors")), "no model is written for a diverged run");
    }

    @Test
    void anomalyModeNamesTheFirstOpThatWentNonFinite() {
        CommandRun r = run(small(dir.resolve("anomaly"), 2, "--optimizer", "sgd", "--lr", "1e30", "--detect-anomaly"));
        assertNotEquals(0, r.code());
        String all = r.out() + r.err();
        assertTrue(all.contains("op '") && all.contains("produced") && all.contains("input shapes"), all);
    }

    @Test
    void badOptionsGiveOneLineAndTheUsageWithExitCode2() {
        CommandRun unknown = run(List.of("train", "--no-such-option"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().lines().findFirst().orElse("").contains("--no-such-option") && unknown.err().contains("Usage:"), unknown.err());
        CommandRun badValue = run(List.of("train", "--epochs", "many"));
        assertEquals(2, badValue.code());
        assertTrue(badValue.err().contains("many"), badValue.err());
        CommandRun badModel = run(List.of("train", "--data", "synthetic", "--model", "transformer", "--out", dir.resolve("x").toString()));
        assertEquals(2, badModel.code());
        assertTrue(badModel.err().contains("unknown model 'transformer'"), badModel.err());
    }

    @Test
    void lbfgsIsRefusedAsAFullBatchMethod() {
        CommandRun r = run(small(dir.resolve("lbfgs"), 1, "--optimizer", "lbfgs"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("L-BFGS is a full-batch method") && r.err().contains("dev.descent.optim.LBFGS"), r.err());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("lbfgs")), "no run folder for a refused optimizer");
    }

    @Test
    void missingDataSaysWhatWasLookedForAndHowToGetIt() {
        CommandRun r = run(List.of("train", "--data", "fashion-mnist:" + dir.resolve("nowhere"), "--out", dir.resolve("m").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("train-images-idx3-ubyte") && r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
        CommandRun c = run(List.of("train", "--data", "cifar10:" + dir.resolve("cifar"), "--out", dir.resolve("c").toString()));
        assertTrue(c.err().contains("cifar-10-batches-bin") && c.err().contains("cifar-10-binary.tar.gz"), c.err());
    }

    // ------------------------------------------------------------ in a separate process: kill and SIGTERM

    /** A JVM running descent with this test's class path. */
    static Process launch(List<String> args, Path log) throws IOException {
        return launch(args, log, null);
    }

    /** A JVM running descent in the folder {@code cwd} (null: this one). */
    static Process launch(List<String> args, Path log, Path cwd) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Ddescent.threads=2", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (cwd != null) pb.directory(cwd.toFile());
        return pb.start();
    }

    /** A run long enough to be interrupted: SimpleCNN on 1,200 generated images, 3 epochs. */
    static List<String> slow(Path out) {
        return new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "simplecnn", "--train-subset", "1200", "--test-subset", "200",
                "--batch-size", "100", "--epochs", "3", "--seed", "11", "--out", out.toString()));
    }

    static void awaitCheckpoint(Path run, Process p) throws Exception {
        Path latest = run.resolve("checkpoints/LATEST");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.exists(latest)) {
            if (!p.isAlive()) throw new AssertionError("the run ended before writing a checkpoint (exit " + p.exitValue() + ")");
            if (System.nanoTime() > deadline) throw new AssertionError("no checkpoint within 3 minutes");
            Thread.sleep(50);
        }
    }

    @Test
    void killedAndSignalledRunsResumeToTheSameWeights() throws Exception {
        Path reference = dir.resolve("reference");
        Process ref = launch(slow(reference), dir.resolve("reference.log"));
        assertTrue(ref.waitFor(6, TimeUnit.MINUTES));
        assertEquals(0, ref.exitValue(), Files.readString(dir.resolve("reference.log")));
        byte[] want = Files.readAllBytes(reference.resolve("model.safetensors"));

        // Killed outright (SIGKILL) after its first checkpoint: resumes from the last complete one.
        Path killed = dir.resolve("killed");
        Process k = launch(slow(killed), dir.resolve("killed.log"));
        awaitCheckpoint(killed, k);
        k.destroyForcibly();
        k.waitFor(1, TimeUnit.MINUTES);
        Process kr = launch(List.of("train", "--resume", killed.toString()), dir.resolve("killed-resume.log"));
        assertTrue(kr.waitFor(6, TimeUnit.MINUTES));
        assertEquals(0, kr.exitValue(), Files.readString(dir.resolve("killed-resume.log")));
        assertArrayEquals(want, Files.readAllBytes(killed.resolve("model.safetensors")), "resumed after a kill: weights differ");

        // SIGTERM: finishes the step, writes a checkpoint, exits non-zero; resuming ends identically.
        Path termed = dir.resolve("termed");
        Process t = launch(slow(termed), dir.resolve("termed.log"));
        awaitCheckpoint(termed, t);
        Thread.sleep(300); // into the second epoch
        t.destroy();
        assertTrue(t.waitFor(2, TimeUnit.MINUTES));
        String log = Files.readString(dir.resolve("termed.log"));
        if (!log.contains("done: test accuracy")) { // unless it had already finished
            assertNotEquals(0, t.exitValue(), log);
            assertTrue(log.contains("stopped by a signal"), log);
        }
        Process tr = launch(List.of("train", "--resume", termed.toString()), dir.resolve("termed-resume.log"));
        assertTrue(tr.waitFor(6, TimeUnit.MINUTES));
        assertEquals(0, tr.exitValue(), Files.readString(dir.resolve("termed-resume.log")));
        assertArrayEquals(want, Files.readAllBytes(termed.resolve("model.safetensors")), "resumed after SIGTERM: weights differ");
    }
}
