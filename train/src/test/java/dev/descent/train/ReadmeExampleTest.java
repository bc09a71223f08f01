package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.ImageDataset;
import dev.descent.data.SyntheticImages;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.optim.ParamGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * README.md's training example: compiled against the current API, run, and held to the README's copy of
 * it, so that the first code a reader tries cannot rot.
 */
class ReadmeExampleTest {
    /** The line in README.md just above the example's code block. */
    static final String MARKER = "<!-- the example below is train/src/test/java/dev/descent/train/ReadmeExampleTest.java -->";

    /** The example, as README.md shows it (the lines between the tags). */
    static void example() {
        // tag::readme[]
        var rng = new SplittableRandom(42);
        ImageDataset train = SyntheticImages.generate(4000, 1);   // or FashionMnist.train(FashionMnist.SYSTEM_DIR)
        var model = new Sequential(
                new Conv2d(1, 16, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * 14 * 14, 10, rng));
        var optimizer = new Adam(model.parameters(), 1e-3);   // or per-group settings: new Adam(List.of(ParamGroup.of(…)), 1e-3)
        var loader = new DataLoader(train, 64, rng);
        for (int epoch = 1; epoch <= 3; epoch++) {
            double sum = 0;
            for (Batch b : loader) {
                Tensor loss = Losses.crossEntropy(model.forward(b.x()), b.y());
                optimizer.zeroGrad();
                loss.backward();
                optimizer.step();
                sum += loss.item();
            }
            System.out.printf("epoch %d: mean loss %.3f%n", epoch, sum / loader.batchesPerEpoch());
        }
        // end::readme[]
    }

    /** The marker above README.md's workspace example. */
    static final String WORKSPACE_MARKER = "<!-- the example below is ReadmeExampleTest.workspaceExample() -->";

    /** The same training with each step in a workspace scope; README.md shows the loop. */
    static void workspaceExample() {
        var rng = new SplittableRandom(42);
        ImageDataset train = SyntheticImages.generate(4000, 1);
        var model = new Sequential(
                new Conv2d(1, 16, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * 14 * 14, 10, rng));
        var optimizer = new Adam(model.parameters(), 1e-3);   // or per-group settings: new Adam(List.of(ParamGroup.of(…)), 1e-3)
        var loader = new DataLoader(train, 64, rng);
        // tag::workspace[]
        var ws = new Workspace();
        for (int epoch = 1; epoch <= 3; epoch++) {
            double sum = 0;
            for (Batch b : loader) {
                try (var _ = ws.open()) {
                    Tensor loss = Losses.crossEntropy(model.forward(b.x()), b.y());
                    optimizer.zeroGrad();
                    loss.backward();
                    optimizer.step();
                    sum += loss.item();   // read what you need inside the scope
                }
            }
            System.out.printf("epoch %d: mean loss %.3f%n", epoch, sum / loader.batchesPerEpoch());
        }
        // end::workspace[]
    }

    /** The marker above README.md's Trainer example. */
    static final String TRAINER_MARKER = "<!-- the example below is ReadmeExampleTest.trainerExample() -->";

    /** The same training run by the train library's Trainer, with evaluation, checkpoints and a metrics log in {@code dir}. */
    static TrainResult trainerExample(Path dir) throws IOException {
        var rng = new SplittableRandom(42);
        ImageDataset train = SyntheticImages.generate(4000, 1);
        var model = new Sequential(
                new Conv2d(1, 16, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * 14 * 14, 10, rng));
        var optimizer = new Adam(model.parameters(), 1e-3);   // or per-group settings: new Adam(List.of(ParamGroup.of(…)), 1e-3)
        // tag::trainer[]
        var trainer = Trainer.builder(model, optimizer, new DataLoader(train, 64, rng))
                .epochs(3)
                .evaluateOn(SyntheticImages.generate(1000, 2))   // after every epoch
                .checkpoints(dir, Map.of())                       // trainer.resume() continues from the last one
                .callbacks(new MetricsLog(dir), new Callback() {  // metrics.csv and .json; a line per epoch
                    @Override
                    public void onEpochEnd(Trainer t, EpochMetrics m) {
                        System.out.printf("epoch %d: loss %.3f, test accuracy %.1f%%%n", m.epoch(), m.trainLoss(), 100 * m.testAccuracy());
                    }
                })
                .build();
        TrainResult result = trainer.fit();
        // end::trainer[]
        return result;
    }

