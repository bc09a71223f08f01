package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A multi-layer GRU over a sequence, as {@code torch.nn.GRU} (unidirectional, no dropout between layers): layer l
 * runs {@link GRUCell}'s equations over time on the outputs of layer l − 1. Parameters per layer
 * {@code weight_ih_l<l> [3H, in_l]}, {@code weight_hh_l<l> [3H, H]}, {@code bias_ih_l<l>}, {@code bias_hh_l<l> [3H]},
 * gate order r, z, n, all uniform in ±1/√H: a PyTorch state dict of the same configuration loads by name.
 *
 * <p>Calling it: {@link #forward(Tensor, Tensor)} is the full call, {@code (x, h0) → (output, hn)} as in PyTorch,
 * the result an {@link Output} record. {@link #forward(Tensor)} starts from zeros and returns the output sequence.
 */
public final class GRU extends Module {
    /**
     * What a full call returns.
     *
     * @param output the last layer's h at every step, {@code [T, B, H]} ({@code [B, T, H]} when batch first)
     * @param h the state after the last step, {@code [layers, B, H]}
     */
    public record Output(Tensor output, Tensor h) {}

    private final int inputSize, hiddenSize, numLayers;
    private final boolean batchFirst;
    private final Parameter[] weightIh, weightHh, biasIh, biasHh;

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
        this(inputSize, hiddenSize, numLayers, true, false, rng);
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
        Recurrence.checkSizes("GRU", inputSize, hiddenSize, numLayers);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.batchFirst = batchFirst;
        weightIh = new Parameter[numLayers];
        weightHh = new Parameter[numLayers];
        biasIh = new Parameter[numLayers];
        biasHh = new Parameter[numLayers];
        for (int l = 0; l < numLayers; l++) {
            weightIh[l] = addParameter("weight_ih_l" + l, Tensor.zeros(3 * hiddenSize, l == 0 ? inputSize : hiddenSize));
            weightHh[l] = addParameter("weight_hh_l" + l, Tensor.zeros(3 * hiddenSize, hiddenSize));
            if (bias) {
                biasIh[l] = addParameter("bias_ih_l" + l, Tensor.zeros(3 * hiddenSize));
                biasHh[l] = addParameter("bias_hh_l" + l, Tensor.zeros(3 * hiddenSize));
            }
        }
        Recurrence.initUniform(this, hiddenSize, rng);
    }

    /**
     * The output sequence from the zero state.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first)
     * @return the last layer's h at every step, {@code [T, B, H]} ({@code [B, T, H]} when batch first)
     * @throws IllegalArgumentException when x has another shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).output();
    }

    /**
     * The full call: {@code (x, h0) → (output, hn)}.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first), T ≥ 1
     * @param h0 the initial state {@code [layers, B, H]}, or null for zeros
     * @return the output sequence and the final state
     * @throws IllegalArgumentException when x or h0 has another shape
     */
    public Output forward(Tensor x, Tensor h0) {
        Tensor seq = LSTM.timeMajor(this, x, inputSize, batchFirst);
        int steps = seq.size(0), b = seq.size(1);
        if (h0 != null) Recurrence.checkState(this, "h0", h0, numLayers, b, hiddenSize);
        List<Tensor> hn = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            Tensor h = h0 == null ? Tensor.zeros(seq.dtype(), b, hiddenSize) : h0.select(0, l);
            Tensor gatesX = Recurrence.affine(seq, weightIh[l], biasIh[l]); // every step's input share at once: [T, B, 3H]
            List<Tensor> outs = new ArrayList<>(steps);
            for (int t = 0; t < steps; t++) {
                h = GRUCell.step(gatesX.select(0, t), h, weightHh[l], biasHh[l], hiddenSize);
                outs.add(h);
            }
            seq = Tensor.stack(outs, 0);
            hn.add(h);
        }
        return new Output(batchFirst ? seq.transpose(0, 1) : seq, Tensor.stack(hn, 0));
    }

    @Override
    public String toString() {
        return "GRU(" + inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + (biasIh[0] == null ? ", bias=false" : "")
                + (batchFirst ? ", batch_first=true" : "") + ")";
    }
}
