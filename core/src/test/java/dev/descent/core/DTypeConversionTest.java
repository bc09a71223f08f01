package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Conversions between the nine dtypes against scalar references written from the definitions: IEEE 754 binary16
 * decoded by hand, bfloat16 as the upper half of a float32, rounding to nearest with ties to even by searching the
 * sorted table of every finite value of the format, and PyTorch's truncation toward zero for float to integer.
 */
class DTypeConversionTest {
    private static final DType[] ALL = DType.values();

    // ------------------------------------------------------------ references from the definitions

    /** binary16 from its fields: (−1)^s · 2^(e−15) · (1 + f/1024), subnormal 2^−14 · f/1024, e = 31 infinite or NaN. */
    static double f16Value(int bits) {
        int s = (bits >> 15) & 1, e = (bits >> 10) & 0x1f, f = bits & 0x3ff;
        double sign = s == 1 ? -1 : 1;
        if (e == 31) return f == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        if (e == 0) return sign * Math.scalb((double) f, -24);
        return sign * Math.scalb(1024.0 + f, e - 25);
    }

    /** bfloat16 from its fields: 8 exponent bits biased by 127 and 7 fraction bits. */
    static double bf16Value(int bits) {
        int s = (bits >> 15) & 1, e = (bits >> 7) & 0xff, f = bits & 0x7f;
        double sign = s == 1 ? -1 : 1;
        if (e == 255) return f == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        if (e == 0) return sign * Math.scalb((double) f, -133);
        return sign * Math.scalb(128.0 + f, e - 134);
    }

