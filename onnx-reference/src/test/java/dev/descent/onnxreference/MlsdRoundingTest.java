package dev.descent.onnxreference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.bench.speed.PublishedOnnxModels;
import dev.descent.bench.speed.PublishedOnnxModels.Model;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.onnx.OnnxFile;
import dev.descent.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whose rounding M-LSD's spread is: Descent in float32, ONNX Runtime with and without its graph optimizations, each
 * against Descent running the same model in float64 (every float initializer, Constant and graph input converted, Cast
 * to float32 turned into Cast to float64), the answer without float32 rounding. The norm is OnnxRuntimeAgreementTest's:
 * {@code max |a − b| / max |reference|} per output. Measured (ONNX Runtime 1.22, one thread):
 *
 * <pre>
 *                          distance to float64                         Descent vs ORT      ORT opt
 *                          Descent f32  ORT optimized  ORT unoptimized  optimized  unopt.   vs unopt.
 * random        offsets    1.79e-4      2.16e-4        2.28e-4          1.93e-4    3.21e-4  3.54e-4
 * random        scores     4.15e-5      1.72e-3        8.81e-4          1.72e-3    8.81e-4  1.72e-3
 * drawn lines   offsets    1.02e-3      5.68e-4        7.82e-4          4.49e-4    2.41e-4  2.15e-4
 * drawn lines   scores     7.95e-6      1.95e-5        1.12e-5          1.66e-5    4.99e-6  1.66e-5
 * </pre>
 *
 * So the spread is no one's in particular: every float32 answer lies 2e-4 to 1e-3 from the float64 one, the three are
 * nearer each other than any is to it, and Descent does not agree with unoptimized ONNX Runtime to 1e-4 (2.4e-4 to
 * 8.8e-4), so that is no better reference than the optimized one. The test holds that Descent's float32 answer lies
 * within 2e-3 of float64 and within twice the further of ONNX Runtime's two distances.
 */
class MlsdRoundingTest {
    /** The model with every float32 value and type made float64 (subgraphs too). */
    static OnnxFile.Model toFloat64(OnnxFile.Model m) {
        return new OnnxFile.Model(m.irVersion(), m.producerName(), m.producerVersion(), m.opsets(), graph64(m.graph()));
    }

    private static Tensor t64(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.to(DType.FLOAT64) : t;
    }

    private static OnnxFile.ValueInfo v64(OnnxFile.ValueInfo v) {
        return v.elemType() == 1 ? new OnnxFile.ValueInfo(v.name(), 11, v.shape()) : v;
    }

    private static OnnxFile.Graph graph64(OnnxFile.Graph g) {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        g.initializers().forEach((k, v) -> inits.put(k, t64(v)));
        List<OnnxFile.Node> nodes = new ArrayList<>();
        for (OnnxFile.Node n : g.nodes()) {
            Map<String, OnnxFile.Attribute> attrs = new LinkedHashMap<>();
            for (OnnxFile.Attribute a : n.attributes().values()) {
                Object v = a.value();
                if (v instanceof Tensor t) v = t64(t);
                if (v instanceof OnnxFile.Graph sub) v = graph64(sub);
                if (n.opType().equals("Cast") && a.name().equals("to") && Long.valueOf(1).equals(v)) v = 11L;
                attrs.put(a.name(), new OnnxFile.Attribute(a.name(), a.type(), v));
            }
            nodes.add(new OnnxFile.Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attrs));
        }
        return new OnnxFile.Graph(g.name(), nodes, inits, g.inputs().stream().map(MlsdRoundingTest::v64).toList(),
                g.outputs().stream().map(MlsdRoundingTest::v64).toList());
    }

    private static double norm(double[] a, double[] ref) {
        double diff = 0, max = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - ref[i]));
            max = Math.max(max, Math.abs(ref[i]));
        }
        return diff / Math.max(max, Double.MIN_NORMAL);
    }

    private static double[] d(float[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    @Test
    void mlsdInFloat64SaysWhoseRoundingTheSpreadIs() throws Exception {
        Model m = PublishedOnnxModels.MLSD;
        Path dir = PublishedOnnxModels.folder().orElse(null);
        assumeTrue(dir != null && m.find(dir).isPresent(), "DESCENT_ONNX_MODELS does not hold " + m.file() + ": skipped");
        Path f = m.find(dir).get();
        OnnxFile.Model file = OnnxFile.read(f);
        OnnxModel d32 = OnnxModel.of(f.toString(), file), d64 = OnnxModel.of(f + " (float64)", toFloat64(file));
        try (OrtModel opt = new OrtModel(f, 1, true); OrtModel plain = new OrtModel(f, 1, false)) {
            Map<String, float[]> inputs = new LinkedHashMap<>();
            inputs.put("random", m.randomInput(1, 15));
            inputs.put("drawn lines", RealInputs.hwc(RealInputs.lines(320), true));
            for (Map.Entry<String, float[]> in : inputs.entrySet()) {
                float[] x = in.getValue();
                int[] shape = m.shape(1);
                Map<String, Tensor> r32, r64;
                try (var g = GradMode.noGrad()) {
                    r32 = d32.run(Map.of(d32.inputNames().get(0), Tensor.of(x.clone(), shape)));
                    r64 = d64.run(Map.of(d64.inputNames().get(0), Tensor.of(x.clone(), shape).to(DType.FLOAT64)));
                }
                Map<String, OrtModel.Output> o = opt.run(x, shape), p = plain.run(x, shape);
                for (String name : o.keySet()) {
                    double[] exact = r64.get(name).contiguous().toDoubleArray();
                    double[] ours = d(r32.get(name).contiguous().toFloatArray()), ortOpt = d(o.get(name).values()), ortPlain = d(p.get(name).values());
                    double dx = norm(ours, exact), ox = norm(ortOpt, exact), px = norm(ortPlain, exact);
                    System.out.printf(Locale.ROOT, "mlsd %s %s: vs float64 — Descent f32 %.3g, ORT optimized %.3g, ORT unoptimized %.3g;"
                            + " Descent vs ORT optimized %.3g, vs unoptimized %.3g; ORT optimized vs unoptimized %.3g%n",
                            in.getKey(), name, dx, ox, px, norm(ours, ortOpt), norm(ours, ortPlain), norm(ortOpt, ortPlain));
                    assertTrue(dx < 2e-3, in.getKey() + " " + name + ": Descent f32 is " + dx + " from float64");
                    assertTrue(dx <= 2 * Math.max(ox, px), in.getKey() + " " + name + ": Descent f32 is " + dx + " from float64, ONNX Runtime " + ox
                            + " optimized and " + px + " unoptimized");
                }
            }
        }
    }
}
