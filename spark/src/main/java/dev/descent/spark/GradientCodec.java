package dev.descent.spark;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.train.GradientReducer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The message one replica sends in a step's exchange, as a String (what {@code BarrierTaskContext.allGather} carries):
 * Base64 of little-endian bytes. Layout: rank (int), the step's totals (loss sum as double, correct and seen as longs,
 * two flag bytes), then per parameter a presence byte and, when present, its gradient's elements (4 bytes each for
 * float32, 8 for float64); then the buffer count and, from rank 0 only, every buffer's elements as doubles (exact for
 * float32, float64 and int64 counts below 2^53). So a replica sends 4·n + 34 + 8·(buffers, rank 0 only) bytes for n
 * float32 parameters, 4/3 of that after Base64.
 */
final class GradientCodec {
    private GradientCodec() {}

    /** One decoded message. */
    record Message(int rank, GradientReducer.Totals totals, Object[] grads, double[][] buffers) {}

    static String encode(int rank, List<Parameter> params, Map<String, Tensor> buffers, GradientReducer.Totals t, boolean withBuffers) {
        long size = 4 + 8 + 8 + 8 + 2 + 4 + 4;
        for (Parameter p : params) {
            Tensor g = p.grad();
            size += 1 + (g == null ? 0 : (long) g.numel() * (g.dtype() == DType.FLOAT64 ? 8 : 4));
        }
        if (withBuffers) for (Tensor b : buffers.values()) size += 8L * b.numel();
        if (size > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("a gradient message of " + size + " bytes is too large for one exchange");
        ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(rank).putDouble(t.lossSum()).putLong(t.correct()).putLong(t.seen());
        buf.put((byte) (t.classes() ? 1 : 0)).put((byte) (t.stop() ? 1 : 0));
        buf.putInt(params.size());
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) {
                buf.put((byte) 0);
            } else if (g.dtype() == DType.FLOAT32) {
                buf.put((byte) 1);
                buf.asFloatBuffer().put(g.toFloatArray());
                buf.position(buf.position() + 4 * g.numel());
            } else if (g.dtype() == DType.FLOAT64) {
                buf.put((byte) 2);
                buf.asDoubleBuffer().put(g.toDoubleArray());
                buf.position(buf.position() + 8 * g.numel());
            } else {
                throw new IllegalArgumentException("a gradient of dtype " + g.dtype() + " cannot be exchanged (float32 or float64 expected)");
            }
        }
        buf.putInt(withBuffers ? buffers.size() : 0);
        if (withBuffers) {
            for (Tensor b : buffers.values()) {
                buf.asDoubleBuffer().put(b.toDoubleArray());
                buf.position(buf.position() + 8 * b.numel());
            }
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }

    static Message decode(String text, List<Parameter> params, Map<String, Tensor> buffers) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
        int rank = buf.getInt();
        GradientReducer.Totals t = new GradientReducer.Totals(buf.getDouble(), buf.getLong(), buf.getLong(), buf.get() != 0, buf.get() != 0);
        int n = buf.getInt();
        if (n != params.size()) {
            throw new IllegalStateException("rank " + rank + " sent " + n + " gradients, this replica has " + params.size() + " parameters: the replicas differ");
        }
        Object[] grads = new Object[n];
        for (int i = 0; i < n; i++) {
            byte kind = buf.get();
            int numel = params.get(i).numel();
            if (kind == 1) {
                float[] a = new float[numel];
                buf.asFloatBuffer().get(a);
                buf.position(buf.position() + 4 * numel);
                grads[i] = a;
            } else if (kind == 2) {
                double[] a = new double[numel];
                buf.asDoubleBuffer().get(a);
                buf.position(buf.position() + 8 * numel);
                grads[i] = a;
            }
        }
        int nb = buf.getInt();
        double[][] bufs = null;
        if (nb > 0) {
            if (nb != buffers.size()) throw new IllegalStateException("rank " + rank + " sent " + nb + " buffers, this replica has " + buffers.size());
            bufs = new double[nb][];
            int i = 0;
            for (Tensor b : buffers.values()) {
                bufs[i] = new double[b.numel()];
                buf.asDoubleBuffer().get(bufs[i]);
                buf.position(buf.position() + 8 * b.numel());
                i++;
            }
        }
        return new Message(rank, t, grads, bufs);
    }
}
