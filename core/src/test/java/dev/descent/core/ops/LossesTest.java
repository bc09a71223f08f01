package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses.Reduction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The loss cases the registry's random sweep does not pin down: edges, PyTorch's conventions, errors. */
class LossesTest {

    @Test
    void binaryCrossEntropyIsFiniteAtZeroAndOneWithPyTorchsClampAndGradient() {
        Tensor p = Tensor.of(new double[] {0, 1, 0.5}).requiresGrad(true), y = Tensor.of(new double[] {1, 1, 0});
        Tensor loss = Losses.binaryCrossEntropy(p, y, Reduction.NONE);
        assertArrayEquals(new double[] {100, 0, Math.log(2)}, loss.toDoubleArray(), 1e-12);
        loss.sum().backward();
        // (p − y) / max(p(1 − p), 1e-12)
        assertArrayEquals(new double[] {-1e12, 0, 2}, p.grad().toDoubleArray(), 1e-3);
        String m = assertThrows(IllegalArgumentException.class, () -> Losses.binaryCrossEntropy(Tensor.of(new double[] {0.2, 1.5}), Tensor.of(new double[] {0, 1}), Reduction.MEAN)).getMessage();
        assertTrue(m.contains("1.5"), m);
    }

    @Test
    void klDivBatchmeanIsTheDivergencePerSample() {
        double[][] q = {{0.2, 0.8}, {0.5, 0.5}}, t = {{0.5, 0.5}, {0, 1}};
        Tensor logq = Tensor.of(q).log(), target = Tensor.of(t);
        double kl = 0;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) if (t[i][j] > 0) kl += t[i][j] * Math.log(t[i][j] / q[i][j]);
        assertEquals(kl / 2, Losses.klDiv(logq, target, Reduction.BATCHMEAN, false).item(), 1e-12);
        assertEquals(kl / 4, Losses.klDiv(logq, target, Reduction.MEAN, false).item(), 1e-12);
        assertEquals(kl / 2, Losses.klDiv(logq, Tensor.of(new double[][] {{0.5, 0.5}, {1e-300, 1}}).log(), Reduction.BATCHMEAN, true).item(), 1e-12);
        String m = assertThrows(IllegalArgumentException.class, () -> Losses.l1Loss(logq, target, Reduction.BATCHMEAN)).getMessage();
        assertTrue(m.contains("BATCHMEAN") && m.contains("l1Loss"), m);
    }

    @Test
    void weightedCrossEntropyWithoutWeightsOrIgnoredRowsIsThePlainOne() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor logits = Tensor.randn(DType.FLOAT64, rng, 6, 4), y = Tensor.of(new long[] {0, 3, 2, 1, 1, 0});
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            for (double eps : new double[] {0, 0.3}) {
                Tensor a = Losses.crossEntropy(logits, y, null, -100, r, eps), b = Losses.crossEntropy(logits, y, r, eps);
                assertTrue(a.allClose(b, 1e-12, 1e-12), r + " " + eps + ": " + a + " vs " + b);
            }
        }
        // uniform weights change nothing under MEAN (they cancel), and scale SUM
        Tensor w = Tensor.full(2.5, DType.FLOAT64, 4);
        assertEquals(Losses.crossEntropy(logits, y).item(), Losses.crossEntropy(logits, y, w, -100, Reduction.MEAN, 0).item(), 1e-12);
        assertEquals(2.5 * Losses.crossEntropy(logits, y, Reduction.SUM, 0).item(), Losses.crossEntropy(logits, y, w, -100, Reduction.SUM, 0).item(), 1e-12);
    }

    @Test
    void ignoredRowsGetNoLossNoGradientAndAllIgnoredMeanIsNaN() {
        Tensor logits = Tensor.randn(DType.FLOAT64, new SplittableRandom(4), 3, 2).requiresGrad(true);
        Tensor y = Tensor.of(new long[] {1, -100, 0});
        Losses.crossEntropy(logits, y, Tensor.of(new double[] {1, 3}), -100, Reduction.MEAN, 0).backward();
        assertArrayEquals(new double[] {0, 0}, logits.grad().select(0, 1).toDoubleArray());
        assertTrue(Double.isNaN(Losses.crossEntropy(logits, Tensor.of(new long[] {-100, -100, -100}), null, -100, Reduction.MEAN, 0).item()));
        String m = assertThrows(IndexOutOfBoundsException.class, () -> Losses.nllLoss(logits, Tensor.of(new long[] {0, 5, -100}), null, -100, Reduction.SUM)).getMessage();
        assertTrue(m.contains("5") && m.contains("position 1"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, y, Tensor.ones(3), -100, Reduction.SUM, 0)).getMessage();
        assertTrue(m.contains("[3]") && m.contains("[3,2]"), m);
    }

    @Test
    void smoothL1IsHuberOverBeta() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor a = Tensor.randn(DType.FLOAT64, rng, 50).mul(3), b = Tensor.randn(DType.FLOAT64, rng, 50);
        Tensor h = Losses.huberLoss(a, b, Reduction.NONE, 1.5), s = Losses.smoothL1Loss(a, b, Reduction.NONE, 1.5);
        assertTrue(h.div(1.5).allClose(s, 1e-12, 1e-12));
        assertThrows(IllegalArgumentException.class, () -> Losses.huberLoss(a, b, Reduction.MEAN, 0));
        assertThrows(IllegalArgumentException.class, () -> Losses.l1Loss(a, b.reshape(5, 10), Reduction.MEAN));
    }
}
