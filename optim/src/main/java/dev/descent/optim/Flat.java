package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * A contiguous float32 or float64 tensor seen as a flat array of doubles: the update rules read and
 * write every element through it, compute in float64 and round once when storing into float32.
 */
final class Flat {
    private final float[] floats;
    private final double[] doubles;
    private final int offset;
    private final int size;

    private Flat(float[] floats, double[] doubles, int offset, int size) {
        this.floats = floats;
        this.doubles = doubles;
        this.offset = offset;
        this.size = size;
    }

    /** The elements of {@code t}, which must be contiguous and float32 or float64 (writes go to t). */
    static Flat of(Tensor t) {
        if (!t.isContiguous()) throw new IllegalStateException("Flat.of needs a contiguous tensor, shape " + java.util.Arrays.toString(t.shape()));
        return switch (t.dtype()) {
            case FLOAT32 -> new Flat(t.storage().floats(), null, t.storageOffset(), t.numel());
            case FLOAT64 -> new Flat(null, t.storage().doubles(), t.storageOffset(), t.numel());
            default -> throw new IllegalArgumentException("optimizers work on float32 or float64 tensors, got " + t.dtype()
                    + (t.dtype().isHalf() ? "; keep the trained weights in float32 (to(DType.FLOAT32)) and convert a copy to " + t.dtype() + " after" : ""));
        };
    }

    /** The elements of {@code t} for reading only: a contiguous copy is made when t is a strided view. */
    static Flat read(Tensor t) {
        return of(t.isContiguous() ? t : t.contiguous());
    }

    /** A float64 scratch vector of {@code size} zeros. */
    static Flat zeros(int size) {
        return new Flat(null, new double[size], 0, size);
    }

    /** Wraps a double array (tests and scratch space). */
    static Flat wrap(double[] data) {
        return new Flat(null, data, 0, data.length);
    }

    int size() {
        return size;
    }

    DType dtype() {
        return floats != null ? DType.FLOAT32 : DType.FLOAT64;
    }

    double get(int i) {
        return floats != null ? floats[offset + i] : doubles[offset + i];
    }

    /** The float32 array behind the elements, or null for float64. */
    float[] floats() {
        return floats;
    }

    /** Where element 0 sits in the array. */
    int offset() {
        return offset;
    }

    /** Stores {@code v}, rounded to float32 when the tensor is float32. */
    void set(int i, double v) {
        if (floats != null) floats[offset + i] = (float) v;
        else doubles[offset + i] = v;
    }

    /** Σ x_i², summed in float64 in index order (deterministic). */
    double sumOfSquares() {
        double s = 0;
        for (int i = 0; i < size; i++) {
            double x = get(i);
            s += x * x;
        }
        return s;
    }
}
