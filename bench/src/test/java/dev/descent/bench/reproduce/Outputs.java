// Assertions on the files an experiment writes: CSV rows, PNG signatures, report sections.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Checks shared by the quick-mode tests of the four experiments. */
final class Outputs {
    private Outputs() {}

    /** The CSV's rows (header excluded) as split cells, after checking the header. */
    static List<String[]> csv(Path file, String header) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals(header, lines.getFirst(), "header of " + file.getFileName());
        int width = header.split(",", -1).length;
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
        for (String[] r : rows) assertEquals(width, r.length, file.getFileName() + " row " + Arrays.toString(r));
        return rows;
    }

    /** Asserts each file is a PNG. */
    static void pngs(Path dir, String... names) throws IOException {
        for (String n : names) {
            Path f = dir.resolve(n);
            assertTrue(Files.isRegularFile(f), "missing plot " + n);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(f), 4), n + " is not a PNG");
        }
    }

    /** The report, after checking the parts every quick report must have. */
    static String quickReport(Path dir) throws IOException {
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains(Report.QUICK_NOTICE), "a quick report must say it claims nothing:\n" + md);
        for (String s : List.of("## Setup", "## Verdicts", "## Provenance", "- **wall time**: ", "- **processors**: ", "- **Java**: ")) {
            assertTrue(md.contains(s), "report lacks '" + s + "':\n" + md);
        }
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("/report.md)"), "summary.md must link the report");
        return md;
    }

    /** The verdict lines of a report. */
    static List<String> verdictLines(String md) {
        String section = md.substring(md.indexOf("## Verdicts"), md.indexOf("## Files"));
        return section.lines().filter(l -> l.startsWith("- **")).toList();
    }
}
