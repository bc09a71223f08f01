package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fortunes corpus: which files are read, in which order, and the installed package when it is there. */
class FortunesTest {
    @TempDir
    Path dir;

    @Test
    void readsThePlainFilesInNameOrderSkippingIndexesLinksAndFolders() throws IOException {
        Files.writeString(dir.resolve("zippy"), "Yow!\n%\n");
        Files.writeString(dir.resolve("art"), "Art.\n%\n");
        Files.write(dir.resolve("art.dat"), new byte[] {0, 0, 0, 2, (byte) 0xFF});
        Files.createSymbolicLink(dir.resolve("art.u8"), dir.resolve("art"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("zippy"));
        Files.createDirectory(dir.resolve("off"));
        Files.writeString(dir.resolve("off").resolve("rude"), "no\n");
        assertEquals(List.of(dir.resolve("art"), dir.resolve("zippy")), Fortunes.files(dir));
        assertEquals("Art.\n%\nYow!\n%\n", Fortunes.text(dir));
    }

    @Test
    void aFolderWithoutFortunesSaysWhereToGetThem() throws IOException {
        Files.write(dir.resolve("x.dat"), new byte[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fortunes.text(dir));
        assertEquals(true, e.getMessage().contains("apt-get install fortunes"), e.getMessage());
    }

    @Test
    void theInstalledPackageReadsAsUtf8TwiceAlike() throws IOException {
        assumeTrue(Fortunes.installed(), "fortunes not installed");
        String a = Fortunes.text(Fortunes.SYSTEM_DIR), b = Fortunes.text(Fortunes.SYSTEM_DIR);
        assertEquals(a, b);
        long plain = 0;
        for (Path p : Fortunes.files(Fortunes.SYSTEM_DIR)) plain += Files.size(p);
        assertEquals(plain, a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, "each file once, .u8 links not counted");
    }
}
