package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * indexSelect and indexAdd on a contiguous tensor copy and add whole blocks (an embedding's rows) instead of a view per
 * index: the same values as a float32 loop over the indices in order, bit for bit, repeated indices included, and the
 * same as the per-slice path a non-contiguous input takes.
 */
class IndexRowsTest {

    @Test
    void indexSelectCopiesTheChosenBlocksAndMatchesTheStridedPath() {
        qt().withExamples(60).forAll(integers().between(1, 4), integers().between(1, 9), integers().between(1, 7), integers().between(0, 9999))
                .checkAssert((outer, rows, inner, seed) -> {
                    SplittableRandom rng = new SplittableRandom(seed);
                    Tensor x = Tensor.randn(rng, outer, rows, inner);
                    long[] idx = indices(rng, 1 + rng.nextInt(12), rows);
                    Tensor out = x.indexSelect(1, Tensor.of(idx));
                    float[] xs = x.toFloatArray(), expect = new float[outer * idx.length * inner];
                    for (int o = 0; o < outer; o++)
                        for (int i = 0; i < idx.length; i++)
                            for (int j = 0; j < inner; j++) expect[(o * idx.length + i) * inner + j] = xs[(o * rows + (int) idx[i]) * inner + j];
                    assertArrayEquals(expect, out.toFloatArray());
                    Tensor strided = x.permute(2, 1, 0).contiguous().permute(2, 1, 0); // same values, not contiguous
                    assertArrayEquals(expect, strided.indexSelect(1, Tensor.of(idx)).toFloatArray());
                });
    }

    @Test
    void indexAddAddsInIndexOrderLikeAFloatLoop() {
        qt().withExamples(60).forAll(integers().between(1, 4), integers().between(1, 6), integers().between(1, 40), integers().between(0, 9999))
                .checkAssert((outer, rows, inner, seed) -> {
                    SplittableRandom rng = new SplittableRandom(seed);
                    long[] idx = indices(rng, 1 + rng.nextInt(20), rows); // more indices than rows: repeats
                    Tensor self = Tensor.randn(rng, outer, rows, inner), src = Tensor.randn(rng, outer, idx.length, inner);
                    float[] expect = self.toFloatArray(), s = src.toFloatArray();
                    for (int i = 0; i < idx.length; i++)
                        for (int o = 0; o < outer; o++)
                            for (int j = 0; j < inner; j++) expect[(o * rows + (int) idx[i]) * inner + j] += s[(o * idx.length + i) * inner + j];
                    assertArrayEquals(expect, self.indexAdd(1, Tensor.of(idx), src).toFloatArray());
                    Tensor stridedSrc = src.permute(2, 1, 0).contiguous().permute(2, 1, 0);
                    assertArrayEquals(expect, self.indexAdd(1, Tensor.of(idx), stridedSrc).toFloatArray());
                });
    }

    private static long[] indices(SplittableRandom rng, int n, int bound) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) idx[i] = rng.nextInt(bound);
        return idx;
    }
}
