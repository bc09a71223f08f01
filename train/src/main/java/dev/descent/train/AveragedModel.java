package dev.descent.train;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Safetensors;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running average of a model's weights (PyTorch's {@code torch.optim.swa_utils.AveragedModel}), kept in a
 * second instance of the same network, plus {@link #updateBatchNorm} ({@code update_bn}) to recompute its
 * BatchNorm statistics. Three kinds, each updated by {@link #update()} after an optimizer step:
 *
 * <pre>
 * first counted update:  θ̄ ← θ                         (every kind; n ← 1)
 * EMA (decay d):         θ̄ ← d·θ̄ + (1 − d)·θ          (an exponential moving average)
 * SWA (from call s):     θ̄ ← θ̄ + (θ − θ̄)/(n + 1)      (equal weights; the first s calls are not counted)
 * Polyak:                SWA from call 0: the mean of every iterate (Polyak &amp; Juditsky 1992)
 * </pre>
 *
 * Java cannot deep-copy a module, so the caller builds the second instance ({@code ModelFactory} or the
 * same constructor again); its parameters and buffers are overwritten with the model's at construction.
 * Only parameters are averaged (PyTorch's default {@code use_buffers=False}): recompute the running
 * statistics with {@link #updateBatchNorm} before evaluating. Arithmetic is float64, rounded once into
 * the averaged parameter's dtype. {@link #stateDict()}/{@link #save}/{@link #load} keep the averaged
 * weights and the counters, so a resumed run averages on bit for bit.
 *
 * <pre>{@code
 * var swa = AveragedModel.swa(model, ModelFactory.create(...), 750);
 * for (...) { opt.zeroGrad(); loss.backward(); opt.step(); swa.update(); }
 * AveragedModel.updateBatchNorm(swa.averaged(), loader);
 * }</pre>
 */
public final class AveragedModel {

    /** How the average weighs the iterates. */
    public enum Kind {
        /** Exponential moving average with a decay. */
        EMA,
        /** Equal weights from a given call on (stochastic weight averaging, Izmailov et al. 2018). */
        SWA,
        /** Equal weights from the first call. */
        POLYAK
    }

    private final Module source, averaged;
    private final Kind kind;
    private final double decay;
    private final long start;
    private final List<Parameter> from, to;
    private long calls, nAveraged;

    private AveragedModel(Module source, Module averaged, Kind kind, double decay, long start) {
        if (source == null || averaged == null) throw new IllegalArgumentException("the model and its averaged copy must be non-null");
        if (source == averaged) throw new IllegalArgumentException("the averaged copy must be a second instance, not the model itself");
        this.source = source;
        this.averaged = averaged;
        this.kind = kind;
        this.decay = decay;
        this.start = start;
        this.from = source.parameters();
        this.to = averaged.parameters();
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("the averaged copy has " + to.size() + " parameters, the model " + from.size() + ": build it with the same architecture");
        }
        for (int i = 0; i < from.size(); i++) {
            if (!Arrays.equals(from.get(i).shape(), to.get(i).shape()) || from.get(i).dtype() != to.get(i).dtype()) {
                throw new IllegalArgumentException("parameter " + i + " of the averaged copy is " + to.get(i).dtype() + " " + Arrays.toString(to.get(i).shape())
                        + ", the model's " + from.get(i).dtype() + " " + Arrays.toString(from.get(i).shape()));
            }
        }
        try (var _ = GradMode.noGrad()) {
            averaged.loadStateDict(source.stateDict());
        }
    }

    /**
     * An exponential moving average (PyTorch's {@code get_ema_multi_avg_fn(decay)}).
     *
     * @param model the model being trained
     * @param copy a second instance of the same architecture, which will hold the average
     * @param decay the weight of the old average, in [0, 1]
     * @return the average, holding the model's current weights
     */
    public static AveragedModel ema(Module model, Module copy, double decay) {
        if (!(decay >= 0 && decay <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], was " + decay);
        return new AveragedModel(model, copy, Kind.EMA, decay, 0);
    }

    /**
     * Stochastic weight averaging: the equal-weight mean of the iterates from the {@code start}-th call of
     * {@link #update()} on (counting from 0).
     *
     * @param model the model being trained
     * @param copy a second instance of the same architecture, which will hold the average
     * @param start the number of {@link #update()} calls ignored before averaging begins (≥ 0)
     * @return the average, holding the model's current weights
     */
    public static AveragedModel swa(Module model, Module copy, long start) {
        if (start < 0) throw new IllegalArgumentException("SWA start must be >= 0, was " + start);
        return new AveragedModel(model, copy, Kind.SWA, Double.NaN, start);
    }

    /**
     * Polyak–Ruppert averaging: the equal-weight mean of every iterate passed to {@link #update()}.
     *
     * @param model the model being trained
     * @param copy a second instance of the same architecture, which will hold the average
     * @return the average, holding the model's current weights
     */
    public static AveragedModel polyak(Module model, Module copy) {
        return new AveragedModel(model, copy, Kind.POLYAK, Double.NaN, 0);
    }

    /** Folds the model's current parameters into the average (PyTorch's {@code update_parameters}). */
    public void update() {
        long call = calls++;
        if (kind == Kind.SWA && call < start) return;
        try (var _ = GradMode.noGrad()) {
            for (int i = 0; i < from.size(); i++) {
                double[] p = from.get(i).toDoubleArray(), a = to.get(i).toDoubleArray();
                for (int k = 0; k < a.length; k++) {
                    if (nAveraged == 0) a[k] = p[k];
                    else if (kind == Kind.EMA) a[k] = decay * a[k] + (1 - decay) * p[k];
                    else a[k] = a[k] + (p[k] - a[k]) / (nAveraged + 1);
                }
                to.get(i).copyFrom(Tensor.of(a, to.get(i).shape()).to(to.get(i).dtype()));
            }
        }
        nAveraged++;
    }

    /** {@return the module holding the averaged weights} */
    public Module averaged() {
        return averaged;
    }

    /** {@return the kind of average} */
    public Kind kind() {
        return kind;
    }

    /** {@return how many iterates the average holds (PyTorch's {@code n_averaged})} */
    public long nAveraged() {
        return nAveraged;
    }

    /** {@return how many times {@link #update()} was called} */
    public long calls() {
        return calls;
    }

    /**
     * The averaged module's parameters and buffers (under {@code averaged.}) and the counters
     * {@code n_averaged} and {@code calls}, as tensors (the parameters themselves, not copies).
     *
     * @return the state
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : averaged.stateDict().entrySet()) out.put("averaged." + e.getKey(), e.getValue());
        out.put("n_averaged", Tensor.of(new long[] {nAveraged}).reshape());
        out.put("calls", Tensor.of(new long[] {calls}).reshape());
        return out;
    }

    /**
     * Restores a state from {@link #stateDict()}; nothing changes unless every key fits.
     *
     * @param state the tensors
     * @throws IllegalArgumentException naming the missing keys, a mismatched tensor or a negative count
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        for (var e : state.entrySet()) if (e.getKey().startsWith("averaged.")) model.put(e.getKey().substring(9), e.getValue());
        if (!state.containsKey("n_averaged") || !state.containsKey("calls")) {
            throw new IllegalArgumentException("averaged-model state lacks 'n_averaged' or 'calls'; it has " + state.keySet());
        }
        long n = state.get("n_averaged").toLongArray()[0], c = state.get("calls").toLongArray()[0];
        if (n < 0 || c < 0 || n > c) throw new IllegalArgumentException("averaged-model state: n_averaged = " + n + " and calls = " + c + " must satisfy 0 <= n_averaged <= calls");
        try (var _ = GradMode.noGrad()) {
            averaged.loadStateDict(model);
        }
        nAveraged = n;
        calls = c;
    }

    /**
     * Writes {@link #stateDict()} as a safetensors file (atomically).
     *
     * @param file where to write
     * @throws IOException when it cannot be written
     */
    public void save(Path file) throws IOException {
        Safetensors.save(stateDict(), Map.of("descent.format", "descent-averaged-model-1", "descent.average", kind.name()), file);
    }

    /**
     * Reads a file written by {@link #save} into this average.
     *
     * @param file the file
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when it holds another kind of average or does not fit; the message names the file
     */
    public void load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.load(file);
        String k = c.metadata().get("descent.average");
        if (!kind.name().equals(k)) throw new IllegalArgumentException(file + " holds " + (k == null ? "no averaged model" : "a " + k + " average") + ", not " + kind);
        try {
            loadStateDict(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Recomputes every {@link BatchNorm}'s running statistics of {@code model} as the plain mean over the
     * given batches of each batch's mean and unbiased variance (PyTorch's {@code update_bn}: the statistics
     * are reset, the momentum set to None for the pass, then restored, as is the training flag). A model
     * without BatchNorm is left alone.
     *
     * @param model the model, usually {@link #averaged()}
     * @param inputs the inputs of one pass over the training data
     */
    public static void updateBatchNorm(Module model, Iterable<Tensor> inputs) {
        List<BatchNorm> norms = new ArrayList<>();
        for (Module m : model.namedModules().values()) if (m instanceof BatchNorm b) norms.add(b);
        if (norms.isEmpty()) return;
        boolean wasTraining = model.isTraining();
        double[] momenta = new double[norms.size()];
        boolean[] cumulative = new boolean[norms.size()];
        try (var _ = GradMode.noGrad()) {
            for (int i = 0; i < norms.size(); i++) {
                BatchNorm b = norms.get(i);
                momenta[i] = b.momentum();
                cumulative[i] = b.cumulativeAverage();
                b.runningMean().fill(0);
                b.runningVar().fill(1);
                b.namedBuffers().get("num_batches_tracked").fill(0);
                b.setMomentum(momenta[i], true);
            }
            model.train();
            try {
                for (Tensor x : inputs) model.forward(x);
            } finally {
                for (int i = 0; i < norms.size(); i++) norms.get(i).setMomentum(momenta[i], cumulative[i]);
                model.train(wasTraining);
            }
        }
    }

    /**
     * {@link #updateBatchNorm(Module, Iterable)} over one epoch of a loader (its first epoch's order).
     *
     * @param model the model, usually {@link #averaged()}
     * @param loader the training batches; only their inputs are used
     */
    public static void updateBatchNorm(Module model, DataLoader loader) {
        try (DataLoader.Batches batches = loader.epoch(0)) {
            updateBatchNorm(model, () -> new Iterator<Tensor>() {
                @Override
                public boolean hasNext() {
                    return batches.hasNext();
                }

                @Override
                public Tensor next() {
                    Batch b = batches.next();
                    return b.x();
                }
            });
        }
    }
}
