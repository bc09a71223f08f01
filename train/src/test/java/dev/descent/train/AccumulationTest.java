package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import dev.descent.data.TwoSpirals;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SAM;
import dev.descent.optim.SGD;
import dev.descent.optim.Schedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient accumulation in the training loop ({@link Trainer.Builder#accumulate(int)}): P micro-batches of b make the
 * step of one batch of P·b, a hand-written accumulation loop computes the same bits, a run stopped or crashed in the
 * middle of a group resumes bitwise, the last group of an epoch may be short, and step counts are optimizer steps.
 */
class AccumulationTest {
    @TempDir
    Path dir;

    /** 203 examples in batches of 8: 25 full batches and one of 3, so with P = 4 the last group is one batch of 8 and one of 3. */
    private static final int N = 203, MICRO = 8, P = 4, EPOCHS = 2;

    private static TensorDataset spirals(long seed, int n, DType dtype) {
        TwoSpirals.Data d = TwoSpirals.generate(n, 1.0, 0.05, new SplittableRandom(seed));
        return new TensorDataset(d.x().to(dtype), d.y());
    }

    /** A float64 network without BatchNorm or dropout (nn's layers are float32). */
    static final class Mlp64 extends Module {
        final Parameter w1, b1, w2, b2;

        Mlp64(long seed) {
            var rng = new SplittableRandom(seed);
            w1 = addParameter("w1", Tensor.randn(DType.FLOAT64, rng, 16, 2).mul(0.7));
            b1 = addParameter("b1", Tensor.randn(DType.FLOAT64, rng, 16).mul(0.1));
            w2 = addParameter("w2", Tensor.randn(DType.FLOAT64, rng, 2, 16).mul(0.3));
            b2 = addParameter("b2", Tensor.randn(DType.FLOAT64, rng, 2).mul(0.1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(w1.t()).add(b1).tanh().matmul(w2.t()).add(b2);
        }
    }

    private static Sequential mlp(long seed) {
        var rng = new SplittableRandom(seed);
        return new Sequential(new Linear(2, 16, rng), new ReLU(), new Linear(16, 2, rng));
    }

    private static Optimizer sgd(Module m) {
        return new SGD(List.of(ParamGroup.of(m.parameters()).with("momentum", 0.9)), 0.1);
    }

    private static List<float[]> weights(Module m) {
        List<float[]> w = new ArrayList<>();
        for (Parameter p : m.parameters()) w.add(p.toFloatArray());
        return w;
    }

    private static void assertSameWeights(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
    }

    /**
     * The headline: in float64, P micro-batches of b per step end where batches of P·b end, the short last group of
     * each epoch (8 + 3 examples) included. Not bitwise: the per-example gradients are the same bits here (the
     * weights 1/4 and the means over 8 and 32 are powers of two), but the weight gradient of a matmul sums over the
     * batch inside one reduction for the big batch and as P partial sums added afterwards when accumulating, and
     * floating-point addition is not associative; the short group's weights 8/11 and 3/11 also round. So the bound is
     * relative 1e-12 over two epochs, far below what a wrong weighting would move (a sum instead of a mean: ×4).
     */
    @Test
    void pMicroBatchesOfBStepAsOneBatchOfPTimesBInFloat64() throws Exception {
        TensorDataset train = spirals(1, N, DType.FLOAT64);
        Mlp64 big = new Mlp64(3);
        TrainResult rb = Trainer.builder(big, sgd(big), new DataLoader(train, P * MICRO, 9)).epochs(EPOCHS).build().fit();
        Mlp64 acc = new Mlp64(3);
        Trainer t = Trainer.builder(acc, sgd(acc), new DataLoader(train, MICRO, 9)).epochs(EPOCHS).accumulate(P).build();
        TrainResult ra = t.fit();

        assertEquals(P, t.accumulate());
        assertEquals(rb.steps(), ra.steps(), "one optimizer step per group, as per big batch");
        assertEquals(EPOCHS * 7L, ra.steps(), "26 batches of 8 in groups of 4: 7 steps an epoch");
        List<Parameter> pb = big.parameters(), pa = acc.parameters();
        double moved = 0;
        for (int i = 0; i < pb.size(); i++) {
            double[] a = pa.get(i).toDoubleArray(), b = pb.get(i).toDoubleArray();
            for (int j = 0; j < a.length; j++) {
                assertEquals(b[j], a[j], 1e-12 * Math.max(1, Math.abs(b[j])), "parameter " + i + " element " + j);
            }
        }
        Mlp64 init = new Mlp64(3);
        for (int i = 0; i < pb.size(); i++) {
            double[] a = pb.get(i).toDoubleArray(), b = init.parameters().get(i).toDoubleArray();
            for (int j = 0; j < a.length; j++) moved = Math.max(moved, Math.abs(a[j] - b[j]));
        }
        assertTrue(moved > 1e-3, "training moved the weights: " + moved);
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(rb.history().get(e).trainLoss(), ra.history().get(e).trainLoss(), 1e-12, "epoch " + (e + 1) + " loss over all examples");
            assertEquals(rb.history().get(e).trainAccuracy(), ra.history().get(e).trainAccuracy(), 0.0, "epoch " + (e + 1) + " accuracy");
        }
    }

    /** Records every optimizer step the trainer reports. */
    private static final class Steps implements Callback {
        final List<Step> steps = new ArrayList<>();

        @Override
        public void onStep(Trainer t, Step s) {
            steps.add(s);
        }
    }

    /**
     * In float32, with BatchNorm (statistics per micro-batch, running statistics updated once per micro-batch) and Adam,
     * the trainer computes the bits of an accumulation loop written from the definition: zero the gradients, for each of
     * the next P batches backward of its mean loss times size / group size, then one step. Groups of 3 over 26 batches:
     * the last is 8 + 3 examples.
     */
    @Test
    void theTrainerAccumulatesAsAHandWrittenLoopInFloat32WithBatchNorm() throws Exception {
        int p = 3;
        TensorDataset train = spirals(1, N, DType.FLOAT32);
        Sequential byHand = bnModel(5);
        Optimizer opt = new Adam(List.of(ParamGroup.of(byHand.parameters())), 1e-2);
        DataLoader loader = new DataLoader(train, MICRO, 4);
        List<Double> stepLosses = new ArrayList<>();
        List<Integer> stepSizes = new ArrayList<>();
        double[] epochLoss = new double[EPOCHS];
        for (int e = 0; e < EPOCHS; e++) {
            byHand.train();
            double sum = 0;
            try (DataLoader.Batches it = loader.epoch(e)) {
                while (it.hasNext()) {
                    List<Batch> group = new ArrayList<>();
                    while (group.size() < p && it.hasNext()) group.add(it.next());
                    int n = 0;
                    for (Batch b : group) n += b.size();
                    opt.zeroGrad();
                    double groupSum = 0, last = 0;
                    for (Batch b : group) {
                        Tensor loss = Losses.crossEntropy(byHand.forward(b.x()), b.y());
                        last = loss.item();
                        sum += last * b.size();
                        groupSum += last * b.size();
                        loss.mul((double) b.size() / n).backward();
                    }
                    opt.step();
                    stepLosses.add(group.size() == 1 ? last : groupSum / n);
                    stepSizes.add(n);
                }
            }
            epochLoss[e] = sum / N;
        }

        Sequential viaTrainer = bnModel(5);
        Steps rec = new Steps();
        TrainResult r = Trainer.builder(viaTrainer, new Adam(List.of(ParamGroup.of(viaTrainer.parameters())), 1e-2), new DataLoader(train, MICRO, 4))
                .epochs(EPOCHS).accumulate(p).callbacks(rec).build().fit();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertSameWeights(weights(byHand), weights(viaTrainer));
        for (var e : byHand.namedBuffers().entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), viaTrainer.namedBuffers().get(e.getKey()).toDoubleArray(), 0.0,
                    "buffer " + e.getKey() + ": BatchNorm's running statistics, updated per micro-batch");
        }
        for (int e = 0; e < EPOCHS; e++) assertEquals(epochLoss[e], r.history().get(e).trainLoss(), 0.0, "epoch " + (e + 1));
        assertEquals(stepLosses, rec.steps.stream().map(Step::loss).toList(), "onStep reports the group's mean loss");
        assertEquals(stepSizes, rec.steps.stream().map(Step::size).toList(), "onStep reports the group's examples");
        assertEquals(EPOCHS * 9, rec.steps.size(), "26 batches in groups of 3: 9 steps an epoch");
    }

    private static Sequential bnModel(long seed) {
        var rng = new SplittableRandom(seed);
        return new Sequential(new Linear(2, 16, rng), new BatchNorm1d(16), new ReLU(), new Linear(16, 2, rng));
    }

    /**
     * A stop request in the middle of a group takes effect after the group's step; a crash in the middle of a group
     * leaves the last checkpoint at a group boundary (checkpointEvery counts optimizer steps); resuming from either
     * ends with the bits of an uninterrupted run.
     */
    @Test
    void aRunStoppedOrCrashedInTheMiddleOfAGroupResumesBitwise() throws Exception {
        int p = 3, b = 16; // 13 batches an epoch: groups 1-3, 4-6, 7-9, 10-12, 13
        TensorDataset train = spirals(1, N, DType.FLOAT32);
        Sequential straight = mlp(11);
        Optimizer so = sgd(straight);
        TrainResult full = Trainer.builder(straight, so, new DataLoader(train, b, 2)).epochs(EPOCHS).accumulate(p)
                .scheduler(new LrScheduler(so, Schedule.step(1, 0.5))).build().fit();

        Path run = dir.resolve("run");
        // 1. A stop requested while batch 5 is computed (group 4-6): the group finishes, the checkpoint is at batch 6.
        Sequential m1 = mlp(11);
        Optimizer o1 = sgd(m1);
        Trainer[] holder = new Trainer[1];
        int[] calls = {0};
        Loss stopping = (out, y, red) -> {
            if (++calls[0] == 5) holder[0].requestStop("stop at batch 5");
            return Loss.crossEntropy().apply(out, y, red);
        };
        holder[0] = Trainer.builder(m1, o1, new DataLoader(train, b, 2)).epochs(EPOCHS).accumulate(p).loss(stopping)
                .scheduler(new LrScheduler(o1, Schedule.step(1, 0.5))).checkpoints(run, Map.of()).checkpointEvery(2).build();
        TrainResult r1 = holder[0].resume();
        assertEquals(TrainResult.Status.STOPPED, r1.status(), r1.message());
        assertEquals(6, r1.batch(), "the stop waits for the end of the group");
        assertEquals(2, r1.steps());
        assertEquals("ckpt-0000-000006", new Checkpoints(run).latest().getFileName().toString());

        // 2. Resumed, then a crash at batch 8 of epoch 2 (group 7-9): the last checkpoint is step 6, at batch 3 of epoch 2.
        Sequential m2 = mlp(11);
        Optimizer o2 = sgd(m2);
        int[] calls2 = {0};
        Loss crashing = (out, y, red) -> {
            if (++calls2[0] == 7 + 8) throw new IllegalStateException("simulated crash at epoch 2, batch 8");
            return Loss.crossEntropy().apply(out, y, red);
        };
        Trainer t2 = Trainer.builder(m2, o2, new DataLoader(train, b, 2)).epochs(EPOCHS).accumulate(p).loss(crashing)
                .scheduler(new LrScheduler(o2, Schedule.step(1, 0.5))).checkpoints(run, Map.of()).checkpointEvery(2).build();
        assertThrows(IllegalStateException.class, t2::resume);
        assertEquals("ckpt-0001-000003", new Checkpoints(run).latest().getFileName().toString(),
                "steps 1-5 in epoch 1, step 6 = batches 1-3 of epoch 2; step 7 (4-6) is not a multiple of 2, step 8 (7-9) never came");

        // 3. Resumed to the end: the uninterrupted run's bits.
        Sequential m3 = mlp(11);
        Optimizer o3 = sgd(m3);
        TrainResult r3 = Trainer.builder(m3, o3, new DataLoader(train, b, 2)).epochs(EPOCHS).accumulate(p)
                .scheduler(new LrScheduler(o3, Schedule.step(1, 0.5))).checkpoints(run, Map.of()).checkpointEvery(2).build().resume();
        assertEquals(TrainResult.Status.COMPLETED, r3.status());
        assertSameWeights(weights(straight), weights(m3));
        assertEquals(full.steps(), r3.steps());
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(full.history().get(e).trainLoss(), r3.history().get(e).trainLoss(), 0.0, "epoch " + (e + 1));
            assertEquals(full.history().get(e).trainAccuracy(), r3.history().get(e).trainAccuracy(), 0.0);
        }
    }

    /**
     * Step counts are optimizer steps: ceil(26 / 4) = 7 an epoch, with the short group last (batches 25-26, 8 + 3
     * examples); the epoch scheduler steps once an epoch, a per-step schedule driven from onStep once per group.
     */
    @Test
    void stepsAndSchedulesCountOptimizerStepsWithAShortLastGroup() throws Exception {
        TensorDataset train = spirals(1, N, DType.FLOAT32);
        Sequential m = mlp(2);
        Optimizer o = sgd(m);
        Steps rec = new Steps();
        Trainer t = Trainer.builder(m, o, new DataLoader(train, MICRO, 1)).epochs(EPOCHS).accumulate(P)
                .scheduler(new LrScheduler(o, Schedule.step(1, 0.5))).callbacks(rec).build();
        TrainResult r = t.fit();
        List<String> expected = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
            int seen = 0;
            for (int g = 1; g <= 7; g++) {
                int last = Math.min(4 * g, 26), size = g < 7 ? 32 : 11;
                seen += size;
                expected.add(e + "." + last + "/26 n" + size + " seen" + seen);
            }
        }
        assertEquals(expected, rec.steps.stream().map(s -> s.epoch() + "." + s.batch() + "/" + s.batches() + " n" + s.size() + " seen" + s.seen()).toList());
        assertEquals(EPOCHS * 7L, r.steps());
        assertEquals(EPOCHS * 7L, rec.steps.getLast().step());
        assertEquals(7, r.history().get(0).steps());
        assertEquals(0.1, r.history().get(0).lr(), 0.0, "epoch 1 runs at the base rate");
        assertEquals(0.05, r.history().get(1).lr(), 1e-15, "the epoch schedule stepped once, not per micro-batch");

        Sequential m2 = mlp(2);
        Optimizer o2 = sgd(m2);
        LrScheduler perStep = new LrScheduler(o2, Schedule.step(1, 0.99));
        Trainer.builder(m2, o2, new DataLoader(train, MICRO, 1)).epochs(EPOCHS).accumulate(P).callbacks(new Callback() {
            @Override
            public void onStep(Trainer tr, Step s) {
                perStep.step();
            }
        }).build().fit();
        assertEquals(EPOCHS * 7L, perStep.position(), "a schedule stepped from onStep counts groups");
    }

    /** SAM through accumulation: its second closure call recomputes every micro-batch of the group, as a hand loop does. */
    @Test
    void samRecomputesTheWholeGroupInItsClosure() throws Exception {
        int p = 3;
        TensorDataset train = spirals(1, N, DType.FLOAT32);
        Sequential byHand = mlp(7);
        SAM opt = new SAM(new SGD(List.of(ParamGroup.of(byHand.parameters()).with("momentum", 0.9)), 0.05), 0.05, false);
        DataLoader loader = new DataLoader(train, MICRO, 99);
        for (int e = 0; e < EPOCHS; e++) {
            byHand.train();
            try (DataLoader.Batches it = loader.epoch(e)) {
                while (it.hasNext()) {
                    List<Batch> group = new ArrayList<>();
                    while (group.size() < p && it.hasNext()) group.add(it.next());
                    int n = group.stream().mapToInt(Batch::size).sum();
                    opt.step(() -> {
                        opt.zeroGrad();
                        double sum = 0;
                        for (Batch b : group) {
                            Tensor l = Losses.crossEntropy(byHand.forward(b.x()), b.y()).mul((double) b.size() / n);
                            l.backward();
                            sum += l.item();
                        }
                        return Tensor.of(sum);
                    });
                }
            }
        }
        Sequential viaTrainer = mlp(7);
        SAM sam = new SAM(new SGD(List.of(ParamGroup.of(viaTrainer.parameters()).with("momentum", 0.9)), 0.05), 0.05, false);
        TrainResult r = Trainer.builder(viaTrainer, sam, new DataLoader(train, MICRO, 99)).epochs(EPOCHS).accumulate(p).build().fit();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertSameWeights(weights(byHand), weights(viaTrainer));
    }

    @Test
    void aDivergingGroupEndsTheRunNamingItsBatches() throws Exception {
        Sequential m = mlp(1);
        Optimizer huge = new SGD(List.of(ParamGroup.of(m.parameters())), 1e30);
        TrainResult r = Trainer.builder(m, huge, new DataLoader(spirals(1, N, DType.FLOAT32), MICRO, 1)).epochs(3).accumulate(P).build().fit();
        assertEquals(TrainResult.Status.DIVERGED, r.status());
        assertTrue(r.message().matches("(the loss became (NaN|Infinity)|a gradient became (NaN|infinite) \\(summed over batches \\d+-\\d+\\))"
                + " at epoch \\d, batch \\d+ of 26"), r.message());
    }

    @Test
    void accumulateBelowOneIsRejectedNamingTheValue() {
        Sequential m = mlp(1);
        var builder = Trainer.builder(m, sgd(m), new DataLoader(spirals(1, 20, DType.FLOAT32), MICRO, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> builder.accumulate(0));
        assertTrue(e.getMessage().contains("accumulate") && e.getMessage().contains("was 0"), e.getMessage());
        assertEquals(1, builder.build().accumulate(), "the default is a step per batch");
    }
}
