package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A Transformer encoder layer (Vaswani et al. 2017), as {@code torch.nn.TransformerEncoderLayer}: self-attention
 * and a feed-forward block {@code linear2(dropout(activation(linear1(x))))}, each with a residual connection and
 * a LayerNorm, either after the residual (post-norm, the default) or before the block (pre-norm,
 * {@code normFirst}):
 * <pre>
 *   post-norm: x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(ff(x)))
 *   pre-norm:  x = x + dropout1(self_attn(norm1(x)));  x = x + dropout2(ff(norm2(x)))
 * </pre>
 * Children {@code self_attn}, {@code linear1}, {@code linear2}, {@code norm1}, {@code norm2}, with PyTorch's names,
 * so that a PyTorch state dict loads by name when dropout is 0. With dropout &gt; 0 there are also {@link Dropout}
 * children {@code dropout}, {@code dropout1}, {@code dropout2} (and {@code self_attn.dropout}), whose seed and
 * call-counter buffers are Descent's own.
 *
 * <p>{@link #forward(Tensor, Tensor, Tensor)} takes PyTorch's masks; {@link #forward(Tensor)} uses none.
 */
public final class TransformerEncoderLayer extends Module {
    private final boolean normFirst, gelu;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1, norm2;
    private final Dropout dropout1, dropout2;

    /**
     * PyTorch's defaults: feed-forward width 2048, dropout 0.1, ReLU, post-norm, time-major ({@code [L, B, E]}).
     *
     * @param dModel E, the model width, divisible by {@code nhead}
     * @param nhead the attention heads
     * @param rng the source of the initial weights and dropout seeds
     * @throws IllegalArgumentException when E is not a positive multiple of the head count
     */
    public TransformerEncoderLayer(int dModel, int nhead, RandomGenerator rng) {
        this(dModel, nhead, 2048, 0.1, "relu", false, false, rng);
    }

    /**
     * Every option (layer norm eps 1e-5, biases on).
     *
     * @param dModel E, the model width, divisible by {@code nhead}
     * @param nhead the attention heads
     * @param dimFeedforward the feed-forward block's inner width, ≥ 1
     * @param dropout the dropout probability everywhere, in [0, 1)
     * @param activation {@code "relu"} or {@code "gelu"}
     * @param normFirst true: pre-norm; false: post-norm
     * @param batchFirst true: {@code [B, L, E]}; false: {@code [L, B, E]}
     * @param rng the source of the initial weights and dropout seeds
     * @throws IllegalArgumentException when a size or the dropout is out of range, or the activation is neither name
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, boolean normFirst, boolean batchFirst,
                                   RandomGenerator rng) {
        if (!activation.equals("relu") && !activation.equals("gelu")) {
            throw new IllegalArgumentException("TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", was \"" + activation + "\"");
        }
        this.normFirst = normFirst;
        this.gelu = activation.equals("gelu");
        selfAttn = addModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, rng));
        linear1 = addModule("linear1", new Linear(dModel, dimFeedforward, rng));
        this.dropout = dropout > 0 ? addModule("dropout", new Dropout(dropout, rng)) : null;
        linear2 = addModule("linear2", new Linear(dimFeedforward, dModel, rng));
        norm1 = addModule("norm1", new LayerNorm(dModel));
        norm2 = addModule("norm2", new LayerNorm(dModel));
        dropout1 = dropout > 0 ? addModule("dropout1", new Dropout(dropout, rng)) : null;
        dropout2 = dropout > 0 ? addModule("dropout2", new Dropout(dropout, rng)) : null;
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * The layer with masks, as PyTorch's {@code forward(src, src_mask, src_key_padding_mask)}.
     *
     * @param src the sequence {@code [L, B, E]} ({@code [B, L, E]} when batch first)
     * @param srcMask {@code [L, L]} or {@code [B·heads, L, L]}, bool (true: not allowed) or float (added), or null
     * @param srcKeyPaddingMask {@code [B, L]}, bool (true: padding) or float (added), or null
     * @return the output, of src's shape
     * @throws IllegalArgumentException when a shape does not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(attentionBlock(norm1.call(x), srcMask, srcKeyPaddingMask));
            return x.add(feedForwardBlock(norm2.call(x)));
        }
        x = norm1.call(x.add(attentionBlock(x, srcMask, srcKeyPaddingMask)));
        return norm2.call(x.add(feedForwardBlock(x)));
    }

    private Tensor attentionBlock(Tensor x, Tensor mask, Tensor padding) {
        Tensor y = selfAttn.forward(x, x, x, padding, mask, false, true).output();
        return dropout1 == null ? y : dropout1.call(y);
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = linear1.call(x);
        h = gelu ? h.gelu() : h.relu();
        if (dropout != null) h = dropout.call(h);
        h = linear2.call(h);
        return dropout2 == null ? h : dropout2.call(h);
    }

    /**
     * Whether the layer normalises before each block (pre-norm) rather than after the residual sum (post-norm).
     *
     * @return {@code norm_first}
     */
    public boolean normFirst() {
        return normFirst;
    }

    /**
     * The feed-forward block's activation.
     *
     * @return {@code "relu"} or {@code "gelu"}
     */
    public String activation() {
        return gelu ? "gelu" : "relu";
    }

    @Override
    public String toString() {
        return "TransformerEncoderLayer(" + selfAttn + ", " + linear1 + ", " + linear2 + (gelu ? ", activation=gelu" : "") + (normFirst ? ", norm_first=true" : "") + ")";
    }
}
