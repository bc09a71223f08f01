package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.Arrays;

/**
 * Loss functions. Cross-entropy goes through log-softmax (stable for logits of magnitude 1e4);
 * binary cross-entropy from logits is one primitive op whose gradient is exactly sigmoid(x) − y.
 */
public final class Losses {
    private Losses() {}

    /** How per-element losses are combined. */
    public enum Reduction {
        /** The mean over all elements: a 0-d tensor. */ MEAN,
        /** The sum over all elements: a 0-d tensor. */ SUM,
        /** No reduction: one loss per element (per row for the class losses). */ NONE,
        /**
         * The sum divided by the size of the input's first dimension (the batch): PyTorch's {@code 'batchmean'},
         * for {@link #klDiv} only; the other losses reject it.
         */
        BATCHMEAN
    }

    /**
     * Mean cross-entropy of logits {@code [N, C]} against class indices {@code [N]} (int64):
     * {@code mean_i −log softmax(logits_i)[y_i]}, the usual classification loss. Its gradient with respect to
     * the logits is {@code (softmax(logits) − onehot(y)) / N}.
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}, values in {@code [0, C)}
     * @return a 0-d tensor
     * @throws IllegalArgumentException when logits is not 2-D, or target is not int64 of shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN, 0);
    }

    /**
     * Cross-entropy from logits {@code [N, C]} and class indices {@code [N]} (int64): loss_i = −(1 − ε)·log p_i[y_i]
     * − ε·mean_c log p_i[c], with p = softmax(logits) and ε the label smoothing (PyTorch's definition). Goes
     * through log-softmax, so logits of magnitude 1e4 give finite losses and gradients.
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}
     * @param reduction how the N losses are combined
     * @param labelSmoothing ε in [0, 1]; 0 is plain cross-entropy
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when ε is outside [0, 1], logits is not 2-D, or target is not int64 of
     *         shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction, double labelSmoothing) {
        if (HalfCompute.any(logits, target)) return HalfCompute.round(crossEntropy(HalfCompute.widen(logits), HalfCompute.widen(target), reduction, labelSmoothing), HalfCompute.storeAs(logits, target));
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], was " + labelSmoothing);
        }
        checkClassTargets("crossEntropy", logits, target);
        Tensor logp = logits.logSoftmax(1);
        Tensor nll = logp.gather(1, target.unsqueeze(1)).squeeze(1).neg();
        Tensor loss = labelSmoothing == 0 ? nll : nll.mul(1 - labelSmoothing).add(logp.mean(1).neg().mul(labelSmoothing));
        return reduce("crossEntropy", loss, reduction);
    }

    /**
     * Negative log-likelihood: {@code −logProbabilities[i, y_i]} per row, e.g. after
     * {@link Tensor#logSoftmax}.
     *
     * @param logProbabilities log-probabilities {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}
     * @param reduction how the N losses are combined
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the scores are not 2-D, or target is not int64 of shape {@code [N]}
     * @throws IndexOutOfBoundsException naming the position when a target lies outside {@code [0, C)}
     */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor target, Reduction reduction) {
        if (HalfCompute.any(logProbabilities, target)) {
            return HalfCompute.round(nllLoss(HalfCompute.widen(logProbabilities), HalfCompute.widen(target), reduction), HalfCompute.storeAs(logProbabilities, target));
        }
        checkClassTargets("nllLoss", logProbabilities, target);
        return reduce("nllLoss", logProbabilities.gather(1, target.unsqueeze(1)).squeeze(1).neg(), reduction);
    }

    /**
     * Squared error {@code (prediction − target)²} per element, combined by {@code reduction} (MEAN: the mean
     * squared error). No broadcasting: the shapes must be equal.
     *
     * @param prediction the model's output
     * @param target the wanted values, of the same shape
     * @param reduction how the element losses are combined
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Tensor mseLoss(Tensor prediction, Tensor target, Reduction reduction) {
        if (HalfCompute.any(prediction, target)) return HalfCompute.round(mseLoss(HalfCompute.widen(prediction), HalfCompute.widen(target), reduction), HalfCompute.storeAs(prediction, target));
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException("mseLoss: prediction " + Shape.format(prediction.shape()) + " and target " + Shape.format(target.shape())
                    + " must have the same shape");
        }
        return reduce("mseLoss", prediction.sub(target).square(), reduction);
    }

    /**
     * Binary cross-entropy from logits x against targets y in [0, 1] (same shape):
     * max(x, 0) − x·y + log(1 + e^{−|x|}), which is finite for any finite x. One primitive op whose gradient
     * is exactly σ(x) − y in x (and −x in y).
     *
     * @param logits unnormalised scores x
     * @param target probabilities y in [0, 1], of the same shape (int64 and bool targets are converted)
     * @param reduction how the element losses are combined
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        if (HalfCompute.any(logits, target)) {
            return HalfCompute.round(binaryCrossEntropyWithLogits(HalfCompute.widen(logits), HalfCompute.widen(target), reduction), HalfCompute.storeAs(logits, target));
        }
        if (!Arrays.equals(logits.shape(), target.shape())) {
            throw new IllegalArgumentException("binaryCrossEntropyWithLogits: logits " + Shape.format(logits.shape()) + " and target "
                    + Shape.format(target.shape()) + " must have the same shape");
        }
        Tensor[] p = Elementwise.promote(logits, target.dtype().isFloatingPoint() ? target : target.to(logits.dtype()));
        Tensor x = p[0], y = p[1];
        Tensor xc = x.detach().contiguous(), yc = y.detach().contiguous();
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < out.numel(); i++) {
            double xi = xc.storage().getDouble(xc.storageOffset() + i), yi = yc.storage().getDouble(yc.storageOffset() + i);
            out.storage().setDouble(i, Math.max(xi, 0) - xi * yi + Math.log1p(Math.exp(-Math.abs(xi))));
        }
        Tensor loss = Autograd.record("binaryCrossEntropyWithLogits", out, g -> new Tensor[] {
                x.requiresGrad() ? g.mul(x.sigmoid().sub(y)) : null,
                y.requiresGrad() ? g.mul(x).neg() : null},
                t -> Tangents.sum(out.shape(), Tangents.times(t[0], x.sigmoid().sub(y)), Tangents.times(t[1], x.neg())), x, y);
        return reduce("binaryCrossEntropyWithLogits", loss, reduction);
    }

    /**
     * Cross-entropy with class weights and an ignored target value (PyTorch's {@code cross_entropy} with
     * {@code weight} and {@code ignore_index}): with p = softmax(logits) and w the class weights (all 1 when null),
     * <pre>
     *   loss_i = (1 − ε)·(−w[y_i]·log p_i[y_i]) + (ε / C)·Σ_c (−w[c]·log p_i[c]),   and 0 where y_i = ignoreIndex
     * </pre>
     * MEAN divides the sum by {@code Σ w[y_i]} over the rows not ignored (so with all rows ignored it is 0/0 = NaN,
     * as in PyTorch); SUM adds; NONE returns the N losses. Composed from log-softmax, gather and sums, so the
     * gradient reaches the logits (and the weights, when they require it).
     *
     * @param logits unnormalised class scores {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}: in {@code [0, C)} or equal to {@code ignoreIndex}
     * @param weight a weight per class {@code [C]}, or null for 1
     * @param ignoreIndex a target value whose rows count for nothing (PyTorch's default is −100)
     * @param reduction MEAN, SUM or NONE
     * @param labelSmoothing ε in [0, 1]
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when ε is outside [0, 1], the shapes do not fit, weight is not {@code [C]},
     *         or reduction is BATCHMEAN
     * @throws IndexOutOfBoundsException naming the position when a target is neither a class nor ignoreIndex
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        if (HalfCompute.any(logits, target, weight)) {
            return HalfCompute.round(crossEntropy(HalfCompute.widen(logits), HalfCompute.widen(target), HalfCompute.widen(weight), ignoreIndex, reduction, labelSmoothing),
                    HalfCompute.storeAs(logits, target, weight));
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], was " + labelSmoothing);
        }
        return weightedNll("crossEntropy", logits.logSoftmax(1), target, weight, ignoreIndex, reduction, labelSmoothing, logits);
    }

    /**
     * Negative log-likelihood with class weights and an ignored target value (PyTorch's {@code nll_loss}):
     * {@code loss_i = −w[y_i]·logProbabilities[i, y_i]}, 0 where {@code y_i = ignoreIndex}; MEAN divides the sum
     * by {@code Σ w[y_i]} over the rows not ignored.
     *
     * @param logProbabilities log-probabilities {@code [N, C]}
     * @param target the class of each row, int64 {@code [N]}: in {@code [0, C)} or equal to {@code ignoreIndex}
     * @param weight a weight per class {@code [C]}, or null for 1
     * @param ignoreIndex a target value whose rows count for nothing
     * @param reduction MEAN, SUM or NONE
     * @return a 0-d tensor, or the {@code [N]} losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes do not fit, weight is not {@code [C]}, or reduction is BATCHMEAN
     * @throws IndexOutOfBoundsException naming the position when a target is neither a class nor ignoreIndex
     */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        if (HalfCompute.any(logProbabilities, target, weight)) {
            return HalfCompute.round(nllLoss(HalfCompute.widen(logProbabilities), HalfCompute.widen(target), HalfCompute.widen(weight), ignoreIndex, reduction),
                    HalfCompute.storeAs(logProbabilities, target, weight));
        }
        return weightedNll("nllLoss", logProbabilities, target, weight, ignoreIndex, reduction, 0, logProbabilities);
    }

    private static Tensor weightedNll(String op, Tensor logp, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction, double eps, Tensor scores) {
        if (scores.dim() != 2) throw new IllegalArgumentException(op + ": expects scores [N, C], got " + Shape.format(scores.shape()));
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": targets must be INT64 class indices, got " + target.dtype());
        int n = scores.size(0), c = scores.size(1);
        if (target.dim() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException(op + ": targets of shape " + Shape.format(target.shape()) + " do not match scores " + Shape.format(scores.shape())
                    + " (expected [" + n + "])");
        }
        if (weight != null && (weight.dim() != 1 || weight.size(0) != c)) {
            throw new IllegalArgumentException(op + ": weight of shape " + Shape.format(weight.shape()) + " should be [" + c + "], one per class of scores "
                    + Shape.format(scores.shape()));
        }
        long[] t = target.toLongArray(), safe = new long[n];
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < 0 || t[i] >= c) {
                throw new IndexOutOfBoundsException(op + ": target " + t[i] + " at position " + i + " is not a class in [0, " + c + ") nor the ignore index "
                        + ignoreIndex);
            }
            safe[i] = t[i];
            kept[i] = true;
        }
        Tensor keep = Tensor.of(kept, n).to(logp.dtype()), y = Tensor.of(safe, n);
        Tensor w = weight == null ? null : weight.to(logp.dtype());
        Tensor wy = w == null ? keep : w.indexSelect(0, y).mul(keep); // the weight of each row's target, 0 where ignored
        Tensor loss = logp.gather(1, y.unsqueeze(1)).squeeze(1).neg().mul(wy);
        if (eps > 0) {
            Tensor smooth = (w == null ? logp : logp.mul(w)).sum(1).neg().mul(keep);
            loss = loss.mul(1 - eps).add(smooth.mul(eps / c));
        }
        return switch (reduction) {
            case MEAN -> loss.sum().div(wy.sum());
            case SUM -> loss.sum();
            case NONE -> loss;
            case BATCHMEAN -> throw batchmeanOnlyForKl(op);
        };
    }

    /**
     * Absolute error {@code |prediction − target|} per element (PyTorch's {@code l1_loss}), combined by
     * {@code reduction}. The gradient at equal values is 0.
     *
     * @param prediction the model's output
     * @param target the wanted values, of the same shape
     * @param reduction MEAN, SUM or NONE
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ or reduction is BATCHMEAN
     */
    public static Tensor l1Loss(Tensor prediction, Tensor target, Reduction reduction) {
        if (HalfCompute.any(prediction, target)) return HalfCompute.round(l1Loss(HalfCompute.widen(prediction), HalfCompute.widen(target), reduction), HalfCompute.storeAs(prediction, target));
        sameShape("l1Loss", prediction, target);
        return reduce("l1Loss", prediction.sub(target).abs(), reduction);
    }

    /**
     * Huber loss (PyTorch's {@code huber_loss}): with d = prediction − target, {@code ½·d²} where |d| &lt; δ, else
     * {@code δ·(|d| − ½·δ)}; quadratic near 0, linear beyond δ, with a continuous gradient (clipped to ±δ).
     *
     * @param prediction the model's output
     * @param target the wanted values, of the same shape
     * @param reduction MEAN, SUM or NONE
     * @param delta the threshold δ &gt; 0 (PyTorch's default is 1)
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ, δ is not positive, or reduction is BATCHMEAN
     */
    public static Tensor huberLoss(Tensor prediction, Tensor target, Reduction reduction, double delta) {
        if (HalfCompute.any(prediction, target)) return HalfCompute.round(huberLoss(HalfCompute.widen(prediction), HalfCompute.widen(target), reduction, delta), HalfCompute.storeAs(prediction, target));
        if (!(delta > 0)) throw new IllegalArgumentException("huberLoss: delta must be > 0, was " + delta);
        sameShape("huberLoss", prediction, target);
        Tensor d = prediction.sub(target), a = d.abs();
        return reduce("huberLoss", Tensor.where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta)), reduction);
    }

    /**
     * Smooth L1 loss (PyTorch's {@code smooth_l1_loss}): with d = prediction − target, {@code ½·d²/β} where
     * |d| &lt; β, else {@code |d| − ½·β}; β = 0 is the L1 loss. It equals {@link #huberLoss} divided by β.
     *
     * @param prediction the model's output
     * @param target the wanted values, of the same shape
     * @param reduction MEAN, SUM or NONE
     * @param beta the threshold β ≥ 0 (PyTorch's default is 1)
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ, β is negative or NaN, or reduction is BATCHMEAN
     */
    public static Tensor smoothL1Loss(Tensor prediction, Tensor target, Reduction reduction, double beta) {
        if (HalfCompute.any(prediction, target)) return HalfCompute.round(smoothL1Loss(HalfCompute.widen(prediction), HalfCompute.widen(target), reduction, beta), HalfCompute.storeAs(prediction, target));
        if (!(beta >= 0)) throw new IllegalArgumentException("smoothL1Loss: beta must be >= 0, was " + beta);
        sameShape("smoothL1Loss", prediction, target);
        Tensor d = prediction.sub(target), a = d.abs();
        if (beta == 0) return reduce("smoothL1Loss", a, reduction);
        return reduce("smoothL1Loss", Tensor.where(a.lt(beta), d.square().mul(0.5 / beta), a.sub(0.5 * beta)), reduction);
    }

    /**
     * Binary cross-entropy on probabilities (PyTorch's {@code binary_cross_entropy}):
     * {@code −[y·log p + (1 − y)·log(1 − p)]} per element, each log clamped below at −100 as PyTorch does, so p = 0
     * or 1 gives a finite loss. One op whose gradient in p is {@code (p − y) / max(p·(1 − p), 1e-12)} (PyTorch's
     * rule, finite at 0 and 1) and in y is {@code log(1 − p) − log p} with the same clamps. Prefer
     * {@link #binaryCrossEntropyWithLogits} on scores: it is exact where this one clamps.
     *
     * @param probabilities p in [0, 1]
     * @param target y in [0, 1], of the same shape (int64 and bool targets are converted)
     * @param reduction MEAN, SUM or NONE
     * @return a 0-d tensor, or the element losses for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ, a probability lies outside [0, 1] (naming it), or
     *         reduction is BATCHMEAN
     */
    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction) {
        if (HalfCompute.any(probabilities, target)) {
            return HalfCompute.round(binaryCrossEntropy(HalfCompute.widen(probabilities), HalfCompute.widen(target), reduction), HalfCompute.storeAs(probabilities, target));
        }
        sameShape("binaryCrossEntropy", probabilities, target);
        Tensor[] pr = Elementwise.promote(probabilities, target.dtype().isFloatingPoint() ? target : target.to(probabilities.dtype()));
        Tensor p = pr[0], y = pr[1];
        double[] pv = p.toDoubleArray(), yv = y.toDoubleArray();
        Tensor out = Tensor.zeros(p.dtype(), p.shape());
        for (int i = 0; i < pv.length; i++) {
            if (!(pv[i] >= 0 && pv[i] <= 1)) {
                throw new IllegalArgumentException("binaryCrossEntropy: probabilities must lie in [0, 1]; element " + i + " is " + pv[i]
                        + " (for scores, use binaryCrossEntropyWithLogits)");
            }
            out.storage().setDouble(i, -(yv[i] * Math.max(Math.log(pv[i]), -100) + (1 - yv[i]) * Math.max(Math.log1p(-pv[i]), -100)));
        }
        Tensor loss = Autograd.record("binaryCrossEntropy", out, g -> new Tensor[] {
                p.requiresGrad() ? g.mul(p.sub(y)).div(p.mul(p.neg().add(1)).clampMin(1e-12)) : null,
                y.requiresGrad() ? g.mul(p.neg().add(1).log().clampMin(-100).sub(p.log().clampMin(-100))) : null},
                t -> Tangents.sum(out.shape(), Tangents.times(t[0], p.sub(y).div(p.mul(p.neg().add(1)).clampMin(1e-12))),
                        Tangents.times(t[1], p.neg().add(1).log().clampMin(-100).sub(p.log().clampMin(-100)))), p, y);
        return reduce("binaryCrossEntropy", loss, reduction);
    }

    /**
     * Kullback–Leibler divergence of the target distribution from the input's (PyTorch's {@code kl_div}): the
     * input holds log-probabilities x; per element, {@code t·(log t − x)} with {@code 0·log 0 = 0} (or, with
     * {@code logTarget}, the target holds log t: {@code e^t·(t − x)}). {@link Reduction#BATCHMEAN} divides the sum by
     * the size of the first dimension, the true KL divergence per sample; MEAN divides by the number of elements,
     * as PyTorch does.
     *
     * @param input log-probabilities
     * @param target probabilities (or log-probabilities with {@code logTarget}), of the same shape
     * @param reduction MEAN, SUM, NONE or BATCHMEAN
     * @param logTarget whether the target is given as log-probabilities
     * @return a 0-d tensor, or the element terms for {@link Reduction#NONE}
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        if (HalfCompute.any(input, target)) return HalfCompute.round(klDiv(HalfCompute.widen(input), HalfCompute.widen(target), reduction, logTarget), HalfCompute.storeAs(input, target));
        sameShape("klDiv", input, target);
        Tensor terms;
        if (logTarget) {
            terms = target.exp().mul(target.sub(input));
        } else {
            Tensor pos = target.gt(0);
            Tensor tLogT = target.mul(Tensor.where(pos, target, target.scalarLike(1)).log()); // 0·log 0 = 0, and no NaN in the gradient
            terms = tLogT.sub(target.mul(input));
        }
        if (reduction == Reduction.BATCHMEAN) return terms.sum().div(input.dim() == 0 ? 1 : input.size(0));
        return reduce("klDiv", terms, reduction);
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": input " + Shape.format(a.shape()) + " and target " + Shape.format(b.shape()) + " must have the same shape");
        }
    }

    private static IllegalArgumentException batchmeanOnlyForKl(String op) {
        return new IllegalArgumentException(op + ": reduction BATCHMEAN is defined for klDiv only (use MEAN, SUM or NONE)");
    }

    private static Tensor reduce(String op, Tensor loss, Reduction r) {
        return switch (r) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
            case BATCHMEAN -> throw batchmeanOnlyForKl(op);
        };
    }

    private static void checkClassTargets(String op, Tensor scores, Tensor target) {
        if (scores.dim() != 2) throw new IllegalArgumentException(op + ": expects scores [N, C], got " + Shape.format(scores.shape()));
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": targets must be INT64 class indices, got " + target.dtype());
        if (target.dim() != 1 || target.size(0) != scores.size(0)) {
            throw new IllegalArgumentException(op + ": targets of shape " + Shape.format(target.shape()) + " do not match scores " + Shape.format(scores.shape())
                    + " (expected [" + scores.size(0) + "])");
        }
        int c = scores.size(1);
        long[] t = target.toLongArray();
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= c) throw new IndexOutOfBoundsException(op + ": target " + t[i] + " at position " + i + " is not a class in [0, " + c + ")");
        }
    }
}
