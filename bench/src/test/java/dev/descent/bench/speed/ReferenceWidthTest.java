package dev.descent.bench.speed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.kernel.Vectors;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The references' instruction-set limits: added only when Descent runs narrower vectors, never over the caller's own. */
class ReferenceWidthTest {
    @Test
    void pytorchIsLimitedToAvx2OnlyWhenAskedAndKeepsTheCallersValues() {
        Map<String, String> env = new HashMap<>(Map.of("ATEN_CPU_CAPABILITY", "default", "PATH", "/bin"));
        ReferenceWidth.limitPyTorch(env, true);
        assertEquals("default", env.get("ATEN_CPU_CAPABILITY"));
        assertEquals("AVX2", env.get("MKL_ENABLE_INSTRUCTIONS"));
        assertEquals("AVX2", env.get("ONEDNN_MAX_CPU_ISA"));
        assertEquals("/bin", env.get("PATH"));

        Map<String, String> wide = new HashMap<>(Map.of("PATH", "/bin"));
        ReferenceWidth.limitPyTorch(wide, false);
        assertEquals(Map.of("PATH", "/bin"), wide);
    }

    @Test
    void numpyGetsTheAvx2KernelWhenLimitedAndTheCpusOwnOtherwise() {
        Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Sandybridge", "OPENBLAS_L2_SIZE", "262144"));
        ReferenceWidth.numpyKernel(env, true);
        assertEquals("Haswell", env.get("OPENBLAS_CORETYPE"));
        assertFalse(env.containsKey("OPENBLAS_L2_SIZE"));

        Map<String, String> own = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "262144"));
        ReferenceWidth.numpyKernel(own, false);
        assertFalse(own.containsKey("OPENBLAS_CORETYPE"));
        assertFalse(own.containsKey("OPENBLAS_L2_SIZE"));
    }

    @Test
    void theWidthLineSaysWhichX86WidthRanAndWhenTheOtherCannot() {
        String avx2Only = ReferenceWidth.widthNote("amd64", false, 256);
        assertTrue(avx2Only.contains("no AVX-512") && avx2Only.contains("512-bit figures are not measured"), avx2Only);
        String wide = ReferenceWidth.widthNote("amd64", true, 512);
        assertTrue(wide.contains("512 bits") && wide.contains("-XX:MaxVectorSize=32"), wide);
        String narrowed = ReferenceWidth.widthNote("x86_64", true, 256);
        assertTrue(narrowed.contains("AVX2 width") && narrowed.contains("256-bit"), narrowed);
        assertEquals("", ReferenceWidth.widthNote("aarch64", false, 128));
        assertEquals(ReferenceWidth.widthNote(System.getProperty("os.arch"), ReferenceWidth.cpuHasAvx512(), Vectors.F.vectorBitSize()),
                ReferenceWidth.widthNote());
    }

    @Test
    void limitedFollowsDescentsWidthAndTheCpu() {
        boolean expected = Vectors.F.vectorBitSize() < 512 && ReferenceWidth.cpuHasAvx512();
        assertEquals(expected, ReferenceWidth.limited());
        System.setProperty("descent.bench.matchWidth", "false");
        try {
            assertFalse(ReferenceWidth.limited());
        } finally {
            System.clearProperty("descent.bench.matchWidth");
        }
    }
}
