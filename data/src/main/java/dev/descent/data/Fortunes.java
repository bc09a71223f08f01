package dev.descent.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's {@code fortunes} package as one text: the plain fortune files of a folder (by default
 * {@code /usr/share/games/fortunes}, where {@code apt-get install fortunes} puts them), concatenated in the
 * order of their names, so the text is the same on every machine with the same package version. It is the
 * default corpus of the text models, as Fashion-MNIST is for images.
 *
 * <p>Read are the regular files directly in the folder, except the {@code .dat} indexes (binary, written by
 * {@code strfile}) and the {@code .u8} names: Debian ships {@code NAME.u8} as a symbolic link to {@code NAME},
 * so reading it would count the same fortunes twice; symbolic links are skipped for the same reason, and
 * sub-folders (such as an {@code off} folder of other packages) are not entered. The {@code %} lines that
 * separate fortunes stay in the text: a model learns where a fortune ends.
 */
public final class Fortunes {
    private Fortunes() {}

    /** Where the Debian package installs the fortune files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/games/fortunes");

    /**
     * Whether the Debian package's files are there.
     *
     * @return true when {@link #SYSTEM_DIR} holds at least one fortune file
     * @throws IOException when the folder exists but cannot be listed
     */
    public static boolean installed() throws IOException {
        return Files.isDirectory(SYSTEM_DIR) && !files(SYSTEM_DIR).isEmpty();
    }

    /**
     * The fortune files of {@code dir}, in the order of their names (compared as strings).
     *
     * @param dir a folder of fortune files
     * @return the regular files, without {@code .dat}, {@code .u8} and symbolic links
     * @throws IOException when the folder cannot be listed
     */
    public static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.comparing(q -> q.getFileName().toString()))::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".dat") || n.endsWith(".u8") || n.startsWith(".")) continue;
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The concatenated text of the fortune files of {@code dir}.
     *
     * @param dir a folder of fortune files
     * @return their text, in the order of {@link #files}
     * @throws IllegalArgumentException when the folder holds no fortune file
     * @throws DataFileException naming a file that is empty or not UTF-8
     * @throws IOException when a file cannot be read
     */
    public static String text(Path dir) throws IOException {
        List<Path> files = files(dir);
        if (files.isEmpty()) throw new IllegalArgumentException("no fortune files in " + dir + " (apt-get install fortunes puts them in " + SYSTEM_DIR + ")");
        return TextFiles.readAll(files);
    }
}
