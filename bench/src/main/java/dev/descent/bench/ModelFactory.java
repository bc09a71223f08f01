package dev.descent.bench;

import dev.descent.nn.BigramLanguageModel;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Models;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import java.util.random.RandomGenerator;

/**
 * Builds the network a {@code --model} name names: for images of a given shape and a number of classes
 * ({@link #create}), or a language model over a vocabulary ({@link #createText}).
 */
public final class ModelFactory {
    private ModelFactory() {}

    /**
     * The deepest {@code resnetN} built: ResNet-1202, the deepest CIFAR network of He et al. (2016), 19.4 million
     * parameters. Every layer's weights are allocated when the network is built, so a name like {@code resnet600000002}
     * (which a model file can carry too) would exhaust the heap before any message; beyond the paper's deepest
     * network no experiment of ours needs more.
     */
    public static final int MAX_RESNET_DEPTH = 1202;

    /** What {@code --model} accepts. */
    public static final String NAMES = "mlp, simplecnn, resnet32 (or resnetN with N = 6k + 2, up to " + MAX_RESNET_DEPTH + ")";

    /**
     * The network {@code name} names, for images of {@code channels × height × width} and {@code classes} classes.
     *
     * @throws IllegalArgumentException for an unknown name, a size below 1, an image too large to address, or a
     *         ResNet deeper than {@link #MAX_RESNET_DEPTH}
     */
    public static Sequential create(String name, int channels, int height, int width, int classes, RandomGenerator rng) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException("image sizes and the class count must be >= 1, were " + channels + "×" + height + "×" + width + " and "
                    + classes + " classes");
        }
        long values = (long) channels * height * width;
        if (values > Integer.MAX_VALUE / 256) {
            throw new IllegalArgumentException("images of " + channels + "×" + height + "×" + width + " are too large (" + values + " values; at most "
                    + Integer.MAX_VALUE / 256 + ", so that a 256-unit layer over them fits one array)");
        }
        return switch (name) {
            case "mlp" -> new Sequential(new Flatten(), new Linear(channels * height * width, 256, rng), new ReLU(), new Linear(256, classes, rng));
            case "simplecnn" -> {
                if (height != width) throw new IllegalArgumentException("simplecnn needs square images, got " + height + "×" + width);
                yield Models.simpleCnn(channels, height, classes, rng);
            }
            default -> {
                if (name.startsWith("resnet")) {
                    long depth;
                    try {
                        depth = Long.parseLong(name.substring(6));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unknown model '" + name + "' (known: " + NAMES + ")");
                    }
                    if (depth < 8 || (depth - 2) % 6 != 0) throw new IllegalArgumentException("resnetN needs N = 6k + 2 (e.g. 20, 32, 44), was " + depth);
                    if (depth > MAX_RESNET_DEPTH) {
                        throw new IllegalArgumentException(name + " is deeper than the deepest ResNet built, resnet" + MAX_RESNET_DEPTH
                                + " (the deepest CIFAR ResNet of He et al. 2016; its weights are all allocated up front)");
                    }
                    if (channels != 3) throw new IllegalArgumentException(name + " is the CIFAR ResNet: it needs 3-channel images, got " + channels);
                    yield Models.cifarResNet((int) (depth - 2) / 6, classes, rng);
                }
                throw new IllegalArgumentException("unknown model '" + name + "' (known: " + NAMES + ")");
            }
        };
    }

    /** What {@code --model} accepts for text. */
    public static final String TEXT_NAMES = "gpt, lstm, bigram";

    /** The largest width, context, layer and head counts a text model is built with (its weights are allocated up front). */
    public static final int MAX_TEXT_SIZE = 4096;

    /**
     * Whether {@code name} is a text model.
     *
     * @param name a {@code --model} value
     * @return true for {@code gpt}, {@code lstm} and {@code bigram}
     */
    public static boolean isText(String name) {
        return name.equals("gpt") || name.equals("lstm") || name.equals("bigram");
    }

    /**
     * The language model {@code name} names: its forward takes int64 tokens {@code [batch, T]} (T up to {@code context})
     * and returns next-token logits {@code [batch, T, vocab]}.
     *
     * <ul>
     *   <li>{@code gpt}: {@code Models.gpt(vocab, context, layers, heads, width)}, a decoder-only Transformer;</li>
     *   <li>{@code lstm}: {@code Models.charLstm(vocab, width, width, layers)}: embedding and hidden size {@code width};</li>
     *   <li>{@code bigram}: a {@link BigramLanguageModel} (the sizes are not used).</li>
     * </ul>
     *
     * @param name    one of {@link #TEXT_NAMES}
     * @param vocab   tokens
     * @param context the longest sequence (the GPT's position table)
     * @param layers  Transformer blocks or LSTM layers
     * @param heads   attention heads (GPT)
     * @param width   the model width (GPT) or embedding and hidden size (LSTM)
     * @param rng     the initial weights
     * @return the model
     * @throws IllegalArgumentException naming the option of a size below 1 or above {@link #MAX_TEXT_SIZE}, a width the
     *         heads do not divide, or an unknown name
     */
    public static Module createText(String name, int vocab, int context, int layers, int heads, int width, RandomGenerator rng) {
        if (vocab < 1) throw new IllegalArgumentException("the vocabulary must hold at least one token, held " + vocab);
        size("--context", context);
        size("--layers", layers);
        size("--heads", heads);
        size("--width", width);
        return switch (name) {
            case "gpt" -> {
                if (width % heads != 0) throw new IllegalArgumentException("--width " + width + " must be a multiple of --heads " + heads);
                yield Models.gpt(vocab, context, layers, heads, width, rng);
            }
            case "lstm" -> Models.charLstm(vocab, width, width, layers, rng);
            case "bigram" -> new BigramLanguageModel(vocab);
            default -> throw new IllegalArgumentException("unknown text model '" + name + "' (known: " + TEXT_NAMES + ")");
        };
    }

    private static void size(String option, int v) {
        if (v < 1 || v > MAX_TEXT_SIZE) throw new IllegalArgumentException(option + " must be in [1, " + MAX_TEXT_SIZE + "], was " + v);
    }
}
