package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Kernels;
import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Test;

/** The {@code descent.vectorBits} setting: what it accepts, what it refuses, and that every species follows it. */
class VectorWidthTest {
    @Test
    void noValueMeansTheJvmsPreferredWidth() {
        assertEquals(512, Vectors.shape(null, 512).vectorBitSize());
        assertEquals(256, Vectors.shape(" ", 256).vectorBitSize());
    }

    @Test
    void aWidthUpToTheJvmsIsTaken() {
        assertEquals(128, Vectors.shape("128", 512).vectorBitSize());
        assertEquals(256, Vectors.shape("256", 512).vectorBitSize());
        assertEquals(512, Vectors.shape(" 512 ", 512).vectorBitSize());
    }

    @Test
    void aWidthWiderThanTheJvmsOrNotAWidthIsRefusedNamingTheValue() {
        var wide = assertThrows(IllegalArgumentException.class, () -> Vectors.shape("512", 256));
        assertTrue(wide.getMessage().contains("descent.vectorBits=512") && wide.getMessage().contains("256 bits"), wide.getMessage());
        for (String bad : new String[] {"64", "100", "1024", "wide", "256b"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Vectors.shape(bad, 512));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    /** Whatever this JVM was started with, every species has the one shape: the pinned one, or the preferred. */
    @Test
    void everySpeciesHasThePinnedWidth() {
        String pinned = System.getProperty(Vectors.BITS_PROPERTY);
        int expected = pinned == null || pinned.isBlank() ? VectorShape.preferredShape().vectorBitSize() : Integer.parseInt(pinned.strip());
        assertEquals(expected, Kernels.vectorBits());
        for (var species : new jdk.incubator.vector.VectorSpecies<?>[] {Vectors.F, Vectors.D, Vectors.I, Vectors.L}) {
            assertEquals(expected, species.vectorBitSize(), species.toString());
        }
        assertEquals(expected / 32, Vectors.FL);
        assertEquals(expected / 64, Vectors.DL);
    }

    /** A JVM started with {@code -Ddescent.vectorBits=N} builds every species N bits wide, even where the CPU's are wider. */
    @Test
    void aChildJvmHonoursThePinnedWidth() throws Exception {
        for (int bits : new int[] {128, 256}) {
            String jvm = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(jvm, "--add-modules", "jdk.incubator.vector", "-D" + Vectors.BITS_PROPERTY + "=" + bits,
                    "-cp", System.getProperty("java.class.path"), VectorWidthTest.class.getName()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("species " + bits + " " + bits + " " + bits + " " + bits + " kernels " + bits), bits + ": " + out);
        }
    }

    /**
     * Prints the bit sizes of the kernels' species and {@link Kernels#vectorBits()} (for {@link #aChildJvmHonoursThePinnedWidth}).
     *
     * @param args none
     */
    public static void main(String[] args) {
        System.out.println("species " + Vectors.F.vectorBitSize() + " " + Vectors.D.vectorBitSize() + " " + Vectors.I.vectorBitSize()
                + " " + Vectors.L.vectorBitSize() + " kernels " + Kernels.vectorBits());
    }
}
