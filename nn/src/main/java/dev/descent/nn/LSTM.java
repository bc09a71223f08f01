package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A multi-layer LSTM over a sequence, as {@code torch.nn.LSTM} (unidirectional, no dropout between layers): layer
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
public final class LSTM extends Module {
    /**
     * The hidden and cell state: {@code [layers, B, H]} each for {@link LSTM} (also when batch first, as in
     * PyTorch), {@code [B, H]} for {@link LSTMCell}.
     *
     * @param h the hidden state
     * @param c the cell state
     */
    public record State(Tensor h, Tensor c) {}

    /**
     * What a full call returns.
     *
     * @param output the last layer's h at every step, {@code [T, B, H]} ({@code [B, T, H]} when batch first)
     * @param state the state after the last step, each {@code [layers, B, H]}
     */
    public record Output(Tensor output, State state) {}

    private final int inputSize, hiddenSize, numLayers;
    private final boolean batchFirst;
    private final Parameter[] weightIh, weightHh, biasIh, biasHh;

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
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, RandomGenerator rng) {
        Recurrence.checkSizes("LSTM", inputSize, hiddenSize, numLayers);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.batchFirst = batchFirst;
        weightIh = new Parameter[numLayers];
        weightHh = new Parameter[numLayers];
        biasIh = new Parameter[numLayers];
        biasHh = new Parameter[numLayers];
        for (int l = 0; l < numLayers; l++) {
            weightIh[l] = addParameter("weight_ih_l" + l, Tensor.zeros(4 * hiddenSize, l == 0 ? inputSize : hiddenSize));
            weightHh[l] = addParameter("weight_hh_l" + l, Tensor.zeros(4 * hiddenSize, hiddenSize));
            if (bias) {
                biasIh[l] = addParameter("bias_ih_l" + l, Tensor.zeros(4 * hiddenSize));
                biasHh[l] = addParameter("bias_hh_l" + l, Tensor.zeros(4 * hiddenSize));
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
     * The full call: {@code (x, (h0, c0)) → (output, (hn, cn))}.
     *
     * @param x the input {@code [T, B, in]} ({@code [B, T, in]} when batch first), T ≥ 1
     * @param state h0 and c0, each {@code [layers, B, H]}, or null for zeros
     * @return the output sequence and the final state
     * @throws IllegalArgumentException when x or the state has another shape
     */
    public Output forward(Tensor x, State state) {
        Tensor seq = timeMajor(this, x, inputSize, batchFirst);
        int steps = seq.size(0), b = seq.size(1);
        if (state != null) {
            Recurrence.checkState(this, "h0", state.h(), numLayers, b, hiddenSize);
            Recurrence.checkState(this, "c0", state.c(), numLayers, b, hiddenSize);
        }
        List<Tensor> hn = new ArrayList<>(), cn = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            Tensor h = state == null ? Tensor.zeros(seq.dtype(), b, hiddenSize) : state.h().select(0, l);
            Tensor c = state == null ? Tensor.zeros(seq.dtype(), b, hiddenSize) : state.c().select(0, l);
            Tensor gatesX = Recurrence.affine(seq, weightIh[l], biasIh[l]); // every step's input share at once: [T, B, 4H]
            List<Tensor> outs = new ArrayList<>(steps);
            for (int t = 0; t < steps; t++) {
                State s = LSTMCell.step(gatesX.select(0, t), h, c, weightHh[l], biasHh[l], hiddenSize);
                h = s.h();
                c = s.c();
                outs.add(h);
            }
            seq = Tensor.stack(outs, 0);
            hn.add(h);
            cn.add(c);
        }
        return new Output(batchFirst ? seq.transpose(0, 1) : seq, new State(Tensor.stack(hn, 0), Tensor.stack(cn, 0)));
    }

    /** x as {@code [T, B, features]}, after checking its shape. */
    static Tensor timeMajor(Module layer, Tensor x, int inputSize, boolean batchFirst) {
        if (x.dim() != 3 || x.size(2) != inputSize || x.size(0) < 1 || x.size(1) < 1) {
            throw new IllegalArgumentException(layer + ": input must be " + (batchFirst ? "[B, T, " : "[T, B, ") + inputSize + "] with B, T >= 1, got "
                    + Shape.format(x.shape()));
        }
        return batchFirst ? x.transpose(0, 1) : x;
    }

    @Override
    public String toString() {
        return "LSTM(" + inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + (biasIh[0] == null ? ", bias=false" : "")
                + (batchFirst ? ", batch_first=true" : "") + ")";
    }
}
