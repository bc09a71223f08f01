package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.Safetensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A float32 model loads weights saved in float16 or bfloat16 (as PyTorch's {@code load_state_dict} converts). */
class HalfPrecisionLoadTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> halved(Module m, DType half) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) out.put(e.getKey(), e.getValue().detach().to(half));
        return out;
    }

    @Test
    void halfPrecisionFilesLoadIntoAFloat32ModelRoundedOnce() throws Exception {
        for (DType half : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            Sequential source = new Sequential(new Linear(4, 3, new SplittableRandom(1)), new ReLU(), new Linear(3, 2, new SplittableRandom(2)));
            Map<String, Tensor> state = halved(source, half);
            Path file = dir.resolve(half + ".safetensors");
            Safetensors.save(state, file);
            Sequential target = new Sequential(new Linear(4, 3, new SplittableRandom(3)), new ReLU(), new Linear(3, 2, new SplittableRandom(4)));
            target.load(file);
            for (Map.Entry<String, Tensor> e : target.stateDict().entrySet()) {
                assertEquals(DType.FLOAT32, e.getValue().dtype(), e.getKey());
                // each weight is the source's float32 value rounded to the half dtype, then widened exactly
                assertTrue(e.getValue().contentEquals(source.stateDict().get(e.getKey()).to(half).to(DType.FLOAT32)), half + " " + e.getKey());
            }
            Sequential lenient = new Sequential(new Linear(4, 3, new SplittableRandom(5)), new ReLU(), new Linear(3, 2, new SplittableRandom(6)));
            lenient.load(file, k -> k, true);
            assertTrue(lenient.stateDict().get("0.weight").contentEquals(target.stateDict().get("0.weight")));
        }
    }

    @Test
    void aFloatFileForAnIntegerBufferIsStillRefused() throws Exception {
        Sequential m = new Sequential(new Linear(2, 2, new SplittableRandom(1)));
        Map<String, Tensor> state = new LinkedHashMap<>(halved(m, DType.FLOAT16));
        state.put("0.weight", Tensor.zeros(DType.INT32, 2, 2));
        Path file = dir.resolve("bad.safetensors");
        Safetensors.save(state, file);
        ModelFileException e = assertThrows(ModelFileException.class, () -> m.load(file));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("INT32"), e.getMessage());
    }
}
