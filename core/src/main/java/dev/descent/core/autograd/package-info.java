/**
 * The reverse-mode autodiff engine: {@link dev.descent.core.autograd.Engine}, the iterative graph walk
 * behind {@link dev.descent.core.Tensor#backward()} and {@link dev.descent.core.Autograd#grad}, small
 * enough to read in one sitting, and {@link dev.descent.core.autograd.GraphDot}, which draws the recorded
 * graph as Graphviz text. Ops record the graph through {@link dev.descent.core.Autograd#record}; this
 * package only walks it.
 */
package dev.descent.core.autograd;
