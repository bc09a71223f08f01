package dev.descent.core.kernel;

import java.util.concurrent.atomic.LongAdder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API species, chosen once, and the switch that forces every kernel onto its scalar twin.
 *
 * <p>{@code -Ddescent.kernels=scalar} makes every kernel run its scalar reference loop (for debugging
 * a suspected vector bug, or a CPU whose vectors are slower). Each vector kernel counts its calls, so a
 * test can prove the vector path actually ran: a build that silently falls back to scalar code is
 * otherwise a bug nobody sees.
 */
public final class Vectors {
    private Vectors() {}

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** float lanes per vector (8 with AVX2, 16 with AVX-512). */
    public static final int FL = F.length();
    /** double lanes per vector. */
    public static final int DL = D.length();

    /** True unless {@code descent.kernels=scalar} or the CPU has no useful vectors. */
    public static final boolean ENABLED = !"scalar".equals(System.getProperty("descent.kernels")) && FL >= 4;

    private static final LongAdder VECTOR_CALLS = new LongAdder();

    /** Called once per vector-kernel invocation (not per element). */
    static void count() {
        VECTOR_CALLS.increment();
    }

    /** How many times a vector kernel has run in this JVM. */
    public static long vectorCalls() {
        return VECTOR_CALLS.sum();
    }
}
