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

    @Test
    void touchingTheYoungGenerationRunsTwoCollections() {
        long before = collections();
        long ms = HeapSizing.touchYoungGeneration(60);
        assertTrue(ms >= 0 && ms < 60_000, "took " + ms + " ms");
        assertTrue(collections() >= before + 2, "collections " + before + " -> " + collections());
    }

    private static long collections() {
        long n = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) n += gc.getCollectionCount();
        return n;
    }
}
