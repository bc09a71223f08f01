package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import dev.descent.data.TwoSpirals;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SAM;
import dev.descent.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The trainer as one replica of a data-parallel run ({@link Trainer.Builder#reduceWith}): three replicas in three
 * threads, exchanging through an in-memory reducer that adds the gradients in rank order, end with bitwise the weights
 * of one trainer accumulating three micro-batches, also over epochs whose last group has fewer batches than replicas.
 */
class DataParallelTest {
    private static final int N = 203, MICRO = 8, REPLICAS = 3, EPOCHS = 2;

    private static TensorDataset spirals() {
        TwoSpirals.Data d = TwoSpirals.generate(N, 1.0, 0.05, new SplittableRandom(1));
        return new TensorDataset(d.x().to(DType.FLOAT32), d.y());
    }

    private static Sequential mlp() {
        var rng = new SplittableRandom(3);
        return new Sequential(new Linear(2, 32, rng), new ReLU(), new Linear(32, 32, rng), new ReLU(), new Linear(32, 2, rng));
    }

    /** Replicas meet at a barrier; each then adds everyone's gradients (copied as float arrays) in rank order. */
    static final class InMemoryReducer implements GradientReducer {
        final int rank;
        final Shared shared;
        final boolean reverse;

        InMemoryReducer(int rank, Shared shared, boolean reverse) {
            this.rank = rank;
            this.shared = shared;
            this.reverse = reverse;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int replicas() {
            return shared.grads.length;
        }

        @Override
        public Totals reduce(List<Parameter> params, Map<String, Tensor> buffers, Totals local) {
            List<float[]> mine = new ArrayList<>();
            for (Parameter p : params) mine.add(p.grad() == null ? null : p.grad().toFloatArray());
            shared.grads[rank] = mine;
            shared.totals[rank] = local;
            await(shared.barrier);
            double loss = 0;
            long correct = 0, seen = 0;
            boolean stop = false;
            for (Totals t : shared.totals) {
                loss += t.lossSum();
                correct += t.correct();
                seen += t.seen();
                stop |= t.stop();
            }
            for (int i = 0; i < params.size(); i++) {
                float[] sum = null;
                for (int k = 0; k < replicas(); k++) {
                    float[] g = shared.grads[reverse ? replicas() - 1 - k : k].get(i);
                    if (g == null) continue;
                    if (sum == null) sum = g.clone();
                    else for (int j = 0; j < sum.length; j++) sum[j] += g[j];
                }
                params.get(i).setGrad(sum == null ? null : Tensor.of(sum, params.get(i).shape()));
            }
            await(shared.barrier); // nobody overwrites a slot before everyone has read it
            return new Totals(loss, correct, seen, true, stop);
        }

        private static void await(CyclicBarrier b) {
            try {
                b.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static final class Shared {
        final CyclicBarrier barrier = new CyclicBarrier(REPLICAS);
        @SuppressWarnings("unchecked")
        final List<float[]>[] grads = new List[REPLICAS];
        final GradientReducer.Totals[] totals = new GradientReducer.Totals[REPLICAS];
    }

    private static List<List<float[]>> replicas(boolean reverse, List<TrainResult> results) throws Exception {
        Shared shared = new Shared();
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        try {
            List<Future<List<float[]>>> fs = new ArrayList<>();
            for (int r = 0; r < REPLICAS; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (var _ = Threads.limit(1)) {
                        Sequential m = mlp();
                        TrainResult res = Trainer.builder(m, new Adam(m.parameters(), 0.01), new DataLoader(spirals(), MICRO, 9)).epochs(EPOCHS)
                                .accumulate(REPLICAS).reduceWith(new InMemoryReducer(rank, shared, reverse)).build().fit();
                        synchronized (results) {
                            if (rank == 0) results.add(res);
                        }
                        return weights(m);
                    }
                }));
            }
            List<List<float[]>> out = new ArrayList<>();
            for (Future<List<float[]>> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<float[]> weights(Module m) {
        List<float[]> w = new ArrayList<>();
        for (Parameter p : m.parameters()) w.add(p.toFloatArray());
        return w;
    }

    private static boolean sameBits(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) if (Float.floatToRawIntBits(a.get(i)[j]) != Float.floatToRawIntBits(b.get(i)[j])) return false;
        }
        return true;
    }

    @Test
    void threeReplicasEndWithTheWeightsOfOneTrainerAccumulatingThreeBitwise() throws Exception {
        List<TrainResult> results = new ArrayList<>();
        List<List<float[]>> reps = replicas(false, results);
        Sequential single = mlp();
        TrainResult one;
        try (var _ = Threads.limit(1)) {
            one = Trainer.builder(single, new Adam(single.parameters(), 0.01), new DataLoader(spirals(), MICRO, 9)).epochs(EPOCHS).accumulate(REPLICAS)
                    .build().fit();
        }
        List<float[]> want = weights(single);
        for (int r = 0; r < REPLICAS; r++) {
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), reps.get(r).get(i), "replica " + r + ", parameter " + i);
        }
        assertFalse(sameBits(want, weights(mlp())), "training moved the weights");
        TrainResult dp = results.get(0);
        assertEquals(one.steps(), dp.steps(), "26 batches in groups of 3: 9 steps an epoch");
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(one.history().get(e).trainLoss(), dp.history().get(e).trainLoss(), 1e-12, "epoch loss over every replica's examples");
            assertEquals(one.history().get(e).trainAccuracy(), dp.history().get(e).trainAccuracy(), 0.0, "epoch accuracy");
        }
    }

    /** The order of the sum is what makes the bits equal: adding the replicas' gradients in reverse rank order does not. */
    @Test
    void theRankOrderOfTheSumMatters() throws Exception {
        List<List<float[]>> forward = replicas(false, new ArrayList<>()), reverse = replicas(true, new ArrayList<>());
        assertFalse(sameBits(forward.get(0), reverse.get(0)), "(g0 + g1) + g2 and (g2 + g1) + g0 should round differently somewhere");
    }

    @Test
    void aClosureOptimizerIsRefusedWithAReducer() {
        Sequential m = mlp();
        SAM sam = new SAM(new SGD(List.of(ParamGroup.of(m.parameters())), 0.1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, sam, new DataLoader(spirals(), MICRO, 9))
                .reduceWith(new InMemoryReducer(0, new Shared(), false)).build());
        assertEquals(true, e.getMessage().contains("SAM"), e.getMessage());
    }
}
