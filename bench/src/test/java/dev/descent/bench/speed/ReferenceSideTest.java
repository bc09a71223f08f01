package dev.descent.bench.speed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the reference side's OpenMP threads are told to wait (no process started). */
class ReferenceSideTest {
    @Test
    void boundsTheSpinWhenTheEnvironmentSaysNothing() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/bin"));
        ReferenceSide.boundOpenMpSpin(env);
        assertEquals(ReferenceSide.OPENMP_SPIN_COUNT, env.get("GOMP_SPINCOUNT"));
        assertEquals("/bin", env.get("PATH"));
    }

    @Test
    void leavesTheCallersSpinCountAlone() {
        Map<String, String> env = new HashMap<>(Map.of("GOMP_SPINCOUNT", "300000"));
        ReferenceSide.boundOpenMpSpin(env);
        assertEquals("300000", env.get("GOMP_SPINCOUNT"));
    }

    @Test
    void leavesTheCallersWaitPolicyAlone() {
        Map<String, String> env = new HashMap<>(Map.of("OMP_WAIT_POLICY", "ACTIVE"));
        ReferenceSide.boundOpenMpSpin(env);
        assertFalse(env.containsKey("GOMP_SPINCOUNT"));
        assertEquals("ACTIVE", env.get("OMP_WAIT_POLICY"));
    }

    @Test
    void theBoundIsAboutDescentsSpinAtFortyNanosecondsAPause() {
        // Descent's pool spins 100 µs (Parallel.SPIN_NANOS); a PAUSE takes ~40 ns on the machine the bound was set on.
        double micros = Integer.parseInt(ReferenceSide.OPENMP_SPIN_COUNT) * 40e-3;
        assertEquals(100, micros, 10);
    }
}
