package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.check.QuickTheoriesRandom;
import dev.descent.core.kernel.ConvKernels.Geometry;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * im2col's three float32 layouts (row by row, through a padded copy, transposed) and col2im against plain loops over
 * the definition, on random geometries with strides, dilations, paddings and groups: the patch values must be equal
 * exactly (they are copies), col2im's sums equal to a float64 scatter within rounding, and col2im through a padded
 * accumulator bitwise equal to col2im.
 */
class ConvKernelsTest {
    /** A random geometry; stride-1 undilated with probability one half (the padded im2col's case). */
    private static Geometry random(RandomGenerator rng) {
        boolean plain = rng.nextBoolean();
        int groups = 1 + rng.nextInt(2), cg = 1 + rng.nextInt(3);
        int kh = 1 + rng.nextInt(3), kw = 1 + rng.nextInt(3);
        int sh = plain ? 1 : 1 + rng.nextInt(2), sw = plain ? 1 : 1 + rng.nextInt(3);
        int dh = plain ? 1 : 1 + rng.nextInt(2), dw = plain ? 1 : 1 + rng.nextInt(2);
        int ph = rng.nextInt(3), pw = rng.nextInt(3);
        int h = 1 + rng.nextInt(12), w = 1 + rng.nextInt(20);
        int ho = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, wo = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        if (h + 2 * ph < dh * (kh - 1) + 1 || w + 2 * pw < dw * (kw - 1) + 1) return random(rng);
        return new Geometry(2, groups * cg, h, w, groups * 2, kh, kw, sh, sw, ph, pw, dh, dw, groups, ho, wo);
    }

    /** The patch value of row r, pixel p of image n, group g: x at (oh·sh − ph + i·dh, ow·sw − pw + j·dw), 0 outside. */
    private static float patch(Geometry q, float[] x, int n, int g, int r, int p) {
        int j = r % q.kw(), i = (r / q.kw()) % q.kh(), c = g * q.cg() + r / (q.kw() * q.kh());
        int oh = p / q.wo(), ow = p % q.wo();
        int ih = oh * q.sh() - q.ph() + i * q.dh(), iw = ow * q.sw() - q.pw() + j * q.dw();
        return ih < 0 || ih >= q.h() || iw < 0 || iw >= q.w() ? 0f : x[((n * q.c() + c) * q.h() + ih) * q.w() + iw];
    }

    private static float[] random(RandomGenerator rng, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    @Test
    void im2colLayoutsHoldThePatchValues() {
        qt().withExamples(300).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = random(rng);
            return new Object[] {q, random(rng, q.n() * q.c() * q.h() * q.w())};
        }, c -> c[0].toString())).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] x = (float[]) c[1];
            int rows = q.rows(), pixels = q.pixels(), image = q.c() * q.h() * q.w();
            for (int n = 0; n < q.n(); n++) {
                for (int g = 0; g < q.groups(); g++) {
                    float[] cols = new float[rows * pixels], colsT = new float[rows * pixels], padded = new float[rows * pixels];
                    java.util.Arrays.fill(cols, Float.NaN);
                    java.util.Arrays.fill(colsT, Float.NaN);
                    java.util.Arrays.fill(padded, Float.NaN);
                    ConvKernels.im2col(q, x, n * image, g, 0, rows, cols);
                    ConvKernels.im2colTransposed(q, x, n * image, g, new float[ConvKernels.paddedSize(q)], colsT);
                    boolean viaPadding = ConvKernels.paddedIm2colApplies(q);
                    if (viaPadding) ConvKernels.im2colPadded(q, x, n * image, g, new float[ConvKernels.paddedSize(q)], padded);
                    for (int r = 0; r < rows; r++) {
                        for (int p = 0; p < pixels; p++) {
                            float want = patch(q, x, n, g, r, p);
                            String at = q + " image " + n + " group " + g + " row " + r + " pixel " + p;
                            assertEquals(want, cols[r * pixels + p], "im2col at " + at);
                            assertEquals(want, colsT[p * rows + r], "im2colTransposed at " + at);
                            if (viaPadding) assertEquals(want, padded[r * pixels + p], "im2colPadded at " + at);
                        }
                    }
                }
            }
        });
    }

    @Test
    void col2imAddsEveryPatchValueToItsPixel() {
        qt().withExamples(300).forAll(QuickTheoriesRandom.gen(rng -> {
            Geometry q = random(rng);
            return new Object[] {q, random(rng, q.rows() * q.pixels())};
        }, c -> c[0].toString())).checkAssert(c -> {
            Geometry q = (Geometry) c[0];
            float[] cols = (float[]) c[1];
            int rows = q.rows(), image = q.c() * q.h() * q.w();
            for (int g = 0; g < q.groups(); g++) {
                float[] x = new float[q.n() * image];
                double[] want = new double[x.length];
                ConvKernels.col2im(q, cols, g, 0, rows, x, image);
                for (int r = 0; r < rows; r++) {
                    int j = r % q.kw(), i = (r / q.kw()) % q.kh(), ch = g * q.cg() + r / (q.kw() * q.kh());
                    for (int p = 0; p < q.pixels(); p++) {
                        int ih = p / q.wo() * q.sh() - q.ph() + i * q.dh(), iw = p % q.wo() * q.sw() - q.pw() + j * q.dw();
                        if (ih >= 0 && ih < q.h() && iw >= 0 && iw < q.w()) want[image + (ch * q.h() + ih) * q.w() + iw] += cols[r * q.pixels() + p];
                    }
                }
                float[] viaPadding = new float[x.length];
                boolean padded = ConvKernels.paddedIm2colApplies(q);
                if (padded) ConvKernels.col2imPadded(q, cols, g, new float[ConvKernels.paddedSize(q)], viaPadding, image);
                for (int k = 0; k < x.length; k++) {
                    assertEquals(want[k], x[k], 1e-5 * (1 + Math.abs(want[k])), q + " group " + g + " element " + k);
                    // Into zeros, the padded accumulator adds each element's terms in col2im's order: the same bits.
                    if (padded) assertEquals(Float.floatToRawIntBits(x[k]), Float.floatToRawIntBits(viaPadding[k]), "col2imPadded: " + q + " element " + k);
                }
            }
        });
    }
}
