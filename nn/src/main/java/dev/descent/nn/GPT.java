package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A small decoder-only Transformer language model in GPT-2's shape (Radford et al. 2019): token and learned
 * position embeddings, pre-LayerNorm causal {@link TransformerBlock}s, a final LayerNorm, and an output
 * projection tied to the token embedding (logits = h·W_teᵀ: one parameter serves both ends).
 * <pre>
 *   x = wte[tokens] + wpe[0 … T−1];   x = h.0(x) … h.(L−1)(x);   logits = ln_f(x)·wteᵀ
 * </pre>
 * Children {@code wte}, {@code wpe}, {@code h} (a {@link Sequential} of blocks), {@code ln_f}. Initialisation as
 * GPT-2: every Linear and embedding weight N(0, 0.02), biases zero, and the projections back into the residual
 * stream ({@code attn.out_proj.weight}, {@code mlp.2.weight}) N(0, 0.02/√(2·layers)).
 */
public final class GPT extends Module {
    private final int vocab, context;
    private final Embedding wte, wpe;
    private final Sequential h;
    private final LayerNorm lnF;

    /**
     * A model; prefer {@link Models#gpt}.
     *
     * @param vocab the number of token ids, ≥ 1
     * @param context the longest sequence, ≥ 1
     * @param layers the number of blocks, ≥ 1
     * @param heads the attention heads per block, dividing {@code width}
     * @param width the embedding width E
     * @param rng the source of the initial weights
     * @throws IllegalArgumentException when a size is below 1 or the heads do not divide the width
     */
    public GPT(int vocab, int context, int layers, int heads, int width, RandomGenerator rng) {
        if (vocab < 1 || context < 1 || layers < 1) {
            throw new IllegalArgumentException("GPT: sizes must be >= 1, were vocab=" + vocab + ", context=" + context + ", layers=" + layers);
        }
        this.vocab = vocab;
        this.context = context;
        wte = addModule("wte", new Embedding(vocab, width, rng));
        wpe = addModule("wpe", new Embedding(context, width, rng));
        h = addModule("h", new Sequential());
        for (int l = 0; l < layers; l++) h.add(new TransformerBlock(width, heads, rng));
        lnF = addModule("ln_f", new LayerNorm(width));
        double residualStd = 0.02 / Math.sqrt(2.0 * layers);
        try (var _ = GradMode.noGrad()) {
            for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
                String n = e.getKey();
                Parameter p = e.getValue();
                if (n.contains("ln_")) continue; // LayerNorms keep ones and zeros
                if (n.endsWith("bias")) p.fill(0);
                else Init.normal(p, n.endsWith("out_proj.weight") || n.endsWith("mlp.2.weight") ? residualStd : 0.02, rng);
            }
        }
    }

    /**
     * Next-token logits at every position.
     *
     * @param tokens int64 token ids {@code [B, T]}, each in [0, vocab), T ≤ context
     * @return logits {@code [B, T, vocab]}; position t depends on tokens 0 … t only
     * @throws IllegalArgumentException when tokens are not int64 {@code [B, T]} or T exceeds the context
     * @throws IndexOutOfBoundsException when a token id is outside [0, vocab)
     */
    @Override
    public Tensor forward(Tensor tokens) {
        if (tokens.dtype() != DType.INT64 || tokens.dim() != 2 || tokens.size(1) < 1) {
            throw new IllegalArgumentException(this + ": tokens must be int64 [B, T], got " + tokens.dtype() + " " + Shape.format(tokens.shape()));
        }
        int t = tokens.size(1);
        if (t > context) throw new IllegalArgumentException(this + ": sequence of " + t + " tokens is longer than the context " + context);
        Tensor x = wte.call(tokens).add(wpe.call(Tensor.arange(t)));
        x = lnF.call(h.call(x));
        return x.matmul(wte.weight().t());
    }

    /**
     * The token embedding, whose weight is also the output projection.
     *
     * @return {@code wte}
     */
    public Embedding tokenEmbedding() {
        return wte;
    }

    /**
     * The output projection's weight: the token embedding's, the same {@link Parameter}.
     *
     * @return {@code wte.weight} {@code [vocab, width]}
     */
    public Parameter outputWeight() {
        return wte.weight();
    }

    /**
     * The longest sequence the position embedding covers.
     *
     * @return the context length
     */
    public int context() {
        return context;
    }

    /**
     * The number of token ids.
     *
     * @return the vocabulary size
     */
    public int vocab() {
        return vocab;
    }

    @Override
    public String toString() {
        return "GPT(vocab=" + vocab + ", context=" + context + ", layers=" + h.size() + ", " + h.get(0) + ")";
    }
}
