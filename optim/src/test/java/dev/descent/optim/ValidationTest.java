package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Parameter groups and hyperparameter validation: every optimizer rejects each bad value one by one,
 * naming the key, the rule, the value and the group; unknown keys, missing required keys, values of
 * the wrong kind and duplicated parameters are refused; later changes are validated too.
 */
class ValidationTest {

    static Parameter param() {
        return new Parameter("w", Tensor.zeros(DType.FLOAT64, 3));
    }

    /** One bad value: the optimizer, the key, the value, the message. */
    record Bad(Function<List<ParamGroup>, Optimizer> build, String key, Object value, String message) {}

    static final List<Bad> BAD = List.of(
            new Bad(SGD::new, "lr", -0.1, "lr must be >= 0, was -0.1 (group 0 of SGD)"),
            new Bad(SGD::new, "lr", Double.NaN, "lr must be >= 0, was NaN (group 0 of SGD)"),
            new Bad(SGD::new, "lr", Double.POSITIVE_INFINITY, "lr must be >= 0, was Infinity (group 0 of SGD)"),
            new Bad(SGD::new, "momentum", -0.5, "momentum must be >= 0, was -0.5 (group 0 of SGD)"),
            new Bad(SGD::new, "dampening", 1.5, "dampening must be in [0, 1], was 1.5 (group 0 of SGD)"),
            new Bad(SGD::new, "weight_decay", -1e-4, "weight_decay must be >= 0, was -1.0E-4 (group 0 of SGD)"),
            new Bad(SGD::new, "nesterov", 1.0, "nesterov must be true or false, was Double 1.0 (group 0 of SGD)"),
            new Bad(Adam::new, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 0 of Adam)"),
            new Bad(Adam::new, "beta2", -0.1, "beta2 must be in [0, 1), was -0.1 (group 0 of Adam)"),
            new Bad(Adam::new, "eps", -1e-8, "eps must be >= 0, was -1.0E-8 (group 0 of Adam)"),
            new Bad(Adam::new, "amsgrad", "yes", "amsgrad must be true or false, was String yes (group 0 of Adam)"),
            new Bad(AdamW::new, "weight_decay", -0.01, "weight_decay must be >= 0, was -0.01 (group 0 of AdamW)"),
            new Bad(RMSprop::new, "alpha", 1.0, "alpha must be in [0, 1), was 1.0 (group 0 of RMSprop)"),
            new Bad(Adagrad::new, "lr_decay", -1.0, "lr_decay must be >= 0, was -1.0 (group 0 of Adagrad)"),
            new Bad(Adagrad::new, "initial_accumulator_value", -1.0, "initial_accumulator_value must be >= 0, was -1.0 (group 0 of Adagrad)"),
            new Bad(Adadelta::new, "lr", -1.0, "lr must be >= 0, was -1.0 (group 0 of Adadelta)"),
            new Bad(Adadelta::new, "rho", 1.5, "rho must be in [0, 1], was 1.5 (group 0 of Adadelta)"),
            new Bad(Adadelta::new, "eps", -1e-6, "eps must be >= 0, was -1.0E-6 (group 0 of Adadelta)"),
            new Bad(Adadelta::new, "weight_decay", -0.1, "weight_decay must be >= 0, was -0.1 (group 0 of Adadelta)"),
            new Bad(Rprop::new, "lr", -0.01, "lr must be >= 0, was -0.01 (group 0 of Rprop)"),
            new Bad(Rprop::new, "etaminus", 1.0, "etaminus must be in (0, 1), was 1.0 (group 0 of Rprop)"),
            new Bad(Rprop::new, "etaminus", 0.0, "etaminus must be in (0, 1), was 0.0 (group 0 of Rprop)"),
            new Bad(Rprop::new, "etaplus", 1.0, "etaplus must be > 1, was 1.0 (group 0 of Rprop)"),
            new Bad(Rprop::new, "step_size_min", -1e-6, "step_size_min must be >= 0, was -1.0E-6 (group 0 of Rprop)"),
            new Bad(Rprop::new, "step_size_max", Double.NaN, "step_size_max must be >= 0, was NaN (group 0 of Rprop)"),
            new Bad(Lion::new, "lr", -1e-4, "lr must be >= 0, was -1.0E-4 (group 0 of Lion)"),
            new Bad(Lion::new, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 0 of Lion)"),
            new Bad(Lion::new, "beta2", -0.5, "beta2 must be in [0, 1), was -0.5 (group 0 of Lion)"),
            new Bad(Lion::new, "weight_decay", -1.0, "weight_decay must be >= 0, was -1.0 (group 0 of Lion)"),
            new Bad(SteinRuleAdam::new, "warmup", 2.5, "warmup must be a whole number, was 2.5 (group 0 of SteinRuleAdam)"),
            new Bad(SteinRuleAdam::new, "warmup", -1, "warmup must be >= 0, was -1.0 (group 0 of SteinRuleAdam)"),
            new Bad(SteinRuleAdam::new, "c_min", -0.1, "c_min must be in [0, 1], was -0.1 (group 0 of SteinRuleAdam)"),
            new Bad(SteinRuleAdam::new, "c_max", 1.5, "c_max must be in [0, 1], was 1.5 (group 0 of SteinRuleAdam)"),
            new Bad(SteinRuleAdam::new, "variant", "WHITENED", "variant must be a Variant, was String WHITENED (group 0 of SteinRuleAdam)"),
            new Bad(Adamax::new, "lr", -2e-3, "lr must be >= 0, was -0.002 (group 0 of Adamax)"),
            new Bad(Adamax::new, "beta1", 1.0, "beta1 must be in [0, 1), was 1.0 (group 0 of Adamax)"),
            new Bad(Adamax::new, "beta2", Double.NaN, "beta2 must be in [0, 1), was NaN (group 0 of Adamax)"),
            new Bad(Adamax::new, "eps", -1e-8, "eps must be >= 0, was -1.0E-8 (group 0 of Adamax)"),
            new Bad(Adamax::new, "weight_decay", -0.1, "weight_decay must be >= 0, was -0.1 (group 0 of Adamax)"),
            new Bad(NAdam::new, "beta1", -0.1, "beta1 must be in [0, 1), was -0.1 (group 0 of NAdam)"),
            new Bad(NAdam::new, "beta2", 1.0, "beta2 must be in [0, 1), was 1.0 (group 0 of NAdam)"),
            new Bad(NAdam::new, "momentum_decay", -4e-3, "momentum_decay must be >= 0, was -0.004 (group 0 of NAdam)"),
            new Bad(NAdam::new, "decoupled_weight_decay", 0.0, "decoupled_weight_decay must be true or false, was Double 0.0 (group 0 of NAdam)"),
            new Bad(RAdam::new, "lr", Double.POSITIVE_INFINITY, "lr must be >= 0, was Infinity (group 0 of RAdam)"),
            new Bad(RAdam::new, "beta2", 1.5, "beta2 must be in [0, 1), was 1.5 (group 0 of RAdam)"),
            new Bad(RAdam::new, "eps", Double.NaN, "eps must be >= 0, was NaN (group 0 of RAdam)"),
            new Bad(RAdam::new, "weight_decay", -1e-2, "weight_decay must be >= 0, was -0.01 (group 0 of RAdam)"),
            new Bad(RAdam::new, "decoupled_weight_decay", "no", "decoupled_weight_decay must be true or false, was String no (group 0 of RAdam)"),
            new Bad(g -> new ClippedSGD(g, 0.1, 1), "gamma", 0.0, "gamma must be > 0 (∞ allowed), was 0.0 (group 0 of ClippedSGD)"),
            new Bad(g -> new NormalizedSGD(g, 0.1), "beta", -1.0, "beta must be >= 0, was -1.0 (group 0 of NormalizedSGD)"),
            new Bad(g -> new ClippingFramework(g, 0.1, 1, 0.9, 0.5), "nu", 1.5, "nu must be in [0, 1], was 1.5 (group 0 of ClippingFramework)"),
            new Bad(g -> new ClippingFramework(g, 0.1, 1, 0.9, 0.5), "beta", 1.0, "beta must be in [0, 1), was 1.0 (group 0 of ClippingFramework)"),
            new Bad(g -> new ClippingFramework(g, 0.1, 1, 0.9, 0.5), "clip", "hard", "clip must be a Clip, was String hard (group 0 of ClippingFramework)"),
            new Bad(g -> new ProjectedGradientDescent(g, 0.1, Ball.origin(1)), "set", 1.0, "set must be a ConvexSet, was Double 1.0 (group 0 of ProjectedGradientDescent)"));

