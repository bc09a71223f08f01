package dev.descent.cli;

import dev.descent.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines a training run. It is saved as {@code config.json} in the run's folder, so
 * {@code descent train --resume DIR} continues with exactly the same settings (only the epoch count
 * may be raised).
 *
 * @param data           data source: {@code fashion-mnist[:DIR]}, {@code mnist:DIR}, {@code cifar10:DIR|ARCHIVE},
 *                       {@code cifar100:DIR|ARCHIVE[:coarse]}, {@code synthetic}, or {@code auto} (Fashion-MNIST when
 *                       installed, otherwise synthetic); for a text model {@code fortunes[:DIR]}, {@code text:PATH},
 *                       {@code generated} or {@code auto} (fortunes when installed, otherwise generated)
 * @param model          {@code mlp}, {@code simplecnn} or {@code resnet32} (any {@code resnetN}, N = 6k + 2); text: {@code gpt},
 *                       {@code lstm}, {@code bigram}
 * @param optimizer      the algorithm's name (see {@link OptimizerFactory})
 * @param lr             learning rate (null: the algorithm's default)
 * @param momentum       SGD/RMSprop momentum
 * @param weightDecay    weight decay (null: the algorithm's default)
 * @param nesterov       SGD Nesterov momentum
 * @param beta1          Adam family β1
 * @param beta2          Adam family β2
 * @param eps            Adam family ε
 * @param amsgrad        Adam/AdamW AMSGrad
 * @param gamma          clipping threshold γ (null: the algorithm's default)
 * @param beta           clipping framework momentum β (and normalised SGD's offset; null: the algorithm's default)
 * @param nu             clipping framework mixing ν (null: the algorithm's default)
 * @param softClip       the soft h(u) = η/(1 + η‖u‖/γ) instead of the hard min
 * @param shrink         SR-Adam: which parameters shrink: {@code conv}, {@code all} or {@code none}
 * @param variant        SR-Adam: {@code paper} or {@code whitened}
 * @param radius         projected GD: radius of the ball around the origin (null: the default)
 * @param clipNorm       clip gradients to this global norm before each step (0: off)
 * @param epochs         epochs to train
 * @param batchSize      mini-batch size
 * @param accumulate     batches per optimizer step, their gradients summed (gradient accumulation: the step of one batch of
 *                       {@code accumulate · batchSize} examples, with BatchNorm statistics per batch); 1: a step per batch
 * @param seed           the run's seed: initial weights, shuffling, augmentation, dropout
 * @param schedule       learning-rate schedule: {@code constant}, {@code step:EVERY:FACTOR}, {@code multistep:E1,E2:FACTOR},
 *                       {@code cosine}, {@code restarts:T0[:TMULT[:MIN]]}, {@code onecycle[:PCT[:cos|linear]]}, optionally
 *                       {@code +warmup:EPOCHS}; chains {@code A/EPOCH/B}; or {@code plateau[:FACTOR[:PATIENCE]]} (see {@link ScheduleSpec})
 * @param scaleGamma     schedules scale the clipping γ too (as the clipping paper does)
 * @param augment        random crop (padding 4 for CIFAR, 2 otherwise) and horizontal flip
 * @param inputNoise     std of Gaussian noise added to normalised training images
 * @param labelNoise     rate of symmetric label noise on the training set
 * @param trainSubset    train on a class-stratified subset of this many images (0: all)
 * @param testSubset     evaluate on the first this many test images (0: all)
 * @param out            the run's folder
 * @param detectAnomaly  name the first op that produces a non-finite value
 * @param text           the sizes of a text model ({@code gpt}, {@code lstm}, {@code bigram}); unused for images
 */
public record TrainConfig(String data, String model, String optimizer, Double lr, double momentum, Double weightDecay, boolean nesterov,
                          double beta1, double beta2, double eps, boolean amsgrad, Double gamma, Double beta, Double nu, boolean softClip,
                          String shrink, String variant, Double radius, double clipNorm, int epochs, int batchSize, int accumulate, long seed,
                          String schedule,
                          boolean scaleGamma, boolean augment, double inputNoise, double labelNoise, int trainSubset, int testSubset, Path out,
                          boolean detectAnomaly, TextSettings text) {

    /**
     * The settings of a text model.
     *
     * @param context tokens per training window, and the GPT's longest sequence
     * @param layers  Transformer blocks or LSTM layers
     * @param heads   attention heads (GPT)
     * @param width   model width (GPT), embedding and hidden size (LSTM)
     * @param bytes   byte tokens (the 256 byte values) instead of characters
     */
    public record TextSettings(int context, int layers, int heads, int width, boolean bytes) {
        /** The defaults: a GPT that trains on fortunes in minutes on 2 cores. */
        public static final TextSettings DEFAULT = new TextSettings(64, 2, 4, 64, false);

        /** Checks the sizes, naming the option of one below 1. */
        public TextSettings {
            for (var o : new Object[][] {{"--context", context}, {"--layers", layers}, {"--heads", heads}, {"--width", width}}) {
                if ((int) o[1] < 1) throw new IllegalArgumentException(o[0] + " must be >= 1, was " + o[1]);
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("context", context);
            m.put("layers", layers);
            m.put("heads", heads);
            m.put("width", width);
            m.put("tokens", bytes ? "bytes" : "characters");
            return m;
        }

        static TextSettings fromMap(Map<?, ?> m) {
            Object tokens = required(m, "tokens");
            if (!"bytes".equals(tokens) && !"characters".equals(tokens)) throw wrongType("tokens", tokens, "\"characters\" or \"bytes\"");
            return new TextSettings(integer(m, "context"), integer(m, "layers"), integer(m, "heads"), integer(m, "width"), "bytes".equals(tokens));
        }
    }

    /** Checks every value, naming the option of the first that is out of range. */
    public TrainConfig {
        java.util.Objects.requireNonNull(text, "text");
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, was " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batchSize);
        if (accumulate < 1) throw new IllegalArgumentException("--accumulate must be >= 1 (batches per optimizer step), was " + accumulate);
        if (!(inputNoise >= 0)) throw new IllegalArgumentException("--input-noise must be >= 0, was " + inputNoise);
        if (!(labelNoise >= 0 && labelNoise <= 1)) throw new IllegalArgumentException("--label-noise must be in [0, 1], was " + labelNoise);
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0");
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("--clip-norm must be >= 0, was " + clipNorm);
        // A value left out is null; one given must be a number (picocli reads "NaN" and "Infinity" as doubles).
        finite("--lr", lr);
        finite("--weight-decay", weightDecay);
        finite("--momentum", momentum);
        finite("--beta1", beta1);
        finite("--beta2", beta2);
        finite("--eps", eps);
        finite("--gamma", gamma);
        finite("--beta", beta);
        finite("--nu", nu);
        finite("--radius", radius);
        finite("--clip-norm", clipNorm);
        finite("--input-noise", inputNoise);
    }

    private static void finite(String option, Double v) {
        if (v != null && !Double.isFinite(v)) throw new IllegalArgumentException(option + " must be a finite number, was " + v);
    }

    /** The settings as a JSON-ready map (a value left to the algorithm's default written as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("model", model);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("nesterov", nesterov);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("amsgrad", amsgrad);
        m.put("gamma", gamma);
        m.put("beta", beta);
        m.put("nu", nu);
        m.put("soft_clip", softClip);
        m.put("shrink", shrink);
        m.put("variant", variant);
        m.put("radius", radius);
        m.put("clip_norm", clipNorm);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("accumulate", accumulate);
        m.put("seed", seed);
        m.put("schedule", schedule);
        m.put("scale_gamma", scaleGamma);
        m.put("augment", augment);
        m.put("input_noise", inputNoise);
        m.put("label_noise", labelNoise);
        m.put("train_subset", trainSubset);
        m.put("test_subset", testSubset);
        m.put("out", out.toString());
        m.put("detect_anomaly", detectAnomaly);
        m.put("text", text.toMap());
        return m;
    }

    /**
     * Reads the settings a run saved in {@code config.json}.
     *
     * @param file the run's {@code config.json}
     * @return the settings
     * @throws IllegalArgumentException naming the file when it is not JSON, lacks a setting, or holds a value of the
     *         wrong type or out of range
     * @throws IOException when the file cannot be read
     */
    public static TrainConfig read(Path file) throws IOException {
        Object json;
        try {
            json = Json.parse(Files.readString(file));
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage() + " (a run's config.json, written by descent train)");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text (a run's config.json, written by descent train)");
        }
        if (!(json instanceof Map<?, ?> m)) throw new IllegalArgumentException(file + " holds no JSON object (a run's config.json, written by descent train)");
        try {
            return fromMap(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads settings written by {@link #toMap()}.
     *
     * @throws IllegalArgumentException naming the key of a missing setting or of a value of the wrong type
     */
    public static TrainConfig fromMap(Map<?, ?> m) {
        return new TrainConfig(str(m, "data"), str(m, "model"), str(m, "optimizer"), optional(m, "lr"), num(m, "momentum"), optional(m, "weight_decay"),
                bool(m, "nesterov"), num(m, "beta1"), num(m, "beta2"), num(m, "eps"), bool(m, "amsgrad"), optional(m, "gamma"), optional(m, "beta"),
                optional(m, "nu"), bool(m, "soft_clip"), str(m, "shrink"), str(m, "variant"), optional(m, "radius"), num(m, "clip_norm"),
                integer(m, "epochs"), integer(m, "batch_size"), accumulate(m), whole(m, "seed"), str(m, "schedule"),
                bool(m, "scale_gamma"), bool(m, "augment"), num(m, "input_noise"), num(m, "label_noise"), integer(m, "train_subset"),
                integer(m, "test_subset"), Path.of(str(m, "out")), bool(m, "detect_anomaly"), text(m));
    }

    /** The same settings with another epoch count. */
    public TrainConfig withEpochs(int e) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, e, batchSize, accumulate, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset, testSubset,
                out, detectAnomaly, text);
    }

    /** The same settings with {@code n} batches per optimizer step (a Spark run's worker count). */
    public TrainConfig withAccumulate(int n) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, epochs, batchSize, n, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset, testSubset,
                out, detectAnomaly, text);
    }

    /** The same settings writing to another folder. */
    public TrainConfig withOut(Path dir) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, epochs, batchSize, accumulate, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset,
                testSubset, dir, detectAnomaly, text);
    }

    /** The same settings with the data spec actually loaded (for {@code auto}: what it chose). */
    public TrainConfig withData(String d) {
        return new TrainConfig(d, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, epochs, batchSize, accumulate, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset,
                testSubset, out, detectAnomaly, text);
    }

    /** The same settings with the optimizer's hyperparameters that have defaults (null: left to the algorithm). */
    public TrainConfig withHyperparameters(Double lr, Double weightDecay, Double gamma, Double beta, Double nu, Double radius) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, epochs, batchSize, accumulate, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset,
                testSubset, out, detectAnomaly, text);
    }

    /** Batches per optimizer step; a config.json written before gradient accumulation existed has none: 1. */
    private static int accumulate(Map<?, ?> m) {
        return m.get("accumulate") == null ? 1 : integer(m, "accumulate");
    }

    /** The text settings; a config.json written before text models existed has none and gets the defaults. */
    private static TextSettings text(Map<?, ?> m) {
        Object v = m.get("text");
        if (v == null) return TextSettings.DEFAULT;
        if (!(v instanceof Map<?, ?> t)) throw wrongType("text", v, "an object");
        try {
            return TextSettings.fromMap(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("in 'text': " + e.getMessage(), e);
        }
    }

    private static Object required(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("no '" + k + "' setting");
        return v;
    }

    private static IllegalArgumentException wrongType(String k, Object v, String expected) {
        String shown = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        return new IllegalArgumentException("'" + k + "' must be " + expected + ", was " + shown);
    }

    private static String str(Map<?, ?> m, String k) {
        if (!(required(m, k) instanceof String v)) throw wrongType(k, m.get(k), "a string");
        return v;
    }

    private static double num(Map<?, ?> m, String k) {
        if (!(required(m, k) instanceof Number v)) throw wrongType(k, m.get(k), "a number");
        return v.doubleValue();
    }

    /** A number, or null for a value left to the algorithm's default. */
    private static Double optional(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (v == null) return null;
        if (!(v instanceof Number n)) throw wrongType(k, v, "a number or null");
        return n.doubleValue();
    }

    private static long whole(Map<?, ?> m, String k) {
        if (!(required(m, k) instanceof Long v)) throw wrongType(k, m.get(k), "a whole number");
        return v;
    }

    private static int integer(Map<?, ?> m, String k) {
        long v = whole(m, k);
        if (v != (int) v) throw wrongType(k, v, "a whole number below 2³¹");
        return (int) v;
    }

    private static boolean bool(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (v != null && !(v instanceof Boolean)) throw wrongType(k, v, "true or false");
        return Boolean.TRUE.equals(v);
    }
}
