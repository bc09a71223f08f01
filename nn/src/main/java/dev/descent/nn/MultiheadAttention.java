package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Affine;
import dev.descent.core.ops.Attention;
import java.util.random.RandomGenerator;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017), as {@code torch.nn.MultiheadAttention} with
 * equal query, key and value widths E:
 * <pre>
 *   [Q K V] = [q k v]·W_inᵀ + b_in            (W_in = in_proj_weight [3E, E], rows Q then K then V)
 *   head_i  = softmax(Q_i·K_iᵀ/√d + mask)·V_i (d = E / heads; Q_i the i-th slice of d features)
 *   output  = [head_1 … head_h]·W_outᵀ + b_out (out_proj, a {@link Linear})
 * </pre>
 * Parameters {@code in_proj_weight} (Xavier-uniform), {@code in_proj_bias} (zeros), {@code out_proj.weight}
 * (Linear's default), {@code out_proj.bias} (zeros): PyTorch's names, layout and initialisation. With dropout &gt; 0
 * a {@link Dropout} child named {@code dropout} drops attention weights in training (its buffers are Descent's
 * own, so that resumed runs draw the same masks; at dropout 0 there is none and the state dict is PyTorch's).
 *
 * <p>Masks follow PyTorch's {@code nn.MultiheadAttention}: a bool mask is true where attention is <em>not</em>
 * allowed; a float mask is added to the scores ({@code -inf} forbids). {@code attnMask} is {@code [L, S]} or
 * {@code [B·heads, L, S]}; {@code keyPaddingMask} is {@code [B, S]}, true for keys that are padding. A query row
 * whose every key is masked gives NaN when the weights are asked for (as in PyTorch), and the out-projection's bias
 * otherwise (the fused op's zero row, where PyTorch gives NaN).
 *
 * <p>Without weights the heads run through the fused {@link Attention#scaledDotProductAttention} (its own backward,
 * O(L·S) memory per head); with weights, through the composed matmul, softmax and matmul, which keep the weights.
 *
 * <p>Calling it: {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)} is the full call and
 * returns an {@link Output} record (the output and, when asked, the attention weights). {@link #forward(Tensor)} is
 * self-attention without masks and returns the output only; {@link #forwardCausal(Tensor)} is a decoder's causal
 * self-attention.
 */
public final class MultiheadAttention extends Module {
    /**
     * What a full call returns.
     *
     * @param output the attended values, {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @param weights the attention weights after dropout, {@code [B, L, S]} averaged over heads or
     *        {@code [B, heads, L, S]}; null when not asked for
     */
    public record Output(Tensor output, Tensor weights) {}

    private final int embedDim, numHeads, headDim;
    private final boolean batchFirst;
    private final double dropoutP;
    private final Parameter inProjWeight, inProjBias;
    private final Linear outProj;
    private final Dropout dropout;

    /**
     * Attention without dropout, with biases, time-major ({@code [L, B, E]}), PyTorch's defaults.
     *
     * @param embedDim E, divisible by {@code numHeads}
     * @param numHeads the number of heads, ≥ 1
     * @param rng the source of the initial weights
     * @throws IllegalArgumentException when E is not a positive multiple of the head count
     */
    public MultiheadAttention(int embedDim, int numHeads, RandomGenerator rng) {
        this(embedDim, numHeads, 0, true, false, rng);
    }

    /**
     * Every option.
     *
     * @param embedDim E, divisible by {@code numHeads}
     * @param numHeads the number of heads, ≥ 1
     * @param dropout the probability of dropping an attention weight in training, in [0, 1)
     * @param bias whether the in and out projections have biases
     * @param batchFirst true: inputs and output {@code [B, L, E]}; false: {@code [L, B, E]}
     * @param rng the source of the initial weights (in_proj_weight, then out_proj.weight, then the dropout seed)
     * @throws IllegalArgumentException when E is not a positive multiple of the head count or dropout is outside [0, 1)
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, RandomGenerator rng) {
        if (numHeads < 1 || embedDim < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed dim " + embedDim + " must be a positive multiple of the head count " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), was " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.batchFirst = batchFirst;
        this.dropoutP = dropout;
        inProjWeight = addParameter("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim));
        Init.xavierUniform(inProjWeight, 1, rng);
        inProjBias = bias ? addParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        outProj = addModule("out_proj", new Linear(embedDim, embedDim, bias, rng));
        if (bias) {
            try (var _ = GradMode.noGrad()) {
                outProj.bias().fill(0); // PyTorch zeroes out_proj.bias
            }
        }
        this.dropout = dropout > 0 ? addModule("dropout", new Dropout(dropout, rng)) : null;
    }

    /**
     * Self-attention without masks: {@code forward(x, x, x, null, null, false, true).output()}.
     *
     * @param x the sequence {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @return the output, of x's shape
     * @throws IllegalArgumentException when x has another shape
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, true).output();
    }

    /**
     * The full call with PyTorch's defaults for the weights: {@code needWeights} and averaged over heads.
     *
     * @param query {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @param key {@code [S, B, E]} ({@code [B, S, E]})
     * @param value {@code [S, B, E]} ({@code [B, S, E]})
     * @param keyPaddingMask {@code [B, S]}, bool (true: padding, ignored) or float (added), or null
     * @param attnMask {@code [L, S]} or {@code [B·heads, L, S]}, bool (true: not allowed) or float (added), or null
     * @return the output and the head-averaged weights {@code [B, L, S]}
     * @throws IllegalArgumentException when a shape does not fit
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask) {
        return forward(query, key, value, keyPaddingMask, attnMask, true, true);
    }

    /**
     * The full call.
     *
     * @param query {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @param key {@code [S, B, E]} ({@code [B, S, E]})
     * @param value {@code [S, B, E]} ({@code [B, S, E]})
     * @param keyPaddingMask {@code [B, S]}, bool (true: padding, ignored) or float (added), or null
     * @param attnMask {@code [L, S]} or {@code [B·heads, L, S]}, bool (true: not allowed) or float (added), or null
     * @param needWeights whether to return the attention weights
     * @param averageWeights whether the weights are averaged over heads ({@code [B, L, S]}) or per head ({@code [B, heads, L, S]})
     * @return the output and the weights (null unless {@code needWeights})
     * @throws IllegalArgumentException when a shape does not fit
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean needWeights, boolean averageWeights) {
        return attend(query, key, value, keyPaddingMask, attnMask, false, needWeights, averageWeights);
    }

    /**
     * Causal self-attention: position i attends to positions 0 … i of x only (a decoder's attention, as
     * {@code is_causal=True} with the matching mask in PyTorch), through the fused op, without weights.
     *
     * @param x the sequence {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @return the output, of x's shape
     * @throws IllegalArgumentException when x has another shape
     */
    public Tensor forwardCausal(Tensor x) {
        return attend(x, x, x, null, null, true, false, false).output();
    }

    private Output attend(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal, boolean needWeights,
                          boolean averageWeights) {
        Tensor q = batchMajor("query", query), k = batchMajor("key", key), v = batchMajor("value", value);
        int b = q.size(0), l = q.size(1), s = k.size(1);
        if (k.size(0) != b || !java.util.Arrays.equals(k.shape(), v.shape())) {
            throw new IllegalArgumentException(this + ": key " + Shape.format(key.shape()) + " and value " + Shape.format(value.shape())
                    + " must have the same shape, with the batch of query " + Shape.format(query.shape()));
        }
        Tensor qh, kh, vh;
        // One product per third of the in-projection, also for self-attention: a product over the whole [3E, E] then
        // three narrow views of the result costs, in the backward, three [..., 3E] gradients of zeros (one third each
        // written) and their sums; three products cost three [..., E] input gradients summed.
        qh = heads(project(q, 0), b, l);
        kh = heads(project(k, 1), b, s);
        vh = heads(project(v, 2), b, s);
        Tensor attnM = attnMask == null ? null : attentionMask(attnMask, b, l, s);
        Tensor padM = keyPaddingMask == null ? null : paddingMask(keyPaddingMask, b, s);
        Tensor out, w = null;
        if (!needWeights) {
            // The fused op (one backward, O(L·S) memory per head); it takes one additive mask, true-is-allowed for bools.
            Tensor m = additive(attnM, qh);
            if (padM != null) m = m == null ? additive(padM, qh) : m.add(additive(padM, qh));
            boolean drop = dropout != null && isTraining();
            out = Attention.scaledDotProductAttention(qh, kh, vh, m, causal, drop ? dropout.p() : 0, drop ? dropout.nextGenerator() : null);
        } else {
            Tensor scores = qh.matmul(kh.transpose(2, 3)).mul(1 / Math.sqrt(headDim)); // [B, heads, L, S]
            if (attnM != null) scores = masked(scores, attnM);
            if (padM != null) scores = masked(scores, padM);
            Tensor weights = scores.softmax(-1);
            if (dropout != null) weights = dropout.call(weights);
            out = weights.matmul(vh);
            w = averageWeights ? weights.mean(1) : weights;
        }
        out = outProj.call(out.transpose(1, 2).reshape(b, l, embedDim)); // heads side by side again
        return new Output(batchFirst ? out : out.transpose(0, 1), w);
    }

    /** The attention mask as {@code [L, S]} or {@code [B, heads, L, S]}, after checking its shape. */
    private Tensor attentionMask(Tensor attnMask, int b, int l, int s) {
        if (attnMask.dim() == 2 && attnMask.size(0) == l && attnMask.size(1) == s) return attnMask;
        if (attnMask.dim() == 3 && attnMask.size(0) == b * numHeads && attnMask.size(1) == l && attnMask.size(2) == s) return attnMask.reshape(b, numHeads, l, s);
        throw new IllegalArgumentException(this + ": attention mask " + Shape.format(attnMask.shape()) + " should be [" + l + "," + s + "] or ["
                + b * numHeads + "," + l + "," + s + "]");
    }

    /** The key padding mask as {@code [B, 1, 1, S]}, after checking its shape. */
    private Tensor paddingMask(Tensor keyPaddingMask, int b, int s) {
        if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != b || keyPaddingMask.size(1) != s) {
            throw new IllegalArgumentException(this + ": key padding mask " + Shape.format(keyPaddingMask.shape()) + " should be [" + b + "," + s + "]");
        }
        return keyPaddingMask.reshape(b, 1, 1, s);
    }

    /** A mask in this layer's convention as an additive float mask of x's dtype (bool true: −∞), or null. */
    private static Tensor additive(Tensor mask, Tensor x) {
        if (mask == null) return null;
        if (mask.dtype() == DType.BOOL) return Tensor.zeros(x.dtype(), mask.shape()).maskedFill(mask, Double.NEGATIVE_INFINITY);
        return mask;
    }

    /** The sequence as {@code [B, L, E]}, after checking it. */
    private Tensor batchMajor(String what, Tensor x) {
        if (x.dim() != 3 || x.size(2) != embedDim) {
            throw new IllegalArgumentException(this + ": " + what + " must be " + (batchFirst ? "[B, L, " : "[L, B, ") + embedDim + "], got " + Shape.format(x.shape()));
        }
        return batchFirst ? x : x.transpose(0, 1);
    }

    /** x·W_iᵀ + b_i for the i-th third of the in-projection (0: query, 1: key, 2: value). */
    private Tensor project(Tensor x, int i) {
        return Affine.linear(x, inProjWeight.narrow(0, i * embedDim, embedDim), inProjBias == null ? null : inProjBias.narrow(0, i * embedDim, embedDim));
    }

    /** {@code [B, n, E] → [B, heads, n, d]}. */
    private Tensor heads(Tensor x, int b, int n) {
        return x.reshape(b, n, numHeads, headDim).transpose(1, 2);
    }

    /** Scores with a bool mask's true positions set to −∞, or a float mask added. */
    static Tensor masked(Tensor scores, Tensor mask) {
        return mask.dtype() == DType.BOOL ? scores.maskedFill(mask, Double.NEGATIVE_INFINITY) : scores.add(mask);
    }

    /**
     * The in-projection's weight, rows for Q, K, V in that order.
     *
     * @return {@code in_proj_weight [3E, E]}
     */
    public Parameter inProjWeight() {
        return inProjWeight;
    }

    /**
     * The in-projection's bias.
     *
     * @return {@code in_proj_bias [3E]}, or null when built without biases
     */
    public Parameter inProjBias() {
        return inProjBias;
    }

    /**
     * The out-projection.
     *
     * @return {@code out_proj}, a Linear(E, E)
     */
    public Linear outProj() {
        return outProj;
    }

    /**
     * The number of heads.
     *
     * @return the head count
     */
    public int numHeads() {
        return numHeads;
    }

    /**
     * Whether inputs and output are batch first.
     *
     * @return true for {@code [B, L, E]}, false for {@code [L, B, E]}
     */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    public String toString() {
        return "MultiheadAttention(" + embedDim + ", num_heads=" + numHeads + (dropoutP > 0 ? ", dropout=" + dropoutP : "")
                + (inProjBias == null ? ", bias=false" : "") + (batchFirst ? ", batch_first=true" : "") + ")";
    }
}
