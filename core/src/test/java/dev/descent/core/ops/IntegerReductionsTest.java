package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.check.QuickTheoriesRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Sums, maxima and minima of integer and bool tensors are exact and typed as PyTorch's: a sum is int64 whatever the
 * integer dtype, so is a product (wrapping on overflow), a max or min keeps the input's dtype, a mean is float64. The reference is a plain loop over longs.
 */
class IntegerReductionsTest {

    /** A random int64 tensor of 1–3 dims (size-1 dims included) and a random set of dims to reduce. */
    record Case(long[] values, int[] shape, int[] dims, boolean keepdim) {
        String describe() {
            return "shape " + java.util.Arrays.toString(shape) + " dims " + java.util.Arrays.toString(dims) + " keepdim " + keepdim;
        }

        static Case draw(RandomGenerator rng) {
            int rank = 1 + rng.nextInt(3);
            int[] shape = new int[rank];
            int n = 1;
            for (int i = 0; i < rank; i++) n *= shape[i] = 1 + rng.nextInt(5);
            long[] v = new long[n];
            // Magnitudes past 2^53, where a float64 sum would round.
            for (int i = 0; i < n; i++) v[i] = (rng.nextBoolean() ? (1L << 55) : 0) + rng.nextInt(2001) - 1000;
            int[] dims = java.util.stream.IntStream.range(0, rank).filter(d -> rng.nextBoolean()).toArray();
            return new Case(v, shape, dims, rng.nextBoolean());
        }
    }

    /** The reduction by a plain loop: for each output index, fold over the reduced dims' coordinates. */
    private static long[] reference(Case c, String op) {
        int rank = c.shape.length;
        boolean[] reduced = new boolean[rank];
        if (c.dims.length == 0) java.util.Arrays.fill(reduced, true);
        for (int d : c.dims) reduced[d] = true;
        int[] outShape = new int[rank];
        int outN = 1;
        for (int d = 0; d < rank; d++) outN *= outShape[d] = reduced[d] ? 1 : c.shape[d];
        long[] out = new long[outN];
        boolean[] seen = new boolean[outN];
        int[] idx = new int[rank];
        for (int flat = 0; flat < c.values.length; flat++) {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = rem % c.shape[d];
                rem /= c.shape[d];
            }
            int o = 0;
            for (int d = 0; d < rank; d++) o = o * outShape[d] + (reduced[d] ? 0 : idx[d]);
            long v = c.values[flat];
            if (!seen[o]) out[o] = v;
            else out[o] = switch (op) {
                case "sum" -> out[o] + v;
                case "prod" -> out[o] * v;
                case "max" -> Math.max(out[o], v);
                default -> Math.min(out[o], v);
            };
            seen[o] = true;
        }
        return out;
    }

    @Test
    void int64SumsMaximaAndMinimaAreExact() {
        qt().withExamples(200).forAll(QuickTheoriesRandom.gen(Case::draw, Case::describe)).checkAssert(c -> {
            Tensor x = Tensor.of(c.values, c.shape);
            Tensor sum = x.sum(c.dims, c.keepdim), max = x.max(c.dims, c.keepdim), min = x.min(c.dims, c.keepdim);
            assertEquals(DType.INT64, sum.dtype(), c.describe());
            assertEquals(DType.INT64, max.dtype(), c.describe());
            assertArrayEquals(reference(c, "sum"), sum.toLongArray(), c.describe());
            assertArrayEquals(reference(c, "max"), max.toLongArray(), c.describe());
            assertArrayEquals(reference(c, "min"), min.toLongArray(), c.describe());
            Tensor prod = x.prod(c.dims, c.keepdim);
            assertEquals(DType.INT64, prod.dtype(), c.describe());
            assertArrayEquals(reference(c, "prod"), prod.toLongArray(), c.describe()); // wraps past 2^63, as the loop's long does
            assertArrayEquals(Reductions.reducedShape(c.shape, mask(c), c.keepdim), sum.shape(), c.describe());
        });
    }

    private static boolean[] mask(Case c) {
        boolean[] m = new boolean[c.shape.length];
        if (c.dims.length == 0) java.util.Arrays.fill(m, true);
        for (int d : c.dims) m[d] = true;
        return m;
    }

    @Test
    void narrowIntegersAndBoolsSumToInt64AndKeepTheirDtypeForMaxAndMin() {
        for (DType t : new DType[] {DType.INT32, DType.INT8, DType.UINT8}) {
            Tensor x = Tensor.of(new long[] {7, 100, 3, 120, 9, 1}, 2, 3).to(t);
            assertEquals(DType.INT64, x.sum().dtype(), t.toString());
            assertEquals(DType.INT64, x.prod().dtype(), t.toString());
            assertArrayEquals(new long[] {2100, 1080}, x.prod(1, false).toLongArray(), t.toString());
            assertArrayEquals(new long[] {110, 130}, x.sum(1).toLongArray(), t.toString());
            assertEquals(t, x.max(0).dtype(), t.toString());
            assertArrayEquals(new long[] {120, 100, 3}, x.max(0).to(DType.INT64).toLongArray(), t.toString());
            assertEquals(t, x.min().dtype(), t.toString());
            assertEquals(1, x.min().to(DType.INT64).toLongArray()[0], t.toString());
        }
        Tensor b = Tensor.of(new boolean[] {true, false, true, true}, 4);
        assertEquals(DType.INT64, b.sum().dtype());
        assertEquals(3, b.sum().toLongArray()[0]);
        assertEquals(0, b.prod().toLongArray()[0]);
        assertEquals(DType.BOOL, b.max().dtype());
        assertEquals(DType.BOOL, b.min().dtype());
        assertEquals(0, b.min().to(DType.INT64).toLongArray()[0]);
    }

    @Test
    void meansOfIntegersAreFloat64OfTheExactSum() {
        long big = (1L << 53) + 1;
        Tensor x = Tensor.of(new long[] {big, big}, 2);
        assertEquals(DType.FLOAT64, x.mean().dtype());
        assertEquals((double) big, x.mean().item(), 0.0);
        Tensor b = Tensor.of(new boolean[] {true, false, true}, 3);
        assertEquals(DType.FLOAT64, b.mean().dtype());
        assertEquals(2.0 / 3.0, b.mean().item(), 0.0);
    }

    @Test
    void emptyIntegerSumIsAnInt64Zero() {
        Tensor x = Tensor.of(new long[0], 0);
        assertEquals(DType.INT64, x.sum().dtype());
        assertEquals(0, x.sum().toLongArray()[0]);
    }
}
