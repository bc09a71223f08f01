package dev.descent.bench.speed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's peak arithmetic and its 2-versus-1-thread flag, from given numbers (no timing). */
class BenchReportingTest {
    @Test
    void convRowsSayWhenWinogradRunsAndWhichPass() {
        // Never Winograd: 3 input channels, stride 2.
        assertEquals("", SpeedBench.winogradNote(new Workloads.ConvShape(3, 32, 32), true));
        assertEquals("", SpeedBench.winogradNote(new Workloads.ConvShape(32, 64, 16, 2), true));
        var q = new dev.descent.core.kernel.ConvKernels.Geometry(Workloads.BATCH, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8);
        String forward = SpeedBench.winogradNote(new Workloads.ConvShape(64, 64, 8), false);
        String both = SpeedBench.winogradNote(new Workloads.ConvShape(64, 64, 8), true);
        if (dev.descent.core.kernel.Winograd.applies(q)) {
            assertTrue(forward.startsWith("; Descent's forward by Winograd"), forward);
            assertTrue(both.startsWith("; Descent's forward, input gradient and weight gradient by Winograd"), both);
            assertTrue(both.contains("can pass the peak"), both);
        } else {
            assertEquals("", forward);
        }
        // 32 → 64 @16×16: the forward and the weight gradient where the outputs are 4 vectors, the input gradient
        // (64 → 32) only where 32 outputs are 4 vectors too (256 bits).
        var wide = new dev.descent.core.kernel.ConvKernels.Geometry(Workloads.BATCH, 32, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 16, 16);
        String mixed = SpeedBench.winogradNote(new Workloads.ConvShape(32, 64, 16), true);
        if (dev.descent.core.kernel.Winograd.applies(wide) && !dev.descent.core.kernel.Winograd.inputGradApplies(wide)) {
            assertTrue(mixed.startsWith("; Descent's forward and weight gradient by Winograd"), mixed);
        }
    }

    @Test
    void gflopsCountsTwoFlopsPerLanePerFma() {
        // 1e9 FMAs of 16 lanes in 0.5 s: 2 * 16e9 flops / 0.5 s = 64 GFLOP/s.
        assertEquals(64.0, FmaPeak.gflops(1_000_000_000L, 16, 0.5), 1e-9);
        qt().forAll(integers().between(1, 1 << 20), integers().between(1, 64), doubles().between(1e-3, 10))
                .checkAssert((fmas, lanes, seconds) ->
                        assertEquals((double) fmas * lanes * 2 / seconds / 1e9, FmaPeak.gflops(fmas, lanes, seconds), 1e-12 * (fmas * lanes * 2 / seconds / 1e9)));
    }

    @Test
    void fractionIsThePercentOfThePeakAtTheRowsThreadCount() {
        Map<Integer, Double> g = new LinkedHashMap<>();
        g.put(1, 200.0);
        g.put(2, 400.0);
        FmaPeak.Peak peak = new FmaPeak.Peak(512, g, Map.of(1, 230.0));
        assertEquals("85% of peak", peak.fraction(170, 1));
        assertEquals("43% of peak", peak.fraction(170, 2));
        assertEquals("", peak.fraction(170, 4)); // not measured
        assertEquals("", FmaPeak.fractionText(Double.NaN, 100));
        assertEquals("", FmaPeak.fractionText(10, 0));
        String line = peak.describe();
        assertTrue(line.contains("512-bit") && line.contains("200.0 GFLOP/s on 1 thread") && line.contains("400.0 GFLOP/s on 2 threads")
                && line.contains("CPU time 230.0 on 1"), line);
        assertTrue(line.contains("shared the cores"), line); // 200 of 230 on the CPU time: under 90%
    }

