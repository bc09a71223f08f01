package dev.descent.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The inference kernels (core, nn, onnx) name no float species but {@link Vectors#F}. A second one anywhere in the
 * process makes the Vector API's shared call profiles bimorphic, and C2 then boxes the vectors of any kernel whose
 * vector calls it inlines late: M-LSD allocated 27.8 MB a run instead of 2.7 once a 256-bit tail copy in the
 * convolutions had run beside its 512-bit kernels (docs/benchmarks.md). A source scan, so the rule cannot slip back in.
 */
class OneFloatSpeciesTest {
    private static final Pattern OTHER_SPECIES = Pattern.compile("FloatVector\\.SPECIES_|VectorSpecies\\.of\\(float\\.class");

    @Test
    void onlyVectorsNamesAFloatSpecies() {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> modules = Stream.of("core", "nn", "onnx").map(m -> root.resolve(m).resolve("src/main/java")).filter(Files::isDirectory).toList();
        assertTrue(modules.contains(root.resolve("core/src/main/java")), "run from the core module: " + root);
        List<String> offenders = new ArrayList<>();
        int defining = 0;
        for (Path dir : modules) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (!OTHER_SPECIES.matcher(lines.get(i)).find()) continue;
                        if (f.getFileName().toString().equals("Vectors.java")) defining++;
                        else offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(1, defining, "Vectors.F should be the one definition");
        assertEquals(List.of(), offenders, "use Vectors.F (or a species taken from it) instead");
    }
}
