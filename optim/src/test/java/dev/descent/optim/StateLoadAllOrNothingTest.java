package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
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
 * Loading an optimizer state is all or nothing: every entry of a state file is corrupted in turn (each value
 * that could break a rule: a flipped switch, negative and huge counts, NaN, infinite and negative reals, another
 * dtype); the load either succeeds, and the optimizer then holds exactly the file's state, or throws an exception
 * naming the file, and the optimizer's state is what it was before, bit for bit.
 */
class StateLoadAllOrNothingTest {
    @TempDir
    Path dir;

    @Test
    void aCorruptedStateFileChangesNothingOrLoadsExactly() throws IOException {
        for (StateTest.Setup setup : StateTest.SETUPS) {
            StateTest.Model source = StateTest.Model.init(7);
            Optimizer from = setup.build().apply(source);
            StateTest.train(source, from, 0, 3);
            Map<String, Tensor> state = from.stateDict();

            StateTest.Model targetModel = StateTest.Model.init(8);
            Optimizer target = setup.build().apply(targetModel);
            StateTest.train(targetModel, target, 0, 2);
            Path before = dir.resolve("before.safetensors");
            OptimizerState.save(target, before);
            byte[] beforeBytes = bytes(target);

            Path file = dir.resolve("corrupted.safetensors");
            String kind = from.getClass().getSimpleName();
            for (String key : state.keySet()) {
                for (Tensor bad : corruptions(state.get(key))) {
                    Map<String, Tensor> corrupted = new LinkedHashMap<>(state);
                    corrupted.put(key, bad);
                    Safetensors.save(corrupted, Map.of("descent.format", OptimizerState.FORMAT, "descent.optimizer", kind), file);
                    String what = setup.name() + ", " + key + " = " + bad;
                    try {
                        OptimizerState.load(target, file);
                    } catch (IllegalArgumentException | FileFormatException refused) {
                        assertTrue(refused.getMessage().contains(file.toString()), what + ": the message names the file: " + refused.getMessage());
                        assertArrayEquals(beforeBytes, bytes(target), what + ": a refused load changed the optimizer (" + refused.getMessage() + ")");
                        continue;
                    } catch (RuntimeException other) {
                        fail(what + ": threw " + other, other);
                    }
                    // accepted: the optimizer now holds exactly what the file says
                    assertArrayEquals(Files.readAllBytes(file), stateFile(target, kind), what + ": accepted, but the state is not the file's");
                    OptimizerState.load(target, before);
                    assertArrayEquals(beforeBytes, bytes(target), what + ": restoring the state before");
                }
            }
        }
    }

    /** Values that may break a rule, for an entry of this dtype; always one of another dtype. */
    private static List<Tensor> corruptions(Tensor t) {
        List<Tensor> out = new ArrayList<>();
        int[] shape = t.shape();
        switch (t.dtype()) {
            case BOOL -> {
                boolean[] b = t.toBooleanArray();
                for (int i = 0; i < b.length; i++) b[i] = !b[i];
                out.add(Tensor.of(b).reshape(shape));
            }
            case INT64 -> {
                for (long v : new long[] {-1, Long.MAX_VALUE, Long.MIN_VALUE, 1 << 20}) {
                    long[] a = new long[t.numel()];
                    java.util.Arrays.fill(a, v);
                    out.add(Tensor.of(a).reshape(shape));
                }
            }
            case FLOAT64, FLOAT32 -> {
                for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1.0, 0.0, 1e300}) out.add(Tensor.full(v, t.dtype(), shape));
            }
        }
        out.add(Tensor.zeros(t.dtype() == DType.FLOAT64 ? DType.INT64 : DType.FLOAT64, shape));
        return out;
    }

    /** The optimizer's state as the bytes of a state file. */
    private byte[] bytes(Optimizer opt) throws IOException {
        return stateFile(opt, opt.getClass().getSimpleName());
    }

    private byte[] stateFile(Optimizer opt, String kind) throws IOException {
        Path f = dir.resolve("snapshot.safetensors");
        Safetensors.save(opt.stateDict(), Map.of("descent.format", OptimizerState.FORMAT, "descent.optimizer", kind), f);
        return Files.readAllBytes(f);
    }
}
