package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Threads;
import dev.descent.nn.Sequential;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The early bucket ({@link BarrierReducer}'s gradient hooks send the last layers' gradients ahead while the backward
 * pass computes the rest) without Spark: P replicas in threads exchange through memory, and end with bitwise the
 * weights of one process accumulating P micro-batches, with gradients actually read from early buckets.
 */
class EarlyBucketTest {
    @TempDir
    Path dir;

    /** The messages and early buckets of one step, in memory: every replica snapshots all of them between two barriers. */
    static final class Shared {
        final int replicas;
        final CyclicBarrier barrier;
        final byte[][] main, early;

        Shared(int replicas) {
            this.replicas = replicas;
            this.barrier = new CyclicBarrier(replicas);
            this.main = new byte[replicas][];
            this.early = new byte[replicas][];
        }
    }

    /** One replica's side of {@link Shared}. */
    static final class MemoryExchange implements BarrierReducer.Exchange {
        private final Shared shared;
        private final int rank;
        private final byte[][] main, early;
        int earlySent;

        MemoryExchange(Shared shared, int rank) {
            this.shared = shared;
            this.rank = rank;
            this.main = new byte[shared.replicas][];
            this.early = new byte[shared.replicas][];
        }

        @Override
        public boolean sendsEarly() {
            return true;
        }

        @Override
        public void sendEarly(byte[] bytes, int length) {
            shared.early[rank] = Arrays.copyOf(bytes, length);
            earlySent++;
        }

        @Override
        public void prepare(GradientCodec codec, int length) {
            shared.main[rank] = Arrays.copyOf(codec.bytes(), length);
        }

        @Override
        public void exchange() {
            try {
                shared.barrier.await(); // every replica has prepared (and sent its early bucket before that)
                for (int r = 0; r < shared.replicas; r++) {
                    main[r] = shared.main[r];
                    early[r] = shared.early[r];
                }
                shared.barrier.await(); // every replica has taken them: the next step may overwrite
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void load(GradientCodec codec, int r) {
            codec.loadBytes(java.nio.ByteBuffer.wrap(main[r]));
        }

        @Override
        public void loadEarly(GradientCodec codec, int r) {
            codec.loadBytes(java.nio.ByteBuffer.wrap(early[r]));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void replicasSendingEarlyBucketsEndWithTheWeightsOfAccumulationBitwise(int replicas) throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        Shared shared = new Shared(replicas);
        List<Sequential> models = new ArrayList<>();
        List<BarrierReducer> reducers = new ArrayList<>();
        List<MemoryExchange> exchanges = new ArrayList<>();
        List<Trainer> trainers = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            Sequential m = Fixtures.model();
            MemoryExchange x = new MemoryExchange(shared, r);
            BarrierReducer reducer = new BarrierReducer(r, replicas, x);
            models.add(m);
            exchanges.add(x);
            reducers.add(reducer);
            trainers.add(Trainer.builder(m, new dev.descent.optim.Adam(m.parameters(), 0.01), Fixtures.loader(data)).epochs(Fixtures.EPOCHS)
                    .accumulate(replicas).reduceWith(reducer).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<TrainResult>> runs = new ArrayList<>();
            for (Trainer t : trainers) runs.add(pool.submit(() -> {
                try (var _ = Threads.limit(1)) {
                    return t.fit();
                }
            }));
            for (Future<TrainResult> f : runs) assertEquals(TrainResult.Status.COMPLETED, f.get().status());
        } finally {
            pool.shutdownNow();
        }
        Map<String, long[]> want = Fixtures.bits(Fixtures.parameters(Fixtures.accumulationRun(data, replicas)));
        for (int r = 0; r < replicas; r++) {
            Map<String, long[]> got = Fixtures.bits(Fixtures.parameters(models.get(r)));
            for (Map.Entry<String, long[]> e : want.entrySet()) {
                assertArrayEquals(e.getValue(), got.get(e.getKey()), "replica " + r + ": parameter " + e.getKey() + " differs from the accumulation run");
            }
            // the early path was taken: every step but the first sends one, and the others read gradients from it
            assertTrue(exchanges.get(r).earlySent > 0, "replica " + r + " sent no early bucket");
            assertTrue(reducers.get(r).earlyReads > 0, "replica " + r + " read no gradient from an early bucket");
        }
    }
}
