package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --spark} in the default build, where the spark module is not on the class path (the cli never depends on it):
 * one line saying how to get it, exit code 2, no run folder. With the module, the spark module's SparkCommandLineTest
 * trains through these options.
 */
class SparkOptionTest {
    @TempDir
    Path dir;

    @Test
    void sparkWithoutTheSparkModuleIsOneLineAndNoRunFolder() {
        Path out = dir.resolve("run");
        CommandRun r = CommandRun.of("train", "--data", "synthetic", "--model", "mlp", "--spark", "local[2]", "--out", out.toString());
        assertEquals(2, r.code(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--spark needs the spark module on the class path"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMalformedMasterIsOneLine() {
        assertEquals(0, TrainCommand.localSlots("spark://host:7077"));
        assertEquals(3, TrainCommand.localSlots("local[3]"));
        assertEquals(1, TrainCommand.localSlots("local"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TrainCommand.localSlots("yarn"));
        assertTrue(e.getMessage().contains("expected local[N] or spark://HOST:PORT"), e.getMessage());
    }
}
