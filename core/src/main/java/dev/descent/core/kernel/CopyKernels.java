package dev.descent.core.kernel;

import dev.descent.core.DType;
import dev.descent.core.HalfFloats;
import dev.descent.core.Storage;

/**
 * Strided copies and dtype conversions between storages: the kernel behind {@code contiguous()},
 * {@code to(dtype)}, {@code cat} and every in-place write into a view.
 */
public final class CopyKernels {
    private CopyKernels() {}

    /**
     * dst[view] = src[view] elementwise over {@code shape}, converting dtype when they differ. Both
     * sides are strided (a broadcast source has stride 0).
     */
    public static void copy(Storage src, int srcOff, int[] srcStrides, Storage dst, int dstOff, int[] dstStrides, int[] shape) {
        DType sd = src.dtype(), dd = dst.dtype();
        Loops.forEachRow(shape, dstStrides, dstOff, srcStrides, srcOff, null, 0, (o, d, ds, s, ss, c, cs, n) -> {
            if (sd == dd && ds == 1 && ss == 1) {
                copyRun(src, s, dst, d, n);
            } else if (sd == DType.FLOAT32 && dd == DType.FLOAT32) {
                float[] sf = src.floats(), df = dst.floats();
                for (int i = 0; i < n; i++) df[d + i * ds] = sf[s + i * ss];
            } else if (sd == DType.FLOAT64 && dd == DType.FLOAT64) {
                double[] sf = src.doubles(), df = dst.doubles();
                for (int i = 0; i < n; i++) df[d + i * ds] = sf[s + i * ss];
            } else if (sd == DType.FLOAT32 && dd == DType.FLOAT64) {
                float[] sf = src.floats();
                double[] df = dst.doubles();
                for (int i = 0; i < n; i++) df[d + i * ds] = sf[s + i * ss];
            } else if (sd == DType.FLOAT64 && dd == DType.FLOAT32) {
                double[] sf = src.doubles();
                float[] df = dst.floats();
                for (int i = 0; i < n; i++) df[d + i * ds] = (float) sf[s + i * ss];
            } else if (sd == dd || sd.isHalf() || dd.isHalf()) {
                copyNarrow(src, s, ss, dst, d, ds, n);
            } else if (sd == DType.INT64 || dd == DType.INT64) {
                for (int i = 0; i < n; i++) dst.setLong(d + i * ds, src.getLong(s + i * ss));
            } else {
                for (int i = 0; i < n; i++) dst.setDouble(d + i * ds, src.getDouble(s + i * ss));
            }
        });
    }

    /**
     * n consecutive elements from src to dst, both of the same dtype (System.arraycopy on their arrays).
     *
     * @param src  the source
     * @param from the source's first element
     * @param dst  the destination, of src's dtype
     * @param to   the destination's first element
     * @param n    the count
     */
    public static void copyRun(Storage src, int from, Storage dst, int to, int n) {
        switch (src.dtype()) {
            case FLOAT32 -> System.arraycopy(src.floats(), from, dst.floats(), to, n);
            case FLOAT64 -> System.arraycopy(src.doubles(), from, dst.doubles(), to, n);
            case INT64 -> System.arraycopy(src.longs(), from, dst.longs(), to, n);
            case BOOL -> System.arraycopy(src.bools(), from, dst.bools(), to, n);
            case FLOAT16, BFLOAT16 -> System.arraycopy(src.shorts(), from, dst.shorts(), to, n);
            case INT8, UINT8 -> System.arraycopy(src.bytes(), from, dst.bytes(), to, n);
            case INT32 -> System.arraycopy(src.ints(), from, dst.ints(), to, n);
        }
    }

    /**
     * One row of a copy where either side is a half dtype, or both sides have one of the narrow dtypes: bit patterns
     * copied as they are between equal dtypes, float32 widened and narrowed directly, anything else through
     * {@link Storage#getDouble}/{@link Storage#setDouble} (exact for every value a half or narrow integer holds).
     */
    private static void copyNarrow(Storage src, int s, int ss, Storage dst, int d, int ds, int n) {
        DType sd = src.dtype(), dd = dst.dtype();
        if (sd == dd) {
            switch (sd) {
                case FLOAT16, BFLOAT16 -> {
                    short[] a = src.shorts(), b = dst.shorts();
                    for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
                }
                case INT8, UINT8 -> {
                    byte[] a = src.bytes(), b = dst.bytes();
                    for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
                }
                case INT32 -> {
                    int[] a = src.ints(), b = dst.ints();
                    for (int i = 0; i < n; i++) b[d + i * ds] = a[s + i * ss];
                }
                case INT64 -> {
                    for (int i = 0; i < n; i++) dst.setLong(d + i * ds, src.getLong(s + i * ss));
                }
                default -> {
                    for (int i = 0; i < n; i++) dst.setDouble(d + i * ds, src.getDouble(s + i * ss));
                }
            }
        } else if (sd == DType.FLOAT16 && dd == DType.FLOAT32) {
            short[] a = src.shorts();
            float[] b = dst.floats();
            for (int i = 0; i < n; i++) b[d + i * ds] = Float.float16ToFloat(a[s + i * ss]);
        } else if (sd == DType.BFLOAT16 && dd == DType.FLOAT32) {
            short[] a = src.shorts();
            float[] b = dst.floats();
            for (int i = 0; i < n; i++) b[d + i * ds] = HalfFloats.bfloat16ToFloat(a[s + i * ss]);
        } else if (sd == DType.FLOAT32 && dd == DType.FLOAT16) {
            float[] a = src.floats();
            short[] b = dst.shorts();
            for (int i = 0; i < n; i++) b[d + i * ds] = Float.floatToFloat16(a[s + i * ss]);
        } else if (sd == DType.FLOAT32 && dd == DType.BFLOAT16) {
            float[] a = src.floats();
            short[] b = dst.shorts();
            for (int i = 0; i < n; i++) b[d + i * ds] = HalfFloats.floatToBfloat16(a[s + i * ss]);
        } else if (sd == DType.INT64) {
            for (int i = 0; i < n; i++) dst.setLong(d + i * ds, src.getLong(s + i * ss));
        } else {
            for (int i = 0; i < n; i++) dst.setDouble(d + i * ds, src.getDouble(s + i * ss));
        }
    }
}
