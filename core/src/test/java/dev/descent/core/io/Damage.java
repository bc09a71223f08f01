package dev.descent.core.io;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * One point of damage to a safetensors file, drawn by QuickTheories so that a failing case shrinks
 * to a small one: few damages, early positions, small values. Positions are drawn within the
 * undamaged length; when an earlier damage made the bytes shorter, a position past the end wraps
 * around. Each drawn damage may (rarely) be "none", which is dropped from the list: QuickTheories
 * shrinks a list by dropping its last elements only, so it is through "none" that a damage early
 * in the list can vanish from a shrunk case.
 */
record Damage(Kind kind, int at, long value) {
    enum Kind { TRUNCATE, EXTEND, FLIP, SET, INSERT, DELETE, PREFIX }

    /** One to four damages to the valid safetensors file {@code file}. */
    static Gen<List<Damage>> some(byte[] file) {
        return lists().of(one(file)).ofSizeBetween(1, 4).map(l -> l.stream().filter(d -> d != null).toList());
    }

    /** One damage, or null ("none", the shrink target, drawn 1 time in 33). */
    static Gen<Damage> one(byte[] file) {
        long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int headerEnd = 8 + (int) headerLen;
        List<Integer> digits = new ArrayList<>();
        for (int i = 8; i < headerEnd; i++) if (file[i] >= '0' && file[i] <= '9') digits.add(i);
        String jsonBreakers = "{}[]\",:x\0";
        Gen<Integer> anywhere = integers().between(0, file.length - 1), aByte = integers().between(0, 255);
        Gen<Integer> inHeader = integers().between(8, headerEnd - 1);
        List<Gen<Damage>> kinds = List.of(
                anywhere.map(p -> new Damage(Kind.TRUNCATE, p, 0)),
                integers().between(1, 64).zip(aByte, (n, v) -> new Damage(Kind.EXTEND, n, v)),
                anywhere.zip(integers().between(0, 7), (p, bit) -> new Damage(Kind.FLIP, p, bit)),
                Generate.oneOf(longs().all(), longs().between(headerLen - 8, headerLen + 8)).map(v -> new Damage(Kind.PREFIX, 0, v)),
                integers().between(0, digits.size() - 1).zip(integers().between(0, 9), // a digit in the header: a shape or an offset
                        (k, d) -> new Damage(Kind.SET, digits.get(k), '0' + d)),
                inHeader.zip(integers().between(0, jsonBreakers.length() - 1), // break the header's JSON
                        (p, c) -> new Damage(Kind.SET, p, jsonBreakers.charAt(c))),
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
                if (n < 8) return b;
                o = b.clone();
                ByteBuffer.wrap(o).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
            }
        }
        return o;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TRUNCATE -> "truncate to " + at + " bytes";
            case EXTEND -> "append " + at + " bytes " + show(value);
            case FLIP -> "flip bit " + value + " of byte " + at;
            case SET -> "set byte " + at + " to " + show(value);
            case INSERT -> "insert " + show(value) + " before byte " + at;
            case DELETE -> "delete byte " + at;
            case PREFIX -> "set the header length to " + value;
        };
    }

    private static String show(long b) {
        return b >= ' ' && b < 127 ? "'" + (char) b + "'" : String.format("0x%02x", b);
    }
}
