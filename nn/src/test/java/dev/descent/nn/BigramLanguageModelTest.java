package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bigram language model: logits are the table's rows of the tokens, and the gradient reaches the used rows only, summed over uses. */
class BigramLanguageModelTest {
    @Test
    void logitsAreTheRowsOfTheTokensAndGradientsAddUpPerRow() {
        qt().forAll(integers().between(1, 9), integers().between(1, 4), integers().between(1, 6), longs().all()).checkAssert((v, b, t, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            BigramLanguageModel m = new BigramLanguageModel(v);
            float[] table = new float[v * v];
            for (int i = 0; i < table.length; i++) table[i] = (float) r.nextGaussian();
            m.loadStateDict(java.util.Map.of("table", Tensor.of(table, v, v)));
            long[] tokens = new long[b * t];
            for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(v);
            Tensor out = m.forward(Tensor.of(tokens, b, t));
            assertArrayEquals(new int[] {b, t, v}, out.shape());
            float[] o = out.toFloatArray();
            for (int i = 0; i < tokens.length; i++) for (int j = 0; j < v; j++) assertEquals(table[(int) tokens[i] * v + j], o[i * v + j]);
            // d(sum of all logits · w)/d table[a][j] = Σ over positions holding a of w[position][j]
            float[] w = new float[b * t * v];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            out.mul(Tensor.of(w, b, t, v)).sum().backward();
            double[] expected = new double[v * v];
            for (int i = 0; i < tokens.length; i++) for (int j = 0; j < v; j++) expected[(int) tokens[i] * v + j] += w[i * v + j];
            float[] g = m.parameters().get(0).grad().toFloatArray();
            for (int k = 0; k < g.length; k++) assertEquals(expected[k], g[k], 1e-5);
        });
    }

    @Test
    void rejectsWhatIsNotATokenMatrix() {
        BigramLanguageModel m = new BigramLanguageModel(3);
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.of(new long[] {0, 1}, 2)));
        assertThrows(IllegalArgumentException.class, () -> new BigramLanguageModel(0));
    }
}
