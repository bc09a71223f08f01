package dev.descent.core.kernel;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data cache sizes of this machine's first CPU, read once, for the blocking of the kernels: from Linux's sysfs;
 * where sysfs has no cache directory (some virtual machines: this project's AVX-512 VM), from the C library's
 * {@code sysconf}, which asks the CPU itself (CPUID), when this code may call native functions (run with
 * {@code --enable-native-access=ALL-UNNAMED}, or {@code =dev.descent.core} on the module path; {@code ./descent} does);
 * else typical sizes of current x86 and ARM cores: 32 KB L1d, 1 MB L2. Without the flag nothing native is touched, so
 * the JVM prints no warning. The sizes choose only how the kernels block their loops, never the order of any sum: the
 * results' bits do not depend on them.
 */
public final class CacheSizes {
    private CacheSizes() {}

    /** glibc's {@code _SC_LEVEL1_DCACHE_SIZE} and {@code _SC_LEVEL2_CACHE_SIZE} (bits/confname.h; musl answers 0 to them). */
    private static final int SC_LEVEL1_DCACHE_SIZE = 188, SC_LEVEL2_CACHE_SIZE = 191;

    /** The C library's sizes, [L1d, L2] (0 where it has none), or null when not asked (see the class comment). */
    private static final long[] LIBC = libc();

    private static final long SYSFS_L1D = sysfs(1), SYSFS_L2 = sysfs(2);

    /** Bytes of L1 data cache per core. */
    static final long L1D = pick(SYSFS_L1D, LIBC == null ? -1 : LIBC[0], 32 * 1024);
    /** Bytes of L2 cache per core. */
    static final long L2 = pick(SYSFS_L2, LIBC == null ? -1 : LIBC[1], 1024 * 1024);
    /** Where L1D came from, for reports. */
    static final String SOURCE = plausible(SYSFS_L1D) ? "sysfs" : LIBC != null && plausible(LIBC[0]) ? "the C library's sysconf; sysfs has none"
            : LIBC == null ? "assumed; sysfs has none, and without native access the C library was not asked" : "assumed; neither sysfs nor the C library has them";

    /** {@return the first plausible size of sysfs's and the C library's, else the fallback} */
    static long pick(long sysfs, long libc, long fallback) {
        return plausible(sysfs) ? sysfs : plausible(libc) ? libc : fallback;
    }

    /** Whether a reported cache size is one to believe: 4 KB to 64 MB (a library answering "unknown" says 0 or −1). */
    static boolean plausible(long bytes) {
        return bytes >= 4 * 1024 && bytes <= 64L * 1024 * 1024;
    }

    /** {@return L1d and L2 with where they came from, e.g. "L1d 48 KB, L2 1024 KB (sysfs)"}: for reports */
    public static String describe() {
        return "L1d " + L1D / 1024 + " KB, L2 " + L2 / 1024 + " KB (" + SOURCE + ")";
    }

    private static long sysfs(int level) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            try {
                if (!Files.isDirectory(index)) break;
                if (Integer.parseInt(Files.readString(index.resolve("level")).trim()) != level) continue;
                String type = Files.readString(index.resolve("type")).trim();
                if (!type.equals("Data") && !type.equals("Unified")) continue;
                long bytes = parse(Files.readString(index.resolve("size")).trim());
                if (bytes > 0) return bytes;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * {@code sysconf} of the two sizes through the JDK's foreign function interface (no library of ours: the C library
     * the JVM already runs on), on Linux when this module has native access; null otherwise or when the call fails.
     */
    static long[] libc() {
        if (!System.getProperty("os.name", "").startsWith("Linux") || !CacheSizes.class.getModule().isNativeAccessEnabled()) return null;
        try {
            Linker linker = Linker.nativeLinker();
            var symbol = linker.defaultLookup().find("sysconf");
            if (symbol.isEmpty()) return null;
            MethodHandle sysconf = linker.downcallHandle(symbol.get(), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            return new long[] {(long) sysconf.invokeExact(SC_LEVEL1_DCACHE_SIZE), (long) sysconf.invokeExact(SC_LEVEL2_CACHE_SIZE)};
        } catch (Throwable e) {
            return null;
        }
    }

    /** "48K", "2048K", "4M" or plain bytes; -1 when unreadable. */
    static long parse(String s) {
        if (s.isEmpty()) return -1;
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long mul = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : unit == 'G' ? 1024L * 1024 * 1024 : 1;
        String digits = mul == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * mul;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
