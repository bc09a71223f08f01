// The reproduce command line: bad input exits with code 2 and a message; the index links the reports.
package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.ReproductionIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent reproduce}'s options and the generated index of a reproductions folder. */
class ReproduceCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnExperimentOrWithAnUnknownOneItExitsWithTwo() {
        CommandRun none = CommandRun.of("reproduce");
        assertEquals(2, none.code(), none.all());
        assertTrue(none.err().contains("name an experiment"), none.err());
        CommandRun unknown = CommandRun.of("reproduce", "nonsense");
        assertEquals(2, unknown.code(), unknown.all());
    }

    @Test
    void badValuesExitWithTwoNamingTheOptionAndTheValue() {
        // {option, value, arguments}
        for (String[][] c : new String[][][] {
            {{"--lrs", "-1"}, {"reproduce", "erm", "--quick", "--lrs", "-1", "--out", dir.resolve("a").toString()}},
            {{"--student", "sine"}, {"reproduce", "unlearning", "--quick", "--student", "tanh,sine", "--out", dir.resolve("b").toString()}},
            {{"--output-scale", "cube"}, {"reproduce", "unlearning", "--quick", "--output-scale", "cube", "--out", dir.resolve("b").toString()}},
            {{"--all-params-variant", "both"}, {"reproduce", "sr-adam", "--quick", "--all-params-variant", "both", "--out", dir.resolve("c").toString()}},
            {{"--batch-sizes", "0"}, {"reproduce", "sr-adam", "--quick", "--batch-sizes", "16,0", "--out", dir.resolve("c").toString()}},
            {{"--milestone", "5"}, {"reproduce", "clipping", "--quick", "--milestone", "5", "--out", dir.resolve("d").toString()}},
            {{"--part", "everything"}, {"reproduce", "clipping", "--part", "everything", "--out", dir.resolve("e").toString()}},
            {{"--clip", "medium"}, {"reproduce", "clipping", "--quick", "--clip", "soft,medium", "--out", dir.resolve("f").toString()}},
            {{"--methods", "lion"}, {"reproduce", "sr-adam", "--quick", "--methods", "adam,lion", "--out", dir.resolve("h").toString()}},
            {{"--input-noises", "-1"}, {"reproduce", "sr-adam", "--quick", "--input-noises", "0.05,-1", "--out", dir.resolve("g").toString()}},
            {{"--baseline", "nosuch"}, {"reproduce", "sr-adam", "--quick", "--baseline", "lion,nosuch", "--out", dir.resolve("i").toString()}},
            {{"--baseline", "fast"}, {"reproduce", "clipping", "--quick", "--baseline", "lion:fast", "--out", dir.resolve("j").toString()}}}) {
            String option = c[0][0], value = c[0][1];
            CommandRun r = CommandRun.of(c[1]);
            assertEquals(2, r.code(), String.join(" ", c[1]) + "\n" + r.all());
            assertTrue(r.err().contains(option) && r.err().contains(value), "the message names " + option + " and " + value + ": " + r.err());
        }
    }

    @Test
    void srAdamWithABaselineByNameWritesItsRowsAndReportRow() throws Exception {
        Path out = dir.resolve("sr-baseline");
        CommandRun r = CommandRun.of("reproduce", "sr-adam", "--quick", "--methods", "adam", "--batch-sizes", "16", "--input-noises", "0.05", "--epochs", "1",
                "--baseline", "lion:1e-4", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("baselines lion"), r.out());
        assertEquals(1, Files.readAllLines(out.resolve("sr-adam-runs.csv")).stream().filter(l -> l.startsWith("baseline-lion,16,")).count());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| lion (baseline) |") && report.contains("(given)"), report);
    }

    @Test
    void anExperimentRunsEndToEndIntoItsFolder() throws Exception {
        Path out = dir.resolve("x4");
        CommandRun r = CommandRun.of("reproduce", "clipping", "--part", "x4", "--x4-starts", "3,10", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("  Reproduced — The x⁴ table"), r.out());
        for (String f : new String[] {"report.md", "summary.md", "clipping-x4.csv", "clipping-x4.png"}) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        assertEquals(5, Files.readAllLines(out.resolve("clipping-x4.csv")).size(), "a header and two rows per start");
        assertTrue(Files.readString(out.resolve("report.md")).contains("`descent reproduce clipping --part x4 --x4-starts 3,10 --out "), "the command is in the provenance");
    }

    @Test
    void theIndexLinksEachReportInTheIssuesOrder() throws Exception {
        for (String e : new String[] {"erm", "clipping", "other"}) {
            Files.createDirectories(dir.resolve(e));
            Files.writeString(dir.resolve(e).resolve("summary.md"), "[" + e + "](" + e + "/report.md): one line\n");
        }
        Files.createDirectories(dir.resolve("empty"));
        CommandRun r = CommandRun.of("reproduce", "index", dir.toString());
        assertEquals(0, r.code(), r.all());
        String md = Files.readString(dir.resolve("README.md"));
        int clipping = md.indexOf("- [clipping]"), erm = md.indexOf("- [erm]"), other = md.indexOf("- [other]");
        assertTrue(clipping > 0 && clipping < erm && erm < other, md);
        assertTrue(!md.contains("empty"), md);
    }

    @Test
    void theReadmesSummaryLinesAreThoseOfTheReproductions() throws Exception {
        Path root = Path.of("..");
        String readme = Files.readString(root.resolve("README.md"));
        int b = readme.indexOf(ReproductionIndex.BEGIN), e = readme.indexOf(ReproductionIndex.END);
        assertTrue(b >= 0 && e > b, "README.md has the reproductions markers");
        String block = readme.substring(readme.indexOf('\n', b) + 1, readme.lastIndexOf('\n', e) + 1);
        assertEquals(ReproductionIndex.readmeBlock(root.resolve("docs/reproductions"), "docs/reproductions"), block,
                "README.md's summaries differ from docs/reproductions/*/summary.md: run ./descent reproduce index docs/reproductions --readme README.md");
        assertEquals(ReproductionIndex.readme(root.resolve("docs/reproductions")), Files.readString(root.resolve("docs/reproductions/README.md")));
    }

    @Test
    void theIndexCommandRewritesTheReadmeBlockWithLinksFromTheReadme() throws Exception {
        Path reports = dir.resolve("docs").resolve("reproductions");
        Files.createDirectories(reports.resolve("unlearning"));
        Files.writeString(reports.resolve("unlearning").resolve("summary.md"),
                "[Feature unlearning](unlearning/report.md): claim (i) inconclusive ([docs/papers.md §2](../papers.md#2-x))\n");
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "- intro:\n  " + ReproductionIndex.BEGIN + "\n  - old line\n  " + ReproductionIndex.END + "\n- after\n");
        CommandRun r = CommandRun.of("reproduce", "index", reports.toString(), "--readme", readme.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals("- intro:\n  " + ReproductionIndex.BEGIN + "\n  - [Feature unlearning](docs/reproductions/unlearning/report.md): claim (i) inconclusive"
                + " ([docs/papers.md §2](docs/papers.md#2-x))\n  " + ReproductionIndex.END + "\n- after\n", Files.readString(readme));
    }
}
