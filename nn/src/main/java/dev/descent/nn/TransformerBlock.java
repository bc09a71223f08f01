package dev.descent.nn;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A pre-LayerNorm causal decoder block, as in GPT-2 (Radford et al. 2019): each position attends to itself and
 * the positions before it, never after.
 * <pre>
 *   x = x + attn(ln_1(x), causal mask)
 *   x = x + mlp(ln_2(x))          mlp = Linear(E, 4E) → GELU → Linear(4E, E)
 * </pre>
 * Children {@code ln_1}, {@code attn} (a batch-first {@link MultiheadAttention}), {@code ln_2}, {@code mlp} (a
 * {@link Sequential}: {@code mlp.0} and {@code mlp.2} the Linears). With dropout &gt; 0, the attention weights, the
 * attention's output ({@code dropout}) and the mlp's output ({@code mlp.3}) are dropped in training.
 * Input and output {@code [B, T, E]}.
 */
public final class TransformerBlock extends Module {
    private final LayerNorm ln1;
    private final MultiheadAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;
    private final Dropout dropout;

    /**
     * A block without dropout.
     *
     * @param width E, divisible by {@code heads}
     * @param heads the attention heads
     * @param rng the source of the initial weights
     * @throws IllegalArgumentException when E is not a positive multiple of the head count
     */
    public TransformerBlock(int width, int heads, RandomGenerator rng) {
        this(width, heads, 0, rng);
    }

    /**
     * A block with dropout.
     *
     * @param width E, divisible by {@code heads}
     * @param heads the attention heads
     * @param dropout the dropout probability, in [0, 1)
     * @param rng the source of the initial weights and dropout seeds
     * @throws IllegalArgumentException when E is not a positive multiple of the head count or dropout is out of range
     */
    public TransformerBlock(int width, int heads, double dropout, RandomGenerator rng) {
        ln1 = addModule("ln_1", new LayerNorm(width));
        attn = addModule("attn", new MultiheadAttention(width, heads, dropout, true, true, rng));
        ln2 = addModule("ln_2", new LayerNorm(width));
        mlp = addModule("mlp", new Sequential(new Linear(width, 4 * width, rng), new GELU(), new Linear(4 * width, width, rng)));
        if (dropout > 0) mlp.add(new Dropout(dropout, rng));
        this.dropout = dropout > 0 ? addModule("dropout", new Dropout(dropout, rng)) : null;
    }

    /**
     * The block over a batch of sequences; position t of the output depends on positions 0 … t of the input only.
     *
     * @param x {@code [B, T, E]}
     * @return {@code [B, T, E]}
     * @throws IllegalArgumentException when x is not {@code [B, T, E]}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3) throw new IllegalArgumentException(this + ": input must be [B, T, E], got " + Shape.format(x.shape()));
        Tensor h = ln1.call(x);
        Tensor a = attn.call(h, attn::forwardCausal);
        if (dropout != null) a = dropout.call(a);
        x = x.add(a);
        return x.add(mlp.call(ln2.call(x)));
    }

    /**
     * The attention.
     *
     * @return {@code attn}
     */
    public MultiheadAttention attn() {
        return attn;
    }

    /**
     * The feed-forward block.
     *
     * @return {@code mlp}: Linear, GELU, Linear (and Dropout)
     */
    public Sequential mlp() {
        return mlp;
    }

    @Override
    public String toString() {
        return "TransformerBlock(" + attn + ")";
    }
}
