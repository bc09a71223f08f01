package dev.descent.tutorial;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Losses;
import dev.descent.data.Fortunes;
import dev.descent.data.Vocabulary;
import dev.descent.nn.BigramLanguageModel;
import dev.descent.nn.GPT;
import dev.descent.nn.Models;
import dev.descent.nn.Module;
import dev.descent.optim.Adam;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Chapter 11 of the tutorial: from bigram counts to a small GPT. Counts, a bigram network, one head of causal
 * self-attention written out, a tiny {@link GPT} trained until it beats the bigram, and sampling with temperature
 * and top-k from a seeded generator. The text run uses generated sayings (so it needs no files); {@code fortunes}
 * runs it on a slice of Debian's fortunes when they are installed.
 */
public final class Ch11Gpt {
    private Ch11Gpt() {}

    /** The tokens one training window holds, and the GPT's longest sequence. */
    static final int CONTEXT = 16;

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param vocabulary the character vocabulary
     * @param train the training tokens
     * @param validation the validation tokens
     * @param counts the bigram counts of the training tokens, {@code [V][V]}
     * @param uniformLoss ln V, the loss of guessing every character equally likely
     * @param countsLoss the validation loss of the smoothed bigram counts
     * @param bigramLoss the validation loss of the trained bigram network
     * @param gptLoss the validation loss of the trained GPT
     * @param x the attention example's input {@code [T, C]}
     * @param wq the query projection {@code [C, C]}
     * @param wk the key projection {@code [C, C]}
     * @param wv the value projection {@code [C, C]}
     * @param weights the attention weights {@code [T, T]}
     * @param attended the attention's output {@code [T, C]}
     * @param xChanged the input with the rows after {@link #position} replaced
     * @param attendedChanged the attention's output for {@code xChanged}
     * @param position the position whose future was changed
     * @param gpt the trained GPT
     * @param gptCausal whether the GPT's logits up to a position stayed the same when later tokens changed
     * @param prompt the samples' prompt
     * @param samples the samples printed, in order: temperature 1, temperature 0.7 with top-5, temperature 0
     * @param sameSeedAgain the first sample drawn again with the same seed
     */
    public record Result(Vocabulary vocabulary, int[] train, int[] validation, long[][] counts, double uniformLoss, double countsLoss, double bigramLoss,
            double gptLoss, Tensor x, Tensor wq, Tensor wk, Tensor wv, Tensor weights, Tensor attended, Tensor xChanged, Tensor attendedChanged,
            int position, GPT gpt, boolean gptCausal, int[] prompt, String[] samples, String sameSeedAgain) {}

    /**
     * Runs the chapter on generated sayings, or with {@code fortunes} on the first 60 000 characters of Debian's fortunes
     * when they are installed.
     *
     * @param args nothing, or {@code fortunes}
     * @throws IOException when the fortunes exist but cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("fortunes")) {
            if (Fortunes.installed()) {
                String text = Fortunes.text(Fortunes.SYSTEM_DIR);
                run(text.substring(0, Math.min(text.length(), 60_000)));
                return;
            }
            System.out.println("no fortunes under " + Fortunes.SYSTEM_DIR + " (apt-get install fortunes); using generated sayings");
            run();
        } else if (args.length == 0) {
            run();
        } else {
            System.err.println("chapter 11: expected no argument or 'fortunes', got " + String.join(" ", args));
            System.exit(2);
        }
    }

    /**
     * A text of generated sayings: short sentences from a small grammar, drawn from a seeded generator.
     *
     * @param rng the source of the choices
     * @param sentences how many sentences
     * @return the text, one sentence per line
     */
    // tag::sayings[]
    static String sayings(RandomGenerator rng, int sentences) {
        String[] who = {"the cat", "a dog", "my aunt", "the old man", "a small bird", "the teacher", "every child"};
        String[] does = {"sees", "likes", "finds", "eats", "paints", "follows", "forgets"};
        String[] what = {"the moon", "a red apple", "the river", "some bread", "a green hat", "the letter"};
        String[] when = {"", " today", " at night", " again"};
        var text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            text.append(pick(who, rng)).append(' ').append(pick(does, rng)).append(' ').append(pick(what, rng))
                    .append(pick(when, rng)).append(".\n");
        }
        return text.toString();
    }
    // end::sayings[]

