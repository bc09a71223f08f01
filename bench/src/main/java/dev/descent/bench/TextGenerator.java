package dev.descent.bench;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.nn.Module;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Samples tokens from a language model one at a time (autoregressive generation, as nanoGPT's {@code generate}):
 * the model reads the last {@code context} tokens (int64 {@code [1, T]}), the logits of its last position are
 * divided by the temperature, cut to the {@code topK} largest (ties with the k-th kept), and the next token is
 * drawn from their softmax with the caller's generator. Temperature 0 or {@code topK} 1 is greedy: the largest
 * logit, the lowest token among equals. The model runs in eval mode without a graph. Longer sequences are cropped
 * to the model's context on every step, so the prompt and the text may be of any length; only the model's view
 * is cropped.
 *
 * @param model       the language model: int64 {@code [1, T]} to logits {@code [1, T, vocab]}
 * @param context     the most tokens the model reads at once
 * @param temperature divides the logits; 0 for greedy
 * @param topK        sample among this many largest logits (0: all)
 */
public record TextGenerator(Module model, int context, double temperature, int topK) {

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the option of a context below 1, a negative or non-finite temperature or
     *         a negative top-k
     */
    public TextGenerator {
        if (context < 1) throw new IllegalArgumentException("the context must be >= 1, was " + context);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0, was " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0 (0: no cut), was " + topK);
    }

    /**
     * Continues {@code prompt} by {@code count} tokens.
     *
     * @param prompt at least one token
     * @param count  tokens to add
     * @param rng    draws each token (unused when greedy)
     * @return the new tokens only
     * @throws IllegalArgumentException when the prompt is empty or the count negative
     */
    public int[] generate(int[] prompt, int count, RandomGenerator rng) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        if (count < 0) throw new IllegalArgumentException("--tokens must be >= 0, was " + count);
        int[] seq = Arrays.copyOf(prompt, prompt.length + count);
        boolean was = model.isTraining();
        model.eval();
        try (var _ = GradMode.noGrad()) {
            for (int n = prompt.length; n < seq.length; n++) {
                int from = Math.max(0, n - context);
                long[] x = new long[n - from];
                for (int i = 0; i < x.length; i++) x[i] = seq[from + i];
                Tensor logits = model.forward(Tensor.of(x, 1, x.length));
                int v = logits.size(2);
                double[] last = logits.select(1, x.length - 1).reshape(v).toDoubleArray();
                seq[n] = next(last, rng);
            }
        } finally {
            model.train(was);
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    /**
     * The next token from one position's logits.
     *
     * @param logits the logits over the vocabulary
     * @param rng    the draw
     * @return the token
     */
    int next(double[] logits, RandomGenerator rng) {
        int v = logits.length;
        for (double l : logits) if (Double.isNaN(l)) throw new IllegalStateException("the model's logits hold NaN: its weights are not finite");
        if (temperature == 0 || topK == 1) return argmax(logits);
        double cut = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            double[] sorted = logits.clone();
            Arrays.sort(sorted);
            cut = sorted[v - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) if (l >= cut) max = Math.max(max, l);
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] >= cut ? Math.exp((logits[i] - max) / temperature) : 0;
            sum += p[i];
        }
        double u = rng.nextDouble() * sum, acc = 0;
        int lastKept = -1;
        for (int i = 0; i < v; i++) {
            if (p[i] == 0) continue;
            acc += p[i];
            lastKept = i;
            if (u < acc) return i;
        }
        return lastKept >= 0 ? lastKept : argmax(logits); // rounding left u at the very end
    }

    private static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
