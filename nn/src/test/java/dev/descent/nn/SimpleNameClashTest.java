package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A model file starts with {@code import dev.descent.core.*; import dev.descent.core.ops.*; import dev.descent.nn.*;}:
 * no simple name may then be ambiguous, between these packages or with {@code java.lang} (imported by every file),
 * except the one clash decided and documented (DEVELOPERS.md): {@code Module}, which a single-type import settles.
 */
class SimpleNameClashTest {
    static final List<Path> PACKAGES = List.of(Path.of("..", "core", "src", "main", "java", "dev", "descent", "core"),
            Path.of("..", "core", "src", "main", "java", "dev", "descent", "core", "ops"),
            Path.of("..", "core", "src", "main", "java", "dev", "descent", "core", "autograd"),
            Path.of("src", "main", "java", "dev", "descent", "nn"));

    /** The documented exception: dev.descent.nn.Module, as PyTorch names it, beside java.lang.Module. */
    static final Map<String, String> ALLOWED_JAVA_LANG = Map.of("Module", "dev.descent.nn");

    @Test
    void noSimpleNameIsAmbiguousUnderStarImports() throws IOException {
        Map<String, List<String>> owners = new TreeMap<>();
        for (Path dir : PACKAGES) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String name = f.getFileName().toString().replace(".java", "");
                    if (name.equals("package-info") || name.equals("module-info")) continue;
                    owners.computeIfAbsent(name, k -> new ArrayList<>()).add(dir.getFileName().toString());
                }
            }
        }
        TreeSet<String> clashes = new TreeSet<>();
        owners.forEach((name, in) -> {
            if (in.size() > 1) clashes.add(name + " in " + in);
            if (!in.isEmpty() && inJavaLang(name) && !in.contains(ALLOWED_JAVA_LANG.getOrDefault(name, "").replace("dev.descent.", ""))) {
                clashes.add(name + " in " + in + " and java.lang");
            }
        });
        assertEquals(new TreeSet<>(), clashes, "simple names that star imports make ambiguous");
    }

    private static boolean inJavaLang(String name) {
        try {
            Class.forName("java.lang." + name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
