package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.io.Safetensors;
import dev.descent.optim.ClippingFramework.Clip;
import dev.descent.optim.SteinRuleAdam.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optimizer state through safetensors: a run resumed from saved parameters + optimizer state
 * continues bit for bit like the uninterrupted run, for every optimizer (with schedules and gradient
 * transforms attached); and loading refuses states that do not fit, naming what is wrong.
 */
class StateTest {
    @TempDir
    Path dir;

    /** A two-layer tanh network in float32, built from core ops: the "small model". */
    static final class Model {
        final List<Parameter> params;

        Model(List<Parameter> params) {
            this.params = params;
        }

        static Model init(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            return new Model(List.of(
                    new Parameter("w1", Tensor.randn(DType.FLOAT32, rng, 4, 8).mul(0.5)),
                    new Parameter("b1", Tensor.zeros(DType.FLOAT32, 8)),
                    new Parameter("w2", Tensor.randn(DType.FLOAT32, rng, 8, 3).mul(0.5)),
                    new Parameter("b2", Tensor.zeros(DType.FLOAT32, 3))));
        }

        /** Mean squared error on the batch of step {@code step} (drawn from a generator seeded by the step). */
        Tensor loss(int step) {
            SplittableRandom rng = new SplittableRandom(1000 + step);
            Tensor x = Tensor.randn(DType.FLOAT32, rng, 16, 4), y = Tensor.randn(DType.FLOAT32, rng, 16, 3);
            Tensor h = x.matmul(params.get(0)).add(params.get(1)).tanh();
            return h.matmul(params.get(2)).add(params.get(3)).sub(y).square().mean();
        }

        void save(Path file) throws IOException {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (Parameter p : params) m.put(p.name(), p);
            Safetensors.save(m, file);
        }

        static Model load(Path file) throws IOException {
            List<Parameter> ps = new ArrayList<>();
            for (var e : Safetensors.load(file).tensors().entrySet()) ps.add(new Parameter(e.getKey(), e.getValue()));
            return new Model(ps);
        }

        double[] values() {
            return Quadratic.flat(params);
        }
    }

    /**
     * Builds an optimizer over a model, attaching its schedulers and transforms.
     *
     * @param stateful whether a fresh optimizer (state not loaded) would continue differently
     */
    record Setup(String name, Function<Model, Optimizer> build, boolean stateful) {}

    static List<ParamGroup> weightsAndBiases(Model m) {
        return List.of(ParamGroup.of(m.params.get(0), m.params.get(2)), ParamGroup.of(m.params.get(1), m.params.get(3)));
    }

