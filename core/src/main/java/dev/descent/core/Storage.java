package dev.descent.core;

/**
 * The flat, on-heap array behind one or more tensors. A tensor is a view: storage + offset + shape +
 * strides. Exactly one of the typed arrays is non-null, the one of {@link #dtype()} — until a
 * {@link Workspace} scope that allocated the storage closes and takes the array back for reuse; from then
 * on every access throws {@link IllegalStateException}.
 *
 * <p>Access to the raw arrays is public, as {@code data_ptr} is in PyTorch, so that kernels in other
 * modules (optimizers, data loaders) can work in place without copies. Writing through it bypasses
 * autodiff: do it only on tensors that no recorded graph still needs.
 */
public final class Storage {
    private final DType dtype;
    private final int size;
    private float[] floats;
    private double[] doubles;
    private long[] longs;
    private boolean[] bools;
    /** Set when a workspace took the array back. */
    private boolean released;
    /** Set when the storage must outlive the workspace scope that allocated it (see {@link Workspace#keep}). */
    boolean kept;

    private Storage(DType dtype, float[] f, double[] d, long[] l, boolean[] b) {
        this.dtype = dtype;
        this.floats = f;
        this.doubles = d;
        this.longs = l;
        this.bools = b;
        this.size = f != null ? f.length : d != null ? d.length : l != null ? l.length : b.length;
    }

    /**
     * A zero-filled storage. While a {@link Workspace} scope is open on the calling thread, a storage of at least
     * {@link Workspace#MIN_ELEMENTS} elements takes (and zeroes) an array the workspace recycled, when it has one
     * of this dtype and size, and goes back to the workspace when the scope closes.
     *
     * @param dtype the element type
     * @param size the number of elements
     * @return a new storage
     * @throws NegativeArraySizeException when {@code size} is negative
     */
    public static Storage allocate(DType dtype, int size) {
        return allocate(dtype, size, true);
    }

    /**
     * A storage whose contents are unspecified, for an op that writes every element: {@link #allocate} without
     * zeroing an array recycled by a {@link Workspace} (a new array is zero all the same).
     *
     * @param dtype the element type
     * @param size the number of elements
     * @return a new storage
     * @throws NegativeArraySizeException when {@code size} is negative
     */
    public static Storage allocateUninitialized(DType dtype, int size) {
        return allocate(dtype, size, false);
    }

    /** From the open workspace scope when there is one and the storage is big enough to track, else fresh. */
    private static Storage allocate(DType dtype, int size, boolean zero) {
        Workspace ws = size >= Workspace.MIN_ELEMENTS ? Workspace.active() : null;
        return ws != null ? ws.allocate(dtype, size, zero) : fresh(dtype, size);
    }

    /** A storage over a new zero-filled array, never from a workspace. */
    static Storage fresh(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new Storage(dtype, new float[size], null, null, null);
            case FLOAT64 -> new Storage(dtype, null, new double[size], null, null);
            case INT64 -> new Storage(dtype, null, null, new long[size], null);
            case BOOL -> new Storage(dtype, null, null, null, new boolean[size]);
        };
    }

    /** A storage over a recycled array (float[], double[], long[] or boolean[]) of {@code dtype}. */
    static Storage over(DType dtype, Object array) {
        return switch (dtype) {
            case FLOAT32 -> of((float[]) array);
            case FLOAT64 -> of((double[]) array);
            case INT64 -> of((long[]) array);
            case BOOL -> of((boolean[]) array);
        };
    }

    /** Zeroes the whole array. */
    void clear() {
        switch (dtype) {
            case FLOAT32 -> java.util.Arrays.fill(floats, 0f);
            case FLOAT64 -> java.util.Arrays.fill(doubles, 0d);
            case INT64 -> java.util.Arrays.fill(longs, 0L);
            case BOOL -> java.util.Arrays.fill(bools, false);
        }
    }

    /** Fills the array with values no op would leave by accident (NaN, Long.MIN_VALUE, true): tests of ops that skip zeroing. */
    void poison() {
        switch (dtype) {
            case FLOAT32 -> java.util.Arrays.fill(floats, Float.NaN);
            case FLOAT64 -> java.util.Arrays.fill(doubles, Double.NaN);
            case INT64 -> java.util.Arrays.fill(longs, Long.MIN_VALUE);
            case BOOL -> java.util.Arrays.fill(bools, true);
        }
    }

    /** Gives up the array (for a workspace to reuse): every later access throws. */
    Object release() {
        Object array = floats != null ? floats : doubles != null ? doubles : longs != null ? longs : bools;
        floats = null;
        doubles = null;
        longs = null;
        bools = null;
        released = true;
        return array;
    }

    /**
     * Whether a workspace scope took this storage's array back when it closed: a tensor over it can no
     * longer be read or written.
     *
     * @return true once released
     */
    public boolean isReleased() {
        return released;
    }

    private IllegalStateException wrongAccess(DType wanted) {
        if (released) {
            return new IllegalStateException("this tensor's storage (" + dtype + ", " + size + " elements) was recycled when the Workspace scope that"
                    + " allocated it closed; read results inside the scope, or keep them with Workspace.keep(tensor)");
        }
        return new IllegalStateException("storage holds " + dtype + ", not " + wanted);
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
        return size;
    }

    /**
     * The float32 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not float32
     */
    public float[] floats() {
        if (floats == null) throw wrongAccess(DType.FLOAT32);
        return floats;
    }

    /**
     * The float64 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not float64
     */
    public double[] doubles() {
        if (doubles == null) throw wrongAccess(DType.FLOAT64);
        return doubles;
    }

    /**
     * The int64 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not int64
     */
    public long[] longs() {
        if (longs == null) throw wrongAccess(DType.INT64);
        return longs;
    }

    /**
     * The bool array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not bool
     */
    public boolean[] bools() {
        if (bools == null) throw wrongAccess(DType.BOOL);
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
        if (released) throw wrongAccess(dtype);
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
        if (released) throw wrongAccess(dtype);
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
        if (released) throw wrongAccess(dtype);
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
        if (released) throw wrongAccess(dtype);
        switch (dtype) {
            case FLOAT32 -> floats[i] = v;
            case FLOAT64 -> doubles[i] = v;
            case INT64 -> longs[i] = v;
            case BOOL -> bools[i] = v != 0;
        }
    }
}
