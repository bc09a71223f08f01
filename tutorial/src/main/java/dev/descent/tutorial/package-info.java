/**
 * The tutorial's examples: one class per chapter of {@code docs/tutorial/} ({@code Ch01Tensors} to
 * {@code Ch10VerifyOp}), each runnable with {@code docs/tutorial/run N}, and {@link dev.descent.tutorial.Tutorial},
 * the table of contents and command line.
 */
package dev.descent.tutorial;
