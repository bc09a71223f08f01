package dev.descent.core.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data cache sizes of this machine's first CPU, read once from Linux's sysfs, for the blocking of the kernels.
 * Elsewhere, or when sysfs says nothing, typical sizes of current x86 and ARM cores: 32 KB L1d, 1 MB L2.
 */
final class CacheSizes {
    private CacheSizes() {}

    /** Bytes of L1 data cache per core. */
    static final long L1D = size(1, 32 * 1024);
    /** Bytes of L2 cache per core. */
    static final long L2 = size(2, 1024 * 1024);

    private static long size(int level, long fallback) {
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
                return fallback;
            }
        }
        return fallback;
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
