package dev.descent.nn;

import java.io.IOException;
import java.nio.file.Path;

/** A valid model file whose tensors do not match the model: names the file and every missing, unexpected or mismatched tensor. */
public final class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public ModelFileException(Path file, String problem) {
        super(file + " does not match the model: " + problem);
        this.file = file;
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }
}
