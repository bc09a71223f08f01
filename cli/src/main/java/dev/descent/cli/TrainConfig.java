package dev.descent.cli;

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
 *                       installed, otherwise synthetic)
 * @param model          {@code mlp}, {@code simplecnn} or {@code resnet32} (any {@code resnetN}, N = 6k + 2)
 * @param optimizer      the algorithm's name (see {@link OptimizerFactory})
 * @param lr             learning rate (NaN: the algorithm's default)
 * @param momentum       SGD/RMSprop momentum
 * @param weightDecay    weight decay (NaN: the algorithm's default)
 * @param nesterov       SGD Nesterov momentum
 * @param beta1          Adam family β1
 * @param beta2          Adam family β2
 * @param eps            Adam family ε
 * @param amsgrad        Adam/AdamW AMSGrad
 * @param gamma          clipping threshold γ
 * @param beta           clipping framework momentum β (and normalised SGD's offset)
 * @param nu             clipping framework mixing ν
 * @param softClip       the soft h(u) = η/(1 + η‖u‖/γ) instead of the hard min
 * @param shrink         SR-Adam: which parameters shrink: {@code conv}, {@code all} or {@code none}
 * @param variant        SR-Adam: {@code paper} or {@code whitened}
 * @param radius         projected GD: radius of the ball around the origin
 * @param clipNorm       clip gradients to this global norm before each step (0: off)
 * @param epochs         epochs to train
 * @param batchSize      mini-batch size
 * @param seed           the run's seed: initial weights, shuffling, augmentation, dropout
 * @param schedule       learning-rate schedule: {@code constant}, {@code step:EVERY:FACTOR}, {@code multistep:E1,E2:FACTOR},
 *                       {@code cosine}, optionally {@code +warmup:EPOCHS}
 * @param scaleGamma     schedules scale the clipping γ too (as the clipping paper does)
 * @param augment        random crop (padding 4 for CIFAR, 2 otherwise) and horizontal flip
 * @param inputNoise     std of Gaussian noise added to normalised training images
 * @param labelNoise     rate of symmetric label noise on the training set
 * @param trainSubset    train on a class-stratified subset of this many images (0: all)
 * @param testSubset     evaluate on the first this many test images (0: all)
 * @param out            the run's folder
 * @param detectAnomaly  name the first op that produces a non-finite value
 */
public record TrainConfig(String data, String model, String optimizer, double lr, double momentum, double weightDecay, boolean nesterov,
                          double beta1, double beta2, double eps, boolean amsgrad, double gamma, double beta, double nu, boolean softClip,
                          String shrink, String variant, double radius, double clipNorm, int epochs, int batchSize, long seed, String schedule,
                          boolean scaleGamma, boolean augment, double inputNoise, double labelNoise, int trainSubset, int testSubset, Path out,
                          boolean detectAnomaly) {

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, was " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batchSize);
        if (!(inputNoise >= 0)) throw new IllegalArgumentException("--input-noise must be >= 0, was " + inputNoise);
        if (!(labelNoise >= 0 && labelNoise <= 1)) throw new IllegalArgumentException("--label-noise must be in [0, 1], was " + labelNoise);
        if (trainSubset < 0 || testSubset < 0) throw new IllegalArgumentException("subset sizes must be >= 0");
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("--clip-norm must be >= 0, was " + clipNorm);
    }

    /** The settings as a JSON-ready map (NaN written as null). */
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
        return m;
    }

    /** Reads settings written by {@link #toMap()}. */
    public static TrainConfig fromMap(Map<?, ?> m) {
        return new TrainConfig(str(m, "data"), str(m, "model"), str(m, "optimizer"), num(m, "lr"), num(m, "momentum"), num(m, "weight_decay"),
                bool(m, "nesterov"), num(m, "beta1"), num(m, "beta2"), num(m, "eps"), bool(m, "amsgrad"), num(m, "gamma"), num(m, "beta"),
                num(m, "nu"), bool(m, "soft_clip"), str(m, "shrink"), str(m, "variant"), num(m, "radius"), num(m, "clip_norm"),
                (int) num(m, "epochs"), (int) num(m, "batch_size"), ((Number) m.get("seed")).longValue(), str(m, "schedule"),
                bool(m, "scale_gamma"), bool(m, "augment"), num(m, "input_noise"), num(m, "label_noise"), (int) num(m, "train_subset"),
                (int) num(m, "test_subset"), Path.of(str(m, "out")), bool(m, "detect_anomaly"));
    }

    /** The same settings with another epoch count. */
    public TrainConfig withEpochs(int e) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, e, batchSize, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset, testSubset,
                out, detectAnomaly);
    }

    /** The same settings writing to another folder. */
    public TrainConfig withOut(Path dir) {
        return new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                shrink, variant, radius, clipNorm, epochs, batchSize, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset,
                testSubset, dir, detectAnomaly);
    }

    private static String str(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("config.json has no '" + k + "'");
        return v.toString();
    }

    private static double num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static boolean bool(Map<?, ?> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }
}
