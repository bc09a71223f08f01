package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.FileFormatException;
import dev.descent.core.ops.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path dir;

    /** A few SGD steps, so that weights, running statistics and dropout counters all move. */
    private static void train(Module m, int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        m.train();
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.randn(rng, 8, 3, 32, 32);
            Tensor y = Tensor.ofIndices(rng.ints(8, 0, 10).toArray());
            Tensor loss = Losses.crossEntropy(m.forward(x), y);
            m.zeroGrad();
            loss.backward();
            try (var _ = GradMode.noGrad()) {
                for (Parameter p : m.parameters()) p.addInPlace(p.grad(), -0.05);
            }
        }
    }

    @Test
    void aTrainedModelSavedAndLoadedGivesBitwiseIdenticalOutputs() throws IOException {
        for (Module model : new Module[] {Models.simpleCnn(3, 32, 10, new SplittableRandom(1)), Models.cifarResNet(1, 10, new SplittableRandom(1))}) {
            train(model, 3, 2);
            Path f = dir.resolve("model.safetensors");
            model.save(f);
            Module fresh = model instanceof Sequential s && s.size() == 11 ? Models.simpleCnn(3, 32, 10, new SplittableRandom(99))
                    : Models.cifarResNet(1, 10, new SplittableRandom(99));
            fresh.load(f);
            Tensor x = Tensor.randn(new SplittableRandom(5), 4, 3, 32, 32);
            model.eval();
            fresh.eval();
            assertTrue(model.forward(x).contentEquals(fresh.forward(x)), model.getClass().getSimpleName() + " eval outputs differ");
            model.train();
            fresh.train();
            // Training mode too: batch statistics and the restored dropout counter give the same masks.
            assertTrue(model.forward(x).contentEquals(fresh.forward(x)), "train-mode outputs differ");
        }
    }

    @Test
    void aFileForAnotherModelIsRejectedWithTheNamesThatDoNotMatch() throws IOException {
        Path f = dir.resolve("other.safetensors");
        new Sequential(new Linear(3, 4, new SplittableRandom(1))).save(f);
        Sequential m = new Sequential(new Linear(3, 5, new SplittableRandom(1)), new Linear(5, 2, new SplittableRandom(1)));
        ModelFileException e = assertThrows(ModelFileException.class, () -> m.load(f));
        assertTrue(e.getMessage().contains("other.safetensors") && e.getMessage().contains("missing [1.weight, 1.bias]")
                && e.getMessage().contains("0.weight (file FLOAT32 [4,3], model FLOAT32 [5,3])"), e.getMessage());
    }

    /**
     * Damaged model files load identically or fail cleanly, and a failed load leaves the model as it
     * was. The damage is a short list of {@link Damage}s, so that a failure shrinks to a small case.
     */
    @Test
    void damagedModelFilesLoadOrFailCleanly() throws IOException {
        Sequential source = Models.simpleCnn(1, 8, 3, new SplittableRandom(1));
        Path good = dir.resolve("good.safetensors");
        source.save(good);
        byte[] bytes = Files.readAllBytes(good);
        Sequential target = Models.simpleCnn(1, 8, 3, new SplittableRandom(2));
        qt().withExamples(200).forAll(Damage.some(bytes)).checkAssert(damages -> {
            byte[] d = Damage.apply(bytes, damages);
            String what = "a model file damaged by " + damages;
            Map<String, Tensor> before = new HashMap<>();
            target.stateDict().forEach((k, v) -> before.put(k, v.clone().detach()));
            Path f = dir.resolve("damaged.safetensors");
            try {
                Files.write(f, d);
                target.load(f);
                if (java.util.Arrays.equals(d, bytes)) {
                    source.stateDict().forEach((k, v) -> assertTrue(v.contentEquals(target.stateDict().get(k)), k + ": " + what));
                }
            } catch (FileFormatException | ModelFileException expected) {
                target.stateDict().forEach((k, v) -> assertTrue(v.contentEquals(before.get(k)), "failed load changed " + k + ": " + what));
            } catch (Exception other) {
                fail("loading " + what + " threw " + other, other);
            }
        });
    }

    @Test
    void inferenceFromEightThreadsMatchesOneThread() throws Exception {
        Sequential m = Models.simpleCnn(3, 32, 10, new SplittableRandom(1));
        train(m, 1, 3);
        m.eval();
        Tensor[] inputs = new Tensor[8];
        Tensor[] expected = new Tensor[8];
        for (int i = 0; i < 8; i++) {
            inputs[i] = Tensor.randn(new SplittableRandom(10 + i), 2, 3, 32, 32);
            try (var _ = GradMode.noGrad()) {
                expected[i] = m.forward(inputs[i]);
            }
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    boolean ok = true;
                    for (int round = 0; round < 5; round++) {
                        int i = (id + round) % 8;
                        try (var _ = GradMode.noGrad()) {
                            ok &= m.forward(inputs[i]).contentEquals(expected[i]);
                        }
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (var r : results) assertTrue(r.get(), "a concurrent forward pass differed from the single-threaded one");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(10, expected[0].size(1));
    }
}
