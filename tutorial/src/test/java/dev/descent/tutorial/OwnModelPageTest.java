package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.optim.AdamW;
import dev.descent.optim.ParamGroup;
import dev.descent.tutorial.docs.MarkdownIncludes;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/own-model.md: its example is {@link OwnModelExample}, compiled and run here (train, evaluate, save, load,
 * predict); the page's code blocks are what the include generator writes from it; and every call in the Descent
 * column of its PyTorch name table names a method that exists.
 */
class OwnModelPageTest {
    static final String PAGE = "docs/own-model.md";
    private static final Path ROOT = Tutorial.root();

    @Test
    void theExampleTrainsEvaluatesSavesLoadsAndPredicts(@TempDir Path dir) throws IOException {
        OwnModelExample.Result r = OwnModelExample.run(dir);
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"), r.parameterNames(),
                "the layers in fields are registered under the field names");
        assertEquals(List.of("dropout.seed", "dropout.calls"), List.copyOf(r.model().namedBuffers().keySet()));
        assertTrue(r.evaluation().accuracy() > 0.5, "test accuracy well above chance (10%): " + r.evaluation());
        assertTrue(r.restoredLogits().contentEquals(r.trainedLogits()), "the loaded model computes what the trained one does");
        assertTrue(Files.isRegularFile(dir.resolve("small-cnn.safetensors")));
    }

    @Test
    void thePageShowsExactlyTheExample() throws IOException {
        Path page = ROOT.resolve(PAGE);
        String committed = Files.readString(page);
        String regenerated = MarkdownIncludes.render(committed, p -> Files.readString(ROOT.resolve(p)), null);
        if (Boolean.getBoolean("descent.regenerate")) Files.writeString(page, regenerated);
        String difference = ChapterDocs.firstDifference(committed, regenerated);
        if (difference != null) {
            fail(PAGE + " differs from OwnModelExample's tagged regions " + difference
                    + "\nRun this test with -Ddescent.regenerate=true to rewrite the page's code blocks, and commit the result.");
        }
        assertEquals(List.of(), MarkdownIncludes.handWrittenCodeBlocks(committed), "java blocks the generator did not write");
    }

    /** The receivers the table's Descent column calls methods on. */
    static final Map<String, String> RECEIVERS = Map.ofEntries(Map.entry("x", "Tensor"), Map.entry("w", "Tensor"), Map.entry("loss", "Tensor"),
            Map.entry("logits", "Tensor"), Map.entry("model", "Module"), Map.entry("seq", "Sequential"), Map.entry("optimizer", "Optimizer"),
            Map.entry("loader", "DataLoader"), Map.entry("dataset", "Dataset"), Map.entry("b", "Batch"), Map.entry("criterion", "CrossEntropyLoss"));

    /** Where the table's class names are looked up. */
    static final List<String> PACKAGES = List.of("dev.descent.core", "dev.descent.core.autograd", "dev.descent.core.ops", "dev.descent.nn",
            "dev.descent.optim", "dev.descent.data", "dev.descent.train", "java.util");

    @Test
    void theNameTableNamesMethodsThatExist() throws IOException {
        List<String> rows = tableRows();
        assertTrue(rows.size() > 30, "the table has " + rows.size() + " rows");
        List<String> problems = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        Pattern code = Pattern.compile("`([^`]+)`");
        Pattern call = Pattern.compile("(?<![\\w.])([A-Za-z_]\\w*)\\.(\\w+)\\(");
        Pattern chained = Pattern.compile("\\)\\.(\\w+)\\(");
        Pattern constructor = Pattern.compile("\\bnew (\\w+)\\(");
        Pattern bare = Pattern.compile("(?<![\\w.])([a-z]\\w*)\\(");
        Pattern hyperparameter = Pattern.compile("\\.with\\(\"(\\w+)\"");
        for (String row : rows) {
            String[] cells = row.split("\\|");
            String descent = cells[2];
            Matcher spans = code.matcher(descent);
            while (spans.find()) {
                String span = spans.group(1);
                Matcher m = call.matcher(span);
                while (m.find()) {
                    String owner = m.group(1), method = m.group(2);
                    String type = Character.isUpperCase(owner.charAt(0)) ? owner : RECEIVERS.get(owner);
                    if (type == null) problems.add("unknown receiver '" + owner + "' in `" + span + "`");
                    else if (!hasMethod(type, method)) problems.add(type + " has no method " + method + " (`" + span + "`)");
                    else checked.add(type + "." + method);
                }
                Matcher c = chained.matcher(span);
                while (c.find()) if (!hasMethod("ParamGroup", c.group(1)) && !hasMethod("Tensor", c.group(1))) problems.add("no method " + c.group(1) + " to chain in `" + span + "`");
                Matcher n = constructor.matcher(span);
                while (n.find()) if (find(n.group(1)) == null) problems.add("no class " + n.group(1) + " (`" + span + "`)");
                Matcher b = bare.matcher(span);
                while (b.find()) if (!hasMethod("Module", b.group(1))) problems.add("Module has no method " + b.group(1) + " (`" + span + "`)");
                Matcher h = hyperparameter.matcher(span);
                while (h.find()) {
                    String key = h.group(1);
                    assertDoesNotThrow(() -> new AdamW(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))).with(key, 0.9))),
                            "AdamW rejects the table's hyperparameter " + key);
                }
            }
        }
        assertEquals(List.of(), problems);
        for (String expected : List.of("GradMode.noGrad", "DataLoader.batchesPerEpoch", "Module.stateDict", "Optimizer.zeroGrad", "Tensor.item",
                "Tensor.view", "Tensor.reshape", "Tensor.cat", "Tensor.argmax", "Sequential.add")) {
            assertTrue(checked.contains(expected), "the table should name " + expected + "; it checked " + checked);
        }
    }

    private static List<String> tableRows() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(PAGE));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("<!-- names:")) at = i;
        assertTrue(at >= 0, PAGE + " has no '<!-- names: …' marker above its table");
        List<String> rows = new ArrayList<>();
        for (int i = at + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() && rows.isEmpty()) continue;
            if (!l.startsWith("|")) break;
            if (l.startsWith("|---") || l.startsWith("| PyTorch |")) continue;
            rows.add(l);
        }
        return rows;
    }

    private static Class<?> find(String simpleName) {
        for (String p : PACKAGES) {
            try {
                return Class.forName(p + "." + simpleName);
            } catch (ClassNotFoundException e) {
                // next package
            }
        }
        return null;
    }

    private static boolean hasMethod(String type, String method) {
        Class<?> k = find(type);
        if (k == null) return false;
        for (Method m : k.getMethods()) if (m.getName().equals(method)) return true;
        for (Class<?> c = k; c != null; c = c.getSuperclass()) for (Method m : c.getDeclaredMethods()) if (m.getName().equals(method)) return true;
        return false;
    }
}
