package dev.descent.tutorial;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.Arrays;

/** Chapter 1 of the tutorial: making tensors, views that share storage, NumPy broadcasting, reductions. */
public final class Ch01Tensors {
    private Ch01Tensors() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param matrix the 2×3 float32 matrix of the first section
     * @param transposeSharesStorage whether the transpose is a view of the matrix's storage
     * @param rowPlusColumn the [3, 1] + [1, 4] broadcast
     * @param broadcastError the message of the refused [2, 3] + [4, 3]
     * @param columnSums the matrix summed over dim 0
     * @param rowMeans the matrix averaged over dim 1, keeping the dim
     */
    public record Result(Tensor matrix, boolean transposeSharesStorage, Tensor rowPlusColumn, String broadcastError,
            Tensor columnSums, Tensor rowMeans) {}

    /**
     * Runs the chapter, printing what the text discusses.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run();
    }

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     */
    public static Result run() {
        Tutorial.section("create");
        // tag::create[]
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);  // float32, shape [2, 3], row-major
        Tensor x = Tensor.of(2.0);                                   // a 0-d float64 scalar
        Tensor i = Tensor.arange(4);                                 // int64 [0, 1, 2, 3]
        System.out.println(m);
        System.out.println("shape " + Arrays.toString(m.shape()) + ", dtype " + m.dtype() + ", " + m.numel() + " elements");
        System.out.println(x + " has " + x.dim() + " dimensions; " + i);
        System.out.println("m * 2 is " + m.mul(2).dtype() + ", m * x is " + m.mul(x).dtype()
                + ", m * m64 is " + m.mul(m.to(DType.FLOAT64)).dtype());  // a 0-d x keeps m's dtype; a float64 matrix wins
        // end::create[]

        Tutorial.section("views");
        // tag::views[]
        Tensor mt = m.t();                                           // [3, 2]: no copy, only new strides
        System.out.println("m strides " + Arrays.toString(m.strides()) + ", m.t() strides " + Arrays.toString(mt.strides()));
        System.out.println("same storage: " + (mt.storage() == m.storage()) + ", m.t() contiguous: " + mt.isContiguous());
        System.out.println("m.t() =\n" + mt);
        System.out.println("row 1 of m: " + m.select(0, 1) + ", reshaped to [3, 2]:\n" + m.reshape(3, 2));
        // end::views[]

        Tutorial.section("broadcast");
        // tag::broadcast[]
        Tensor row = Tensor.of(new float[] {10, 20, 30});            // [3]
        System.out.println("m + row =\n" + m.add(row));              // [2, 3] + [3] -> [2, 3]: row added to each row
        System.out.println("row seen as [2, 3] has strides " + Arrays.toString(row.expand(2, 3).strides()));  // no copy

        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);         // [3, 1]
        Tensor four = Tensor.of(new float[] {0, 10, 20, 30}, 1, 4);  // [1, 4]
        Tensor table = col.add(four);                                // [3, 1] + [1, 4] -> [3, 4]
        System.out.println("col + four =\n" + table);

        String error;
        try {
            m.add(Tensor.ones(4, 3));                                // [2, 3] + [4, 3]: 2 vs 4, neither is 1
            error = "(no error)";
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
        }
        System.out.println(error);
        // end::broadcast[]

        Tutorial.section("reduce");
        // tag::reduce[]
        Tensor columnSums = m.sum(0);                                // [3]
        Tensor rowMeans = m.mean(1, true);                           // [2, 1]: keepdim, so it broadcasts back
        System.out.println("sum over dim 0: " + columnSums + ", mean over dim 1: " + rowMeans.reshape(2));
        System.out.println("centred rows:\n" + m.sub(rowMeans));
        System.out.println("m @ m.t() =\n" + m.matmul(mt));
        // end::reduce[]
        return new Result(m, mt.storage() == m.storage(), table, error, columnSums, rowMeans);
    }
}