    private static String pick(String[] words, RandomGenerator rng) {
        return words[rng.nextInt(words.length)];
    }

    /**
     * Runs the chapter on generated sayings.
     *
     * @return the values the text claims
     */
    public static Result run() {
        return run(sayings(new SplittableRandom(11), 1500));
    }

    /**
     * Runs the chapter on a text.
     *
     * @param text the corpus, at least a few thousand characters
     * @return the values the text claims
     */
    public static Result run(String text) {
        Tutorial.section("data");
        // tag::data[]
        Vocabulary vocab = Vocabulary.characters(text);           // one token per distinct character
        int[] tokens = vocab.encode(text);
        int cut = tokens.length * 9 / 10;                         // the first 90 % trains, the rest validates
        int[] train = Arrays.copyOfRange(tokens, 0, cut), validation = Arrays.copyOfRange(tokens, cut, tokens.length);
        int v = vocab.size();
        System.out.printf("%d characters, %d distinct, %d to train on, %d to validate%n", tokens.length, v, train.length, validation.length);
        System.out.println(text.substring(0, 60).replace("\n", "⏎"));
        // end::data[]

        Tutorial.section("counts");
        // tag::counts[]
        long[][] counts = new long[v][v];                         // counts[a][b]: how often b follows a
        for (int i = 0; i + 1 < train.length; i++) counts[train[i]][train[i + 1]]++;
        double countsLoss = 0;                                    // −ln p(b | a) with add-one smoothing, averaged
        int pairs = 0;
        for (int i = 0; i + 1 < validation.length; i++, pairs++) {
            long[] row = counts[validation[i]];
            long total = Arrays.stream(row).sum();
            countsLoss -= Math.log((row[validation[i + 1]] + 1.0) / (total + v));
        }
        countsLoss /= pairs;
        double uniform = Math.log(v);
        System.out.printf("guessing uniformly: %.2f nats per character%n", uniform);
        System.out.printf("bigram counts:      %.2f nats per character%n", countsLoss);
        // end::counts[]

        Tutorial.section("bigram");
        // tag::bigram[]
        var rng = new SplittableRandom(1);
        var bigram = new BigramLanguageModel(v);                  // a [V, V] table of logits, all zero at first
        train(bigram, train, 300, 0.1, rng);
        double bigramLoss = validationLoss(bigram, validation);
        System.out.printf("bigram network:     %.2f nats per character%n", bigramLoss);
        // end::bigram[]

        Tutorial.section("attention");
        // tag::attention[]
        int t = 6, c = 8;                                         // 6 positions, 8 channels, one head
        var init = new SplittableRandom(2);
        Tensor x = Tensor.randn(init, t, c);
        Tensor wq = Tensor.randn(init, c, c).div(Math.sqrt(c)), wk = Tensor.randn(init, c, c).div(Math.sqrt(c)),
                wv = Tensor.randn(init, c, c).div(Math.sqrt(c));
        Tensor[] weights = new Tensor[1];
        UnaryOperator<Tensor> head = in -> {
            Tensor q = in.matmul(wq), k = in.matmul(wk), val = in.matmul(wv);
            Tensor scores = q.matmul(k.t()).div(Math.sqrt(c));                     // [T, T]: how much t wants s
            scores = scores.maskedFill(Tensor.causalMask(t), Double.NEGATIVE_INFINITY); // true above the diagonal: the future
            weights[0] = scores.softmax(-1);                                       // each row sums to 1 over s ≤ t
            return weights[0].matmul(val);                                         // a weighted average of the values
        };
        Tensor out = head.apply(x);
        System.out.println("attention weights (row t, column s):");
        for (double[] row : rows(weights[0])) System.out.println(format(row));
        // end::attention[]
        Tensor firstWeights = weights[0];

        Tutorial.section("causal");
        // tag::causal[]
        int position = 2;
        Tensor changed = Tensor.cat(List.of(x.narrow(0, 0, position + 1), Tensor.randn(init, t - position - 1, c)), 0); // a new future
        Tensor outChanged = head.apply(changed);
        double past = out.narrow(0, 0, position + 1).sub(outChanged.narrow(0, 0, position + 1)).abs().max().item();
        double future = out.narrow(0, position + 1, t - position - 1).sub(outChanged.narrow(0, position + 1, t - position - 1)).abs().max().item();
        System.out.println("outputs at positions 0.." + position + " unchanged: " + (past == 0));
        System.out.println("outputs after position " + position + " changed:   " + (future > 0));
        // end::causal[]

        Tutorial.section("gpt");
        // tag::gpt[]
        GPT gpt = Models.gpt(v, CONTEXT, 2, 2, 32, new SplittableRandom(3));  // 2 blocks, 2 heads, width 32
        System.out.println(gpt.parameterCount() + " parameters");
        train(gpt, train, 400, 3e-3, rng);
        double gptLoss = validationLoss(gpt, validation);
        System.out.printf("bigram network: %.2f nats per character%n", bigramLoss);
        System.out.printf("tiny GPT:       %.2f nats per character%n", gptLoss);
        // end::gpt[]
        boolean gptCausal = causal(gpt, validation, position);

        Tutorial.section("sample");
        // tag::sample[]
        int[] prompt = vocab.encode(text.substring(0, 4));
        String[] samples = {
            sample(gpt, vocab, prompt, 60, 1.0, 0, new SplittableRandom(7)),   // the model's own distribution
            sample(gpt, vocab, prompt, 60, 0.7, 5, new SplittableRandom(7)),   // cooler, and only the 5 likeliest
            sample(gpt, vocab, prompt, 60, 0.0, 0, new SplittableRandom(7)),   // temperature 0: always the likeliest
        };
        String again = sample(gpt, vocab, prompt, 60, 1.0, 0, new SplittableRandom(7));
        for (String s : samples) System.out.println(s.replace("\n", "⏎"));
        System.out.println("same seed, same text: " + again.equals(samples[0]));
        // end::sample[]
        return new Result(vocab, train, validation, counts, uniform, countsLoss, bigramLoss, gptLoss, x, wq, wk, wv, firstWeights, out, changed, outChanged,
                position, gpt, gptCausal, prompt, samples, again);
    }

