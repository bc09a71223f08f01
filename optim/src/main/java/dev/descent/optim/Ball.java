package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The closed Euclidean ball {x : ||x − c|| ≤ r} over a group's tensors viewed as one vector, centred
 * at the origin or at given tensors. Projection: x ← c + (x − c)·min(1, r/||x − c||), rounded inward.
 */
public final class Ball implements ConvexSet {
    private final List<Tensor> center; // null: the origin
    private final double radius;

    private Ball(List<Tensor> center, double radius) {
        if (!(radius >= 0) || Double.isInfinite(radius)) throw new IllegalArgumentException("radius must be >= 0 and finite, was " + radius);
        this.center = center;
        this.radius = radius;
    }

    /**
     * The ball around the origin.
     *
     * @param radius r (≥ 0, finite)
     * @return the ball {x : ||x|| ≤ r}
     */
    public static Ball origin(double radius) {
        return new Ball(null, radius);
    }

    /**
     * The ball around a centre.
     *
     * @param center c: one tensor per parameter of the group, of the same shapes (copied, as float64)
     * @param radius r (≥ 0, finite)
     * @return the ball {x : ||x − c|| ≤ r}
     */
    public static Ball around(List<? extends Tensor> center, double radius) {
        List<Tensor> copy = new ArrayList<>();
        for (Tensor t : center) copy.add(t.detach().contiguous().to(dev.descent.core.DType.FLOAT64).clone());
        return new Ball(List.copyOf(copy), radius);
    }

    /**
     * The radius.
     *
     * @return r
     */
    public double radius() {
        return radius;
    }

    /**
     * The distance of a point from the centre.
     *
     * @param point x: one tensor per parameter of the group
     * @return ||x − c||, summed in float64 (in fixed blocks and four interleaved partial sums: the same bits on
     *     any thread count)
     */
    public double distance(List<? extends Tensor> point) {
        checkShapes(point);
        return Math.sqrt(squaredDistance(point, 1, false));
    }

    /**
     * Scales x − c down to length r when it is longer. Rounding (float32 above all) can leave the
     * stored result a few ulps outside; it is then scaled again by slightly less, until it is inside,
     * so that projected points always satisfy ||x − c|| ≤ r and projecting twice changes nothing. Each
     * attempt scales and measures the result in one pass.
     */
    @Override
    public void project(List<? extends Tensor> point) {
        double d = distance(point);
        double shave = 0x1p-53;
        for (int attempt = 0; d > radius && attempt < 64; attempt++) {
            d = Math.sqrt(squaredDistance(point, radius / d * (1 - (attempt == 0 ? 0 : shave)), true));
            if (attempt > 0) shave *= 4;
        }
    }

    /**
     * ||x − c||², tensor by tensor in order, each summed by {@link FlatVectors#scaleAndSquare} (fixed blocks, the
     * same bits on any thread count); with {@code scale}, x ← c + (x − c)·factor first, in the same pass.
     */
    private double squaredDistance(List<? extends Tensor> point, double factor, boolean scale) {
        double s = 0;
        for (int k = 0; k < point.size(); k++) {
            Flat x = scale ? Flat.of(point.get(k)) : Flat.read(point.get(k));
            s += FlatVectors.scaleAndSquare(x, center == null ? null : Flat.of(center.get(k)), factor, scale);
        }
        return s;
    }

    @Override
    public boolean contains(List<? extends Tensor> point, double tolerance) {
        return distance(point) <= radius * (1 + tolerance);
    }

    private void checkShapes(List<? extends Tensor> point) {
        if (center == null) return;
        if (center.size() != point.size()) {
            throw new IllegalArgumentException("ball centre has " + center.size() + " tensors, the point " + point.size());
        }
        for (int k = 0; k < point.size(); k++) {
            if (!Arrays.equals(center.get(k).shape(), point.get(k).shape())) {
                throw new IllegalArgumentException("ball centre tensor " + k + " has shape " + Arrays.toString(center.get(k).shape())
                        + ", the point " + Arrays.toString(point.get(k).shape()));
            }
        }
    }

    /** The centre and radius. */
    @Override
    public String toString() {
        return "Ball(" + (center == null ? "origin" : center.size() + " tensors") + ", r=" + radius + ")";
    }
}
