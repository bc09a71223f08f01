package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.Kernels;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.ops.Convolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's promise that one vector width gives the same bits on an AVX2 and an AVX-512 CPU, checked across core's
 * build executions: each run of this test writes digests of a convolution's output, input gradient and weight gradient
 * for shapes that take every weight-gradient path (Winograd, the implicit tiles, the channel-blocked kernel, im2col;
 * partial pixel vectors, stride 2, 1×1) to {@code target/register-bits/<bits>-<registers>.txt}, and compares them with
 * the file of the other register count at the same width when the same build of the kernels wrote one (the
 * gemm-16-registers and conv-256-bits-32-registers executions: 256 bits with 16 and with 32 registers).
 */
class RegisterCountBitsTest {

    private static final int[][] SHAPES = {
        // c, o, h = w, stride, kernel, padding
        {32, 64, 16, 2, 3, 1}, {16, 16, 7, 1, 3, 1}, {64, 64, 7, 1, 1, 0}, {32, 32, 6, 1, 1, 0},
        {3, 32, 32, 1, 3, 1}, {32, 32, 16, 1, 3, 1}, {8, 16, 12, 1, 3, 1}, {16, 32, 14, 2, 3, 1},
    };

    @Test
    void convolutionBitsDoNotDependOnTheRegisterCount() throws IOException {
        List<String> digests = digests();
        assertEquals(digests, digests(), "the same digests twice in one run");
        String build = Long.toString(Files.getLastModifiedTime(classFile(Gemm.class)).toMillis());
        int bits = Kernels.vectorBits();
        Path dir = Path.of("target", "register-bits");
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        lines.add("build " + build);
        lines.addAll(digests);
        Files.write(dir.resolve(bits + "-" + (Gemm.MANY_REGISTERS ? 32 : 16) + ".txt"), lines);
        Path other = dir.resolve(bits + "-" + (Gemm.MANY_REGISTERS ? 16 : 32) + ".txt");
        if (!Gemm.REGISTERS_FIXED_BY_WIDTH && Files.exists(other)) {
            List<String> theirs = Files.readAllLines(other);
            if (theirs.get(0).equals("build " + build)) {
                assertEquals(theirs.subList(1, theirs.size()), digests, "bits at " + bits + " bits with 16 and with 32 registers");
            }
        }
    }

    private static Path classFile(Class<?> type) {
        try {
            return Path.of(type.getResource(type.getSimpleName() + ".class").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> digests() {
        List<String> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            int c = s[0], o = s[1], hw = s[2], stride = s[3], k = s[4], pad = s[5], n = 3;
            SplittableRandom rng = new SplittableRandom(Arrays.hashCode(s));
            Tensor x = Tensor.of(random(rng, n * c * hw * hw), n, c, hw, hw).requiresGrad(true);
            Tensor w = Tensor.of(random(rng, o * c * k * k), o, c, k, k).requiresGrad(true);
            Tensor y;
            try (var _ = Threads.limit(1)) {
                y = Convolution.conv2d(x, w, null, stride, pad);
                int ho = (int) y.shape()[2];
                y.backward(Tensor.of(random(rng, n * o * ho * ho), n, o, ho, ho));
            }
            out.add(Arrays.toString(s) + " y " + digest(y) + " dx " + digest(x.grad()) + " dw " + digest(w.grad()));
        }
        return out;
    }

    private static String digest(Tensor t) {
        return Integer.toHexString(Arrays.hashCode(t.toFloatArray()));
    }

    private static float[] random(SplittableRandom rng, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }
}
