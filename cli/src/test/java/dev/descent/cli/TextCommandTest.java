package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.TextSource;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Json;
import dev.descent.data.Vocabulary;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent train on text (bigram, GPT, LSTM) and descent generate: outputs, metrics, resume, seeded and greedy sampling, cropping. */
class TextCommandTest {
    @TempDir
    Path dir;

    /** A small text file of generated sayings. */
    Path textFile(int chars) throws IOException {
        Path f = dir.resolve("sayings.txt");
        Files.writeString(f, TextSource.generate(3, chars));
        return f;
    }

    static List<String> train(Path out, Path text, String model, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--model", model, "--data", "text:" + text, "--epochs", Integer.toString(epochs), "--seed", "5",
                "--context", "16", "--layers", "1", "--heads", "2", "--width", "16", "--batch-size", "16", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    static CommandRun run(List<String> args) {
        return CommandRun.of(args.toArray(new String[0]));
    }

    @Test
    void aBigramRunWritesItsFilesAndBeatsUniformAndGenerateIsSeeded() throws Exception {
        Path text = textFile(20_000), out = dir.resolve("bigram");
        CommandRun r = run(train(out, text, "bigram", 2, "--lr", "0.1"));
        assertEquals(0, r.code(), r.all());
        for (String f : List.of("config.json", "run.json", "vocabulary.json", "baselines.json", "metrics.csv", "text-metrics.csv", "loss.png",
                "model.safetensors", "optimizer.safetensors")) {
            assertTrue(Files.exists(out.resolve(f)), "missing " + f);
        }
        assertTrue(!Files.exists(out.resolve("accuracy.png")), "no accuracy plot for text");
        Vocabulary v = Vocabulary.load(out.resolve("vocabulary.json"));
        assertEquals(Vocabulary.characters(Files.readString(text)), v);
        Map<?, ?> base = (Map<?, ?>) Json.parse(Files.readString(out.resolve("baselines.json")));
        double bigram = (Double) base.get("bigram_nats");
        List<String> rows = Files.readAllLines(out.resolve("text-metrics.csv"));
        assertEquals(3, rows.size(), rows.toString());
        String[] last = rows.get(2).split(",");
        double validation = Double.parseDouble(last[3]), bits = Double.parseDouble(last[4]);
        assertEquals(validation / Math.log(2), bits, 1e-5);
        assertTrue(validation < Math.log(v.size()) - 0.5, "validation " + validation + " vs uniform " + Math.log(v.size()));
        assertTrue(validation < bigram + 0.3, "the neural bigram approaches the counted one: " + validation + " vs " + bigram);
        assertTrue(r.out().contains("bits/char"), r.out());

        CommandRun a = CommandRun.of("generate", out.toString(), "--prompt", "The ", "--tokens", "80", "--seed", "9");
        CommandRun b = CommandRun.of("generate", out.toString(), "--prompt", "The ", "--tokens", "80", "--seed", "9");
        CommandRun c = CommandRun.of("generate", out.toString(), "--prompt", "The ", "--tokens", "80", "--seed", "10");
        assertEquals(0, a.code(), a.all());
        assertEquals(a.out(), b.out(), "same seed, same text");
        assertNotEquals(a.out(), c.out(), "another seed, another text");
        assertTrue(a.out().startsWith("The "), a.out());
        assertEquals("The ".length() + 80, a.out().stripTrailing().length() + (a.out().length() - a.out().stripTrailing().length() - 1), a.out());
    }

    @Test
    void greedyIsTheArgmaxChainOfTheSavedModelAndALongPromptIsCropped() throws Exception {
        Path text = textFile(6_000), out = dir.resolve("gpt");
        CommandRun r = run(train(out, text, "gpt", 1));
        assertEquals(0, r.code(), r.all());
        CommandRun t0 = CommandRun.of("generate", out.toString(), "--prompt", "The cat", "--tokens", "20", "--temperature", "0");
        CommandRun k1 = CommandRun.of("generate", out.toString(), "--prompt", "The cat", "--tokens", "20", "--top-k", "1", "--seed", "3");
        assertEquals(0, t0.code(), t0.all());
        assertEquals(t0.out(), k1.out(), "temperature 0 and top-k 1 are both greedy");

        // the reference: the saved model run by hand, the largest logit of the last position appended each time
        Vocabulary v = Vocabulary.load(out.resolve("vocabulary.json"));
        Module m = TextModelFile.read(out.resolve("model.safetensors")).build();
        m.eval();
        List<Integer> seq = new ArrayList<>();
        for (int t : v.encode("The cat")) seq.add(t);
        try (var _ = GradMode.noGrad()) {
            for (int n = 0; n < 20; n++) {
                int from = Math.max(0, seq.size() - 16);
                long[] x = new long[seq.size() - from];
                for (int i = 0; i < x.length; i++) x[i] = seq.get(from + i);
                float[] logits = m.forward(Tensor.of(x, 1, x.length)).toFloatArray();
                int vs = v.size(), base = (x.length - 1) * vs, best = 0;
                for (int i = 1; i < vs; i++) if (logits[base + i] > logits[base + best]) best = i;
                seq.add(best);
            }
        }
        int[] all = seq.stream().mapToInt(Integer::intValue).toArray();
        assertEquals(v.decode(all) + "\n", t0.out().replace(System.lineSeparator(), "\n"));

        String longPrompt = "The cat knows the worm. ".repeat(3);
        CommandRun cropped = CommandRun.of("generate", out.toString(), "--prompt", longPrompt, "--tokens", "10", "--temperature", "0");
        assertEquals(0, cropped.code(), cropped.all());
        assertTrue(cropped.out().startsWith(longPrompt), cropped.out());
        assertTrue(cropped.err().contains("more than the model's context of 16"), cropped.err());
    }

    @Test
    void anLstmRunResumesToTheSameModelAsAnUninterruptedOne() throws Exception {
        Path text = textFile(5_000);
        Path once = dir.resolve("once"), twice = dir.resolve("twice");
        assertEquals(0, run(train(once, text, "lstm", 2)).code());
        CommandRun first = run(train(twice, text, "lstm", 1));
        assertEquals(0, first.code(), first.all());
        CommandRun second = CommandRun.of("train", "--resume", twice.toString(), "--epochs", "2");
        assertEquals(0, second.code(), second.all());
        assertTrue(second.out().contains("resuming from"), second.out());
        assertEquals(Files.readAllLines(once.resolve("text-metrics.csv")), Files.readAllLines(twice.resolve("text-metrics.csv")));
        assertEquals(dev.descent.core.io.Safetensors.load(once.resolve("model.safetensors")).tensors().keySet(),
                dev.descent.core.io.Safetensors.load(twice.resolve("model.safetensors")).tensors().keySet());
        Map<String, Tensor> a = dev.descent.core.io.Safetensors.load(once.resolve("model.safetensors")).tensors();
        Map<String, Tensor> b = dev.descent.core.io.Safetensors.load(twice.resolve("model.safetensors")).tensors();
        for (String k : a.keySet()) assertTrue(java.util.Arrays.equals(a.get(k).toFloatArray(), b.get(k).toFloatArray()), k);
    }

    @Test
    void byteTokensReadAnyFileAndSampleBytes() throws Exception {
        Path latin1 = dir.resolve("latin1.txt"), out = dir.resolve("bytes");
        byte[] text = TextSource.generate(4, 4000).replace('e', '\u00e9').getBytes(StandardCharsets.ISO_8859_1);
        Files.write(latin1, text);
        CommandRun r = run(train(out, latin1, "bigram", 1, "--tokens", "bytes", "--lr", "0.1"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("bits/byte") && r.out().contains("256 bytes"), r.out());
        assertEquals(Vocabulary.bytes(), Vocabulary.load(out.resolve("vocabulary.json")));
        CommandRun g = CommandRun.of("generate", out.toString(), "--prompt", "Th", "--tokens", "30", "--seed", "2");
        assertEquals(0, g.code(), g.all());
        assertTrue(g.out().startsWith("Th"), g.out());
        CommandRun chars = run(train(dir.resolve("chars"), latin1, "bigram", 1));
        assertEquals(2, chars.code(), "without --tokens bytes the file must be UTF-8: " + chars.all());
    }

    @Test
    void aGptWhoseLossBecomesNaNStopsWithTheDivergedExitCode() throws Exception {
        Path out = dir.resolve("nan");
        CommandRun r = run(train(out, textFile(3_000), "gpt", 3, "--lr", "1e30"));
        assertEquals(TrainRun.EXIT_DIVERGED, r.code(), r.all());
        assertTrue(r.out().contains("training diverged") && r.out().contains("at epoch 1"), r.out());
        assertTrue(!Files.exists(out.resolve("model.safetensors")), "no final model after a divergence");
    }
}
