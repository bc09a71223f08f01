package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModuleTest {

    private static Sequential small(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Conv2d(1, 2, 3, 1, 1, rng), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3, rng));
    }

    @Test
    void parametersAndBuffersHaveDeterministicDottedNames() {
        Sequential m = small(1);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), List.copyOf(m.namedBuffers().keySet()));
        assertEquals(9, m.stateDict().size());
        assertEquals("4.bias", m.namedParameters().get("4.bias").name());
    }

    @Test
    void parametersCanBeSelectedByLayerTypeOrName() {
        Sequential m = small(1);
        List<Parameter> conv = m.parameters(Conv2d.class);
        assertEquals(2, conv.size());
        assertSame(m.namedParameters().get("0.weight"), conv.get(0));
        List<Parameter> rest = m.parametersExcept(Conv2d.class);
        assertEquals(4, rest.size());
        assertTrue(rest.stream().noneMatch(conv::contains));
        assertEquals(3, m.parameters(n -> n.endsWith("weight")).size());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Sequential m = new Sequential(new Sequential(new Dropout(0.5)), new Linear(2, 2, new SplittableRandom(1)));
        m.eval();
        assertTrue(m.namedModules().values().stream().noneMatch(Module::isTraining));
        m.train();
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
    }

    @Test
    void loadStateDictNamesEveryProblemAndChangesNothing() {
        Sequential m = small(1);
        Map<String, Tensor> before = new HashMap<>();
        m.stateDict().forEach((k, v) -> before.put(k, v.clone().detach()));
        Map<String, Tensor> bad = new HashMap<>(small(2).stateDict());
        bad.remove("0.bias");
        bad.put("5.weight", Tensor.zeros(1));
        bad.put("4.weight", Tensor.zeros(3, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(bad));
        assertTrue(e.getMessage().contains("missing [0.bias]") && e.getMessage().contains("unexpected [5.weight]")
                && e.getMessage().contains("4.weight") && e.getMessage().contains("[3,5]") && e.getMessage().contains("[3,32]"), e.getMessage());
        m.stateDict().forEach((k, v) -> assertTrue(v.contentEquals(before.get(k)), k + " changed"));
    }

    @Test
    void pytorchDefaultInitialisationHasTheRightBounds() {
        SplittableRandom rng = new SplittableRandom(3);
        Linear l = new Linear(400, 300, rng);
        double bound = 1 / Math.sqrt(400);
        double[] w = l.weight().toDoubleArray();
        double sumSq = 0;
        for (double v : w) {
            assertTrue(Math.abs(v) <= bound);
            sumSq += v * v;
        }
        assertEquals(bound * bound / 3, sumSq / w.length, 0.02 * bound * bound, "variance of U(-b, b) is b²/3");
        for (double v : l.bias().toDoubleArray()) assertTrue(Math.abs(v) <= bound);
        Conv2d c = new Conv2d(8, 16, 3, 1, 1, rng);
        double cb = 1 / Math.sqrt(8 * 9);
        for (double v : c.weight().toDoubleArray()) assertTrue(Math.abs(v) <= cb);
    }

    @Test
    void kaimingAndXavierScales() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor w = Tensor.zeros(DType.FLOAT64, 500, 200);
        Init.kaimingNormal(w, 0, rng);
        assertEquals(2.0 / 200, w.var().item(), 0.03 * 2.0 / 200);
        Init.xavierUniform(w, 1, rng);
        assertEquals(2.0 / 700, w.var().item(), 0.03 * 2.0 / 700);
        assertTrue(w.abs().max().item() <= Math.sqrt(6.0 / 700));
        Tensor a = Init.kaimingUniform(Tensor.zeros(DType.FLOAT64, 50, 20), 0, new SplittableRandom(9));
        Tensor b = Init.kaimingUniform(Tensor.zeros(DType.FLOAT64, 50, 20), 0, new SplittableRandom(9));
        assertTrue(a.contentEquals(b), "same seed, same weights");
    }

    @Test
    void batchNormUpdatesRunningStatisticsWithUnbiasedVariance() {
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = Tensor.of(new float[] {1, 10, 2, 20, 6, 30}, 3, 2);
        Tensor y = bn.forward(x);
        // channel 0: mean 3, biased var 14/3, unbiased 7
        assertEquals(0.1 * 3, bn.runningMean().get(0), 1e-6);
        assertEquals(0.9 + 0.1 * 7, bn.runningVar().get(0), 1e-6);
        assertEquals((1 - 3) / Math.sqrt(14.0 / 3 + 1e-5), y.get(0, 0), 1e-5);
        assertEquals(1L, bn.stateDict().get("num_batches_tracked").getLong());
        bn.eval();
        Tensor z = bn.forward(x);
        assertEquals((1 - 0.3) / Math.sqrt(1.6 + 1e-5), z.get(0, 0), 1e-5);
        assertEquals(1L, bn.stateDict().get("num_batches_tracked").getLong(), "eval does not count batches");
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(3, 5)));
    }

    @Test
    void dropoutDropsAboutPAndScalesTheRest() {
        Dropout d = new Dropout(0.25, 7L);
        Tensor y = d.forward(Tensor.ones(10_000));
        double zeros = y.eq(0).to(DType.FLOAT64).mean().item();
        assertEquals(0.25, zeros, 0.02);
        assertEquals(1 / 0.75, y.max().item(), 1e-6);
        Tensor y2 = d.forward(Tensor.ones(10_000));
        assertFalse(y.contentEquals(y2), "each call draws a new mask");
        d.eval();
        Tensor x = Tensor.ones(5);
        assertSame(x, d.forward(x));
    }

    @Test
    void linearComputesXTimesWTransposedPlusB() {
        Linear l = new Linear(3, 2, new SplittableRandom(5));
        Tensor x = Tensor.randn(new SplittableRandom(6), 4, 3);
        Tensor y = l.forward(x);
        for (int i = 0; i < 4; i++) {
            for (int o = 0; o < 2; o++) {
                double s = l.bias().get(o);
                for (int k = 0; k < 3; k++) s += x.get(i, k) * l.weight().get(o, k);
                assertEquals(s, y.get(i, o), 1e-5);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("[4,5]"), e.getMessage());
    }

    @Test
    void residualAndBasicBlockShapes() {
        SplittableRandom rng = new SplittableRandom(1);
        Residual r = new Residual(new Linear(4, 4, rng));
        Tensor x = Tensor.randn(rng, 2, 4);
        Tensor expected;
        try (var _ = GradMode.noGrad()) {
            expected = x.add(((Linear) r.namedChildren().get("body")).forward(x));
        }
        assertTrue(expected.allClose(r.forward(x), 1e-6, 1e-6));
        BasicBlock down = new BasicBlock(16, 32, 2, rng);
        assertEquals(List.of(2, 32, 4, 4), java.util.Arrays.stream(down.forward(Tensor.randn(rng, 2, 16, 8, 8)).shape()).boxed().toList());
    }
}
