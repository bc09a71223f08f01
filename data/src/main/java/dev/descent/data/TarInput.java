package dev.descent.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal sequential tar reader (POSIX ustar, GNU tar and pax headers): walks the members of an
 * archive stream without extracting anything. Each header's checksum is verified; GNU long names
 * ({@code L}) and pax {@code path}/{@code size} records are honoured; directories, links and other
 * special members are skipped. The archive must end with the end-of-archive marker (zero blocks)
 * followed by nothing but zero padding.
 */
final class TarInput {
    static final int BLOCK = 512;
    private static final int MAX_META = 1 << 20; // the largest long name or pax header we read

    /** A regular file in the archive: its name, size and where its data starts in the archive stream. */
    record Member(String name, long size, long dataOffset) {}

    private final ByteInput in;
    private final String archiveName;
    private final byte[] header = new byte[BLOCK];   // one of each for the whole archive: an archive of many
    private final byte[] scratch = new byte[8192];   // small members must not cost two buffers per member
    private Member current;
    private long currentLeft;   // data bytes of the current member not yet read
    private boolean ended;
    private long endOffset = -1;

    /**
     * Reads the tar stream {@code in} of {@code file}: the file itself ({@code length} bytes, or -1 if
     * unknown), or its decompressed content if {@code compressed}, whose offsets errors then count.
     */
    TarInput(InputStream in, Path file, boolean compressed, long length) {
        this.archiveName = compressed ? "the decompressed archive" : "the archive";
        this.in = new ByteInput(in, file, compressed ? archiveName : "", length);
    }

    /** The next regular file, or null after the end-of-archive marker; skips what is left of the previous member. */
    Member next() throws IOException {
        if (ended) return null;
        skipRest();
        String longName = null;
        long paxSize = -1;
        byte[] h = header;
        while (true) {
            long at = in.position();
            int got = fill(h);
            if (got == 0) throw in.error(at, "a 512-byte tar header or the end-of-archive marker", "the end of " + archiveName);
            if (got < BLOCK) throw in.error(at, "a 512-byte tar header", "only " + got + " bytes before the end of " + archiveName);
            if (isZero(h)) {
                endOffset = at;
                finish(at);
                return null;
            }
            verifyChecksum(h, at);
            long size = parseSize(h, at);
            char type = (char) h[156];
            String name = longName != null ? longName : headerName(h);
            if (paxSize >= 0) size = paxSize;
            long dataAt = in.position();
            if (in.length() >= 0 && size > in.length() - dataAt) {
                throw in.error(at + 124, "a member size within the " + (in.length() - dataAt) + " bytes left in " + archiveName, size + " bytes");
            }
            switch (type) {
                case 'L' -> {                                   // GNU long name for the next member
                    longName = cString(in.readPromised(checkMeta(size, at, "a GNU long name"), "a GNU long name"));
                    skipPadding(size);
                    continue;
                }
                case 'x' -> {                                   // pax extended header for the next member
                    byte[] pax = in.readPromised(checkMeta(size, at, "a pax header"), "a pax header");
                    skipPadding(size);
                    PaxRecords r = parsePax(pax, dataAt);
                    if (r.path != null) longName = r.path;
                    if (r.size >= 0) paxSize = r.size;
                    continue;
                }
                case '0', '\0', '7' -> {
                    current = new Member(name, size, dataAt);
                    currentLeft = size;
                    return current;
                }
                default -> {                                    // directories, links, global pax, GNU 'K'...: skip
                    skipBytes(size);
                    skipPadding(size);
                    longName = null;
                    paxSize = -1;
                }
            }
        }
    }

