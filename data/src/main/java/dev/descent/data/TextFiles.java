package dev.descent.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reading text files strictly as UTF-8: a malformed or truncated sequence (overlong forms and encoded
 * surrogates included) is a {@link DataFileException} naming the file and the byte offset where the sequence
 * starts, never a replacement character; an empty file is one too.
 */
public final class TextFiles {
    private TextFiles() {}

    /** The largest text file read: a Java string holds at most about 2³¹ characters, and each token takes 4 bytes more. */
    public static final long MAX_BYTES = 1L << 30;

    /**
     * The text of {@code file}.
     *
     * @param file a UTF-8 text file (a byte-order mark, if any, stays in the text as U+FEFF)
     * @return its text
     * @throws DataFileException when the file is empty, larger than {@link #MAX_BYTES}, or not UTF-8 (naming the offset
     *         of the first malformed byte)
     * @throws IOException when it cannot be read
     */
    public static String read(Path file) throws IOException {
        return decode(file, readBytes(file));
    }

    /**
     * The bytes of {@code file}, which must hold at least one and at most {@link #MAX_BYTES}.
     *
     * @param file the file
     * @return its bytes
     * @throws DataFileException when the file is empty or too large
     * @throws IOException when it cannot be read
     */
    public static byte[] readBytes(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new DataFileException(file, "", MAX_BYTES, "a text file of at most " + MAX_BYTES + " bytes", size + " bytes");
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) throw new DataFileException(file, "", 0, "text (at least one character)", "an empty file");
        if (bytes.length > MAX_BYTES) throw new DataFileException(file, "", MAX_BYTES, "a text file of at most " + MAX_BYTES + " bytes", "more");
        return bytes;
    }

    /**
     * The texts of {@code files}, concatenated in the given order.
     *
     * @param files UTF-8 text files, each non-empty
     * @return their texts, one after the other
     * @throws DataFileException naming the first file that is empty or not UTF-8, or when the total exceeds {@link #MAX_BYTES}
     * @throws IOException when a file cannot be read
     */
    public static String readAll(List<Path> files) throws IOException {
        if (files.isEmpty()) throw new IllegalArgumentException("no text files to read");
        StringBuilder s = new StringBuilder();
        long total = 0;
        for (Path f : files) {
            String t = read(f);
            total += t.length();
            if (total > MAX_BYTES) throw new DataFileException(f, "", 0, "text files of at most " + MAX_BYTES + " characters in all", "more");
            s.append(t);
        }
        return s.toString();
    }

    /**
     * Decodes {@code bytes} read from {@code file} as strict UTF-8.
     *
     * @param file  where the bytes come from, for the message
     * @param bytes the content
     * @return the text
     * @throws DataFileException at the first malformed or truncated sequence, naming its byte offset and bytes
     */
    public static String decode(Path file, byte[] bytes) throws DataFileException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isUnderflow()) r = d.flush(out);
        if (r.isError()) {
            int at = in.position();
            int n = Math.min(Math.max(r.length(), 1), bytes.length - at);
            StringBuilder found = new StringBuilder();
            for (int i = 0; i < Math.min(n, 4); i++) found.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[at + i] & 0xFF));
            String what = at + n >= bytes.length && truncated(bytes, at) ? " (a sequence cut off by the end of the file)" : "";
            throw new DataFileException(file, "", at, "UTF-8 text", "the byte" + (n > 1 ? "s " : " ") + found + what);
        }
        if (!r.isUnderflow()) {
            // The output holds one char per input byte at most, so it cannot overflow.
            throw new IllegalStateException("UTF-8 decoding of " + file + " stopped with " + r);
        }
        out.flip();
        return out.toString();
    }

    /** Whether the bytes from {@code at} on are a valid start of a multi-byte sequence that the end cuts off. */
    private static boolean truncated(byte[] bytes, int at) {
        int b = bytes[at] & 0xFF;
        int need = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
        return need > 0 && bytes.length - at < need;
    }
}
