package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** nn's side of what a PyTorch user reaches for: {@code Sequential.append}-style building, a loss object. */
class PyTorchConveniencesTest {

    @Test
    void sequentialAddAppendsTheNextNumberedLayer() {
        var rng = new SplittableRandom(1);
        Sequential s = new Sequential();
        Linear first = new Linear(3, 4, rng);
        assertSame(s, s.add(first).add(new ReLU()).add(new Linear(4, 2, rng)));
        assertEquals(3, s.size());
        assertSame(first, s.get(0));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.namedParameters().keySet()));
        Tensor x = Tensor.randn(new SplittableRandom(2), 5, 3);
        assertTrue(s.forward(x).contentEquals(new Sequential(s.get(0), s.get(1), s.get(2)).forward(x)));
    }

    @Test
    void crossEntropyLossIsTheFunctionWithItsSettings() {
        Tensor logits = Tensor.randn(new SplittableRandom(3), 4, 5), y = Tensor.of(new int[] {0, 4, 2, 2});
        assertTrue(new CrossEntropyLoss().forward(logits, y).contentEquals(Losses.crossEntropy(logits, y)));
        assertTrue(new CrossEntropyLoss(Losses.Reduction.SUM, 0.1).forward(logits, y)
                .contentEquals(Losses.crossEntropy(logits, y, Losses.Reduction.SUM, 0.1)));
        var e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(Losses.Reduction.MEAN, 1.5));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertEquals("CrossEntropyLoss(reduction=SUM, labelSmoothing=0.1)", new CrossEntropyLoss(Losses.Reduction.SUM, 0.1).toString());
    }
}
