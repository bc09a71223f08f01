// A model.safetensors written by `descent train`: the network its metadata names, checked before anything is built.
package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.core.io.Safetensors;
import dev.descent.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a model file of {@code descent train} says about its network (the {@code descent.*} metadata its
 * {@code TrainRun} writes), read for {@code eval} and {@code summary}. A file without that metadata, or with a
 * value that does not parse, is rejected with an {@link IllegalArgumentException} naming the file and the key.
 *
 * @param file     the file
 * @param model    the {@code --model} name
 * @param channels image channels
 * @param height   image height
 * @param width    image width
 * @param classes  the class count
 * @param mean     per-channel mean of the input normalisation
 * @param std      per-channel standard deviation of the input normalisation
 */
record ModelFile(Path file, String model, int channels, int height, int width, int classes, double[] mean, double[] std) {

    /** Reads the metadata of {@code file} (the weights are read by {@link #build()}). */
    static ModelFile read(Path file) throws IOException {
        Map<String, String> meta = Safetensors.load(file).metadata();
        String model = get(file, meta, "descent.model");
        if (TextModelFile.isText(meta)) {
            throw new IllegalArgumentException(file + " is a text model (" + model + "): this command reads image models; sample it with descent generate "
                    + (file.toAbsolutePath().getParent() == null ? "RUN_DIR" : file.toAbsolutePath().getParent()));
        }
        int[] in = ints(file, meta, "descent.input");
        if (in.length != 3) throw bad(file, "descent.input", meta.get("descent.input"), "C,H,W");
        int classes = ints(file, meta, "descent.classes")[0];
        return new ModelFile(file, model, in[0], in[1], in[2], classes, doubles(file, meta, "descent.normalize.mean"),
                doubles(file, meta, "descent.normalize.std"));
    }

    /** The network, with the file's weights. */
    Sequential build() throws IOException {
        Sequential net;
        try {
            net = ModelFactory.create(model, channels, height, width, classes, new SplittableRandom(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        net.load(file);
        return net;
    }

    private static String get(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException(file + " has no " + key + " metadata: it was not written by descent train");
        return v;
    }

    private static int[] ints(Path file, Map<String, String> meta, String key) {
        String v = get(file, meta, key);
        try {
            String[] p = v.split(",", -1);
            int[] out = new int[p.length];
            for (int i = 0; i < p.length; i++) out[i] = Integer.parseInt(p[i].trim());
            return out;
        } catch (NumberFormatException e) {
            throw bad(file, key, v, "whole numbers separated by commas");
        }
    }

    private static double[] doubles(Path file, Map<String, String> meta, String key) {
        String v = get(file, meta, key);
        try {
            String[] p = v.split(",", -1);
            double[] out = new double[p.length];
            for (int i = 0; i < p.length; i++) out[i] = Double.parseDouble(p[i].trim());
            return out;
        } catch (NumberFormatException e) {
            throw bad(file, key, v, "numbers separated by commas");
        }
    }

    private static IllegalArgumentException bad(Path file, String key, String value, String expected) {
        return new IllegalArgumentException(file + ": " + key + " metadata must be " + expected + ", was '" + value + "'");
    }
}
