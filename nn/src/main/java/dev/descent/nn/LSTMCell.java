package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * One LSTM step (Hochreiter &amp; Schmidhuber 1997, with a forget gate), PyTorch's gate order i, f, g, o:
 * <pre>
 *   [i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh      (each of width H)
 *   c' = σ(f)·c + σ(i)·tanh(g)
 *   h' = σ(o)·tanh(c')
 * </pre>
 * Parameters {@code weight_ih [4H, in]}, {@code weight_hh [4H, H]}, {@code bias_ih [4H]}, {@code bias_hh [4H]},
 * all uniform in ±1/√H (PyTorch's names, layout and initialisation).
 *
 * <p>{@link #forward(Tensor, LSTM.State)} is the full call: input and state in, the new state out.
 * {@link #forward(Tensor)} starts from zeros and returns h'.
 */
public final class LSTMCell extends Module {
    private final int inputSize, hiddenSize;
    private final Parameter weightIh, weightHh, biasIh, biasHh;

    /**
     * A cell with biases.
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param rng the source of the initial parameters, drawn in registration order
     * @throws IllegalArgumentException when a size is below 1
     */
    public LSTMCell(int inputSize, int hiddenSize, RandomGenerator rng) {
        this(inputSize, hiddenSize, true, rng);
    }

    /**
     * A cell with or without biases.
     *
     * @param inputSize the input features, ≥ 1
     * @param hiddenSize H, ≥ 1
     * @param bias whether to have {@code bias_ih} and {@code bias_hh}
     * @param rng the source of the initial parameters, drawn in registration order
     * @throws IllegalArgumentException when a size is below 1
     */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias, RandomGenerator rng) {
        Recurrence.checkSizes("LSTMCell", inputSize, hiddenSize, 1);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        weightIh = addParameter("weight_ih", Tensor.zeros(4 * hiddenSize, inputSize));
        weightHh = addParameter("weight_hh", Tensor.zeros(4 * hiddenSize, hiddenSize));
        biasIh = bias ? addParameter("bias_ih", Tensor.zeros(4 * hiddenSize)) : null;
        biasHh = bias ? addParameter("bias_hh", Tensor.zeros(4 * hiddenSize)) : null;
        Recurrence.initUniform(this, hiddenSize, rng);
    }

    /**
     * One step from the zero state.
     *
     * @param x the input {@code [B, in]}
     * @return h' {@code [B, H]}
     * @throws IllegalArgumentException when x is not {@code [B, in]}
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).h();
    }

    /**
     * One step.
     *
     * @param x the input {@code [B, in]}, or unbatched {@code [in]} (states and result then without the B dim)
     * @param state h and c, each {@code [B, H]}, or null for zeros
     * @return h' and c', each {@code [B, H]}
     * @throws IllegalArgumentException when x or the state has another shape
     */
    public LSTM.State forward(Tensor x, LSTM.State state) {
        if (x.dim() == 1) {
            // Unbatched: [in] with states [H].
            LSTM.State s = state == null ? null : new LSTM.State(Recurrence.batchOfOne(this, "h", state.h()), Recurrence.batchOfOne(this, "c", state.c()));
            LSTM.State o = forward(x.unsqueeze(0), s);
            return new LSTM.State(o.h().squeeze(0), o.c().squeeze(0));
        }
        if (x.dim() != 2 || x.size(1) != inputSize) {
            throw new IllegalArgumentException(this + ": input must be [B, " + inputSize + "], got " + Shape.format(x.shape()));
        }
        int b = x.size(0);
        Tensor h = state == null ? Tensor.zeros(x.dtype(), b, hiddenSize) : Recurrence.checkState(this, "h", state.h(), b, hiddenSize);
        Tensor c = state == null ? Tensor.zeros(x.dtype(), b, hiddenSize) : Recurrence.checkState(this, "c", state.c(), b, hiddenSize);
        return step(Recurrence.affine(x, weightIh, biasIh), h, c, weightHh, biasHh, hiddenSize);
    }

    /** The step from the input's share of the gates, {@code x·W_ihᵀ + b_ih}: shared with {@link LSTM}. */
    static LSTM.State step(Tensor gatesX, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh, int hidden) {
        Tensor gates = gatesX.add(Recurrence.affine(h, weightHh, biasHh));
        Tensor i = gates.narrow(-1, 0, hidden).sigmoid();
        Tensor f = gates.narrow(-1, hidden, hidden).sigmoid();
        Tensor g = gates.narrow(-1, 2 * hidden, hidden).tanh();
        Tensor o = gates.narrow(-1, 3 * hidden, hidden).sigmoid();
        Tensor c2 = f.mul(c).add(i.mul(g));
        return new LSTM.State(o.mul(c2.tanh()), c2);
    }

    @Override
    public String toString() {
        return "LSTMCell(" + inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=false" : "") + ")";
    }
}
