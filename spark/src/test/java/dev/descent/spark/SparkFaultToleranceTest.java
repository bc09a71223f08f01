package dev.descent.spark;

import static dev.descent.spark.Fixtures.WORKERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that fails in the middle of a run (rank 1 throws after step 3, once; checkpoints every 2 steps): the barrier
 * stage fails as a whole, runs again, every replica resumes from the checkpoint at step 2, and the final weights are
 * bitwise those of the uninterrupted single-process accumulation run.
 */
class SparkFaultToleranceTest {
    static JavaSparkContext sc;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        sc = Fixtures.localContext();
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    @Test
    void aTaskKilledMidRunResumesFromTheLastCheckpointAndEndsBitwiseEqual() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        Path run = dir.resolve("run"), marker = dir.resolve("fault-injected");
        SparkTrainer.Result r = SparkTrainer.fit(sc, SparkTrainer.Settings.of(WORKERS, run).threadsPerWorker(1).checkpointEvery(2),
                new Fixtures.Replica(data.toString(), marker.toString(), 3));
        assertTrue(Files.exists(marker), "the fault was injected");
        assertEquals("COMPLETED", r.status(), r.message());
        assertNotNull(r.resumedFrom(), "the run after the failure resumed from a checkpoint");
        assertTrue(r.resumedFrom().endsWith("ckpt-0000-000004"), "resumed at step 2 (batch 4 of epoch 1): " + r.resumedFrom());
        assertEquals(Fixtures.EPOCHS * 5L, r.steps());

        Map<String, long[]> want = Fixtures.bits(Fixtures.parameters(Fixtures.accumulationRun(data)));
        Map<String, long[]> got = Fixtures.bits(Checkpoints.modelState(Path.of(r.checkpoint())));
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), got.get(e.getKey()), "parameter " + e.getKey() + " differs from the uninterrupted run");
        }
    }
}
