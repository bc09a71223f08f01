package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.check.TensorGen;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Leaky ReLU's kernels (forward and backward take a slope, so they sit outside {@link UnaryKernels.Kind}, which
 * {@code KernelTwinTest} sweeps): vector equals scalar twin bit for bit, on rows around the vector width, with
 * edge values and NaN; and the rows equal the definition.
 */
class ActivationKernelTwinTest {

    @Test
    void leakyReluRowsEqualTheirScalarTwinsAndTheDefinition() {
        qt().forAll(integers().between(0, 70), integers().between(0, 4), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double slope = new double[] {0.01, 0.2, -0.5, 1.5}[rng.nextInt(4)];
            float[] x = new float[n + off], g = new float[n + off];
            double[] xd = new double[n + off], gd = new double[n + off];
            for (int i = 0; i < n + off; i++) {
                xd[i] = rng.nextInt(10) == 0 ? Double.NaN : TensorGen.value(rng, TensorGen.Values.EDGES);
                gd[i] = TensorGen.value(rng, TensorGen.Values.NORMAL);
                x[i] = (float) xd[i];
                g[i] = (float) gd[i];
            }
            float[] v = new float[n], s = new float[n];
            double[] vd = new double[n], sd = new double[n];
            UnaryKernels.leakyReluRowF(x, off, 1, v, 0, n, (float) slope, true);
            UnaryKernels.leakyReluRowF(x, off, 1, s, 0, n, (float) slope, false);
            UnaryKernels.leakyReluRowD(xd, off, 1, vd, 0, n, slope, true);
            UnaryKernels.leakyReluRowD(xd, off, 1, sd, 0, n, slope, false);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(s[i]), Float.floatToIntBits(v[i]), "forward float at " + i + " of " + x[off + i]);
                assertEquals(Double.doubleToLongBits(sd[i]), Double.doubleToLongBits(vd[i]), "forward double at " + i);
                double want = xd[off + i] > 0 ? xd[off + i] : slope * xd[off + i];
                assertEquals(want, sd[i], 0, "forward definition at " + i);
            }
            UnaryKernels.leakyMaskF(g, off, x, off, v, 0, n, (float) slope, true);
            UnaryKernels.leakyMaskF(g, off, x, off, s, 0, n, (float) slope, false);
            UnaryKernels.leakyMaskD(gd, off, xd, off, vd, 0, n, slope, true);
            UnaryKernels.leakyMaskD(gd, off, xd, off, sd, 0, n, slope, false);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(s[i]), Float.floatToIntBits(v[i]), "backward float at " + i + " of " + x[off + i]);
                assertEquals(Double.doubleToLongBits(sd[i]), Double.doubleToLongBits(vd[i]), "backward double at " + i);
                double want = xd[off + i] > 0 ? gd[off + i] : slope * gd[off + i];
                assertEquals(want, sd[i], 0, "backward definition at " + i);
            }
        });
    }
}