    /** Round a value to a 16-bit format: the nearest of its finite values, ties to the even pattern; past the largest, ∞. */
    static int roundTo(double v, boolean bf16) {
        int infBits = bf16 ? 0x7f80 : 0x7c00;
        if (Double.isNaN(v)) return -1; // checked separately: any NaN pattern
        int sign = (Double.doubleToRawLongBits(v) < 0) ? 0x8000 : 0;
        double a = Math.abs(v);
        // positive finite patterns are 0 … infBits − 1, increasing in value; infBits stands in as the next "value"
        int lo = 0, hi = infBits; // invariant: value(lo) <= a, value(hi) > a (or hi = inf)
        if (a >= value(infBits - 1, bf16)) {
            lo = infBits - 1;
        } else {
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (value(mid, bf16) <= a) lo = mid;
                else hi = mid;
            }
        }
        if (value(lo, bf16) == a) return sign | lo;
        int up = lo + 1;
        // the value one step past the largest finite one, for the overflow midpoint: the format's next power
        double upValue = up == infBits ? 2 * value(infBits - 1, bf16) - value(infBits - 2, bf16) : value(up, bf16);
        double dLo = a - value(lo, bf16), dUp = upValue - a;
        int pick = dLo < dUp ? lo : dUp < dLo ? up : ((lo & 1) == 0 ? lo : up);
        return sign | pick;
    }

    private static double value(int bits, boolean bf16) {
        return bf16 ? bf16Value(bits) : f16Value(bits);
    }

    private static Tensor halfTensor(DType dtype, short... bits) {
        return Tensor.wrap(Storage.ofHalf(dtype, bits), 0, new int[] {bits.length}, new int[] {1});
    }

    // ------------------------------------------------------------ float16

    @Test
    void everyFloat16PatternWidensToItsIeeeValue() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        Tensor h = halfTensor(DType.FLOAT16, all);
        float[] f = h.to(DType.FLOAT32).toFloatArray();
        double[] d = h.to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < all.length; i++) {
            double want = f16Value(i);
            assertEquals(Float.float16ToFloat((short) i), f[i], 0, "JDK " + Integer.toHexString(i));
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(f[i]) && Double.isNaN(d[i]), Integer.toHexString(i));
            } else {
                assertEquals(want, f[i], 0, Integer.toHexString(i));
                assertEquals(want, d[i], 0, Integer.toHexString(i));
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(d[i]), "sign of zero " + Integer.toHexString(i));
                assertEquals(want, h.get(i), 0);
            }
        }
    }

    @Test
    void everyFloat16PatternSurvivesTheRoundTripThroughFloat32AndFloat64() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        Tensor h = halfTensor(DType.FLOAT16, all);
        short[] via32 = h.to(DType.FLOAT32).to(DType.FLOAT16).storage().shorts();
        short[] via64 = h.to(DType.FLOAT64).to(DType.FLOAT16).storage().shorts();
        for (int i = 0; i < all.length; i++) {
            if (Double.isNaN(f16Value(i))) {
                assertTrue(Double.isNaN(f16Value(via32[i] & 0xffff)) && Double.isNaN(f16Value(via64[i] & 0xffff)), "NaN stays NaN " + i);
            } else {
                assertEquals(all[i], via32[i]);
                assertEquals(all[i], via64[i]);
            }
        }
    }

    @Test
    void float32NarrowsToTheNearestFloat16TiesToEven() {
        qt().withExamples(20000).forAll(integers().all()).checkAssert(bits -> {
            float x = Float.intBitsToFloat(bits);
            short got = Tensor.of(new float[] {x}).to(DType.FLOAT16).storage().shorts()[0];
            if (Float.isNaN(x)) {
                assertTrue(Double.isNaN(f16Value(got & 0xffff)));
            } else {
                assertEquals(Integer.toHexString(roundTo(x, false)), Integer.toHexString(got & 0xffff), "float " + x);
            }
        });
    }

    @Test
    void float16RoundingAtMidpointsAndOverflow() {
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1 (0x3c00); 1 + 3·2^-11 gives 1 + 2^-9 (0x3c02)
        float[] x = {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 65504f, 65519.99f, 65520f, -65520f, 0x1p-25f, 0x1.8p-24f};
        short[] got = Tensor.of(x).to(DType.FLOAT16).storage().shorts();
        int[] want = {0x3c00, 0x3c02, 0x7bff, 0x7bff, 0x7c00, 0xfc00, 0x0000, 0x0002};
        for (int i = 0; i < x.length; i++) assertEquals(Integer.toHexString(want[i]), Integer.toHexString(got[i] & 0xffff), "x = " + x[i]);
    }

    // ------------------------------------------------------------ bfloat16

    @Test
    void everyBfloat16PatternWidensToItsValue() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        float[] f = halfTensor(DType.BFLOAT16, all).to(DType.FLOAT32).toFloatArray();
        for (int i = 0; i < all.length; i++) {
            double want = bf16Value(i);
            if (Double.isNaN(want)) assertTrue(Float.isNaN(f[i]));
            else assertEquals(want, f[i], 0, Integer.toHexString(i));
        }
    }

    @Test
    void float32NarrowsToTheNearestBfloat16TiesToEven() {
        qt().withExamples(20000).forAll(integers().all()).checkAssert(bits -> {
            float x = Float.intBitsToFloat(bits);
            short got = Tensor.of(new float[] {x}).to(DType.BFLOAT16).storage().shorts()[0];
            if (Float.isNaN(x)) {
                assertTrue(Double.isNaN(bf16Value(got & 0xffff)), "NaN " + Integer.toHexString(bits) + " gave " + Integer.toHexString(got & 0xffff));
            } else {
                assertEquals(Integer.toHexString(roundTo(x, true)), Integer.toHexString(got & 0xffff), "float " + x);
            }
        });
    }

    @Test
    void bfloat16TiesGoToEvenOnConstructedCases() {
        int[] in = {
            0x3f808000, // 1 + 2^-8, halfway between 0x3f80 (even) and 0x3f81: down
            0x3f818000, // halfway between 0x3f81 (odd) and 0x3f82: up
            0x3f808001, // just above halfway: up
            0x3f807fff, // just below halfway: down
            0xbf818000, // negative tie, odd below: away from zero to 0xbf82
            0xbf808000, // negative tie, even: 0xbf80
            0x7f7fffff, // largest float rounds past bfloat16's largest finite: +inf
            0x7f7f7fff, // just below the overflow midpoint: the largest finite bfloat16
            0x00018000, // subnormal tie, odd: up to 0x0002
            0x7f800001, // a NaN whose payload is only in the dropped bits: must stay NaN, not become inf
            0xff800001, // the same, negative
            0x7f800000, // +inf stays +inf
        };
        int[] want = {0x3f80, 0x3f82, 0x3f81, 0x3f80, 0xbf82, 0xbf80, 0x7f80, 0x7f7f, 0x0002, -1, -1, 0x7f80};
        float[] x = new float[in.length];
        for (int i = 0; i < in.length; i++) x[i] = Float.intBitsToFloat(in[i]);
        short[] got = Tensor.of(x).to(DType.BFLOAT16).storage().shorts();
        for (int i = 0; i < in.length; i++) {
            int g = got[i] & 0xffff;
            if (want[i] < 0) assertTrue(Double.isNaN(bf16Value(g)), "NaN " + Integer.toHexString(in[i]) + " gave " + Integer.toHexString(g));
            else assertEquals(Integer.toHexString(want[i]), Integer.toHexString(g), "float bits " + Integer.toHexString(in[i]));
        }
    }

    // ------------------------------------------------------------ between all dtypes

    /** What PyTorch's conversion gives (with Descent's rule where C leaves it undefined), from the value as a double. */
    static double convert(double v, DType to) {
        return switch (to) {
            case FLOAT64 -> v;
            case FLOAT32 -> (float) v;
            case FLOAT16 -> Double.isNaN(v) ? Double.NaN : f16Value(roundTo((float) v, false));
            case BFLOAT16 -> Double.isNaN(v) ? Double.NaN : bf16Value(roundTo((float) v, true));
            case INT64 -> (long) v;
            case INT32 -> (int) (long) v;
            case INT8 -> (byte) (long) v;
            case UINT8 -> ((long) v) & 0xff;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    private static double[] values(DType d, SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x = switch (rng.nextInt(4)) {
                case 0 -> rng.nextDouble(-3, 3);
                case 1 -> rng.nextDouble(-400, 400);
                case 2 -> rng.nextDouble(-1e6, 1e6);
                default -> new double[] {0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.7, 127.9, 128, 255.5, 256, -129, 65504, 1e10, Double.NaN,
                    Double.POSITIVE_INFINITY}[rng.nextInt(16)];
            };
            v[i] = convert(x, d); // a value the source dtype holds
        }
        return v;
    }

    @Test
    void toConvertsBetweenEveryPairOfDtypesAsTheReference() {
        SplittableRandom rng = new SplittableRandom(20);
        for (DType from : ALL) {
            double[] v = values(from, rng, 200);
            Tensor src = Tensor.zeros(from, v.length);
            for (int i = 0; i < v.length; i++) src.set(v[i], i);
            for (int i = 0; i < v.length; i++) assertEquals(v[i], src.get(i), 0, from + " holds its own values");
            for (DType to : ALL) {
                Tensor got = src.to(to);
                assertEquals(to, got.dtype());
                for (int i = 0; i < v.length; i++) {
                    double want = convert(v[i], to), g = got.get(i);
                    if (Double.isNaN(want)) assertTrue(Double.isNaN(g), from + " → " + to + " of " + v[i]);
                    else assertEquals(want, g, 0, from + " → " + to + " of " + v[i]);
                }
                // a strided source converts the same
                Tensor strided = src.reshape(20, 10).t().to(to).t().contiguous().reshape(200);
                assertTrue(strided.contentEquals(got) || to.isFloatingPoint() && strided.allClose(got, 0, 0), from + " → " + to + " strided");
            }
        }
    }

    @Test
    void floatToIntegerTruncatesTowardZeroAndWrapsOutOfRange() {
        Tensor x = Tensor.of(new float[] {2.7f, -2.7f, 300f, -1f, Float.NaN, 1e20f, -0.5f});
        assertEquals(Arrays.toString(new long[] {2, -2, 300, -1, 0, Long.MAX_VALUE, 0}), Arrays.toString(x.to(DType.INT64).toLongArray()));
        assertEquals(Arrays.toString(new long[] {2, -2, 44, -1, 0, -1, 0}), Arrays.toString(x.to(DType.INT8).toLongArray()));
        assertEquals(Arrays.toString(new long[] {2, 254, 44, 255, 0, 255, 0}), Arrays.toString(x.to(DType.UINT8).toLongArray()));
        assertEquals(Arrays.toString(new long[] {2, -2, 300, -1, 0, -1, 0}), Arrays.toString(x.to(DType.INT32).toLongArray()));
        assertEquals("[true, true, true, true, true, true, true]", Arrays.toString(x.to(DType.BOOL).toBooleanArray()));
        assertEquals("[1.0, 0.0]", Arrays.toString(Tensor.of(new boolean[] {true, false}).to(DType.FLOAT16).toDoubleArray()));
    }

    // ------------------------------------------------------------ gradients, access, printing, promotion

    @Test
    void conversionsBetweenFloatDtypesCarryTheGradientBack() {
        Tensor x = Tensor.of(new float[] {0.1f, 2.5f, -3f}).requiresGrad(true);
        Tensor h = x.to(DType.FLOAT16);
        assertEquals(DType.FLOAT16, h.dtype());
        h.mul(h).to(DType.FLOAT32).sum().backward();
        // d/dx of (half(x))² = 2·half(x), computed in float16 and converted back
        for (int i = 0; i < 3; i++) {
            double hx = f16Value(roundTo((float) x.get(i), false) & 0xffff);
            assertEquals(f16Value(roundTo(2 * hx, false) & 0xffff), x.grad().get(i), 0);
        }
        assertEquals(DType.FLOAT32, x.grad().dtype());

        Tensor b = Tensor.of(new float[] {1f, -2f}).to(DType.BFLOAT16).requiresGrad(true);
        b.to(DType.FLOAT32).mul(3).sum().backward();
        assertEquals(DType.BFLOAT16, b.grad().dtype());
        assertEquals("[3.0, 3.0]", Arrays.toString(b.grad().toDoubleArray()));
        assertNull(Tensor.of(new float[] {1f}).requiresGrad(true).to(DType.INT32).gradFn(), "no gradient into integers");
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.INT8, 2).requiresGrad(true));
    }

    @Test
    void elementAccessAndPrinting() {
        Tensor u = Tensor.of(new long[] {0, 200, 255}).to(DType.UINT8);
        assertEquals(200, u.getLong(1));
        assertEquals(255.0, u.get(2), 0);
        assertEquals("tensor([0, 200, 255], dtype=uint8)", u.toString());
        assertEquals("tensor([-1, 2], dtype=int8)", Tensor.of(new long[] {-1, 2}).to(DType.INT8).toString());
        assertEquals("tensor([7], dtype=int32)", Tensor.of(new long[] {7}).to(DType.INT32).toString());
        assertEquals("tensor([1.0, 0.3333], dtype=float16)", Tensor.of(new double[] {1, 1.0 / 3}).to(DType.FLOAT16).toString());
        assertEquals("tensor([1.0, 0.3340], dtype=bfloat16)", Tensor.of(new double[] {1, 1.0 / 3}).to(DType.BFLOAT16).toString());
        Tensor h = Tensor.zeros(DType.FLOAT16, 2, 2);
        h.set(1.5, 1, 0);
        assertEquals(1.5, h.get(1, 0), 0);
        assertEquals(DType.FLOAT16, Tensor.full(2, DType.FLOAT16, 3).dtype());
        assertEquals(2.0, Tensor.full(2, DType.FLOAT16, 3).sum().item(), 4);
        assertEquals(1.0, Tensor.ones(DType.BFLOAT16, 2).get(1), 0);
        assertThrows(IllegalArgumentException.class, () -> Storage.ofHalf(DType.INT8, new short[1]));
        assertThrows(IllegalArgumentException.class, () -> Storage.ofBytes(DType.FLOAT16, new byte[1]));
    }

    @Test
    void viewsCopiesAndComparisonsOnNarrowDtypes() {
        for (DType d : new DType[] {DType.FLOAT16, DType.BFLOAT16, DType.INT8, DType.UINT8, DType.INT32}) {
            Tensor x = Tensor.arange(0, 12, 1, DType.FLOAT64).to(d).reshape(3, 4);
            Tensor t = x.t().contiguous();
            assertEquals(d, t.dtype());
            assertEquals(x.get(2, 1), t.get(1, 2), 0, d + " transpose");
            assertEquals(x.get(1, 3), x.narrow(1, 2, 2).clone().get(1, 1), 0, d + " narrow");
            Tensor picked = x.gather(1, Tensor.of(new long[] {3, 0, 1}).reshape(3, 1));
            assertEquals(d, picked.dtype());
            assertEquals("[3.0, 4.0, 9.0]", Arrays.toString(picked.toDoubleArray()), d + " gather");
            assertEquals("[false, false, true]", Arrays.toString(picked.gt(Tensor.of(5.0)).reshape(3).toBooleanArray()), d + " gt");
            assertTrue(Tensor.cat(java.util.List.of(x, x), 0).narrow(0, 3, 3).contentEquals(x), d + " cat");
            assertFalse(x.contentEquals(x.add(Tensor.ones(d, 3, 4)).to(d)), d + " contentEquals sees a change");
        }
        // integer arithmetic computes in int64
        assertEquals(DType.INT64, Tensor.of(new long[] {100}).to(DType.INT8).add(Tensor.of(new long[] {100}).to(DType.INT8)).dtype());
        assertEquals(200, Tensor.of(new long[] {100}).to(DType.INT8).add(Tensor.of(new long[] {100}).to(DType.INT8)).getLong(0));
    }

    @Test
    void promotionLattice() {
        assertEquals(DType.FLOAT32, DType.promote(DType.FLOAT16, DType.BFLOAT16));
        assertEquals(DType.FLOAT32, DType.promote(DType.FLOAT16, DType.FLOAT32));
        assertEquals(DType.FLOAT64, DType.promote(DType.BFLOAT16, DType.FLOAT64));
        assertEquals(DType.FLOAT16, DType.promote(DType.INT64, DType.FLOAT16));
        assertEquals(DType.INT32, DType.promote(DType.UINT8, DType.INT8));
        assertEquals(DType.INT32, DType.promote(DType.INT8, DType.INT32));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.UINT8, DType.promote(DType.BOOL, DType.UINT8));
        assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT32, DType.FLOAT64));
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.INT64, DType.promote(DType.BOOL, DType.INT64));
        // a lattice: commutative, idempotent, associative, and the join is an upper bound of both
        for (DType a : ALL) {
            assertEquals(a, DType.promote(a, a));
            for (DType b : ALL) {
                assertEquals(DType.promote(a, b), DType.promote(b, a));
                assertEquals(DType.promote(a, b), DType.promote(a, DType.promote(a, b)));
                for (DType c : ALL) assertEquals(DType.promote(DType.promote(a, b), c), DType.promote(a, DType.promote(b, c)));
            }
        }
        Tensor h = Tensor.ones(DType.FLOAT16, 2);
        assertEquals(DType.FLOAT16, h.add(Tensor.ones(DType.INT64, 2)).dtype());
        assertEquals(DType.FLOAT32, h.add(Tensor.ones(DType.BFLOAT16, 2)).dtype());
        assertEquals(DType.FLOAT16, h.add(1.5).dtype());
        assertEquals(DType.FLOAT16, h.mul(Tensor.of(2.0)).dtype(), "a 0-d float64 does not lift a float16 tensor");
    }
}
