/**
 * Reverse-mode autodiff: every type that records, controls or walks the graph.
 *
 * <ul>
 *   <li>Recording: an op on tensors that require grad, with {@link dev.descent.core.autograd.GradMode} on,
 *       ends with one call to {@link dev.descent.core.autograd.Autograd#record}, which attaches a
 *       {@link dev.descent.core.autograd.Node} (the op's name, inputs and {@link dev.descent.core.autograd.BackwardFn})
 *       to its output. {@link dev.descent.core.autograd.CustomOp} wraps that call in a class for user-defined
 *       ops.
 *   <li>Walking: {@link dev.descent.core.autograd.Engine}, the iterative graph walk behind
 *       {@link dev.descent.core.Tensor#backward()} and {@link dev.descent.core.autograd.Autograd#grad}, small
 *       enough to read in one sitting.
 *   <li>Looking: {@link dev.descent.core.autograd.Anomaly} names the first op or backward rule that produced a
 *       NaN or an infinity; {@link dev.descent.core.autograd.GraphDot} draws the recorded graph as Graphviz
 *       text.
 * </ul>
 *
 * <p>{@link dev.descent.core.Tensor#attachGradFn} is the one public member that exists only for this package
 * (a tensor's node is set from here); user code never calls it.
 */
package dev.descent.core.autograd;
