package dev.descent.bench;

import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Models;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import java.util.random.RandomGenerator;

/** Builds the network a {@code --model} name names, for images of a given shape and a number of classes. */
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
}
