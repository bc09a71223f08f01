package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Threads;
import dev.descent.core.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent train --spark ...} through the command line, in this JVM: {@code local[2]} ends with the model of
 * {@code --accumulate 2} in one process, bitwise; bad input (an unreachable master, too few task slots, data that is not
 * there) is one line within seconds and leaves no checkpoint behind.
 */
class SparkCommandLineTest {
    @TempDir
    Path dir;

    private String[] args(Path data, Path out, String... more) {
        String[] base = {"train", "--data", "mnist:" + data, "--model", "mlp", "--epochs", "2", "--batch-size", "8", "--optimizer", "adam",
            "--seed", "3", "--out", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void trainOnLocal2EndsWithTheModelOfAccumulateTwoBitwise() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        Path spark = dir.resolve("spark"), single = dir.resolve("single");
        CommandRun s;
        try (var _ = Threads.limit(2)) { // one kernel thread for each of the two workers
            s = CommandRun.of(args(data, spark, "--spark", "local[2]"));
        }
        assertEquals(0, s.code(), s.all());
        assertTrue(s.out().contains("spark: local[2], 2 workers (1 thread each)"), s.out());
        CommandRun one;
        try (var _ = Threads.limit(1)) {
            one = CommandRun.of(args(data, single, "--accumulate", "2"));
        }
        assertEquals(0, one.code(), one.all());
        Map<String, long[]> got = Fixtures.bits(Safetensors.load(spark.resolve("model.safetensors")).tensors());
        Map<String, long[]> want = Fixtures.bits(Safetensors.load(single.resolve("model.safetensors")).tensors());
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<String, long[]> e : want.entrySet()) assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey());
        assertTrue(Files.exists(spark.resolve("metrics.csv")) || Files.exists(spark.resolve("metrics.json")), "rank 0 wrote the metrics");
        assertTrue(Files.readString(spark.resolve("config.json")).contains("\"accumulate\": 2") || Files.readString(spark.resolve("config.json")).contains("\"accumulate\":2"),
                "the config records the single-process equivalent");
    }

    @Test
    void anUnreachableMasterIsOneLineWithinSecondsAndNoCheckpoint() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        Path out = dir.resolve("run");
        long t0 = System.nanoTime();
        CommandRun r = CommandRun.of(args(data, out, "--spark", "spark://127.0.0.1:9", "--workers", "2"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertNotEquals(0, r.code(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("cannot reach the Spark master at spark://127.0.0.1:9"), r.err());
        assertTrue(seconds < 30, "took " + seconds + " s");
        assertFalse(Files.exists(out.resolve("checkpoints")), "no checkpoint folder");
    }

    @Test
    void moreWorkersThanLocalSlotsIsOneLine() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        CommandRun r = CommandRun.of(args(data, dir.resolve("run"), "--spark", "local[2]", "--workers", "3"));
        assertEquals(2, r.code(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--workers 3 needs 3 task slots; --spark local[2] has 2"), r.err());
    }

    @Test
    void missingDataIsOneLineAndNoRunFolder() {
        Path out = dir.resolve("run");
        CommandRun r = CommandRun.of(args(dir.resolve("nowhere"), out, "--spark", "local[2]"));
        assertNotEquals(0, r.code(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("nowhere"), r.err());
        assertFalse(Files.exists(out), "no run folder");
    }

    /**
     * Data the driver cannot vouch for: the library entry point with a data path no executor can read fails in one line
     * naming the replica and the path, is not retried, and writes no checkpoint.
     */
    @Test
    void dataNotVisibleToTheExecutorsIsOneLineAndNoCheckpoint() {
        Path run = dir.resolve("run");
        JavaSparkContext sc = Fixtures.localContext();
        try {
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> SparkTrainer.fit(sc, SparkTrainer.Settings.of(2, run), new Fixtures.Replica(dir.resolve("not-shared").toString())));
            assertTrue((System.nanoTime() - t0) / 1e9 < 60, "bounded time");
            assertTrue(e.getMessage().matches("replica [01] could not be built: .*not-shared.*"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(Files.exists(run.resolve("checkpoints")), "no checkpoint folder");
        } finally {
            sc.stop();
        }
    }
}
