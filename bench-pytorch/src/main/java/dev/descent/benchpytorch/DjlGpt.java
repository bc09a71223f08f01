package dev.descent.benchpytorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Descent's {@code Models.gpt} written with DJL's PyTorch engine, for {@code descent bench gpt --vs-pytorch}: token and
 * position embeddings, pre-LayerNorm blocks (causal multi-head self-attention with PyTorch's packed in-projection, an
 * MLP Linear(E, 4E) → exact GELU → Linear(4E, E), each added back to its input), a final LayerNorm, and the output
 * projection tied to the token embedding. The attention is composed (scores, a −∞ causal mask, softmax, weighted
 * values): DJL exposes no fused scaled-dot-product attention. Parameters N(0, 0.02), LayerNorms ones and zeros.
 */
final class DjlGpt implements AutoCloseable {
    private final NDManager m;
    private final int layers, heads, width, vocab, context;
    private final List<NDArray> params = new ArrayList<>();
    private final NDArray wte, wpe, lnFg, lnFb, mask;
    private final NDArray[][] blocks;
    private final Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    DjlGpt(NDManager parent, int vocab, int context, int layers, int heads, int width) {
        this.m = parent.newSubManager();
        this.vocab = vocab;
        this.context = context;
        this.layers = layers;
        this.heads = heads;
        this.width = width;
        int e = width;
        wte = normal(vocab, e);
        wpe = normal(context, e);
        blocks = new NDArray[layers][];
        for (int l = 0; l < layers; l++) {
            blocks[l] = new NDArray[] {ones(e), zeros(e), normal(3 * e, e), zeros(3 * e), normal(e, e), zeros(e), ones(e), zeros(e), normal(4 * e, e),
                zeros(4 * e), normal(e, 4 * e), zeros(e)};
        }
        lnFg = ones(e);
        lnFb = zeros(e);
        float[] causal = new float[context * context];
        for (int t = 0; t < context; t++) for (int s = t + 1; s < context; s++) causal[t * context + s] = Float.NEGATIVE_INFINITY;
        mask = m.create(causal, new Shape(context, context));
    }

    private NDArray param(NDArray a) {
        a.setRequiresGradient(true);
        params.add(a);
        return a;
    }

    private NDArray normal(long... shape) {
        return param(m.randomNormal(0, 0.02f, new Shape(shape), DataType.FLOAT32));
    }

    private NDArray ones(long n) {
        return param(m.ones(new Shape(n)));
    }

    private NDArray zeros(long n) {
        return param(m.zeros(new Shape(n)));
    }

    /** A random batch of token windows and next-token targets, {@code [batch, T]} and {@code [batch·T]} int64. */
    NDArray[] batch(int batch, int t, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] x = new long[batch * t], y = new long[batch * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(vocab);
            y[i] = rng.nextInt(vocab);
        }
        return new NDArray[] {m.create(x, new Shape(batch, t)), m.create(y, new Shape((long) batch * t))};
    }

    /** Logits {@code [B, T, V]}; every intermediate belongs to the tokens' manager. */
    NDArray forward(NDArray tokens, NDManager step) {
        long b = tokens.getShape().get(0), t = tokens.getShape().get(1), e = width, d = width / heads;
        Shape norm = new Shape(e);
        NDArray x = Embedding.embedding(tokens, wte, SparseFormat.DENSE).singletonOrThrow().add(wpe.get(step, new NDIndex("0:" + t)));
        NDArray causal = mask.get(step, new NDIndex("0:" + t + ", 0:" + t));
        for (NDArray[] p : blocks) {
            NDArray h = LayerNorm.layerNorm(x, norm, p[0], p[1], 1e-5f).singletonOrThrow();
            NDList qkv = Linear.linear(h, p[2], p[3]).singletonOrThrow().split(3, 2);
            NDArray q = qkv.get(0).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray k = qkv.get(1).reshape(b, t, heads, d).transpose(0, 2, 3, 1);
            NDArray v = qkv.get(2).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray weights = q.matMul(k).mul(1 / Math.sqrt(d)).add(causal).softmax(-1);
            NDArray a = weights.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, e);
            x = x.add(Linear.linear(a, p[4], p[5]).singletonOrThrow());
            NDArray h2 = LayerNorm.layerNorm(x, norm, p[6], p[7], 1e-5f).singletonOrThrow();
            NDArray mlp = Linear.linear(Activation.gelu(Linear.linear(h2, p[8], p[9]).singletonOrThrow()), p[10], p[11]).singletonOrThrow();
            x = x.add(mlp);
        }
        x = LayerNorm.layerNorm(x, norm, lnFg, lnFb, 1e-5f).singletonOrThrow();
        return Linear.linear(x, wte).singletonOrThrow(); // x·wteᵀ: the tied output projection
    }

    /** One training step: forward, token cross-entropy, backward, Adam; returns the loss before the update. */
    float step(NDArray tokens, NDArray targets) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = tokens.duplicate(), y = targets.duplicate();
            x.attach(step);
            y.attach(step);
            NDArray logits = forward(x, step);
            NDArray l = loss.evaluate(new NDList(y), new NDList(logits.reshape(-1, vocab)));
            gc.backward(l);
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i);
                try (NDArray g = w.getGradient()) {
                    adam.update("p" + i, w, g);
                    g.subi(g); // libtorch accumulates gradients: start the next step from zero
                }
            }
            return l.getFloat();
        }
    }

    /** The number of parameters (the tied projection counted once). */
    long parameterCount() {
        return params.stream().mapToLong(NDArray::size).sum();
    }

    @Override
    public String toString() {
        return "DjlGpt(vocab=" + vocab + ", context=" + context + ", layers=" + layers + ", heads=" + heads + ", width=" + width + ", " + parameterCount()
                + " parameters)";
    }

    @Override
    public void close() {
        m.close();
    }
}