    @Test
    void everyBadValueIsNamedWithItsRuleAndGroup() {
        for (Bad bad : BAD) {
            var e = assertThrows(IllegalArgumentException.class, () -> bad.build.apply(List.of(ParamGroup.of(param()).with(bad.key, bad.value))),
                    bad.key + " = " + bad.value);
            assertEquals(bad.message, e.getMessage());
        }
    }

    @Test
    void theGroupIndexIsTheOneWithTheBadValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(ParamGroup.of(param()), ParamGroup.of(param()).with("lr", -1))));
        assertEquals("lr must be >= 0, was -1.0 (group 1 of Adam)", e.getMessage());
    }

    @Test
    void constructorDefaultsAreValidatedToo() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(param())), -0.1));
        assertEquals("lr must be >= 0, was -0.1 (group 0 of SGD)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClippingFramework(List.of(ParamGroup.of(param())), 0.1, 1, 0.9, -0.2));
        assertEquals("nu must be in [0, 1], was -0.2 (group 0 of ClippingFramework)", e.getMessage());
    }

    @Test
    void rulesOverSeveralKeys() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(param()).with("nesterov", true))));
        assertEquals("nesterov needs momentum > 0 and dampening = 0, was momentum 0.0, dampening 0.0 (group 0 of SGD)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SteinRuleAdam(List.of(ParamGroup.of(param()).with("c_min", 0.6).with("c_max", 0.5))));
        assertEquals("c_min must be <= c_max, was c_min 0.6, c_max 0.5 (group 0 of SteinRuleAdam)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Rprop(List.of(ParamGroup.of(param()), ParamGroup.of(param()).with("step_size_min", 2.0).with("step_size_max", 1.0))));
        assertEquals("step_size_min must be <= step_size_max, was step_size_min 2.0, step_size_max 1.0 (group 1 of Rprop)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ClippingFramework(List.of(ParamGroup.of(param())), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0.9, 1));
        assertEquals("lr and gamma must not both be infinite, was lr Infinity, gamma Infinity (group 0 of ClippingFramework)", e.getMessage());
    }

    @Test
    void unknownAndMissingKeys() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(ParamGroup.of(param()).with("momentun", 0.9))));
        assertEquals("unknown hyperparameter 'momentun'; known: lr, beta1, beta2, eps, weight_decay, amsgrad, paper_epsilon (group 0 of Adam)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClippedSGD(List.of(ParamGroup.of(param()).with("lr", 0.1))));
        assertEquals("gamma is required (group 0 of ClippedSGD)", e.getMessage());
    }

    @Test
    void parametersAndGroupsAreChecked() {
        Parameter w = param();
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(w), ParamGroup.of(param(), w))));
        assertEquals("parameter 'w' [3] FLOAT64 appears twice: in group 0 and in group 1 of SGD", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.<ParamGroup>of()));
        assertEquals("SGD needs at least one parameter group", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(param()).with("lr", (Object) null));
        assertEquals("lr must not be null", e.getMessage());
    }

    /** A model whose layers were never registered hands over no parameters: the optimizer refuses, it would never train. */
    @Test
    void anOptimizerWithNoParameterAtAllIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(ParamGroup.of(List.of())), 1e-3));
        assertTrue(e.getMessage().startsWith("Adam got an empty parameter list"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(List.of()), ParamGroup.of(List.of())), 0.1));
        assertTrue(e.getMessage().startsWith("SGD got an empty parameter list"), e.getMessage());
        // one empty group beside a full one stays allowed (a parameters(Class) selection that matched nothing)
        new SGD(List.of(ParamGroup.of(List.of()), ParamGroup.of(param())), 0.1);
    }

    @Test
    void learningRatesArePerGroupReadableAndSettableWithValidation() {
        var opt = new Adam(List.of(ParamGroup.of(param()).with("lr", 0.1), ParamGroup.of(param())), 0.01);
        assertEquals(0.1, opt.lr(0));
        assertEquals(0.01, opt.lr(1));
        opt.group(1).setLr(0.02);
        assertEquals(0.02, opt.lr(1));
        var e = assertThrows(IllegalArgumentException.class, () -> opt.group(0).setLr(-3));
        assertEquals("lr must be >= 0, was -3.0 (group 0 of Adam)", e.getMessage());
        assertEquals(0.1, opt.lr(0), "a refused change leaves the value");
        e = assertThrows(IllegalArgumentException.class, () -> opt.group(0).set("gamma", 1));
        assertEquals("unknown hyperparameter 'gamma'; known: lr, beta1, beta2, eps, weight_decay, amsgrad, paper_epsilon (group 0 of Adam)", e.getMessage());
        var sgd = new SGD(List.of(ParamGroup.of(param()).with("momentum", 0.9).with("nesterov", true)));
        e = assertThrows(IllegalArgumentException.class, () -> sgd.group(0).set("momentum", 0));
        assertTrue(e.getMessage().startsWith("nesterov needs momentum > 0"), e.getMessage());
        assertEquals(0.9, sgd.group(0).get("momentum"));
        assertThrows(IndexOutOfBoundsException.class, () -> opt.group(2));
    }

    @Test
    void anOptimizerCopiesTheGroupsItIsGiven() {
        ParamGroup g = ParamGroup.of(param()).with("lr", 0.1);
        var opt = new SGD(List.of(g));
        g.with("lr", 0.5);
        assertEquals(0.1, opt.lr(0));
        assertEquals(List.of("lr", "momentum", "dampening", "weight_decay", "nesterov"), List.copyOf(opt.group(0).keys()));
    }

    @Test
    void eachOptimizerDeclaresItsStateOnceAndTheBaseFollowsItsHyperparameters() {
        assertEquals(List.of("exp_avg", "exp_avg_sq"), Adam.SPEC.bufferNames(new Adam(List.of(ParamGroup.of(param()))).group(0)));
        var rms = new RMSprop(List.of(ParamGroup.of(param()).with("centered", true)));
        assertEquals(List.of("square_avg", "grad_avg"), rms.hyperparameters().bufferNames(rms.group(0)));
        rms.group(0).set("momentum", 0.9);
        assertEquals(List.of("square_avg", "momentum_buffer", "grad_avg"), rms.hyperparameters().bufferNames(rms.group(0)));
        assertEquals(List.of("last_shrinkage"), SteinRuleAdam.SPEC.groupScalars());
        var e = assertThrows(IllegalArgumentException.class, () -> Hyperparameters.builder().buffer("m").groupScalar("m"));
        assertEquals("state 'm' declared twice", e.getMessage());
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Parameter a = param(), b = param();
        var opt = new Adam(List.of(ParamGroup.of(a, b), ParamGroup.of(param())), 0.1);
        a.setGrad(Tensor.ones(DType.FLOAT64, 3));
        opt.step();
        assertEquals(1, opt.stateDict().get("group.0.param.0.step").toLongArray()[0]);
        assertEquals(0, opt.stateDict().get("group.0.param.1.step").toLongArray()[0]);
        assertEquals(1, opt.groupStep(0));
        assertEquals(0, opt.groupStep(1), "a group without any gradient takes no step");
        assertEquals(0.0, b.abs().sum().item());
        assertTrue(a.toDoubleArray()[0] < 0);
        opt.zeroGrad();
        assertNull(a.grad());
    }

    @Test
    void aStridedGradientIsReadCorrectly() {
        Parameter a = new Parameter(Tensor.zeros(DType.FLOAT64, 2, 3)), b = new Parameter(Tensor.zeros(DType.FLOAT64, 2, 3));
        Tensor g = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        a.setGrad(g.t()); // a strided view
        b.setGrad(g.t().contiguous());
        new SGD(List.of(ParamGroup.of(a)), 0.5).step();
        new SGD(List.of(ParamGroup.of(b)), 0.5).step();
        Steps.assertBitwise(b.toDoubleArray(), a.toDoubleArray(), "strided vs contiguous gradient");
    }
}
