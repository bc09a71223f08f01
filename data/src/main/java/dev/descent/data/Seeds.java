package dev.descent.data;

/**
 * Derives independent seeds from a seed and a counter with SplitMix64's finaliser (Steele, Lea and
 * Flood, OOPSLA 2014), so that epoch k or batch b gets the same generator whenever it is produced.
 */
final class Seeds {
    private Seeds() {}

    /** A well-mixed seed for {@code counter} under {@code seed}. */
    static long mix(long seed, long counter) {
        long z = seed + 0x9e3779b97f4a7c15L * (counter + 1);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
