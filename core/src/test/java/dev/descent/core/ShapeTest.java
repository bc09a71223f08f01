package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.check.QuickTheoriesRandom;
import dev.descent.core.check.TensorGen;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void broadcastFollowsNumPyRules() {
        assertArrayEquals(new int[] {2, 3}, Shape.broadcast("t", new int[] {2, 3}, new int[] {3}));
        assertArrayEquals(new int[] {5, 4, 3}, Shape.broadcast("t", new int[] {5, 1, 3}, new int[] {4, 1}));
        assertArrayEquals(new int[] {2, 0}, Shape.broadcast("t", new int[] {2, 1}, new int[] {0}));
        assertArrayEquals(new int[] {3}, Shape.broadcast("t", new int[] {}, new int[] {3}));
        // QuickTheories makes the generator's choices: a failing pair shrinks to low ranks and sizes of 1.
        qt().forAll(QuickTheoriesRandom.gen(rng -> TensorGen.broadcastPair(rng, 4, 5), Arrays::deepToString)).checkAssert(p -> {
            assertArrayEquals(Ref.broadcastShape(p[0], p[1]), Shape.broadcast("t", p[0], p[1]));
            assertArrayEquals(Shape.broadcast("t", p[1], p[0]), Shape.broadcast("t", p[0], p[1]), "broadcasting is symmetric");
        });
    }

    @Test
    void aShapeErrorNamesTheOpBothShapesAndTheDimension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4, 3)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[4,3]")
                && e.getMessage().contains("dim 0"), e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 2)));
        assertTrue(m.getMessage().contains("[2,3]") && m.getMessage().contains("[4,2]"), m.getMessage());
    }

    @Test
    void dimArgumentsAreCheckedAndMayBeNegative() {
        assertEquals(2, Shape.normalizeDim("t", -1, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(2));
        assertTrue(e.getMessage().contains("dim 2") && e.getMessage().contains("rank 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(new int[] {0, -2}, false));
    }

    @Test
    void matmulHasTorchSemantics() {
        assertArrayEquals(new int[] {}, Tensor.ones(3).matmul(Tensor.ones(3)).shape());
        assertArrayEquals(new int[] {4}, Tensor.ones(3).matmul(Tensor.ones(3, 4)).shape());
        assertArrayEquals(new int[] {2}, Tensor.ones(2, 3).matmul(Tensor.ones(3)).shape());
        assertArrayEquals(new int[] {5, 4, 2, 2}, Tensor.ones(5, 1, 2, 3).matmul(Tensor.ones(4, 3, 2)).shape());
        assertArrayEquals(new int[] {7, 2}, Tensor.ones(7, 2, 3).matmul(Tensor.ones(3)).shape());
        assertEquals(3.0, Tensor.ones(3).matmul(Tensor.ones(3)).item());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 2, 3).matmul(Tensor.ones(3, 3, 2)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(1f).matmul(Tensor.ones(3)));
    }

    @Test
    void reshapeInfersOneDimension() {
        assertArrayEquals(new int[] {2, 6}, Tensor.zeros(3, 4).reshape(2, -1).shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 4).reshape(5, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 4).reshape(-1, -1));
    }
}
