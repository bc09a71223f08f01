package dev.descent.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A byte stream being parsed: counts its position, names the file and the offset space in its
 * errors, and never allocates more than the bytes that have actually arrived (so a corrupted size
 * field cannot make a reader allocate gigabytes).
 */
final class ByteInput implements Closeable {
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int FIRST_CHUNK = 1 << 20;

    private final InputStream in;
    private final Path file;
    private final String within;
    private final long length;
    private long position;

    /**
     * Reads {@code in}, whose bytes are those of {@code file} (empty {@code within}) or of the stream
     * {@code within} names; {@code length} is the total number of bytes when known, else -1.
     */
    ByteInput(InputStream in, Path file, String within, long length) {
        this.in = in;
        this.file = file;
        this.within = within;
        this.length = length;
    }

    Path file() {
        return file;
    }

    String within() {
        return within;
    }

    /** The number of bytes read so far. */
    long position() {
        return position;
    }

    /** The total number of bytes, or -1 when the stream does not say. */
    long length() {
        return length;
    }

    /** A format error at {@code offset} of this stream. */
    DataFileException error(long offset, String expected, String found) {
        return new DataFileException(file, within, offset, expected, found);
    }

    /** Reads up to {@code len} bytes; -1 at the end. */
    int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) position += n;
        return n;
    }

    /** Reads exactly {@code len} bytes of {@code what}, or fails naming the offset where the data ran out. */
    void readFully(byte[] b, int off, int len, String what) throws IOException {
        long start = position;
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done);
            if (n < 0) throw error(position, len + " bytes of " + what + " (from byte " + start + ")", "the end of " + streamName() + " after " + done);
            done += n;
        }
    }

    /** Reads {@code len} bytes, or fewer only at the end of the stream; returns how many. */
    int readAtMost(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done);
            if (n < 0) break;
            done += n;
        }
        return done;
    }

    /** One unsigned byte of {@code what}. */
    int readUnsignedByte(String what) throws IOException {
        byte[] one = new byte[1];
        readFully(one, 0, 1, what);
        return one[0] & 0xff;
    }

    /** A big-endian 32-bit integer of {@code what}. */
    int readIntBigEndian(String what) throws IOException {
        byte[] four = new byte[4];
        readFully(four, 0, 4, what);
        return (four[0] & 0xff) << 24 | (four[1] & 0xff) << 16 | (four[2] & 0xff) << 8 | (four[3] & 0xff);
    }

    /**
     * Exactly {@code promised} bytes of {@code what}. The array grows as data arrives (at most doubling),
     * so a stream that promises more than it holds costs at most twice what it holds.
     */
    byte[] readPromised(long promised, String what) throws IOException {
        if (promised < 0 || promised > MAX_ARRAY) {
            throw error(position, what + " of at most " + MAX_ARRAY + " bytes", promised + " bytes promised");
        }
        int total = (int) promised;
        if (length >= 0 && length - position < total) {
            throw error(length, total + " bytes of " + what + " (from byte " + position + ")", "the end of " + streamName() + " after " + (length - position));
        }
        if (length >= 0) {
            byte[] b = new byte[total];
            readFully(b, 0, total, what);
            return b;
        }
        long start = position;
        byte[] b = new byte[Math.min(total, FIRST_CHUNK)];
        int filled = 0;
        while (filled < total) {
            if (filled == b.length) b = Arrays.copyOf(b, (int) Math.min(total, 2L * b.length));
            int n = read(b, filled, b.length - filled);
            if (n < 0) throw error(position, total + " bytes of " + what + " (from byte " + start + ")", "the end of " + streamName() + " after " + filled);
            filled += n;
        }
        return b;
    }

    /**
     * Reads and drops exactly {@code n} bytes of {@code what} through a small buffer, failing as {@link #readPromised}
     * does when the data runs out: a length checked without keeping the bytes.
     */
    void skipExactly(long n, String what) throws IOException {
        long start = position;
        byte[] scratch = new byte[(int) Math.min(n, 1 << 16)];
        long done = 0;
        while (done < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) throw error(position, n + " bytes of " + what + " (from byte " + start + ")", "the end of " + streamName() + " after " + done);
            done += r;
        }
    }

    /** Every remaining byte, at most {@code limit} of them (else an error naming {@code what}). */
    byte[] readRest(int limit, String what) throws IOException {
        if (length >= 0) {
            long rest = length - position;
            if (rest > limit) throw error(position, what + " of at most " + limit + " bytes", rest + " bytes");
            return readPromised(rest, what);
        }
        byte[] b = new byte[Math.min(limit, 1 << 16)];
        int filled = 0;
        while (true) {
            if (filled == b.length) {
                if (b.length == limit) {
                    if (read(new byte[1], 0, 1) < 0) return b;
                    throw error(position - 1, what + " of at most " + limit + " bytes", "more");
                }
                b = Arrays.copyOf(b, (int) Math.min(limit, 2L * b.length));
            }
            int n = read(b, filled, b.length - filled);
            if (n < 0) return Arrays.copyOf(b, filled);
            filled += n;
        }
    }

    /** Fails unless the stream ends here; {@code after} names what should have been last. */
    void expectEnd(String after) throws IOException {
        long at = position;
        if (length >= 0 && length > at) throw error(at, "the end of " + streamName() + " after " + after, (length - at) + " extra bytes");
        byte[] probe = new byte[8192];
        long extra = 0;
        int n;
        while (extra < (1 << 20) && (n = read(probe, 0, probe.length)) > 0) extra += n;
        if (extra > 0) {
            throw error(at, "the end of " + streamName() + " after " + after, (extra >= (1 << 20) ? "at least " : "") + extra + " extra bytes");
        }
    }

    /** "the file", "the decompressed stream", "member x of the archive". */
    String streamName() {
        return within.isEmpty() ? "the file" : within;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
