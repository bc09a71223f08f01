package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** loadStateDict with a key mapping, strict and lenient: what is copied, what is reported, what is refused and left unchanged. */
class LenientLoadTest {

    private static Sequential net(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(3, 4, rng), new ReLU(), new Linear(4, 2, rng));
    }

    @Test
    void aPrefixedCheckpointLoadsThroughTheMapping() {
        Sequential source = net(1), target = net(2);
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> prefixed.put("module." + k, v));
        Module.LoadResult r = target.loadStateDict(prefixed, k -> k.replaceFirst("^module\\.", ""), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        source.stateDict().forEach((k, v) -> assertTrue(target.stateDict().get(k).contentEquals(v), k));
    }

    @Test
    void lenientLoadCopiesWhatMatchesAndReportsTheRest() {
        Sequential source = net(1), target = net(2);
        Map<String, Tensor> before = new LinkedHashMap<>();
        target.stateDict().forEach((k, v) -> before.put(k, v.clone()));
        Map<String, Tensor> partial = new LinkedHashMap<>(source.stateDict());
        partial.remove("2.bias");
        partial.put("head.extra", Tensor.zeros(3));
        partial.put("0.weight", source.stateDict().get("0.weight").to(DType.FLOAT64)); // another float dtype is converted
        Module.LoadResult r = target.loadStateDict(partial, k -> k, false);
        assertEquals(List.of("2.bias"), r.missingKeys());
        assertEquals(List.of("head.extra"), r.unexpectedKeys());
        assertTrue(target.stateDict().get("0.weight").contentEquals(source.stateDict().get("0.weight")));
        assertTrue(target.stateDict().get("2.bias").contentEquals(before.get("2.bias")), "missing entries are left as they were");
        IllegalArgumentException strict = assertThrows(IllegalArgumentException.class, () -> net(3).loadStateDict(partial, k -> k, true));
        assertTrue(strict.getMessage().contains("missing [2.bias]") && strict.getMessage().contains("unexpected [head.extra]"), strict.getMessage());
    }

    @Test
    void aShapeMismatchOrACollisionIsRefusedAndChangesNothing() {
        Sequential target = net(2);
        Map<String, Tensor> before = new LinkedHashMap<>();
        target.stateDict().forEach((k, v) -> before.put(k, v.clone()));
        Map<String, Tensor> bad = new LinkedHashMap<>(net(1).stateDict());
        bad.put("2.weight", Tensor.zeros(3, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(bad, k -> k, false));
        assertTrue(e.getMessage().contains("2.weight") && e.getMessage().contains("[3,4]") && e.getMessage().contains("[2,4]"), e.getMessage());
        before.forEach((k, v) -> assertTrue(target.stateDict().get(k).contentEquals(v), "unchanged: " + k));
        Map<String, Tensor> twice = new LinkedHashMap<>(net(1).stateDict());
        twice.put("copy.0.weight", twice.get("0.weight"));
        e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(twice, k -> k.replaceFirst("^copy\\.", ""), false));
        assertTrue(e.getMessage().contains("both map to '0.weight'"), e.getMessage());
        Map<String, Tensor> dropped = new LinkedHashMap<>(net(1).stateDict());
        dropped.put("num_batches_tracked", Tensor.zeros(1));
        Module.LoadResult r = target.loadStateDict(dropped, k -> k.equals("num_batches_tracked") ? null : k, true);
        assertTrue(r.unexpectedKeys().isEmpty(), "a key mapped to null is dropped");
    }

    @Test
    void aFileWithOtherNamesLoadsLeniently(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Sequential source = net(1), target = net(2);
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> renamed.put("encoder." + k, v));
        java.nio.file.Path f = dir.resolve("other.safetensors");
        dev.descent.core.io.Safetensors.save(renamed, Map.of(), f);
        Module.LoadResult r = target.load(f, k -> k.replaceFirst("^encoder\\.", ""), true);
        assertTrue(r.missingKeys().isEmpty());
        source.stateDict().forEach((k, v) -> assertTrue(target.stateDict().get(k).contentEquals(v), k));
        ModelFileException e = assertThrows(ModelFileException.class, () -> target.load(f, k -> k, true));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("unexpected [encoder.0.weight"), e.getMessage());
    }
}
