package dev.descent.nn;

import java.io.IOException;
import java.nio.file.Path;

/** A valid model file whose tensors do not match the model: names the file and every missing, unexpected or mismatched tensor. */
public final class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /**
     * An exception whose message names the file and the problem.
     *
     * @param file the model file that was read
     * @param problem every missing, unexpected and mismatched tensor
     */
    public ModelFileException(Path file, String problem) {
        super(file + " does not match the model: " + problem);
        this.file = file;
    }

    /**
     * The file that was read.
     *
     * @return the path (null after deserialization: paths are not serialized)
     */
    public Path file() {
        return file;
    }
}
