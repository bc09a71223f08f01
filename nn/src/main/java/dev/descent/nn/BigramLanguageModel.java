package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * The smallest language model: the logits of the next token are one learned row per current token, a table
 * {@code [vocab, vocab]} read with {@link Tensor#indexSelect}. It is the neural form of bigram counts (its best
 * loss is the bigram model's), the first step from counting to a GPT, and the quickest model to check a text
 * pipeline with.
 */
public final class BigramLanguageModel extends Module {
    private final int vocab;
    private final Parameter table;

    /**
     * A table of zeros: at first every next token is equally likely (loss ln vocab).
     *
     * @param vocab the number of tokens, ≥ 1
     * @throws IllegalArgumentException when {@code vocab < 1}
     */
    public BigramLanguageModel(int vocab) {
        if (vocab < 1) throw new IllegalArgumentException("BigramLanguageModel: the vocabulary size must be >= 1, was " + vocab);
        this.vocab = vocab;
        table = addParameter("table", Tensor.zeros(vocab, vocab));
    }

    /**
     * The next-token logits of every position.
     *
     * @param tokens int64 {@code [batch, T]} token ids in {@code [0, vocab)}
     * @return float32 {@code [batch, T, vocab]}
     * @throws IllegalArgumentException when the input is not a 2-d int64 tensor
     */
    @Override
    public Tensor forward(Tensor tokens) {
        if (tokens.dim() != 2 || tokens.dtype() != DType.INT64) {
            throw new IllegalArgumentException("BigramLanguageModel(" + vocab + "): input must be int64 [batch, T], got " + tokens.dtype() + " "
                    + Shape.format(tokens.shape()));
        }
        return table.indexSelect(0, tokens.reshape(-1)).reshape(tokens.size(0), tokens.size(1), vocab);
    }

    /** {@return the number of tokens} */
    public int vocab() {
        return vocab;
    }
}
