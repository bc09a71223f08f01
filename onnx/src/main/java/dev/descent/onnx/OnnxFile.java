package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contents of an ONNX model file ({@code onnx.proto}'s ModelProto), read with Descent's own protobuf
 * reader: the graph's nodes with their attributes, the initializers as tensors, the inputs and outputs with
 * their declared shapes, and the opsets the model imports. Fields this reader does not use are skipped.
 *
 * <p>The reader trusts nothing: every length is checked against the bytes left before anything is allocated;
 * a tensor's dims must be non-negative, their product must fit an int, and its data must hold exactly that
 * many elements, so nothing is allocated beyond the file's size; nested messages are bounded. Each violation is
 * a {@link FileFormatException} naming the file, the byte offset and what was expected there.
 *
 * <p>Tensor data types: FLOAT (float32), DOUBLE (float64), INT64, INT32 (widened to int64, the integer type ONNX
 * shape arithmetic runs in here), BOOL, FLOAT16 and BFLOAT16 (kept as Descent's half dtypes, bit for bit), INT8 and
 * UINT8 (kept as Descent's INT8 and UINT8), from {@code raw_data} or the typed fields ({@code float_data},
 * {@code double_data}, {@code int64_data}, {@code int32_data}; as the ONNX specification says, {@code int32_data}
 * holds the 16-bit patterns of FLOAT16 and BFLOAT16 and the values of INT8, UINT8 and BOOL), or from an external data file in the model's folder (a relative
 * location that stays inside it; offset and length within the file). Other data types are refused with a
 * {@link FileFormatException}.
 */
public final class OnnxFile {
    private OnnxFile() {}

    /** Files larger than this are refused: protobuf's own limit for one message (2 GiB). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /** ONNX's element type numbers used here (TensorProto.DataType). */
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;

    /**
     * A model: its IR version, producer, imported opsets and main graph.
     *
     * @param irVersion the IR version of the format
     * @param producerName the tool that wrote the file (empty when absent)
     * @param producerVersion its version (empty when absent)
     * @param opsets the imported opset version by domain ({@code ""} is the default {@code ai.onnx} domain), unmodifiable
     * @param graph the main graph
     */
    public record Model(long irVersion, String producerName, String producerVersion, Map<String, Long> opsets, Graph graph) {}

    /**
     * A graph: nodes in file order, initializers by name, and the declared inputs and outputs.
     *
     * @param name the graph's name (empty when absent)
     * @param nodes the nodes in file order (unmodifiable)
     * @param initializers the constant tensors by name, in file order (unmodifiable)
     * @param inputs the declared inputs, which may include initializers' names (unmodifiable)
     * @param outputs the declared outputs (unmodifiable)
     */
    public record Graph(String name, List<Node> nodes, Map<String, Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs) {}

    /**
     * A named value's declared type.
     *
     * @param name the value's name
     * @param elemType the ONNX element type number (1 float, 7 int64, …), 0 when not a tensor or not declared
     * @param shape one entry per dimension, or null when the shape is not declared
     */
    public record ValueInfo(String name, int elemType, List<Dim> shape) {}

    /**
     * One dimension of a declared shape.
     *
     * @param value the size, or -1 when symbolic or unknown
     * @param param the symbolic name ({@code "N"}, {@code "batch"}), or empty
     */
    public record Dim(long value, String param) {}

    /**
     * A node of the graph: an operator applied to named values.
     *
     * @param name the node's name (empty when absent)
     * @param opType the operator ({@code "Conv"}, {@code "Relu"}, …)
     * @param domain the operator's domain ({@code ""} for {@code ai.onnx})
     * @param inputs the input value names; an empty name is an omitted optional input (unmodifiable)
     * @param outputs the output value names (unmodifiable)
     * @param attributes the attributes by name, in file order (unmodifiable)
     */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {}

    /** The type of an attribute's value (AttributeProto.AttributeType). */
    public enum AttributeType {
        /** No type given. */
        UNDEFINED,
        /** One float32. */
        FLOAT,
        /** One int64. */
        INT,
        /** One string. */
        STRING,
        /** One tensor. */
        TENSOR,
        /** A graph: a subgraph of a control-flow op ({@code If}'s branches, {@code Loop}'s body). */
        GRAPH,
        /** A list of float32. */
        FLOATS,
        /** A list of int64. */
        INTS,
        /** A list of strings. */
        STRINGS,
        /** A list of tensors (not read). */
        TENSORS,
        /** A list of graphs (not read). */
        GRAPHS,
        /** A sparse tensor (not read). */
        SPARSE_TENSOR,
        /** A list of sparse tensors (not read). */
        SPARSE_TENSORS,
        /** A type (not read). */
        TYPE_PROTO,
        /** A list of types (not read). */
        TYPE_PROTOS;

        static AttributeType of(int code) {
            return code >= 0 && code < values().length ? values()[code] : UNDEFINED;
        }
    }

    /**
     * A node's attribute.
     *
     * @param name the attribute's name
     * @param type its type
     * @param value a {@code Float}, {@code Long}, {@code String}, {@link Tensor}, {@link Graph}, {@code float[]}, {@code long[]}
     *        or {@code List<String>} by type; null for the types this reader does not read
     */
    public record Attribute(String name, AttributeType type, Object value) {}

    /**
     * Reads an ONNX model file.
     *
     * @param file the {@code .onnx} file
     * @return the model
     * @throws FileFormatException naming the file, the byte offset and what was expected, when the file is not a
     *         valid ONNX model or uses what this reader does not support (data types, external data)
     * @throws IOException when the file cannot be read
     */
    public static Model read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new FileFormatException(file, 0, "a file of at most " + MAX_FILE_BYTES + " bytes (protobuf's limit)", size + " bytes");
        byte[] bytes = Files.readAllBytes(file);
        return read(file, bytes);
    }

    /**
     * Reads an ONNX model from bytes.
     *
     * @param file the name to give in errors
     * @param bytes the file's contents (not copied: tensors are copied out of it)
     * @return the model
     * @throws FileFormatException when the bytes are not a valid ONNX model, as {@link #read(Path)}
     */
    public static Model read(Path file, byte[] bytes) throws FileFormatException {
        return read(file, bytes, new External(file));
    }

    /**
     * Reads an ONNX model held in memory (a class-path resource, a download), which has no folder: a tensor whose data
     * is in an external file is refused, naming it.
     *
     * @param name the name to give in errors
     * @param bytes the model's bytes (not copied: tensors are copied out of them)
     * @return the model
     * @throws FileFormatException when the bytes are not a valid ONNX model, as {@link #read(Path)}, or name external data
     */
    public static Model read(String name, byte[] bytes) throws FileFormatException {
        return read(Path.of(name), bytes, new External(null));
    }

    private static Model read(Path file, byte[] bytes, External ext) throws FileFormatException {
        ProtoReader r = ProtoReader.of(file, bytes, "ModelProto");
        long ir = 0;
        String producer = "", producerVersion = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> ir = r.varint("ir_version");
                case 2 -> producer = r.string("producer_name");
                case 3 -> producerVersion = r.string("producer_version");
                case 7 -> {
                    int at = r.keyOffset();
                    if (graph != null) throw r.error(at, "one graph in ModelProto", "a second");
                    graph = graph(r.message("graph", "GraphProto"), ext);
                }
                case 8 -> {
                    ProtoReader o = r.message("opset_import", "OperatorSetIdProto");
                    String domain = "";
                    long version = 0;
                    while (o.next()) {
                        switch (o.field()) {
                            case 1 -> domain = o.string("domain");
                            case 2 -> version = o.varint("version");
                            default -> o.skip();
                        }
                    }
                    if (domain.equals("ai.onnx")) domain = "";
                    opsets.put(domain, version);
                }
                default -> r.skip();
            }
        }
        if (graph == null) throw r.error(bytes.length, "a ModelProto with a graph (field 7)", "none");
        return new Model(ir, producer, producerVersion, Collections.unmodifiableMap(opsets), graph);
    }

    private static Graph graph(ProtoReader r, External ext) throws FileFormatException {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<ValueInfo> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> nodes.add(node(r.message("node", "NodeProto"), ext));
                case 2 -> name = r.string("name");
                case 5 -> {
                    int at = r.keyOffset();
                    Named t = tensor(r.message("initializer", "TensorProto"), ext);
                    if (t.name.isEmpty()) throw r.error(at, "a name for every initializer", "none");
                    if (inits.put(t.name, t.tensor) != null) throw r.error(at, "initializer names that are unique", "'" + t.name + "' twice");
                }
                case 11 -> inputs.add(valueInfo(r.message("input", "ValueInfoProto")));
                case 12 -> outputs.add(valueInfo(r.message("output", "ValueInfoProto")));
                default -> r.skip();
            }
        }
        return new Graph(name, List.copyOf(nodes), Collections.unmodifiableMap(inits), List.copyOf(inputs), List.copyOf(outputs));
    }

    private static Node node(ProtoReader r, External ext) throws FileFormatException {
        int start = r.position();
        String name = "", op = "", domain = "";
        List<String> in = List.of(), out = List.of();
        Map<String, Attribute> attrs = Map.of();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> (in = in.isEmpty() ? new ArrayList<>(2) : in).add(r.string("input"));
                case 2 -> (out = out.isEmpty() ? new ArrayList<>(1) : out).add(r.string("output"));
                case 3 -> name = r.string("name");
                case 4 -> op = r.string("op_type");
                case 7 -> domain = r.string("domain");
                case 5 -> {
                    int at = r.keyOffset();
                    Attribute a = attribute(r.message("attribute", "AttributeProto"), ext);
                    if (attrs.isEmpty()) attrs = new LinkedHashMap<>();
                    if (attrs.put(a.name(), a) != null) throw r.error(at, "attribute names that are unique in a node", "'" + a.name() + "' twice");
                }
                default -> r.skip();
            }
        }
        // Required by the format; refusing nameless nodes also bounds what a file of empty messages costs to read.
        if (op.isEmpty()) throw r.error(start, "an op_type in NodeProto", "none");
        if (domain.equals("ai.onnx")) domain = "";
        return new Node(name, op, domain, Collections.unmodifiableList(in), Collections.unmodifiableList(out), Collections.unmodifiableMap(attrs));
    }

    private static Attribute attribute(ProtoReader r, External ext) throws FileFormatException {
        String name = "";
        int type = 0;
        Float f = null;
        Long i = null;
        String s = null;
        Tensor t = null;
        Graph g = null;
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.LongList ints = new ProtoReader.LongList();
        List<String> strings = new ArrayList<>();
        int start = r.position();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string("name");
                case 20 -> type = r.int32("type");
                case 2 -> f = r.fixed32Float("f");
                case 3 -> i = r.varint("i");
                case 4 -> s = r.string("s");
                case 5 -> t = tensor(r.message("t", "TensorProto"), ext).tensor;
                case 6 -> {
                    // A subgraph; nesting is bounded by ProtoReader's depth limit (each level is graph, node, attribute).
                    int at = r.keyOffset();
                    if (g != null) throw r.error(at, "one graph in AttributeProto", "a second");
                    g = graph(r.message("g", "GraphProto"), ext);
                }
                case 7 -> r.repeatedFloat("floats", floats);
                case 8 -> r.repeatedVarint("ints", ints);
                case 9 -> strings.add(r.string("strings"));
                default -> r.skip();
            }
        }
        if (name.isEmpty()) throw r.error(start, "a name in AttributeProto", "none");
        AttributeType at = AttributeType.of(type);
        Object value = switch (at) {
            case FLOAT -> f;
            case INT -> i;
            case STRING -> s;
            case TENSOR -> t;
            case GRAPH -> g;
            case FLOATS -> floats.toArray();
            case INTS -> ints.toArray();
            case STRINGS -> List.copyOf(strings);
            default -> null;
        };
        if (value == null && switch (at) { case FLOAT, INT, STRING, TENSOR, GRAPH -> true; default -> false; }) {
            throw r.error(start, "a value for attribute '" + name + "' of type " + at, "none");
        }
        return new Attribute(name, at, value);
    }

    private static ValueInfo valueInfo(ProtoReader r) throws FileFormatException {
        int start = r.position();
        String name = "";
        int elem = 0;
        List<Dim> shape = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string("name");
                case 2 -> {
                    ProtoReader type = r.message("type", "TypeProto");
                    while (type.next()) {
                        if (type.field() == 1) {
                            ProtoReader tt = type.message("tensor_type", "TypeProto.Tensor");
                            while (tt.next()) {
                                switch (tt.field()) {
                                    case 1 -> elem = tt.int32("elem_type");
                                    case 2 -> shape = shape(tt.message("shape", "TensorShapeProto"));
                                    default -> tt.skip();
                                }
                            }
                        } else {
                            type.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        if (name.isEmpty()) throw r.error(start, "a name in ValueInfoProto", "none");
        return new ValueInfo(name, elem, shape);
    }

    private static final Dim UNKNOWN = new Dim(-1, "");

    private static List<Dim> shape(ProtoReader r) throws FileFormatException {
        List<Dim> dims = new ArrayList<>();
        while (r.next()) {
            if (r.field() != 1) {
                r.skip();
                continue;
            }
            ProtoReader d = r.message("dim", "TensorShapeProto.Dimension");
            long v = -1;
            String p = "";
            while (d.next()) {
                switch (d.field()) {
                    case 1 -> v = d.varint("dim_value");
                    case 2 -> p = d.string("dim_param");
                    default -> d.skip();
                }
            }
            dims.add(v < 0 && p.isEmpty() ? UNKNOWN : new Dim(v < 0 ? -1 : v, p));
        }
        return List.copyOf(dims);
    }

    private record Named(String name, Tensor tensor) {}

    private static Named tensor(ProtoReader r, External ext) throws FileFormatException {
        int start = r.position();
        ProtoReader.LongList dims = new ProtoReader.LongList(), int64 = new ProtoReader.LongList(), int32 = new ProtoReader.LongList();
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.DoubleList doubles = new ProtoReader.DoubleList();
        int type = 0, location = 0;
        String name = "";
        ByteBuffer raw = null;
        boolean external = false;
        Map<String, String> extEntries = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> r.repeatedVarint("dims", dims);
                case 2 -> type = r.int32("data_type");
                case 4 -> r.repeatedFloat("float_data", floats);
                case 5 -> r.repeatedVarint("int32_data", int32);
                case 7 -> r.repeatedVarint("int64_data", int64);
                case 8 -> name = r.string("name");
                case 9 -> raw = r.bytes("raw_data");
                case 10 -> r.repeatedDouble("double_data", doubles);
                case 13 -> {
                    external = true;
                    ProtoReader e = r.message("external_data", "StringStringEntryProto");
                    String key = "", value = "";
                    while (e.next()) {
                        switch (e.field()) {
                            case 1 -> key = e.string("key");
                            case 2 -> value = e.string("value");
                            default -> e.skip();
                        }
                    }
                    if (extEntries.put(key, value) != null) throw r.error(start, "external_data keys that are unique", "'" + key + "' twice");
                }
                case 14 -> location = r.int32("data_location");
                default -> r.skip();
            }
        }
        String what = "tensor '" + name + "'";
        int[] shape = new int[dims.n];
        long count = 1;
        for (int k = 0; k < dims.n; k++) {
            long d = dims.a[k];
            if (d < 0 || d > Integer.MAX_VALUE) throw r.error(start, "dims between 0 and 2^31-1 for " + what, Long.toString(d));
            shape[k] = (int) d;
            count *= d; // stays exact: the running product is checked below before the next factor can overflow
            if (count > Integer.MAX_VALUE) throw r.error(start, "at most 2^31-1 elements in " + what, "dims " + describe(dims));
        }
        int n = (int) count;
        int size = switch (type) {
            case FLOAT, INT32 -> 4;
            case INT64, DOUBLE -> 8;
            case FLOAT16, BFLOAT16 -> 2;
            case BOOL, INT8, UINT8 -> 1;
            default -> throw r.error(start, "data type FLOAT, DOUBLE, INT64, INT32, BOOL, FLOAT16, BFLOAT16, INT8 or UINT8 for " + what, "data type " + type);
        };
        int fromTyped = switch (type) {
            case FLOAT -> floats.n;
            case DOUBLE -> doubles.n;
            case INT64 -> int64.n;
            default -> int32.n; // INT32, BOOL, FLOAT16, BFLOAT16, INT8 and UINT8 are stored in int32_data
        };
        if (external || location == 1) {
            if (raw != null || fromTyped != 0) throw r.error(start, "either external data or data inside the file for " + what, "both");
            raw = ext.read(r, start, what, extEntries, (long) n * size);
        }
        if (raw != null) {
            if (raw.remaining() != (long) n * size) {
                throw r.error(start, n + " elements of " + size + " bytes (" + (long) n * size + " bytes of raw_data) for " + what + " of dims " + describe(dims),
                        raw.remaining() + " bytes");
            }
        } else if (fromTyped != n) {
            throw r.error(start, n + " elements in the typed data field for " + what + " of dims " + describe(dims), fromTyped + " elements");
        }
        Tensor t = switch (type) {
            case FLOAT -> {
                float[] a = raw == null ? floats.toArray() : new float[n];
                if (raw != null) raw.asFloatBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case DOUBLE -> {
                double[] a = raw == null ? doubles.toArray() : new double[n];
                if (raw != null) raw.asDoubleBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case INT64 -> {
                long[] a = raw == null ? int64.toArray() : new long[n];
                if (raw != null) raw.asLongBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case INT32 -> {
                long[] a = new long[n];
                for (int k = 0; k < n; k++) a[k] = raw == null ? (int) int32.a[k] : raw.getInt(4 * k);
                yield Tensor.of(a, n);
            }
            case FLOAT16, BFLOAT16 -> {
                short[] a = new short[n];
                for (int k = 0; k < n; k++) a[k] = raw == null ? (short) int32.a[k] : raw.getShort(2 * k); // the low 16 bits: the pattern
                yield Tensor.wrap(Storage.ofHalf(type == FLOAT16 ? DType.FLOAT16 : DType.BFLOAT16, a), 0, new int[] {n}, new int[] {1});
            }
            case INT8, UINT8 -> {
                byte[] a = new byte[n];
                for (int k = 0; k < n; k++) a[k] = raw == null ? (byte) int32.a[k] : raw.get(k);
                yield Tensor.wrap(Storage.ofBytes(type == INT8 ? DType.INT8 : DType.UINT8, a), 0, new int[] {n}, new int[] {1});
            }
            default -> {
                boolean[] a = new boolean[n];
                for (int k = 0; k < n; k++) a[k] = raw == null ? int32.a[k] != 0 : raw.get(k) != 0;
                yield Tensor.of(a, n);
            }
        };
        return new Named(name, t.reshape(shape));
    }

    /**
     * External data (TensorProto.data_location = EXTERNAL): bytes of a file in the model's folder, at an offset. The
     * location must be a relative path that stays inside the folder (symbolic links resolved); offset and length must
     * lie within the file; and all tensors together may read no more bytes than the data files hold, so overlapping
     * claims cannot multiply what is allocated.
     */
    private static final class External {
        private final Path model;
        private final Map<Path, Long> sizes = new LinkedHashMap<>();
        private long read;

        /** @param model the model's file, whose folder holds the external data; null for a model read from memory */
        External(Path model) {
            this.model = model;
        }

        ByteBuffer read(ProtoReader r, int at, String what, Map<String, String> entries, long expected) throws FileFormatException {
            String location = entries.get("location");
            if (location == null || location.isEmpty()) throw r.error(at, "a 'location' entry in external_data for " + what, "none");
            if (model == null) {
                throw r.error(at, "the data of " + what + " inside the model (it was read from memory, so there is no folder for external data files)",
                        "external data in '" + location + "'");
            }
            long offset = number(r, at, what, entries, "offset", 0), length = number(r, at, what, entries, "length", -1);
            Path dir = model.toAbsolutePath().getParent(), file;
            try {
                Path rel = Path.of(location);
                if (rel.isAbsolute() || rel.getRoot() != null) throw r.error(at, "a relative external data location for " + what, "'" + location + "'");
                file = dir.resolve(rel).normalize();
                if (!file.startsWith(dir)) throw r.error(at, "an external data location inside the model's folder for " + what, "'" + location + "'");
                Path realDir = dir.toRealPath(), real = file.toRealPath();
                if (!real.startsWith(realDir)) throw r.error(at, "an external data location inside the model's folder for " + what, "'" + location + "', a link to " + real);
                file = real;
            } catch (java.nio.file.InvalidPathException e) {
                throw r.error(at, "a valid external data location for " + what, "'" + location + "'");
            } catch (IOException e) {
                throw r.error(at, "a readable external data file for " + what, "'" + location + "' (" + e.getMessage() + ")");
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                long size = ch.size();
                if (offset > size) throw r.error(at, "an offset within external data file " + file + " (" + size + " bytes) for " + what, "offset " + offset);
                if (length < 0) length = expected; // no length: the tensor's own size, from the offset
                if (length > size - offset) {
                    throw r.error(at, "offset + length within external data file " + file + " (" + size + " bytes) for " + what, "offset " + offset + " and length " + length);
                }
                if (length != expected) {
                    throw r.error(at, expected + " bytes of external data for " + what + " (at offset " + offset + " of " + file + ")", length + " bytes");
                }
                sizes.putIfAbsent(file, size);
                long budget = 0;
                for (long s : sizes.values()) budget += s;
                if (read + length > budget) {
                    throw r.error(at, "tensors that together read at most the " + budget + " bytes of their external data files (" + what + " at offset " + offset
                            + " of " + file + ")", (read + length) + " bytes claimed");
                }
                read += length;
                ByteBuffer b = ByteBuffer.allocate((int) length);
                while (b.hasRemaining()) {
                    if (ch.read(b, offset + b.position()) < 0) throw r.error(at, length + " bytes at offset " + offset + " of " + file + " for " + what, "the end of the file");
                }
                return b.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw r.error(at, "a readable external data file " + file + " for " + what, e.toString());
            }
        }

        private static long number(ProtoReader r, int at, String what, Map<String, String> entries, String key, long dflt) throws FileFormatException {
            String v = entries.get(key);
            if (v == null) return dflt;
            try {
                long x = Long.parseLong(v.trim());
                if (x < 0) throw new NumberFormatException();
                return x;
            } catch (NumberFormatException e) {
                throw r.error(at, "a non-negative integer '" + key + "' in external_data for " + what, "'" + v + "'");
            }
        }
    }

    private static String describe(ProtoReader.LongList dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < dims.n; k++) sb.append(k > 0 ? ", " : "").append(dims.a[k]);
        return sb.append(']').toString();
    }
}
