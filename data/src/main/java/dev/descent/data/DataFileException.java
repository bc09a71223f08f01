package dev.descent.data;

import dev.descent.core.io.FileFormatException;
import java.nio.file.Path;

/**
 * A data file (CIFAR, IDX, a gzip stream or a tar archive) that is not what it claims to be: names
 * the file, the byte offset, which byte stream that offset counts in, what was expected and what was
 * found. Loaders throw it before anything half-loaded escapes.
 *
 * <p>The offset counts bytes of the file itself unless {@link #within()} says otherwise: for a gzip
 * file, errors in the gzip framing count compressed bytes of the file, errors in the content count
 * bytes of the decompressed stream; for a tar archive, errors in a member count bytes of that member.
 */
public final class DataFileException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    /** Which byte stream the offset counts in; empty for the file itself. */
    private final String within;

    /**
     * A format error at {@code offset} of {@code within} (for example {@code "the decompressed stream"}
     * or {@code "member cifar-10-batches-bin/test_batch.bin of the decompressed archive"}); an empty
     * {@code within} means the offset counts bytes of {@code file} itself.
     *
     * @param file the file being read
     * @param within the byte stream the offset counts in; empty or null for the file itself
     * @param offset the byte offset of the problem in that stream
     * @param expected what the format requires there
     * @param found what the stream holds instead
     */
    public DataFileException(Path file, String within, long offset, String expected, String found) {
        super(file, offset, expected, found);
        this.within = within == null ? "" : within;
    }

    /**
     * Which byte stream {@link #offset()} counts in; empty when it counts bytes of the file itself.
     *
     * @return a description such as {@code "the decompressed stream"}, or {@code ""}
     */
    public String within() {
        return within;
    }

    @Override
    public String getMessage() {
        return file() + ": at byte " + offset() + (within.isEmpty() ? "" : " of " + within) + ": expected " + expected()
                + ", found " + found();
    }
}