    static final List<Setup> SETUPS = List.of(
            new Setup("SGD Nesterov + clip by norm + multi-step", m -> {
                var opt = new SGD(List.of(ParamGroup.of(m.params).with("momentum", 0.9).with("nesterov", true).with("weight_decay", 1e-3)), 0.1);
                opt.addGradientTransform(new ClipByGlobalNorm(0.5));
                new LrScheduler(opt, Schedule.multiStep(List.of(3, 8), 0.5));
                return opt;
            }, true),
            new Setup("Adam AMSGrad + warm-up × cosine", m -> {
                var opt = new Adam(List.of(ParamGroup.of(m.params).with("amsgrad", true).with("weight_decay", 1e-2)), 1e-2);
                new LrScheduler(opt, Schedule.linearWarmup(3, 0.1).times(Schedule.cosine(20, 0.01)));
                return opt;
            }, true),
            new Setup("AdamW, two groups", m -> new AdamW(List.of(ParamGroup.of(m.params.subList(0, 2)).with("lr", 1e-2),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 3e-3).with("weight_decay", 0.1))), true),
            new Setup("RMSprop centred, momentum", m -> new RMSprop(List.of(ParamGroup.of(m.params).with("centered", true).with("momentum", 0.5)), 1e-2),
                    true),
            new Setup("Adagrad with lr decay + clip by value", m -> {
                var opt = new Adagrad(List.of(ParamGroup.of(m.params).with("lr_decay", 0.1).with("initial_accumulator_value", 0.1)), 0.1);
                opt.addGradientTransform(new ClipByValue(0.05));
                return opt;
            }, true),
            new Setup("SR-Adam: weights shrink (whitened), biases plain", m -> {
                var g = weightsAndBiases(m);
                return new SteinRuleAdam(List.of(g.get(0).with("warmup", 2).with("variant", Variant.WHITENED), g.get(1).with("shrink", false)), 1e-2);
            }, true),
            new Setup("SR-Adam paper variant", m -> new SteinRuleAdam(List.of(ParamGroup.of(m.params).with("warmup", 1).with("c_min", 0.3)), 1e-2),
                    true),
            new Setup("SR-Adam raw-gradient moments (two extra buffers)", m -> new SteinRuleAdam(List.of(ParamGroup.of(m.params).with("warmup", 1)
                    .with("c_min", 0.3).with("variant", Variant.RAW_MOMENTS)), 1e-2), true),
            new Setup("clipped SGD, η and γ multi-step", m -> {
                var opt = new ClippedSGD(List.of(ParamGroup.of(m.params)), 0.5, 0.2);
                new LrScheduler(opt, Schedule.multiStep(List.of(4, 7), 0.1), "lr", "gamma");
                return opt;
            }, true),
            new Setup("normalised SGD", m -> new NormalizedSGD(List.of(ParamGroup.of(m.params).with("beta", 0.1)), 0.05), false),
            new Setup("mixed clipping, soft, η and γ step", m -> {
                var opt = new ClippingFramework(List.of(ParamGroup.of(m.params).with("clip", Clip.SOFT).with("weight_decay", 5e-4)), 1.0, 1.0, 0.999, 0.7);
                new LrScheduler(opt, Schedule.step(4, 0.1), "lr", "gamma");
                return opt;
            }, true),
            new Setup("Adamax, two groups", m -> new Adamax(List.of(ParamGroup.of(m.params.subList(0, 2)).with("weight_decay", 1e-2),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 5e-3))), true),
            new Setup("NAdam, two groups, decoupled decay in one", m -> new NAdam(List.of(ParamGroup.of(m.params.subList(0, 2)).with("weight_decay", 1e-2),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 5e-3).with("weight_decay", 0.1).with("decoupled_weight_decay", true))), true),
            new Setup("RAdam, two groups, across the rectification", m -> new RAdam(List.of(ParamGroup.of(m.params.subList(0, 2)).with("weight_decay", 1e-2),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 5e-3).with("decoupled_weight_decay", true).with("weight_decay", 0.1)), 1e-2), true),
            new Setup("Adadelta, two groups, weight decay", m -> new Adadelta(List.of(ParamGroup.of(m.params.subList(0, 2)).with("weight_decay", 1e-2),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 0.5).with("rho", 0.95))), true),
            new Setup("Rprop, two groups", m -> new Rprop(List.of(ParamGroup.of(m.params.subList(0, 2)),
                    ParamGroup.of(m.params.subList(2, 4)).with("lr", 3e-3).with("etaplus", 1.5).with("step_size_max", 0.05))), true),
            new Setup("Lion, two groups, weight decay + cosine", m -> {
                var opt = new Lion(List.of(ParamGroup.of(m.params.subList(0, 2)).with("weight_decay", 0.1),
                        ParamGroup.of(m.params.subList(2, 4)).with("lr", 3e-4).with("beta2", 0.9)), 1e-3);
                new LrScheduler(opt, Schedule.cosine(20, 0.1));
                return opt;
            }, true),
            new Setup("projected GD in a ball", m -> new ProjectedGradientDescent(List.of(ParamGroup.of(m.params)), 0.1, Ball.origin(3)), false));

    static void train(Model m, Optimizer opt, int from, int to) {
        for (int s = from; s < to; s++) {
            opt.zeroGrad();
            m.loss(s).backward();
            opt.step();
            for (LrScheduler sch : opt.schedulers()) sch.step();
        }
    }

    @Test
    void resumedTrainingIsBitwiseIdenticalToUninterruptedTraining() throws IOException {
        int n = 6, k = 5;
        for (Setup setup : SETUPS) {
            Model a = Model.init(7);
            Optimizer optA = setup.build.apply(a);
            train(a, optA, 0, n);
            Path params = dir.resolve("model.safetensors"), state = dir.resolve("optimizer.safetensors");
            a.save(params);
            OptimizerState.save(optA, state);
            train(a, optA, n, n + k);

            Model b = Model.load(params);
            Optimizer optB = setup.build.apply(b);
            OptimizerState.load(optB, state);
            train(b, optB, n, n + k);
            Steps.assertBitwise(a.values(), b.values(), setup.name + ": resumed vs uninterrupted");

            if (setup.stateful) { // the test can fail: without the state the continuation differs
                Model c = Model.load(params);
                Optimizer optC = setup.build.apply(c);
                train(c, optC, n, n + k);
                assertFalse(java.util.Arrays.equals(a.values(), c.values()), setup.name + ": a fresh optimizer continued identically");
            }
        }
    }

    Optimizer adam(Model m) {
        return new Adam(List.of(ParamGroup.of(m.params.subList(0, 2)), ParamGroup.of(m.params.subList(2, 4)).with("amsgrad", true)), 1e-2);
    }

    @Test
    void stateNamesGroupsParametersBuffersAndStepCounts() {
        Model m = Model.init(1);
        Optimizer opt = adam(m);
        new LrScheduler(opt, Schedule.step(2, 0.5));
        train(m, opt, 0, 3);
        Map<String, Tensor> s = opt.stateDict();
        assertEquals(3, s.get("group.0.step").toLongArray()[0]);
        assertEquals(3, s.get("group.1.param.1.step").toLongArray()[0]);
        assertEquals(DType.INT64, s.get("group.0.step").dtype());
        assertEquals(0, s.get("group.0.step").dim());
        assertTrue(s.containsKey("group.0.param.1.exp_avg_sq"));
        assertTrue(s.containsKey("group.1.param.0.max_exp_avg_sq"));
        assertFalse(s.containsKey("group.0.param.0.max_exp_avg_sq"));
        assertEquals(DType.FLOAT32, s.get("group.0.param.0.exp_avg").dtype());
        assertEquals(3, s.get("scheduler.0.position").toLongArray()[0]);
        assertEquals(1e-2 * 0.5, s.get("group.0.hp.lr").item());
        assertEquals(1e-2, s.get("scheduler.0.base.0.lr").item());
        assertTrue(s.get("group.1.hp.amsgrad").toBooleanArray()[0]);
    }

    @Test
    void loadingListsMissingAndUnexpectedKeys() {
        Model m = Model.init(1);
        Optimizer opt = adam(m);
        train(m, opt, 0, 2);
        Map<String, Tensor> s = new HashMap<>(opt.stateDict());
        s.remove("group.0.param.1.exp_avg");
        s.put("group.0.param.1.momentum", Tensor.zeros(8));
        var e = assertThrows(IllegalArgumentException.class, () -> adam(Model.init(1)).loadStateDict(s));
        assertEquals("Adam state does not match: missing keys [group.0.param.1.exp_avg], unexpected keys [group.0.param.1.momentum]", e.getMessage());
    }

    @Test
    void loadingChecksShapesDtypesAndValuesBeforeChangingAnything() {
        Model m = Model.init(1);
        Optimizer opt = adam(m);
        train(m, opt, 0, 2);
        Map<String, Tensor> good = opt.stateDict();

        Map<String, Tensor> shape = new HashMap<>(good);
        shape.put("group.1.param.0.exp_avg", Tensor.zeros(DType.FLOAT32, 3, 8));
        Optimizer fresh = adam(Model.init(1));
        var e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(shape));
        assertEquals("Adam state 'group.1.param.0.exp_avg': expected FLOAT32 [8, 3], found FLOAT32 [3, 8]", e.getMessage());

        Map<String, Tensor> dtype = new HashMap<>(good);
        dtype.put("group.0.step", Tensor.of(2.0));
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(dtype));
        assertEquals("Adam state 'group.0.step': expected INT64 [], found FLOAT64 []", e.getMessage());

        Map<String, Tensor> value = new HashMap<>(good);
        value.put("group.1.hp.lr", Tensor.of(-0.5));
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(value));
        assertEquals("lr must be >= 0, was -0.5 (group 1 of Adam as loaded)", e.getMessage());

        Map<String, Tensor> steps = new HashMap<>(good);
        steps.put("group.0.param.0.step", Tensor.of(new long[] {-3}).reshape());
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(steps));
        assertEquals("Adam state 'group.0.param.0.step': a step count must be >= 0, was -3", e.getMessage());

        // nothing was changed by the refused loads
        assertEquals(0, fresh.groupStep(0));
        assertEquals(1e-2, fresh.lr(1));
        for (Tensor t : fresh.stateDict().values()) if (t.dtype() == DType.FLOAT32) assertEquals(0.0, t.abs().sum().item());
    }

    @Test
    void aFileOfAnotherOptimizerIsRefused() throws IOException {
        Model m = Model.init(1);
        Optimizer opt = new SGD(List.of(ParamGroup.of(m.params)), 0.1);
        Path file = dir.resolve("sgd.safetensors");
        OptimizerState.save(opt, file);
        assertEquals("SGD", Safetensors.load(file).metadata().get("descent.optimizer"));
        var e = assertThrows(IllegalArgumentException.class, () -> OptimizerState.load(adam(Model.init(1)), file));
        assertEquals(file + " holds the state of SGD, not of Adam", e.getMessage());
    }

    @Test
    void srAdamLastShrinkageIsPartOfTheState() {
        Model m = Model.init(3);
        var opt = new SteinRuleAdam(List.of(ParamGroup.of(m.params).with("warmup", 1)), 1e-2);
        train(m, opt, 0, 4);
        double c = opt.lastShrinkage(0);
        assertTrue(c >= 0.1 && c <= 1);
        var fresh = new SteinRuleAdam(List.of(ParamGroup.of(Model.init(3).params).with("warmup", 1)), 1e-2);
        fresh.loadStateDict(opt.stateDict());
        assertEquals(c, fresh.lastShrinkage(0));
        assertEquals(4, fresh.groupStep(0));
    }

    @Test
    void savingWritesAFileOtherReadersCanParse() throws IOException {
        Model m = Model.init(1);
        Optimizer opt = adam(m);
        train(m, opt, 0, 1);
        Path file = dir.resolve("state.safetensors");
        OptimizerState.save(opt, file);
        var contents = Safetensors.load(file);
        assertEquals(Map.of("descent.format", "descent-optimizer-state-1", "descent.optimizer", "Adam"), contents.metadata(),
                "the tags of the files written before OptimizerState existed: they still load");
        assertEquals(opt.stateDict().keySet(), contents.tensors().keySet());
        assertTrue(Files.size(file) > 0);
        for (var e : opt.stateDict().entrySet()) assertTrue(e.getValue().contentEquals(contents.tensors().get(e.getKey())), e.getKey());
    }
}
