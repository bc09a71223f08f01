package dev.descent.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what it claims to be: names the file, the byte offset where the problem was
 * found, what was expected there and what was found instead. Loaders throw it before anything
 * half-loaded escapes.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** The byte offset of the problem. */
    private final long offset;
    /** What the format requires at that offset. */
    private final String expected;
    /** What the file holds there. */
    private final String found;

    /**
     * An exception whose message reads {@code "<file>: at byte <offset>: expected <expected>, found <found>"}.
     *
     * @param file the file being read
     * @param offset the byte offset of the problem, from the start of the file
     * @param expected what the format requires there, e.g. {@code "magic 0x00000803"}
     * @param found what the file holds instead
     */
    public FileFormatException(Path file, long offset, String expected, String found) {
        super(file + ": at byte " + offset + ": expected " + expected + ", found " + found);
        this.file = file;
        this.offset = offset;
        this.expected = expected;
        this.found = found;
    }

    /**
     * The file that was being read.
     *
     * @return the path given to the loader (null after deserialization: paths are not serialized)
     */
    public Path file() {
        return file;
    }

    /**
     * The byte offset of the problem.
     *
     * @return the offset from the start of the file
     */
    public long offset() {
        return offset;
    }

    /**
     * What the format requires at that offset.
     *
     * @return a short description
     */
    public String expected() {
        return expected;
    }

    /**
     * What the file holds there.
     *
     * @return a short description
     */
    public String found() {
        return found;
    }
}
