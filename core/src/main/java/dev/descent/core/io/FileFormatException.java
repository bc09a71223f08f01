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
    private final long offset;
    private final String expected;
    private final String found;

    public FileFormatException(Path file, long offset, String expected, String found) {
        super(file + ": at byte " + offset + ": expected " + expected + ", found " + found);
        this.file = file;
        this.offset = offset;
        this.expected = expected;
        this.found = found;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }

    /** The byte offset of the problem. */
    public long offset() {
        return offset;
    }

    /** What the format requires at that offset. */
    public String expected() {
        return expected;
    }

    /** What the file holds there. */
    public String found() {
        return found;
    }
}
