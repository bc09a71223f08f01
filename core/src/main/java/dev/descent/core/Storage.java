package dev.descent.core;

/**
 * The flat, on-heap array behind one or more tensors. A tensor is a view: storage + offset + shape +
 * strides. Exactly one of the typed arrays is non-null, the one of {@link #dtype()}.
 *
 * <p>Access to the raw arrays is public, as {@code data_ptr} is in PyTorch, so that kernels in other
 * modules (optimizers, data loaders) can work in place without copies. Writing through it bypasses
 * autodiff: do it only on tensors that no recorded graph still needs.
 */
public final class Storage {
    private final DType dtype;
    private final float[] floats;
    private final double[] doubles;
    private final long[] longs;
    private final boolean[] bools;

    private Storage(DType dtype, float[] f, double[] d, long[] l, boolean[] b) {
        this.dtype = dtype;
        this.floats = f;
        this.doubles = d;
        this.longs = l;
        this.bools = b;
    }

    /**
     * A zero-filled storage.
     *
     * @param dtype the element type
     * @param size the number of elements
     * @return a new storage backed by a fresh array
     * @throws NegativeArraySizeException when {@code size} is negative
     */
    public static Storage allocate(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new Storage(dtype, new float[size], null, null, null);
            case FLOAT64 -> new Storage(dtype, null, new double[size], null, null);
            case INT64 -> new Storage(dtype, null, null, new long[size], null);
            case BOOL -> new Storage(dtype, null, null, null, new boolean[size]);
        };
    }

    /**
     * Wraps (does not copy) a float array: writes to either show in the other.
     *
     * @param data the elements
     * @return a float32 storage over {@code data}
     */
    public static Storage of(float[] data) {
        return new Storage(DType.FLOAT32, data, null, null, null);
    }

    /**
     * Wraps (does not copy) a double array: writes to either show in the other.
     *
     * @param data the elements
     * @return a float64 storage over {@code data}
     */
    public static Storage of(double[] data) {
        return new Storage(DType.FLOAT64, null, data, null, null);
    }

    /**
     * Wraps (does not copy) a long array: writes to either show in the other.
     *
     * @param data the elements
     * @return an int64 storage over {@code data}
     */
    public static Storage of(long[] data) {
        return new Storage(DType.INT64, null, null, data, null);
    }

    /**
     * Wraps (does not copy) a boolean array: writes to either show in the other.
     *
     * @param data the elements
     * @return a bool storage over {@code data}
     */
    public static Storage of(boolean[] data) {
        return new Storage(DType.BOOL, null, null, null, data);
    }

    /**
     * The element type: which of the typed arrays is present.
     *
     * @return the dtype fixed at creation
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The number of elements in the array (which views may use only part of).
     *
     * @return the array's length
     */
    public int size() {
        return switch (dtype) {
            case FLOAT32 -> floats.length;
            case FLOAT64 -> doubles.length;
            case INT64 -> longs.length;
            case BOOL -> bools.length;
        };
    }

    /**
     * The float32 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not float32
     */
    public float[] floats() {
        if (floats == null) throw new IllegalStateException("storage holds " + dtype + ", not FLOAT32");
        return floats;
    }

    /**
     * The float64 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not float64
     */
    public double[] doubles() {
        if (doubles == null) throw new IllegalStateException("storage holds " + dtype + ", not FLOAT64");
        return doubles;
    }

    /**
     * The int64 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not int64
     */
    public long[] longs() {
        if (longs == null) throw new IllegalStateException("storage holds " + dtype + ", not INT64");
        return longs;
    }

    /**
     * The bool array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not bool
     */
    public boolean[] bools() {
        if (bools == null) throw new IllegalStateException("storage holds " + dtype + ", not BOOL");
        return bools;
    }

    /**
     * Element {@code i} as a double: the generic, slow path used by scalar references (int64 beyond 2⁵³ is
     * rounded).
     *
     * @param i the index into the array
     * @return the element; bool gives 1 or 0
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> floats[i];
            case FLOAT64 -> doubles[i];
            case INT64 -> longs[i];
            case BOOL -> bools[i] ? 1 : 0;
        };
    }

    /**
     * Element {@code i} as a long.
     *
     * @param i the index into the array
     * @return the element; floats are truncated toward zero (NaN gives 0), bool gives 1 or 0
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT32 -> (long) floats[i];
            case FLOAT64 -> (long) doubles[i];
            case INT64 -> longs[i];
            case BOOL -> bools[i] ? 1 : 0;
        };
    }

    /**
     * Sets element {@code i}, converting from double.
     *
     * @param i the index into the array
     * @param v the value: rounded for float32, truncated toward zero for int64, non-zero is true for bool
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> floats[i] = (float) v;
            case FLOAT64 -> doubles[i] = v;
            case INT64 -> longs[i] = (long) v;
            case BOOL -> bools[i] = v != 0;
        }
    }

    /**
     * Sets element {@code i} from a long.
     *
     * @param i the index into the array
     * @param v the value: converted for floats, non-zero is true for bool
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public void setLong(int i, long v) {
        switch (dtype) {
            case FLOAT32 -> floats[i] = v;
            case FLOAT64 -> doubles[i] = v;
            case INT64 -> longs[i] = v;
            case BOOL -> bools[i] = v != 0;
        }
    }
}
