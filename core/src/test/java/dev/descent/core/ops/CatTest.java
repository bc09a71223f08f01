package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Indexing#cat}'s two paths — runs of System.arraycopy for contiguous inputs, the strided copy for views — write
 * every element of an output that is not zeroed first: inside a {@link Workspace} scope the output takes back an array
 * of NaNs, and the result must equal an element-by-element reference.
 */
class CatTest {
    @Test
    void everyElementComesFromItsInputEvenIntoARecycledArray() {
        java.util.concurrent.atomic.AtomicInteger dirtyOutputs = new java.util.concurrent.atomic.AtomicInteger();
        qt().withExamples(200).forAll(integers().between(0, Integer.MAX_VALUE)).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int rank = 1 + r.nextInt(3), d = r.nextInt(rank), count = 1 + r.nextInt(3);
            int[] shape = new int[rank];
            for (int k = 0; k < rank; k++) shape[k] = 1 + r.nextInt(24);
            List<Tensor> parts = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < count; i++) {
                int[] s = shape.clone();
                s[d] = r.nextInt(r.nextBoolean() ? 3 : 80); // empty pieces too
                total += s[d];
                float[] v = new float[Arrays.stream(s).reduce(1, (a, b) -> a * b)];
                for (int j = 0; j < v.length; j++) v[j] = (float) r.nextGaussian();
                Tensor t = Tensor.of(v, s);
                // a strided view of the same values half of the time: the other path
                if (rank >= 2 && r.nextBoolean()) t = Tensor.of(t.transpose(0, rank - 1).contiguous().toFloatArray(), permuted(s, rank)).transpose(0, rank - 1);
                parts.add(t);
            }
            int[] outShape = shape.clone();
            outShape[d] = total;
            int numel = Arrays.stream(outShape).reduce(1, (a, b) -> a * b);
            float[] want = reference(parts, d, outShape);
            Workspace ws = new Workspace();
            try (var scope = ws.open()) {
                Tensor dirty = Tensor.full(Float.NaN, DType.FLOAT32, numel);
                float[] array = dirty.storage().floats();
                Workspace.recycle(dirty);
                Tensor y = Tensor.cat(parts, d);
                if (numel >= Workspace.MIN_ELEMENTS) {
                    assertSame(array, y.storage().floats(), "the output took the recycled array");
                    dirtyOutputs.incrementAndGet();
                }
                assertArrayEquals(want, y.toFloatArray(), "cat of " + parts.size() + " along " + d + " into " + Arrays.toString(outShape));
            }
        });
        org.junit.jupiter.api.Assertions.assertTrue(dirtyOutputs.get() >= 40, dirtyOutputs.get() + " of 200 outputs took a recycled array");
    }

    private static int[] permuted(int[] s, int rank) {
        int[] p = s.clone();
        p[0] = s[rank - 1];
        p[rank - 1] = s[0];
        return p;
    }

    /** The output element by element: its index along d says which input and where. */
    private static float[] reference(List<Tensor> parts, int d, int[] outShape) {
        float[] out = new float[Arrays.stream(outShape).reduce(1, (a, b) -> a * b)];
        int[] idx = new int[outShape.length];
        for (int flat = 0; flat < out.length; flat++) {
            int rest = flat;
            for (int k = outShape.length - 1; k >= 0; k--) {
                idx[k] = rest % outShape[k];
                rest /= outShape[k];
            }
            int along = idx[d], i = 0;
            while (along >= parts.get(i).size(d)) along -= parts.get(i++).size(d);
            int[] at = idx.clone();
            at[d] = along;
            out[flat] = (float) parts.get(i).get(at);
        }
        return out;
    }
}
