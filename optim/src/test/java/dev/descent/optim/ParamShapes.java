package dev.descent.optim;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import org.quicktheories.core.Gen;

/**
 * QuickTheories generators of parameter shapes for the optimizer properties: one to three tensors,
 * so that a failure shrinks to a single tensor of one element (the values stay seed-driven).
 */
final class ParamShapes {
    private ParamShapes() {}

    /** One to three tensors, each a vector [1..5] or a matrix [1..3, 1..3]. */
    static Gen<int[][]> vectorsAndMatrices() {
        Gen<int[]> one = booleans().all().zip(integers().between(1, 5), integers().between(1, 3), integers().between(1, 3),
                (vector, n, rows, cols) -> vector ? new int[] {n} : new int[] {rows, cols});
        return tensors(one);
    }

    /** One to three matrices [1..4, 1..3]. */
    static Gen<int[][]> matrices() {
        return tensors(integers().between(1, 4).zip(integers().between(1, 3), (rows, cols) -> new int[] {rows, cols}));
    }

    private static Gen<int[][]> tensors(Gen<int[]> one) {
        return lists().of(one).ofSizeBetween(1, 3).map(l -> l.toArray(int[][]::new)).describedAs(Arrays::deepToString);
    }

    /** The number of elements of all the shapes. */
    static int numel(int[][] shapes) {
        int n = 0;
        for (int[] s : shapes) n += Arrays.stream(s).reduce(1, (a, b) -> a * b);
        return n;
    }
}
