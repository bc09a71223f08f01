// `--threads N`, shared by the commands that run kernels: checked when parsed, applied by Main before parsing.
package dev.descent.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --threads} option, mixed into train, demo and the reproductions. The pool is sized once, before
 * any kernel runs, so {@link Main#applyThreads} reads the value from the raw arguments; this option documents
 * it and rejects a count that {@code Main} would otherwise ignore in silence.
 */
public final class ThreadsOption {
    /**
     * The largest count accepted. Each thread is a platform thread with its own stack, started at once; far beyond
     * the processor count they only add contention, and a count like 2³¹ − 1 would exhaust memory before the run.
     */
    public static final int MAX = 1024;

    @Option(names = "--threads", paramLabel = "N", converter = Count.class, description = "kernel threads, 1 to " + MAX + " (default: all processors)")
    Integer threads;

    /** The count given, or null when the option was left out. */
    public Integer value() {
        return threads;
    }

    /** Parses a thread count, rejecting one outside 1…{@link #MAX}. */
    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (n < 1 || n > MAX) throw new TypeConversionException("must be between 1 and " + MAX + ", was " + n);
            return n;
        }
    }
}
