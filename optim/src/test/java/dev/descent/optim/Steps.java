package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs an optimizer for a few steps on a {@link Quadratic} (grads set from the current values before
 * each step) and compares the result with an independent reference: the shared driver of the
 * reference and property tests.
 */
final class Steps {
    private Steps() {}

    /** Shapes of the test parameters: 7 elements in two tensors. */
    static final int[][] SHAPES = {{3}, {2, 2}};

    /**
     * Builds parameters of {@code shapes} from {@code theta0} (in {@code dtype}), splits them into
     * groups of {@code tensorsPerGroup} tensors, runs {@code steps} steps, returns the final values.
     */
    static double[] run(Quadratic q, double[] theta0, DType dtype, int steps, int[][] shapes, int[] tensorsPerGroup,
            Function<List<List<Parameter>>, Optimizer> build) {
        List<Parameter> params = Quadratic.params(theta0, dtype, shapes);
        Optimizer opt = build.apply(split(params, tensorsPerGroup));
        for (int s = 0; s < steps; s++) {
            q.setGrads(params);
            opt.step();
        }
        return Quadratic.flat(params);
    }

    /** One group of all tensors. */
    static double[] run(Quadratic q, double[] theta0, DType dtype, int steps, Function<List<Parameter>, Optimizer> build) {
        return run(q, theta0, dtype, steps, SHAPES, new int[] {SHAPES.length}, groups -> build.apply(groups.get(0)));
    }

    static List<List<Parameter>> split(List<Parameter> params, int[] tensorsPerGroup) {
        List<List<Parameter>> groups = new ArrayList<>();
        int at = 0;
        for (int k : tensorsPerGroup) {
            groups.add(params.subList(at, at + k));
            at += k;
        }
        if (at != params.size()) throw new IllegalArgumentException("groups cover " + at + " of " + params.size() + " tensors");
        return groups;
    }

    /** |got − want| ≤ tol·(1 + |want|) elementwise, with a message naming the first bad index. */
    static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])),
                    what + ": element " + i + " is " + got[i] + ", reference " + want[i] + " (tolerance " + tol + ")");
        }
    }

    /** Bitwise equality of two float64 vectors, naming the first difference. */
    static void assertBitwise(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(Double.doubleToLongBits(want[i]), Double.doubleToLongBits(got[i]),
                    what + ": element " + i + " is " + got[i] + ", expected exactly " + want[i]);
        }
    }
}
