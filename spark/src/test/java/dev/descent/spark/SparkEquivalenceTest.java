package dev.descent.spark;

import static dev.descent.spark.Fixtures.WORKERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.train.Checkpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data parallelism on Spark's local mode ({@code local[2]}): two workers, each computing one batch of 8 per step, end
 * with bitwise the weights of one process accumulating two batches of 8 per step in the same order (a CNN with
 * BatchNorm, Adam, float32, two epochs whose last group is a single batch); the data is read by the tasks from IDX files
 * under a path they are given.
 */
class SparkEquivalenceTest {
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

    @ParameterizedTest
    @ValueSource(strings = {"blocks", "allgather", "push"})
    void twoWorkersEndWithTheWeightsOfOneProcessAccumulatingTwoBatchesBitwise(String exchange) throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data-" + exchange));
        Path run = dir.resolve("run-equivalence-" + exchange);
        SparkTrainer.Result r = SparkTrainer.fit(sc, SparkTrainer.Settings.of(WORKERS, run).threadsPerWorker(1).exchange(exchange),
                new Fixtures.Replica(data.toString()));
        assertEquals("COMPLETED", r.status(), r.message());
        assertEquals(Fixtures.EPOCHS * 5L, r.steps(), "9 batches an epoch in groups of 2: 5 steps");
        assertNotNull(r.checkpoint());
        Map<String, Tensor> spark = Checkpoints.modelState(Path.of(r.checkpoint()));

        Sequential reference = Fixtures.accumulationRun(data);
        Map<String, long[]> want = Fixtures.bits(Fixtures.parameters(reference)), got = Fixtures.bits(spark);
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), got.get(e.getKey()), "parameter " + e.getKey() + " differs from the accumulation run");
        }
        // The comparison has teeth: training moved every parameter away from its initial value.
        Map<String, long[]> initial = Fixtures.bits(Fixtures.parameters(Fixtures.model()));
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            assertFalse(java.util.Arrays.equals(e.getValue(), initial.get(e.getKey())), e.getKey() + " did not move");
        }
    }

    /**
     * BatchNorm: batch statistics per replica (each normalises its own batch, as accumulation normalises each micro-batch:
     * the weights above match), running statistics rank 0's, as DistributedDataParallel's buffer broadcast. The reference
     * is a hand-written loop: per group, the gradient summed over both batches, and the running statistics advanced by the
     * group's first batch only (saved before the second batch's forward and put back after it).
     */
    @Test
    void batchNormRunningStatisticsAreRankZerosUpdatedOncePerStep() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data-bn"));
        Path run = dir.resolve("run-bn");
        SparkTrainer.Result r = SparkTrainer.fit(sc, SparkTrainer.Settings.of(WORKERS, run).threadsPerWorker(1), new Fixtures.Replica(data.toString()));
        assertEquals("COMPLETED", r.status(), r.message());
        Map<String, long[]> got = Fixtures.bits(Checkpoints.modelState(Path.of(r.checkpoint())));

        Sequential m = Fixtures.model();
        try (var _ = Threads.limit(1)) {
            Optimizer opt = new Adam(m.parameters(), 0.01);
            DataLoader loader = Fixtures.loader(data);
            for (int epoch = 0; epoch < Fixtures.EPOCHS; epoch++) {
                m.train();
                try (DataLoader.Batches batches = loader.epoch(epoch)) {
                    while (batches.hasNext()) {
                        List<Batch> group = new ArrayList<>();
                        while (group.size() < WORKERS && batches.hasNext()) group.add(batches.next());
                        int examples = group.stream().mapToInt(Batch::size).sum();
                        opt.zeroGrad();
                        Map<String, Tensor> afterFirst = null;
                        for (int k = 0; k < group.size(); k++) {
                            Batch b = group.get(k);
                            Tensor loss = Losses.crossEntropy(m.call(b.x()), b.y(), Losses.Reduction.MEAN, 0);
                            if (group.size() > 1) loss = loss.mul((double) b.size() / examples);
                            loss.backward();
                            if (k == 0) afterFirst = copies(m.namedBuffers());
                        }
                        for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) e.getValue().copyFrom(afterFirst.get(e.getKey()));
                        opt.step();
                    }
                }
            }
        }
        Map<String, long[]> want = Fixtures.bits(m.stateDict());
        assertTrue(want.keySet().stream().anyMatch(k -> k.contains("running_mean")), "the model has running statistics: " + want.keySet());
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey() + " differs from the rank-0 reference");
        }
        // And they are not the accumulation run's, whose running statistics advance once per micro-batch.
        Map<String, long[]> accumulation = Fixtures.bits(Fixtures.accumulationRun(data).namedBuffers());
        String mean = want.keySet().stream().filter(k -> k.contains("running_mean")).findFirst().orElseThrow();
        assertFalse(java.util.Arrays.equals(accumulation.get(mean), got.get(mean)), "running statistics updated P times per step would be the accumulation run's");
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> buffers) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : buffers.entrySet()) out.put(e.getKey(), e.getValue().clone());
        return out;
    }
}
