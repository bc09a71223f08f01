package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Normalization;

/**
 * Batch normalisation over channels (dim 1), with PyTorch's parameters and buffers: weight (ones),
 * bias (zeros), running_mean (zeros), running_var (ones), num_batches_tracked; momentum 0.1, eps 1e-5.
 * Training normalises with batch statistics and updates the running ones; eval uses the running ones.
 */
public abstract class BatchNorm extends Module {
    private final int channels;
    private final double eps;
    private double momentum;
    private boolean cumulative;
    private final Parameter weight, bias;
    private final Tensor runningMean, runningVar, batches;
    private final int rank;

    // Registering parameters calls Module's final methods on a not-yet-complete subclass; they only store references.
    /**
     * Registers weight, bias, running_mean, running_var and num_batches_tracked for {@code channels}.
     *
     * @param channels the number of channels C, ≥ 1
     * @param momentum the weight of each new batch in the running statistics, in [0, 1]
     * @param eps added to the variance, &gt; 0
     * @param rank 4 for {@code [N, C, H, W]} input; any other value accepts {@code [N, C]} or {@code [N, C, L]}
     * @throws IllegalArgumentException when a value is out of range
     */
    @SuppressWarnings("this-escape")
    protected BatchNorm(int channels, double momentum, double eps, int rank) {
        if (channels < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": channels must be >= 1, was " + channels);
        if (!(eps > 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be > 0, was " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1], was " + momentum);
        this.channels = channels;
        this.momentum = momentum;
        this.eps = eps;
        this.rank = rank;
        weight = addParameter("weight", Tensor.ones(channels));
        bias = addParameter("bias", Tensor.zeros(channels));
        runningMean = addBuffer("running_mean", Tensor.zeros(channels));
        runningVar = addBuffer("running_var", Tensor.ones(channels));
        batches = addBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        if (isTraining()) {
            try (var _ = GradMode.noGrad()) {
                batches.fill(batches.item() + 1);
            }
        }
        // Cumulative: the n-th tracked batch has weight 1/n, so the running statistics are the plain mean of every batch's.
        double factor = cumulative && isTraining() ? 1.0 / batches.item() : momentum;
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), factor, eps);
    }

    /**
     * The weight of each new batch in the running statistics.
     *
     * @return the momentum given to the constructor, or the last one set
     */
    public double momentum() {
        return momentum;
    }

    /**
     * Whether the running statistics are a cumulative average (PyTorch's {@code momentum=None}).
     *
     * @return true when the n-th batch since {@code num_batches_tracked} was 0 has weight 1/n
     */
    public boolean cumulativeAverage() {
        return cumulative;
    }

    /**
     * Sets how new batches enter the running statistics: with weight {@code momentum}, or, when
     * {@code cumulative}, with weight 1/n for the n-th tracked batch (PyTorch's {@code momentum=None}, which
     * recomputing the statistics of an averaged model uses).
     *
     * @param momentum the weight of each new batch when not cumulative, in [0, 1]
     * @param cumulative true for the cumulative average
     * @throws IllegalArgumentException when momentum is outside [0, 1]
     */
    public void setMomentum(double momentum, boolean cumulative) {
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1], was " + momentum);
        this.momentum = momentum;
        this.cumulative = cumulative;
    }

    /**
     * Rejects inputs of the wrong rank or channel count, naming the expected shape.
     *
     * @param x the input about to be normalised
     * @throws IllegalArgumentException when x's rank or {@code x.size(1)} does not fit
     */
    protected void checkInput(Tensor x) {
        boolean rankOk = rank == 4 ? x.dim() == 4 : (x.dim() == 2 || x.dim() == 3);
        if (!rankOk || x.size(1) != channels) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + channels + "): expects input " + (rank == 4 ? "[N, C, H, W]" : "[N, C] or [N, C, L]")
                    + " with C = " + channels + ", got " + dev.descent.core.Shape.format(x.shape()));
        }
    }

    /**
     * The scale γ, one per channel (initially ones).
     *
     * @return the weight parameter {@code [C]}
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The shift β, one per channel (initially zeros).
     *
     * @return the bias parameter {@code [C]}
     */
    public Parameter bias() {
        return bias;
    }

    /**
     * The running mean, updated in training and used in eval.
     *
     * @return the buffer {@code [C]}, float32
     */
    public Tensor runningMean() {
        return runningMean;
    }

    /**
     * The running (unbiased) variance, updated in training and used in eval.
     *
     * @return the buffer {@code [C]}, float32
     */
    public Tensor runningVar() {
        return runningVar;
    }

    /**
     * The value added to the variance.
     *
     * @return eps, &gt; 0
     */
    public double eps() {
        return eps;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + channels + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}
