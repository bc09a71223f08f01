package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Linear;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weight averaging: EMA, SWA from a given call and Polyak against the plain definitions (an iterated
 * float64 EMA, the mean of the kept iterates), bitwise resume after save/load, and update_bn's running
 * statistics against the mean over the batches of each batch's mean and unbiased variance, computed
 * directly from the first layer's weights.
 */
class AveragedModelTest {
    static Sequential net(long seed) {
        var rng = new SplittableRandom(seed);
        return new Sequential(new Linear(3, 4, rng), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, rng));
    }

    static List<Tensor> batches(int n, long seed) {
        var rng = new SplittableRandom(seed);
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < n; i++) xs.add(Tensor.randn(rng, 8, 3).mul(2).add(0.5));
        return xs;
    }

    /** One SGD step on the squared output, so the weights move. */
    static void trainStep(Sequential m, SGD opt, Tensor x) {
        opt.zeroGrad();
        m.forward(x).mul(m.forward(x)).mean().backward();
        opt.step();
    }

    static double[] flat(List<Parameter> ps) {
        List<Double> all = new ArrayList<>();
        for (Parameter p : ps) for (double v : p.toDoubleArray()) all.add(v);
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void eachAverageIsItsDefinition() {
        for (AveragedModel.Kind kind : AveragedModel.Kind.values()) {
            Sequential m = net(1);
            var opt = new SGD(List.of(ParamGroup.of(m.parameters())), 0.05);
            long start = kind == AveragedModel.Kind.SWA ? 4 : 0;
            double decay = 0.8;
            AveragedModel avg = switch (kind) {
                case EMA -> AveragedModel.ema(m, net(99), decay);
                case SWA -> AveragedModel.swa(m, net(99), start);
                case POLYAK -> AveragedModel.polyak(m, net(99));
            };
            assertArrayEquals(flat(m.parameters()), flat(avg.averaged().parameters()), 0.0, "the copy starts as the model");
            List<double[]> iterates = new ArrayList<>();
            double[] ema = null;
            for (Tensor x : batches(12, 2)) {
                trainStep(m, opt, x);
                double[] theta = flat(m.parameters());
                iterates.add(theta);
                if (ema == null) ema = theta.clone();
                else for (int k = 0; k < ema.length; k++) ema[k] = decay * ema[k] + (1 - decay) * theta[k];
                avg.update();
            }
            double[] want;
            if (kind == AveragedModel.Kind.EMA) {
                want = ema;
            } else {
                want = new double[iterates.get(0).length];
                List<double[]> kept = iterates.subList((int) start, iterates.size());
                for (double[] it : kept) for (int k = 0; k < want.length; k++) want[k] += it[k] / kept.size();
                assertEquals(kept.size(), avg.nAveraged());
            }
            double[] got = flat(avg.averaged().parameters());
            for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 * Math.max(1, Math.abs(want[k])), kind + " element " + k);
            assertFalse(java.util.Arrays.equals(flat(m.parameters()), got), "the average differs from the last iterate");
        }
    }

    @Test
    void anAverageResumesBitForBit(@TempDir Path dir) throws Exception {
        for (AveragedModel.Kind kind : AveragedModel.Kind.values()) {
            List<Tensor> xs = batches(10, 3);
            Sequential straight = net(5);
            var so = new SGD(List.of(ParamGroup.of(straight.parameters())), 0.05);
            AveragedModel whole = kind == AveragedModel.Kind.EMA ? AveragedModel.ema(straight, net(0), 0.9)
                    : kind == AveragedModel.Kind.SWA ? AveragedModel.swa(straight, net(0), 3) : AveragedModel.polyak(straight, net(0));
            for (Tensor x : xs) {
                trainStep(straight, so, x);
                whole.update();
            }
            Sequential m = net(5);
            var o = new SGD(List.of(ParamGroup.of(m.parameters())), 0.05);
            AveragedModel first = kind == AveragedModel.Kind.EMA ? AveragedModel.ema(m, net(0), 0.9)
                    : kind == AveragedModel.Kind.SWA ? AveragedModel.swa(m, net(0), 3) : AveragedModel.polyak(m, net(0));
            for (int i = 0; i < 5; i++) {
                trainStep(m, o, xs.get(i));
                first.update();
            }
            Path f = dir.resolve(kind + ".safetensors");
            first.save(f);
            AveragedModel second = kind == AveragedModel.Kind.EMA ? AveragedModel.ema(m, net(42), 0.9)
                    : kind == AveragedModel.Kind.SWA ? AveragedModel.swa(m, net(42), 3) : AveragedModel.polyak(m, net(42));
            second.load(f);
            assertEquals(5, second.calls());
            for (int i = 5; i < xs.size(); i++) {
                trainStep(m, o, xs.get(i));
                second.update();
            }
            assertArrayEquals(flat(whole.averaged().parameters()), flat(second.averaged().parameters()), 0.0, kind.toString());
            assertEquals(whole.nAveraged(), second.nAveraged());
            if (kind != AveragedModel.Kind.EMA) {
                var e = assertThrows(IllegalArgumentException.class, () -> AveragedModel.ema(m, net(1), 0.9).load(f));
                assertTrue(e.getMessage().contains("not EMA"), e.getMessage());
            }
        }
    }

    @Test
    void updateBatchNormGivesTheMeanOfTheBatchStatistics() {
        Sequential m = net(8);
        var bn = (BatchNorm1d) m.namedModules().get("1");
        var lin = (Linear) m.namedModules().get("0");
        m.eval();
        List<Tensor> xs = batches(5, 9);
        for (Tensor x : xs) m.train().forward(x); // stale statistics to overwrite
        m.eval();
        AveragedModel.updateBatchNorm(m, xs);
        double[] w = lin.weight().toDoubleArray(), b = lin.bias().toDoubleArray();
        double[] mean = new double[4], var = new double[4];
        for (Tensor x : xs) {
            double[] xv = x.toDoubleArray();
            int n = 8;
            for (int c = 0; c < 4; c++) {
                double[] h = new double[n];
                for (int r = 0; r < n; r++) {
                    h[r] = b[c];
                    for (int i = 0; i < 3; i++) h[r] += w[c * 3 + i] * xv[r * 3 + i];
                }
                double mu = 0, ss = 0;
                for (double v : h) mu += v / n;
                for (double v : h) ss += (v - mu) * (v - mu);
                mean[c] += mu / xs.size();
                var[c] += ss / (n - 1) / xs.size();
            }
        }
        double[] gotMean = bn.runningMean().toDoubleArray(), gotVar = bn.runningVar().toDoubleArray();
        for (int c = 0; c < 4; c++) {
            assertEquals(mean[c], gotMean[c], 1e-5 * Math.max(1, Math.abs(mean[c])), "running_mean " + c);
            assertEquals(var[c], gotVar[c], 1e-5 * Math.max(1, var[c]), "running_var " + c);
        }
        assertEquals(5, (long) bn.namedBuffers().get("num_batches_tracked").item());
        assertEquals(0.1, bn.momentum());
        assertFalse(bn.cumulativeAverage(), "the momentum comes back");
        assertFalse(m.isTraining(), "the training flag comes back");
    }

    @Test
    void badArgumentsAreNamed() {
        Sequential m = net(1);
        assertEquals("EMA decay must be in [0, 1], was 1.5", assertThrows(IllegalArgumentException.class, () -> AveragedModel.ema(m, net(2), 1.5)).getMessage());
        assertEquals("SWA start must be >= 0, was -1", assertThrows(IllegalArgumentException.class, () -> AveragedModel.swa(m, net(2), -1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> AveragedModel.polyak(m, m));
        var rng = new SplittableRandom(1);
        var e = assertThrows(IllegalArgumentException.class, () -> AveragedModel.polyak(m, new Sequential(new Linear(3, 4, rng))));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
    }
}
