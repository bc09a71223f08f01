package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.tutorial.docs.Captured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs chapter 1 and checks what its text says about tensors, views and broadcasting. */
class Ch01TensorsTest {
    private static Captured<Ch01Tensors.Result> run;

    @BeforeAll
    static void runTheChapter() {
        run = Captured.run(Ch01Tensors::run);
    }

    @Test
    void theMarkdownShowsTheCurrentCodeAndOutput() {
        ChapterDocs.assertUpToDate(1, run.output());
    }

    @Test
    void theMatrixIsFloat32TwoByThreeRowMajor() {
        var m = run.value().matrix();
        assertArrayEquals(new int[] {2, 3}, m.shape());
        assertEquals(DType.FLOAT32, m.dtype());
        assertArrayEquals(new int[] {3, 1}, m.strides());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, m.toDoubleArray());
    }

    @Test
    void theTransposeIsAViewAndDtypesPromoteAsTheTextSays() {
        assertTrue(run.value().transposeSharesStorage());
        assertTrue(run.output().contains("m.t() strides [1, 3]"), run.output());
        assertTrue(run.output().contains("m * 2 is FLOAT32, m * x is FLOAT32, m * m64 is FLOAT64"), run.output());
        assertTrue(run.output().contains("row seen as [2, 3] has strides [0, 1]"), run.output());
    }

    @Test
    void aColumnPlusARowIsTheirOuterSum() {
        var t = run.value().rowPlusColumn();
        assertArrayEquals(new int[] {3, 4}, t.shape());
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals((i + 1) + 10.0 * j, t.get(i, j));
    }

    @Test
    void incompatibleShapesAreRefusedNamingBothShapesAndTheDimension() {
        String e = run.value().broadcastError();
        assertTrue(e.contains("[2,3]") && e.contains("[4,3]") && e.contains("dim 0"), e);
    }

    @Test
    void reductionsGiveTheSumsAndMeansShown() {
        assertArrayEquals(new double[] {5, 7, 9}, run.value().columnSums().toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, run.value().rowMeans().shape());
        assertArrayEquals(new double[] {2, 5}, run.value().rowMeans().toDoubleArray());
    }
}
