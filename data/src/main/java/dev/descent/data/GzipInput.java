package dev.descent.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A strict gzip decoder (RFC 1952) over {@link Inflater}: checks every header field, the CRC-32 and
 * length of each member, accepts concatenated members and rejects anything else after the last one
 * (the JDK's {@code GZIPInputStream} silently ignores trailing garbage). Errors in the gzip framing
 * name compressed offsets of the file; errors in the deflate data also say how many bytes had been
 * decompressed.
 */
final class GzipInput extends InputStream {
    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, RESERVED = 0xe0;

    private final InputStream in;
    private final Path file;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private int bufPos, bufLen;
    private long bufStart;       // file offset of buf[0]
    private long memberOut;      // bytes decompressed in the current member
    private long totalOut;       // bytes decompressed in all members
    private boolean inHeader = true, eof, closed;

    /** Decodes the gzip file {@code file} read from {@code in} (positioned at its first byte). */
    GzipInput(InputStream in, Path file) {
        this.in = in;
        this.file = file;
    }

    /** True when {@code b} starts with the gzip magic 1f 8b. */
    static boolean isGzipMagic(byte[] b, int n) {
        return n >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private long compressedPosition() {
        return bufStart + bufPos;
    }

    private DataFileException error(long offset, String expected, String found) {
        return new DataFileException(file, "", offset, expected, found);
    }

    /** The next compressed byte, or -1 at the end of the file. */
    private int nextByte() throws IOException {
        if (bufPos == bufLen && !fill()) return -1;
        return buf[bufPos++] & 0xff;
    }

    private boolean fill() throws IOException {
        bufStart += bufLen;
        bufPos = 0;
        bufLen = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        bufLen = n;
        return true;
    }

    private int headerByte(CRC32 headerCrc, String what) throws IOException {
        long at = compressedPosition();
        int b = nextByte();
        if (b < 0) throw error(at, what + " of the gzip header", "the end of the file");
        headerCrc.update(b);
        return b;
    }

    private void readHeader() throws IOException {
        CRC32 h = new CRC32();
        long start = compressedPosition();
        int id1 = headerByte(h, "magic byte 1f"), id2 = headerByte(h, "magic byte 8b");
        if (id1 != 0x1f || id2 != 0x8b) throw error(start, "the gzip magic 1f 8b", String.format("%02x %02x", id1, id2));
        int cm = headerByte(h, "the compression method");
        if (cm != 8) throw error(start + 2, "compression method 8 (deflate)", String.valueOf(cm));
        int flags = headerByte(h, "the flags");
        if ((flags & RESERVED) != 0) throw error(start + 3, "flags with the reserved bits 5-7 clear", String.format("0x%02x", flags));
        for (int i = 0; i < 6; i++) headerByte(h, "the modification time, extra flags and OS");
        if ((flags & FEXTRA) != 0) {
            int xlen = headerByte(h, "the extra field length") | headerByte(h, "the extra field length") << 8;
            for (int i = 0; i < xlen; i++) headerByte(h, "the extra field");
        }
        if ((flags & FNAME) != 0) while (headerByte(h, "the zero-terminated file name") != 0) { /* skip */ }
        if ((flags & FCOMMENT) != 0) while (headerByte(h, "the zero-terminated comment") != 0) { /* skip */ }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (h.getValue() & 0xffff);
            long at = compressedPosition();
            int found = headerByte(h, "the header CRC-16") | headerByte(h, "the header CRC-16") << 8;
            if (found != expected) throw error(at, String.format("header CRC-16 %04x", expected), String.format("%04x", found));
        }
        inflater.reset();
        crc.reset();
        memberOut = 0;
        inHeader = false;
    }

    private long trailerWord(String what) throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            long at = compressedPosition();
            int b = nextByte();
            if (b < 0) throw error(at, "the 8-byte gzip trailer (" + what + ")", "the end of the file");
            v |= (long) b << (8 * i);
        }
        return v;
    }

    private void readTrailerAndNext() throws IOException {
        long at = compressedPosition();
        long storedCrc = trailerWord("CRC-32");
        if (storedCrc != crc.getValue()) throw error(at, String.format("CRC-32 %08x of the decompressed data", crc.getValue()), String.format("%08x", storedCrc));
        long storedSize = trailerWord("length");
        if (storedSize != (memberOut & 0xffffffffL)) {
            throw error(at + 4, "decompressed length " + (memberOut & 0xffffffffL) + " (mod 2^32)", String.valueOf(storedSize));
        }
        long next = compressedPosition();
        int b = nextByte();
        if (b < 0) {
            eof = true;
            return;
        }
        if (b != 0x1f) throw error(next, "the end of the file or another gzip member (1f 8b)", String.format("byte %02x", b));
        bufPos--; // let readHeader see the magic
        inHeader = true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        int idle = 0;
        while (!eof) {
            if (inHeader) readHeader();
            if (inflater.needsInput()) {
                if (bufPos == bufLen && !fill()) {
                    throw error(compressedPosition(), "more deflate data (the stream is cut short after " + totalOut + " decompressed bytes)", "the end of the file");
                }
                inflater.setInput(buf, bufPos, bufLen - bufPos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw error(compressedPosition(), "valid deflate data", "corrupt data (" + e.getMessage() + ") after " + totalOut + " decompressed bytes");
            } finally {
                bufPos = bufLen - inflater.getRemaining();
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                totalOut += n;
                return n;
            }
            if (inflater.finished()) {
                readTrailerAndNext();
            } else if (inflater.needsDictionary()) {
                throw error(compressedPosition(), "deflate data without a preset dictionary", "a dictionary request");
            } else if (!inflater.needsInput() && ++idle > 4) {
                throw error(compressedPosition(), "deflate data that makes progress", "a stalled stream");
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        inflater.end();
        in.close();
    }
}
