package dev.descent.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** The reference models: those of the papers Descent reproduces, and two small language models, each a few lines over the layers. */
public final class Models {
    private Models() {}

    /**
     * SimpleCNN (docs/papers.md §1): conv 3×3 (pad 1) → ReLU → maxpool 2, twice (32 then 64 channels),
     * then dense → 128 → ReLU → dropout 0.2 → dense → classes. For 3×32×32 input and 10 classes:
     * 545,098 parameters.
     *
     * @param channels the input channels (3 for CIFAR, 1 for MNIST)
     * @param imageSize the height and width of the (square) input, divisible by 4
     * @param classes the number of outputs (logits)
     * @param rng the source of the initial weights and of the dropout seed
     * @return the model, taking {@code [N, channels, imageSize, imageSize]}
     * @throws IllegalArgumentException when {@code imageSize} is not divisible by 4
     */
    public static Sequential simpleCnn(int channels, int imageSize, int classes, RandomGenerator rng) {
        if (imageSize % 4 != 0) throw new IllegalArgumentException("simpleCnn: image size must be divisible by 4, was " + imageSize);
        int s = imageSize / 4;
        return new Sequential(
                new Conv2d(channels, 32, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(64 * s * s, 128, rng), new ReLU(), new Dropout(0.2, rng),
                new Linear(128, classes, rng));
    }

    /**
     * The CIFAR ResNet of depth 6n + 2 (He et al., 2016): conv 3×3 (16) + BN + ReLU, three stages of
     * n basic blocks with 16, 32, 64 channels (stride 2 entering stages 2 and 3), global average
     * pooling, dense → classes. n = 5 is ResNet-32: 464,154 parameters for 10 classes.
     *
     * @param blocksPerStage n, ≥ 1
     * @param classes the number of outputs (logits)
     * @param rng the source of the initial weights
     * @return the model, taking {@code [N, 3, H, W]} (32×32 for CIFAR)
     * @throws IllegalArgumentException when {@code blocksPerStage < 1}
     */
    public static Sequential cifarResNet(int blocksPerStage, int classes, RandomGenerator rng) {
        if (blocksPerStage < 1) throw new IllegalArgumentException("cifarResNet: blocks per stage must be >= 1, was " + blocksPerStage);
        List<Module> layers = new ArrayList<>(List.of(new Conv2d(3, 16, 3, 1, 1, 1, 1, false, rng), new BatchNorm2d(16), new ReLU()));
        int in = 16;
        for (int stage = 0; stage < 3; stage++) {
            int out = 16 << stage;
            List<Module> blocks = new ArrayList<>();
            for (int b = 0; b < blocksPerStage; b++) {
                blocks.add(new BasicBlock(in, out, b == 0 && stage > 0 ? 2 : 1, rng));
                in = out;
            }
            layers.add(new Sequential(blocks));
        }
        layers.add(new GlobalAvgPool2d());
        layers.add(new Linear(64, classes, rng));
        return new Sequential(layers);
    }

    /**
     * ResNet-32 for CIFAR: {@code cifarResNet(5, classes, rng)}.
     *
     * @param classes the number of outputs (logits)
     * @param rng the source of the initial weights
     * @return the model, taking {@code [N, 3, 32, 32]}
     */
    public static Sequential resnet32(int classes, RandomGenerator rng) {
        return cifarResNet(5, classes, rng);
    }
    /**
     * A small decoder-only Transformer language model ({@link GPT}): token and position embeddings, {@code layers}
     * pre-LayerNorm causal blocks, a final LayerNorm, output projection tied to the token embedding.
     *
     * @param vocab the number of token ids, ≥ 1
     * @param context the longest sequence, ≥ 1
     * @param layers the number of blocks, ≥ 1
     * @param heads the attention heads per block, dividing {@code width}
     * @param width the embedding width
     * @param rng the source of the initial weights
     * @return the model: int64 tokens {@code [B, T]} to logits {@code [B, T, vocab]}
     * @throws IllegalArgumentException when a size is below 1 or the heads do not divide the width
     */
    public static GPT gpt(int vocab, int context, int layers, int heads, int width, RandomGenerator rng) {
        return new GPT(vocab, context, layers, heads, width, rng);
    }

    /**
     * A character-level LSTM language model ({@link CharLSTM}): embedding, a batch-first LSTM, a Linear to logits.
     *
     * @param vocab the number of token ids, ≥ 1
     * @param embed the embedding width, ≥ 1
     * @param hidden the LSTM's hidden size, ≥ 1
     * @param layers the LSTM's layers, ≥ 1
     * @param rng the source of the initial weights
     * @return the model: int64 tokens {@code [B, T]} to logits {@code [B, T, vocab]}
     * @throws IllegalArgumentException when a size is below 1
     */
    public static CharLSTM charLstm(int vocab, int embed, int hidden, int layers, RandomGenerator rng) {
        return new CharLSTM(vocab, embed, hidden, layers, rng);
    }
}
