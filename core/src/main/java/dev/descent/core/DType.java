package dev.descent.core;

/**
 * The element types a tensor can hold: float32 (training's fast path), float64 (checking and science),
 * int64 (indices and labels), bool (masks from comparisons), and the storage types of weights trained elsewhere:
 * float16 and bfloat16 (half precision), int8, uint8 and int32.
 *
 * <p>Half precision is a storage format: an op on FLOAT16 or BFLOAT16 tensors widens them to float32, computes
 * there, and rounds its result back to the half dtype on store (see {@link HalfFloats}); the ops that do not do that
 * refuse such tensors with an {@link IllegalArgumentException} naming the op and the dtype and saying to call
 * {@code to(DType.FLOAT32)}. Each op's Javadoc in {@code dev.descent.core.ops} says which. Integer tensors of any
 * width support views, indexing, comparisons and {@code to}; arithmetic on them computes in int64.
 */
public enum DType {
    /** 32-bit IEEE float: what training uses and what the Vector API kernels are tuned for. */
    FLOAT32(4, "F32"),
    /** 64-bit IEEE float: for gradient checks and the papers' numerically delicate experiments. */
    FLOAT64(8, "F64"),
    /** 64-bit signed integer: class labels and indices ({@code gather}, {@code indexSelect}, losses). */
    INT64(8, "I64"),
    /** Boolean: the result of comparisons, and the condition of {@link Tensor#where}. */
    BOOL(1, "BOOL"),
    /** IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits), stored as its 16-bit patterns in a {@code short[]}. */
    FLOAT16(2, "F16"),
    /** bfloat16: the top 16 bits of a float32 (1 sign, 8 exponent, 7 fraction bits), stored in a {@code short[]}. */
    BFLOAT16(2, "BF16"),
    /** 8-bit signed integer (two's complement), stored in a {@code byte[]}. */
    INT8(1, "I8"),
    /** 8-bit unsigned integer, 0 … 255, stored in a {@code byte[]} (read back with {@code & 0xff}). */
    UINT8(1, "U8"),
    /** 32-bit signed integer, stored in an {@code int[]}. */
    INT32(4, "I32");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /**
     * Bytes per element, as stored in files (safetensors writes bool as one byte).
     *
     * @return 1, 2, 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The dtype's name in the safetensors header.
     *
     * @return {@code "F32"}, {@code "F64"}, {@code "I64"}, {@code "BOOL"}, {@code "F16"}, {@code "BF16"}, {@code "I8"},
     *         {@code "U8"} or {@code "I32"}
     */
    public String safetensorsName() {
        return safetensorsName;
    }

    /**
     * True for float16, bfloat16, float32 and float64: the dtypes that can carry gradients (as in PyTorch; a half
     * tensor's gradient is of its dtype).
     *
     * @return whether this is a floating-point dtype
     */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /**
     * True for float16 and bfloat16: storage dtypes whose ops compute in float32 and round on store.
     *
     * @return whether this is FLOAT16 or BFLOAT16
     */
    public boolean isHalf() {
        return this == FLOAT16 || this == BFLOAT16;
    }

    /**
     * The dtype of a binary op's result on two tensors of the same kind (both 0-d, or both not), PyTorch's
     * {@code promote_types}. The lattice: bool is below every integer; uint8 and int8 are below int32, below int64
     * (uint8 with int8 gives int32, where PyTorch gives int16, which Descent lacks); every integer is below every
     * float; float16 and bfloat16 are below float32 (the two together give float32), below float64. For a 0-d tensor
     * beside a dimensioned one, ops use {@link dev.descent.core.ops.Elementwise#resultType} (PyTorch's rule) instead.
     *
     * @param a one operand's dtype
     * @param b the other's
     * @return the common dtype both are converted to: the least dtype at or above both
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.isFloatingPoint() && b.isFloatingPoint()) return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
        if (a.isFloatingPoint()) return a;
        if (b.isFloatingPoint()) return b;
        if (a == BOOL) return b;
        if (b == BOOL) return a;
        if (a == INT64 || b == INT64) return INT64;
        return INT32; // int8, uint8 and int32, two of them differing
    }

    /**
     * The dtype with the given safetensors name.
     *
     * @param name a safetensors dtype string such as {@code "F32"}
     * @return the dtype, or null when Descent has no such dtype (e.g. {@code "I16"})
     */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        return null;
    }
}
