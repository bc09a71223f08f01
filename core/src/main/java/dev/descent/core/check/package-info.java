/**
 * Tools for testing ops, public so that users can test the ops they add:
 * {@link dev.descent.core.check.GradCheck} compares a backward rule with central finite differences in
 * float64 and names the first entry that disagrees; {@link dev.descent.core.check.GradGradCheck} does the same for the
 * backward rule's own derivatives; {@link dev.descent.core.check.OpSweep} runs every property Descent checks on its own
 * ops (gradients, second order, a reference, strided inputs) on an op of yours from a generator, and shrinks a failure
 * to the smallest case it can find; {@link dev.descent.core.check.TensorGen} draws
 * random shapes, broadcast-compatible shape pairs, values (including edge values) and non-contiguous
 * layouts from any {@link java.util.random.RandomGenerator}, for property tests.
 */
package dev.descent.core.check;
