// The unlearning reproduction's report, plots and summary line, generated from its config and outcome.
package dev.descent.bench.reproduce.unlearning;

import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.a0Cell;
import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.c2Cell;
import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.meanOf;
import static dev.descent.bench.reproduce.unlearning.UnlearningOutcome.valuesOf;

import dev.descent.bench.report.LinePlot;
import dev.descent.bench.reproduce.Budget;
import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Report;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Cell;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
import dev.descent.bench.reproduce.unlearning.UnlearningOutcome.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md} of the unlearning experiment (setup, a table per student, the controls, verdicts), its plots and its summary line. */
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
                + " but also at c2 = 0, and not mitigated by a0 = 1. That probe's student, Σ a_i·tanh(w_i·x), is an odd function of x: the"
                + " teacher's He2 term is even, so the student's population gradient does not depend on c2 at all (c2 reaches training only as"
                + " minibatch noise) and claim (i) cannot be tested with it. The main student here has biases, which let it represent the even part;"
                + " the odd student is kept for comparison, with an odd-teacher control (a He3 term) in place of c2 and an antithetic control"
                + " (batches of pairs (x, −x)) that separates population effects from minibatch noise.");
        r.section("Setup");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("teacher", "y = σ*(θ·x), x ~ N(0, I_d), σ* = c1·He1(z) + c2·He2(z)/√2 + c3·He3(z)/√6 with c1 = " + Statistics.sig(cfg.c1())
                + " and c3 = 0 except in the odd-teacher control (`TeacherStudent`, θ uniform on"
                + " the sphere)" + (cfg.labelNoise() > 0 ? ", label noise std " + cfg.labelNoise() : ", no label noise"));
        s.put("student and training", cfg.parametrisation());
        s.put("d, N", cfg.dimension() + ", " + cfg.width());
        s.put("batch", cfg.batch() + " fresh examples per step (online SGD: no example is seen twice)");
        s.put("steps", cfg.steps());
        s.put("sweep (i)", "c2 ∈ " + cfg.c2Sweep() + " at a0 = " + Statistics.sig(cfg.a0Base()));
        s.put("sweep (ii)", "a0 ∈ " + cfg.a0Sweep() + " at c2 = " + Statistics.sig(cfg.c2Base()));
        s.put("odd-teacher control", cfg.c3() > 0 ? "for each odd student, c2 = 0 and c3 = " + Statistics.sig(cfg.c3()) + " against c2 = c3 = 0, at a0 = "
                + Statistics.sig(cfg.a0Base()) : "off");
        s.put("antithetic control", cfg.antithetic() ? "each student's c2 sweep again on batches of " + cfg.batch() / 2 + " pairs (x, −x)" : "off");
        s.put("seeds", cfg.seeds() + " (each seed fixes θ, the initial first layer and the input stream, shared by every (c2, a0) of that seed)");
        s.put("alignment A", "mean over neurons of |cos(w_i, θ)| (a random first layer gives about √(2/(πd)) = "
                + Statistics.format(Math.sqrt(2 / (Math.PI * cfg.dimension())), 3) + "); `energy_alignment` in the CSV is ‖Wθ‖²/‖W‖²_F");
        s.put("unlearning", "drop = peak A (over every step) − A at the last step; \"gain lost\" = drop/(peak − A(0)); claim (i) is judged on the"
                + " drop, claim (ii) on the final A (a drop also shrinks when only the peak is lower)");
        s.put("arithmetic", "float64 throughout");
        r.settings(s);
        int runsPerSeed = cfg.cells().size();
        Budget.table(r, List.of(new Budget("paper", "single-index teacher, Hermite terms; two-layer network", "fresh examples every step",
                        "large (not public)", "not public (the paper's body)", "— (online)", "not public", ""),
                new Budget("ours", "teacher c1·He1 + c2·He2/√2 (+ c3·He3/√6), d = " + cfg.dimension() + ", N = " + cfg.width(),
                        "fresh examples every step: " + Budget.count((long) cfg.batch() * cfg.steps()) + " per run", Integer.toString(cfg.batch()),
                        Budget.count(cfg.steps()), "— (online)", cfg.seeds().size() + " (" + runsPerSeed + " runs per seed)",
                        "the parametrisation of the digest's first probe; students with and without biases; c3 and antithetic controls")));

        r.section("Results");
        r.paragraph("Means over seeds (every run is in `unlearning-runs.csv`, every recorded step in `unlearning-trajectories.csv`). \"Final A\" is the"
                + " alignment at the last step, \"peak A\" its largest value over every step; loss columns are batch losses (½·mean (f − y)²).");
        List<String> header = List.of("c2", "c3", "a0", "batches", "A(0)", "peak A", "peak step", "final A", "drop", "gain lost", "loss at peak", "final loss",
                "final mean a");
        for (Student st : cfg.students()) {
            r.subsection("Student " + st.formula() + (st.odd() ? " (odd in x: cannot represent the even He2 term)" : ""));
            List<List<String>> rows = new ArrayList<>();
            for (Cell c : cfg.cells()) if (c.student() == st) rows.add(row(runs, c));
            r.table(header, rows);
            r.paragraph(UnlearningOutcome.observation(cfg, runs, st, true) + " " + UnlearningOutcome.observation(cfg, runs, st, false) + " "
                    + UnlearningOutcome.fit(cfg, runs, c2Cell(cfg, st, cfg.c2Sweep().getLast(), false)));
            if (cfg.antithetic()) r.paragraph(antithetic(cfg, runs, st));
            for (String n : List.of("c2", "a0")) {
                r.image("Alignment against step (log axis), sweep over " + n + ", student " + st.formula(), plotName("alignment", n, st));
                r.image("Mean second-layer weight against step (log axis), sweep over " + n + ", student " + st.formula(), plotName("second-layer", n, st));
            }
        }
        r.paragraph("The paper publishes no numbers for this setup to put beside ours; its claims are qualitative, and so are the verdicts.");
        r.section("Verdicts");
        r.verdicts(o.verdicts());
        r.section("Files");
        r.bullets(List.of("`unlearning-trajectories.csv`: one row per run and recorded step: alignment, energy alignment, mean a, batch loss",
                "`unlearning-runs.csv`: one row per run (student, c2, c3, a0, batches, seed): initial, peak (its step and batch loss), final alignment,"
                        + " drop, gain lost, final mean a and loss",
                "`unlearning-{alignment,second-layer}-{c2,a0}-STUDENT.png`: the plots above"));
        return r;
    }

    /** A cell's row of means over seeds. */
    private static List<String> row(List<Run> runs, Cell c) {
        return List.of(Statistics.sig(c.c2()), Statistics.sig(c.c3()), Statistics.sig(c.a0()), c.antithetic() ? "(x, −x)" : "iid",
                Statistics.format(meanOf(runs, c, Run::initial), 4), Statistics.format(meanOf(runs, c, Run::peak), 4),
                Statistics.format(meanOf(runs, c, Run::peakStep), 0), Statistics.format(meanOf(runs, c, Run::last), 4),
                Statistics.meanStd(valuesOf(runs, c, Run::drop), 4), Statistics.format(meanOf(runs, c, Run::gainLost), 3),
                Statistics.sig(meanOf(runs, c, Run::peakLoss)), Statistics.sig(meanOf(runs, c, Run::lastLoss)), Statistics.sig(meanOf(runs, c, Run::lastMeanA)));
    }

    /**
     * The antithetic control: per c2, the final alignment on iid batches − that on antithetic batches, paired by seed. With
     * antithetic pairs an odd student's gradient is exactly its population gradient's c2-free part, so what c2 changes on iid
     * batches but not on antithetic ones is minibatch noise.
     */
    static String antithetic(UnlearningConfig cfg, List<Run> runs, Student st) {
        List<String> parts = new ArrayList<>();
        for (double c2 : cfg.c2Sweep()) {
            Cell iid = c2Cell(cfg, st, c2, false), anti = c2Cell(cfg, st, c2, true);
            double[] d = new Comparison(valuesOf(runs, iid, Run::last), valuesOf(runs, anti, Run::last)).pairedDifferences();
            parts.add(String.format(Locale.ROOT, "c2 = %s: final A %s (iid) vs %s (antithetic), paired difference %s", Statistics.sig(c2),
                    Statistics.format(meanOf(runs, iid, Run::last), 4), Statistics.format(meanOf(runs, anti, Run::last), 4),
                    Statistics.tInterval(d, Verdict.LEVEL).format(4)));
        }
        Cell lo = c2Cell(cfg, st, cfg.c2Sweep().getFirst(), true), hi = c2Cell(cfg, st, cfg.c2Sweep().getLast(), true);
        double[] effect = new Comparison(valuesOf(runs, hi, Run::drop), valuesOf(runs, lo, Run::drop)).pairedDifferences();
        return "Antithetic control (batches of pairs (x, −x)" + (st.odd() ? ", on which this odd student's gradient does not depend on c2 at all" : "")
                + "): " + String.join("; ", parts) + ". On antithetic batches, drop at the largest c2 − drop at the smallest: "
                + Statistics.tInterval(effect, Verdict.LEVEL).format(4) + " — an effect of c2 present on iid batches but absent here is minibatch noise,"
                + " not the population dynamics.";
    }

    static String plotName(String what, String sweep, Student st) {
        return "unlearning-" + what + "-" + sweep + "-" + st.key() + ".png";
    }

    static String summary(UnlearningConfig cfg, UnlearningOutcome o) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < cfg.students().size(); i++) {
            Student st = cfg.students().get(i);
            parts.add(String.format(Locale.ROOT, "student %s: claim (i)%s %s, claim (ii) %s", st.formula(), st.odd() ? " (He3 control)" : "",
                    o.verdicts().get(2 * i).outcome().label().toLowerCase(Locale.ROOT), o.verdicts().get(2 * i + 1).outcome().label().toLowerCase(Locale.ROOT)));
        }
        return "[Feature unlearning](unlearning/report.md) (Imai et al., §2): " + String.join("; ", parts)
                + " (paired 95 % intervals over " + dev.descent.bench.report.Count.of(cfg.seeds().size(), "seed") + "; parametrisation of the first probe in"
                + " [docs/papers.md §2](../papers.md#2-feature-learning-and-unlearning); the paper's is not public).";
    }

    private static void plots(UnlearningConfig cfg, List<Run> runs, Path out) throws IOException {
        for (Student st : cfg.students()) {
            for (boolean c2Sweep : new boolean[] {true, false}) {
                String name = c2Sweep ? "c2" : "a0";
                String fixed = (c2Sweep ? "a0 = " + Statistics.sig(cfg.a0Base()) : "c2 = " + Statistics.sig(cfg.c2Base())) + ", " + st.formula();
                LinePlot al = new LinePlot("Alignment mean |cos(w_i, θ)|, sweep over " + name + " (" + fixed + ")", "step", "alignment").logScale(true, false);
                List<double[][]> meanA = new ArrayList<>();
                boolean positive = true;
                for (double v : c2Sweep ? cfg.c2Sweep() : cfg.a0Sweep()) {
                    Cell cell = c2Sweep ? c2Cell(cfg, st, v, false) : a0Cell(cfg, st, v);
                    List<Run> mine = runs.stream().filter(r -> r.cell().equals(cell)).toList();
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
                al.write(out.resolve(plotName("alignment", name, st)));
                sl.write(out.resolve(plotName("second-layer", name, st)));
            }
        }
    }
}
