package dev.descent.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated 1×28×28 grey images in ten classes, for training without any download: class k is a
 * short bright bar at angle k·18°, drawn with random position, length, thickness, brightness and
 * background noise. Small networks learn it to well above chance within an epoch, and it has the
 * shape of (Fashion-)MNIST, so the same models run on both.
 */
public final class SyntheticImages {
    private SyntheticImages() {}

    /** The class names: the bar's angle. */
    public static final List<String> CLASS_NAMES = List.of("0°", "18°", "36°", "54°", "72°", "90°", "108°", "126°", "144°", "162°");

    /**
     * {@code n} images (classes in turn: image i has class i mod 10), all drawn from {@code seed}.
     *
     * @param n the number of images, ≥ 1
     * @param seed the seed: the same seed gives the same images
     * @return a dataset of 1×28×28 images in 10 classes named by {@link #CLASS_NAMES}
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public static ImageDataset generate(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, was " + n);
        int side = 28, pixels = side * side;
        byte[] images = new byte[n * pixels], labels = new byte[n];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int k = i % 10;
            labels[i] = (byte) k;
            double angle = k * Math.PI / 10 + rng.nextGaussian() * 0.04;
            double cx = 13.5 + rng.nextDouble(-3, 3), cy = 13.5 + rng.nextDouble(-3, 3);
            double half = rng.nextDouble(6, 10), width = rng.nextDouble(0.9, 1.8), bright = rng.nextDouble(150, 255);
            double ux = Math.cos(angle), uy = Math.sin(angle);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    double dx = x - cx, dy = y - cy;
                    double along = dx * ux + dy * uy, across = -dx * uy + dy * ux;
                    double beyond = Math.max(0, Math.abs(along) - half);
                    double d2 = across * across + beyond * beyond;
                    double v = bright * Math.exp(-d2 / (2 * width * width)) + 18 * rng.nextGaussian();
                    images[i * pixels + y * side + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
        return ImageDataset.of(images, labels, 1, side, side, CLASS_NAMES);
    }
}
