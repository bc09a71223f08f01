package dev.descent.core;

import java.util.Arrays;

/** Static helpers for shapes and strides (held as {@code int[]}): sizes, row-major strides, NumPy
 * broadcasting and dimension arguments, with errors that name the values that were wrong. */
public final class Shape {
    private Shape() {}

    /**
     * The number of elements of a shape: the product of its sizes.
     *
     * @param shape the sizes
     * @return the element count; 1 for the scalar shape {@code []}, 0 when a size is 0
     * @throws IllegalArgumentException when a size is negative or the product exceeds 2³¹ − 1
     */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + format(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + format(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /**
     * The row-major (C-order) strides of a shape: the last dimension has stride 1, and each other dimension's
     * stride is the product of the sizes after it (size-0 dimensions count as 1).
     *
     * @param shape the sizes
     * @return a new array of strides, in elements
     */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * One shape followed by more dimensions, e.g. a batch shape and a matrix's {@code m, n}.
     *
     * @param head the leading dimensions
     * @param tail the trailing dimensions
     * @return a new array: head ++ tail
     */
    public static int[] concat(int[] head, int... tail) {
        int[] s = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, s, head.length, tail.length);
        return s;
    }

    /**
     * Formats a shape as {@code [2,3]}: the form every error message uses.
     *
     * @param shape the sizes (or strides, or any int array)
     * @return the text, without spaces
     */
    public static String format(int[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    /**
     * The broadcast shape of two shapes under NumPy's rules: align trailing dimensions; each pair must be
     * equal or contain a 1, and the result takes the larger; missing leading dimensions count as 1.
     *
     * @param op the op's name, for the error message
     * @param a one shape
     * @param b the other
     * @return the broadcast shape, of rank {@code max(a.length, b.length)}
     * @throws IllegalArgumentException naming the op, both shapes and the dimension that disagrees
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": cannot broadcast " + format(a) + " with " + format(b)
                        + " at dim " + i + " (of the broadcast shape): " + da + " vs " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * True when {@code from} broadcasts to exactly {@code to} (one-way: {@code to} is not stretched).
     *
     * @param from the shape to stretch
     * @param to the target shape
     * @return whether every dimension of {@code from} is 1 or equals the aligned one of {@code to}
     */
    public static boolean broadcastsTo(int[] from, int[] to) {
        if (from.length > to.length) return false;
        int off = to.length - from.length;
        for (int i = 0; i < from.length; i++) if (from[i] != 1 && from[i] != to[i + off]) return false;
        return true;
    }

    /**
     * Resolves a dimension argument that may be negative (counted from the end). A 0-d tensor accepts 0 and
     * −1, as in PyTorch.
     *
     * @param op the op's name, for the error message
     * @param dim the dimension as given
     * @param rank the tensor's rank
     * @return the dimension in {@code [0, max(rank, 1))}
     * @throws IllegalArgumentException when {@code dim} lies outside {@code [−max(rank,1), max(rank,1))}
     */
    public static int normalizeDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for a tensor of rank " + rank
                    + " (expected " + (-r) + " to " + (r - 1) + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /**
     * Turns a list of dimensions into a mask, for reductions.
     *
     * @param op the op's name, for the error message
     * @param dims the dimensions (negative count from the end); empty means all
     * @param rank the tensor's rank
     * @return {@code mask[d]} true for every dimension d to reduce
     * @throws IllegalArgumentException when a dimension is out of range or appears twice
     */
    public static boolean[] dimMask(String op, int[] dims, int rank) {
        boolean[] mask = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(mask, true);
            return mask;
        }
        for (int d : dims) {
            int n = normalizeDim(op, d, rank);
            if (rank == 0) continue;
            if (mask[n]) throw new IllegalArgumentException(op + ": dim " + d + " appears more than once in " + Arrays.toString(dims));
            mask[n] = true;
        }
        return mask;
    }

    /**
     * Completes a requested shape for {@code reshape}/{@code view}: one {@code -1} entry is inferred from the
     * element count.
     *
     * @param op the op's name, for the error message
     * @param requested the shape asked for, with at most one {@code -1}
     * @param numel the number of elements the shape must hold
     * @return a new, fully specified shape
     * @throws IllegalArgumentException when more than one size is {@code -1}, a size is otherwise negative, or
     *         the shape cannot hold exactly {@code numel} elements
     */
    public static int[] inferSize(String op, int[] requested, int numel) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + format(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " in " + format(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + format(requested) + " is invalid for " + numel + " elements");
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + format(requested) + " is invalid for " + numel + " elements");
        }
        return shape;
    }
}
