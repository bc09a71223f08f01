package dev.descent.data;

import dev.descent.core.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Fixed-length windows of a token sequence with their next-token targets, for a language model: example
 * {@code i} is the input {@code tokens[s, s + context)} and the target {@code tokens[s + 1, s + context + 1)},
 * both int64 {@code [context]}, so a batch is {@code x, y: [B, context]} and position {@code t} of {@code y}
 * is the token that follows position {@code t} of {@code x}.
 *
 * <p>Window {@code i} starts at {@code s = i·stride}. With {@code randomOffset} each window is shifted by a
 * draw in {@code [0, stride)} from the batch's generator, so successive epochs cut the text at different places
 * while an epoch still covers it about once; the shift is what the {@link DataLoader}'s seeded generator
 * draws, so a seed gives the same batches. Without it (validation) the windows are fixed.
 *
 * <p>{@link #split} divides a sequence by position, as PyTorch tutorials and nanoGPT do: the first part trains,
 * the last part validates, and no window of one reads a token of the other.
 */
public final class TextDataset implements Dataset {
    private final int[] tokens;
    private final int from, to, context, stride, windows;
    private final boolean randomOffset;

    /**
     * The training and validation windows of a sequence.
     *
     * @param train      windows of the first part, shifted at random
     * @param validation fixed windows of the last part
     */
    public record Split(TextDataset train, TextDataset validation) {
        /**
         * Checks that both parts exist.
         *
         * @throws NullPointerException when either is null
         */
        public Split {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(validation, "validation");
        }
    }

    /**
     * Windows over {@code tokens[from, to)}.
     *
     * @param tokens       the token sequence (shared, not copied: do not change it afterwards)
     * @param from         the first token used
     * @param to           one past the last token used
     * @param context      tokens per window
     * @param stride       distance between window starts
     * @param randomOffset shift each window by a draw in {@code [0, stride)} from the batch's generator
     * @throws IllegalArgumentException when the range is out of bounds, the context or stride is below 1, or the range
     *         is too short for one window, naming the sizes
     */
    public TextDataset(int[] tokens, int from, int to, int context, int stride, boolean randomOffset) {
        if (from < 0 || to > tokens.length || from > to) {
            throw new IllegalArgumentException("token range [" + from + ", " + to + ") is outside the sequence of " + tokens.length + " tokens");
        }
        if (context < 1) throw new IllegalArgumentException("context must be >= 1, was " + context);
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, was " + stride);
        long span = randomOffset ? (long) context + stride : (long) context + 1;
        int length = to - from;
        if (length < span) {
            throw new IllegalArgumentException("a text of " + length + " tokens is too short for one window of context " + context
                    + (randomOffset ? " shifted by up to " + (stride - 1) : "") + " plus its target: it needs at least " + span + " tokens");
        }
        this.tokens = tokens;
        this.from = from;
        this.to = to;
        this.context = context;
        this.stride = stride;
        this.randomOffset = randomOffset;
        this.windows = (int) ((length - span) / stride + 1);
    }

    /**
     * Splits {@code tokens} by position: windows of the first {@code 1 − validationFraction} train (stride
     * {@code context}, shifted at random), windows of the rest validate (stride {@code context}, fixed).
     *
     * @param tokens             the token sequence
     * @param context            tokens per window
     * @param validationFraction the share of tokens, at the end, kept for validation, in (0, 1)
     * @return both sets of windows
     * @throws IllegalArgumentException when the fraction is outside (0, 1) or either part is too short for one window
     */
    public static Split split(int[] tokens, int context, double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("the validation fraction must be in (0, 1), was " + validationFraction);
        }
        int cut = (int) Math.floor(tokens.length * (1 - validationFraction));
        if (cut < (long) context * 2 || tokens.length - cut < (long) context + 1) {
            throw new IllegalArgumentException("a text of " + tokens.length + " tokens is too short for context " + context + " with "
                    + Math.round(validationFraction * 100) + "% held out: training needs at least " + 2 * (long) context + " tokens (it has " + cut
                    + ") and validation " + (context + 1L) + " (it has " + (tokens.length - cut) + ")");
        }
        return new Split(new TextDataset(tokens, 0, cut, context, context, true), new TextDataset(tokens, cut, tokens.length, context, context, false));
    }

    /** {@return the number of windows} */
    @Override
    public int size() {
        return windows;
    }

    /** {@return tokens per window} */
    public int context() {
        return context;
    }

    /** {@return the first token of the range this dataset reads} */
    public int from() {
        return from;
    }

    /** {@return one past the last token of the range this dataset reads} */
    public int to() {
        return to;
    }

    /** {@return whether windows are shifted at random} */
    public boolean randomOffset() {
        return randomOffset;
    }

    /** The whole token sequence (shared). */
    int[] tokens() {
        return tokens;
    }

    /**
     * Where window {@code i} starts before any random shift.
     *
     * @param i a window in {@code [0, size())}
     * @return the position of its first input token in the sequence
     */
    public int windowStart(int i) {
        if (i < 0 || i >= windows) throw new IndexOutOfBoundsException("window " + i + " outside [0, " + windows + ")");
        return from + i * stride;
    }

    /**
     * The windows at {@code indices}: inputs and next-token targets, int64 {@code [indices.length, context]}.
     *
     * @param indices windows in {@code [0, size())}
     * @param rng     draws each window's shift, in the order of {@code indices} (unused, and may be null, without random offsets)
     * @return the batch
     */
    @Override
    public Batch batch(int[] indices, RandomGenerator rng) {
        long[] x = new long[indices.length * context], y = new long[indices.length * context];
        for (int b = 0; b < indices.length; b++) {
            int s = windowStart(indices[b]) + (randomOffset && stride > 1 ? rng.nextInt(stride) : 0);
            for (int t = 0; t < context; t++) {
                x[b * context + t] = tokens[s + t];
                y[b * context + t] = tokens[s + t + 1];
            }
        }
        return new Batch(Tensor.of(x, indices.length, context), Tensor.of(y, indices.length, context));
    }
}
