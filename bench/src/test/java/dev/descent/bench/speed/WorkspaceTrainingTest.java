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
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.AdamW;
import dev.descent.optim.Ball;
import dev.descent.optim.ClipByGlobalNorm;
import dev.descent.optim.ClippedSGD;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.NormalizedSGD;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ProjectedGradientDescent;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.SteinRuleAdam;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
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

    /** Every optimizer family, with state of its own (moments, sums, shrinkage statistics, projections). */
    @Test
    void everyOptimizerTrainsIdenticallyInAWorkspace() {
        Map<String, Function<Sequential, Optimizer>> optimizers = new LinkedHashMap<>();
        optimizers.put("sgd momentum nesterov", m -> new SGD(List.of(ParamGroup.of(m.parameters()).with("lr", 0.01).with("momentum", 0.9).with("nesterov", true))));
        optimizers.put("adamw", m -> new AdamW(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3).with("weight_decay", 1e-2))));
        optimizers.put("adam amsgrad", m -> new Adam(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3).with("amsgrad", true))));
        optimizers.put("rmsprop", m -> new RMSprop(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3).with("momentum", 0.9).with("centered", true))));
        optimizers.put("adagrad", m -> new Adagrad(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-2))));
        optimizers.put("sradam paper", m -> new SteinRuleAdam(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3).with("warmup", 1))));
        optimizers.put("sradam whitened", m -> new SteinRuleAdam(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3).with("warmup", 1)
                .with("variant", SteinRuleAdam.Variant.WHITENED))));
        optimizers.put("clipped sgd", m -> new ClippedSGD(List.of(ParamGroup.of(m.parameters()).with("lr", 0.1).with("gamma", 1.0))));
        optimizers.put("normalized sgd", m -> new NormalizedSGD(List.of(ParamGroup.of(m.parameters()).with("lr", 0.1).with("beta", 0.5))));
        optimizers.put("clipping framework", m -> new ClippingFramework(List.of(ParamGroup.of(m.parameters()).with("lr", 0.5).with("gamma", 1.0)
                .with("beta", 0.9).with("nu", 0.7))));
        optimizers.put("projected gd", m -> new ProjectedGradientDescent(List.of(ParamGroup.of(m.parameters()).with("lr", 0.01).with("set", Ball.origin(3.0)))));
        optimizers.put("adam + clip by global norm", m -> {
            Optimizer o = new Adam(List.of(ParamGroup.of(m.parameters()).with("lr", 1e-3)));
            o.addGradientTransform(new ClipByGlobalNorm(0.5));
            return o;
        });
        for (var e : optimizers.entrySet()) {
            Supplier<Sequential> model = () -> Models.simpleCnn(1, 8, 10, new SplittableRandom(4));
            List<Double> plainLosses = new ArrayList<>(), reusedLosses = new ArrayList<>();
            Sequential a = model.get(), b = model.get();
            Map<String, Tensor> plain = train(a, e.getValue().apply(a), 1, 8, null, plainLosses);
            Map<String, Tensor> reused = train(b, e.getValue().apply(b), 1, 8, new Workspace(), reusedLosses);
            assertEquals(plainLosses, reusedLosses, e.getKey());
            for (String name : plain.keySet()) {
                assertArrayEquals(plain.get(name).contiguous().toFloatArray(), reused.get(name).contiguous().toFloatArray(), e.getKey() + ": " + name);
            }
        }
    }

    private static void check(Supplier<Sequential> model, int channels, int size) {
        List<Double> plainLosses = new ArrayList<>(), reusedLosses = new ArrayList<>();
        Sequential a = model.get(), b = model.get();
        Map<String, Tensor> plain = train(a, adam(a), channels, size, null, plainLosses);
        Workspace ws = new Workspace();
        Map<String, Tensor> reused = train(b, adam(b), channels, size, ws, reusedLosses);
        assertEquals(plainLosses, reusedLosses);
        assertTrue(ws.reusedElements() > ws.freshElements(), "the workspace reused less than it allocated: " + ws.reusedElements() + " vs " + ws.freshElements());
        assertEquals(plain.keySet(), reused.keySet());
        for (String name : plain.keySet()) {
            assertArrayEquals(plain.get(name).contiguous().toFloatArray(), reused.get(name).contiguous().toFloatArray(), name);
        }
    }

    /** Six Adam steps on fixed random batches (the last one smaller); the state dict after them (parameters and buffers). */
    private static Optimizer adam(Sequential model) {
        return new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3);
    }

    private static Map<String, Tensor> train(Sequential model, Optimizer opt, int channels, int size, Workspace ws, List<Double> losses) {
        SplittableRandom rng = new SplittableRandom(9);
        model.train();
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
