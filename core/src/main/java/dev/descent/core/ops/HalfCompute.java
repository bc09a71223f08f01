package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * "Compute in float32, round on store" for FLOAT16 and BFLOAT16 inputs, at an op's entry: the op runs once more on
 * the inputs widened to float32 (differentiable {@code to} conversions, so gradients flow back in the half dtype), and
 * its floating-point result is rounded back. Float32 and float64 inputs never reach this class beyond one dtype test.
 */
final class HalfCompute {
    private HalfCompute() {}

    /** Whether any of the (nullable) tensors is FLOAT16 or BFLOAT16. */
    static boolean any(Tensor a) {
        return a != null && a.dtype().isHalf();
    }

    /** Whether any of the (nullable) tensors is FLOAT16 or BFLOAT16. */
    static boolean any(Tensor a, Tensor b) {
        return any(a) || any(b);
    }

    /** Whether any of the (nullable) tensors is FLOAT16 or BFLOAT16. */
    static boolean any(Tensor... ts) {
        for (Tensor t : ts) if (any(t)) return true;
        return false;
    }

    /** {@code t} widened to float32 when it is half, else itself (null stays null). */
    static Tensor widen(Tensor t) {
        return any(t) ? t.to(DType.FLOAT32) : t;
    }

    /**
     * The dtype a result computed in float32 is stored in: the promotion of the floating-point inputs' dtypes (one
     * half dtype gives itself; float16 with bfloat16, or a half with float32, gives float32).
     */
    static DType storeAs(Tensor... ts) {
        DType d = null;
        for (Tensor t : ts) {
            if (t == null || !t.dtype().isFloatingPoint()) continue;
            d = d == null ? t.dtype() : DType.promote(d, t.dtype());
        }
        return d == null ? DType.FLOAT32 : d;
    }

    /** {@code y}, computed in float32, rounded to {@code dtype} when it is a float32 result (indices and masks stay). */
    static Tensor round(Tensor y, DType dtype) {
        return y.dtype() == DType.FLOAT32 && dtype != DType.FLOAT32 ? y.to(dtype) : y;
    }
}
