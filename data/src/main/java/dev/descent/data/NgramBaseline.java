package dev.descent.data;

/**
 * The count-based baselines a language model must beat: the validation cross-entropy (nats per token) of a
 * unigram and a bigram model fitted by counting the training tokens, on exactly the targets the model's
 * validation loss averages (every target of every validation window, the bigram given the token before it,
 * which the model sees too).
 *
 * <p>Smoothing, so that no validation token has probability 0: the unigram adds one to every count (Laplace),
 * {@code p(b) = (c(b) + 1) / (N + V)}; the bigram takes that unigram as a prior of weight {@code V} (a Dirichlet
 * prior, the same total pseudo-count as add-one), {@code p(b | a) = (c(a, b) + V·p(b)) / (c(a) + V)}, which
 * falls back to the unigram for a rare previous token instead of to uniform.
 *
 * @param unigram      validation loss of the unigram model, nats per token
 * @param bigram       validation loss of the bigram model, nats per token
 * @param targets      the number of validation targets averaged
 */
public record NgramBaseline(double unigram, double bigram, long targets) {

    /**
     * Fits both models on {@code train}'s token range and evaluates them on {@code validation}'s windows.
     *
     * @param vocabularySize tokens are in {@code [0, vocabularySize)}
     * @param train          its whole token range is counted (every adjacent pair for the bigram)
     * @param validation     its windows' targets are scored; random offsets are not allowed (they are not fixed targets)
     * @return the two losses in nats
     * @throws IllegalArgumentException when the validation windows are shifted at random, or a token is out of range
     */
    public static NgramBaseline of(int vocabularySize, TextDataset train, TextDataset validation) {
        if (validation.randomOffset()) throw new IllegalArgumentException("the validation windows must be fixed, not shifted at random");
        int v = vocabularySize;
        if (v < 1) throw new IllegalArgumentException("the vocabulary size must be >= 1, was " + v);
        int[] t = train.tokens();
        long[] uni = new long[v];
        long[] pair = new long[Math.multiplyExact(v, v)];
        long[] prev = new long[v];
        for (int i = train.from(); i < train.to(); i++) {
            uni[check(t[i], v)]++;
            if (i > train.from()) {
                pair[t[i - 1] * v + t[i]]++;
                prev[t[i - 1]]++;
            }
        }
        long n = train.to() - train.from();
        double[] pUni = new double[v];
        for (int b = 0; b < v; b++) pUni[b] = (uni[b] + 1.0) / (n + v);
        int[] vt = validation.tokens();
        double sumUni = 0, sumBi = 0;
        long count = 0;
        for (int w = 0; w < validation.size(); w++) {
            int s = validation.windowStart(w);
            for (int k = 0; k < validation.context(); k++) {
                int a = check(vt[s + k], v), b = check(vt[s + k + 1], v);
                sumUni -= Math.log(pUni[b]);
                sumBi -= Math.log((pair[a * v + b] + v * pUni[b]) / (prev[a] + (double) v));
                count++;
            }
        }
        return new NgramBaseline(sumUni / count, sumBi / count, count);
    }

    private static int check(int token, int v) {
        if (token < 0 || token >= v) throw new IllegalArgumentException("token " + token + " is outside [0, " + v + ")");
        return token;
    }

    /**
     * Nats in bits.
     *
     * @param nats a loss in nats
     * @return the same loss in bits ({@code nats / ln 2})
     */
    public static double bits(double nats) {
        return nats / Math.log(2);
    }
}
