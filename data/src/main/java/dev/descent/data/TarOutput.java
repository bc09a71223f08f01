package dev.descent.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal POSIX ustar writer: directories and regular files with fixed mode, owner and time, so the
 * same content always gives the same bytes. Ends with the end-of-archive marker and pads to GNU tar's
 * default 10,240-byte record, as {@code tar} does.
 */
final class TarOutput {
    private static final int RECORD = 20 * TarInput.BLOCK;

    private final OutputStream out;
    private long written;

    TarOutput(OutputStream out) {
        this.out = out;
    }

    /** A directory member; {@code name} ends with '/'. */
    void directory(String name) throws IOException {
        header(name.endsWith("/") ? name : name + "/", 0, '5', 0755);
    }

    /** A regular file of exactly {@code size} bytes, written by {@code body}. */
    void file(String name, long size, DataFiles.Body body) throws IOException {
        header(name, size, '0', 0644);
        long[] count = {0};
        body.write(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count[0] += len;
            }
        });
        if (count[0] != size) throw new IllegalStateException("member " + name + " announced " + size + " bytes but wrote " + count[0]);
        written += size;
        pad();
    }

    /** The end-of-archive marker (two zero blocks) and zero padding to a whole record. */
    void finish() throws IOException {
        out.write(new byte[2 * TarInput.BLOCK]);
        written += 2 * TarInput.BLOCK;
        int tail = (int) ((RECORD - written % RECORD) % RECORD);
        out.write(new byte[tail]);
        written += tail;
        out.flush();
    }

    private void pad() throws IOException {
        int p = (int) ((TarInput.BLOCK - written % TarInput.BLOCK) % TarInput.BLOCK);
        out.write(new byte[p]);
        written += p;
    }

    private void header(String name, long size, char type, int mode) throws IOException {
        byte[] h = new byte[TarInput.BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length <= 100) {
            System.arraycopy(n, 0, h, 0, n.length);
        } else {
            int cut = name.lastIndexOf('/', Math.min(name.length() - 1, 155));
            byte[] prefix = cut > 0 ? name.substring(0, cut).getBytes(StandardCharsets.UTF_8) : n;
            byte[] rest = cut > 0 ? name.substring(cut + 1).getBytes(StandardCharsets.UTF_8) : n;
            if (cut <= 0 || prefix.length > 155 || rest.length > 100) {
                throw new IllegalArgumentException("tar member name too long for ustar (100 + 155 bytes): " + name);
            }
            System.arraycopy(rest, 0, h, 0, rest.length);
            System.arraycopy(prefix, 0, h, 345, prefix.length);
        }
        if (size >= 1L << 33) throw new IllegalArgumentException("tar member " + name + " of " + size + " bytes exceeds ustar's 8 GiB");
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);                    // six digits, NUL, then the space already there
        out.write(h);
        written += TarInput.BLOCK;
    }

    /** {@code len - 1} zero-padded octal digits then NUL. */
    private static void octal(byte[] h, int from, int len, long v) {
        String s = Long.toOctalString(v);
        int digits = len - 1;
        for (int i = 0; i < digits; i++) {
            int k = i - (digits - s.length());
            h[from + i] = (byte) (k < 0 ? '0' : s.charAt(k));
        }
        h[from + digits] = 0;
    }
}
