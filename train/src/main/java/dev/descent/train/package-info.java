/**
 * The training loop: {@link dev.descent.train.Trainer} and what plugs into it.
 *
 * <p>A {@code Trainer} owns nothing but the loop. The model, the optimizer and the data loader are the
 * caller's; what happens beside the loop — a progress bar, a metrics file, plots, early stopping, a
 * hook that reads the optimizer's state — is a {@link dev.descent.train.Callback}. Everything random
 * comes from the caller's model, loader and seeds, so a run and its resumption from any checkpoint end
 * with bitwise the same weights (same thread count and vector width).
 */
package dev.descent.train;
