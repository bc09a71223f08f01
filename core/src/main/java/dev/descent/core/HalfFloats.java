package dev.descent.core;

/**
 * Conversions between float32 and the two 16-bit float formats that {@link DType#FLOAT16} and
 * {@link DType#BFLOAT16} tensors store as {@code short} bit patterns.
 *
 * <p>float16 is IEEE 754 binary16 and goes through the JDK's {@link Float#float16ToFloat} and
 * {@link Float#floatToFloat16} (round to nearest, ties to even; overflow to ±∞; NaN stays NaN). bfloat16 is the upper
 * half of a float32: widening shifts the 16 bits up (exact), narrowing rounds the lower 16 bits away to nearest,
 * ties to even (a float32 above bfloat16's largest finite value rounds to ±∞ as IEEE rounding does), and a NaN stays a
 * NaN (its quiet bit is set, so a payload in the dropped bits cannot turn it into an infinity).
 *
 * <p>A float64 is narrowed to either format through float32 (two roundings, as PyTorch does).
 */
public final class HalfFloats {
    private HalfFloats() {}

    /**
     * The float32 value of a bfloat16 bit pattern: exact.
     *
     * @param bits the 16-bit pattern
     * @return its value
     */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * The bfloat16 nearest to {@code f} (ties to even), NaN kept NaN.
     *
     * @param f the value
     * @return its bfloat16 bit pattern
     */
    public static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * The float32 value of a 16-bit pattern of {@code dtype}: exact.
     *
     * @param dtype FLOAT16 or BFLOAT16
     * @param bits the pattern
     * @return its value
     * @throws IllegalArgumentException when {@code dtype} is not a half dtype
     */
    public static float toFloat(DType dtype, short bits) {
        return switch (dtype) {
            case FLOAT16 -> Float.float16ToFloat(bits);
            case BFLOAT16 -> bfloat16ToFloat(bits);
            default -> throw new IllegalArgumentException("HalfFloats.toFloat: " + dtype + " is not FLOAT16 or BFLOAT16");
        };
    }

    /**
     * The pattern of {@code dtype} nearest to {@code f} (ties to even).
     *
     * @param dtype FLOAT16 or BFLOAT16
     * @param f the value
     * @return its bit pattern
     * @throws IllegalArgumentException when {@code dtype} is not a half dtype
     */
    public static short fromFloat(DType dtype, float f) {
        return switch (dtype) {
            case FLOAT16 -> Float.floatToFloat16(f);
            case BFLOAT16 -> floatToBfloat16(f);
            default -> throw new IllegalArgumentException("HalfFloats.fromFloat: " + dtype + " is not FLOAT16 or BFLOAT16");
        };
    }

    /**
     * Refuses a half-precision tensor for an op that has no half path, with the message every such op gives.
     *
     * @param op the op's name, as the user called it
     * @param inputs the op's tensor inputs (null entries are skipped)
     * @throws IllegalArgumentException naming the op and the dtype and saying to call {@code to(DType.FLOAT32)}, when an
     *         input is FLOAT16 or BFLOAT16
     */
    public static void refuse(String op, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.dtype().isHalf()) throw unsupported(op, t.dtype());
        }
    }

    /**
     * The exception an op without a path for {@code dtype} throws.
     *
     * @param op the op's name
     * @param dtype the dtype it cannot take
     * @return an {@link IllegalArgumentException} naming both and saying to convert with {@code to(DType.FLOAT32)}
     */
    public static IllegalArgumentException unsupported(String op, DType dtype) {
        return new IllegalArgumentException(op + ": no " + dtype + " kernel; convert with to(DType.FLOAT32) first (and back with to(DType."
                + dtype + ") after, if wanted)");
    }
}
