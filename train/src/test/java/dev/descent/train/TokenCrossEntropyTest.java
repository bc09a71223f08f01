package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The language-model loss against a float64 loop over tokens: the mean over all tokens, and sums of per-sequence means. */
class TokenCrossEntropyTest {
    @Test
    void meanAndSumEqualAPlainLoop() {
        qt().forAll(integers().between(1, 5), integers().between(1, 7), integers().between(1, 6), longs().all()).checkAssert((n, t, c, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] logits = new double[n * t * c];
            long[] y = new long[n * t];
            for (int i = 0; i < logits.length; i++) logits[i] = r.nextGaussian() * 3;
            for (int i = 0; i < y.length; i++) y[i] = r.nextInt(c);
            double total = 0, sumOfMeans = 0;
            for (int s = 0; s < n; s++) {
                double seq = 0;
                for (int k = 0; k < t; k++) {
                    int row = (s * t + k) * c;
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int j = 0; j < c; j++) max = Math.max(max, logits[row + j]);
                    for (int j = 0; j < c; j++) z += Math.exp(logits[row + j] - max);
                    double nll = -(logits[row + (int) y[s * t + k]] - max - Math.log(z));
                    total += nll;
                    seq += nll;
                }
                sumOfMeans += seq / t;
            }
            Tensor out = Tensor.of(logits, n, t, c), target = Tensor.of(y, n, t);
            assertEquals(total / (n * t), Loss.tokenCrossEntropy().apply(out, target, Losses.Reduction.MEAN).item(), 1e-9);
            assertEquals(sumOfMeans, Loss.tokenCrossEntropy().apply(out, target, Losses.Reduction.SUM).item(), 1e-9);
        });
    }

    @Test
    void shapesThatDoNotPairAreNamed() {
        Tensor out = Tensor.zeros(2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.tokenCrossEntropy().apply(out, Tensor.of(new long[] {0, 1}, 2), Losses.Reduction.MEAN));
        assertEquals(true, e.getMessage().contains("[2,3,4]"), e.getMessage());
    }
}