    /** The data of the member {@link #next()} returned; reads stop at its end. */
    InputStream content() {
        Member m = current;
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (current != m) throw new IllegalStateException("member " + m.name() + " was left");
                if (currentLeft == 0) return -1;
                if (len == 0) return 0;
                int n = in.read(b, off, (int) Math.min(len, currentLeft));
                if (n < 0) {
                    throw in.error(in.position(), currentLeft + " more bytes of member " + m.name(), "the end of " + archiveName);
                }
                currentLeft -= n;
                return n;
            }
        };
    }

    /** Where the reader is in the archive stream. */
    long position() {
        return in.position();
    }

    /** Where the end-of-archive marker starts, once {@link #next()} has returned null; else -1. */
    long endOffset() {
        return endOffset;
    }

    /** "the archive" or "the decompressed archive". */
    String archiveName() {
        return archiveName;
    }

    /** A format error at {@code offset} of the archive stream. */
    DataFileException error(long offset, String expected, String found) {
        return in.error(offset, expected, found);
    }

    private void skipRest() throws IOException {
        if (current == null) return;
        Member m = current;
        skipBytes(currentLeft);
        currentLeft = 0;
        skipPadding(m.size());
        current = null;
    }

    private void skipBytes(long n) throws IOException {
        long start = in.position();
        while (n > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
            if (r < 0) throw in.error(in.position(), n + " more bytes of the member that starts at byte " + start, "the end of " + archiveName);
            n -= r;
        }
    }

    private void skipPadding(long size) throws IOException {
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        skipBytes(pad);
    }

    private int fill(byte[] h) throws IOException {
        int done = 0;
        while (done < h.length) {
            int n = in.read(h, done, h.length - done);
            if (n < 0) break;
            done += n;
        }
        return done;
    }

    /** After the first zero block: a second one (or the end), then only zero padding. */
    private void finish(long markerAt) throws IOException {
        ended = true;
        byte[] b = scratch;
        int n;
        while ((n = in.read(b, 0, b.length)) > 0) {
            for (int i = 0; i < n; i++) {
                if (b[i] != 0) {
                    throw in.error(in.position() - n + i, "only zero padding after the end-of-archive marker at byte " + markerAt, String.format("byte %02x", b[i]));
                }
            }
        }
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }

    private void verifyChecksum(byte[] h, long at) throws DataFileException {
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long stored = parseOctal(h, 148, 8, at, "the header checksum");
        if (stored != unsigned && stored != signed) throw in.error(at + 148, "header checksum " + Long.toOctalString(unsigned) + " (octal)", Long.toOctalString(stored));
    }

    private long parseSize(byte[] h, long at) throws DataFileException {
        if ((h[124] & 0x80) != 0) {                              // GNU base-256 for sizes of 8 GiB and more
            if ((h[124] & 0x40) != 0) throw in.error(at + 124, "a non-negative member size", "a negative base-256 number");
            long v = h[124] & 0x3f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) throw in.error(at + 124, "a member size below 2^63", "a larger base-256 number");
                v = v << 8 | (h[i] & 0xff);
            }
            return v;
        }
        return parseOctal(h, 124, 12, at, "the member size");
    }

    /** An octal field: optional leading spaces, digits, then NUL or space (or the field's end). */
    private long parseOctal(byte[] h, int from, int len, long at, String what) throws DataFileException {
        int i = from, end = from + len;
        while (i < end && h[i] == ' ') i++;
        long v = 0;
        int digits = 0;
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++, digits++) v = v * 8 + (h[i] - '0');
        for (; i < end; i++) {
            if (h[i] != 0 && h[i] != ' ') throw in.error(at + i, what + " in octal digits", "byte " + String.format("%02x", h[i]));
        }
        if (digits == 0) throw in.error(at + from, what + " in octal digits", "none");
        return v;
    }

    private static String headerName(byte[] h) {
        String name = field(h, 0, 100);
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        String prefix = posix ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] h, int from, int len) {
        int end = from;
        while (end < from + len && h[end] != 0) end++;
        return new String(h, from, end - from, StandardCharsets.ISO_8859_1);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private long checkMeta(long size, long at, String what) throws DataFileException {
        if (size > MAX_META) throw in.error(at + 124, what + " of at most " + MAX_META + " bytes", size + " bytes");
        return size;
    }

    private record PaxRecords(String path, long size) {}

    /** pax records: "LEN key=value\n", LEN counting the whole record in decimal. */
    private PaxRecords parsePax(byte[] pax, long at) throws DataFileException {
        String path = null;
        long size = -1;
        int i = 0;
        while (i < pax.length) {
            int start = i;
            long len = 0;
            while (i < pax.length && pax[i] >= '0' && pax[i] <= '9' && len < Integer.MAX_VALUE) len = len * 10 + (pax[i++] - '0');
            if (i == start || i >= pax.length || pax[i] != ' ' || len <= i - start + 1 || start + len > pax.length || pax[(int) (start + len - 1)] != '\n') {
                throw in.error(at + start, "a pax record \"LENGTH key=value\\n\"", "malformed bytes");
            }
            String rec = new String(pax, i + 1, (int) (start + len - 1 - (i + 1)), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq < 0) throw in.error(at + start, "a pax record \"LENGTH key=value\\n\"", "no '='");
            String key = rec.substring(0, eq), value = rec.substring(eq + 1);
            if (key.equals("path")) path = value;
            if (key.equals("size")) {
                try {
                    size = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    size = -2;
                }
                if (size < 0) throw in.error(at + start, "a non-negative decimal pax size", value);
            }
            i = (int) (start + len);
        }
        return new PaxRecords(path, size);
    }
}
