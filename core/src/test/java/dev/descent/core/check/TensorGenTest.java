package dev.descent.core.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Ref;
import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class TensorGenTest {

    @Test
    void nonContiguousHoldsTheSameValues() {
        // QuickTheories makes the choices (shape, dim order, gap, offset); the values come from a seed it draws.
        Gen<Tensor[]> pairs = QuickTheoriesRandom.gen(rng -> {
            Tensor t = TensorGen.tensor(rng, DType.FLOAT32, TensorGen.shape(rng, 1, 4, 4), TensorGen.Values.NORMAL);
            return new Tensor[] {t, TensorGen.nonContiguous(rng, t)};
        }, p -> Arrays.toString(p[0].shape()) + " strides " + Arrays.toString(p[1].strides()) + " offset " + p[1].storageOffset());
        qt().forAll(pairs).checkAssert(p -> {
            Tensor t = p[0], v = p[1];
            assertArrayEquals(t.shape(), v.shape());
            assertTrue(v.contentEquals(t));
            assertTrue(v.storageOffset() > 0);
            assertFalse(v.numel() > 1 && v.isContiguous());
        });
    }

    @Test
    void pairsAlwaysBroadcast() {
        qt().forAll(QuickTheoriesRandom.gen(rng -> TensorGen.broadcastPair(rng, 4, 4), Arrays::deepToString)).checkAssert(p -> {
            Ref.broadcastShape(p[0], p[1]); // throws when not broadcastable
        });
    }

    @Test
    void edgeProfileProducesTheEdges() {
        SplittableRandom rng = new SplittableRandom(1);
        Set<Double> seen = new HashSet<>();
        boolean subnormal = false;
        for (int i = 0; i < 2000; i++) {
            double v = TensorGen.value(rng, TensorGen.Values.EDGES);
            seen.add(Math.abs(v));
            float f = (float) v;
            subnormal |= v != 0 && (Math.abs(f) < Float.MIN_NORMAL || Math.abs(v) < Double.MIN_NORMAL);
        }
        assertTrue(seen.containsAll(Set.of(0.0, 1.0, 1e4, 1e-4)) && subnormal, "edges seen: " + seen.size());
    }

    @Test
    void shapesIncludeSizeOneDims() {
        SplittableRandom rng = new SplittableRandom(2);
        boolean one = false;
        for (int i = 0; i < 100; i++) for (int d : TensorGen.shape(rng, 1, 3, 5)) one |= d == 1;
        assertTrue(one);
    }

    @Test
    void wellConditionedMatricesAreInvertibleWithASmallConditionNumber() {
        qt().withExamples(50).forAll(QuickTheoriesRandom.gen(rng -> TensorGen.wellConditioned(rng, DType.FLOAT64, new int[] {2}, 1 + rng.nextInt(6)),
                t -> Arrays.toString(t.shape()))).checkAssert(a -> {
            int n = a.size(-1);
            double[] s = dev.descent.core.ops.Linalg.svdvals(a).toDoubleArray();
            for (int b = 0; b < 2; b++) assertTrue(s[b * n] / s[b * n + n - 1] < 2 * n + 2, "condition number " + s[b * n] / s[b * n + n - 1]);
        });
    }

    @Test
    void positiveDefiniteMatricesAreSymmetricWithEigenvaluesAtLeastOne() {
        qt().withExamples(50).forAll(QuickTheoriesRandom.gen(rng -> TensorGen.positiveDefinite(rng, DType.FLOAT64, new int[0], 1 + rng.nextInt(6)),
                t -> Arrays.toString(t.shape()))).checkAssert(a -> {
            assertTrue(a.allClose(a.t(), 0, 0), "symmetric");
            for (double l : dev.descent.core.ops.Linalg.eigvalsh(a).toDoubleArray()) assertTrue(l >= 1 - 1e-12, "eigenvalue " + l);
        });
    }

    @Test
    void probabilitiesArePositiveAndSumToOne() {
        qt().forAll(QuickTheoriesRandom.gen(rng -> TensorGen.probabilities(rng, DType.FLOAT64, TensorGen.shape(rng, 1, 3, 5)),
                t -> Arrays.toString(t.shape()))).checkAssert(p -> {
            for (double v : p.toDoubleArray()) assertTrue(v > 0);
            for (double s : p.sum(-1).toDoubleArray()) assertTrue(Math.abs(s - 1) < 1e-12, "sum " + s);
        });
    }

    @Test
    void tiedValuesAreSortedAndTied() {
        int ties = 0;
        for (int seed = 0; seed < 50; seed++) {
            double[] v = TensorGen.tied(new java.util.SplittableRandom(seed), DType.FLOAT64, new int[] {3, 6}, true).toDoubleArray();
            for (int r = 0; r < 3; r++) {
                for (int i = 1; i < 6; i++) {
                    assertTrue(v[r * 6 + i - 1] <= v[r * 6 + i], "ascending");
                    if (v[r * 6 + i - 1] == v[r * 6 + i]) ties++;
                }
            }
        }
        assertTrue(ties > 100, "ties are common: " + ties);
    }
}
