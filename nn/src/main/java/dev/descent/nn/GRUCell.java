package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * One GRU step (Cho et al. 2014), PyTorch's gate order r, z, n with b_hn inside the reset product:
 * <pre>
 *   r  = σ(W_ir·x + b_ir + W_hr·h + b_hr)
 *   z  = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 *   n  = tanh(W_in·x + b_in + r·(W_hn·h + b_hn))
 *   h' = (1 − z)·n + z·h
 * </pre>
 * Parameters {@code weight_ih [3H, in]}, {@code weight_hh [3H, H]}, {@code bias_ih [3H]}, {@code bias_hh [3H]},
 * all uniform in ±1/√H (PyTorch's names, layout and initialisation).
 *
 * <p>{@link #forward(Tensor, Tensor)} is the full call: input and state in, the new state out.
 * {@link #forward(Tensor)} starts from zeros.
 */
public final class GRUCell extends Module {
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
    public GRUCell(int inputSize, int hiddenSize, RandomGenerator rng) {
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
    public GRUCell(int inputSize, int hiddenSize, boolean bias, RandomGenerator rng) {
        Recurrence.checkSizes("GRUCell", inputSize, hiddenSize, 1);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        weightIh = addParameter("weight_ih", Tensor.zeros(3 * hiddenSize, inputSize));
        weightHh = addParameter("weight_hh", Tensor.zeros(3 * hiddenSize, hiddenSize));
        biasIh = bias ? addParameter("bias_ih", Tensor.zeros(3 * hiddenSize)) : null;
        biasHh = bias ? addParameter("bias_hh", Tensor.zeros(3 * hiddenSize)) : null;
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
        return forward(x, null);
    }

    /**
     * One step.
     *
     * @param x the input {@code [B, in]}, or unbatched {@code [in]} (states and result then without the B dim)
     * @param h the state {@code [B, H]}, or null for zeros
     * @return h' {@code [B, H]}
     * @throws IllegalArgumentException when x or h has another shape
     */
    public Tensor forward(Tensor x, Tensor h) {
        if (x.dim() == 1) return forward(x.unsqueeze(0), h == null ? null : Recurrence.batchOfOne(this, "h", h)).squeeze(0); // unbatched: [in], h [H]
        if (x.dim() != 2 || x.size(1) != inputSize) {
            throw new IllegalArgumentException(this + ": input must be [B, " + inputSize + "], got " + Shape.format(x.shape()));
        }
        int b = x.size(0);
        Tensor h0 = h == null ? Tensor.zeros(x.dtype(), b, hiddenSize) : Recurrence.checkState(this, "h", h, b, hiddenSize);
        return step(Recurrence.affine(x, weightIh, biasIh), h0, weightHh, biasHh, hiddenSize);
    }

    /** The step from the input's share of the gates, {@code x·W_ihᵀ + b_ih}: shared with {@link GRU}. */
    static Tensor step(Tensor gatesX, Tensor h, Tensor weightHh, Tensor biasHh, int hidden) {
        Tensor gatesH = Recurrence.affine(h, weightHh, biasHh);
        Tensor r = gatesX.narrow(-1, 0, hidden).add(gatesH.narrow(-1, 0, hidden)).sigmoid();
        Tensor z = gatesX.narrow(-1, hidden, hidden).add(gatesH.narrow(-1, hidden, hidden)).sigmoid();
        Tensor n = gatesX.narrow(-1, 2 * hidden, hidden).add(r.mul(gatesH.narrow(-1, 2 * hidden, hidden))).tanh();
        return n.add(z.mul(h.sub(n))); // (1 − z)·n + z·h
    }

    @Override
    public String toString() {
        return "GRUCell(" + inputSize + ", " + hiddenSize + (biasIh == null ? ", bias=false" : "") + ")";
    }
}