    /**
     * Trains a language model with Adam on random windows of the training tokens, 16 windows a step.
     *
     * @param model tokens {@code [B, T]} to logits {@code [B, T, V]}
     * @param tokens the training tokens
     * @param steps how many steps
     * @param lr the learning rate
     * @param rng picks the windows
     */
    // tag::train[]
    static void train(Module model, int[] tokens, int steps, double lr, RandomGenerator rng) {
        var adam = new Adam(model.parameters(), lr);
        for (int step = 1; step <= steps; step++) {
            Tensor[] batch = windows(tokens, 16, rng);                // inputs [16, T] and targets [16, T], shifted by one
            Tensor logits = model.forward(batch[0]);
            Tensor loss = Losses.crossEntropy(logits.reshape(-1, logits.size(2)), batch[1].reshape(-1));
            adam.zeroGrad();
            loss.backward();
            adam.step();
            if (step % 100 == 0) System.out.printf("  step %d: training loss %.2f%n", step, loss.item());
        }
    }
    // end::train[]

    /** {@code count} random windows of {@link #CONTEXT} tokens: the inputs, and the targets one token later. */
    private static Tensor[] windows(int[] tokens, int count, RandomGenerator rng) {
        long[] in = new long[count * CONTEXT], target = new long[count * CONTEXT];
        for (int b = 0; b < count; b++) {
            int start = rng.nextInt(tokens.length - CONTEXT);
            for (int i = 0; i < CONTEXT; i++) {
                in[b * CONTEXT + i] = tokens[start + i];
                target[b * CONTEXT + i] = tokens[start + i + 1];
            }
        }
        return new Tensor[] {Tensor.of(in, count, CONTEXT), Tensor.of(target, count, CONTEXT)};
    }

