package dev.descent.core;

/** The element types a tensor can hold: float32 (training's fast path), float64 (checking and science),
 * int64 (indices and labels) and bool (masks from comparisons). */
public enum DType {
    FLOAT32(4, "F32"),
    FLOAT64(8, "F64"),
    INT64(8, "I64"),
    BOOL(1, "BOOL");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype's name in the safetensors header ("F32", "F64", "I64", "BOOL"). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** True for float32 and float64: the dtypes that can carry gradients. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The dtype of a binary op's result: float64 wins over float32 wins over int64 wins over bool. */
    public static DType promote(DType a, DType b) {
        return a.ordinal() <= b.ordinal() ? promoteOrdered(a, b) : promoteOrdered(b, a);
    }

    private static DType promoteOrdered(DType a, DType b) {
        if (a == FLOAT32 && b == FLOAT64) return FLOAT64;
        return a;
    }

    /** The dtype with the given safetensors name, or null when unknown. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        return null;
    }
}
