package dev.descent.data;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * One point of damage to a file's bytes, drawn by QuickTheories so that a failing case shrinks to
 * a small one: few damages, early positions, small values. Positions are drawn within the undamaged
 * length; when an earlier damage made the bytes shorter, a position past the end wraps around.
 * Words are big-endian, as in IDX headers. Each drawn damage may (rarely) be "none", which is
 * dropped from the list: QuickTheories shrinks a list by dropping its last elements only, so it is
 * through "none" that a damage early in the list can vanish from a shrunk case.
 */
record Damage(Kind kind, int at, int value) {
    enum Kind { TRUNCATE, EXTEND, FLIP, SET, INSERT, DELETE, WORD, WORD_ADD }

    /**
     * One to four damages to bytes of {@code length}; {@code magic} is {offset, length} of the
     * bytes a "change the magic" damage rewrites.
     */
    static Gen<List<Damage>> some(int length, int[] magic) {
        return lists().of(one(length, magic)).ofSizeBetween(1, 4).map(l -> l.stream().filter(d -> d != null).toList());
    }

    /** One damage, or null ("none", the shrink target, drawn 1 time in 33). */
    static Gen<Damage> one(int length, int[] magic) {
        Gen<Integer> anywhere = integers().between(0, length - 1), aByte = integers().between(0, 255);
        Gen<Integer> word = integers().between(0, Math.min(16, length / 4) - 1).map(w -> 4 * w);
        List<Gen<Damage>> kinds = List.of(
                anywhere.map(p -> new Damage(Kind.TRUNCATE, p, 0)),
                Generate.oneOf(integers().between(1, 8), integers().between(1, 5000)).zip(aByte, (n, v) -> new Damage(Kind.EXTEND, n, v)),
                anywhere.zip(integers().between(0, 7), (p, bit) -> new Damage(Kind.FLIP, p, bit)),
                integers().between(magic[0], magic[0] + magic[1] - 1).zip(aByte, (p, v) -> new Damage(Kind.SET, p, v)), // the magic
                Generate.oneOf(word.zip(Generate.oneOf(integers().all(), integers().between(Integer.MAX_VALUE - 99, Integer.MAX_VALUE)),
                        (p, v) -> new Damage(Kind.WORD, p, v)), word.zip(integers().between(-3, 3), (p, d) -> new Damage(Kind.WORD_ADD, p, d))),
                anywhere.zip(aByte, (p, v) -> new Damage(Kind.SET, p, v)),
                anywhere.zip(aByte, (p, v) -> new Damage(Kind.INSERT, p, v)),
                anywhere.map(p -> new Damage(Kind.DELETE, p, 0)));
        List<Pair<Integer, Gen<Damage>>> weighted = new ArrayList<>();
        weighted.add(Pair.of(1, Generate.constant((Damage) null)));
        for (Gen<Damage> k : kinds) weighted.add(Pair.of(4, k));
        return Generate.frequency(weighted);
    }

    static byte[] apply(byte[] b, List<Damage> damages) {
        for (Damage d : damages) b = d.apply(b);
        return b;
    }

    byte[] apply(byte[] b) {
        int n = b.length, p = n == 0 ? 0 : at % n;
        if (n == 0 && kind != Kind.EXTEND && kind != Kind.INSERT) return b;
        byte[] o;
        switch (kind) {
            case TRUNCATE -> o = Arrays.copyOf(b, p);
            case EXTEND -> {
                o = Arrays.copyOf(b, n + at);
                Arrays.fill(o, n, o.length, (byte) value);
            }
            case FLIP -> {
                o = b.clone();
                o[p] ^= (byte) (1 << value);
            }
            case SET -> {
                o = b.clone();
                o[p] = (byte) value;
            }
            case INSERT -> {
                o = new byte[n + 1];
                p = at % (n + 1);
                System.arraycopy(b, 0, o, 0, p);
                o[p] = (byte) value;
                System.arraycopy(b, p, o, p + 1, n - p);
            }
            case DELETE -> {
                o = new byte[n - 1];
                System.arraycopy(b, 0, o, 0, p);
                System.arraycopy(b, p + 1, o, p, n - p - 1);
            }
            default -> {
                if (n < 4) return b;
                o = b.clone();
                p = at % (n - 3);
                int v = kind == Kind.WORD ? value
                        : ((o[p] & 0xff) << 24 | (o[p + 1] & 0xff) << 16 | (o[p + 2] & 0xff) << 8 | (o[p + 3] & 0xff)) + value;
                for (int k = 0; k < 4; k++) o[p + k] = (byte) (v >>> (24 - 8 * k));
            }
        }
        return o;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TRUNCATE -> "truncate to " + at + " bytes";
            case EXTEND -> "append " + at + " bytes 0x" + Integer.toHexString(value);
            case FLIP -> "flip bit " + value + " of byte " + at;
            case SET -> "set byte " + at + " to 0x" + Integer.toHexString(value);
            case INSERT -> "insert 0x" + Integer.toHexString(value) + " before byte " + at;
            case DELETE -> "delete byte " + at;
            case WORD -> "set the word at byte " + at + " to " + value;
            case WORD_ADD -> "add " + value + " to the word at byte " + at;
        };
    }
}
