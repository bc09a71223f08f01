package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 16's math ops at the points the sweep's random inputs do not pin down: defaults, ties, thresholds, kinks. */
class MathOpsTest {

    private static double[] grad(java.util.function.UnaryOperator<Tensor> f, double... x) {
        Tensor t = Tensor.of(x).requiresGrad(true);
        f.apply(t).sum().backward();
        return t.grad().toDoubleArray();
    }

    @Test
    void roundHalvesToEvenAsTorchRound() {
        Tensor x = Tensor.of(new double[] {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 0.5000001});
        assertArrayEquals(new double[] {0, 2, 2, -0.0, -2, -2, 2, 1}, x.round().toDoubleArray());
        assertArrayEquals(new float[] {0, 2, 2, -0f, -2, -2}, Tensor.of(new float[] {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f}).round().toFloatArray());
    }

    @Test
    void stepFunctionsHaveZeroGradientEvenAtTheirJumps() {
        double[] at = {0, 1, 0.5, -2, 3.7};
        assertArrayEquals(new double[5], grad(Tensor::round, at));
        assertArrayEquals(new double[5], grad(Tensor::floor, at));
        assertArrayEquals(new double[5], grad(Tensor::ceil, at));
        assertArrayEquals(new double[5], grad(Tensor::sign, at));
    }

