// Every way a command can fail ends the same way: one `descent:` line naming the option or file, a non-zero exit, no stack trace.
package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's failures, each a case of one table: a value the program used to accept in silence (NaN
 * read as "the default", a negative thread count), files it used to trip over (a truncated or mistyped
 * {@code config.json}, a model file without its metadata or naming a network too deep to allocate), and the
 * rest found on the way. Each must print exactly one line starting with {@code descent:} on standard error,
 * naming the option or the file, exit with 2 (a caller's mistake) or 1, and print no stack trace.
 */
class FailureMessageTest {
    @TempDir
    Path dir;

    /** One failing command line. */
    record Case(String what, int code, String names, List<String> args) {}

    static Case fails(String what, int code, String names, String... args) {
        return new Case(what, code, names, List.of(args));
    }

    /** A quick train command line into {@code out}, with {@code extra} options. */
    static String[] train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "mlp", "--train-subset", "100", "--test-subset", "50",
                "--batch-size", "50", "--epochs", "1", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** A run folder whose config.json holds {@code text}. */
    Path runWithConfig(String name, String text) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Files.writeString(run.resolve("config.json"), text);
        return run;
    }

    /** A model file with these metadata and a 200,000-float tensor (800 KB). */
    Path modelFile(String name, Map<String, String> meta) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Path file = run.resolve("model.safetensors");
        Safetensors.save(Map.of("weight", Tensor.zeros(200_000)), meta, file);
        return file;
    }

    static Map<String, String> meta(String model, String input) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "descent");
        m.put("descent.model", model);
        if (input != null) m.put("descent.input", input);
        m.put("descent.classes", "10");
        m.put("descent.normalize.mean", "0.5");
        m.put("descent.normalize.std", "0.25");
        return m;
    }

    List<Case> cases() throws IOException {
        // A config.json as descent train writes it, to break in one place at a time.
        Path good = dir.resolve("good");
        CommandRun g = CommandRun.of(train(good));
        assertEquals(0, g.code(), g.all());
        String config = Files.readString(good.resolve("config.json"));

        Path latin1 = runWithConfig("latin1", "");
        Files.write(latin1.resolve("config.json"), new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'});
        Path noInput = modelFile("no-input", meta("mlp", null));
        Files.writeString(noInput.resolveSibling("config.json"), config);
        Path brokenConfig = modelFile("broken-config", meta("mlp", "1,28,28"));
        Files.writeString(brokenConfig.resolveSibling("config.json"), config.substring(0, config.length() / 2));
        Path deep = modelFile("deep", meta("resnet600000002", "3,32,32"));
        Path badInput = modelFile("bad-input", meta("mlp", "1,twenty-eight,28"));

        // Text: a small corpus, a quick bigram run to sample from, and broken text files.
        Path sayings = dir.resolve("sayings.txt");
        Files.writeString(sayings, dev.descent.bench.TextSource.generate(1, 3000));
        Path textRun = dir.resolve("text-run");
        CommandRun t = CommandRun.of("train", "--model", "bigram", "--data", "text:" + sayings, "--epochs", "1", "--context", "16", "--out", textRun.toString());
        assertEquals(0, t.code(), t.all());
        Path notUtf8 = dir.resolve("latin1.txt");
        Files.write(notUtf8, new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        Path damagedVocabulary = Files.createDirectories(dir.resolve("damaged-vocabulary"));
        Files.copy(textRun.resolve("model.safetensors"), damagedVocabulary.resolve("model.safetensors"));
        Files.writeString(damagedVocabulary.resolve("vocabulary.json"), "{\"format\": \"descent-vocabulary\", \"version\": 1, \"symbols\": [");

        return List.of(
                fails("NaN learning rate", 2, "--lr", train(dir.resolve("a"), "--lr", "NaN")),
                fails("NaN weight decay", 2, "--weight-decay", train(dir.resolve("b"), "--weight-decay", "NaN")),
                fails("infinite learning rate", 2, "--lr", train(dir.resolve("c"), "--lr", "Infinity")),
                fails("zero batches per optimizer step", 2, "--accumulate", train(dir.resolve("acc"), "--accumulate", "0")),
                fails("config.json with a negative accumulation", 2, "config.json",
                        "train", "--resume", runWithConfig("negative-accumulate", config.replaceFirst("\"accumulate\":1", "\"accumulate\":-3")).toString()),
                fails("negative thread count", 2, "--threads", train(dir.resolve("d"), "--threads", "-2")),
                fails("zero threads for demo", 2, "--threads", "demo", "--threads", "0"),
                fails("negative threads for a reproduction", 2, "--threads", "reproduce", "erm", "--quick", "--threads", "-2", "--out",
                        dir.resolve("e").toString()),
                fails("negative checkpoint interval for a reproduction", 2, "--checkpoint-every", "reproduce", "unlearning", "--quick", "--checkpoint-every",
                        "-1", "--out", dir.resolve("h").toString()),
                fails("truncated config.json", 2, "config.json",
                        "train", "--resume", runWithConfig("truncated", config.substring(0, config.length() - 20)).toString()),
                fails("a string where config.json needs a number", 2, "config.json",
                        "train", "--resume", runWithConfig("mistyped", config.replaceFirst("\"lr\":[^,]*", "\"lr\":\"fast\"")).toString()),
                fails("config.json without the seed", 2, "config.json",
                        "train", "--resume", runWithConfig("no-seed", config.replaceFirst(",\"seed\":[0-9]+", "")).toString()),
                fails("config.json holding an array", 2, "config.json", "train", "--resume", runWithConfig("array", "[1, 2]").toString()),
                fails("config.json not UTF-8", 2, "config.json", "train", "--resume", latin1.toString()),
                fails("model without descent.input", 2, "no-input", "eval", noInput.toString()),
                fails("model with a broken config.json beside it", 2, "config.json", "eval", brokenConfig.toString()),
                fails("model with unparsable descent.input", 2, "bad-input", "eval", badInput.toString(), "--data", "synthetic"),
                fails("a model too deep to build", 2, "resnet600000002", "summary", "--model", "resnet600000002"),
                fails("a model too deep to build, for graph", 2, "resnet600000002", "graph", "--model", "resnet600000002", "--input", "3,32,32",
                        "--out", dir.resolve("g.dot").toString()),
                fails("a model too deep to build, for train", 2, "resnet600000002", "train", "--data", "synthetic", "--model", "resnet600000002",
                        "--out", dir.resolve("f").toString()),
                fails("a model file naming a model too deep to build", 2, "deep", "summary", deep.toString()),
                fails("an image too large to address", 2, "100000", "summary", "--model", "mlp", "--input", "100000,100000,100000"),
                fails("a matmul of size 0", 2, "--sizes", "bench", "matmul", "--sizes", "0", "--threads-list", "1", "--samples", "1"),
                fails("a GPT bench whose heads do not divide the width", 2, "--heads 3 must divide --width 64", "bench", "gpt", "--heads", "3",
                        "--threads-list", "1", "--samples", "1"),
                fails("a GPT bench of context 0", 2, "--context must be >= 1", "bench", "gpt", "--context", "0", "--threads-list", "1", "--samples", "1"),
                fails("an output folder inside a file", 1, "config.json", train(good.resolve("config.json").resolve("x"))),
                fails("an unknown option", 2, "--no-such-option", "train", "--no-such-option"),
                fails("a text file that is not UTF-8", 2, "latin1.txt: at byte 3", "train", "--model", "gpt", "--data", "text:" + notUtf8, "--out",
                        dir.resolve("t1").toString()),
                fails("an empty text file", 2, "empty.txt", "train", "--model", "lstm", "--data", "text:" + empty, "--out", dir.resolve("t2").toString()),
                fails("a text file that is not there", 2, "missing.txt", "train", "--model", "gpt", "--data", "text:" + dir.resolve("missing.txt"),
                        "--out", dir.resolve("t3").toString()),
                fails("a context longer than the text", 2, "--context", "train", "--model", "gpt", "--data", "text:" + sayings, "--context", "4000",
                        "--out", dir.resolve("t4").toString()),
                fails("heads that do not divide the width", 2, "--heads", "train", "--model", "gpt", "--data", "text:" + sayings, "--heads", "3",
                        "--out", dir.resolve("t5").toString()),
                fails("an unknown token kind", 2, "--tokens", "train", "--model", "gpt", "--data", "text:" + sayings, "--tokens", "words",
                        "--out", dir.resolve("t6").toString()),
                fails("image data for a text model", 2, "synthetic", "train", "--model", "gpt", "--data", "synthetic", "--out", dir.resolve("t7").toString()),
                fails("text data for an image model", 2, "--model", "train", "--model", "mlp", "--data", "text:" + sayings, "--out",
                        dir.resolve("t8").toString()),
                fails("a prompt character outside the vocabulary", 2, "'☃' (U+2603)", "generate", textRun.toString(), "--prompt", "The ☃"),
                fails("an empty prompt", 2, "--prompt", "generate", textRun.toString(), "--prompt", ""),
                fails("a negative temperature", 2, "--temperature", "generate", textRun.toString(), "--temperature", "-1"),
                fails("a NaN temperature", 2, "--temperature", "generate", textRun.toString(), "--temperature", "NaN"),
                fails("a negative token count", 2, "--tokens", "generate", textRun.toString(), "--tokens", "-1"),
                fails("generate in an image run's folder", 2, "vocabulary.json", "generate", good.toString()),
                fails("eval of a text model", 2, "descent generate", "eval", textRun.toString(), "--data", "synthetic"),
                fails("summary of a text model", 2, "text model", "summary", textRun.toString()),
                fails("a damaged vocabulary.json", 2, "vocabulary.json", "generate", damagedVocabulary.toString()));
    }

    @Test
    void everyFailureIsOneDescentLineNamingTheOptionOrFileWithANonZeroExitAndNoStackTrace() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Case c : cases()) {
            CommandRun r = CommandRun.of(c.args().toArray(new String[0]));
            List<String> lines = r.err().lines().filter(l -> l.startsWith("descent:")).toList();
            String problem = r.code() == 0 ? "exit 0"
                    : r.code() != c.code() ? "exit " + r.code() + ", not " + c.code()
                    : lines.size() != 1 ? lines.size() + " lines start with descent:"
                    : !lines.get(0).contains(c.names()) ? "the line does not name " + c.names()
                    : r.all().contains("\tat ") || r.all().contains("Exception in thread") ? "a stack trace"
                    : null;
            if (problem != null) wrong.add(c.what() + ": " + problem + "\n  " + String.join(" ", c.args()) + "\n  " + r.all().replace("\n", "\n  "));
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " failures do not end as one descent: line:\n" + String.join("\n", wrong));
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        Path run = runWithConfig("truncated", "{\"data\":");
        CommandRun r = CommandRun.of("train", "--resume", run.toString(), "--debug");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().startsWith("descent: ") && r.err().contains("\tat "), r.err());
        CommandRun before = CommandRun.of("--debug", "summary", "--model", "resnet600000002");
        assertTrue(before.err().contains("\tat "), "--debug before the command: " + before.err());
    }

    @Test
    void aRunThatFailsItsChecksLeavesNoFolder() {
        for (String[] extra : new String[][] {{"--lr", "NaN"}, {"--schedule", "bogus"}, {"--optimizer", "sgd", "--momentum", "-1"}, {"--eps", "-1"},
            {"--model", "transformer"}, {"--data", "fashion-mnist:" + dir.resolve("nowhere")}}) {
            Path out = dir.resolve("rejected");
            CommandRun r = CommandRun.of(train(out, extra));
            assertEquals(2, r.code(), String.join(" ", extra) + ": " + r.all());
            assertFalse(Files.exists(out), String.join(" ", extra) + " was rejected but left " + out);
        }
    }
}
