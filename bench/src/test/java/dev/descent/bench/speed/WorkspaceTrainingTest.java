package dev.descent.bench.speed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.ops.Losses;
import dev.descent.nn.Models;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Training in a workspace (arrays reused from step to step) gives bit for bit what training without one gives. */
class WorkspaceTrainingTest {

    @Test
    void simpleCnnWithDropoutTrainsIdenticallyInAWorkspace() {
        check(() -> Models.simpleCnn(3, 16, 10, new SplittableRandom(5)), 3, 16);
    }

    @Test
    void resNetWithBatchNormTrainsIdenticallyInAWorkspace() {
        check(() -> Models.cifarResNet(1, 10, new SplittableRandom(6)), 3, 16);
    }

    private static void check(Supplier<Sequential> model, int channels, int size) {
        List<Double> plainLosses = new ArrayList<>(), reusedLosses = new ArrayList<>();
        Map<String, Tensor> plain = train(model.get(), channels, size, null, plainLosses);
        Workspace ws = new Workspace();
        Map<String, Tensor> reused = train(model.get(), channels, size, ws, reusedLosses);
        assertEquals(plainLosses, reusedLosses);
        assertTrue(ws.reusedElements() > ws.freshElements(), "the workspace reused less than it allocated: " + ws.reusedElements() + " vs " + ws.freshElements());
        assertEquals(plain.keySet(), reused.keySet());
        for (String name : plain.keySet()) {
            assertArrayEquals(plain.get(name).contiguous().toFloatArray(), reused.get(name).contiguous().toFloatArray(), name);
        }
    }

    /** Six Adam steps on fixed random batches (the last one smaller); the state dict after them (parameters and buffers). */
    private static Map<String, Tensor> train(Sequential model, int channels, int size, Workspace ws, List<Double> losses) {
        SplittableRandom rng = new SplittableRandom(9);
        model.train();
        Optimizer opt = new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3);
        for (int step = 0; step < 6; step++) {
            int batch = step == 5 ? 5 : 8;
            Tensor x = Tensor.randn(rng, batch, channels, size, size);
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(10);
            Tensor y = Tensor.of(labels);
            if (ws == null) {
                losses.add(step(model, opt, x, y));
            } else {
                try (var _ = ws.open()) {
                    losses.add(step(model, opt, x, y));
                }
            }
        }
        return model.stateDict();
    }

    private static double step(Module model, Optimizer opt, Tensor x, Tensor y) {
        Tensor loss = Losses.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
    }
}
