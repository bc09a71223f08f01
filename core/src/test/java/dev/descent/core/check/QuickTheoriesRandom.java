package dev.descent.core.check;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.generators.SourceDSL;

/**
 * A {@link RandomGenerator} whose choices QuickTheories makes, so that generators written against
 * {@code RandomGenerator} ({@link TensorGen}, the op registry's entries) shrink: every bounded int
 * ({@code nextInt(bound)}, {@code nextInt(origin, bound)}) and every boolean is an
 * {@code integers().between(…)} draw, and a failing case shrinks toward rank 0 or the smallest rank
 * allowed, dims of 1, index 0, the first branch and {@code false}.
 *
 * <p>Unbounded draws — {@code nextLong()}, {@code nextDouble()}, {@code nextGaussian()}, the element
 * values of a tensor — come from a {@link SplittableRandom} seeded by one more QuickTheories draw:
 * shrinking each of a tensor's values toward 0 would not make a failure easier to read (and would
 * turn every normal sample into a run of zeros), while a small shape does.
 */
public final class QuickTheoriesRandom implements RandomGenerator {
    private final RandomnessSource source;
    private final long seed;
    private final SplittableRandom bulk;
    private long[] choices = new long[16];
    private int count;

    private QuickTheoriesRandom(RandomnessSource source) {
        this.source = source;
        this.seed = SourceDSL.longs().all().generate(source);   // (SourceDSL named: RandomGenerator has its own longs())
        this.bulk = new SplittableRandom(seed);
    }

    /**
     * Values made by {@code make} from QuickTheories' choices, described on failure by {@code describe}.
     *
     * @param make draws a value from the generator it is given
     * @param describe how a falsifying value is printed
     * @param <T> the type of the values
     * @return a QuickTheories generator
     */
    public static <T> Gen<T> gen(Function<RandomGenerator, T> make, Function<T, String> describe) {
        Gen<T> g = in -> make.apply(new QuickTheoriesRandom(in));
        return g.describedAs(describe::apply);
    }

    /**
     * The choices a script makes, recorded so that it can be run again with the same ones (the op sweep
     * makes the same case in float32 and float64 from one tape): {@link Tape#replay()}.
     *
     * @param script draws what it needs and returns a description of it (printed on failure)
     * @return a QuickTheories generator of tapes
     */
    public static Gen<Tape> tapes(Function<RandomGenerator, String> script) {
        Gen<Tape> g = in -> {
            QuickTheoriesRandom r = new QuickTheoriesRandom(in);
            String description = script.apply(r);
            return new Tape(description, r.seed, Arrays.copyOf(r.choices, r.count));
        };
        return g.describedAs(Tape::toString);
    }

    /** What one run of a script drew: its bounded choices in order, and the seed of its bulk values. */
    public record Tape(String description, long seed, long[] choices) {
        /**
         * A generator that gives the same choices in the same order and the same bulk values.
         *
         * @return a new generator; it throws if asked for a choice the recorded run did not make
         */
        public RandomGenerator replay() {
            return new Replay(this);
        }

        @Override
        public String toString() {
            return description + " (choices " + Arrays.toString(choices) + ", values seed " + seed + ")";
        }
    }

    private long choose(long min, long max) {
        long v = SourceDSL.integers().between((int) min, (int) max).generate(source);
        if (count == choices.length) choices = Arrays.copyOf(choices, 2 * count);
        choices[count++] = v;
        return v;
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, was " + bound);
        return (int) choose(0, bound - 1);
    }

    @Override
    public int nextInt(int origin, int bound) {
        if (origin >= bound) throw new IllegalArgumentException("origin " + origin + " must be below bound " + bound);
        return (int) choose(origin, bound - 1);
    }

    @Override
    public boolean nextBoolean() {
        return choose(0, 1) == 1;
    }

    @Override
    public long nextLong() {
        return bulk.nextLong();
    }

    @Override
    public double nextDouble() {
        return bulk.nextDouble();
    }

    @Override
    public double nextGaussian() {
        return bulk.nextGaussian();
    }

    /** A tape played back. */
    private static final class Replay implements RandomGenerator {
        private final Tape tape;
        private final SplittableRandom bulk;
        private int at;

        Replay(Tape tape) {
            this.tape = tape;
            this.bulk = new SplittableRandom(tape.seed());
        }

        private long next(long min, long max) {
            if (at == tape.choices().length) throw new IllegalStateException("replay asked for choice " + at + " beyond the tape: " + tape);
            long v = tape.choices()[at++];
            if (v < min || v > max) {
                throw new IllegalStateException("choice " + (at - 1) + " was " + v + ", now asked in [" + min + ", " + max + "]: " + tape);
            }
            return v;
        }

        @Override
        public int nextInt(int bound) {
            return (int) next(0, bound - 1);
        }

        @Override
        public int nextInt(int origin, int bound) {
            return (int) next(origin, bound - 1);
        }

        @Override
        public boolean nextBoolean() {
            return next(0, 1) == 1;
        }

        @Override
        public long nextLong() {
            return bulk.nextLong();
        }

        @Override
        public double nextDouble() {
            return bulk.nextDouble();
        }

        @Override
        public double nextGaussian() {
            return bulk.nextGaussian();
        }
    }
}
