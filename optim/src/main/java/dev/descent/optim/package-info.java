/**
 * Optimizers over {@link dev.descent.core.Parameter}s, with parameter groups: every algorithm of
 * Descent's four papers, gradient transforms, learning-rate schedules and optimizer state files.
 *
 * <p>The pieces:
 * <ul>
 *   <li>{@link dev.descent.optim.ParamGroup} — parameters plus their hyperparameters;
 *       {@link dev.descent.optim.Optimizer} — the base: {@code step()}, {@code zeroGrad()}, per-group
 *       learning rates, {@code stateDict()}/{@code loadStateDict}; each optimizer's accepted keys,
 *       defaults, ranges and state buffers are its {@link dev.descent.optim.Hyperparameters};
 *       {@link dev.descent.optim.OptimizerState} saves and loads the state as safetensors files. Every
 *       optimizer takes a parameter list as one group ({@code new Adam(model.parameters(), 1e-3)}) beside
 *       its {@code List<ParamGroup>} constructors, and {@code step(closure)} (a closure that zeroes, runs
 *       forward and backward and returns the loss) beside {@code step()}.</li>
 *   <li>SGD family: {@link dev.descent.optim.SGD} (momentum, dampening, Nesterov, weight decay),
 *       {@link dev.descent.optim.RMSprop}, {@link dev.descent.optim.Adagrad},
 *       {@link dev.descent.optim.Adadelta}, {@link dev.descent.optim.Rprop} (sign-based, per-element step sizes),
 *       {@link dev.descent.optim.ASGD} (averaged SGD; {@code averaged(p)} reads the averaged weights).</li>
 *   <li>Adam family: {@link dev.descent.optim.Adam} (AMSGrad option), {@link dev.descent.optim.AdamW},
 *       {@link dev.descent.optim.SteinRuleAdam} (docs/papers.md §1); PyTorch's variants
 *       {@link dev.descent.optim.Adamax}, {@link dev.descent.optim.NAdam}, {@link dev.descent.optim.RAdam};
 *       {@link dev.descent.optim.Lion} (sign of interpolated momentum).</li>
 *   <li>Layer-wise trust ratios for large batches: {@link dev.descent.optim.LAMB} (Adam moments) and
 *       {@link dev.descent.optim.LARS} (SGD with momentum); a group with {@code trust_ratio = false}
 *       (biases, normalisation layers) is AdamW and SGD exactly.</li>
 *   <li>Preconditioned: {@link dev.descent.optim.Muon} (Newton–Schulz orthogonalised momentum for matrices,
 *       with an AdamW fallback group) and {@link dev.descent.optim.Shampoo} (per-dimension preconditioners and
 *       their inverse roots, from this package's own Jacobi eigendecomposition: core has no linear algebra yet).</li>
 *   <li>Clipping family (docs/papers.md §4): {@link dev.descent.optim.ClippedSGD},
 *       {@link dev.descent.optim.NormalizedSGD}, {@link dev.descent.optim.ClippingFramework}; their norm is
 *       taken per group or over all parameters ({@link dev.descent.optim.NormScope}), independently of the
 *       hyperparameter groups.</li>
 *   <li>Closure-driven: {@link dev.descent.optim.LBFGS} (PyTorch's, with an optional strong-Wolfe line
 *       search) and {@link dev.descent.optim.SAM} (sharpness-aware minimisation and ASAM around any base
 *       optimizer).</li>
 *   <li>{@link dev.descent.optim.ScheduleFree}: {@link dev.descent.optim.ScheduleFreeAdamW} and
 *       {@link dev.descent.optim.ScheduleFreeSGD} (Defazio et al. 2024), with {@code train()}/{@code eval()}
 *       to swap the averaged weights in; {@link dev.descent.optim.Adafactor} (factored second moments,
 *       PyTorch's).</li>
 *   <li>Constrained: {@link dev.descent.optim.ProjectedGradientDescent} onto a
 *       {@link dev.descent.optim.ConvexSet} such as {@link dev.descent.optim.Ball} (docs/papers.md §3).</li>
 *   <li>{@link dev.descent.optim.GradientTransform}s that compose with any optimizer:
 *       {@link dev.descent.optim.ClipByGlobalNorm}, {@link dev.descent.optim.ClipByValue}.</li>
 *   <li>{@link dev.descent.optim.Schedule}s driven by an {@link dev.descent.optim.LrScheduler}:
 *       constant, step, multi-step, cosine, cosine with warm restarts, one-cycle, linear warm-up, sequential
 *       chains, products, and any lambda of the position; {@link dev.descent.optim.ReduceLrOnPlateau} lowers
 *       the learning rate when a metric the caller passes stalls. Two-time-scale SGD (docs/papers.md §2) is
 *       two groups with different learning rates. Weight averaging (EMA, SWA, Polyak) needs the model, so
 *       it is {@code dev.descent.train.AveragedModel}.</li>
 * </ul>
 *
 * <p>docs/optimizers.md tabulates every optimizer: its rule, source, defaults and the test that checks it.
 *
 * <p><b>Why there is no SparseAdam.</b> PyTorch's {@code SparseAdam} exists for sparse gradients (an
 * {@code Embedding} with {@code sparse=True} produces a gradient holding only the rows a batch touched), and
 * it updates only those rows' moments. Descent's tensors are dense and every gradient is a dense tensor of
 * its parameter's shape, so there is nothing for it to exploit: on a dense gradient it would be Adam with
 * the rows of zero gradient skipped, which is not the algorithm PyTorch users mean. It will come with sparse
 * gradients, if they do.
 */
package dev.descent.optim;
