package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A multi-layer LSTM over a sequence, as {@code torch.nn.LSTM} (optionally bidirectional, with dropout between layers): layer
 * l runs {@link LSTMCell}'s equations over time on the outputs of layer l − 1. Parameters per layer
 * {@code weight_ih_l<l> [4H, in_l]}, {@code weight_hh_l<l> [4H, H]}, {@code bias_ih_l<l>}, {@code bias_hh_l<l> [4H]}
 * (in_0 = inputSize, in_l = H after), gate order i, f, g, o, all uniform in ±1/√H: a PyTorch state dict of the
 * same configuration loads by name.
 *
 * <p>Calling it: {@link #forward(Tensor, State)} is the full call, {@code (x, (h0, c0)) → (output, (hn, cn))} as
 * in PyTorch, with the pair as a {@link State} record and the result as an {@link Output} record.
 * {@link #forward(Tensor)} starts from zeros and returns the output sequence only, so an LSTM can sit in a
 * {@link Sequential}.
 */
public final class LSTM extends StackedRecurrence {
    /**
     * The hidden and cell state: {@code [D·layers, B, H]} each for {@link LSTM} (also when batch first, as in
     * PyTorch), {@code [B, H]} for {@link LSTMCell}.
     *
     * @param h the hidden state
     * @param c the cell state
     */
    public record State(Tensor h, Tensor c) {}

    /**
     * What a full call returns.
     *
     * @param output the last layer's h at every step, {@code [T, B, D·H]} ({@code [B, T, D·H]} when batch first; D = 2 when bidirectional, else 1)
     * @param state the state after the last step, each {@code [D·layers, B, H]}
     */
    public record Output(Tensor output, State state) {}


    /**
     * A time-major LSTM with biases.
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param numLayers the stacked layers, ≥ 1
     * @param rng the source of the initial parameters, drawn in registration order
     * @throws IllegalArgumentException when a size is below 1
     */
    public LSTM(int inputSize, int hiddenSize, int numLayers, RandomGenerator rng) {
        this(inputSize, hiddenSize, numLayers, true, false, 0, false, rng);
    }

    /**
     * Every option.
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param numLayers the stacked layers, ≥ 1
     * @param bias whether each layer has {@code bias_ih} and {@code bias_hh}
     * @param batchFirst true: input and output {@code [B, T, features]}; false: {@code [T, B, features]}
     * @param rng the source of the initial parameters, drawn in registration order
     * @throws IllegalArgumentException when a size is below 1
     */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, RandomGenerator rng) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, 0, false, rng);
    }

    /**
     * Every option, with dropout between layers (PyTorch's {@code dropout}): in training, each layer's output
     * sequence but the last is dropped with probability {@code dropout} before the next layer reads it. With
     * dropout &gt; 0 (and more than one layer) a {@link Dropout} child named {@code dropout} holds the seed and
     * call counter (Descent's buffers, not in a PyTorch state dict).
     *
     * <p>Bidirectional (PyTorch's {@code bidirectional}): each layer also runs a second set of weights
     * ({@code weight_ih_l<l>_reverse}, …, registered after the forward direction's) from the last step to the first;
     * the layer's output at step t is the two directions' h side by side, {@code [..., 2H]}, and the states are
     * {@code [2·layers, B, H]}, ordered layer 0 forward, layer 0 reverse, layer 1 forward, …
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param numLayers the stacked layers, ≥ 1
     * @param bias whether each layer has {@code bias_ih} and {@code bias_hh}
     * @param batchFirst true: input and output {@code [B, T, features]}; false: {@code [T, B, features]}
     * @param dropout the probability of dropping an element between layers, in [0, 1)
     * @param bidirectional whether each layer also runs backwards in time
     * @param rng the source of the initial parameters (drawn in registration order), then of the dropout seed
     * @throws IllegalArgumentException when a size is below 1 or dropout is outside [0, 1)
     */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional,
                RandomGenerator rng) {
        super("LSTM", 4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, rng);
    }

    /**
     * The output sequence from the zero state.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first)
     * @return the last layer's h at every step, {@code [T, B, D·H]} ({@code [B, T, D·H]} when batch first; D = 2 when bidirectional, else 1)
     * @throws IllegalArgumentException when x has another shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).output();
    }

    /**
     * The full call: {@code (x, (h0, c0)) → (output, (hn, cn))}.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first), T ≥ 1; or unbatched {@code [T, in]},
     *        with states and results without the B dim
     * @param state h0 and c0, each {@code [D·layers, B, H]}, or null for zeros
     * @return the output sequence and the final state
     * @throws IllegalArgumentException when x or the state has another shape
     */
    public Output forward(Tensor x, State state) {
        if (x.dim() == 2) {
            // Unbatched, as PyTorch allows: [T, in] with states [D·layers, H]; run as a batch of one.
            State s = state == null ? null : new State(Recurrence.batchOfOne(this, "h0", state.h()), Recurrence.batchOfOne(this, "c0", state.c()));
            Output o = forward(batchFirst ? x.unsqueeze(0) : x.unsqueeze(1), s);
            return new Output(o.output().squeeze(batchFirst ? 0 : 1), new State(o.state().h().squeeze(1), o.state().c().squeeze(1)));
        }
        Tensor seq = timeMajor(x);
        int b = seq.size(1), n = numLayers * directions;
        if (state != null) {
            Recurrence.checkState(this, "h0", state.h(), n, b, hiddenSize);
            Recurrence.checkState(this, "c0", state.c(), n, b, hiddenSize);
        }
        Tensor[] r = run(seq, new Tensor[] {state == null ? null : state.h(), state == null ? null : state.c()}, (share, st, i) -> {
            State next = LSTMCell.step(share, st[0], st[1], weightHh[i], biasHh[i], hiddenSize);
            return new Tensor[] {next.h(), next.c()};
        });
        return new Output(batchFirst ? r[0].transpose(0, 1) : r[0], new State(r[1], r[2]));
    }


}
