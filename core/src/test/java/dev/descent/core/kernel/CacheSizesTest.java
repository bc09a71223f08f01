package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CacheSizesTest {
    @Test
    void takesSysfsThenTheCLibraryThenTheFallback() {
        assertEquals(48 * 1024, CacheSizes.pick(48 * 1024, 32 * 1024, 7));
        assertEquals(32 * 1024, CacheSizes.pick(-1, 32 * 1024, 7));
        assertEquals(7, CacheSizes.pick(-1, 0, 7), "musl answers 0: unknown");
        assertEquals(7, CacheSizes.pick(-1, -1, 7), "-1: not asked, or an error");
        assertEquals(32 * 1024, CacheSizes.pick(1 << 40, 32 * 1024, 7), "an implausible sysfs size is not taken");
        assertTrue(CacheSizes.plausible(4 * 1024) && CacheSizes.plausible(64L * 1024 * 1024));
        assertFalse(CacheSizes.plausible(4 * 1024 - 1) || CacheSizes.plausible(64L * 1024 * 1024 + 1));
    }

    @Test
    void describesTheSizesInUseAndTheirSource() {
        String d = CacheSizes.describe();
        assertTrue(d.startsWith("L1d " + CacheSizes.L1D / 1024 + " KB, L2 " + CacheSizes.L2 / 1024 + " KB ("), d);
        assertTrue(d.contains(CacheSizes.SOURCE), d);
        assertTrue(CacheSizes.plausible(CacheSizes.L1D) && CacheSizes.plausible(CacheSizes.L2), d);
    }

    /**
     * The C library's answer through the foreign function interface is the one {@code getconf} prints (glibc asks the CPU):
     * the build runs the tests with native access, so on Linux with getconf this is checked, not skipped.
     */
    @Test
    void theCLibrarysSizesAreGetconfs() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "Linux only");
        assertTrue(CacheSizes.class.getModule().isNativeAccessEnabled(), "the build runs tests with --enable-native-access");
        long l1 = getconf("LEVEL1_DCACHE_SIZE"), l2 = getconf("LEVEL2_CACHE_SIZE");
        assumeTrue(l1 >= 0 && l2 >= 0, "getconf is not installed or knows no cache sizes");
        long[] libc = CacheSizes.libc();
        assertNotNull(libc, "sysconf through the foreign function interface");
        assertEquals(l1, libc[0], "L1d");
        assertEquals(l2, libc[1], "L2");
        if (!CacheSizes.SOURCE.equals("sysfs") && CacheSizes.plausible(l1)) assertEquals(l1, CacheSizes.L1D, CacheSizes.SOURCE);
    }

    /** getconf's value of a variable; 0 for an empty answer (unknown), −1 when getconf cannot be run. */
    private static long getconf(String name) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("getconf", name).redirectErrorStream(true).start();
        } catch (IOException e) {
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return -1;
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }
}
