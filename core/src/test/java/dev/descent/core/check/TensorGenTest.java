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
}
