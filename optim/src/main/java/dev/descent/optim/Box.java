package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.List;

/**
 * The box {x : lo ≤ x_i ≤ hi for every element}: projection clamps each element. A second
 * {@link ConvexSet}, e.g. for non-negativity constraints (lo = 0, hi = +∞).
 */
public final class Box implements ConvexSet {
    private final double lo, hi;

    /**
     * The box [lo, hi] in every coordinate.
     *
     * @param lo the lower bound (may be −∞)
     * @param hi the upper bound (may be +∞), at least {@code lo}
     */
    public Box(double lo, double hi) {
        if (Double.isNaN(lo) || Double.isNaN(hi) || lo > hi) throw new IllegalArgumentException("box needs lo <= hi, was lo " + lo + ", hi " + hi);
        this.lo = lo;
        this.hi = hi;
    }

    @Override
    public void project(List<? extends Tensor> point) {
        for (Tensor t : point) {
            Flat x = Flat.of(t);
            for (int i = 0; i < x.size(); i++) x.set(i, Math.min(hi, Math.max(lo, x.get(i))));
        }
    }

    @Override
    public boolean contains(List<? extends Tensor> point, double tolerance) {
        double slack = tolerance * Math.max(Math.abs(lo) == Double.POSITIVE_INFINITY ? 0 : Math.abs(lo), Math.abs(hi) == Double.POSITIVE_INFINITY ? 0 : Math.abs(hi));
        for (Tensor t : point) {
            Flat x = Flat.read(t);
            for (int i = 0; i < x.size(); i++) if (!(x.get(i) >= lo - slack && x.get(i) <= hi + slack)) return false;
        }
        return true;
    }

    /** The bounds. */
    @Override
    public String toString() {
        return "Box[" + lo + ", " + hi + "]";
    }
}
