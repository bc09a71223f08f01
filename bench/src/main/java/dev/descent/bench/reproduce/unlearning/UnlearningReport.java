// The unlearning reproduction's report, plots and summary line, generated from its config and outcome.
package dev.descent.bench.reproduce.unlearning;

import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.meanOf;
import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.valuesOf;

import dev.descent.bench.report.LinePlot;
import dev.descent.bench.reproduce.Report;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.unlearning.UnlearningOutcome.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md} of the unlearning experiment (setup, a table per sweep, verdicts), its four plots and its summary line. */
final class UnlearningReport {
    private UnlearningReport() {}

    static Report report(UnlearningConfig cfg, UnlearningOutcome o, Path out) throws IOException {
        List<Run> runs = o.runs();
        plots(cfg, runs, out);
        Report r = new Report("Feature learning and unlearning (Imai, Nishiyama, Imaizumi, arXiv 2602.07378)", cfg.quick());
        r.paragraph("What the paper claims ([docs/papers.md §2](../../papers.md#2-feature-learning-and-unlearning)):"
                + " in a two-layer network trained by large-batch SGD on a single-index teacher, the first-layer"
                + " alignment with the teacher's direction grows fast, then the slow growth of the second layer decides whether the network keeps the"
                + " feature or progressively loses it (\"feature unlearning\"). (i) A stronger primary nonlinear term of the teacher (its low-order"
                + " nonlinear Hermite coefficient, here c2) induces unlearning; (ii) a larger initial scale of the second layer mitigates it.");
        r.paragraph("**The paper's exact parametrisation, ODEs and unlearning condition are not public** (they are in the paper's body). This run uses"
                + " the parametrisation below — that of the first probe described in [docs/papers.md §2](../../papers.md#2-feature-learning-and-unlearning)"
                + " — and every piece of it is an option of the command. The digest records that this probe showed a rise-then-fall growing with c2,"
                + " but also at c2 = 0, and not mitigated by a0 = 1.");
        r.section("Setup");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("teacher", "y = σ*(θ·x), x ~ N(0, I_d), σ* = c1·He1(z) + c2·He2(z)/√2 with c1 = " + Statistics.sig(cfg.c1()) + " (`TeacherStudent`, θ uniform on"
                + " the sphere)" + (cfg.labelNoise() > 0 ? ", label noise std " + cfg.labelNoise() : ", no label noise"));
        s.put("student and training", cfg.parametrisation());
        s.put("d, N", cfg.dimension() + ", " + cfg.width());
        s.put("batch", cfg.batch() + " fresh examples per step (online SGD: no example is seen twice)");
        s.put("steps", cfg.steps());
        s.put("sweep (i)", "c2 ∈ " + cfg.c2Sweep() + " at a0 = " + Statistics.sig(cfg.a0Base()));
        s.put("sweep (ii)", "a0 ∈ " + cfg.a0Sweep() + " at c2 = " + Statistics.sig(cfg.c2Base()));
        s.put("seeds", cfg.seeds() + " (each seed fixes θ, the initial first layer and the input stream, shared by every (c2, a0) of that seed)");
        s.put("alignment A", "mean over neurons of |cos(w_i, θ)| (a random first layer gives about √(2/(πd)) = "
                + Statistics.format(Math.sqrt(2 / (Math.PI * cfg.dimension())), 3) + "); `energy_alignment` in the CSV is ‖Wθ‖²/‖W‖²_F");
        s.put("unlearning", "drop = peak A (over every step) − A at the last step; \"gain lost\" = drop/(peak − A(0))");
        s.put("arithmetic", "float64 throughout");
        r.settings(s);

        r.section("Results");
        for (boolean c2Sweep : new boolean[] {true, false}) {
            r.subsection(c2Sweep ? "Claim (i): sweep over c2 (a0 = " + Statistics.sig(cfg.a0Base()) + ")" : "Claim (ii): sweep over a0 (c2 = "
                    + Statistics.sig(cfg.c2Base()) + ")");
            List<List<String>> rows = new ArrayList<>();
            for (double v : c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep()) {
                double c2 = c2Sweep ? v : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : v;
                rows.add(List.of(Statistics.sig(c2), Statistics.sig(a0), Statistics.format(meanOf(runs, c2, a0, Run::initial), 4),
                        Statistics.format(meanOf(runs, c2, a0, Run::peak), 4), Statistics.format(meanOf(runs, c2, a0, Run::peakStep), 0),
                        Statistics.format(meanOf(runs, c2, a0, Run::last), 4), Statistics.meanStd(valuesOf(runs, c2, a0, Run::drop), 4),
                        Statistics.format(meanOf(runs, c2, a0, Run::gainLost), 3), Statistics.sig(meanOf(runs, c2, a0, Run::lastMeanA)),
                        Statistics.sig(meanOf(runs, c2, a0, Run::lastLoss))));
            }
            r.paragraph("Means over seeds (every run is in `unlearning-runs.csv`, every recorded step in `unlearning-trajectories.csv`).");
            r.table(List.of("c2", "a0", "A(0)", "peak A", "peak step", "final A", "drop (ours)", "gain lost", "final mean a", "final batch loss"), rows);
            r.paragraph(UnlearningOutcome.observation(cfg, runs, c2Sweep));
            String n = c2Sweep ? "c2" : "a0";
            r.image("Alignment against step (log axis), sweep over " + n, "unlearning-alignment-" + n + ".png");
            r.image("Mean second-layer weight against step (log axis), sweep over " + n, "unlearning-second-layer-" + n + ".png");
        }
        r.paragraph("The paper publishes no numbers for this setup to put beside ours; its claims are qualitative, and so are the verdicts.");
        r.section("Verdicts");
        r.verdicts(o.verdicts());
        r.section("Files");
        r.bullets(List.of("`unlearning-trajectories.csv`: one row per run and recorded step: alignment, energy alignment, mean a, batch loss",
                "`unlearning-runs.csv`: one row per run: initial, peak (and its step), final alignment, drop, gain lost, final mean a and loss",
                "`unlearning-alignment-c2.png`, `unlearning-second-layer-c2.png`, `unlearning-alignment-a0.png`, `unlearning-second-layer-a0.png`"));
        return r;
    }