    /**
     * The mean cross-entropy of predicting every validation token from the ones before it, in windows of
     * {@link #CONTEXT} that do not overlap (the same pairs the counts were scored on, but the last few).
     *
     * @param model the language model
     * @param tokens the validation tokens
     * @return the loss in nats per character
     */
    static double validationLoss(Module model, int[] tokens) {
        int n = (tokens.length - 1) / CONTEXT;
        long[] in = new long[n * CONTEXT], target = new long[n * CONTEXT];
        for (int i = 0; i < n * CONTEXT; i++) {
            in[i] = tokens[i];
            target[i] = tokens[i + 1];
        }
        try (var _ = GradMode.noGrad()) {
            Tensor logits = model.forward(Tensor.of(in, n, CONTEXT));
            return Losses.crossEntropy(logits.reshape(-1, logits.size(2)), Tensor.of(target, n * CONTEXT)).item();
        }
    }

    /** Whether the GPT's logits at positions 0 … p stay the same when the tokens after p change. */
    private static boolean causal(GPT gpt, int[] tokens, int p) {
        long[] a = new long[CONTEXT], b = new long[CONTEXT];
        for (int i = 0; i < CONTEXT; i++) {
            a[i] = tokens[i];
            b[i] = i <= p ? tokens[i] : tokens[CONTEXT + i];
        }
        try (var _ = GradMode.noGrad()) {
            Tensor la = gpt.forward(Tensor.of(a, 1, CONTEXT)).narrow(1, 0, p + 1), lb = gpt.forward(Tensor.of(b, 1, CONTEXT)).narrow(1, 0, p + 1);
            return la.sub(lb).abs().max().item() == 0;
        }
    }

    /**
     * Extends a prompt token by token: the logits of the last position are divided by the temperature, all but the
     * {@code topK} largest are dropped, and the next token is drawn from their softmax.
     *
     * @param model the language model
     * @param vocab its vocabulary
     * @param prompt the tokens to start from
     * @param length how many tokens to add
     * @param temperature 0 for the likeliest token every time
     * @param topK how many of the likeliest tokens may be drawn; 0 for all
     * @param rng the source of the draws
     * @return the prompt and what followed, as text
     */
    // tag::sampler[]
    static String sample(GPT model, Vocabulary vocab, int[] prompt, int length, double temperature, int topK, RandomGenerator rng) {
        int[] text = Arrays.copyOf(prompt, prompt.length + length);
        try (var _ = GradMode.noGrad()) {
            for (int n = prompt.length; n < text.length; n++) {
                int from = Math.max(0, n - model.context());                       // at most the model's context
                long[] window = Arrays.stream(text, from, n).asLongStream().toArray();
                Tensor logits = model.forward(Tensor.of(window, 1, window.length)).select(0, 0).select(0, window.length - 1); // [V]
                if (temperature == 0) {
                    text[n] = (int) logits.argmax().item();
                    continue;
                }
                logits = logits.div(temperature);
                if (topK > 0) {
                    double kth = logits.topk(topK, 0, true, true).values().select(0, topK - 1).item();
                    logits = logits.maskedFill(logits.lt(kth), Double.NEGATIVE_INFINITY);   // drop all but the k largest
                }
                text[n] = (int) Tensor.multinomial(logits.softmax(0), 1, true, rng).item();
            }
        }
        return vocab.decode(text);
    }
    // end::sampler[]

    private static double[][] rows(Tensor m) {
        double[] d = m.toDoubleArray();
        int r = m.size(0), c = m.size(1);
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) System.arraycopy(d, i * c, out[i], 0, c);
        return out;
    }

    private static String format(double[] row) {
        var s = new StringBuilder();
        for (double d : row) s.append(String.format(" %.2f", d));
        return s.toString();
    }
}
