package dev.descent.core;

/** The element types a tensor can hold: float32 (training's fast path), float64 (checking and science),
 * int64 (indices and labels) and bool (masks from comparisons). */
public enum DType {
    /** 32-bit IEEE float: what training uses and what the Vector API kernels are tuned for. */
    FLOAT32(4, "F32"),
    /** 64-bit IEEE float: for gradient checks and the papers' numerically delicate experiments. */
    FLOAT64(8, "F64"),
    /** 64-bit signed integer: class labels and indices ({@code gather}, {@code indexSelect}, losses). */
    INT64(8, "I64"),
    /** Boolean: the result of comparisons, and the condition of {@link Tensor#where}. */
    BOOL(1, "BOOL");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /**
     * Bytes per element, as stored in files (safetensors writes bool as one byte).
     *
     * @return 4, 8, 8 or 1
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The dtype's name in the safetensors header.
     *
     * @return {@code "F32"}, {@code "F64"}, {@code "I64"} or {@code "BOOL"}
     */
    public String safetensorsName() {
        return safetensorsName;
    }

    /**
     * True for float32 and float64: the dtypes that can carry gradients.
     *
     * @return whether this is FLOAT32 or FLOAT64
     */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * The dtype of a binary op's result on two tensors of the same kind (both 0-d, or both not): float64 wins
     * over float32, which wins over int64, which wins over bool. For a 0-d tensor beside a dimensioned one,
     * ops use {@link dev.descent.core.ops.Elementwise#resultType} (PyTorch's rule) instead.
     *
     * @param a one operand's dtype
     * @param b the other's
     * @return the common dtype both are converted to
     */
    public static DType promote(DType a, DType b) {
        return a.ordinal() <= b.ordinal() ? promoteOrdered(a, b) : promoteOrdered(b, a);
    }

    private static DType promoteOrdered(DType a, DType b) {
        if (a == FLOAT32 && b == FLOAT64) return FLOAT64;
        return a;
    }

    /**
     * The dtype with the given safetensors name.
     *
     * @param name a safetensors dtype string such as {@code "F32"}
     * @return the dtype, or null when Descent has no such dtype (e.g. {@code "BF16"})
     */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        return null;
    }
}
