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
}
