package dev.descent.cli;

import dev.descent.bench.TextGenerator;
import dev.descent.data.Vocabulary;
import dev.descent.nn.Module;
import dev.descent.train.Checkpoints;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code descent generate RUN_DIR}: continues a prompt with a text model trained by {@code descent train --model gpt|lstm|bigram}. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample text from a trained text model (descent train --model gpt, lstm or bigram). Prints the prompt and its continuation.",
            "The same seed gives the same text. A prompt longer than the model's context is read through its last CONTEXT tokens (as while generating)."})
public final class GenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "the run's folder (model.safetensors or its latest checkpoint, and vocabulary.json)")
    Path run;
    @Option(names = "--prompt", description = "the text to continue (default: a line break)")
    String prompt = "\n";
    @Option(names = "--tokens", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int tokens = 300;
    @Option(names = "--temperature", description = "divides the logits: below 1 safer, above 1 wilder; 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature = 1.0;
    @Option(names = "--top-k", description = "sample among the K most likely tokens; 0 = all, 1 = greedy (default: ${DEFAULT-VALUE})")
    int topK = 0;
    @Option(names = "--seed", description = "seed of the draws (default: ${DEFAULT-VALUE})")
    long seed = 42;
    @Mixin
    ThreadsOption threads;
    @Spec
    CommandSpec spec;

    /** The most tokens one command generates. */
    static final int MAX_TOKENS = 1_000_000;

    @Override
    public Integer call() throws Exception {
        if (tokens < 0 || tokens > MAX_TOKENS) throw new IllegalArgumentException("--tokens must be in [0, " + MAX_TOKENS + "], was " + tokens);
        if (prompt.isEmpty()) throw new IllegalArgumentException("--prompt must hold at least one character");
        if (!Files.isDirectory(run)) throw new IllegalArgumentException("no run folder at " + run);
        Path vocabFile = run.resolve(TextTraining.VOCABULARY);
        if (!Files.exists(vocabFile)) throw new IllegalArgumentException("no " + TextTraining.VOCABULARY + " in " + run + " (is it the folder of a text model's run?)");
        Path file = run.resolve("model.safetensors");
        if (!Files.exists(file)) {
            Path ckpt = new Checkpoints(run).latest();
            if (ckpt == null) throw new IllegalArgumentException("no model.safetensors and no checkpoint in " + run);
            file = ckpt.resolve("model.safetensors");
            note("note: the run has not finished; sampling from its latest checkpoint, " + run.relativize(file));
        }
        Vocabulary vocab;
        try {
            vocab = Vocabulary.load(vocabFile);
        } catch (dev.descent.core.io.FileFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        TextModelFile saved = TextModelFile.read(file);
        if (saved.vocabulary() != vocab.size() || saved.bytes() != (vocab.mode() == Vocabulary.Mode.BYTES)) {
            throw new IllegalArgumentException(file + " is a model of " + saved.vocabulary() + (saved.bytes() ? " bytes" : " characters") + " but " + vocabFile
                    + " holds " + vocab);
        }
        int[] p;
        try {
            p = vocab.encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--prompt: " + e.getMessage() + " (the characters of the text the model was trained on)", e);
        }
        if (p.length > saved.context()) {
            note(String.format("note: the prompt has %d tokens, more than the model's context of %d: the model reads its last %d", p.length,
                    saved.context(), saved.context()));
        }
        Module model = saved.build();
        TextGenerator gen = new TextGenerator(model, saved.context(), temperature, topK);
        int[] next = gen.generate(p, tokens, new SplittableRandom(seed));
        PrintStream out = System.out;
        out.print(prompt);
        out.println(vocab.decode(next));
        out.flush();
        return 0;
    }

    /** A line on standard error (the command line's, which tests capture), so that standard output is the text alone. */
    private void note(String line) {
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println(line);
        err.flush();
    }
}
