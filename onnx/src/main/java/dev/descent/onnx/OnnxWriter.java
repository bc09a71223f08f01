package dev.descent.onnx;

import dev.descent.core.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX writing on top of {@link ProtoWriter} (used by {@link OnnxExport} and by tests that build files by hand), with
 * the field numbers of onnx.proto: ModelProto (ir_version 1,
 * graph 7, opset_import 8), GraphProto (node 1, name 2, initializer 5, input 11, output 12), NodeProto (input 1, output 2,
 * name 3, op_type 4, attribute 5, domain 7), AttributeProto (name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9,
 * type 20), TensorProto (dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9, double_data 10),
 * ValueInfoProto (name 1, type 2), TypeProto (tensor_type 1), TypeProto.Tensor (elem_type 1, shape 2),
 * TensorShapeProto (dim 1), Dimension (dim_value 1, dim_param 2), OperatorSetIdProto (domain 1, version 2),
 * ModelProto's producer_name 2 and producer_version 3.
 */
final class OnnxWriter {
    private OnnxWriter() {}

    /** A TensorProto with raw_data (float32, float64, int64, bool). */
    static ProtoWriter tensor(String name, Tensor t) {
        ProtoWriter p = new ProtoWriter();
        for (int d : t.shape()) p.varint(1, d);
        int n = t.numel();
        ByteBuffer b;
        switch (t.dtype()) {
            case FLOAT32 -> {
                p.varint(2, OnnxFile.FLOAT);
                b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : t.contiguous().toFloatArray()) b.putFloat(f);
            }
            case FLOAT64 -> {
                p.varint(2, OnnxFile.DOUBLE);
                b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (double f : t.contiguous().toDoubleArray()) b.putDouble(f);
            }
            case INT64 -> {
                p.varint(2, OnnxFile.INT64);
                b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (long f : t.contiguous().toLongArray()) b.putLong(f);
            }
            case BOOL -> {
                p.varint(2, OnnxFile.BOOL);
                b = ByteBuffer.allocate(n);
                for (boolean f : t.contiguous().toBooleanArray()) b.put((byte) (f ? 1 : 0));
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "' is " + t.dtype() + ": ONNX writing takes float32, float64, int64 and bool");
        }
        p.string(8, name);
        return p.bytes(9, b.array());
    }

    /** The tensor with its values in float_data (packed) instead of raw_data. */
    static ProtoWriter tensorTyped(String name, float[] data, long... dims) {
        ProtoWriter p = new ProtoWriter();
        p.packedVarints(1, dims).varint(2, OnnxFile.FLOAT).packedFloats(4, data).string(8, name);
        return p;
    }

    static ProtoWriter attrInt(String name, long v) {
        return new ProtoWriter().string(1, name).varint(20, 2).varint(3, v);
    }

    static ProtoWriter attrFloat(String name, float v) {
        return new ProtoWriter().string(1, name).varint(20, 1).fixed32(2, v);
    }

    static ProtoWriter attrString(String name, String v) {
        return new ProtoWriter().string(1, name).varint(20, 3).string(4, v);
    }

    static ProtoWriter attrInts(String name, long... v) {
        return new ProtoWriter().string(1, name).varint(20, 7).packedVarints(8, v);
    }

    static ProtoWriter attrFloats(String name, float... v) {
        return new ProtoWriter().string(1, name).varint(20, 6).packedFloats(7, v);
    }

    static ProtoWriter attrStrings(String name, String... v) {
        ProtoWriter p = new ProtoWriter().string(1, name).varint(20, 8);
        for (String s : v) p.string(9, s);
        return p;
    }

    static ProtoWriter attrTensor(String name, Tensor t) {
        return new ProtoWriter().string(1, name).varint(20, 4).message(5, tensor("", t));
    }

    /** A GRAPH attribute (AttributeProto g = 6, type GRAPH = 5): a subgraph of If or Loop. */
    static ProtoWriter attrGraph(String name, Graph g) {
        return new ProtoWriter().string(1, name).varint(20, 5).message(6, g.proto());
    }

    /** A NodeProto; attributes are AttributeProto writers. */
    static ProtoWriter node(String op, String name, List<String> inputs, List<String> outputs, ProtoWriter... attrs) {
        ProtoWriter p = new ProtoWriter();
        for (String in : inputs) p.string(1, in);
        for (String out : outputs) p.string(2, out);
        p.string(3, name).string(4, op);
        for (ProtoWriter a : attrs) p.message(5, a);
        return p;
    }

    /** A float tensor ValueInfoProto; a negative dim is written as the symbolic "N"; no dims: no shape declared (not a scalar). */
    static ProtoWriter valueInfo(String name, long... dims) {
        String[] symbols = new String[dims.length];
        for (int k = 0; k < dims.length; k++) if (dims[k] < 0) symbols[k] = "N";
        return valueInfo(name, OnnxFile.FLOAT, dims, symbols);
    }

    /** A tensor ValueInfoProto of the given element type; dim k is the symbol {@code symbols[k]} when that is not null, else {@code dims[k]}; no dims: no shape declared. */
    static ProtoWriter valueInfo(String name, int elemType, long[] dims, String[] symbols) {
        ProtoWriter shape = new ProtoWriter();
        for (int k = 0; k < dims.length; k++) {
            shape.message(1, symbols[k] != null ? new ProtoWriter().string(2, symbols[k]) : new ProtoWriter().varint(1, dims[k]));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType);
        if (dims.length > 0) tensorType.message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    /** The ONNX element type (TensorProto.DataType) of a Descent dtype: FLOAT, DOUBLE, INT64 or BOOL. */
    static int elemType(dev.descent.core.DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> OnnxFile.FLOAT;
            case FLOAT64 -> OnnxFile.DOUBLE;
            case INT64 -> OnnxFile.INT64;
            case BOOL -> OnnxFile.BOOL;
            default -> throw new IllegalArgumentException("no ONNX element type for " + dtype + " (float32, float64, int64, bool)");
        };
    }

    /** A graph builder. */
    static final class Graph {
        final List<ProtoWriter> nodes = new ArrayList<>(), inits = new ArrayList<>(), inputs = new ArrayList<>(), outputs = new ArrayList<>();

        Graph node(String op, String name, List<String> in, List<String> out, ProtoWriter... attrs) {
            nodes.add(OnnxWriter.node(op, name, in, out, attrs));
            return this;
        }

        Graph init(String name, Tensor t) {
            inits.add(tensor(name, t));
            return this;
        }

        Graph input(String name, long... dims) {
            inputs.add(valueInfo(name, dims));
            return this;
        }

        Graph output(String name, long... dims) {
            outputs.add(valueInfo(name, dims));
            return this;
        }

        /** An input of the given element type whose shape is not declared. */
        Graph typedInput(String name, int elemType) {
            inputs.add(valueInfo(name, elemType, new long[0], new String[0]));
            return this;
        }

        /** An output of the given element type and static dims (none: no shape declared). */
        Graph typedOutput(String name, int elemType, long... dims) {
            outputs.add(valueInfo(name, elemType, dims, new String[dims.length]));
            return this;
        }

        ProtoWriter proto() {
            ProtoWriter g = new ProtoWriter();
            for (ProtoWriter n : nodes) g.message(1, n);
            g.string(2, "test");
            for (ProtoWriter t : inits) g.message(5, t);
            for (ProtoWriter t : inputs) g.message(11, t);
            for (ProtoWriter t : outputs) g.message(12, t);
            return g;
        }

        /** The ModelProto's bytes: ir_version 8, producer "descent-test", the graph, then opset_import of the default domain. */
        byte[] model(long opset) {
            return model(8, "descent-test", "", "test", opset).toByteArray();
        }

        /** The ModelProto: ir_version, producer name and version, the graph (named {@code graphName}), opset_import of the default domain. */
        ProtoWriter model(long irVersion, String producer, String producerVersion, String graphName, long opset) {
            ProtoWriter g = new ProtoWriter();
            for (ProtoWriter n : nodes) g.message(1, n);
            g.string(2, graphName);
            for (ProtoWriter t : inits) g.message(5, t);
            for (ProtoWriter t : inputs) g.message(11, t);
            for (ProtoWriter t : outputs) g.message(12, t);
            ProtoWriter m = new ProtoWriter().varint(1, irVersion).string(2, producer);
            if (!producerVersion.isEmpty()) m.string(3, producerVersion);
            return m.message(7, g).message(8, new ProtoWriter().string(1, "").varint(2, opset));
        }
    }

}
