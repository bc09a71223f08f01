package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.bench.speed.Workloads.GptShape;
import dev.descent.data.Fortunes;
import dev.descent.data.Vocabulary;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code descent bench gpt}: the model it times is train's default GPT, and a small run prints a tokens/s row per thread count. */
class BenchGptTest {

    @Test
    void theBenchmarkedShapeIsTheDefaultOfTrainModelGpt() {
        TrainConfig.TextSettings d = TrainConfig.TextSettings.DEFAULT;
        GptShape s = GptShape.DEFAULT;
        assertEquals(d.context(), s.context(), "context");
        assertEquals(d.layers(), s.layers(), "layers");
        assertEquals(d.heads(), s.heads(), "heads");
        assertEquals(d.width(), s.width(), "width");
        assertEquals(32, s.batch(), "train's default text batch (TrainCommand: 32 text windows)");
        assertEquals(s.batch() * s.context(), s.tokens());
    }

    @Test
    void theVocabularyIsThatOfTheFortunesWhenInstalled() throws Exception {
        assumeTrue(Fortunes.installed(), "fortunes not installed");
        assertEquals(Vocabulary.characters(Fortunes.text(Fortunes.SYSTEM_DIR)).size(), GptShape.DEFAULT.vocab());
    }

    @Test
    void aSmallRunPrintsAPositiveTokensPerSecondRow() {
        CommandRun r = CommandRun.of("bench", "gpt", "--threads-list", "1", "--samples", "1", "--batch-size", "2", "--context", "8", "--layers", "1",
                "--heads", "2", "--width", "8", "--vocab", "11");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("batch 2, context 8, 1 layers, 2 heads, width 8, vocabulary 11"), r.out());
        Matcher m = Pattern.compile("GPT step\\s+tokens/s\\s+1\\s+(\\d+) \\[").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Long.parseLong(m.group(1)) > 0, r.out());
    }
}
