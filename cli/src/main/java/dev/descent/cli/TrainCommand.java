package dev.descent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent train}: the options of a run, turned into a {@link TrainConfig} and run by {@link TrainRun} through the train library's Trainer. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network. With no options: SimpleCNN on Fashion-MNIST when installed, otherwise on generated images.",
            "Text models (--model gpt, lstm, bigram) train on Debian's fortunes when installed, otherwise on generated sayings, or on --data text:PATH.",
            "Writes metrics (CSV, JSON), plots, checkpoints, the final model and optimizer state into the output folder."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", description = "fashion-mnist[:DIR], mnist:DIR, cifar10:DIR|ARCHIVE, cifar100:DIR|ARCHIVE[:coarse], synthetic, auto (default);"
            + " for text models: fortunes[:DIR], text:PATH (any UTF-8 file), generated, auto (default)")
    String data = "auto";
    @Option(names = "--model", description = "mlp, simplecnn (default), resnet32 (resnetN, N = 6k+2); text: gpt, lstm, bigram")
    String model = "simplecnn";
    @Option(names = "--optimizer", description = "sgd, adam (default), adamw, rmsprop, adagrad, sradam, adamax, nadam, radam, adadelta, rprop, lion, asgd, lamb, lars, clipped-sgd, normalized-sgd, clipping, projected-gd, sam (over SGD with momentum 0.9, rho 0.05), schedulefree-adamw, schedulefree-sgd, adafactor, muon (AdamW for the output layer, biases and norms), shampoo (lbfgs is refused: a full-batch method)")
    String optimizer = "adam";
    @Option(names = "--lr", description = "learning rate (default: the algorithm's)")
    Double lr;
    @Option(names = "--momentum", description = "SGD/RMSprop momentum (default: ${DEFAULT-VALUE})")
    double momentum = 0;
    @Option(names = "--nesterov", description = "SGD with Nesterov momentum")
    boolean nesterov;
    @Option(names = "--weight-decay", description = "weight decay (default: the algorithm's)")
    Double weightDecay;
    @Option(names = "--beta1", description = "Adam β1 (default: ${DEFAULT-VALUE})")
    double beta1 = 0.9;
    @Option(names = "--beta2", description = "Adam β2 (default: ${DEFAULT-VALUE})")
    double beta2 = 0.999;
    @Option(names = "--eps", description = "Adam ε (default: ${DEFAULT-VALUE})")
    double eps = 1e-8;
    @Option(names = "--amsgrad", description = "Adam/AdamW with AMSGrad")
    boolean amsgrad;
    @Option(names = "--gamma", description = "clipping threshold γ (default: 1)")
    Double gamma;
    @Option(names = "--beta", description = "clipping-framework momentum β (default 0.999) / normalised-SGD offset (default 0)")
    Double beta;
    @Option(names = "--nu", description = "clipping-framework mixing ν (default 0.7: mixed clipping)")
    Double nu;
    @Option(names = "--soft-clip", description = "clipping framework: soft h(u) = η/(1 + η‖u‖/γ)")
    boolean softClip;
    @Option(names = "--shrink", description = "SR-Adam: which parameters shrink: conv (default), all, none")
    String shrink = "conv";
    @Option(names = "--variant", description = "SR-Adam: paper (default) or whitened")
    String variant = "paper";
    @Option(names = "--radius", description = "projected GD: radius of the ball around the origin (default 10)")
    Double radius;
    @Option(names = "--clip-norm", description = "clip gradients to this global norm before each step (default: off)")
    double clipNorm = 0;
    @Option(names = "--epochs", description = "epochs (default: 5 for images, 1 for text: one pass over fortunes takes minutes)")
    Integer epochs;
    @Option(names = "--batch-size", description = "mini-batch size (default: 128 images, 32 text windows)")
    Integer batchSize;
    @Option(names = "--accumulate", paramLabel = "N", description = "gradient accumulation: each optimizer step sums the gradients of N consecutive "
            + "batches, as one batch of N × --batch-size (BatchNorm sees each batch alone; default: ${DEFAULT-VALUE})")
    int accumulate = 1;
    @Option(names = "--spark", paramLabel = "MASTER", description = "data-parallel training on Apache Spark: local[N] (in this JVM) or spark://HOST:PORT;"
            + " each step is --workers batches of --batch-size, one per worker, bitwise as --accumulate WORKERS in one process"
            + " (the launcher builds the spark module on first use)")
    String spark;
    @Option(names = "--workers", paramLabel = "N", description = "with --spark: replicas, one Spark task each (default: N of local[N]; required for spark://)")
    Integer workers;
    @Option(names = "--seed", description = "seed of the run (default: ${DEFAULT-VALUE})")
    long seed = 42;
    @Mixin
    ThreadsOption threads;
    @Option(names = "--schedule", description = "constant (default), step:EVERY:FACTOR, multistep:E1,E2:FACTOR, cosine, "
            + "restarts:T0[:TMULT[:MIN]] (cosine with warm restarts), onecycle[:PCT[:cos|linear]] (--lr is the peak); each with optional "
            + "+warmup:EPOCHS; chained A/EPOCH/B (B from that epoch); or plateau[:FACTOR[:PATIENCE]] (lower the lr when the test loss stalls)")
    String schedule = "constant";
    @Option(names = "--scale-gamma", description = "schedules scale the clipping γ too")
    boolean scaleGamma;
    @Option(names = "--augment", description = "random crop and horizontal flip")
    boolean augment;
    @Option(names = "--input-noise", description = "std of Gaussian noise on normalised training images (default: 0)")
    double inputNoise = 0;
    @Option(names = "--label-noise", description = "symmetric label noise rate on the training set (default: 0)")
    double labelNoise = 0;
    @Option(names = "--train-subset", description = "train on a class-stratified subset of N images (default: all)")
    int trainSubset = 0;
    @Option(names = "--test-subset", description = "evaluate on the first N test images (default: all)")
    int testSubset = 0;
    @Option(names = "--out", description = "output folder (default: runs/MODEL-DATA-TIME)")
    Path out;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR from its last checkpoint (its settings; --epochs may raise the count)")
    Path resume;
    @Option(names = "--detect-anomaly", description = "name the first op whose output is not finite (slower)")
    boolean detectAnomaly;
    @Option(names = "--context", description = "text: tokens per training window, the GPT's longest sequence (default: 64)")
    int context = TrainConfig.TextSettings.DEFAULT.context();
    @Option(names = "--layers", description = "text: Transformer blocks or LSTM layers (default: 2)")
    int layers = TrainConfig.TextSettings.DEFAULT.layers();
    @Option(names = "--heads", description = "text: GPT attention heads (default: 4)")
    int heads = TrainConfig.TextSettings.DEFAULT.heads();
    @Option(names = "--width", description = "text: GPT width, LSTM embedding and hidden size (default: 64)")
    int width = TrainConfig.TextSettings.DEFAULT.width();
    @Option(names = "--tokens", description = "text: characters (default: the distinct code points of the text) or bytes (the 256 byte values)")
    String tokens = "characters";

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg;
        if (resume != null) {
            Path file = resume.resolve("config.json");
            if (!Files.exists(file)) throw new IllegalArgumentException("--resume " + resume + ": no config.json there (is it a run folder?)");
            cfg = TrainConfig.read(file).withOut(resume);
            if (epochs != null && epochs > cfg.epochs()) cfg = cfg.withEpochs(epochs);
        } else {
            Path dir = out != null ? out : Path.of("runs", model + "-" + data.replaceAll("[^A-Za-z0-9]+", "_") + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            boolean text = dev.descent.bench.ModelFactory.isText(model);
            if (!tokens.equals("characters") && !tokens.equals("bytes")) {
                throw new IllegalArgumentException("--tokens must be characters or bytes, was '" + tokens + "'");
            }
            int batch = batchSize != null ? batchSize : text ? 32 : 128;
            cfg = new TrainConfig(data, model, optimizer, lr, momentum, weightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip,
                    shrink, variant, radius, clipNorm, epochs != null ? epochs : text ? 1 : 5, batch, accumulate, seed, schedule, scaleGamma, augment, inputNoise, labelNoise, trainSubset,
                    testSubset, dir, detectAnomaly, new TrainConfig.TextSettings(context, layers, heads, width, tokens.equals("bytes")));
            if (!OptimizerFactory.NAMES.contains(optimizer)) {
                throw new IllegalArgumentException(OptimizerFactory.unknown(optimizer));
            }
        }
        if (spark != null && !SparkRun.available()) {
            throw new IllegalArgumentException("--spark needs the spark module on the class path: run it through the launcher (./descent train --spark ...),"
                    + " which builds it with -Pspark");
        }
        TrainRun run = new TrainRun(cfg, System.out);
        if (spark != null) {
            if (dev.descent.bench.ModelFactory.isText(cfg.model())) {
                throw new IllegalArgumentException("--spark trains the image models (mlp, simplecnn, resnetN); text models (--model " + cfg.model() + ") train in one process");
            }
            int local = localSlots(spark);
            int w = workers != null ? workers : resume != null ? cfg.accumulate() : local;
            if (w < 1) throw new IllegalArgumentException("--spark " + spark + " needs --workers N (the replicas, one task slot each)");
            if (resume != null && cfg.accumulate() != w) {
                throw new IllegalArgumentException("--resume " + resume + " was trained with " + cfg.accumulate() + " batches per step; --workers " + w
                        + " would change the run (give --workers " + cfg.accumulate() + ")");
            }
            if (resume == null && accumulate != 1 && accumulate != w) {
                throw new IllegalArgumentException("--accumulate " + accumulate + " with --spark and " + w + " workers: each worker computes one batch per step,"
                        + " so a step is --workers batches (leave --accumulate out)");
            }
            // Every executor writes into and reads from the run folder: an absolute path (a shared folder on a cluster).
            run = new TrainRun(cfg.withAccumulate(w).withOut(cfg.out().toAbsolutePath()), System.out).onSpark(spark, w);
        }
        return run.run(resume != null);
    }

    /** The task slots of {@code local[N]} (N; {@code local} is 1, {@code local[*]} the processors), or 0 for {@code spark://HOST:PORT}. */
    static int localSlots(String master) {
        var m = java.util.regex.Pattern.compile("local(?:\\[(\\d+|\\*)(?:,(\\d+))?])?").matcher(master);
        if (m.matches()) return m.group(1) == null ? 1 : m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        if (master.matches("spark://[^:/]+:\\d+")) return 0;
        throw new IllegalArgumentException("--spark " + master + ": expected local[N] or spark://HOST:PORT");
    }
}
