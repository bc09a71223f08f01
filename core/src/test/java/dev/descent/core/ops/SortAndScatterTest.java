package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases the registry's sweep does not reach: NaN order, zeros in a product's gradient, ties of amax, errors. */
class SortAndScatterTest {

    @Test
    void nanSortsAboveEveryNumberAndTiesKeepTheirOrderInBothDirections() {
        Tensor x = Tensor.of(new double[] {2, Double.NaN, -1, 2, Double.NEGATIVE_INFINITY, 2});
        assertArrayEquals(new long[] {4, 2, 0, 3, 5, 1}, x.argsort(0, false).toLongArray());
        assertArrayEquals(new long[] {1, 0, 3, 5, 2, 4}, x.argsort(0, true).toLongArray());
        Tensor.Sorted top = x.topk(2, 0, false, true);
        assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, -1}, top.values().toDoubleArray());
        assertArrayEquals(new long[] {4, 2}, top.indices().toLongArray());
    }

    @Test
    void topkGradientReachesOnlyTheChosenPositions() {
        Tensor x = Tensor.of(new double[][] {{3, 1, 4, 1.5}, {9, 2, 6, 5}}).requiresGrad(true);
        Tensor.Sorted t = x.topk(2, 1, true, true);
        t.values().mul(Tensor.of(new double[] {10, 1})).sum().backward();
        assertArrayEquals(new double[] {1, 0, 10, 0, 10, 0, 1, 0}, x.grad().toDoubleArray());
    }

    @Test
    void prodGradientIsTheProductOfTheOtherMembersEvenWithZeros() {
        // target 0 receives 2, 0, 3 (one zero); target 1 receives 0, 0 (two zeros); target 2 receives 5
        Tensor self = Tensor.of(new double[] {7, 11, 13, 17}).requiresGrad(true);
        Tensor src = Tensor.of(new double[] {2, 0, 3, 0, 0, 5}).requiresGrad(true);
        Tensor index = Tensor.of(new long[] {0, 0, 0, 1, 1, 2});
        Tensor out = self.scatterReduce(0, index, src, "prod", true);
        assertArrayEquals(new double[] {0, 0, 65, 17}, out.toDoubleArray());
        List<Tensor> g = Autograd.grad(out, List.of(self, src), Tensor.of(new double[] {1, 1, 1, 1}), false);
        assertArrayEquals(new double[] {0, 0, 5, 1}, g.get(0).toDoubleArray());
        assertArrayEquals(new double[] {0, 7 * 2 * 3, 0, 0, 0, 13}, g.get(1).toDoubleArray());
    }

    @Test
    void amaxSharesTheGradientEquallyAmongTies() {
        Tensor self = Tensor.of(new double[] {4, 0}).requiresGrad(true);
        Tensor src = Tensor.of(new double[] {4, 1, 4, -1}).requiresGrad(true);
        Tensor index = Tensor.of(new long[] {0, 0, 0, 1});
        Tensor out = self.scatterReduce(0, index, src, "amax", true);
        assertArrayEquals(new double[] {4, 0}, out.toDoubleArray());
        List<Tensor> g = Autograd.grad(out, List.of(self, src), Tensor.of(new double[] {3, 1}), false);
        assertArrayEquals(new double[] {1, 1}, g.get(0).toDoubleArray());
        assertArrayEquals(new double[] {1, 0, 1, 0}, g.get(1).toDoubleArray());
    }

    @Test
    void meanWithoutSelfDividesByTheCountAndLeavesOtherTargetsAlone() {
        Tensor self = Tensor.of(new double[] {100, 200, 300});
        Tensor out = self.scatterReduce(0, Tensor.of(new long[] {2, 0, 2}), Tensor.of(new double[] {1, 2, 4}), "mean", false);
        assertArrayEquals(new double[] {2, 200, 2.5}, out.toDoubleArray());
        Tensor ints = Tensor.of(new long[] {1, 1}).scatterReduce(0, Tensor.of(new long[] {0, 0}), Tensor.of(new long[] {2, 4}), "mean", true);
        assertEquals(DType.INT64, ints.dtype());
        assertArrayEquals(new long[] {2, 1}, ints.toLongArray()); // (1 + 2 + 4) / 3 rounded toward zero
    }

    @Test
    void badArgumentsNameTheValue() {
        Tensor x = Tensor.zeros(3, 4);
        String m = assertThrows(IllegalArgumentException.class, () -> x.topk(5, 1, true, true)).getMessage();
        assertTrue(m.contains("5") && m.contains("[3,4]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> x.scatterReduce(0, Tensor.of(new long[] {0}, 1, 1), Tensor.zeros(1, 1), "max", true)).getMessage();
        assertTrue(m.contains("'max'"), m);
        m = assertThrows(IndexOutOfBoundsException.class, () -> x.scatter(0, Tensor.of(new long[] {3}, 1, 1), 1.0)).getMessage();
        assertTrue(m.contains("3"), m);
        assertThrows(IllegalArgumentException.class, () -> x.scatter(0, Tensor.zeros(1, 1), Tensor.zeros(1, 1)));
    }
}
