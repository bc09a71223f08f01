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
    private short[] shorts;
    private byte[] bytes;
    private int[] ints;
    /** Set when a workspace took the array back. */
    private boolean released;
    /** Set when the storage must outlive the workspace scope that allocated it (see {@link Workspace#keep}). */
    boolean kept;
    /** The workspace whose scope allocated this storage (null: allocated outside any scope). */
    Workspace lender;

    /** Over {@code array}, which must be the array type of {@code dtype}. */
    private Storage(DType dtype, Object array) {
        this.dtype = dtype;
        switch (dtype) {
            case FLOAT32 -> size = (floats = (float[]) array).length;
            case FLOAT64 -> size = (doubles = (double[]) array).length;
            case INT64 -> size = (longs = (long[]) array).length;
            case BOOL -> size = (bools = (boolean[]) array).length;
            case FLOAT16, BFLOAT16 -> size = (shorts = (short[]) array).length;
            case INT8, UINT8 -> size = (bytes = (byte[]) array).length;
            case INT32 -> size = (ints = (int[]) array).length;
            default -> throw new AssertionError(dtype);
        }
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
        return new Storage(dtype, switch (dtype) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT64 -> new long[size];
            case BOOL -> new boolean[size];
            case FLOAT16, BFLOAT16 -> new short[size];
            case INT8, UINT8 -> new byte[size];
            case INT32 -> new int[size];
        });
    }

    /** A storage over a recycled array (the array type of {@code dtype}). */
    static Storage over(DType dtype, Object array) {
        return new Storage(dtype, array);
    }

    /** Zeroes the whole array. */
    void clear() {
        switch (dtype) {
            case FLOAT32 -> java.util.Arrays.fill(floats, 0f);
            case FLOAT64 -> java.util.Arrays.fill(doubles, 0d);
            case INT64 -> java.util.Arrays.fill(longs, 0L);
            case BOOL -> java.util.Arrays.fill(bools, false);
            case FLOAT16, BFLOAT16 -> java.util.Arrays.fill(shorts, (short) 0);
            case INT8, UINT8 -> java.util.Arrays.fill(bytes, (byte) 0);
            case INT32 -> java.util.Arrays.fill(ints, 0);
        }
    }

    /** Fills the array with values no op would leave by accident (NaN, Long.MIN_VALUE, true): tests of ops that skip zeroing. */
    void poison() {
        switch (dtype) {
            case FLOAT32 -> java.util.Arrays.fill(floats, Float.NaN);
            case FLOAT64 -> java.util.Arrays.fill(doubles, Double.NaN);
            case INT64 -> java.util.Arrays.fill(longs, Long.MIN_VALUE);
            case BOOL -> java.util.Arrays.fill(bools, true);
            case FLOAT16, BFLOAT16 -> java.util.Arrays.fill(shorts, HalfFloats.fromFloat(dtype, Float.NaN));
            case INT8, UINT8 -> java.util.Arrays.fill(bytes, Byte.MIN_VALUE);
            case INT32 -> java.util.Arrays.fill(ints, Integer.MIN_VALUE);
        }
    }

    /** Gives up the array (for a workspace to reuse): every later access throws. */
    Object release() {
        Object array = switch (dtype) {
            case FLOAT32 -> floats;
            case FLOAT64 -> doubles;
            case INT64 -> longs;
            case BOOL -> bools;
            case FLOAT16, BFLOAT16 -> shorts;
            case INT8, UINT8 -> bytes;
            case INT32 -> ints;
        };
        floats = null;
        doubles = null;
        longs = null;
        bools = null;
        shorts = null;
        bytes = null;
        ints = null;
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
            return new IllegalStateException("this tensor's storage (" + dtype + ", " + size + " elements) was recycled by the Workspace scope that"
                    + " allocated it (when it closed, or earlier by Workspace.recycle); read results inside the scope, or keep them with Workspace.keep(tensor)");
        }
        if (dtype.isHalf() || wanted.isHalf()) {
            return new IllegalStateException("storage holds " + dtype + ", not " + wanted + ": the op reading it has no " + dtype
                    + " path; convert with to(DType.FLOAT32) first");
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
        return new Storage(DType.FLOAT32, data);
    }

    /**
     * Wraps (does not copy) a double array: writes to either show in the other.
     *
     * @param data the elements
     * @return a float64 storage over {@code data}
     */
    public static Storage of(double[] data) {
        return new Storage(DType.FLOAT64, data);
    }

    /**
     * Wraps (does not copy) a long array: writes to either show in the other.
     *
     * @param data the elements
     * @return an int64 storage over {@code data}
     */
    public static Storage of(long[] data) {
        return new Storage(DType.INT64, data);
    }

    /**
     * Wraps (does not copy) a boolean array: writes to either show in the other.
     *
     * @param data the elements
     * @return a bool storage over {@code data}
     */
    public static Storage of(boolean[] data) {
        return new Storage(DType.BOOL, data);
    }

    /**
     * Wraps (does not copy) an int array: writes to either show in the other.
     *
     * @param data the elements
     * @return an int32 storage over {@code data}
     */
    public static Storage of(int[] data) {
        return new Storage(DType.INT32, data);
    }

    /**
     * Wraps (does not copy) 16-bit float patterns: writes to either show in the other.
     *
     * @param dtype FLOAT16 or BFLOAT16: how the patterns are read
     * @param bits the elements' bit patterns
     * @return a storage of {@code dtype} over {@code bits}
     * @throws IllegalArgumentException when {@code dtype} is not FLOAT16 or BFLOAT16
     */
    public static Storage ofHalf(DType dtype, short[] bits) {
        if (!dtype.isHalf()) throw new IllegalArgumentException("Storage.ofHalf: a short[] holds FLOAT16 or BFLOAT16, not " + dtype);
        return new Storage(dtype, bits);
    }

    /**
     * Wraps (does not copy) a byte array: writes to either show in the other.
     *
     * @param dtype INT8 (signed bytes) or UINT8 (bytes read as 0 … 255)
     * @param data the elements
     * @return a storage of {@code dtype} over {@code data}
     * @throws IllegalArgumentException when {@code dtype} is not INT8 or UINT8
     */
    public static Storage ofBytes(DType dtype, byte[] data) {
        if (dtype != DType.INT8 && dtype != DType.UINT8) throw new IllegalArgumentException("Storage.ofBytes: a byte[] holds INT8 or UINT8, not " + dtype);
        return new Storage(dtype, data);
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
     * The 16-bit patterns of a FLOAT16 or BFLOAT16 storage (not a copy); see {@link HalfFloats} for their values.
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not FLOAT16 or BFLOAT16
     */
    public short[] shorts() {
        if (shorts == null) throw wrongAccess(DType.FLOAT16);
        return shorts;
    }

    /**
     * The byte array of an INT8 or UINT8 storage (not a copy); UINT8 elements read as {@code b & 0xff}.
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not INT8 or UINT8
     */
    public byte[] bytes() {
        if (bytes == null) throw wrongAccess(DType.INT8);
        return bytes;
    }

    /**
     * The int32 array itself (not a copy).
     *
     * @return the backing array
     * @throws IllegalStateException when the storage is not int32
     */
    public int[] ints() {
        if (ints == null) throw wrongAccess(DType.INT32);
        return ints;
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
            case FLOAT16 -> Float.float16ToFloat(shorts[i]);
            case BFLOAT16 -> HalfFloats.bfloat16ToFloat(shorts[i]);
            case INT8 -> bytes[i];
            case UINT8 -> bytes[i] & 0xff;
            case INT32 -> ints[i];
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
            case FLOAT16 -> (long) Float.float16ToFloat(shorts[i]);
            case BFLOAT16 -> (long) HalfFloats.bfloat16ToFloat(shorts[i]);
            case INT8 -> bytes[i];
            case UINT8 -> bytes[i] & 0xff;
            case INT32 -> ints[i];
        };
    }

    /**
     * Sets element {@code i}, converting from double.
     *
     * @param i the index into the array
     * @param v the value: rounded to nearest (ties to even) for the float dtypes (to float16 and bfloat16 through
     *        float32); for the integer dtypes truncated toward zero to a long (Java's conversion: NaN gives 0, values
     *        beyond the long range give its limits) and then wrapped to the dtype's width by keeping the low bits (300.7
     *        stored as INT8 is 44, as UINT8 is 44, −1.5 as UINT8 is 255); non-zero (and NaN) is true for bool
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public void setDouble(int i, double v) {
        if (released) throw wrongAccess(dtype);
        switch (dtype) {
            case FLOAT32 -> floats[i] = (float) v;
            case FLOAT64 -> doubles[i] = v;
            case INT64 -> longs[i] = (long) v;
            case BOOL -> bools[i] = v != 0;
            case FLOAT16 -> shorts[i] = Float.floatToFloat16((float) v);
            case BFLOAT16 -> shorts[i] = HalfFloats.floatToBfloat16((float) v);
            case INT8, UINT8 -> bytes[i] = (byte) (long) v;
            case INT32 -> ints[i] = (int) (long) v;
        }
    }

    /**
     * Sets element {@code i} from a long.
     *
     * @param i the index into the array
     * @param v the value: rounded to nearest for floats (to float16 and bfloat16 through float32), wrapped to the
     *        width of the narrower integer dtypes (low bits kept), non-zero is true for bool
     * @throws ArrayIndexOutOfBoundsException when {@code i} is outside the array
     */
    public void setLong(int i, long v) {
        if (released) throw wrongAccess(dtype);
        switch (dtype) {
            case FLOAT32 -> floats[i] = v;
            case FLOAT64 -> doubles[i] = v;
            case INT64 -> longs[i] = v;
            case BOOL -> bools[i] = v != 0;
            case FLOAT16 -> shorts[i] = Float.floatToFloat16((float) v);
            case BFLOAT16 -> shorts[i] = HalfFloats.floatToBfloat16((float) v);
            case INT8, UINT8 -> bytes[i] = (byte) v;
            case INT32 -> ints[i] = (int) v;
        }
    }
}
