package dev.descent.bench.speed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench header's heap line follows the JVM's own command line. */
class HeapSizingTest {
    @Test
    void warnsExactlyWhenTheCommandLineLeavesAdaptiveSizingOn() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        boolean fixed = args.contains("-XX:-UseAdaptiveSizePolicy");
        assertEquals(!fixed, HeapSizing.adaptive(), args.toString());
        String line = HeapSizing.describe();
        assertTrue(line.startsWith("heap: "), line);
        assertEquals(!fixed, line.contains("WARNING"), line);
        assertEquals(fixed, line.contains("fixed size"), line);
    }
}
