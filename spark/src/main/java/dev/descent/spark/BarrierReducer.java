package dev.descent.spark;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.train.GradientReducer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The gradient exchange of a barrier stage: every task sends its message ({@link GradientCodec}) through
 * {@code BarrierTaskContext.allGather}, which returns all tasks' messages to every task; each task then adds the
 * gradients in rank order, itself included, so that every replica holds the same bits. Per step each task sends
 * one message and receives P (the driver relays them: P messages in, P² out).
 */
final class BarrierReducer implements GradientReducer {
    private final int rank, replicas;
    private final Function<String, String[]> allGather;
    /** Nanoseconds spent encoding, exchanging and summing, for the bench's per-step split. */
    long encodeNanos, exchangeNanos, sumNanos;

    BarrierReducer(int rank, int replicas, Function<String, String[]> allGather) {
        this.rank = rank;
        this.replicas = replicas;
        this.allGather = allGather;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int replicas() {
        return replicas;
    }

    @Override
    public Totals reduce(List<Parameter> params, Map<String, Tensor> buffers, Totals local) throws IOException {
        long t0 = System.nanoTime();
        String mine = GradientCodec.encode(rank, params, buffers, local, rank == 0 && !buffers.isEmpty());
        long t1 = System.nanoTime();
        String[] all = allGather.apply(mine);
        long t2 = System.nanoTime();
        if (all.length != replicas) throw new IllegalStateException("the exchange returned " + all.length + " messages for " + replicas + " replicas");
        GradientCodec.Message[] byRank = new GradientCodec.Message[replicas];
        for (String s : all) {
            GradientCodec.Message m = GradientCodec.decode(s, params, buffers);
            if (m.rank() < 0 || m.rank() >= replicas || byRank[m.rank()] != null) throw new IllegalStateException("the exchange returned rank " + m.rank() + " twice or out of range");
            byRank[m.rank()] = m;
        }
        double lossSum = 0;
        long correct = 0, seen = 0;
        boolean classes = true, stop = false;
        for (GradientCodec.Message m : byRank) {
            Totals t = m.totals();
            lossSum += t.lossSum();
            correct += t.correct();
            seen += t.seen();
            classes &= t.classes() || t.seen() == 0;
            stop |= t.stop();
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float[] f = null;
            double[] d = null;
            for (GradientCodec.Message m : byRank) { // rank order: the sum single-process accumulation computes
                Object g = m.grads()[i];
                if (g instanceof float[] a) {
                    if (f == null) f = a.clone();
                    else for (int j = 0; j < f.length; j++) f[j] += a[j];
                } else if (g instanceof double[] a) {
                    if (d == null) d = a.clone();
                    else for (int j = 0; j < d.length; j++) d[j] += a[j];
                }
            }
            if (f != null) p.setGrad(p.dim() == 0 ? Tensor.of(f[0]) : Tensor.of(f, p.shape()));
            else if (d != null) p.setGrad(p.dim() == 0 ? Tensor.of(d[0]) : Tensor.of(d, p.shape()));
            else p.setGrad(null);
        }
        double[][] rank0 = byRank[0].buffers();
        if (rank0 != null && rank != 0) {
            int k = 0;
            for (Tensor b : buffers.values()) {
                double[] v = rank0[k++];
                b.copyFrom(b.dim() == 0 ? Tensor.of(v[0]) : Tensor.of(v, b.shape()));
            }
        }
        long t3 = System.nanoTime();
        encodeNanos += t1 - t0;
        exchangeNanos += t2 - t1;
        sumNanos += t3 - t2;
        return new Totals(lossSum, correct, seen, classes, stop);
    }
}
