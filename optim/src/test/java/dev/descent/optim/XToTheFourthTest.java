package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The x⁴ toy of docs/papers.md §4: iterations until |f'(x)| ≤ 1e-3 for clipped GD (η = 1/120, γ = 4) and
 * for fixed-step GD (η = 1.9/(12·x0²)) from x0 = 3, 10, 30, 100, run through {@link ClippedSGD} and
 * {@link SGD}, must be within 10 % of the table there; fixed-step GD from 100 must not finish in 10⁶.
 */
class XToTheFourthTest {
    static final double[] X0 = {3, 10, 30, 100};
    static final long[] CLIPPED = {3_821, 4_031, 4_631, 6_731};
    static final long[] FIXED = {1_782, 19_883, 179_029, -1}; // -1: not within the cap
    static final long CAP = 1_000_000;

    /** Steps until |4x³| ≤ 1e-3, or CAP. */
    static long iterations(Parameter x, Optimizer opt) {
        Tensor grad = Tensor.zeros(dev.descent.core.DType.FLOAT64, 1);
        x.setGrad(grad);
        double[] g = grad.storage().doubles();
        for (long n = 0; n < CAP; n++) {
            double v = x.item();
            g[grad.storageOffset()] = 4 * v * v * v;
            if (Math.abs(g[grad.storageOffset()]) <= 1e-3) return n;
            opt.step();
        }
        return CAP;
    }

    @Test
    void iterationCountsMatchThePapersTable() {
        StringBuilder table = new StringBuilder("x0 | clipped GD (paper) | fixed-step GD (paper)\n");
        for (int k = 0; k < X0.length; k++) {
            double x0 = X0[k];
            Parameter a = new Parameter(Tensor.of(new double[] {x0}));
            long clipped = iterations(a, new ClippedSGD(List.of(ParamGroup.of(a)), 1.0 / 120, 4));
            Parameter b = new Parameter(Tensor.of(new double[] {x0}));
            long fixed = iterations(b, new SGD(List.of(ParamGroup.of(b)), 1.9 / (12 * x0 * x0)));
            table.append(String.format("%.0f | %d (%d) | %s (%s)%n", x0, clipped, CLIPPED[k], fixed == CAP ? "> 10^6" : Long.toString(fixed),
                    FIXED[k] < 0 ? "> 10^6" : Long.toString(FIXED[k])));
            assertTrue(Math.abs(clipped - CLIPPED[k]) <= 0.1 * CLIPPED[k], "clipped GD from " + x0 + ": " + clipped + " iterations, paper " + CLIPPED[k]);
            if (FIXED[k] < 0) assertEquals(CAP, fixed, "fixed-step GD from " + x0 + " should not converge within 10^6");
            else assertTrue(Math.abs(fixed - FIXED[k]) <= 0.1 * FIXED[k], "fixed-step GD from " + x0 + ": " + fixed + " iterations, paper " + FIXED[k]);
        }
        System.out.print(table);
    }
}
