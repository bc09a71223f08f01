package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.speed.PublishedOnnxModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent bench onnx}: its options and what it says when the models are absent. Timings are not asserted. */
class BenchOnnxTest {
    @TempDir
    Path dir;

    @Test
    void aFolderWithoutTheModelsListsEachAsSkipped() {
        CommandRun r = CommandRun.of("bench", "onnx", "--no-onnxruntime", "--models", dir.toString(), "--threads-list", "1");
        assertEquals(0, r.code(), r.all());
        for (PublishedOnnxModels.Model m : PublishedOnnxModels.ALL) {
            assertTrue(r.out().contains(m.key()) && r.out().contains(m.file() + " is not in"), m.key() + " not listed as skipped:\n" + r.out());
        }
    }

    @Test
    void anUnknownModelABatchBelowTwoOrNoRoundIsRefusedNamingIt() {
        CommandRun unknown = CommandRun.of("bench", "onnx", "--no-onnxruntime", "--models", dir.toString(), "--only", "resnet");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.all().contains("resnet") && unknown.all().contains("ocr-det"), unknown.all());
        CommandRun batch = CommandRun.of("bench", "onnx", "--no-onnxruntime", "--models", dir.toString(), "--batch", "1");
        assertNotEquals(0, batch.code());
        assertTrue(batch.all().contains("--batch must be >= 2, was 1"), batch.all());
        CommandRun rounds = CommandRun.of("bench", "onnx", "--no-onnxruntime", "--models", dir.toString(), "--rounds", "0");
        assertNotEquals(0, rounds.code());
        assertTrue(rounds.all().contains("--rounds must be >= 1, was 0"), rounds.all());
    }

    @Test
    void everyModelsBatchOneShapeMatchesItsDeclaredLayout() {
        for (PublishedOnnxModels.Model m : PublishedOnnxModels.ALL) {
            assertEquals(1, m.shape(1)[0], m.key());
            assertEquals(m.shape(1).length, 4, m.key());
            if (!m.batchable()) {
                try {
                    m.shape(2);
                    throw new AssertionError(m.key() + " accepted batch 2");
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().contains(m.key()) && e.getMessage().contains("2"), e.getMessage());
                }
            }
        }
    }
}
