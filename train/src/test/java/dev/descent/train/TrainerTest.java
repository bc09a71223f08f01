package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import dev.descent.data.TwoSpirals;
import dev.descent.nn.Linear;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SAM;
import dev.descent.optim.SGD;
import dev.descent.optim.ScheduleFreeSGD;
import dev.descent.optim.Schedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop of the train library: what it computes equals a loop written by hand, callbacks see
 * every step and epoch in order, a stop request leaves a checkpoint from which a resumed run ends with
 * bitwise the same weights, divergence is reported, and early stopping ends a run that stopped improving.
 */
class TrainerTest {
    @TempDir
    Path dir;

    private static final int N = 200, BATCH = 32, EPOCHS = 3;

    private static TensorDataset spirals(long seed, int n) {
        TwoSpirals.Data d = TwoSpirals.generate(n, 1.0, 0.05, new SplittableRandom(seed));
        return new TensorDataset(d.x(), d.y());
    }

    private static Sequential model(long seed) {
        var rng = new SplittableRandom(seed);
        return new Sequential(new Linear(2, 16, rng), new ReLU(), new Linear(16, 2, rng));
    }

    private static Optimizer adam(Sequential m) {
        return new Adam(List.of(ParamGroup.of(m.parameters())), 1e-2);
    }

    private static List<float[]> weights(Sequential m) {
        List<float[]> w = new ArrayList<>();
        for (Parameter p : m.parameters()) w.add(p.toFloatArray());
        return w;
    }

    private static void assertSameWeights(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
    }

    @Test
    void theLoopComputesWhatAHandWrittenLoopComputes() throws Exception {
        TensorDataset train = spirals(1, N);
        Sequential byHand = model(7);
        Optimizer opt = adam(byHand);
        DataLoader loader = new DataLoader(train, BATCH, 99);
        double[] epochLoss = new double[EPOCHS];
        for (int e = 0; e < EPOCHS; e++) {
            byHand.train();
            double sum = 0;
            try (DataLoader.Batches it = loader.epoch(e)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    Tensor loss = Losses.crossEntropy(byHand.forward(b.x()), b.y());
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    sum += loss.item() * b.size();
                }
            }
            epochLoss[e] = sum / N;
        }

