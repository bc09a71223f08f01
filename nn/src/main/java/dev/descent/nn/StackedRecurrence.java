package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What {@link LSTM} and {@link GRU} share: the sizes, PyTorch's parameters per layer and direction
 * ({@code weight_ih_l<l>[_reverse]}, {@code weight_hh_l<l>[_reverse]}, {@code bias_ih_l<l>[_reverse]},
 * {@code bias_hh_l<l>[_reverse]}, with {@code gates·H} rows), their uniform initialisation in registration order, the
 * dropout between layers, and the conversion to time-major input. The layers differ only in their cell and state.
 */
abstract class StackedRecurrence extends Module {
    final int inputSize, hiddenSize, numLayers;
    final boolean batchFirst;
    final int directions;
    final Parameter[] weightIh, weightHh, biasIh, biasHh;
    final Dropout dropout;
    private final String layerName;

    StackedRecurrence(String layerName, int gates, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                      boolean bidirectional, RandomGenerator rng) {
        Recurrence.checkSizes(layerName, inputSize, hiddenSize, numLayers);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException(layerName + ": dropout must be in [0, 1), was " + dropout);
        this.layerName = layerName;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.batchFirst = batchFirst;
        this.directions = bidirectional ? 2 : 1;
        int n = numLayers * directions;
        weightIh = new Parameter[n];
        weightHh = new Parameter[n];
        biasIh = new Parameter[n];
        biasHh = new Parameter[n];
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < directions; d++) {
                int i = l * directions + d;
                String suffix = l + (d == 1 ? "_reverse" : "");
                weightIh[i] = addParameter("weight_ih_l" + suffix, Tensor.zeros(gates * hiddenSize, l == 0 ? inputSize : directions * hiddenSize));
                weightHh[i] = addParameter("weight_hh_l" + suffix, Tensor.zeros(gates * hiddenSize, hiddenSize));
                if (bias) {
                    biasIh[i] = addParameter("bias_ih_l" + suffix, Tensor.zeros(gates * hiddenSize));
                    biasHh[i] = addParameter("bias_hh_l" + suffix, Tensor.zeros(gates * hiddenSize));
                }
            }
        }
        Recurrence.initUniform(this, hiddenSize, rng);
        this.dropout = dropout > 0 && numLayers > 1 ? addModule("dropout", new Dropout(dropout, rng)) : null;
    }

    /** x as {@code [T, B, inputSize]}, checked. */
    final Tensor timeMajor(Tensor x) {
        if (x.dim() != 3 || x.size(2) != inputSize || x.size(0) < 1 || x.size(1) < 1) {
            throw new IllegalArgumentException(this + ": input must be " + (batchFirst ? "[B, T, " : "[T, B, ") + inputSize + "] with B, T >= 1, got "
                    + dev.descent.core.Shape.format(x.shape()));
        }
        return batchFirst ? x.transpose(0, 1) : x;
    }

    /** One time step of a layer's cell: its input share x·W_ihᵀ + b_ih at that step and the state (h first) to the next state. */
    @FunctionalInterface
    interface Cell {
        Tensor[] step(Tensor inputShare, Tensor[] state, int layerAndDirection);
    }

    /**
     * Runs every layer and direction over the time-major {@code seq} [T, B, in] from {@code initial} (each state part
     * [D·layers, B, H], or null for zeros; h first), with dropout between layers.
     *
     * @return the last layer's outputs [T, B, D·H], then each state part after the last step, stacked [D·layers, B, H]
     */
    final Tensor[] run(Tensor seq, Tensor[] initial, Cell cell) {
        int steps = seq.size(0), b = seq.size(1), parts = initial.length;
        List<List<Tensor>> finals = new ArrayList<>();
        for (int p = 0; p < parts; p++) finals.add(new ArrayList<>());
        for (int l = 0; l < numLayers; l++) {
            List<Tensor> both = new ArrayList<>(directions);
            for (int d = 0; d < directions; d++) {
                int i = l * directions + d;
                Tensor[] state = new Tensor[parts];
                for (int p = 0; p < parts; p++) state[p] = initial[p] == null ? Tensor.zeros(seq.dtype(), b, hiddenSize) : initial[p].select(0, i);
                Tensor inputShare = Recurrence.affine(seq, weightIh[i], biasIh[i]); // every step's input share at once: [T, B, gates·H]
                Tensor[] outs = new Tensor[steps];
                for (int k = 0; k < steps; k++) {
                    int t = d == 0 ? k : steps - 1 - k; // the reverse direction runs from the last step to the first
                    state = cell.step(inputShare.select(0, t), state, i);
                    outs[t] = state[0];
                }
                both.add(Tensor.stack(List.of(outs), 0));
                for (int p = 0; p < parts; p++) finals.get(p).add(state[p]);
            }
            seq = directions == 1 ? both.getFirst() : Tensor.cat(both, 2);
            if (dropout != null && l < numLayers - 1) seq = dropout.forward(seq);
        }
        Tensor[] result = new Tensor[parts + 1];
        result[0] = seq;
        for (int p = 0; p < parts; p++) result[p + 1] = Tensor.stack(finals.get(p), 0);
        return result;
    }

    /**
     * Whether input and output are batch first.
     *
     * @return true for {@code [B, T, features]}, false for {@code [T, B, features]}
     */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    public String toString() {
        return layerName + "(" + inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + (biasIh[0] == null ? ", bias=false" : "")
                + (batchFirst ? ", batch_first=true" : "") + (directions == 2 ? ", bidirectional=true" : "")
                + (dropout != null ? ", dropout=" + dropout.p() : "") + ")";
    }
}
