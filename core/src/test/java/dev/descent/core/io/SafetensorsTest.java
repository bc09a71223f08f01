package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample(SplittableRandom rng) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.randn(rng, 4, 3, 3, 3));
        m.put("conv.bias", Tensor.randn(DType.FLOAT64, rng, 4));
        m.put("steps", Tensor.of(new long[] {7, -3, Long.MAX_VALUE}));
        m.put("mask", Tensor.of(new boolean[] {true, false, true}));
        m.put("scalar", Tensor.of(2.5f));
        m.put("empty", Tensor.zeros(0, 5));
        m.put("strided", Tensor.randn(rng, 3, 4).transpose(0, 1));
        m.put("half", Tensor.randn(rng, 2, 3).to(DType.FLOAT16));
        m.put("brain", Tensor.randn(rng, 3, 2).to(DType.BFLOAT16).transpose(0, 1));
        m.put("int8", Tensor.of(new long[] {-128, -1, 0, 127}).to(DType.INT8));
        m.put("uint8", Tensor.of(new long[] {0, 128, 255}).to(DType.UINT8));
        m.put("int32", Tensor.of(new long[] {Integer.MIN_VALUE, 5, Integer.MAX_VALUE}).to(DType.INT32));
        return m;
    }

    @Test
    void metadataWithoutAnOrderIsWrittenSortedSoTheSameContentGivesTheSameBytes() throws IOException {
        Map<String, String> unordered = new java.util.HashMap<>();
        for (String k : List.of("zeta", "alpha", "mu", "beta", "omega", "kappa")) unordered.put(k, k.toUpperCase());
        Path a = dir.resolve("unordered.safetensors"), b = dir.resolve("sorted.safetensors"), c = dir.resolve("kept.safetensors");
        Safetensors.save(Map.of("t", Tensor.ones(2)), unordered, a);
        Safetensors.save(Map.of("t", Tensor.ones(2)), new java.util.TreeMap<>(unordered), b);
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a), "a map without an order is written as if sorted by key");
        assertEquals(List.of("alpha", "beta", "kappa", "mu", "omega", "zeta"), List.copyOf(Safetensors.load(a).metadata().keySet()));
        Map<String, String> inserted = new LinkedHashMap<>();
        inserted.put("zeta", "1");
        inserted.put("alpha", "2");
        Safetensors.save(Map.of("t", Tensor.ones(2)), inserted, c);
        assertEquals(List.of("zeta", "alpha"), List.copyOf(Safetensors.load(c).metadata().keySet()), "a LinkedHashMap keeps its order");
    }

    @Test
    void roundTripKeepsNamesOrderDtypesShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> in = sample(new SplittableRandom(1));
        Path f = dir.resolve("m.safetensors");
        Safetensors.save(in, Map.of("format", "pt", "note", "\"quoted\"\n"), f);
        Safetensors.Contents out = Safetensors.load(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()));
        for (String k : in.keySet()) assertTrue(in.get(k).contentEquals(out.tensors().get(k)), k);
        assertEquals("\"quoted\"\n", out.metadata().get("note"));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
    }

    /** A file laid out byte by byte from the format's specification, independent of our writer. */
    @Test
    void readsAFileLaidOutByHandFromTheSpecification() throws IOException {
        String header = "{\"__metadata__\":{\"framework\":\"hand\"},\"b\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        bytes.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        bytes.write(h);
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(-2f).putFloat(3.5f).putFloat(0.25f).putDouble(Math.PI);
        bytes.write(data.array());
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, bytes.toByteArray());
        Safetensors.Contents c = Safetensors.load(f);
        assertArrayEquals(new float[] {1f, -2f, 3.5f, 0.25f}, c.tensors().get("a").toFloatArray());
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("a").shape());
        assertEquals(Math.PI, c.tensors().get("b").item());
        assertEquals("hand", c.metadata().get("framework"));
    }

    /** Our writer's bytes, checked against the specification by hand: length prefix, JSON, little-endian data. */
    @Test
    void writesTheSpecifiedLayout() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(new float[] {1.5f, -1f}));
        m.put("y", Tensor.of(new long[] {258}));
        Safetensors.save(m, f);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        String json = new String(b, 8, n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}", json);
        assertEquals(8 + n + 16, b.length);
        assertEquals(1.5f, bb.getFloat(8 + n));
        assertEquals(-1f, bb.getFloat(8 + n + 4));
        assertEquals(258L, bb.getLong(8 + n + 8));
        assertEquals(2, b[8 + n + 8]); // little-endian: low byte first
    }

    @Test
    void errorsNameTheFileTheOffsetAndWhatWasExpected() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains("byte 0"), e.getMessage());
        String header = "{\"a\":{\"dtype\":\"F8_E5M2\",\"shape\":[1],\"data_offsets\":[0,1]}}"; // an 8-bit float: not read
        write(f, header, new byte[1]);
        e = assertThrows(FileFormatException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("F8_E5M2"), e.getMessage());
        write(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        e = assertThrows(FileFormatException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("12 bytes") && e.getMessage().contains("8 bytes"), e.getMessage());
        write(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]);
        e = assertThrows(FileFormatException.class, () -> Safetensors.load(f));
        assertTrue(e.getMessage().contains("extra bytes"), e.getMessage());
        write(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThrows(FileFormatException.class, () -> Safetensors.load(f));
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntact() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        Safetensors.save(Map.of("a", Tensor.ones(3)), f);
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("a", Tensor.ones(3));
        bad.put("__metadata__", Tensor.ones(1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.save(bad, f));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
    }

    private static void write(Path f, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(f, b.array());
    }

    /**
     * Random damage to a valid file, drawn as a short list of {@link Damage}s so that a failure
     * shrinks to a small case: loading either returns exactly the original tensors, or throws
     * FileFormatException; never another exception, never an allocation far beyond the file's size.
     */
    @Test
    void corruptedFilesLoadIdenticallyOrFailWithAFormatError() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Map<String, Tensor> original = sample(new SplittableRandom(3));
        Safetensors.save(original, good);
        byte[] bytes = Files.readAllBytes(good);
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        qt().withExamples(400).forAll(Damage.some(bytes)).checkAssert(damages -> {
            byte[] damaged = Damage.apply(bytes, damages);
            Path f = dir.resolve("damaged.safetensors");
            String what = "a file damaged by " + damages;
            try {
                Files.write(f, damaged);
                long before = mx.getCurrentThreadAllocatedBytes();
                boolean unchanged = java.util.Arrays.equals(bytes, damaged);
                boolean dataOnly = damaged.length == bytes.length && java.util.Arrays.equals(bytes, 0, headerEnd, damaged, 0, headerEnd);
                try {
                    Safetensors.Contents c = Safetensors.load(f);
                    if (unchanged) {
                        for (String k : original.keySet()) assertTrue(original.get(k).contentEquals(c.tensors().get(k)), k);
                    } else if (dataOnly) {
                        // Damage inside tensor data leaves a valid file: same names and shapes, values differ only where bytes differ.
                        assertEquals(original.keySet(), c.tensors().keySet(), what);
                        Path again = dir.resolve("again.safetensors");
                        Safetensors.save(c.tensors(), again);
                        byte[] back = Files.readAllBytes(again);
                        Files.delete(again);
                        assertArrayEquals(damaged, back, "re-saving what was loaded reproduces the damaged file's bytes: " + what);
                    }
                } catch (FileFormatException expected) {
                    assertTrue(!unchanged, "an undamaged file was rejected: " + expected.getMessage());
                    assertTrue(expected.getMessage().contains(f.getFileName().toString()), expected.getMessage() + " (" + what + ")");
                } catch (Exception other) {
                    fail("loading " + what + " threw " + other, other);
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 16L * damaged.length + (4 << 20), "allocated " + allocated + " bytes for a file of " + damaged.length + ": " + what);
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            } finally {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // temp dir cleanup handles it
                }
            }
        });
    }

    /** A header of {@code count} empty F32 tensors named {@code prefix}0, {@code prefix}1, ...: about the most tensors a header of its size can list. */
    private static String emptyTensors(int count, String prefix) {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            h.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return h.append('}').toString();
    }

    /**
     * Header amplification: a file of nothing but empty tensors (some 55 header bytes each) costs a bounded multiple
     * of its size, and one listing more than {@link Safetensors#MAX_TENSORS} is refused with the offset of the first
     * tensor too many. Before the bound, 100,000 empty tensors (5.8 MB) allocated 160 MB, holding the whole JSON tree.
     */
    @Test
    void headersOfManyEmptyTensorsCostABoundedMultipleOfTheirSizeAndTooManyAreRefused() throws IOException {
        for (int count : new int[] {Safetensors.MAX_TENSORS, Safetensors.MAX_TENSORS + 1, 100_000}) emptyTensorsProperty(count, 1);
        qt().withExamples(12).forAll(integers().between(0, 17), integers().between(1, 40)).checkAssert((log, nameLength) ->
                emptyTensorsProperty((int) Math.min(100_000, Math.round(Math.pow(2, log) * (1 + (log + nameLength) % 3 / 4.0))), nameLength));
    }

    private void emptyTensorsProperty(int count, int nameLength) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path f = dir.resolve("empty-" + count + ".safetensors");
        try {
            write(f, emptyTensors(count, "t".repeat(nameLength)), new byte[0]);
            long size = Files.size(f);
            long before = mx.getCurrentThreadAllocatedBytes();
            try {
                Safetensors.Contents c = Safetensors.load(f);
                assertTrue(count <= Safetensors.MAX_TENSORS, count + " tensors were accepted");
                assertEquals(count, c.tensors().size());
            } catch (FileFormatException e) {
                assertTrue(count > Safetensors.MAX_TENSORS, e.getMessage());
                // the quote of the first name too many: the header of MAX_TENSORS tensors has its '}' where the comma is
                int at = 8 + emptyTensors(Safetensors.MAX_TENSORS, "t".repeat(nameLength)).length();
                assertEquals(f + ": at byte " + at + ": expected at most " + Safetensors.MAX_TENSORS + " tensors, found more", e.getMessage());
            } catch (IOException other) {
                fail(other);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 20 * size + (4 << 20), count + " tensors: allocated " + allocated + " bytes for a file of " + size);
            Files.delete(f);
        } catch (IOException io) {
            throw new java.io.UncheckedIOException(io);
        }
    }
}
