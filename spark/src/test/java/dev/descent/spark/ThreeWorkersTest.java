package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.train.Checkpoints;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three workers ({@code local[3]}), where the order of the sum matters ((g0 + g1) + g2 is not (g2 + g1) + g0 in float32;
 * train's DataParallelTest shows it): the messages come back from allGather and are added in rank order, and the weights
 * equal {@code accumulate(3)} in one process bitwise.
 */
class ThreeWorkersTest {
    @TempDir
    Path dir;

    @Test
    void threeWorkersEqualAccumulateThreeBitwise() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        JavaSparkContext sc = Fixtures.localContext(3);
        SparkTrainer.Result r;
        try {
            r = SparkTrainer.fit(sc, SparkTrainer.Settings.of(3, dir.resolve("run")).threadsPerWorker(1), new Fixtures.Replica(data.toString()));
        } finally {
            sc.stop();
        }
        assertEquals("COMPLETED", r.status(), r.message());
        assertEquals(Fixtures.EPOCHS * 3L, r.steps(), "9 batches an epoch in groups of 3");
        Map<String, long[]> want = Fixtures.bits(Fixtures.parameters(Fixtures.accumulationRun(data, 3)));
        Map<String, long[]> got = Fixtures.bits(Checkpoints.modelState(Path.of(r.checkpoint())));
        for (Map.Entry<String, long[]> e : want.entrySet()) assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey());
    }
}