    @Test
    void theTrainerExampleTrainsEvaluatesAndWritesItsFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        TrainResult[] result = new TrainResult[1];
        List<String> lines = printed(() -> {
            try {
                result[0] = trainerExample(dir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(TrainResult.Status.COMPLETED, result[0].status());
        assertEquals(3, lines.size(), "one line per epoch: " + lines);
        List<EpochMetrics> h = result[0].history();
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss() && h.get(0).trainLoss() < Math.log(10), "the loss falls below chance: " + h);
        assertTrue(h.get(2).testAccuracy() > 0.5, "test accuracy well above chance (10%): " + h);
        assertEquals(4, Files.readAllLines(dir.resolve("metrics.csv")).size(), "a header and three epochs");
        assertTrue(new Checkpoints(dir).latest() != null, "a checkpoint after the last epoch");
    }

    @Test
    void theReadmeShowsExactlyTheTrainerExample() throws IOException {
        assertShown(TRAINER_MARKER, "trainer");
    }

    private static List<String> printed(Runnable example) {
        PrintStream original = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            example.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void theWorkspaceExamplePrintsWhatThePlainOnePrints() {
        assertEquals(printed(ReadmeExampleTest::example), printed(ReadmeExampleTest::workspaceExample));
    }

    @Test
    void theExampleTrainsAndItsLossFalls() {
        List<String> lines = printed(ReadmeExampleTest::example);
        assertEquals(3, lines.size(), "one line per epoch: " + lines);
        List<Double> losses = new ArrayList<>();
        for (String line : lines) losses.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        assertTrue(losses.get(2) < losses.get(0) && losses.get(0) < Math.log(10), "the mean loss should fall below chance (ln 10): " + lines);
    }

    @Test
    void theReadmeShowsExactlyThisExample() throws IOException {
        assertShown(MARKER, "readme");
    }

    @Test
    void theReadmeShowsExactlyTheWorkspaceLoop() throws IOException {
        assertShown(WORKSPACE_MARKER, "workspace");
    }

    /** The code block after {@code marker} in README.md equals the lines between {@code tag}'s tags here. */
    private static void assertShown(String marker, String tag) throws IOException {
        Path readme = Path.of("..", "README.md");
        List<String> text = Files.readAllLines(readme);
        int at = text.indexOf(marker);
        if (at < 0) fail("README.md has no line '" + marker + "' above the example");
        assertEquals("```java", text.get(at + 1), "README.md: the example's code block must start right after the marker");
        int end = text.subList(at + 2, text.size()).indexOf("```");
        assertTrue(end >= 0, "README.md: the example's code block is not closed");
        List<String> shown = text.subList(at + 2, at + 2 + end);

        Path source = Path.of("src", "test", "java", "dev", "descent", "train", "ReadmeExampleTest.java");
        List<String> code = Files.readAllLines(source);
        int from = code.indexOf("        // tag::" + tag + "[]"), to = code.indexOf("        // end::" + tag + "[]");
        List<String> tagged = code.subList(from + 1, to).stream().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();
        for (int i = 0; i < Math.max(shown.size(), tagged.size()); i++) {
            String a = i < shown.size() ? shown.get(i) : "(end of block)", b = i < tagged.size() ? tagged.get(i) : "(end of example)";
            if (!a.equals(b)) {
                fail("README.md's example differs from ReadmeExampleTest's " + tag + " example at line " + (i + 1) + " of the block:\n  README: " + a + "\n  test:   " + b
                        + "\nCopy the lines between the tags into README.md (without the 8 spaces of indentation).");
            }
        }
    }
}
