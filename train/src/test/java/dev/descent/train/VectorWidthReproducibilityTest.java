package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Kernels;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Losses;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.GELU;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.optim.Adam;
import dev.descent.optim.ParamGroup;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Test;

/**
 * README's promise about vector widths: with {@code descent.vectorBits} pinned, a training run gives the same bits
 * whatever the JVM's own vector width. Two child JVMs run {@link #main} at pinned 256 bits, one with
 * {@code -XX:MaxVectorSize=32} (what an AVX2 CPU has), one with the machine's full width (512 bits on AVX-512);
 * their hashes must match. On a machine wider than 256 bits a third, unpinned run shows the width matters.
 */
class VectorWidthReproducibilityTest {

    /** A child JVM's report: {@code key=value} words on its last line. */
    record Report(Map<String, String> values) {
        String get(String key) {
            return values.get(key);
        }
    }

    static Report runChild(String... jvmOptions) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Ddescent.threads=2"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VectorWidthReproducibilityTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not end: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        List<String> lines = out.lines().filter(l -> l.startsWith("vectorBits=")).toList();
        assertEquals(1, lines.size(), out);
        Map<String, String> values = new LinkedHashMap<>();
        for (String word : lines.get(0).split(" ")) values.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        return new Report(values);
    }

    @Test
    void atPinned256BitsTheJvmsMaxVectorSizeChangesNoBit() throws Exception {
        Report narrow = runChild("-XX:MaxVectorSize=32", "-Ddescent.vectorBits=256");
        Report full = runChild("-Ddescent.vectorBits=256");
        assertEquals("256", narrow.get("preferredBits"), "-XX:MaxVectorSize=32 caps the JVM's vectors at 256 bits: " + narrow);
        assertEquals(Integer.toString(VectorShape.preferredShape().vectorBitSize()), full.get("preferredBits"), full.toString());
        for (Report r : List.of(narrow, full)) {
            assertEquals("256", r.get("vectorBits"), "the pinned width is honoured: " + r);
        }
        assertEquals(narrow.get("hash"), full.get("hash"), "same seed, threads and pinned width, different bits: " + narrow + " vs " + full);

        if (VectorShape.preferredShape().vectorBitSize() > 256) {
            Report unpinned = runChild();
            assertEquals(full.get("preferredBits"), unpinned.get("vectorBits"), "unpinned, the kernels take the JVM's width: " + unpinned);
            assertNotEquals(full.get("hash"), unpinned.get("hash"), "the workload's bits depend on the width (else this test proves nothing)");
        }
    }

    /**
     * The workload: six Adam steps of a small CNN with GELU, layer norm and tanh on random 12×12 images (SGEMM,
     * convolution, pooling, elementwise ops, reductions, exp/log/tanh, the Adam loop), then float64 ops; prints the
     * vector width and a SHA-256 of every loss, parameter and result. Small, because until the JIT has compiled them
     * the vector kernels run interpreted, many times slower than scalar code.
     *
     * @param args none
     */
    public static void main(String[] args) throws NoSuchAlgorithmException {
        var rng = new SplittableRandom(3);
        var model = new Sequential(
                new Conv2d(1, 4, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(4 * 6 * 6, 40, rng), new GELU(), new LayerNorm(40), new Tanh(), new Linear(40, 10, rng));
        var optimizer = new Adam(List.of(ParamGroup.of(model.parameters())), 1e-3);
        Tensor images = Tensor.randn(rng, 32, 1, 12, 12);
        long[] classes = new long[32];
        for (int i = 0; i < classes.length; i++) classes[i] = rng.nextInt(10);
        Tensor labels = Tensor.of(classes);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int step = 0; step < 6; step++) {
            Tensor loss = Losses.crossEntropy(model.forward(images), labels);
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
            digest(sha, loss);
        }
        for (Tensor p : model.parameters()) digest(sha, p);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, 37, 301);
        digest(sha, x.exp().sum(1));
        digest(sha, x.tanh().matmul(x.sigmoid().transpose(0, 1)));
        digest(sha, x.abs().add(1.0).log().logSoftmax(1).mean());
        System.out.println("vectorBits=" + Kernels.vectorBits() + " preferredBits=" + VectorShape.preferredShape().vectorBitSize() + " hash=" + HexFormat.of().formatHex(sha.digest()));
    }

    private static void digest(MessageDigest sha, Tensor t) {
        if (t.dtype() == DType.FLOAT64) {
            double[] d = t.toDoubleArray();
            ByteBuffer bb = ByteBuffer.allocate(8 * d.length);
            for (double v : d) bb.putLong(Double.doubleToRawLongBits(v));
            sha.update(bb.array());
        } else {
            float[] f = t.toFloatArray();
            ByteBuffer bb = ByteBuffer.allocate(4 * f.length);
            for (float v : f) bb.putInt(Float.floatToRawIntBits(v));
            sha.update(bb.array());
        }
    }
}
