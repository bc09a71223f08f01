// The text side of `descent train`: a language model on a text, through the same Trainer, checkpoints and signals as images.
package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.bench.TextSource;
import dev.descent.bench.report.Count;
import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import dev.descent.core.io.AtomicFile;
import dev.descent.core.io.Json;
import dev.descent.core.io.Safetensors;
import dev.descent.data.DataLoader;
import dev.descent.data.NgramBaseline;
import dev.descent.data.TextDataset;
import dev.descent.data.Vocabulary;
import dev.descent.nn.Module;
import dev.descent.optim.LrScheduler;
import dev.descent.optim.ReduceLrOnPlateau;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.train.Callback;
import dev.descent.train.Checkpoints;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Loss;
import dev.descent.train.MetricsLog;
import dev.descent.train.Step;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One {@code descent train --model gpt|lstm|bigram} run: the text {@code --data} names, tokenised with a vocabulary
 * fitted on it (saved as {@code vocabulary.json} in the run's folder, beside the model), split by position (the last
 * 10% validates), trained by the {@link Trainer} on the token cross-entropy. The metric is the validation loss in nats
 * per token and in bits per character (or per byte); the unigram and bigram baselines of the same split are printed
 * first and written to {@code baselines.json}, and each epoch's figures to {@code text-metrics.csv}.
 */
final class TextTraining {
    /** The vocabulary's file in a run's folder. */
    static final String VOCABULARY = "vocabulary.json";

    private final TrainRun run;
    private final TrainConfig cfg;
    private final PrintStream out;

    TextTraining(TrainRun run) {
        this.run = run;
        this.cfg = run.config();
        this.out = run.out();
    }

