package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real data, every CI run: Fashion-MNIST files, the default network, Adam, the loop.
 * One epoch on a stratified 10,000-image subset must land well above chance (10%).
 */
class FashionMnistTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultNetworkLearnsFashionMnistInOneShortEpoch() throws Exception {
        boolean installed = dev.descent.bench.ImageSource.fashionMnistInstalled();
        if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("Fashion-MNIST is not installed; .ci/run installs it with apt-get install dataset-fashion-mnist");
        }
        Assumptions.assumeTrue(installed, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Path out = dir.resolve("fmnist");
        CommandRun r = TrainCommandTest.run(List.of("train", "--data", "fashion-mnist", "--epochs", "1", "--train-subset", "10000",
                "--test-subset", "2000", "--batch-size", "64", "--out", out.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        double testAccuracy = Double.parseDouble(rows.get(1).split(",")[4]);
        assertTrue(testAccuracy > 0.80, "test accuracy after one epoch on 10k images: " + testAccuracy + "\n" + r.out());
    }
}