    @Test
    void signKeepsZeroAndNaN() {
        double[] s = Tensor.of(new double[] {-3, -0.0, 0, 2, Double.NaN}).sign().toDoubleArray();
        assertEquals(-1, s[0]);
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(s[1]));
        assertEquals(0.0, s[2]);
        assertEquals(1, s[3]);
        assertTrue(Double.isNaN(s[4]));
    }

    @Test
    void activationDefaultsArePyTorchs() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 3});
        assertArrayEquals(x.leakyRelu(0.01).toDoubleArray(), x.leakyRelu().toDoubleArray());
        assertArrayEquals(x.elu(1.0).toDoubleArray(), x.elu().toDoubleArray());
        assertArrayEquals(x.softplus(1, 20).toDoubleArray(), x.softplus().toDoubleArray());
        assertArrayEquals(new double[] {-0.02, -0.005, 0, 3}, x.leakyRelu().toDoubleArray(), 1e-15);
    }

    @Test
    void softplusIsLinearAboveTheThresholdAndFiniteFarBeyondIt() {
        Tensor x = Tensor.of(new double[] {25, 1e4, -1e4, 0}).requiresGrad(true);
        Tensor y = x.softplus();
        assertArrayEquals(new double[] {25, 1e4, 0, Math.log(2)}, y.toDoubleArray(), 1e-15);
        y.sum().backward();
        assertArrayEquals(new double[] {1, 1, 0, 0.5}, x.grad().toDoubleArray(), 1e-15);
        // β = 2, threshold 1: x = 0.6 gives βx = 1.2 > 1, so x itself
        assertEquals(0.6, Tensor.of(0.6).softplus(2, 1).item(), 0);
        assertEquals(Math.log1p(Math.exp(0.8)) / 2, Tensor.of(0.4).softplus(2, 1).item(), 1e-15);
    }

    @Test
    void kinksTakePyTorchsSubgradients() {
        assertArrayEquals(new double[] {0.2, 1}, grad(t -> t.leakyRelu(0.2), 0, 1));
        assertArrayEquals(new double[] {1.5, 1}, grad(t -> t.elu(1.5), 0, 1));
        double[] g = grad(t -> t.elu(), -800, 800); // e^800 would overflow in the branch not taken
        assertArrayEquals(new double[] {0, 1}, g);
    }

    @Test
    void siluIsXTimesSigmoid() {
        Tensor x = Tensor.randn(DType.FLOAT64, new java.util.SplittableRandom(1), 50);
        assertTrue(x.silu().allClose(x.mul(x.sigmoid()), 1e-15, 1e-15));
        assertTrue(x.to(DType.FLOAT32).silu().allClose(x.mul(x.sigmoid()).to(DType.FLOAT32), 1e-6, 1e-7));
    }

    @Test
    void isfiniteAndIsnanOnEveryDtype() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        assertArrayEquals(new boolean[] {true, false, false, false}, x.isfinite().toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, false}, x.isnan().toBooleanArray());
        assertEquals(DType.BOOL, x.isnan().dtype());
        Tensor ints = Tensor.of(new long[] {1, 2, 3});
        assertArrayEquals(new boolean[] {true, true, true}, ints.isfinite().toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false}, ints.isnan().toBooleanArray());
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        Tensor x = Tensor.of(new double[] {1, 2});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.softplus(0, 20)).getMessage().contains("beta"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.leakyRelu(Double.NaN)).getMessage().contains("NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {1}).sin()).getMessage().contains("INT64"));
        var e = assertThrows(IllegalArgumentException.class, () -> x.maskedFill(Tensor.of(new boolean[] {true, false, true}), 0));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.maskedFill(Tensor.of(new double[] {1, 0}), 0));
        assertFalse(x.maskedFill(Tensor.of(new boolean[] {true, false}), -1).contentEquals(x));
    }

    @Test
    void whereBroadcastsAllThreeOperandsIncludingTheCondition() {
        Tensor cond = Tensor.of(new boolean[] {true, false, false, true}, 2, 2, 1); // the largest rank of the three
        Tensor a = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true), b = Tensor.of(-1.0).requiresGrad(true);
        Tensor y = Tensor.where(cond, a, b);
        assertArrayEquals(new int[] {2, 2, 3}, y.shape());
        assertArrayEquals(new double[] {1, 2, 3, -1, -1, -1, -1, -1, -1, 1, 2, 3}, y.toDoubleArray());
        y.sum().backward();
        assertArrayEquals(new double[] {2, 2, 2}, a.grad().toDoubleArray());
        assertEquals(6, b.grad().item());
    }

    @Test
    void causalMaskHidesTheFutureAndKeepsSoftmaxRowsExact() {
        Tensor m = Tensor.causalMask(3);
        assertEquals(DType.BOOL, m.dtype());
        assertArrayEquals(new boolean[] {false, true, true, false, false, true, false, false, false}, m.toBooleanArray());
        assertArrayEquals(Tensor.ones(DType.FLOAT64, 3, 3).triu(1).toDoubleArray(), m.to(DType.FLOAT64).toDoubleArray());
        Tensor scores = Tensor.randn(DType.FLOAT64, new java.util.SplittableRandom(2), 2, 3, 3).requiresGrad(true);
        Tensor p = scores.maskedFill(m, Double.NEGATIVE_INFINITY).softmax(-1);
        double[] v = p.toDoubleArray();
        for (int b = 0; b < 2; b++) {
            assertEquals(1.0, v[b * 9], 0); // the first query sees only itself
            for (int i = 0; i < 3; i++) for (int j = i + 1; j < 3; j++) assertEquals(0.0, v[b * 9 + i * 3 + j], 0);
        }
        p.mul(Tensor.randn(DType.FLOAT64, new java.util.SplittableRandom(3), 2, 3, 3)).sum().backward();
        double[] g = scores.grad().toDoubleArray();
        for (double x : g) assertTrue(Double.isFinite(x));
        for (int b = 0; b < 2; b++) for (int i = 0; i < 3; i++) for (int j = i + 1; j < 3; j++) assertEquals(0.0, g[b * 9 + i * 3 + j], 0);
    }

    @Test
    void splitAndChunkFollowTorch() {
        Tensor x = Tensor.arange(0, 5, 1, DType.FLOAT64).requiresGrad(true);
        List<Tensor> parts = x.chunk(4, 0);
        assertEquals(List.of(2, 2, 1), parts.stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(2, 2, 1), x.split(2, 0).stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(1, 0, 4), x.split(new int[] {1, 0, 4}, -1).stream().map(t -> t.size(0)).toList());
        assertArrayEquals(new double[] {4}, parts.get(2).toDoubleArray());
        parts.get(0).sum().add(parts.get(2).mul(3).sum()).backward();
        assertArrayEquals(new double[] {1, 1, 0, 0, 3}, x.grad().toDoubleArray());
        var e = assertThrows(IllegalArgumentException.class, () -> x.split(new int[] {2, 2}, 0));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.split(0, 0));
        assertThrows(IllegalArgumentException.class, () -> x.chunk(0, 0));
    }

    @Test
    void repeatTilesLikeTorch() {
        Tensor x = Tensor.of(new double[] {1, 2});
        assertArrayEquals(new int[] {3, 4}, x.repeat(3, 2).shape());
        assertArrayEquals(new double[] {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, x.repeat(3, 2).toDoubleArray());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2).repeat(2)).getMessage().contains("[2,2]"));
    }

    @Test
    void trilAndTriuSplitAMatrix() {
        Tensor x = Tensor.randn(DType.FLOAT64, new java.util.SplittableRandom(4), 2, 3, 4);
        assertTrue(x.tril(0).add(x.triu(1)).allClose(x, 0, 0));
        assertTrue(x.tril(-1).add(x.triu(0)).allClose(x, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).tril());
    }

    @Test
    void prodGradientIsExactWithZeros() {
        // no zero: y/x; one zero: the product of the others at the zero, 0 elsewhere; two zeros: all 0
        assertArrayEquals(new double[] {12, 8, 6}, grad(t -> t.prod(), 2, 3, 4), 1e-15);
        assertArrayEquals(new double[] {0, 8, 0}, grad(t -> t.prod(), 2, 0, 4));
        assertArrayEquals(new double[] {0, 0, 0}, grad(t -> t.prod(), 0, 0, 4));
        Tensor x = Tensor.of(new double[] {0, 5, 2, 3, 0, 0}, 2, 3).requiresGrad(true);
        Tensor y = x.prod(1, false);
        assertArrayEquals(new double[] {0, 0}, y.toDoubleArray());
        y.backward(Tensor.of(new double[] {2, 7}));
        assertArrayEquals(new double[] {20, 0, 0, 0, 0, 0}, x.grad().toDoubleArray());
        for (double v : x.grad().toDoubleArray()) assertTrue(Double.isFinite(v));
        assertEquals(1.0, Tensor.zeros(DType.FLOAT64, 2, 0).prod(1, false).get(0));
    }

    @Test
    void stdIsTheSquareRootOfVar() {
        Tensor x = Tensor.randn(DType.FLOAT64, new java.util.SplittableRandom(5), 3, 4, 5);
        for (int c = 0; c < 2; c++) {
            assertTrue(x.std(new int[] {0, 2}, c, true).allClose(x.var(new int[] {0, 2}, c, true).sqrt(), 0, 0));
        }
        assertEquals(Math.sqrt(x.var().item()), x.std().item(), 0);
    }

    @Test
    void normSubgradientsAtZeroAreZero() {
        assertArrayEquals(new double[] {0, 0, 0}, grad(t -> t.norm(), 0, 0, 0));
        assertArrayEquals(new double[] {0, 1, -1}, grad(t -> t.norm(1), 0, 2, -3));
        assertArrayEquals(new double[] {0.6, -0.8}, grad(t -> t.norm(2), 3, -4), 1e-15);
        assertArrayEquals(new double[] {0, -0.5, 0.5}, grad(t -> t.norm(Double.POSITIVE_INFINITY), 1, -2, 2), 1e-15);
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1}).norm(3));
        assertTrue(e.getMessage().contains("3.0"), e.getMessage());
    }

    @Test
    void cumsumOfIntegersStaysInteger() {
        Tensor c = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).cumsum(1);
        assertEquals(DType.INT64, c.dtype());
        assertArrayEquals(new long[] {1, 3, 6, 4, 9, 15}, c.toLongArray());
        assertArrayEquals(new long[] {1, 2, 3, 5, 7, 9}, Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).cumsum(0).toLongArray());
        assertArrayEquals(new double[] {3, 2, 1}, grad(t -> t.cumsum(0), 1, 1, 1));
    }

    @Test
    void anyAndAllOverEmptyDimsAreTheirIdentities() {
        Tensor e = Tensor.zeros(DType.BOOL, 2, 0);
        assertArrayEquals(new boolean[] {false, false}, e.any(1, false).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true}, e.all(1, false).toBooleanArray());
        Tensor b = Tensor.of(new boolean[] {true, false, true, true}, 2, 2);
        assertEquals(DType.BOOL, b.any().dtype());
        assertArrayEquals(new boolean[] {false, true}, b.all(1, false).toBooleanArray());
        assertArrayEquals(new boolean[] {true}, b.any().reshape(1).toBooleanArray());
    }

    @Test
    void softmaxWithMinusInfinityIsExactAndAFullyMaskedRowIsNaNAsInPyTorch() {
        double inf = Double.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(new double[] {inf, 1, 2, inf, inf, inf, 0.5, inf, -0.5}, 3, 3).requiresGrad(true);
        Tensor p = x.softmax(1);
        double[] v = p.toDoubleArray();
        double e = Math.exp(1) + Math.exp(2);
        assertArrayEquals(new double[] {0, Math.exp(1) / e, Math.exp(2) / e}, java.util.Arrays.copyOfRange(v, 0, 3), 1e-15);
        for (int i = 3; i < 6; i++) assertTrue(Double.isNaN(v[i]), "fully masked row: NaN, as torch.softmax");
        assertEquals(0.0, v[7], 0);
        Tensor w = Tensor.of(new double[] {1, -2, 3, 0, 0, 0, 2, 5, -1}, 3, 3);
        p.mul(w).sum().backward();
        double[] g = x.grad().toDoubleArray();
        for (int i : new int[] {0, 1, 2, 6, 7, 8}) assertTrue(Double.isFinite(g[i]), "row with some −∞: finite gradient at " + i);
        assertEquals(0.0, g[0], 0);
        assertEquals(0.0, g[7], 0);
        // the unmasked entries get the gradient of the softmax of the unmasked entries alone
        Tensor y = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        y.softmax(0).mul(Tensor.of(new double[] {-2, 3})).sum().backward();
        assertArrayEquals(y.grad().toDoubleArray(), new double[] {g[1], g[2]}, 1e-15);

        Tensor z = Tensor.of(new double[] {inf, 1, 2, inf, inf, inf}, 2, 3).requiresGrad(true);
        Tensor l = z.logSoftmax(1);
        double[] lv = l.toDoubleArray();
        assertEquals(inf, lv[0]);
        assertEquals(1 - Math.log(e), lv[1], 1e-15);
        for (int i = 3; i < 6; i++) assertTrue(Double.isNaN(lv[i]), "fully masked row: NaN, as torch.log_softmax");
        l.narrow(0, 0, 1).maskedFill(Tensor.of(new boolean[] {true, false, false}), 0).sum().backward();
        for (int i = 0; i < 3; i++) assertTrue(Double.isFinite(z.grad().toDoubleArray()[i]));
    }
}
