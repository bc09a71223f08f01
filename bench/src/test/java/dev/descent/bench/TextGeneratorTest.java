package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sampling: frequencies against the tempered, top-k-cut softmax written out; greedy; seeds; the model's view cropped to its context. */
class TextGeneratorTest {
    /** A model whose logits at every position are a fixed function of the token there, recording the lengths it is given. */
    static final class Lookup extends Module {
        final transient double[][] table;
        final transient List<Integer> lengths = new ArrayList<>();

        Lookup(double[][] table) {
            this.table = table;
        }

        @Override
        public Tensor forward(Tensor x) {
            int t = x.size(1), v = table.length;
            lengths.add(t);
            long[] ids = x.toLongArray();
            float[] out = new float[t * v];
            for (int i = 0; i < t; i++) for (int j = 0; j < v; j++) out[i * v + j] = (float) table[(int) ids[i]][j];
            return Tensor.of(out, 1, t, v);
        }
    }

    private static double[][] randomTable(int v, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] t = new double[v][v];
        for (double[] row : t) for (int j = 0; j < v; j++) row[j] = r.nextGaussian() * 2;
        return t;
    }

    @Test
    void frequenciesFollowTheTemperedTopKSoftmax() {
        qt().withExamples(30).forAll(integers().between(2, 7), integers().between(0, 7), integers().between(1, 4), longs().all()).checkAssert((v, k, tIdx, seed) -> {
            double temperature = new double[] {0, 0.5, 1, 2, 3}[tIdx];
            double[] logits = randomTable(v, seed)[0];
            TextGenerator g = new TextGenerator(new Lookup(new double[][] {logits}), 4, temperature, k);
            // reference: keep the k largest (ties with the k-th kept), p ∝ exp(l / T)
            double[] sorted = logits.clone();
            java.util.Arrays.sort(sorted);
            double kth = k == 0 || k >= v ? Double.NEGATIVE_INFINITY : sorted[v - k];
            double[] p = new double[v];
            double z = 0;
            for (int i = 0; i < v; i++) {
                p[i] = logits[i] >= kth ? Math.exp(logits[i] / temperature) : 0;
                z += p[i];
            }
            int n = 20_000;
            int[] counts = new int[v];
            SplittableRandom rng = new SplittableRandom(seed);
            for (int s = 0; s < n; s++) counts[g.next(logits, rng)]++;
            for (int i = 0; i < v; i++) {
                double expected = p[i] / z, sd = Math.sqrt(expected * (1 - expected) / n);
                assertEquals(expected, counts[i] / (double) n, 5 * sd + 1e-3, "token " + i + " of " + v + ", k " + k + ", T " + temperature);
            }
        });
    }

    @Test
    void temperatureZeroAndTopKOneAreGreedy() {
        qt().forAll(integers().between(1, 9), longs().all()).checkAssert((v, seed) -> {
            double[] logits = randomTable(v, seed)[0];
            int best = 0;
            for (int i = 1; i < v; i++) if (logits[i] > logits[best]) best = i;
            Lookup m = new Lookup(new double[][] {logits});
            assertEquals(best, new TextGenerator(m, 4, 0, 0).next(logits, new SplittableRandom(seed)));
            assertEquals(best, new TextGenerator(m, 4, 1.5, 1).next(logits, new SplittableRandom(seed)));
        });
    }

    @Test
    void theSameSeedGivesTheSameTokensAndTheModelSeesAtMostItsContext() {
        qt().withExamples(40).forAll(integers().between(1, 6), integers().between(1, 12), integers().between(0, 30), longs().all())
                .checkAssert((context, promptLength, count, seed) -> {
                    double[][] table = randomTable(5, seed);
                    int[] prompt = new int[promptLength];
                    for (int i = 0; i < promptLength; i++) prompt[i] = i % 5;
                    Lookup m = new Lookup(table);
                    TextGenerator g = new TextGenerator(m, context, 1.0, 0);
                    int[] a = g.generate(prompt, count, new SplittableRandom(seed));
                    int[] b = g.generate(prompt, count, new SplittableRandom(seed));
                    assertArrayEquals(a, b);
                    assertEquals(count, a.length);
                    for (int t : m.lengths) assertTrue(t <= context && t >= 1, "the model read " + t + " tokens, context " + context);
                    for (int t : a) assertTrue(t >= 0 && t < 5);
                });
    }

    @Test
    void badSettingsNameTheOption() {
        Lookup m = new Lookup(new double[][] {{0}});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 4, -1, 0)).getMessage().contains("--temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 4, Double.NaN, 0)).getMessage().contains("--temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 4, 1, -1)).getMessage().contains("--top-k"));
        assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 4, 1, 0).generate(new int[0], 3, new SplittableRandom(1)));
    }
}