        Sequential viaTrainer = model(7);
        TrainResult r = Trainer.builder(viaTrainer, adam(viaTrainer), new DataLoader(train, BATCH, 99)).epochs(EPOCHS).build().fit();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertEquals(EPOCHS, r.history().size());
        for (int e = 0; e < EPOCHS; e++) assertEquals(epochLoss[e], r.history().get(e).trainLoss(), 0.0, "epoch " + (e + 1));
        assertSameWeights(weights(byHand), weights(viaTrainer));
        assertEquals((long) EPOCHS * ((N + BATCH - 1) / BATCH), r.steps());
    }

    /** Records every call a callback gets, as text. */
    private static final class Recorder implements Callback {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onTrainStart(Trainer t) {
            calls.add("start " + (t.resumedFrom() != null));
        }

        @Override
        public void onStep(Trainer t, Step s) {
            assertEquals(s.step(), t.steps(), "the trainer's step count is the step's");
            calls.add("step " + s.epoch() + "." + s.batch() + "/" + s.batches() + " #" + s.step() + " n" + s.size() + " seen" + s.seen());
        }

        @Override
        public void onEvaluation(Trainer t, int epoch, Evaluation e) {
            calls.add("eval " + epoch + " " + e.examples());
        }

        @Override
        public void onEpochEnd(Trainer t, EpochMetrics m) {
            assertEquals(m, t.history().getLast(), "the epoch is in the history before its callback");
            calls.add("epoch " + m.epoch() + " steps " + m.steps());
        }

        @Override
        public void onTrainEnd(Trainer t, TrainResult r) {
            calls.add("end " + r.status());
        }
    }

    @Test
    void aCallbackSeesEveryStepEvaluationAndEpochInOrder() throws Exception {
        var rec = new Recorder();
        Sequential m = model(3);
        int n = 70, batch = 32; // batches of 32, 32, 6
        TrainResult r = Trainer.builder(m, adam(m), new DataLoader(spirals(1, n), batch, 5)).epochs(2).evaluateOn(spirals(2, 40))
                .callbacks(rec).build().fit();
        List<String> expected = new ArrayList<>(List.of("start false"));
        long step = 0;
        for (int e = 1; e <= 2; e++) {
            int seen = 0;
            for (int b = 1; b <= 3; b++) {
                int size = Math.min(batch, n - (b - 1) * batch);
                seen += size;
                expected.add("step " + e + "." + b + "/3 #" + ++step + " n" + size + " seen" + seen);
            }
            expected.add("eval " + e + " 40");
            expected.add("epoch " + e + " steps " + step);
        }
        expected.add("end COMPLETED");
        assertEquals(expected, rec.calls);
        assertFalse(Double.isNaN(r.history().get(1).testAccuracy()));
        assertEquals(r.history().get(1).testAccuracy(), Evaluation.run(m, spirals(2, 40), Loss.crossEntropy()).accuracy(), 0.0,
                "the epoch's test accuracy is Evaluation.run's on the final weights");
    }

    @Test
    void aStopRequestWritesACheckpointFromWhichTheRunEndsBitwiseAsAnUninterruptedOne() throws Exception {
        TensorDataset train = spirals(1, N), test = spirals(2, 50);
        Sequential straight = model(11);
        Optimizer so = new SGD(List.of(ParamGroup.of(straight.parameters()).with("momentum", 0.9)), 0.1);
        TrainResult full = Trainer.builder(straight, so, new DataLoader(train, BATCH, 4)).epochs(EPOCHS).evaluateOn(test)
                .scheduler(new LrScheduler(so, Schedule.step(1, 0.5))).build().fit();

        Path run = dir.resolve("run");
        for (int stopAt : new int[] {3, 7 + 5, 7 * 2 + 6}) { // mid-epoch 1, mid-epoch 2, the last batch but one of epoch 3
            Sequential m = model(11);
            Optimizer o = new SGD(List.of(ParamGroup.of(m.parameters()).with("momentum", 0.9)), 0.1);
            Trainer t = Trainer.builder(m, o, new DataLoader(train, BATCH, 4)).epochs(EPOCHS).evaluateOn(test)
                    .scheduler(new LrScheduler(o, Schedule.step(1, 0.5))).checkpoints(run, Map.of("k", "v")).callbacks(new Callback() {
                        @Override
                        public void onStep(Trainer tr, Step s) {
                            if (s.step() == stopAt) tr.requestStop("test stop at " + stopAt);
                        }
                    }).build();
            TrainResult r = t.resume();
            assertEquals(TrainResult.Status.STOPPED, r.status(), r.message());
            assertEquals("test stop at " + stopAt, r.message());
            assertNotNull(new Checkpoints(run).latest());
        }
        Sequential resumed = model(11);
        Optimizer ro = new SGD(List.of(ParamGroup.of(resumed.parameters()).with("momentum", 0.9)), 0.1);
        Trainer t = Trainer.builder(resumed, ro, new DataLoader(train, BATCH, 4)).epochs(EPOCHS).evaluateOn(test)
                .scheduler(new LrScheduler(ro, Schedule.step(1, 0.5))).checkpoints(run, Map.of()).build();
        TrainResult r = t.resume();
        assertNotNull(t.resumedFrom());
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertSameWeights(weights(straight), weights(resumed));
        assertEquals(full.history().size(), r.history().size());
        for (int e = 0; e < EPOCHS; e++) {
            EpochMetrics a = full.history().get(e), b = r.history().get(e);
            assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
            assertEquals(a.trainAccuracy(), b.trainAccuracy(), 0.0);
            assertEquals(a.testLoss(), b.testLoss(), 0.0);
            assertEquals(a.lr(), b.lr(), 0.0, "the schedule's position came back with the optimizer state");
            assertEquals(a.steps(), b.steps());
        }
    }

    @Test
    void aPlateauRuleIsSteppedWithTheEvaluationLossAfterEveryEpoch() throws Exception {
        TensorDataset train = spirals(1, N), test = spirals(2, 50);
        var settings = dev.descent.optim.ReduceLrOnPlateau.Settings.defaults().withPatience(0).withFactor(0.5)
                .withThreshold(0.5, dev.descent.optim.ReduceLrOnPlateau.ThresholdMode.REL);
        for (boolean evaluate : new boolean[] {true, false}) {
            Sequential m = model(5);
            Optimizer o = new SGD(List.of(ParamGroup.of(m.parameters())), 0.1);
            TrainResult r = Trainer.builder(m, o, new DataLoader(train, BATCH, 4)).epochs(4).evaluateOn(evaluate ? test : null)
                    .reduceOnPlateau(new dev.descent.optim.ReduceLrOnPlateau(o, settings)).build().fit();
            // Replay: the same rule fed the losses the epochs recorded gives the learning rates the epochs ran with.
            Optimizer replay = new SGD(List.of(ParamGroup.of(model(5).parameters())), 0.1);
            var rule = new dev.descent.optim.ReduceLrOnPlateau(replay, settings);
            for (EpochMetrics e : r.history()) {
                assertEquals(replay.lr(0), e.lr(), 0.0, "epoch " + e.epoch() + (evaluate ? " (test loss)" : " (train loss)"));
                rule.step(evaluate ? e.testLoss() : e.trainLoss());
            }
            assertEquals(replay.lr(0), o.lr(0), 0.0);
            assertTrue(o.lr(0) < 0.1, "a 50% improvement per epoch is not reached, so the rate falls: " + o.lr(0));
        }
    }

    @Test
    void checkpointEveryWritesMidEpochCheckpointsThatResumeBitwise() throws Exception {
        TensorDataset train = spirals(1, N);
        Sequential straight = model(5);
        Trainer.builder(straight, adam(straight), new DataLoader(train, BATCH, 8)).epochs(2).build().fit();

        Path run = dir.resolve("every");
        Sequential first = model(5);
        Trainer crashing = Trainer.builder(first, adam(first), new DataLoader(train, BATCH, 8)).epochs(2).checkpoints(run, Map.of()).checkpointEvery(4)
                .callbacks(new Callback() {
                    @Override
                    public void onStep(Trainer t, Step s) {
                        if (s.step() == 10) throw new IllegalStateException("simulated crash after step 10");
                    }
                }).build();
        assertThrows(IllegalStateException.class, crashing::fit);
        assertTrue(new Checkpoints(run).latest().getFileName().toString().equals("ckpt-0001-000001"),
                "step 8 is batch 1 of epoch 2 (7 batches an epoch): " + new Checkpoints(run).latest());

        Sequential resumed = model(5);
        TrainResult r = Trainer.builder(resumed, adam(resumed), new DataLoader(train, BATCH, 8)).epochs(2).checkpoints(run, Map.of()).build().resume();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertSameWeights(weights(straight), weights(resumed));
    }

    /** Gathers every step's loss, as a probe of a reproduction does, and keeps the series in each checkpoint. */
    private static final class LossSeries implements Callback {
        final List<Double> losses = new ArrayList<>();
        final long crashAfter;

        LossSeries(long crashAfter) {
            this.crashAfter = crashAfter;
        }

        @Override
        public void onStep(Trainer t, Step s) {
            losses.add(s.loss());
            if (s.step() == crashAfter) throw new IllegalStateException("simulated crash after step " + crashAfter);
        }

        @Override
        public void onCheckpoint(Trainer t, Path checkpoint) throws java.io.IOException {
            StringBuilder sb = new StringBuilder();
            for (double v : losses) sb.append(v).append('\n');
            java.nio.file.Files.writeString(checkpoint.resolve("losses.txt"), sb);
        }

        @Override
        public void onRestore(Trainer t, Path checkpoint) throws java.io.IOException {
            losses.clear();
            for (String l : java.nio.file.Files.readAllLines(checkpoint.resolve("losses.txt"))) losses.add(Double.parseDouble(l));
        }
    }

    @Test
    void aCallbacksStateIsSavedWithEachCheckpointAndRestoredOnResume() throws Exception {
        TensorDataset train = spirals(1, N);
        Sequential straight = model(5);
        LossSeries whole = new LossSeries(-1);
        Trainer.builder(straight, adam(straight), new DataLoader(train, BATCH, 8)).epochs(2).callbacks(whole).build().fit();
        assertEquals(14, whole.losses.size(), "7 batches an epoch");

        Path run = dir.resolve("series");
        Sequential first = model(5);
        LossSeries crashed = new LossSeries(10);
        Trainer crashing = Trainer.builder(first, adam(first), new DataLoader(train, BATCH, 8)).epochs(2).checkpoints(run, Map.of()).checkpointEvery(4)
                .callbacks(crashed).build();
        assertThrows(IllegalStateException.class, crashing::fit);
        Path latest = new Checkpoints(run).latest();
        assertEquals(8, java.nio.file.Files.readAllLines(latest.resolve("losses.txt")).size(), "the series at the checkpoint's step (8), not at the crash");

        Sequential resumed = model(5);
        LossSeries continued = new LossSeries(-1);
        Trainer t = Trainer.builder(resumed, adam(resumed), new DataLoader(train, BATCH, 8)).epochs(2).checkpoints(run, Map.of()).checkpointEvery(4)
                .callbacks(continued).build();
        assertEquals(TrainResult.Status.COMPLETED, t.resume().status());
        assertEquals(latest, t.resumedFrom());
        assertEquals(whole.losses, continued.losses, "restored series + the steps after it = the uninterrupted series");
        assertSameWeights(weights(straight), weights(resumed));
    }

    @Test
    void aNonFiniteLossEndsTheRunAsDivergedNamingEpochAndBatch() throws Exception {
        Sequential m = model(1);
        Optimizer sgd = new SGD(List.of(ParamGroup.of(m.parameters())), 1e30);
        var rec = new Recorder();
        TrainResult r = Trainer.builder(m, sgd, new DataLoader(spirals(1, N), BATCH, 1)).epochs(3).callbacks(rec).build().fit();
        assertEquals(TrainResult.Status.DIVERGED, r.status());
        assertTrue(r.diverged());
        assertTrue(r.message().matches("(the loss became (NaN|Infinity)|a gradient became (NaN|infinite)) at epoch \\d, batch \\d of 7"), r.message());
        assertTrue(Double.isNaN(r.bestTestAccuracy()));
        assertEquals("end DIVERGED", rec.calls.getLast());
    }

    @Test
    void earlyStoppingEndsARunWhoseEvaluationLossStoppedImproving() throws Exception {
        Sequential m = model(2);
        Optimizer frozen = new SGD(List.of(ParamGroup.of(m.parameters())), 0.0); // lr 0: the evaluation loss never changes
        TrainResult r = Trainer.builder(m, frozen, new DataLoader(spirals(1, 64), 32, 1)).epochs(10).evaluateOn(spirals(2, 32))
                .callbacks(new EarlyStopping(2, 0.0)).build().fit();
        assertEquals(TrainResult.Status.STOPPED, r.status());
        assertEquals(3, r.history().size(), "epoch 1 sets the best; epochs 2 and 3 do not improve: patience 2 stops after 3");
        assertTrue(r.message().startsWith("early stopping"), r.message());
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(0, 0));
    }

    @Test
    void resumeWithoutACheckpointFolderIsACallerMistake() {
        Sequential m = model(2);
        Trainer t = Trainer.builder(m, adam(m), new DataLoader(spirals(1, 64), 32, 1)).build();
        assertThrows(IllegalStateException.class, t::resume);
        assertNull(t.resumedFrom());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, adam(m), new DataLoader(spirals(1, 64), 32, 1)).epochs(0));
    }

    @Test
    void samStepsThroughItsClosureAsAHandWrittenLoopDoes() throws Exception {
        TensorDataset train = spirals(1, N);
        Sequential byHand = model(7);
        SAM opt = new SAM(new SGD(List.of(ParamGroup.of(byHand.parameters()).with("momentum", 0.9)), 0.05), 0.05, false);
        DataLoader loader = new DataLoader(train, BATCH, 99);
        for (int e = 0; e < EPOCHS; e++) {
            byHand.train();
            try (DataLoader.Batches it = loader.epoch(e)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    opt.step(() -> {
                        opt.zeroGrad();
                        Tensor loss = Losses.crossEntropy(byHand.forward(b.x()), b.y());
                        loss.backward();
                        return loss;
                    });
                }
            }
        }
        Sequential viaTrainer = model(7);
        SAM sam = new SAM(new SGD(List.of(ParamGroup.of(viaTrainer.parameters()).with("momentum", 0.9)), 0.05), 0.05, false);
        TrainResult r = Trainer.builder(viaTrainer, sam, new DataLoader(train, BATCH, 99)).epochs(EPOCHS).build().fit();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        assertSameWeights(weights(byHand), weights(viaTrainer));
    }

    @Test
    void aScheduleFreeOptimizerIsEvaluatedAtItsAveragedWeights() throws Exception {
        TensorDataset train = spirals(1, N), test = spirals(2, 100);
        Sequential byHand = model(7);
        ScheduleFreeSGD opt = new ScheduleFreeSGD(byHand.parameters(), 0.5);
        DataLoader loader = new DataLoader(train, BATCH, 99);
        double[] testLoss = new double[EPOCHS];
        for (int e = 0; e < EPOCHS; e++) {
            byHand.train();
            try (DataLoader.Batches it = loader.epoch(e)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    Tensor loss = Losses.crossEntropy(byHand.forward(b.x()), b.y());
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                }
            }
            opt.eval();
            testLoss[e] = Evaluation.run(byHand, test, Loss.crossEntropy()).loss();
            opt.train();
        }
        Sequential viaTrainer = model(7);
        ScheduleFreeSGD sf = new ScheduleFreeSGD(viaTrainer.parameters(), 0.5);
        TrainResult r = Trainer.builder(viaTrainer, sf, new DataLoader(train, BATCH, 99)).epochs(EPOCHS).evaluateOn(test).build().fit();
        assertEquals(TrainResult.Status.COMPLETED, r.status());
        for (int e = 0; e < EPOCHS; e++) assertEquals(testLoss[e], r.history().get(e).testLoss(), 0.0, "test loss at x, epoch " + (e + 1));
        assertTrue(sf.isTrainMode(), "the trainer leaves the training weights y in the model");
        assertSameWeights(weights(byHand), weights(viaTrainer));
        // Evaluating at y instead would give another loss.
        byHand.eval();
        double atY = Evaluation.run(byHand, test, Loss.crossEntropy()).loss();
        assertTrue(atY != testLoss[EPOCHS - 1], "x and y should evaluate differently");
    }
}
