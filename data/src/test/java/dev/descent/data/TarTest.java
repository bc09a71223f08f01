package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar reader and writer, checked against each other and against the system's GNU tar where present. */
class TarTest {
    @TempDir
    Path dir;

    private static Map<String, byte[]> readAll(Path archive, boolean gz) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(archive); InputStream in = gz ? new GzipInput(raw, archive) : raw) {
            TarInput tar = new TarInput(in, archive, gz, gz ? -1 : Files.size(archive));
            TarInput.Member m;
            while ((m = tar.next()) != null) {
                byte[] b = tar.content().readAllBytes();
                assertEquals(m.size(), b.length);
                out.put(m.name(), b);
            }
            assertNull(tar.next());
        }
        return out;
    }

    private static Map<String, byte[]> sampleFiles() {
        SplittableRandom rng = new SplittableRandom(8);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("top/empty.bin", new byte[0]);
        files.put("top/block.bin", new byte[512]);
        byte[] odd = new byte[1000];
        rng.nextBytes(odd);
        files.put("top/odd.bin", odd);
        String deep = "top/" + "d".repeat(60) + "/" + "e".repeat(60) + "/file-with-a-long-name.txt";
        files.put(deep, "deep\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** 20,000 empty members once allocated a header block and two 8 KiB skip buffers each: some 330 MiB of garbage. */
    @Test
    void walkingAnArchiveOfManySmallMembersAllocatesLittle() throws IOException {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int members = 20_000;
        for (boolean gz : new boolean[] {false, true}) {
            Path archive = dir.resolve(gz ? "many.tar.gz" : "many.tar");
            DataFiles.write(archive, gz, out -> {
                TarOutput tar = new TarOutput(out);
                for (int i = 0; i < members; i++) {
                    boolean oneByte = i % 3 == 0;
                    tar.file("top/" + i + ".bin", oneByte ? 1 : 0, o -> {
                        if (oneByte) o.write(7);
                    });
                }
                tar.finish();
            });
            long before = mx.getCurrentThreadAllocatedBytes();
            int seen = 0;
            try (InputStream raw = Files.newInputStream(archive); InputStream in = gz ? new GzipInput(raw, archive) : raw) {
                TarInput tar = new TarInput(in, archive, gz, gz ? -1 : Files.size(archive));
                while (tar.next() != null) seen++;
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(members, seen);
            assertTrue(allocated < 16 << 20, (gz ? "gzip: " : "plain: ") + "allocated " + allocated + " bytes walking " + members + " members");
        }
    }

    @Test
    void writerOutputReadsBackMemberByMember() throws IOException {
        Map<String, byte[]> files = sampleFiles();
        for (boolean gz : new boolean[] {false, true}) {
            Path archive = dir.resolve(gz ? "a.tar.gz" : "a.tar");
            DataFiles.write(archive, gz, out -> {
                TarOutput tar = new TarOutput(out);
                tar.directory("top/");
                for (var e : files.entrySet()) tar.file(e.getKey(), e.getValue().length, o -> o.write(e.getValue()));
                tar.finish();
            });
            if (!gz) assertEquals(0, Files.size(archive) % 10240, "padded to whole 10 KiB records like tar");
            Map<String, byte[]> back = readAll(archive, gz);
            assertEquals(List.copyOf(files.keySet()), List.copyOf(back.keySet()));
            for (String k : files.keySet()) assertArrayEquals(files.get(k), back.get(k), k);
        }
    }

    @Test
    void headersWithBadChecksumsOrMissingEndMarkersAreRejected() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TarOutput tar = new TarOutput(b);
        tar.file("x.bin", 3, o -> o.write(new byte[] {1, 2, 3}));
        tar.finish();
        byte[] good = b.toByteArray();
        Path f = dir.resolve("t.tar");

        byte[] flipped = good.clone();
        flipped[10] ^= 4; // inside the name: the checksum no longer matches
        Files.write(f, flipped);
        DataFileException e = assertThrows(DataFileException.class, () -> readAll(f, false));
        assertEquals(148, e.offset());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        Files.write(f, Arrays.copyOf(good, 1024)); // header and data, no end-of-archive marker
        e = assertThrows(DataFileException.class, () -> readAll(f, false));
        assertEquals(1024, e.offset());

        byte[] trailing = good.clone();
        trailing[good.length - 1] = 9;
        Files.write(f, trailing);
        e = assertThrows(DataFileException.class, () -> readAll(f, false));
        assertEquals(good.length - 1, e.offset());
        assertTrue(e.getMessage().contains("zero padding"), e.getMessage());

        byte[] big = good.clone();
        byte[] size = "77777777777".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, big, 124, 11);
        fixChecksum(big, 0);
        Files.write(f, big);
        e = assertThrows(DataFileException.class, () -> readAll(f, false));
        assertEquals(124, e.offset());
        assertTrue(e.getMessage().contains("member size within"), e.getMessage());
    }

    private static void fixChecksum(byte[] b, int at) {
        Arrays.fill(b, at + 148, at + 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += b[at + i] & 0xff;
        byte[] s = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, at + 148, 8);
    }

    private static boolean haveTar() {
        try {
            return new ProcessBuilder("tar", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void run(Path cwd, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** Archives made by GNU tar in its three formats (ustar, gnu with long names, pax) read back exactly. */
    @Test
    void readsArchivesMadeByGnuTar() throws IOException, InterruptedException {
        assumeTrue(haveTar(), "no tar command on this machine");
        Map<String, byte[]> files = sampleFiles();
        Path src = dir.resolve("src");
        for (var e : files.entrySet()) {
            Files.createDirectories(src.resolve(e.getKey()).getParent());
            Files.write(src.resolve(e.getKey()), e.getValue());
        }
        for (String format : List.of("gnu", "pax", "ustar")) {
            Path archive = dir.resolve(format + ".tar.gz");
            run(src, "tar", "--format=" + format, "-czf", archive.toString(), "top");
            Map<String, byte[]> back = readAll(archive, true);
            for (String k : files.keySet()) assertArrayEquals(files.get(k), back.get(k), format + ": " + k);
            assertEquals(files.size(), back.size(), format + ": regular files only");
        }
    }

    /** GNU tar lists and extracts what our CIFAR writer archives, in the official layout. */
    @Test
    void gnuTarReadsOurCifarArchive() throws IOException, InterruptedException {
        assumeTrue(haveTar(), "no tar command on this machine");
        SplittableRandom rng = new SplittableRandom(9);
        ImageDataset train = SampleImages.cifar(10, 10, rng), test = SampleImages.cifar(2, 10, rng);
        Path archive = dir.resolve(Cifar10.ARCHIVE), folder = dir.resolve("folder");
        Cifar10.write(archive, train, test);
        Cifar10.write(folder, train, test);
        Process p = new ProcessBuilder("tar", "-tzf", archive.toString()).redirectErrorStream(true).start();
        List<String> listed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().sorted().toList();
        assertEquals(0, p.waitFor());
        List<String> expected = new ArrayList<>(List.of("cifar-10-batches-bin/", "cifar-10-batches-bin/batches.meta.txt", "cifar-10-batches-bin/readme.html",
                "cifar-10-batches-bin/test_batch.bin"));
        for (int k = 1; k <= 5; k++) expected.add("cifar-10-batches-bin/data_batch_" + k + ".bin");
        assertEquals(expected.stream().sorted().toList(), listed);
        Path out = Files.createDirectories(dir.resolve("extracted"));
        run(out, "tar", "-xzf", archive.toString());
        try (var s = Files.list(folder)) {
            for (Path f : s.toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out.resolve("cifar-10-batches-bin").resolve(f.getFileName())), f.toString());
            }
        }
        // and an archive GNU tar makes from the extracted folder loads like ours
        Path gnu = dir.resolve("gnu.tar.gz");
        run(out, "tar", "-czf", gnu.toString(), "cifar-10-batches-bin");
        assertTrue(Cifar10.train(gnu).contentEquals(train));
        assertTrue(Cifar10.test(gnu).contentEquals(test));
    }
}
