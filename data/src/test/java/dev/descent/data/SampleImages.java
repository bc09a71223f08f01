package dev.descent.data;

import java.util.random.RandomGenerator;

/** Random labelled images for tests: uniform pixel bytes, uniform labels. */
final class SampleImages {
    private SampleImages() {}

    static ImageDataset random(int n, int channels, int height, int width, int classes, RandomGenerator rng) {
        byte[] px = new byte[n * channels * height * width];
        byte[] lb = new byte[n];
        for (int i = 0; i < px.length; i++) px[i] = (byte) rng.nextInt(256);
        for (int i = 0; i < n; i++) lb[i] = (byte) rng.nextInt(classes);
        return ImageDataset.of(px, lb, channels, height, width, ImageDataset.numberedClasses(classes));
    }

    static ImageDataset cifar(int n, int classes, RandomGenerator rng) {
        return random(n, 3, 32, 32, classes, rng);
    }
}
