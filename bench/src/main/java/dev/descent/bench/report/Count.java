// A number with its noun in the right number: "1 epoch", "5 epochs", so no message says "1 epochs".
package dev.descent.bench.report;

import java.util.Locale;

/** Counts in messages and reports: the noun agrees with the number. */
public final class Count {
    private Count() {}

    /** {@code "1 epoch"}, {@code "2 epochs"}: the plural adds an s. */
    public static String of(long n, String singular) {
        return of(n, singular, singular + "s");
    }

    /** {@code "1 class"}, {@code "10 classes"}: the plural given. */
    public static String of(long n, String singular, String plural) {
        return String.format(Locale.ROOT, "%d %s", n, n == 1 ? singular : plural);
    }
}
