package dev.descent.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a crash never leaves a half-written one: the content goes to a temporary
 * file in the same folder, is forced to disk, and is then renamed over the target in one atomic step.
 * Readers see either the old file or the new one.
 *
 * <p>A writer killed mid-write (kill -9, power loss) leaves its temporary file {@code .NAME.HEX.tmp}
 * behind. The next write of {@code NAME} removes such leftovers: only files named exactly so for that
 * target, that no one holds a lock on (every writer locks its temporary file while it writes; a dead
 * process's locks are gone) and that have not been modified for {@link #STALE_AFTER_MILLIS} (which
 * covers a writer between creating its file and locking it, and file systems without locks, where the
 * lock test fails and nothing is removed).
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** How long a temporary file must have gone unmodified before another writer may remove it as a leftover. */
    static final long STALE_AFTER_MILLIS = 10_000;

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
        String prefix = "." + target.getFileName() + ".";
        removeLeftovers(dir, prefix);
        Path tmp = createNew(dir, prefix);
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                lockQuietly(ch);
                body.write(ch);
                ch.force(true);
                // from here the file is unlocked until it is renamed: a fresh time keeps other writers' hands off
                Files.setLastModifiedTime(tmp, FileTime.fromMillis(System.currentTimeMillis()));
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

    /** Locks a temporary file while it is written, where the file system has locks; elsewhere it stays unlocked. */
    private static void lockQuietly(FileChannel ch) {
        try {
            ch.tryLock();
        } catch (IOException | UnsupportedOperationException | OverlappingFileLockException ignored) {
            // no locks here: leftovers then stay (see removeLeftovers)
        }
    }

    /**
     * Removes the temporary files {@code prefix + HEX + ".tmp"} (as {@link #createNew} names them) that a
     * killed writer left: unlocked, and not modified for {@link #STALE_AFTER_MILLIS}. Anything else, and
     * any file whose state cannot be told, is left alone.
     */
    static void removeLeftovers(Path dir, String prefix) throws IOException {
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> isTemporaryName(p.getFileName().toString(), prefix))) {
            for (Path p : files) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                    if (now - Files.getLastModifiedTime(p).toMillis() < STALE_AFTER_MILLIS) continue;
                    FileLock lock = ch.tryLock();
                    if (lock == null) continue;                  // another process is writing it
                    Files.deleteIfExists(p);                      // while holding the lock: no one can take it over
                } catch (IOException | UnsupportedOperationException | OverlappingFileLockException inUseOrUnknown) {
                    // locked by this JVM, no locks on this file system, or gone already: leave it
                }
            }
        }
    }

    /** True for {@code prefix} + 1 to 16 lowercase hex digits + {@code ".tmp"}: exactly the names {@link #createNew} makes. */
    static boolean isTemporaryName(String name, String prefix) {
        if (!name.startsWith(prefix) || !name.endsWith(".tmp")) return false;
        int from = prefix.length(), to = name.length() - 4;
        if (to - from < 1 || to - from > 16) return false;
        for (int i = from; i < to; i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
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
