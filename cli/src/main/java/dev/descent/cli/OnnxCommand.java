package dev.descent.cli;

import dev.descent.bench.report.Count;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Npy;
import dev.descent.onnx.OnnxException;
import dev.descent.onnx.OnnxFile;
import dev.descent.onnx.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent onnx}: look into an ONNX model ({@code info}), run it on {@code .npy} inputs ({@code run}), write a trained model as one ({@code export}). */
@Command(name = "onnx", mixinStandardHelpOptions = true, description = "Inspect, run and export ONNX models (pure Java, no native runtime).",
        subcommands = {OnnxCommand.Info.class, OnnxCommand.Run.class, OnnxExportCommand.class})
final class OnnxCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "descent onnx needs a subcommand: info, run or export");
    }

    /** ONNX's element type numbers (TensorProto.DataType) as numpy-like names. */
    static String typeName(int elem) {
        return switch (elem) {
            case 0 -> "?";
            case 1 -> "float32";
            case 2 -> "uint8";
            case 3 -> "int8";
            case 4 -> "uint16";
            case 5 -> "int16";
            case 6 -> "int32";
            case 7 -> "int64";
            case 8 -> "string";
            case 9 -> "bool";
            case 10 -> "float16";
            case 11 -> "float64";
            case 12 -> "uint32";
            case 13 -> "uint64";
            case 16 -> "bfloat16";
            default -> "type " + elem;
        };
    }

    static String shape(OnnxFile.ValueInfo v) {
        if (v.shape() == null) return "(shape not declared)";
        List<String> dims = new ArrayList<>();
        for (OnnxFile.Dim d : v.shape()) dims.add(d.value() >= 0 ? Long.toString(d.value()) : d.param().isEmpty() ? "?" : d.param());
        return "[" + String.join(",", dims) + "]";
    }

    /** {@code descent onnx info MODEL}. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Print an ONNX model's inputs, outputs, opsets, op counts and parameter count, and whether Descent runs it.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "MODEL", description = "the .onnx file")
        Path file;

        @Override
        public Integer call() throws IOException {
            OnnxFile.Model m = OnnxFile.read(file);
            OnnxFile.Graph g = m.graph();
            System.out.println("model: " + file);
            System.out.println("producer: " + (m.producerName().isEmpty() ? "(none)" : (m.producerName() + " " + m.producerVersion()).trim()) + ", IR version " + m.irVersion());
            List<String> opsets = new ArrayList<>();
            m.opsets().forEach((domain, v) -> opsets.add((domain.isEmpty() ? "ai.onnx" : domain) + " " + v));
            System.out.println("opset: " + String.join(", ", opsets));
            System.out.println("inputs:");
            for (OnnxFile.ValueInfo v : g.inputs()) {
                if (g.initializers().containsKey(v.name())) continue;
                System.out.println("  " + v.name() + "  " + typeName(v.elemType()) + " " + shape(v));
            }
            System.out.println("outputs:");
            for (OnnxFile.ValueInfo v : g.outputs()) System.out.println("  " + v.name() + "  " + typeName(v.elemType()) + " " + shape(v));
            Map<String, Integer> ops = new TreeMap<>();
            int inSubgraphs = countOps(g, ops) - g.nodes().size();
            System.out.println("ops (" + Count.of(g.nodes().size(), "node") + (inSubgraphs > 0 ? ", and " + Count.of(inSubgraphs, "node") + " in subgraphs" : "") + "):");
            for (Map.Entry<String, Integer> e : ops.entrySet()) System.out.println("  " + e.getKey() + "  " + e.getValue());
            long initElements = 0;
            for (Tensor t : g.initializers().values()) initElements += t.numel();
            try {
                OnnxModel model = OnnxModel.of(file.toString(), m);
                System.out.println("parameters: " + String.format("%,d", model.parameterCount()));
                System.out.println("runs in Descent: yes");
            } catch (OnnxException e) {
                System.out.println("parameters: " + String.format("%,d", initElements) + " (initializer elements; weights in Constant nodes not counted)");
                System.out.println("runs in Descent: no — " + e.getMessage());
            }
            return 0;
        }
    }

    /** Counts the ops of a graph and of its nodes' subgraphs (If's branches, Loop's body) into {@code ops}; returns the nodes counted. */
    static int countOps(OnnxFile.Graph g, Map<String, Integer> ops) {
        int n = 0;
        for (OnnxFile.Node node : g.nodes()) {
            ops.merge(node.domain().isEmpty() ? node.opType() : node.domain() + "." + node.opType(), 1, Integer::sum);
            n++;
            for (OnnxFile.Attribute a : node.attributes().values()) if (a.value() instanceof OnnxFile.Graph sub) n += countOps(sub, ops);
        }
        return n;
    }

    /** {@code descent onnx run MODEL --input NAME=FILE.npy ... --out DIR}. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = {"Run an ONNX model on .npy inputs and write one .npy file per output, in the output's own type.",
        "A floating-point input takes any floating-point file (float64 data for a float32 input is rounded, as numpy's astype); an integer input takes any "
        + "integer file whose values fit; bool takes bool. numpy has no bfloat16: a bfloat16 input takes floating-point data (rounded), and a bfloat16 "
        + "output is written as float32 (exact), unless --bf16-bits."})
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "MODEL", description = "the .onnx file")
        Path file;
        @Option(names = "--input", paramLabel = "NAME=FILE.npy", description = "an input of the model and the .npy file holding it; once per input")
        List<String> inputs = new ArrayList<>();
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write OUTPUT.npy into, one file per output of the model")
        Path out;
        @Option(names = "--bf16-bits", description = "bfloat16 inputs are read from, and bfloat16 outputs written as, uint16 (<u2) files of their bit patterns")
        boolean bf16Bits;

        @Override
        public Integer call() throws IOException {
            OnnxModel model = OnnxModel.read(file);
            Map<String, OnnxFile.ValueInfo> declared = new LinkedHashMap<>();
            for (OnnxFile.ValueInfo v : model.model().graph().inputs()) declared.put(v.name(), v);
            Map<String, Tensor> values = new LinkedHashMap<>();
            for (String spec : inputs) {
                int eq = spec.indexOf('=');
                if (eq <= 0 || eq == spec.length() - 1) throw new IllegalArgumentException("--input must be NAME=FILE.npy, got '" + spec + "'");
                String name = spec.substring(0, eq);
                Path npy = Path.of(spec.substring(eq + 1));
                if (!model.inputNames().contains(name)) throw new IllegalArgumentException("'" + name + "' is not an input of " + file + "; its inputs are " + model.inputNames());
                if (values.containsKey(name)) throw new IllegalArgumentException("input '" + name + "' is given twice");
                OnnxFile.ValueInfo v = declared.get(name);
                boolean bits = bf16Bits && v != null && v.elemType() == BFLOAT16;
                values.put(name, convert(bits ? Npy.readBfloat16Bits(npy) : Npy.read(npy), v, npy, bf16Bits));
            }
            List<String> missing = new ArrayList<>(model.inputNames());
            missing.removeAll(values.keySet());
            if (!missing.isEmpty()) throw new IllegalArgumentException("missing --input for " + String.join(", ", missing) + " (the model's inputs are " + model.inputNames() + ")");
            Map<String, Tensor> results;
            try (var g = GradMode.noGrad()) {
                results = model.run(values);
            }
            Files.createDirectories(out);
            Map<String, OnnxFile.ValueInfo> outputTypes = new LinkedHashMap<>();
            for (OnnxFile.ValueInfo v : model.model().graph().outputs()) outputTypes.put(v.name(), v);
            Set<String> used = new HashSet<>();
            for (Map.Entry<String, Tensor> e : results.entrySet()) {
                String base = e.getKey().replaceAll("[^A-Za-z0-9._-]", "_");
                if (base.isEmpty() || base.startsWith(".")) base = "_" + base;
                String name = base;
                for (int k = 2; !used.add(name.toLowerCase(java.util.Locale.ROOT)); k++) name = base + "_" + k;
                Path f = out.resolve(name + ".npy");
                Tensor t = e.getValue();
                OnnxFile.ValueInfo v = outputTypes.get(e.getKey());
                if (v != null && v.elemType() == INT32 && t.dtype() == DType.INT64) t = narrow(t, DType.INT32, "output '" + e.getKey() + "'"); // held as int64 inside
                String note = "";
                if (t.dtype() == DType.BFLOAT16 && bf16Bits) {
                    Npy.writeBfloat16Bits(f, t);
                    note = " (written as uint16 bit patterns)";
                } else {
                    if (t.dtype() == DType.BFLOAT16) {
                        t = t.to(DType.FLOAT32);
                        note = " (written as float32, exact: numpy has no bfloat16; --bf16-bits writes the bit patterns)";
                    }
                    Npy.write(f, t);
                }
                System.out.println("wrote " + f + "  " + e.getKey() + "  " + dtypeName(e.getValue().dtype() == DType.BFLOAT16 ? DType.BFLOAT16 : t.dtype()) + " "
                        + Shape.format(t.shape()) + note);
            }
            return 0;
        }

        private static String dtypeName(DType d) {
            return d.name().toLowerCase(java.util.Locale.ROOT);
        }

        private static final int UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, BFLOAT16 = 16;

        /**
         * The tensor as the model's input {@code v} takes it: the declared shape must fit; floating-point data converts to
         * a floating-point type (rounded), integer data to an integer type when every value fits (int32 is held as int64
         * inside the model), bool stays bool; anything else is an error naming the input, both types and both shapes.
         */
        private static Tensor convert(Tensor t, OnnxFile.ValueInfo v, Path npy, boolean bf16Bits) {
            if (v == null) return t;
            String given = npy + " holds " + dtypeName(t.dtype()) + " " + Shape.format(t.shape());
            String declared = "input '" + v.name() + "': the model declares " + typeName(v.elemType()) + " " + shape(v) + ", " + given;
            if (v.shape() != null) {
                int[] s = t.shape();
                boolean fits = s.length == v.shape().size();
                for (int k = 0; fits && k < s.length; k++) fits = v.shape().get(k).value() < 0 || v.shape().get(k).value() == s[k];
                if (!fits) throw new IllegalArgumentException(declared + " (another shape)");
            }
            if (v.elemType() == 0) return t; // type not declared: as read
            DType want = switch (v.elemType()) {
                case 1 -> DType.FLOAT32;
                case 11 -> DType.FLOAT64;
                case FLOAT16 -> DType.FLOAT16;
                case BFLOAT16 -> DType.BFLOAT16;
                case INT32, INT64 -> DType.INT64; // the importer holds int32 as int64
                case INT8 -> DType.INT8;
                case UINT8 -> DType.UINT8;
                case BOOL -> DType.BOOL;
                default -> throw new IllegalArgumentException(declared + ": Descent does not run " + typeName(v.elemType()) + " inputs");
            };
            if (want.isFloatingPoint()) {
                if (!t.dtype().isFloatingPoint()) {
                    throw new IllegalArgumentException(declared + ": floating-point data expected (a.astype(np." + (want == DType.BFLOAT16 ? "float32" : typeName(v.elemType())) + "))");
                }
                if (want == DType.BFLOAT16 && bf16Bits && t.dtype() != DType.BFLOAT16) throw new IllegalArgumentException(declared + ": --bf16-bits reads bfloat16 inputs from uint16 files only");
                return t.dtype() == want ? t : t.to(want);
            }
            if (want == DType.BOOL) {
                if (t.dtype() != DType.BOOL) throw new IllegalArgumentException(declared + ": bool data expected (a.astype(np.bool_))");
                return t;
            }
            if (t.dtype().isFloatingPoint() || t.dtype() == DType.BOOL) {
                throw new IllegalArgumentException(declared + ": integer data expected (a.astype(np." + typeName(v.elemType()) + "))");
            }
            return v.elemType() == INT32 ? narrow(t, DType.INT32, "input '" + v.name() + "' from " + npy).to(DType.INT64) : narrow(t, want, "input '" + v.name() + "' from " + npy);
        }

        /** An integer tensor converted to the integer type {@code to}, when every value fits it. */
        private static Tensor narrow(Tensor t, DType to, String what) {
            if (t.dtype() == to) return t;
            long lo = switch (to) { case INT8 -> Byte.MIN_VALUE; case UINT8 -> 0; case INT32 -> Integer.MIN_VALUE; default -> Long.MIN_VALUE; };
            long hi = switch (to) { case INT8 -> Byte.MAX_VALUE; case UINT8 -> 255; case INT32 -> Integer.MAX_VALUE; default -> Long.MAX_VALUE; };
            long[] a = t.contiguous().toLongArray();
            for (int k = 0; k < a.length; k++) {
                if (a[k] < lo || a[k] > hi) {
                    throw new IllegalArgumentException(what + ": value " + a[k] + " (element " + k + " of " + Shape.format(t.shape()) + ") does not fit "
                            + dtypeName(to) + " [" + lo + ", " + hi + "]");
                }
            }
            return t.to(to);
        }
    }
}