    @Test
    void thePeakAtTheEndIsAPercentOfTheStartsAndAMoveBeyondFivePercentIsSaid() {
        FmaPeak.Peak start = peak(200.0, 400.0);
        String steady = start.againAtTheEnd(peak(204.0, 396.0));
        assertTrue(steady.contains("204.0 GFLOP/s on 1 thread (102% of the start's)") && steady.contains("396.0 GFLOP/s on 2 threads (99% of the start's)"), steady);
        assertFalse(steady.contains("moved"), steady);
        String slower = start.againAtTheEnd(peak(180.0, 400.0));
        assertTrue(slower.contains("(90% of the start's)") && slower.contains("moved by more than 5%"), slower);
        String partial = start.againAtTheEnd(new FmaPeak.Peak(512, Map.of(1, 200.0), Map.of()));
        assertTrue(partial.contains("not measured on 2") && !partial.contains("moved"), partial);
        // The warning follows the largest relative change of any thread count, either way.
        qt().forAll(doubles().between(50, 500), doubles().between(0.5, 1.5), doubles().between(0.5, 1.5)).checkAssert((base, f1, f2) -> {
            String line = peak(base, 2 * base).againAtTheEnd(peak(base * f1, 2 * base * f2));
            boolean moved = Math.abs(base * f1 / base - 1) > FmaPeak.DRIFT || Math.abs(2 * base * f2 / (2 * base) - 1) > FmaPeak.DRIFT;
            assertEquals(moved, line.contains("moved by more than"), line);
        });
    }

    private static FmaPeak.Peak peak(double one, double two) {
        Map<Integer, Double> g = new LinkedHashMap<>();
        g.put(1, one);
        g.put(2, two);
        return new FmaPeak.Peak(512, g, Map.of());
    }

    @Test
    void sharedCoresAreNamedOnlyWhenTheWallClockPeakFallsWellBelowTheCpuTimePeak() {
        FmaPeak.Peak quiet = new FmaPeak.Peak(512, Map.of(1, 240.0, 2, 480.0), Map.of(1, 241.0, 2, 482.0));
        FmaPeak.Peak busy = new FmaPeak.Peak(512, Map.of(1, 240.0, 2, 300.0), Map.of(1, 241.0, 2, 482.0));
        assertFalse(quiet.sharedCores());
        assertTrue(busy.sharedCores());
        assertTrue(busy.describe().contains("other processes shared the cores"), busy.describe());
        assertFalse(quiet.describe().contains("other processes shared the cores"), quiet.describe());
    }

    /** A ratio taken while Descent's core ran slower (its probe took longer) rises by that factor, and the other way. */
    @Test
    void ratioAtEqualCoreSpeedDividesEachSideByItsProbe() {
        assertEquals(0.75, OnnxBench.atEqualCore(0.6, 1.25e-4, 1.0e-4), 1e-12);
        assertEquals(0.6, OnnxBench.atEqualCore(0.75, 1.0e-4, 1.25e-4), 1e-12);
        assertEquals(0.9, OnnxBench.atEqualCore(0.9, 2e-4, 2e-4), 1e-12);
        assertTrue(Double.isNaN(OnnxBench.atEqualCore(0.9, 2e-4, Double.NaN)), "no probe from the other side");
    }

    /** Every sample has a core probe beside it: positive, and one per sample. */
    @Test
    void cpuTimingProbesTheCoreBeforeEachSample() {
        float[] a = new float[1000];
        CpuTiming.Result r = CpuTiming.measure(() -> java.util.Arrays.fill(a, 1f), 2, 0.01, 5, 0.001);
        assertEquals(5, r.core().samples());
        assertTrue(r.core().min() > 0 && r.core().median() >= r.core().min() && r.core().max() >= r.core().median(), r.core().toString());
    }

    private static volatile float[] sink;

