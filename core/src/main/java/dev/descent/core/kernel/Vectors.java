package dev.descent.core.kernel;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API species, chosen once, and the switch that forces every kernel onto its scalar twin.
 *
 * <p>Every vector kernel takes its species from here, so one setting fixes the width of all of them. The
 * width decides the order of floating-point sums (a reduction keeps one partial sum per lane), so it decides
 * the last bits of a result: {@code -Ddescent.vectorBits=256} (or 128, 512) pins it, and a run then gives the
 * same bits on any CPU with vectors of at least that width. Without it the kernels take the CPU's preferred
 * width ({@link VectorShape#preferredShape()}: 512 bits with AVX-512, 256 with AVX2, capped by
 * {@code -XX:MaxVectorSize}). A width wider than the JVM's vectors is refused: the Vector API would emulate it
 * lane by lane, correct but many times slower.
 *
 * <p>One float species for every kernel that inference runs, not only one width: the Vector API's methods keep one
 * call profile each for the whole process, and once a second species (a 256-bit tail copy beside 512-bit kernels)
 * has passed through them, C2 compiles the calls it inlines late as a two-way type switch and boxes their vectors
 * into new objects — M-LSD allocated 27.8 MB a run instead of 2.7, and ran slower, whenever the JVM had run
 * PaddleOCR's recognition model first. {@code OneFloatSpeciesTest} keeps other float species out of core, nn and onnx. (The
 * optimizers' float/double conversions use a 128-bit float species; a training step was measured without the
 * boxing.)
 *
 * <p>{@code -Ddescent.kernels=scalar} makes every kernel run its scalar reference loop (for debugging
 * a suspected vector bug, or a CPU whose vectors are slower). Each vector kernel counts its calls, so a
 * test can prove the vector path actually ran: a build that silently falls back to scalar code is
 * otherwise a bug nobody sees.
 */
public final class Vectors {
    private Vectors() {}

    /** The system property that pins the vector width, in bits. */
    public static final String BITS_PROPERTY = "descent.vectorBits";

    /** The shape of every kernel's vectors: the pinned width, else the CPU's preferred one. */
    public static final VectorShape SHAPE = shape(System.getProperty(BITS_PROPERTY), VectorShape.preferredShape().vectorBitSize());
    /** The vector width in bits. */
    public static final int BITS = SHAPE.vectorBitSize();

    public static final VectorSpecies<Float> F = VectorSpecies.of(float.class, SHAPE);
    public static final VectorSpecies<Double> D = VectorSpecies.of(double.class, SHAPE);
    public static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, SHAPE);
    public static final VectorSpecies<Long> L = VectorSpecies.of(long.class, SHAPE);
    /** float lanes per vector (8 at 256 bits, 16 at 512). */
    public static final int FL = F.length();
    /** double lanes per vector. */
    public static final int DL = D.length();

    /** True unless {@code descent.kernels=scalar} or the vectors are too narrow to help (fewer than four float lanes). */
    public static final boolean ENABLED = !"scalar".equals(System.getProperty("descent.kernels")) && FL >= 4;

    /**
     * The shape a {@code descent.vectorBits} value asks for.
     *
     * @param requested the property's value; null or blank for the JVM's preferred width
     * @param maxBits the JVM's preferred (widest intrinsic) vector width in bits
     * @throws IllegalArgumentException when the value is not 128, 256 or 512, or wider than {@code maxBits}
     */
    static VectorShape shape(String requested, int maxBits) {
        if (requested == null || requested.isBlank()) return VectorShape.forBitSize(maxBits);
        int bits;
        try {
            bits = Integer.parseInt(requested.strip());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 128, 256 or 512 (bits), was '" + requested + "'");
        }
        if (bits > maxBits) {
            throw new IllegalArgumentException(BITS_PROPERTY + "=" + bits + " is wider than this JVM's vectors (" + maxBits
                    + " bits: the CPU's, or -XX:MaxVectorSize); use " + maxBits + " or less");
        }
        return VectorShape.forBitSize(bits);
    }

    /**
     * Vector-kernel calls, counted without synchronisation: kernels call {@link #count()} per row, often millions of
     * times a second on every pool thread, where an atomic counter (a LongAdder was here) cost 9% of a GPT training
     * step. Racing increments may be lost, never invented, so the count only grows and a kernel that ran adds at least
     * one: enough for a test to prove the vector path ran, which is all it is for.
     */
    private static long vectorCalls;

    /** Called once per vector-kernel invocation (not per element). */
    static void count() {
        vectorCalls++;
    }

    /** How many times a vector kernel has run in this JVM (a lower bound: concurrent increments may be lost). */
    public static long vectorCalls() {
        return vectorCalls;
    }
}
