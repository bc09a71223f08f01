package dev.descent.bench;

import dev.descent.core.Parameter;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Module;
import dev.descent.optim.ASGD;
import dev.descent.optim.Adadelta;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.AdamW;
import dev.descent.optim.Adafactor;
import dev.descent.optim.Adamax;
import dev.descent.optim.Ball;
import dev.descent.optim.ClipByGlobalNorm;
import dev.descent.optim.ClippedSGD;
import dev.descent.optim.ClippingFramework;
import dev.descent.optim.NormalizedSGD;
import dev.descent.optim.LAMB;
import dev.descent.optim.LARS;
import dev.descent.optim.Lion;
import dev.descent.optim.Muon;
import dev.descent.optim.Shampoo;
import dev.descent.optim.NAdam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ProjectedGradientDescent;
import dev.descent.optim.RAdam;
import dev.descent.optim.RMSprop;
import dev.descent.optim.Rprop;
import dev.descent.optim.SAM;
import dev.descent.optim.SGD;
import dev.descent.optim.ScheduleFreeAdamW;
import dev.descent.optim.ScheduleFreeSGD;
import dev.descent.optim.SteinRuleAdam;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an optimizer by name ({@code descent train --optimizer}, the reproductions' {@code --baseline}), with its parameter
 * groups and the algorithm's default learning rate and weight decay.
 */
public final class OptimizerFactory {
    private OptimizerFactory() {}

    /** The names {@code --optimizer} accepts. */
    public static final List<String> NAMES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad", "sradam", "adamax", "nadam", "radam",
            "adadelta", "rprop", "lion", "asgd", "lamb", "lars", "clipped-sgd", "normalized-sgd", "clipping", "projected-gd",
            // issue 17, closures and beyond: SAM over SGD with momentum, schedule-free AdamW and SGD, Adafactor, Muon, Shampoo
            "sam", "schedulefree-adamw", "schedulefree-sgd", "adafactor", "muon", "shampoo");

    /**
     * The settings with every default this optimizer uses filled in: its learning rate and weight decay, and
     * γ, β, ν or the radius where the algorithm has them. Options the algorithm ignores stay as given (null
     * when left out). A run's {@code config.json} records these values, so it says what the run used.
     *
     * @param c the settings, with null for those left out
     * @return the settings with the defaults filled in
     * @throws IllegalArgumentException for an unknown optimizer name
     */
    public static Settings resolve(Settings c) {
        if (!NAMES.contains(c.optimizer())) throw new IllegalArgumentException(unknown(c.optimizer()));
        double lr, decay = 0;
        Double gamma = c.gamma(), beta = c.beta(), nu = c.nu(), radius = c.radius();
        switch (c.optimizer()) {
            // issue 17, closures and beyond
            case "sam" -> lr = 0.01; // the base SGD's (momentum 0.9 unless --momentum is given)
            case "schedulefree-adamw" -> lr = 0.0025; // the authors' default
            case "schedulefree-sgd" -> lr = 1.0; // the authors' default
            case "adafactor" -> lr = 1e-2; // PyTorch's default (the step is relative: min(lr, 1/sqrt(t))·RMS(θ))
            case "sgd", "rmsprop", "adagrad", "projected-gd" -> lr = 0.01;
            case "adam", "sradam", "radam" -> lr = 1e-3;
            case "adamax", "nadam" -> lr = 2e-3;
            case "adadelta" -> lr = 1.0;
            case "rprop" -> lr = 1e-2;
            case "lion" -> lr = 1e-4;
            case "asgd" -> lr = 1e-2;
            case "lamb" -> lr = 1e-3;
            case "lars" -> lr = 1.0; // the step is lr·1e-3·‖θ‖/‖g‖ (trust coefficient): large-batch recipes use lr of 1 and more
            case "adamw" -> {
                lr = 1e-3;
                decay = 1e-2;
            }
            case "clipped-sgd", "normalized-sgd" -> lr = 0.1;
            case "clipping" -> lr = 1.0;
            // issue 17, h-optim-more: Muon's reference lr (its AdamW group: 3e-4); Shampoo as Adagrad's.
            case "muon" -> lr = 0.02;
            case "shampoo" -> lr = 0.01;
            default -> throw new IllegalArgumentException("unknown --optimizer '" + c.optimizer() + "' (known: " + String.join(", ", NAMES) + ")");
        }
        switch (c.optimizer()) {
            case "clipped-sgd" -> gamma = or(gamma, 1.0);
            case "normalized-sgd" -> beta = or(beta, 0.0);
            case "clipping" -> {
                gamma = or(gamma, 1.0);
                beta = or(beta, 0.999);
                nu = or(nu, 0.7);
            }
            case "projected-gd" -> radius = or(radius, 10.0);
            default -> { }
        }
        return new Settings(c.optimizer(), or(c.lr(), lr), c.momentum(), or(c.weightDecay(), decay), c.nesterov(), c.beta1(), c.beta2(), c.eps(),
                c.amsgrad(), gamma, beta, nu, c.softClip(), c.shrink(), c.variant(), radius, c.clipNorm());
    }

    /**
     * Why {@code --optimizer lbfgs} is refused: L-BFGS is a full-batch method. Its curvature pairs compare
     * gradients of one loss at two points and its line search compares loss values; on mini-batches each
     * evaluation sees a different loss, so the pairs and the Wolfe tests are noise. The library's
     * {@code LBFGS} with a closure over the whole data set is the way to use it.
     */
    public static final String LBFGS_REFUSED = "--optimizer lbfgs is not offered by descent train: L-BFGS is a full-batch method (its curvature"
            + " pairs and line search compare the same loss at different points, and every mini-batch is a different loss);"
            + " use dev.descent.optim.LBFGS with a closure over the whole data set instead";

    /**
     * The message for a name {@code --optimizer} does not accept.
     *
     * @param name the name given
     * @return why it is refused, listing the known names
     */
    public static String unknown(String name) {
        if ("lbfgs".equalsIgnoreCase(name)) return LBFGS_REFUSED;
        return "unknown --optimizer '" + name + "' (known: " + String.join(", ", NAMES) + ")";
    }

    /**
     * The optimizer for {@code model}'s parameters, with the defaults of {@link #resolve} for settings left out.
     *
     * @param settings the optimizer's name and settings
     * @param model    the model whose parameters it updates
     * @return the optimizer, with a global-norm clip when {@code clipNorm} &gt; 0
     * @throws IllegalArgumentException for an unknown name or a bad setting
     */
    public static Optimizer create(Settings settings, Module model) {
        Settings c = resolve(settings);
        List<Parameter> all = model.parameters();
        Optimizer opt = switch (c.optimizer()) {
            // issue 17, closures and beyond
            case "sam" -> new SAM(new SGD(List.of(common(ParamGroup.of(all), c).with("momentum", c.momentum() != 0 ? c.momentum() : 0.9)
                    .with("nesterov", c.nesterov()))), 0.05, false);
            case "schedulefree-adamw" -> new ScheduleFreeAdamW(List.of(betas(ParamGroup.of(all), c)));
            case "schedulefree-sgd" -> new ScheduleFreeSGD(List.of(common(ParamGroup.of(all), c).with("momentum", c.momentum() != 0 ? c.momentum() : 0.9)));
            case "adafactor" -> new Adafactor(List.of(common(ParamGroup.of(all), c)));
            case "sgd" -> new SGD(List.of(common(ParamGroup.of(all), c)
                    .with("momentum", c.momentum()).with("nesterov", c.nesterov())));
            case "adam", "adamw" -> {
                ParamGroup g = adam(ParamGroup.of(all), c);
                yield c.optimizer().equals("adam") ? new Adam(List.of(g)) : new AdamW(List.of(g));
            }
            case "adamax" -> new Adamax(List.of(betas(ParamGroup.of(all), c)));
            case "nadam" -> new NAdam(List.of(betas(ParamGroup.of(all), c)));
            case "radam" -> new RAdam(List.of(betas(ParamGroup.of(all), c)));
            case "adadelta" -> new Adadelta(List.of(common(ParamGroup.of(all), c)));
            case "rprop" -> {
                if (c.weightDecay() != 0) throw new IllegalArgumentException("--weight-decay: Rprop has no weight decay (as in PyTorch), was " + c.weightDecay());
                yield new Rprop(List.of(ParamGroup.of(all).with("lr", c.lr().doubleValue())));
            }
            case "lion" -> new Lion(List.of(common(ParamGroup.of(all), c))); // Lion's own betas (0.9, 0.99), not --beta1/--beta2
            case "asgd" -> new ASGD(List.of(common(ParamGroup.of(all), c)));
            // LAMB and LARS with their own betas, ε and momentum; every parameter gets the trust ratio.
            case "lamb" -> new LAMB(List.of(common(ParamGroup.of(all), c)));
            case "lars" -> new LARS(List.of(common(ParamGroup.of(all), c)));
            case "rmsprop" -> new RMSprop(List.of(common(ParamGroup.of(all), c).with("momentum", c.momentum())));
            case "adagrad" -> new Adagrad(List.of(common(ParamGroup.of(all), c)));
            case "sradam" -> new SteinRuleAdam(srGroups(c, model));
            case "clipped-sgd" -> new ClippedSGD(List.of(common(ParamGroup.of(all), c).with("gamma", c.gamma())));
            case "normalized-sgd" -> new NormalizedSGD(List.of(common(ParamGroup.of(all), c).with("beta", c.beta())));
            case "clipping" -> new ClippingFramework(List.of(common(ParamGroup.of(all), c).with("gamma", c.gamma())
                    .with("beta", c.beta()).with("nu", c.nu())
                    .with("clip", c.softClip() ? ClippingFramework.Clip.SOFT : ClippingFramework.Clip.HARD)));
            case "projected-gd" -> new ProjectedGradientDescent(List.of(common(ParamGroup.of(all), c)
                    .with("set", Ball.origin(c.radius()))));
            // issue 17, h-optim-more: Muon on the hidden matrices, AdamW on the rest; Shampoo recomputing its roots every 10 steps.
            case "muon" -> new Muon(muonGroups(c, all));
            case "shampoo" -> new Shampoo(List.of(common(ParamGroup.of(all), c).with("update_freq", 10.0)));
            default -> throw new IllegalArgumentException("unknown optimizer '" + c.optimizer() + "' (known: " + String.join(", ", NAMES) + ")");
        };
        if (c.clipNorm() > 0) opt.addGradientTransform(new ClipByGlobalNorm(c.clipNorm()));
        return opt;
    }

    /** SR-Adam's groups: shrinkage on the conv parameters (or all, or none), plain Adam on the rest. */
    private static List<ParamGroup> srGroups(Settings c, Module model) {
        SteinRuleAdam.Variant variant = switch (c.variant()) {
            case "paper" -> SteinRuleAdam.Variant.PAPER;
            case "whitened" -> SteinRuleAdam.Variant.WHITENED;
            default -> throw new IllegalArgumentException("--variant must be paper or whitened, was '" + c.variant() + "'");
        };
        List<ParamGroup> groups = new ArrayList<>();
        switch (c.shrink()) {
            case "conv" -> {
                List<Parameter> conv = model.parameters(Conv2d.class), rest = model.parametersExcept(Conv2d.class);
                if (!conv.isEmpty()) groups.add(adam(ParamGroup.of(conv), c).with("shrink", true).with("variant", variant));
                if (!rest.isEmpty()) groups.add(adam(ParamGroup.of(rest), c).with("shrink", false).with("variant", variant));
            }
            case "all" -> groups.add(adam(ParamGroup.of(model.parameters()), c).with("shrink", true).with("variant", variant));
            case "none" -> groups.add(adam(ParamGroup.of(model.parameters()), c).with("shrink", false).with("variant", variant));
            default -> throw new IllegalArgumentException("--shrink must be conv, all or none, was '" + c.shrink() + "'");
        }
        return groups;
    }

    /**
     * Muon's groups as its authors use them: every matrix or conv weight but the last (the output layer) in a Muon
     * group at --lr; the output layer, biases and norms in an AdamW group at 3e-4 (the reference's MuonWithAuxAdam).
     */
    private static List<ParamGroup> muonGroups(Settings c, List<Parameter> all) {
        List<Parameter> matrices = new ArrayList<>(), rest = new ArrayList<>();
        for (Parameter p : all) (p.dim() >= 2 ? matrices : rest).add(p);
        if (!matrices.isEmpty()) rest.add(matrices.removeLast());
        List<ParamGroup> groups = new ArrayList<>();
        if (!matrices.isEmpty()) groups.add(common(ParamGroup.of(matrices), c));
        if (!rest.isEmpty()) groups.add(ParamGroup.of(rest).with("use_muon", false).with("lr", 3e-4).with("weight_decay", c.weightDecay().doubleValue()));
        return groups;
    }

    private static ParamGroup common(ParamGroup g, Settings c) {
        return g.with("lr", c.lr().doubleValue()).with("weight_decay", c.weightDecay().doubleValue());
    }

    private static ParamGroup adam(ParamGroup g, Settings c) {
        ParamGroup out = betas(g, c);
        return c.optimizer().equals("sradam") ? out : out.with("amsgrad", c.amsgrad());
    }

    /** lr, weight decay, β1, β2 and ε: what every Adam variant takes. */
    private static ParamGroup betas(ParamGroup g, Settings c) {
        return common(g, c).with("beta1", c.beta1()).with("beta2", c.beta2()).with("eps", c.eps());
    }

    /**
     * An optimizer's settings as {@code descent train}'s options give them: null where a default depends on the algorithm.
     *
     * @param optimizer   the name, one of {@link #NAMES}
     * @param lr          learning rate (null: the algorithm's)
     * @param momentum    SGD/RMSprop momentum
     * @param weightDecay weight decay (null: the algorithm's)
     * @param nesterov    SGD with Nesterov momentum
     * @param beta1       Adam β1
     * @param beta2       Adam β2
     * @param eps         Adam ε
     * @param amsgrad     Adam/AdamW with AMSGrad
     * @param gamma       clipping threshold γ (null: 1)
     * @param beta        clipping-framework momentum / normalised-SGD offset (null: the algorithm's)
     * @param nu          clipping-framework mixing ν (null: 0.7)
     * @param softClip    clipping framework: soft clipping
     * @param shrink      SR-Adam: conv, all or none
     * @param variant     SR-Adam: paper or whitened
     * @param radius      projected GD's ball radius (null: 10)
     * @param clipNorm    clip gradients to this global norm before each step (0: off)
     */
    public record Settings(String optimizer, Double lr, double momentum, Double weightDecay, boolean nesterov, double beta1, double beta2, double eps,
                           boolean amsgrad, Double gamma, Double beta, Double nu, boolean softClip, String shrink, String variant, Double radius,
                           double clipNorm) {
        /**
         * Every setting at {@code descent train}'s defaults.
         *
         * @param optimizer the name
         * @return the settings
         */
        public static Settings defaults(String optimizer) {
            return new Settings(optimizer, null, 0, null, false, 0.9, 0.999, 1e-8, false, null, null, null, false, "conv", "paper", null, 0);
        }

        /**
         * The same settings with another learning rate and weight decay.
         *
         * @param newLr          the learning rate (null: the algorithm's)
         * @param newWeightDecay the weight decay (null: the algorithm's)
         * @return the settings
         */
        public Settings withLrAndDecay(Double newLr, Double newWeightDecay) {
            return new Settings(optimizer, newLr, momentum, newWeightDecay, nesterov, beta1, beta2, eps, amsgrad, gamma, beta, nu, softClip, shrink, variant,
                    radius, clipNorm);
        }
    }

    private static Double or(Double v, double fallback) {
        return v != null ? v : fallback;
    }
}
