package dev.descent.cli;

import dev.descent.optim.Schedule;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code --schedule}: {@code constant}, {@code step:EVERY:FACTOR}, {@code multistep:E1,E2,…:FACTOR},
 * {@code cosine}, each optionally followed by {@code +warmup:EPOCHS}. Positions count epochs.
 */
public final class ScheduleSpec {
    private ScheduleSpec() {}

    /** What {@code --schedule} accepts. */
    public static final String FORMS = "constant, step:EVERY:FACTOR, multistep:E1,E2,...:FACTOR, cosine; optionally +warmup:EPOCHS";

    public static Schedule parse(String spec, int epochs) {
        String[] parts = spec.split("\\+");
        Schedule s = base(parts[0].trim(), epochs, spec);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (!p.startsWith("warmup:")) throw bad(spec);
            s = Schedule.linearWarmup(parseInt(p.substring(7), spec), 0.0).times(s);
        }
        return s;
    }

    private static Schedule base(String p, int epochs, String spec) {
        if (p.equals("constant")) return Schedule.constant();
        if (p.equals("cosine")) return Schedule.cosine(epochs, 0);
        String[] f = p.split(":");
        if (f[0].equals("step") && f.length == 3) return Schedule.step(parseInt(f[1], spec), parseDouble(f[2], spec));
        if (f[0].equals("multistep") && f.length == 3) {
            List<Integer> ms = new ArrayList<>();
            for (String e : f[1].split(",")) ms.add(parseInt(e, spec));
            return Schedule.multiStep(ms, parseDouble(f[2], spec));
        }
        throw bad(spec);
    }

    private static int parseInt(String s, String spec) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw bad(spec);
        }
    }

    private static double parseDouble(String s, String spec) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw bad(spec);
        }
    }

    private static IllegalArgumentException bad(String spec) {
        return new IllegalArgumentException("--schedule '" + spec + "' is not one of: " + FORMS);
    }
}
