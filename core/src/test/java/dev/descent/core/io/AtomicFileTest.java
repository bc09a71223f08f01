package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
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
}
