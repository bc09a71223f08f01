package dev.descent.cli;

import dev.descent.core.Parameter;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Module;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.AdamW;
import dev.descent.optim.Ball;
import dev.descent.optim.ClipByGlobalNorm;
import dev.descent.optim.ClippedSGD;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.NormalizedSGD;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ProjectedGradientDescent;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.SteinRuleAdam;
import java.util.ArrayList;
import java.util.List;

/** Builds the optimizer a {@link TrainConfig} names, with its parameter groups. */
public final class OptimizerFactory {
    private OptimizerFactory() {}

    /** The names {@code --optimizer} accepts. */
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad", "sradam", "clipped-sgd", "normalized-sgd",
            "clipping", "projected-gd");

    /** The optimizer for {@code model}'s parameters. */
    public static Optimizer create(TrainConfig c, Module model) {
        List<Parameter> all = model.parameters();
        Optimizer opt = switch (c.optimizer()) {
            case "sgd" -> new SGD(List.of(common(ParamGroup.of(all), c, 0.01)
                    .with("momentum", c.momentum()).with("nesterov", c.nesterov())));
            case "adam" -> new Adam(List.of(adam(ParamGroup.of(all), c, 1e-3, 0)));
            case "adamw" -> new AdamW(List.of(adam(ParamGroup.of(all), c, 1e-3, 1e-2)));
            case "rmsprop" -> new RMSprop(List.of(common(ParamGroup.of(all), c, 1e-2).with("momentum", c.momentum())));
            case "adagrad" -> new Adagrad(List.of(common(ParamGroup.of(all), c, 1e-2)));
            case "sradam" -> new SteinRuleAdam(srGroups(c, model));
            case "clipped-sgd" -> new ClippedSGD(List.of(common(ParamGroup.of(all), c, 0.1).with("gamma", orDefault(c.gamma(), 1.0))));
            case "normalized-sgd" -> new NormalizedSGD(List.of(common(ParamGroup.of(all), c, 0.1).with("beta", orDefault(c.beta(), 0.0))));
            case "clipping" -> new ClippingFramework(List.of(common(ParamGroup.of(all), c, 1.0).with("gamma", orDefault(c.gamma(), 1.0))
                    .with("beta", orDefault(c.beta(), 0.999)).with("nu", orDefault(c.nu(), 0.7))
                    .with("clip", c.softClip() ? ClippingFramework.Clip.SOFT : ClippingFramework.Clip.HARD)));
            case "projected-gd" -> new ProjectedGradientDescent(List.of(common(ParamGroup.of(all), c, 0.01)
                    .with("set", Ball.origin(orDefault(c.radius(), 10.0)))));
            default -> throw new IllegalArgumentException("unknown optimizer '" + c.optimizer() + "' (known: " + String.join(", ", NAMES) + ")");
        };
        if (c.clipNorm() > 0) opt.addGradientTransform(new ClipByGlobalNorm(c.clipNorm()));
        return opt;
    }

    /** SR-Adam's groups: shrinkage on the conv parameters (or all, or none), plain Adam on the rest. */
    private static List<ParamGroup> srGroups(TrainConfig c, Module model) {
        SteinRuleAdam.Variant variant = switch (c.variant()) {
            case "paper" -> SteinRuleAdam.Variant.PAPER;
            case "whitened" -> SteinRuleAdam.Variant.WHITENED;
            default -> throw new IllegalArgumentException("--variant must be paper or whitened, was '" + c.variant() + "'");
        };
        List<ParamGroup> groups = new ArrayList<>();
        switch (c.shrink()) {
            case "conv" -> {
                List<Parameter> conv = model.parameters(Conv2d.class), rest = model.parametersExcept(Conv2d.class);
                if (!conv.isEmpty()) groups.add(adam(ParamGroup.of(conv), c, 1e-3, 0).with("shrink", true).with("variant", variant));
                if (!rest.isEmpty()) groups.add(adam(ParamGroup.of(rest), c, 1e-3, 0).with("shrink", false).with("variant", variant));
            }
            case "all" -> groups.add(adam(ParamGroup.of(model.parameters()), c, 1e-3, 0).with("shrink", true).with("variant", variant));
            case "none" -> groups.add(adam(ParamGroup.of(model.parameters()), c, 1e-3, 0).with("shrink", false).with("variant", variant));
            default -> throw new IllegalArgumentException("--shrink must be conv, all or none, was '" + c.shrink() + "'");
        }
        return groups;
    }

    private static ParamGroup common(ParamGroup g, TrainConfig c, double defaultLr) {
        return g.with("lr", orDefault(c.lr(), defaultLr)).with("weight_decay", orDefault(c.weightDecay(), 0.0));
    }

    private static ParamGroup adam(ParamGroup g, TrainConfig c, double defaultLr, double defaultDecay) {
        ParamGroup out = g.with("lr", orDefault(c.lr(), defaultLr)).with("weight_decay", orDefault(c.weightDecay(), defaultDecay))
                .with("beta1", c.beta1()).with("beta2", c.beta2()).with("eps", c.eps());
        return c.optimizer().equals("sradam") ? out : out.with("amsgrad", c.amsgrad());
    }

    static double orDefault(double v, double fallback) {
        return Double.isNaN(v) ? fallback : v;
    }
}
