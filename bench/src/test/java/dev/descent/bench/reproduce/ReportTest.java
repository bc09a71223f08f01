// Unit tests of the report writer, the CSV table, verdicts and statistics.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces every report is built from: Markdown tables and verdict lines, CSV cells, fitted slopes. */
class ReportTest {
    @Test
    void tablesEscapePipesAndRejectRowsOfTheWrongWidth() {
        Report r = new Report("T", false).table(List.of("a", "b"), List.of(List.of("x|y", "2")));
        assertTrue(r.markdown().contains("| a | b |\n|---|---|\n| x\\|y | 2 |\n"), r.markdown());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Report("T", false).table(List.of("a", "b"), List.of(List.of("1"))));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
    }

    @Test
    void aVerdictLineNamesOutcomeClaimCriterionAndEvidence() {
        Verdict v = new Verdict("X beats Y.", "mean X − mean Y ≥ 0.5.", Verdict.Outcome.NOT_REPRODUCED, "X 1.0, Y 0.9.");
        assertEquals("- **Not reproduced** — X beats Y. *Criterion:* mean X − mean Y ≥ 0.5. *Measured:* X 1.0, Y 0.9.", v.markdown());
        assertThrows(IllegalArgumentException.class, () -> new Verdict("X.", " ", Verdict.Outcome.REPRODUCED, "e"));
        assertEquals(Verdict.Outcome.REPRODUCED, Verdict.Outcome.of(true));
    }

    @Test
    void provenanceNamesTheCodeTheLauncherPassed() {
        String before = System.getProperty("descent.commit");
        try {
            System.setProperty("descent.commit", "0123456789ab+changes");
            String md = new Report("T", false).provenance(Machine.current(), "descent reproduce x", 1.5).markdown();
            assertTrue(md.contains("commit 0123456789ab+changes"), md);
            System.clearProperty("descent.commit");
            md = new Report("T", false).provenance(Machine.current(), "descent reproduce x", 1.5).markdown();
            assertTrue(md.contains("not recorded"), md);
        } finally {
            if (before == null) System.clearProperty("descent.commit");
            else System.setProperty("descent.commit", before);
        }
    }

    @Test
    void csvKeepsEveryDoubleExactlyAndQuotesText() {
        CsvTable t = new CsvTable("name", "value").row("a,b", 0.1 + 0.2).row("say \"hi\"", Double.NaN);
        assertEquals("name,value\n\"a,b\",0.30000000000000004\n\"say \"\"hi\"\"\",NaN\n", t.text());
        assertEquals(2, t.rows());
        assertThrows(IllegalArgumentException.class, () -> t.row(1));
    }

    @Test
    void csvReadsBackWhatItWrote(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        CsvTable t = new CsvTable("name", "value", "note").row("a,b", 0.1 + 0.2, "").row("say \"hi\"", Double.NaN, "two\nlines");
        java.nio.file.Path f = dir.resolve("t.csv");
        t.write(f);
        List<java.util.Map<String, String>> rows = CsvTable.read(f);
        assertEquals(2, rows.size());
        assertEquals("a,b", rows.get(0).get("name"));
        assertEquals(0.1 + 0.2, Double.parseDouble(rows.get(0).get("value")));
        assertEquals("", rows.get(0).get("note"));
        assertEquals("say \"hi\"", rows.get(1).get("name"));
        assertEquals("two\nlines", rows.get(1).get("note"));
    }

    @Test
    void logLogSlopeRecoversThePowerOfAPowerLaw() {
        qt().forAll(doubles().between(-3, 3), doubles().between(0.01, 100)).checkAssert((k, c) -> {
            double[] x = {0.01, 0.1, 1, 10, 100}, y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = c * Math.pow(x[i], k);
            assertEquals(k, Statistics.logLogSlope(x, y), 1e-9, "k " + k + ", c " + c);
        });
    }

    @Test
    void logLogSlopeSkipsNonPositivePointsAndNeedsTwo() {
        assertEquals(1.0, Statistics.logLogSlope(new double[] {1, 2, 4, 8}, new double[] {0, 2, 4, 8}), 1e-12);
        assertTrue(Double.isNaN(Statistics.logLogSlope(new double[] {1, 2}, new double[] {0, 0})));
    }

    @Test
    void meanAndSampleStandardDeviation() {
        assertEquals(2.0, Statistics.mean(new double[] {1, 2, 3}));
        assertEquals(1.0, Statistics.std(new double[] {1, 2, 3}), 1e-15);
        assertEquals(0.0, Statistics.std(new double[] {5}));
        assertEquals("2.00 ± 1.00 (n = 3)", Statistics.meanStd(new double[] {1, 2, 3}, 2));
    }

    @Test
    void wallTimesReadNaturally() {
        assertEquals("12.3 s", Report.wallTime(12.34));
        assertEquals("2 min 05 s (125 s)", Report.wallTime(125));
        assertEquals("1 h 02 min (3,720 s)", Report.wallTime(3720));
    }

    @Test
    void aComparisonKeepsTheSeedPairingOfItsArms() {
        Comparison c = new Comparison(new double[] {1, 4}, new double[] {2, 2});
        assertEquals(0.5, c.difference());
        assertEquals(1.25, c.ratio());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {-1, 2}, c.pairedDifferences());
        assertThrows(IllegalStateException.class, () -> new Comparison(new double[] {1}, new double[] {1, 2}).pairedDifferences());
    }
}