    int train(boolean resume) throws IOException {
        for (var o : new Object[][] {{"--augment", cfg.augment()}, {"--input-noise", cfg.inputNoise() != 0}, {"--label-noise", cfg.labelNoise() != 0},
            {"--train-subset", cfg.trainSubset() != 0}, {"--test-subset", cfg.testSubset() != 0}}) {
            if ((boolean) o[1]) throw new IllegalArgumentException(o[0] + " is for images; --model " + cfg.model() + " trains on text");
        }
        Path dir = cfg.out();
        TrainConfig.TextSettings ts = cfg.text();
        // Everything that can reject the settings runs before the run's folder is made: a failed check leaves no folder.
        TextSource src = TextSource.load(cfg.data(), ts.bytes(), cfg.seed());
        Vocabulary vocab = src.vocabulary();
        Path saved = dir.resolve(VOCABULARY);
        if (resume && Files.exists(saved) && !Vocabulary.load(saved).equals(vocab)) {
            throw new IllegalArgumentException(src.description() + " has changed since the run started: its vocabulary (" + vocab + ") differs from "
                    + saved + "; resume with the text the run was trained on");
        }
        TextDataset.Split split = src.split(ts.context());
        Module model = ModelFactory.createText(cfg.model(), vocab.size(), ts.context(), ts.layers(), ts.heads(), ts.width(), new SplittableRandom(cfg.seed()));
        Optimizer stepper = OptimizerFactory.create(cfg, model);
        // As for images (TrainRun): schedules drive SAM's base, the trainer steps SAM.
        Optimizer opt = stepper instanceof dev.descent.optim.SAM sam ? sam.base() : stepper;
        String[] keys = cfg.scaleGamma() ? new String[] {"lr", "gamma"} : new String[] {"lr"};
        ReduceLrOnPlateau.Settings plateauRule = ScheduleSpec.plateau(cfg.schedule());
        LrScheduler scheduler = plateauRule != null ? null : new LrScheduler(opt, ScheduleSpec.parse(cfg.schedule(), cfg.epochs()), keys);
        ReduceLrOnPlateau plateau = plateauRule == null ? null : new ReduceLrOnPlateau(opt, plateauRule); // stepped with the validation loss
        DataLoader loader = new DataLoader(split.train(), cfg.batchSize(), cfg.seed() ^ 0xDA7AL).withPrefetch(2);
        NgramBaseline baseline = NgramBaseline.of(vocab.size(), split.train(), split.validation());
        String unit = vocab.mode() == Vocabulary.Mode.BYTES ? "byte" : "char";

        Files.createDirectories(dir);
        AtomicFile.writeString(dir.resolve("config.json"), Json.write(cfg.toMap()) + "\n");
        vocab.save(saved);
        Map<String, String> meta = modelMeta(cfg, vocab);
        Trainer trainer = Trainer.builder(model, stepper, loader)
                .loss(Loss.tokenCrossEntropy())
                .epochs(cfg.epochs())
                .accumulate(cfg.accumulate())
                .evaluateOn(split.validation())
                .scheduler(scheduler)
                .reduceOnPlateau(plateau)
                .checkpoints(dir, meta)
                .detectAnomaly(cfg.detectAnomaly())
                .callbacks(new Display(unit), new MetricsLog(dir), new TrainRun.Plots(dir, run.title(opt), true), new TextMetrics(dir, baseline))
                .build();

        boolean fresh = !resume || new Checkpoints(dir).latest() == null;
        if (resume && fresh) out.println("descent: no checkpoint in " + dir + " yet; starting from the beginning");
        if (fresh) {
            Map<String, Object> r = run.runRecord();
            r.put("data", src.description());
            r.put("vocabulary", vocab.toString());
            r.put("train_tokens", split.train().to() - split.train().from());
            r.put("validation_tokens", split.validation().to() - split.validation().from());
            r.put("parameters", model.parameterCount());
            AtomicFile.writeString(dir.resolve("run.json"), Json.write(r) + "\n");
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("unigram_nats", baseline.unigram());
            b.put("bigram_nats", baseline.bigram());
            b.put("unigram_bits", NgramBaseline.bits(baseline.unigram()));
            b.put("bigram_bits", NgramBaseline.bits(baseline.bigram()));
            b.put("validation_targets", baseline.targets());
            AtomicFile.writeString(dir.resolve("baselines.json"), Json.write(b) + "\n");
        }
        out.printf(Locale.ROOT, "train: %s on %s (%,d training tokens in %,d windows of %d, %,d validation tokens), vocabulary of %s, %s, %s, batch %s, seed %d,"
                + " %s, %s%n", cfg.model(), src.description(), split.train().to() - split.train().from(), split.train().size(),
                ts.context(), split.validation().to() - split.validation().from(), vocab, stepper.getClass().getSimpleName(), Count.of(cfg.epochs(), "epoch"),
                TrainRun.batchText(cfg), cfg.seed(), Count.of(Threads.count(), "thread"), Kernels.vectorEnabled() ? Kernels.vectorBits() + "-bit vectors" : "scalar kernels");
        out.printf(Locale.ROOT, "model: %,d parameters; output in %s%n", model.parameterCount(), dir);
        out.printf(Locale.ROOT, "baselines on the validation text: unigram %s, bigram %s%n", nats(baseline.unigram(), unit), nats(baseline.bigram(), unit));

        TrainResult result = run.fit(trainer, resume);
        Integer stopped = run.unfinished(result);
        if (stopped != null) return stopped;
        if (stepper instanceof dev.descent.optim.ScheduleFree sf) sf.eval(); // the final weights are the averaged x, as for images
        Safetensors.save(model.stateDict(), meta, dir.resolve("model.safetensors"));
        OptimizerState.save(stepper, dir.resolve("optimizer.safetensors"));
        List<EpochMetrics> rows = result.history();
        if (!rows.isEmpty()) {
            EpochMetrics last = rows.get(rows.size() - 1);
            out.printf(Locale.ROOT, "done: validation loss %s after %s (unigram %.4f, bigram %.4f); model in %s, vocabulary in %s%n",
                    nats(last.testLoss(), unit), Count.of(last.epoch(), "epoch"), baseline.unigram(), baseline.bigram(), dir.resolve("model.safetensors"), saved);
            out.printf("sample it: descent generate %s --prompt \"The \" --tokens 300%n", dir);
        }
        if (src.generated()) {
            out.println("note: this run used generated text. For real text: apt-get install fortunes, then run again (or pass --data text:PATH with any"
                    + " UTF-8 file).");
        }
        return 0;
    }

