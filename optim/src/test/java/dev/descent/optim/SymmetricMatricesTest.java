package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SymmetricMatrices#congruence} (V·diag(f)·Vᵀ, the last step of every inverse root): its vector loop equals
 * its scalar twin and a plain triple loop written from the formula (Σ_j V[i][j]·f[j]·V[k][j] over j ascending, upper
 * triangle mirrored), bit for bit, for sizes around the vector width and with zero weights (a pseudo-inverse's).
 */
class SymmetricMatricesTest {

    @Test
    void congruenceVectorEqualsScalarTwinAndThePlainLoop() {
        qt().forAll(integers().between(1, 70), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double[][] v = new double[n][n];
            double[] f = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) v[i][j] = rng.nextGaussian();
                f[i] = rng.nextInt(5) == 0 ? 0 : Math.exp(3 * rng.nextGaussian());
            }
            double[][] vector = SymmetricMatrices.congruence(v, f, true), scalar = SymmetricMatrices.congruence(v, f, false);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    int a = Math.min(i, k), b = Math.max(i, k);
                    double plain = 0;
                    for (int j = 0; j < n; j++) plain += v[a][j] * f[j] * v[b][j];
                    String at = "n = " + n + " at [" + i + "][" + k + "]";
                    assertEquals(Double.doubleToRawLongBits(plain), Double.doubleToRawLongBits(scalar[i][k]), "scalar twin " + at);
                    assertEquals(Double.doubleToRawLongBits(plain), Double.doubleToRawLongBits(vector[i][k]), "vector loop " + at);
                }
            }
        });
    }
}
