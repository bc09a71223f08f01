package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A multi-layer GRU over a sequence, as {@code torch.nn.GRU} (optionally bidirectional, with dropout between layers): layer l
 * runs {@link GRUCell}'s equations over time on the outputs of layer l − 1. Parameters per layer
 * {@code weight_ih_l<l> [3H, in_l]}, {@code weight_hh_l<l> [3H, H]}, {@code bias_ih_l<l>}, {@code bias_hh_l<l> [3H]},
 * gate order r, z, n, all uniform in ±1/√H: a PyTorch state dict of the same configuration loads by name.
 *
 * <p>Calling it: {@link #forward(Tensor, Tensor)} is the full call, {@code (x, h0) → (output, hn)} as in PyTorch,
 * the result an {@link Output} record. {@link #forward(Tensor)} starts from zeros and returns the output sequence.
 */
public final class GRU extends StackedRecurrence {
    /**
     * What a full call returns.
     *
     * @param output the last layer's h at every step, {@code [T, B, D·H]} ({@code [B, T, D·H]} when batch first; D = 2 when bidirectional, else 1)
     * @param h the state after the last step, {@code [D·layers, B, H]}
     */
    public record Output(Tensor output, Tensor h) {}


    /**
     * A time-major GRU with biases.
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param numLayers the stacked layers, ≥ 1
     * @param rng the source of the initial parameters, drawn in registration order
     * @throws IllegalArgumentException when a size is below 1
     */
    public GRU(int inputSize, int hiddenSize, int numLayers, RandomGenerator rng) {
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
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, RandomGenerator rng) {
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
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional,
                RandomGenerator rng) {
        super("GRU", 3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, rng);
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
     * The full call: {@code (x, h0) → (output, hn)}.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first), T ≥ 1; or unbatched {@code [T, in]},
     *        with h0 and the results without the B dim
     * @param h0 the initial state {@code [D·layers, B, H]}, or null for zeros
     * @return the output sequence and the final state
     * @throws IllegalArgumentException when x or h0 has another shape
     */
    public Output forward(Tensor x, Tensor h0) {
        if (x.dim() == 2) {
            // Unbatched, as PyTorch allows: [T, in] with h0 [D·layers, H]; run as a batch of one.
            Output o = forward(batchFirst ? x.unsqueeze(0) : x.unsqueeze(1), h0 == null ? null : Recurrence.batchOfOne(this, "h0", h0));
            return new Output(o.output().squeeze(batchFirst ? 0 : 1), o.h().squeeze(1));
        }
        Tensor seq = timeMajor(x);
        int b = seq.size(1), n = numLayers * directions;
        if (h0 != null) Recurrence.checkState(this, "h0", h0, n, b, hiddenSize);
        Tensor[] r = run(seq, new Tensor[] {h0}, (share, st, i) -> new Tensor[] {GRUCell.step(share, st[0], weightHh[i], biasHh[i], hiddenSize)});
        return new Output(batchFirst ? r[0].transpose(0, 1) : r[0], r[1]);
    }
}
