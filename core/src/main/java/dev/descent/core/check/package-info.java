/**
 * Tools for testing ops, public so that users can test the ops they add:
 * {@link dev.descent.core.check.GradCheck} compares a backward rule with central finite differences in
 * float64 and names the first entry that disagrees; {@link dev.descent.core.check.TensorGen} draws
 * random shapes, broadcast-compatible shape pairs, values (including edge values) and non-contiguous
 * layouts from any {@link java.util.random.RandomGenerator}, for property tests.
 */
package dev.descent.core.check;
