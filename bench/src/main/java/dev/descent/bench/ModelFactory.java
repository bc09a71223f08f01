package dev.descent.bench;

import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Models;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import java.util.random.RandomGenerator;

/** Builds the network a {@link TrainConfig} names, for images of a given shape and a number of classes. */
public final class ModelFactory {
    private ModelFactory() {}

    /** What {@code --model} accepts. */
    public static final String NAMES = "mlp, simplecnn, resnet32 (or resnetN with N = 6k + 2)";

    public static Sequential create(String name, int channels, int height, int width, int classes, RandomGenerator rng) {
        return switch (name) {
            case "mlp" -> new Sequential(new Flatten(), new Linear(channels * height * width, 256, rng), new ReLU(), new Linear(256, classes, rng));
            case "simplecnn" -> {
                if (height != width) throw new IllegalArgumentException("simplecnn needs square images, got " + height + "×" + width);
                yield Models.simpleCnn(channels, height, classes, rng);
            }
            default -> {
                if (name.startsWith("resnet")) {
                    int depth;
                    try {
                        depth = Integer.parseInt(name.substring(6));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unknown model '" + name + "' (known: " + NAMES + ")");
                    }
                    if (depth < 8 || (depth - 2) % 6 != 0) throw new IllegalArgumentException("resnetN needs N = 6k + 2 (e.g. 20, 32, 44), was " + depth);
                    if (channels != 3) throw new IllegalArgumentException(name + " is the CIFAR ResNet: it needs 3-channel images, got " + channels);
                    yield Models.cifarResNet((depth - 2) / 6, classes, rng);
                }
                throw new IllegalArgumentException("unknown model '" + name + "' (known: " + NAMES + ")");
            }
        };
    }
}