    /** The heap column counts what the work allocates per call: a 256 KB array a call, and next to nothing for a fill. */
    @Test
    void cpuTimingCountsTheHeapEachCallAllocates() {
        int n = 1 << 16;
        CpuTiming.Result allocating = CpuTiming.measure(() -> sink = new float[n], 2, 0.01, 5, 0.001);
        assertTrue(allocating.heap() >= 4.0 * n && allocating.heap() < 6.0 * n, "bytes per call: " + allocating.heap());
        float[] a = new float[n];
        CpuTiming.Result filling = CpuTiming.measure(() -> java.util.Arrays.fill(a, 1f), 2, 0.01, 5, 0.001);
        assertTrue(filling.heap() >= 0 && filling.heap() < 0.1 * n, "bytes per call: " + filling.heap());
    }

    /** A side's death is reported with the last lines of its standard error, the JVM's warnings left out. */
    @Test
    void aSidesLastErrorsAreQuotedWithoutTheJvmsWarnings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path f = tmp.resolve("stderr.txt");
        java.nio.file.Files.writeString(f, "WARNING: Using incubator modules: jdk.incubator.vector\n"
                + "Exception in thread \"main\" java.lang.NoClassDefFoundError: jdk/incubator/vector/FloatVector\n\tat dev.descent.bench.speed.FmaPeak.probeSeconds\n");
        String m = ReferenceSide.lastErrors(f);
        assertTrue(m.contains("NoClassDefFoundError") && m.contains("FmaPeak.probeSeconds") && !m.contains("WARNING"), m);
        assertEquals("", ReferenceSide.lastErrors(tmp.resolve("missing.txt")));
        java.nio.file.Files.writeString(f, "WARNING: only this\n");
        assertEquals("", ReferenceSide.lastErrors(f));
    }

    @Test
    void flagsOnlyWhenTwoThreadsAreWorseThanOne() {
        ThreadFlags f = new ThreadFlags();
        assertEquals("", f.record("matmul n=256", 1, 100, true));
        assertEquals(ThreadFlags.MARK, f.record("matmul n=256", 2, 90, true)); // speed: lower is worse
        assertEquals("", f.record("matmul n=512", 1, 100, true));
        assertEquals("", f.record("matmul n=512", 2, 150, true));
        assertEquals("", f.record("conv fwd", 1, 10, false));
        assertEquals(ThreadFlags.MARK, f.record("conv fwd", 2, 12, false)); // time: higher is worse
        assertEquals("", f.record("conv fwd+bwd", 2, 5, false)); // 2 before 1 in the run
        assertEquals(ThreadFlags.MARK, f.record("conv fwd+bwd", 1, 4, false));
        assertEquals("", f.record("cnn", 4, 1, true)); // other thread counts are not compared
        List<String> lines = f.flagged();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("matmul n=256: 2 threads at 0.90×"), lines.get(0));
        assertTrue(lines.get(1).startsWith("conv fwd: 2 threads at 0.83×"), lines.get(1));
        assertTrue(lines.get(2).startsWith("conv fwd+bwd: 2 threads at 0.80×"), lines.get(2));
    }

    @Test
    void equalFiguresAreNotFlagged() {
        qt().forAll(doubles().between(0.001, 1e6)).checkAssert(v -> {
            ThreadFlags f = new ThreadFlags();
            f.record("w", 1, v, true);
            assertEquals("", f.record("w", 2, v, true));
            ThreadFlags g = new ThreadFlags();
            g.record("w", 1, v, true);
            assertEquals(ThreadFlags.MARK, g.record("w", 2, v * 0.99, true));
        });
    }

    /** A row's rounds: each round's ratio from that round's two medians, the ratio the median of those, each side the median of its medians. */
    @Test
    void roundsPairEachRoundsMediansAndTakeTheMedianRatio() {
        // Speeds (GFLOP/s): the machine slows down in round 2 for both sides; the per-round ratios are 1.10, 1.00, 0.90.
        SpeedBench.Value[] ours = {new SpeedBench.Value(110, 100, 120), new SpeedBench.Value(50, 45, 55), new SpeedBench.Value(90, 80, 95)};
        SpeedBench.Value[] theirs = {new SpeedBench.Value(100, 99, 101), new SpeedBench.Value(50, 49, 51), new SpeedBench.Value(100, 98, 102)};
        SpeedBench.Paired p = SpeedBench.Paired.of(ours, theirs, true);
        assertEquals(1.00, p.ratio().median(), 1e-12);
        assertEquals(0.90, p.ratio().min(), 1e-12);
        assertEquals(1.10, p.ratio().max(), 1e-12);
        assertEquals("1.00 [0.90–1.10]", p.ratioText());
        assertEquals(90, p.ours().median(), 1e-12); // median of 110, 50, 90
        assertEquals(45, p.ours().min(), 1e-12);
        assertEquals(120, p.ours().max(), 1e-12);
        assertEquals(100, p.theirs().median(), 1e-12);
        // Times (ms): the ratio is theirs over ours, so above 1 still means Descent is faster.
        SpeedBench.Paired t = SpeedBench.Paired.of(new SpeedBench.Value[] {new SpeedBench.Value(2, 2, 2)},
                new SpeedBench.Value[] {new SpeedBench.Value(3, 3, 3)}, false);
        assertEquals("1.50", t.ratioText()); // one round: no range
        assertEquals("-", SpeedBench.Paired.of(ours, null, true).ratioText());
        assertNull(SpeedBench.Paired.of(ours, null, true).theirs());
        assertThrows(IllegalArgumentException.class, () -> SpeedBench.Paired.of(ours, new SpeedBench.Value[] {theirs[0]}, true));
    }

    /**
     * A matmul row on more than one thread says its speed over 1 thread's as the median [min–max] of the rounds' ratios,
     * each round's two figures taken in that round: a minute in which 2 threads run slowly does not meet another's 1 thread.
     */
    @Test
    void scalingComparesEachRoundsTwoThreadsWithItsOneThread() {
        // 1 thread at 100, 50 (a slow round for both), 100; 2 threads at 188, 90, 195: per round 1.88, 1.80, 1.95. The
        // medians of the rows (100 and 188) would have said 1.88 too, but min and max come only from pairing the rounds.
        SpeedBench.Value[] one = {new SpeedBench.Value(100, 99, 101), new SpeedBench.Value(50, 49, 51), new SpeedBench.Value(100, 98, 102)};
        SpeedBench.Value[] two = {new SpeedBench.Value(188, 180, 190), new SpeedBench.Value(90, 85, 95), new SpeedBench.Value(195, 190, 199)};
        assertEquals("2 threads over 1 in the same rounds: 1.88 [1.80–1.95]", SpeedBench.scalingNote(2, two, one));
        assertEquals("4 threads over 1 in the same rounds: 3.50", SpeedBench.scalingNote(4,
                new SpeedBench.Value[] {new SpeedBench.Value(350, 340, 360)}, new SpeedBench.Value[] {new SpeedBench.Value(100, 99, 101)}));
    }

    @Test
    void theRoundsRatioIsTheMedianOfThePerRoundRatios() {
        qt().forAll(integers().between(1, 9), integers().between(0, Integer.MAX_VALUE)).checkAssert((rounds, seed) -> {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            SpeedBench.Value[] ours = new SpeedBench.Value[rounds], theirs = new SpeedBench.Value[rounds];
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double a = rng.nextDouble(1, 100), b = rng.nextDouble(1, 100);
                ours[r] = new SpeedBench.Value(a, a * 0.9, a * 1.1);
                theirs[r] = new SpeedBench.Value(b, b * 0.9, b * 1.1);
                ratios[r] = b / a; // a time: theirs over ours
            }
            java.util.Arrays.sort(ratios);
            double median = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
            SpeedBench.Paired p = SpeedBench.Paired.of(ours, theirs, false);
            assertEquals(median, p.ratio().median(), 1e-12 * median);
            assertEquals(ratios[0], p.ratio().min(), 0);
            assertEquals(ratios[rounds - 1], p.ratio().max(), 0);
            assertTrue(p.ours().min() <= p.ours().median() && p.ours().median() <= p.ours().max());
        });
    }
}
