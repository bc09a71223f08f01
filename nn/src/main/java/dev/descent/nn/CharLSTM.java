package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A character-level LSTM language model: embedding, a batch-first multi-layer {@link LSTM}, and a Linear to
 * next-token logits. Children {@code embed}, {@code lstm}, {@code head}.
 *
 * <p>{@link #forward(Tensor)} takes int64 tokens {@code [B, T]} from the zero state and returns logits
 * {@code [B, T, vocab]}; {@link #forward(Tensor, LSTM.State)} carries a state across calls (for sampling one
 * token at a time), returning the logits and the new state.
 */
public final class CharLSTM extends Module {
    private final int vocab;
    private final Embedding embed;
    private final LSTM lstm;
    private final Linear head;

    /**
     * A model; prefer {@link Models#charLstm}.
     *
     * @param vocab the number of token ids, ≥ 1
     * @param embed the embedding width, ≥ 1
     * @param hidden the LSTM's hidden size, ≥ 1
     * @param layers the LSTM's layers, ≥ 1
     * @param rng the source of the initial weights
     * @throws IllegalArgumentException when a size is below 1
     */
    public CharLSTM(int vocab, int embed, int hidden, int layers, RandomGenerator rng) {
        this.vocab = vocab;
        this.embed = addModule("embed", new Embedding(vocab, embed, rng));
        this.lstm = addModule("lstm", new LSTM(embed, hidden, layers, true, true, rng));
        this.head = addModule("head", new Linear(hidden, vocab, rng));
    }

    @Override
    public Tensor forward(Tensor tokens) {
        return forward(tokens, null).output();
    }

    /**
     * Logits and the state after the last token.
     *
     * @param tokens int64 token ids {@code [B, T]}, each in [0, vocab)
     * @param state the LSTM's state, each {@code [layers, B, hidden]}, or null for zeros
     * @return the logits {@code [B, T, vocab]} and the LSTM's final state
     * @throws IllegalArgumentException when tokens are not int64 {@code [B, T]} or the state's shape is wrong
     * @throws IndexOutOfBoundsException when a token id is outside [0, vocab)
     */
    public LSTM.Output forward(Tensor tokens, LSTM.State state) {
        if (tokens.dtype() != DType.INT64 || tokens.dim() != 2) {
            throw new IllegalArgumentException(this + ": tokens must be int64 [B, T], got " + tokens.dtype() + " " + Shape.format(tokens.shape()));
        }
        LSTM.Output o = lstm.forward(embed.call(tokens), state);
        return new LSTM.Output(head.call(o.output()), o.state());
    }

    /**
     * The number of token ids.
     *
     * @return the vocabulary size
     */
    public int vocab() {
        return vocab;
    }

    @Override
    public String toString() {
        return "CharLSTM(" + embed + ", " + lstm + ", " + head + ")";
    }
}
