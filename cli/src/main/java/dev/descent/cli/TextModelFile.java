// A text model's model.safetensors written by `descent train`: the network its metadata names, checked before anything is built.
package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.core.io.Safetensors;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a text model file says about its network (the {@code descent.text.*} metadata {@link TextTraining} writes).
 * A file without that metadata, or with a value that does not parse, is rejected with an {@link
 * IllegalArgumentException} naming the file and the key.
 *
 * @param file       the file
 * @param model      the {@code --model} name
 * @param vocabulary tokens
 * @param bytes      byte tokens rather than characters
 * @param context    the model's context
 * @param layers     blocks or layers
 * @param heads      attention heads
 * @param width      width
 */
record TextModelFile(Path file, String model, int vocabulary, boolean bytes, int context, int layers, int heads, int width) {

    /** Whether the metadata is a text model's. */
    static boolean isText(Map<String, String> meta) {
        return meta.containsKey("descent.text.vocabulary");
    }

    /** Reads the metadata of {@code file} (the weights are read by {@link #build()}). */
    static TextModelFile read(Path file) throws IOException {
        Map<String, String> meta = Safetensors.load(file).metadata();
        String model = meta.get("descent.model");
        if (model == null || !isText(meta)) {
            throw new IllegalArgumentException(file + " is not a text model written by descent train (no descent.text.vocabulary metadata)");
        }
        String tokens = meta.get("descent.text.tokens");
        if (!"characters".equals(tokens) && !"bytes".equals(tokens)) throw bad(file, "descent.text.tokens", tokens, "characters or bytes");
        return new TextModelFile(file, model, positive(file, meta, "descent.text.vocabulary"), "bytes".equals(tokens),
                positive(file, meta, "descent.text.context"), positive(file, meta, "descent.text.layers"), positive(file, meta, "descent.text.heads"),
                positive(file, meta, "descent.text.width"));
    }

    /** The network, with the file's weights. */
    Module build() throws IOException {
        Module net;
        try {
            net = ModelFactory.createText(model, vocabulary, context, layers, heads, width, new SplittableRandom(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        net.load(file);
        return net;
    }

    private static int positive(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException(file + " has no " + key + " metadata: it was not written by descent train");
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) throw bad(file, key, v, "a whole number >= 1");
            return n;
        } catch (NumberFormatException e) {
            throw bad(file, key, v, "a whole number >= 1");
        }
    }

    private static IllegalArgumentException bad(Path file, String key, String value, String expected) {
        return new IllegalArgumentException(file + ": " + key + " metadata must be " + expected + ", was '" + value + "'");
    }
}