    /** A loss in nats and in bits per character (or byte). */
    static String nats(double nats, String unit) {
        return String.format(Locale.ROOT, "%.4f nats (%.3f bits/%s)", nats, NgramBaseline.bits(nats), unit);
    }

    /** The metadata of a text model file: enough to build the network again ({@link TextModelFile}). */
    static Map<String, String> modelMeta(TrainConfig cfg, Vocabulary vocab) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "descent");
        meta.put("descent.model", cfg.model());
        meta.put("descent.text.vocabulary", Integer.toString(vocab.size()));
        meta.put("descent.text.tokens", vocab.mode() == Vocabulary.Mode.BYTES ? "bytes" : "characters");
        meta.put("descent.text.context", Integer.toString(cfg.text().context()));
        meta.put("descent.text.layers", Integer.toString(cfg.text().layers()));
        meta.put("descent.text.heads", Integer.toString(cfg.text().heads()));
        meta.put("descent.text.width", Integer.toString(cfg.text().width()));
        return meta;
    }

    /** The progress bar, the resume line and one line per epoch, losses in nats and bits. */
    private final class Display implements Callback {
        private final String unit;
        private final boolean terminal = Progress.isTerminal();
        private Progress progress;
        private int progressEpoch;

        Display(String unit) {
            this.unit = unit;
        }

        @Override
        public void onTrainStart(Trainer t) {
            Path from = t.resumedFrom();
            if (from != null) out.printf(Locale.ROOT, "resuming from %s: epoch %d, step %d%n", cfg.out().relativize(from), t.history().size() + 1, t.steps());
        }

        @Override
        public void onStep(Trainer t, Step s) {
            if (progress == null || progressEpoch != s.epoch()) {
                progress = new Progress(out, terminal, String.format(Locale.ROOT, "epoch %d/%d", s.epoch(), t.epochs()), s.batches(), "tok",
                        cfg.text().context());
                progressEpoch = s.epoch();
            }
            progress.update(s.batch(), s.seen(), s.meanLoss());
        }

        @Override
        public void onEpochEnd(Trainer t, EpochMetrics m) {
            out.printf(Locale.ROOT, "epoch %d/%d  train loss %s  |  validation loss %s  |  %.1f s  lr %.3g%n", m.epoch(), t.epochs(),
                    nats(m.trainLoss(), unit), nats(m.testLoss(), unit), m.seconds(), m.lr());
        }
    }

    /** {@code text-metrics.csv}: each epoch's losses in nats and bits beside the baselines. */
    private static final class TextMetrics implements Callback {
        private final Path dir;
        private final NgramBaseline baseline;

        TextMetrics(Path dir, NgramBaseline baseline) {
            this.dir = dir;
            this.baseline = baseline;
        }

        @Override
        public void onEpochEnd(Trainer t, EpochMetrics metrics) {
            StringBuilder csv = new StringBuilder("epoch,train_nats,train_bits,validation_nats,validation_bits,unigram_nats,bigram_nats\n");
            for (EpochMetrics m : t.history()) {
                csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", m.epoch(), m.trainLoss(), NgramBaseline.bits(m.trainLoss()),
                        m.testLoss(), NgramBaseline.bits(m.testLoss()), baseline.unigram(), baseline.bigram()));
            }
            try {
                AtomicFile.writeString(dir.resolve("text-metrics.csv"), csv.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write text-metrics.csv in " + dir, e);
            }
        }
    }
}
