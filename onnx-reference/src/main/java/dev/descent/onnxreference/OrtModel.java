package dev.descent.onnxreference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model loaded in ONNX Runtime (CPU, all graph optimizations, the given intra-op thread count, one inter-op
 * thread), run on one float32 input.
 */
public final class OrtModel implements AutoCloseable {
    /**
     * One output: its shape and values in row-major order.
     *
     * @param shape  the shape
     * @param values the values
     */
    public record Output(long[] shape, float[] values) {}

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String input;

    /**
     * Loads a model.
     *
     * @param file    the {@code .onnx} file
     * @param threads ONNX Runtime's intra-op thread count
     * @throws OrtException when ONNX Runtime cannot load it
     */
    public OrtModel(Path file, int threads) throws OrtException {
        this(file, threads, true);
    }

    /**
     * Loads a model, with or without ONNX Runtime's graph optimizations (fusions change float32 rounding: running both
     * measures how far ONNX Runtime's own answers spread on a model).
     *
     * @param file     the {@code .onnx} file
     * @param threads  ONNX Runtime's intra-op thread count
     * @param optimize all graph optimizations when true, none when false
     * @throws OrtException when ONNX Runtime cannot load it
     */
    public OrtModel(Path file, int threads, boolean optimize) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT : OrtSession.SessionOptions.OptLevel.NO_OPT);
            o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            session = env.createSession(file.toString(), o);
        }
        input = session.getInputNames().iterator().next();
    }

    /** {@return ONNX Runtime's version} */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** {@return the names of the model's outputs, in the graph's order} */
    public java.util.List<String> outputNames() {
        return java.util.List.copyOf(session.getOutputNames());
    }

    /**
     * Runs the model on one float32 input.
     *
     * @param values the input's values, row-major
     * @param shape  its shape
     * @return the outputs by name, in the graph's order
     * @throws OrtException when ONNX Runtime fails
     */
    public Map<String, Output> run(float[] values, int[] shape) throws OrtException {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        Map<String, Output> out = new LinkedHashMap<>();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), s);
             OrtSession.Result r = session.run(Map.of(input, x))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer b = t.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                out.put(e.getKey(), new Output(t.getInfo().getShape(), v));
            }
        }
        return out;
    }

    /**
     * Runs the model on named inputs of any type (the caller makes them with {@link #tensor(float[], int[])},
     * {@link #tensor(long[], int[])} and closes them), for models with several inputs; float32 outputs only.
     *
     * @param inputs the inputs by name
     * @return the outputs by name, in the graph's order
     * @throws OrtException when ONNX Runtime fails
     */
    public Map<String, Output> run(Map<String, OnnxTensor> inputs) throws OrtException {
        Map<String, Output> out = new LinkedHashMap<>();
        try (OrtSession.Result r = session.run(inputs)) {
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                FloatBuffer b = t.getFloatBuffer();
                if (b == null) throw new IllegalStateException("output " + e.getKey() + " is not float32");
                float[] v = new float[b.remaining()];
                b.get(v);
                out.put(e.getKey(), new Output(t.getInfo().getShape(), v));
            }
        }
        return out;
    }

    /**
     * An int64 input tensor for {@link #run(Map)}.
     *
     * @param values the values
     * @param shape  the shape (empty for a scalar)
     * @return the tensor (the caller closes it)
     * @throws OrtException when ONNX Runtime fails
     */
    public OnnxTensor tensor(long[] values, int[] shape) throws OrtException {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(values), s);
    }

    /**
     * Runs the model and drops the outputs (for timing: the input tensor is made once by the caller).
     *
     * @param x the input
     * @throws OrtException when ONNX Runtime fails
     */
    public void runOnly(OnnxTensor x) throws OrtException {
        try (OrtSession.Result r = session.run(Map.of(input, x))) {
            if (r.size() == 0) throw new IllegalStateException("no output");
        }
    }

    /**
     * An input tensor for {@link #runOnly}.
     *
     * @param values the values
     * @param shape  the shape
     * @return the tensor (the caller closes it)
     * @throws OrtException when ONNX Runtime fails
     */
    public OnnxTensor tensor(float[] values, int[] shape) throws OrtException {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), s);
    }

    /** {@return the declared input's shape, -1 for a dynamic dimension} */
    public long[] inputShape() throws OrtException {
        NodeInfo i = session.getInputInfo().get(input);
        return ((TensorInfo) i.getInfo()).getShape();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
