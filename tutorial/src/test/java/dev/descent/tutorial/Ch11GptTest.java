package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.nn.GPT;
import dev.descent.tutorial.docs.Captured;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs chapter 11 and checks its claims against references written here in plain doubles: the bigram counts and their
 * loss, the attention head, the causal property of the head and of the trained GPT, the GPT's validation loss, the
 * order of the losses, and the samples (greedy = argmax at each step, top-k draws among the k likeliest, same seed
 * same text).
 */
class Ch11GptTest {
    private static Captured<Ch11Gpt.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch11Gpt::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(11, run.output());
    }

    @Test
    void theCountsAndTheirLossMatchAPlainCount() {
        Ch11Gpt.Result r = run.value();
        int v = r.vocabulary().size();
        int[] train = r.train(), val = r.validation();
        long[][] counts = new long[v][v];
        for (int i = 1; i < train.length; i++) counts[train[i - 1]][train[i]]++;
        for (int a = 0; a < v; a++) assertArrayEquals(counts[a], r.counts()[a], "row " + a);
        double loss = 0;
        for (int i = 1; i < val.length; i++) {
            long rowTotal = 0;
            for (long c : counts[val[i - 1]]) rowTotal += c;
            loss += -Math.log((counts[val[i - 1]][val[i]] + 1.0) / (rowTotal + v));
        }
        assertEquals(loss / (val.length - 1), r.countsLoss(), 1e-12);
        assertEquals(Math.log(v), r.uniformLoss(), 1e-12);
    }

    @Test
    void theLossesFallFromUniformToCountsToTheGptAndTheBigramNetworkMatchesTheCounts() {
        Ch11Gpt.Result r = run.value();
        assertTrue(r.countsLoss() < r.uniformLoss() - 1, r.countsLoss() + " vs " + r.uniformLoss());
        assertEquals(r.countsLoss(), r.bigramLoss(), 0.1, "the bigram network learns the table the counts give");
        assertTrue(r.gptLoss() < r.bigramLoss() - 0.5, "GPT " + r.gptLoss() + " vs bigram " + r.bigramLoss());
        assertTrue(r.gptLoss() < r.countsLoss() - 0.5, "GPT " + r.gptLoss() + " vs counts " + r.countsLoss());
    }

    @Test
    void theGptValidationLossIsTheMeanNegativeLogSoftmaxOfTheNextCharacter() {
        Ch11Gpt.Result r = run.value();
        int t = Ch11Gpt.CONTEXT, windows = (r.validation().length - 1) / t;
        double sum = 0;
        for (int w = 0; w < windows; w++) {
            int[] in = Arrays.copyOfRange(r.validation(), w * t, w * t + t);
            double[][] logits = lastLogits(r.gpt(), in, t);
            for (int p = 0; p < t; p++) sum -= logSoftmax(logits[p])[r.validation()[w * t + p + 1]];
        }
        assertEquals(sum / (windows * t), r.gptLoss(), 1e-4);
    }

    @Test
    void theHeadIsSoftmaxOfMaskedScaledScoresTimesValues() {
        Ch11Gpt.Result r = run.value();
        for (Tensor[] pair : new Tensor[][] {{r.x(), r.attended()}, {r.xChanged(), r.attendedChanged()}}) {
            double[][] x = matrix(pair[0]), q = times(x, matrix(r.wq())), k = times(x, matrix(r.wk())), val = times(x, matrix(r.wv()));
            int t = x.length, c = x[0].length;
            double[][] weights = new double[t][t], out = new double[t][c];
            for (int i = 0; i < t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= i; s++) {
                    double dot = 0;
                    for (int j = 0; j < c; j++) dot += q[i][j] * k[s][j];
                    weights[i][s] = dot / Math.sqrt(c);
                    max = Math.max(max, weights[i][s]);
                }
                double z = 0;
                for (int s = 0; s <= i; s++) z += weights[i][s] = Math.exp(weights[i][s] - max);
                for (int s = 0; s <= i; s++) {
                    weights[i][s] /= z;
                    for (int j = 0; j < c; j++) out[i][j] += weights[i][s] * val[s][j];
                }
            }
            double[][] got = matrix(pair[1]);
            for (int i = 0; i < t; i++) assertArrayEquals(out[i], got[i], 1e-5, "output row " + i);
            if (pair[0] == r.x()) {
                double[][] w = matrix(r.weights());
                for (int i = 0; i < t; i++) {
                    assertArrayEquals(weights[i], w[i], 1e-6, "weights row " + i);
                    for (int s = i + 1; s < t; s++) assertEquals(0.0, w[i][s], 0.0, "the future gets weight exactly 0");
                }
            }
        }
    }

    @Test
    void changingTheFutureLeavesThePastOutputsOfTheHeadAlone() {
        Ch11Gpt.Result r = run.value();
        int p = r.position();
        double[][] x = matrix(r.x()), x2 = matrix(r.xChanged()), out = matrix(r.attended()), out2 = matrix(r.attendedChanged());
        for (int i = 0; i < x.length; i++) {
            if (i <= p) {
                assertArrayEquals(x[i], x2[i], 0.0, "input row " + i + " is kept");
                assertArrayEquals(out[i], out2[i], 0.0, "output row " + i + " must not see the future");
            } else {
                assertTrue(!Arrays.equals(x[i], x2[i]), "input row " + i + " was changed");
            }
        }
        assertTrue(!Arrays.equals(out[x.length - 1], out2[x.length - 1]), "the last output sees the changed inputs");
    }

    @Test
    void theTrainedGptIsCausalOverRandomSequences() {
        Ch11Gpt.Result r = run.value();
        assertTrue(r.gptCausal());
        var rng = new SplittableRandom(99);
        int v = r.vocabulary().size(), t = Ch11Gpt.CONTEXT;
        for (int trial = 0; trial < 5; trial++) {
            int p = rng.nextInt(t - 1);
            int[] a = rng.ints(t, 0, v).toArray(), b = a.clone();
            for (int i = p + 1; i < t; i++) b[i] = rng.nextInt(v);
            double[][] la = lastLogits(r.gpt(), a, t), lb = lastLogits(r.gpt(), b, t);
            for (int i = 0; i <= p; i++) assertArrayEquals(la[i], lb[i], 1e-6, "position " + i + " of trial " + trial + " (changed after " + p + ")");
        }
    }

    @Test
    void sampling() {
        Ch11Gpt.Result r = run.value();
        String[] samples = r.samples();
        String prompt = r.vocabulary().decode(r.prompt());
        for (String s : samples) {
            assertTrue(s.startsWith(prompt), s);
            assertEquals(prompt.length() + 60, s.codePointCount(0, s.length()));
        }
        assertEquals(samples[0], r.sameSeedAgain(), "same seed, same text");
        assertEquals(samples[0], Ch11Gpt.sample(r.gpt(), r.vocabulary(), r.prompt(), 60, 1.0, 0, new SplittableRandom(7)));
        assertNotEquals(samples[0], Ch11Gpt.sample(r.gpt(), r.vocabulary(), r.prompt(), 60, 1.0, 0, new SplittableRandom(8)));

        int[] greedy = r.vocabulary().encode(samples[2]), topK = r.vocabulary().encode(samples[1]);
        for (int n = r.prompt().length; n < greedy.length; n++) {
            double[] g = lastLogits(r.gpt(), window(greedy, n), 0)[0];
            int best = 0;
            for (int j = 1; j < g.length; j++) if (g[j] > g[best]) best = j;
            assertEquals(best, greedy[n], "temperature 0 takes the likeliest token at " + n);

            double[] l = lastLogits(r.gpt(), window(topK, n), 0)[0];
            int larger = 0;
            for (double value : l) if (value > l[topK[n]]) larger++;
            assertTrue(larger < 5, "token " + n + " of the top-5 sample has " + larger + " likelier tokens");
        }
    }

    /** The tokens before n, at most the context. */
    private static int[] window(int[] tokens, int n) {
        return Arrays.copyOfRange(tokens, Math.max(0, n - Ch11Gpt.CONTEXT), n);
    }

    /** The logits of every position (rows = t) or, with rows = 0, of the last position only. */
    private static double[][] lastLogits(GPT gpt, int[] tokens, int rows) {
        try (var _ = GradMode.noGrad()) {
            long[] ids = Arrays.stream(tokens).asLongStream().toArray();
            double[][] all = matrix(gpt.forward(Tensor.of(ids, 1, ids.length)).select(0, 0));
            return rows == 0 ? new double[][] {all[all.length - 1]} : all;
        }
    }

    private static double[] logSoftmax(double[] z) {
        double max = Arrays.stream(z).max().orElseThrow(), sum = 0;
        for (double d : z) sum += Math.exp(d - max);
        double log = max + Math.log(sum);
        return Arrays.stream(z).map(d -> d - log).toArray();
    }

    private static double[][] matrix(Tensor m) {
        double[] d = m.toDoubleArray();
        int rows = m.size(0), cols = m.size(1);
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(d, i * cols, out[i], 0, cols);
        return out;
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) for (int k = 0; k < b.length; k++) for (int j = 0; j < b[0].length; j++) out[i][j] += a[i][k] * b[k][j];
        return out;
    }
}
