package dev.descent.data;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * A small two-class problem in the plane: two interleaved spirals with Gaussian jitter. Not linearly
 * separable, so a network must learn a curved boundary; small enough to train in a second.
 */
public final class TwoSpirals {
    private TwoSpirals() {}

    /**
     * Points (float32 [n, 2]) and their classes (int64 [n], 0 or 1).
     *
     * @param x the points, float32 [n, 2]
     * @param y the classes, int64 [n]: point i has class i mod 2
     */
    public record Data(Tensor x, Tensor y) {
        /**
         * The points as a dataset, for a {@link DataLoader}.
         *
         * @return a dataset over x and y
         */
        public TensorDataset dataset() {
            return new TensorDataset(x, y);
        }
    }

    /**
     * {@code n} points, half per class, each turned up to {@code turns} times around the origin, with
     * jitter of standard deviation {@code noise}: point i has class c = i mod 2, radius r uniform in [0, 1),
     * angle 2π·turns·r + c·π, then Gaussian jitter on each coordinate.
     *
     * @param n the number of points, ≥ 1
     * @param turns how many times each spiral winds (1.5 is a usual choice)
     * @param noise the jitter's standard deviation, ≥ 0
     * @param rng the source of randomness (three draws per point)
     * @return the points and their classes
     * @throws IllegalArgumentException when {@code n < 1} or noise is negative or NaN
     */
    public static Data generate(int n, double turns, double noise, RandomGenerator rng) {
        if (n <= 0) throw new IllegalArgumentException("n must be > 0, was " + n);
        if (!(noise >= 0)) throw new IllegalArgumentException("noise must be >= 0, was " + noise);
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int cls = i % 2;
            double r = rng.nextDouble();                       // radius in (0, 1)
            double angle = 2 * Math.PI * turns * r + cls * Math.PI;
            x[2 * i] = (float) (r * Math.cos(angle) + noise * rng.nextGaussian());
            x[2 * i + 1] = (float) (r * Math.sin(angle) + noise * rng.nextGaussian());
            y[i] = cls;
        }
        return new Data(Tensor.of(x, n, 2), Tensor.of(y));
    }
}
