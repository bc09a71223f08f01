package dev.descent.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a crash never leaves a half-written one: the content goes to a temporary
 * file in the same folder, is forced to disk, and is then renamed over the target in one atomic step.
 * Readers see either the old file or the new one.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Writes the file's content to an open channel. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the whole content.
         *
         * @param out the channel of the temporary file, positioned at 0
         * @throws IOException when writing fails (the temporary file is then deleted and the target untouched)
         */
        void write(FileChannel out) throws IOException;
    }

    /**
     * Replaces {@code target} with {@code text} in UTF-8, atomically (as {@link #write(Path, Body)}).
     *
     * @param target the file to create or replace
     * @param text the whole content
     * @throws IOException when writing fails (the target is then left as it was)
     */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(target, ch -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /**
     * Replaces {@code target} with what {@code body} writes, atomically; the parent folders are created when
     * missing.
     *
     * @param target the file to create or replace
     * @param body writes the content
     * @throws IOException when writing fails, or the file system cannot rename atomically (the target is then
     *         left as it was)
     */
    public static void write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = createNew(dir, "." + target.getFileName() + ".");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this file system", e);
            }
            done = true;
            forceDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates an empty file with a fresh name in {@code dir}. Not {@code Files.createTempFile}: that makes the file
     * private (0600) whatever the umask, and the rename would pass those permissions on to the target; a plain
     * create gives the permissions that any new file gets.
     */
    private static Path createNew(Path dir, String prefix) throws IOException {
        while (true) {
            Path tmp = dir.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.createFile(tmp);
                return tmp;
            } catch (FileAlreadyExistsException taken) {
                // another writer's temporary file: draw another name
            }
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux); elsewhere a no-op. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (e.g. Windows); the rename itself is still atomic
        }
    }
}
