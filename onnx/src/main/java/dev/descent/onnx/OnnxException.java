package dev.descent.onnx;

import java.io.IOException;

/**
 * An ONNX model that Descent cannot run: an op, attribute or value it does not support, or a graph that is not
 * well formed (a value no node produces, a cycle). Thrown when the model is loaded, never while it runs; the
 * message is one line naming the file, the node, its op and the opset.
 */
public class OnnxException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given one-line message.
     *
     * @param message what is wrong and where
     */
    public OnnxException(String message) {
        super(message);
    }
}
