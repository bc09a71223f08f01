package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrGraph;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * If and Loop on hand-built models, against plain loops written here from the ONNX specification: outer-scope capture
 * (from the graph around and two scopes up), loop-carried values, scan outputs, the optional M and cond, zero iterations,
 * gradients (autograd against the reference's derivative and against finite differences), and what fails at load.
 */
class OnnxControlFlowTest {

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    private static double[] d(Tensor t) {
        return t.to(DType.FLOAT64).contiguous().toDoubleArray();
    }

    private static void close(double[] expected, Tensor actual, double tol, String what) {
        double[] a = d(actual);
        assertEquals(expected.length, a.length, what + ": element count");
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(expected[i] - a[i]) <= tol * (1 + Math.abs(expected[i])), what + " element " + i + ": expected " + expected[i] + ", got " + a[i]);
        }
    }

    /**
     * y = If(c): then relu(x)·w + k (h = relu(x) computed in the main graph after the If in file order and read only
     * inside the branch; w a main-graph initializer; k the branch's own initializer), else −x.
     */
    private byte[] ifModel(long opset) {
        OnnxWriter.Graph then = new OnnxWriter.Graph().init("k", Tensor.of(new float[] {0.5f, -1, 2}, 3)).output("yt")
                .node("Mul", "t_mul", List.of("h", "w"), List.of("t1")).node("Add", "t_add", List.of("t1", "k"), List.of("yt"));
        OnnxWriter.Graph otherwise = new OnnxWriter.Graph().output("ye").node("Neg", "e_neg", List.of("x"), List.of("ye"));
        return new OnnxWriter.Graph().init("w", Tensor.of(new float[] {1, 2, 3, -1, -2, -3}, 2, 3)).input("x", 2, 3).typedInput("c", OnnxFile.BOOL)
                .output("y", 2, 3)
                .node("If", "if", List.of("c"), List.of("y"), attrGraph("then_branch", then), attrGraph("else_branch", otherwise))
                .node("Relu", "relu", List.of("x"), List.of("h")).model(opset);
    }

    @Test
    void ifRunsTheBranchTheConditionPicksWithOuterValuesAndGradients() throws Exception {
        OnnxModel m = load(ifModel(13));
        assertTrue(m.namedParameters().containsKey("w") && m.namedParameters().containsKey("k"), "the branch's initializer is a parameter: " + m.namedParameters().keySet());
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = Tensor.randn(rng, 2, 3);
        double[] xs = d(x), w = {1, 2, 3, -1, -2, -3}, k = {0.5, -1, 2};
        double[] yThen = new double[6], yElse = new double[6];
        for (int i = 0; i < 6; i++) {
            yThen[i] = Math.max(xs[i], 0) * w[i] + k[i % 3];
            yElse[i] = -xs[i];
        }
        close(yThen, m.run(Map.of("x", x, "c", Tensor.of(new boolean[] {true}).reshape())).get("y"), 1e-6, "then");
        close(yElse, m.run(Map.of("x", x, "c", Tensor.of(new boolean[] {false}, 1))).get("y"), 1e-6, "else");
        // gradients: d sum(y)/dx is relu'(x)·w in the then branch and −1 in the other; k's is 2 (two rows)
        Tensor xg = x.detach().requiresGrad(true);
        m.run(Map.of("x", xg, "c", Tensor.of(new boolean[] {true}).reshape())).get("y").sum().backward();
        double[] gx = new double[6];
        for (int i = 0; i < 6; i++) gx[i] = xs[i] > 0 ? w[i] : 0;
        close(gx, xg.grad(), 1e-6, "d/dx then");
        close(new double[] {2, 2, 2}, m.namedParameters().get("k").grad(), 1e-6, "d/dk");
        Tensor xe = x.detach().requiresGrad(true);
        m.run(Map.of("x", xe, "c", Tensor.of(new boolean[] {false}).reshape())).get("y").sum().backward();
        close(new double[] {-1, -1, -1, -1, -1, -1}, xe.grad(), 0, "d/dx else");
    }

    /** The loop of the tests below, from the specification: carried s, s ← s·a + i, scan s, cond ← sum(s) < limit. */
    private record Reference(double[] last, List<double[]> scans) {}

    private static Reference reference(Long m, Boolean cond, double[] s0, double[] a, double limit) {
        double[] s = s0.clone();
        List<double[]> scans = new ArrayList<>();
        boolean c = cond == null || cond;
        for (long i = 0; (m == null || i < m) && c; i++) {
            double sum = 0;
            for (int j = 0; j < s.length; j++) {
                s[j] = s[j] * a[j] + i;
                sum += s[j];
            }
            scans.add(s.clone());
            if (cond != null) c = sum < limit;
        }
        return new Reference(s, scans);
    }

    /** Loop(M, cond, s0) → (s, scan) with the body above; a and limit are read from the main graph (a an input, limit an initializer). */
    private byte[] loopModel(boolean withM, boolean withCond, int elem) {
        DType dt = elem == OnnxFile.DOUBLE ? DType.FLOAT64 : DType.FLOAT32;
        OnnxWriter.Graph body = new OnnxWriter.Graph().typedInput("i", OnnxFile.INT64).typedInput("c_in", OnnxFile.BOOL).typedInput("s", elem)
                .typedOutput("c_out", OnnxFile.BOOL).typedOutput("s_next", elem, 3).typedOutput("scan", elem, 3)
                .node("Cast", "b_cast", List.of("i"), List.of("fi"), attrInt("to", elem))
                .node("Mul", "b_mul", List.of("s", "a"), List.of("t"))
                .node("Add", "b_add", List.of("t", "fi"), List.of("s_next"))
                .node("ReduceSum", "b_sum", List.of("s_next"), List.of("tot"), attrInt("keepdims", 0))
                .node("Less", "b_less", List.of("tot", "limit"), List.of("c_out"))
                .node("Identity", "b_scan", List.of("s_next"), List.of("scan"));
        return new OnnxWriter.Graph().init("limit", Tensor.scalar(40, dt)).typedInput("M", OnnxFile.INT64).typedInput("cond", OnnxFile.BOOL)
                .typedInput("s0", elem).typedInput("a", elem).typedOutput("last", elem).typedOutput("scans", elem)
                .node("Loop", "loop", List.of(withM ? "M" : "", withCond ? "cond" : "", "s0"), List.of("last", "scans"), attrGraph("body", body))
                .model(13);
    }

    private static Map<String, Tensor> loopInputs(Long m, Boolean cond, Tensor s0, Tensor a) {
        Map<String, Tensor> in = new HashMap<>(Map.of("s0", s0, "a", a));
        in.put("M", Tensor.of(new long[] {m == null ? 0 : m}).reshape());
        in.put("cond", Tensor.of(new boolean[] {cond == null || cond}).reshape());
        return in;
    }

    @Test
    void loopCarriesValuesScansAndStopsAtMOrTheCondition() throws Exception {
        Tensor s0 = Tensor.of(new float[] {0.5f, -0.25f, 1}, 3), a = Tensor.of(new float[] {1.5f, 0.5f, 1.25f}, 3);
        double[] s0d = d(s0), ad = d(a);
        OnnxModel both = load(loopModel(true, true, OnnxFile.FLOAT));
        // {M, cond}: M stops it (2), the condition stops it (M 20: sum(s) passes 40 after a few steps), no iteration (M 0, or cond false)
        Object[][] cases = {{2L, true}, {20L, true}, {0L, true}, {20L, false}};
        for (Object[] c : cases) {
            Long m = (Long) c[0];
            Boolean cond = (Boolean) c[1];
            Reference ref = reference(m, cond, s0d, ad, 40);
            Map<String, Tensor> out = both.run(loopInputs(m, cond, s0, a));
            String what = "M " + m + ", cond " + cond;
            close(ref.last(), out.get("last"), 1e-6, what + ": last");
            Tensor scans = out.get("scans");
            assertArrayEquals(new int[] {ref.scans().size(), 3}, scans.shape(), what + ": scans' shape");
            double[] flat = new double[3 * ref.scans().size()];
            for (int k = 0; k < ref.scans().size(); k++) System.arraycopy(ref.scans().get(k), 0, flat, 3 * k, 3);
            close(flat, scans, 1e-6, what + ": scans");
        }
        assertTrue(reference(20L, true, s0d, ad, 40).scans().size() > 2 && reference(20L, true, s0d, ad, 40).scans().size() < 20, "the condition, not M, ends that case");
        // only M: the body's condition output is ignored; only cond: no trip count
        Reference onlyM = reference(7L, null, s0d, ad, 40), onlyCond = reference(null, true, s0d, ad, 40);
        close(onlyM.last(), load(loopModel(true, false, OnnxFile.FLOAT)).run(loopInputs(7L, null, s0, a)).get("last"), 1e-6, "only M");
        assertEquals(7, onlyM.scans().size());
        Map<String, Tensor> oc = load(loopModel(false, true, OnnxFile.FLOAT)).run(loopInputs(null, true, s0, a));
        close(onlyCond.last(), oc.get("last"), 1e-6, "only cond");
        assertEquals(onlyCond.scans().size(), oc.get("scans").size(0));
    }

    @Test
    void gradientsFlowThroughEveryIterationToTheInitialAndCapturedValues() throws Exception {
        OnnxModel m = load(loopModel(true, false, OnnxFile.DOUBLE));
        SplittableRandom rng = new SplittableRandom(8);
        Tensor s0 = Tensor.randn(DType.FLOAT64, rng, 3), a = Tensor.randn(DType.FLOAT64, rng, 3).mul(0.5).add(1);
        Tensor s0g = s0.detach().requiresGrad(true), ag = a.detach().requiresGrad(true);
        Map<String, Tensor> out = m.run(loopInputs(5L, null, s0g, ag));
        out.get("last").sum().add(out.get("scans").mul(out.get("scans")).sum()).backward();
        // the same loss by central differences of the plain reference
        java.util.function.BiFunction<double[], double[], Double> loss = (s, av) -> {
            Reference r = reference(5L, null, s, av, 0);
            double l = 0;
            for (double v : r.last()) l += v;
            for (double[] sc : r.scans()) for (double v : sc) l += v * v;
            return l;
        };
        double h = 1e-6;
        double[] sd = d(s0), adv = d(a), gs = new double[3], ga = new double[3];
        for (int j = 0; j < 3; j++) {
            double[] p = sd.clone(), q = sd.clone();
            p[j] += h;
            q[j] -= h;
            gs[j] = (loss.apply(p, adv) - loss.apply(q, adv)) / (2 * h);
            double[] pa = adv.clone(), qa = adv.clone();
            pa[j] += h;
            qa[j] -= h;
            ga[j] = (loss.apply(sd, pa) - loss.apply(sd, qa)) / (2 * h);
        }
        close(gs, s0g.grad(), 1e-6, "d/ds0");
        close(ga, ag.grad(), 1e-6, "d/da (captured by the body)");
    }

    @Test
    void anIfInsideALoopReadsAValueTwoScopesUp() throws Exception {
        OnnxWriter.Graph then = new OnnxWriter.Graph().output("st").node("Add", "t_add", List.of("s", "x0"), List.of("st"));
        OnnxWriter.Graph otherwise = new OnnxWriter.Graph().output("se").node("Mul", "e_mul", List.of("s", "x0"), List.of("se"));
        OnnxWriter.Graph body = new OnnxWriter.Graph().typedInput("i", OnnxFile.INT64).typedInput("c_in", OnnxFile.BOOL).typedInput("s", OnnxFile.FLOAT)
                .typedOutput("c_out", OnnxFile.BOOL).typedOutput("s_next", OnnxFile.FLOAT)
                .node("Constant", "two", List.of(), List.of("k2"), attrTensor("value", Tensor.of(new long[] {2}).reshape()))
                .node("Less", "lt", List.of("i", "k2"), List.of("early"))
                .node("If", "inner", List.of("early"), List.of("s_next"), attrGraph("then_branch", then), attrGraph("else_branch", otherwise))
                .node("Identity", "keep", List.of("c_in"), List.of("c_out"));
        OnnxModel m = load(new OnnxWriter.Graph().input("x0", 3).input("s0", 3).typedInput("M", OnnxFile.INT64).output("y", 3)
                .node("Loop", "loop", List.of("M", "", "s0"), List.of("y"), attrGraph("body", body)).model(16));
        Tensor x0 = Tensor.of(new float[] {0.5f, 2, -1}, 3), s0 = Tensor.of(new float[] {1, -3, 0.25f}, 3);
        double[] x = d(x0), s = d(s0);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) s[j] = i < 2 ? s[j] + x[j] : s[j] * x[j];
        close(s, m.run(Map.of("x0", x0, "s0", s0, "M", Tensor.of(new long[] {5}).reshape())).get("y"), 1e-6, "nested");
    }

    @Test
    void subgraphOutputsMayBeOuterValuesOrTheirOwnInputsUnchanged() throws Exception {
        // If: then returns the outer x itself (a branch with no node), else x + x. Loop: the body returns its condition
        // input as its condition output and adds the If's output y (x when c holds) to the carried value, so the Loop, listed
        // first in the file, must run after the If; the scan output is the iteration number, a body input returned as is.
        OnnxWriter.Graph then = new OnnxWriter.Graph().output("x");
        OnnxWriter.Graph otherwise = new OnnxWriter.Graph().output("xx").node("Add", "dbl", List.of("x", "x"), List.of("xx"));
        OnnxWriter.Graph body = new OnnxWriter.Graph().typedInput("i", OnnxFile.INT64).typedInput("c_in", OnnxFile.BOOL).typedInput("s", OnnxFile.FLOAT)
                .typedOutput("c_in", OnnxFile.BOOL).typedOutput("s2", OnnxFile.FLOAT).typedOutput("i", OnnxFile.INT64)
                .node("Add", "acc", List.of("s", "y"), List.of("s2"));
        OnnxModel m = load(new OnnxWriter.Graph().input("x", 2).typedInput("c", OnnxFile.BOOL).typedInput("M", OnnxFile.INT64).output("y", 2)
                .typedOutput("total", OnnxFile.FLOAT).typedOutput("steps", OnnxFile.INT64)
                .node("Loop", "loop", List.of("M", "c", "x"), List.of("total", "steps"), attrGraph("body", body))
                .node("If", "if", List.of("c"), List.of("y"), attrGraph("then_branch", then), attrGraph("else_branch", otherwise)).model(13));
        Tensor x = Tensor.of(new float[] {1.5f, -2}, 2), yes = Tensor.of(new boolean[] {true}).reshape(), m3 = Tensor.of(new long[] {3}).reshape();
        Map<String, Tensor> out = m.run(Map.of("x", x, "c", yes, "M", m3));
        close(new double[] {1.5, -2}, out.get("y"), 0, "then: x itself");
        close(new double[] {1.5 * 4, -2 * 4}, out.get("total"), 1e-6, "x + 3 x");
        assertArrayEquals(new long[] {0, 1, 2}, out.get("steps").toLongArray());
        Map<String, Tensor> no = m.run(Map.of("x", x, "c", Tensor.of(new boolean[] {false}).reshape(), "M", m3));
        close(new double[] {3, -4}, no.get("y"), 0, "else: x + x");
        close(new double[] {1.5, -2}, no.get("total"), 0, "no iteration: the initial value");
        assertArrayEquals(new int[] {0}, no.get("steps").shape(), "no iteration: an empty scan output");
    }

    private String loadError(byte[] bytes) {
        return assertThrows(OnnxException.class, () -> load(bytes)).getMessage();
    }

    @Test
    void whatIsNotSupportedFailsAtLoadInOneLineNamingNodeOpAndOpset() {
        String e = loadError(ifModel(10));
        assertTrue(e.contains("node 'if' (op If, opset 10): If is supported from opset 11"), e);
        e = loadError(loopModel(false, false, OnnxFile.FLOAT));
        assertTrue(e.contains("node 'loop' (op Loop, opset 13): neither a trip count M nor a condition"), e);
        OnnxWriter.Graph shortBody = new OnnxWriter.Graph().typedInput("i", OnnxFile.INT64).typedInput("c", OnnxFile.BOOL).typedOutput("c", OnnxFile.BOOL);
        e = loadError(new OnnxWriter.Graph().input("s0", 3).typedInput("M", OnnxFile.INT64).output("y", 3)
                .node("Loop", "loop", List.of("M", "", "s0"), List.of("y"), attrGraph("body", shortBody)).model(13));
        assertTrue(e.contains("(op Loop, opset 13): the body has 2 inputs; it should take the iteration number, the condition and the 1 loop-carried values"), e);
        OnnxWriter.Graph odd = new OnnxWriter.Graph().output("yt").node("Foo", "strange", List.of("x"), List.of("yt"));
        OnnxWriter.Graph plain = new OnnxWriter.Graph().output("ye").node("Neg", "n", List.of("x"), List.of("ye"));
        e = loadError(new OnnxWriter.Graph().input("x", 3).typedInput("c", OnnxFile.BOOL).output("y", 3)
                .node("If", "if", List.of("c"), List.of("y"), attrGraph("then_branch", odd), attrGraph("else_branch", plain)).model(13));
        assertTrue(e.contains("node 'if' (op If)") && e.contains("node 'strange' (op Foo, opset 13): Foo is not supported"), e);
        assertEquals(1, e.lines().count(), e);
        OnnxWriter.Graph ghost = new OnnxWriter.Graph().output("yt").node("Neg", "n", List.of("ghost"), List.of("yt"));
        e = loadError(new OnnxWriter.Graph().input("x", 3).typedInput("c", OnnxFile.BOOL).output("y", 3)
                .node("If", "if", List.of("c"), List.of("y"), attrGraph("then_branch", ghost), attrGraph("else_branch", plain)).model(13));
        assertTrue(e.contains("node 'if' (op If) reads 'ghost', which no node, input or initializer provides"), e);
        e = loadError(new OnnxWriter.Graph().input("x", 3).typedInput("c", OnnxFile.BOOL).output("y", 3)
                .node("If", "if", List.of("c"), List.of("y"), attrGraph("then_branch", plain)).model(13));
        assertTrue(e.contains("attribute 'else_branch' (a graph) is required"), e);
    }
}
