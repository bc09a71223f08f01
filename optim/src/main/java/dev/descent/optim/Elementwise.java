package dev.descent.optim;

import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the update rules' per-element loops share: the split of a tensor's elements over the kernel threads, and
 * the vector shapes of their float32 loops (four float32 elements widened to four float64 lanes, so a lane computes
 * exactly what the scalar loop computes for its element).
 *
 * <p>An update rule computes every element on its own, so cutting [0, n) into chunks run on different threads changes
 * no bit: chunk boundaries only decide which thread computes an element, never how. A rule's loop must not carry
 * anything from one element to the next (a sum, a maximum) through {@link #forRange}; a reduction has its own
 * fixed-order split ({@link FlatVectors}).
 */
final class Elementwise {
    private Elementwise() {}

    /** Least elements worth handing to another thread (a few tens of microseconds of work). */
    static final int ELEMENTS_PER_TASK = 16_384;

    /** Four float32 lanes: the elements a vector loop loads and stores. */
    static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    /** Four float64 lanes: the float32 elements widened, where the arithmetic runs. */
    static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /**
     * Whether the vector loops run: core's kernels are vectorised (see {@link Kernels}) and their width, pinned or the
     * CPU's, has room for {@link #D4}. Their results are the scalar loops' bits at any width.
     */
    static final boolean VECTOR = Kernels.vectorEnabled() && Kernels.vectorBits() >= D4.vectorBitSize();

    /**
     * Runs {@code body} over the element indices [0, n) on the kernel threads, in chunks of at least
     * {@link #ELEMENTS_PER_TASK}; on one thread, or for fewer elements, one call over all of them.
     *
     * @param n the number of elements
     * @param body the rule on the indices [from, to)
     */
    static void forRange(int n, Threads.RangeBody body) {
        Threads.forRange(n, ELEMENTS_PER_TASK, body);
    }

    /** Whether every one of {@code flats} is float32 (then a vector loop may run on their arrays). */
    static boolean allFloat(Flat... flats) {
        for (Flat f : flats) if (f.floats() == null) return false;
        return true;
    }
}
