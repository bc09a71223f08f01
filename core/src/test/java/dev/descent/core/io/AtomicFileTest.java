package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static void writeText(Path target, String text) throws IOException {
        AtomicFile.write(target, ch -> ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createsAndReplacesLeavingNoTemporaryFile() throws IOException {
        Path target = dir.resolve("sub").resolve("model.bin");
        writeText(target, "first");
        writeText(target, "second, longer");
        assertEquals("second, longer", Files.readString(target));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(List.of("model.bin"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("state.bin");
        writeText(target, "old");
        byte[] before = Files.readAllBytes(target);
        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", thrown.getMessage());
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("state.bin"), names());
    }

    @Test
    void aNewFileGetsThePermissionsOfAnyNewFileNotPrivateOnes() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX permissions only");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path atomic = dir.resolve("atomic");
        writeText(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    // ------------------------------------------------------------------ leftovers of killed writers

    /** Run in a child JVM: starts an atomic write of args[0], says so, and never finishes it (the test kills it). */
    public static final class HangingWriter {
        public static void main(String[] args) throws IOException {
            AtomicFile.write(Path.of(args[0]), ch -> {
                ch.write(ByteBuffer.wrap(new byte[4096]));
                System.out.println("writing");
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
        }
    }

    private static void age(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    }

    @Test
    void theTemporaryFileOfAWriterKilledMidWriteIsRemovedByTheNextWrite() throws IOException, InterruptedException {
        Path target = dir.resolve("model.safetensors");
        writeText(target, "old");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), HangingWriter.class.getName(), target.toString())
                .redirectErrorStream(true).start();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
            // while the writer lives its file is locked: even an old one stays
            List<String> during = names();
            assertEquals(2, during.size(), during.toString());
            Path tmp = dir.resolve(during.get(0));
            age(tmp);
            writeText(dir.resolve("model.safetensors"), "new");
            assertTrue(Files.exists(tmp), "the file of a live writer was removed");
            child.destroyForcibly();                                    // SIGKILL: no finally block runs
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(tmp), "kill -9 leaves the temporary file");
            age(tmp);
        } finally {
            child.destroyForcibly();
        }
        writeText(target, "newer");
        assertEquals(List.of("model.safetensors"), names());
        assertEquals("newer", Files.readString(target));
    }

    @Test
    void onlyUnlockedOldFilesNamedExactlyAsOurTemporariesForThatTargetAreRemoved() throws IOException {
        Path target = dir.resolve("state.json");
        List<String> stale = List.of(".state.json.1a2b3c.tmp", ".state.json.0.tmp", ".state.json.ffffffffffffffff.tmp");
        List<String> kept = List.of(".state.json.1A2B.tmp", ".state.json..tmp", ".state.json.1ffffffffffffffff.tmp", ".state.json.12.tmp.bak",
                ".state.json.xyz.tmp", ".other.json.12ab.tmp", "state.json.12ab.tmp", ".state.json.12ab.tmp~", ".state.json.young.tmp");
        for (String n : stale) age(Files.writeString(dir.resolve(n), "left over"));
        for (String n : kept) age(Files.writeString(dir.resolve(n), "not ours"));
        Path young = Files.writeString(dir.resolve(".state.json.abc.tmp"), "just created by a writer that has not locked it yet");
        Path locked = dir.resolve(".state.json.def.tmp");
        age(Files.writeString(locked, "being written"));
        try (var ch = FileChannel.open(locked, StandardOpenOption.WRITE); var lock = ch.lock()) {
            age(locked);
            writeText(target, "{}");
        }
        List<String> left = new ArrayList<>(kept);
        left.addAll(List.of(young.getFileName().toString(), locked.getFileName().toString(), "state.json"));
        assertEquals(left.stream().sorted().toList(), names());
    }
}