    static String summary(UnlearningConfig cfg, UnlearningOutcome o) {
        double dropAtZero = meanOf(o.runs(), cfg.c2Sweep().getFirst(), cfg.a0Base(), Run::drop);
        return String.format(Locale.ROOT, "[Feature unlearning](unlearning/report.md) (Imai et al., §2):"
                + " claim (i), more c2 → more unlearning: %s; claim (ii), larger a0 → less: %s; alignment drop from its peak %s at c2 = %s"
                + " (parametrisation of the first probe in [docs/papers.md §2](../papers.md#2-feature-learning-and-unlearning); the paper's is not public).",
                o.verdicts().get(0).outcome().label().toLowerCase(Locale.ROOT), o.verdicts().get(1).outcome().label().toLowerCase(Locale.ROOT),
                Statistics.format(dropAtZero, 3), Statistics.sig(cfg.c2Sweep().getFirst()));
    }

    private static void plots(UnlearningConfig cfg, List<Run> runs, Path out) throws IOException {
        for (boolean c2Sweep : new boolean[] {true, false}) {
            String name = c2Sweep ? "c2" : "a0";
            String fixed = c2Sweep ? "a0 = " + Statistics.sig(cfg.a0Base()) : "c2 = " + Statistics.sig(cfg.c2Base());
            LinePlot al = new LinePlot("Alignment mean |cos(w_i, θ)|, sweep over " + name + " (" + fixed + ")", "step", "alignment").logScale(true, false);
            List<double[][]> meanA = new ArrayList<>();
            boolean positive = true;
            List<Double> values = c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep();
            for (double v : values) {
                double c2 = c2Sweep ? v : cfg.c2Base(), a0 = c2Sweep ? cfg.a0Base() : v;
                List<Run> mine = runs.stream().filter(r -> r.c2() == c2 && r.a0() == a0).toList();
                int k = mine.getFirst().trajectory().size();
                double[] step = new double[k], a = new double[k], m = new double[k];
                for (int i = 0; i < k; i++) {
                    int j = i;
                    step[i] = mine.getFirst().trajectory().get(i)[0];
                    a[i] = Statistics.mean(mine.stream().mapToDouble(r -> r.trajectory().get(j)[1]).toArray());
                    m[i] = Statistics.mean(mine.stream().mapToDouble(r -> r.trajectory().get(j)[3]).toArray());
                    positive &= m[i] > 0;
                }
                al.add(name + " = " + Statistics.sig(v), step, a);
                meanA.add(new double[][] {step, m, {v}});
            }
            LinePlot sl = new LinePlot("Mean second-layer weight, sweep over " + name + " (" + fixed + ")", "step", "mean a_i").logScale(true, positive);
            for (double[][] s : meanA) sl.add(name + " = " + Statistics.sig(s[2][0]), s[0], s[1]);
            al.write(out.resolve("unlearning-alignment-" + name + ".png"));
            sl.write(out.resolve("unlearning-second-layer-" + name + ".png"));
        }
    }
}
