package dev.descent.data;

import dev.descent.core.io.AtomicFile;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** Opening data files for parsing (gzip recognised by its magic) and writing them atomically. */
final class DataFiles {
    private DataFiles() {}

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * The bytes of {@code file}, decompressed when it starts with the gzip magic. A name ending in
     * {@code .gz} must hold gzip data.
     */
    static ByteInput open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            byte[] magic = raw.readNBytes(2);
            raw.reset();
            boolean gz = GzipInput.isGzipMagic(magic, magic.length);
            if (!gz && isGzipName(file)) {
                throw new DataFileException(file, "", 0, "the gzip magic 1f 8b (the name ends in .gz)", hex(magic));
            }
            if (gz) return new ByteInput(new GzipInput(raw, file), file, "the decompressed stream", -1);
            return new ByteInput(raw, file, "", Files.size(file));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    static boolean isGzipName(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") || n.endsWith(".tgz");
    }

    static String hex(byte[] b) {
        if (b.length == 0) return "an empty file";
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(s.isEmpty() ? "" : " ").append(String.format("%02x", x));
        return s.toString();
    }

    /** Replaces {@code target} atomically with what {@code body} writes, gzip-compressed if asked. */
    static void write(Path target, boolean gzip, Body body) throws IOException {
        AtomicFile.write(target, ch -> {
            OutputStream file = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush(); // AtomicFile forces and closes the channel itself
                }
            };
            try (OutputStream out = gzip ? new GZIPOutputStream(file, 1 << 16) : file) {
                body.write(out);
            }
        });
    }
}
