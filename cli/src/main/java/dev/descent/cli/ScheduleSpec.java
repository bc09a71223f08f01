package dev.descent.cli;

import dev.descent.optim.ReduceLrOnPlateau;
import dev.descent.optim.Schedule;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code --schedule}. Positions count epochs. A schedule is one of {@code constant}, {@code step:EVERY:FACTOR},
 * {@code multistep:E1,E2,…:FACTOR}, {@code cosine}, {@code restarts:T0[:TMULT[:MIN]]} (cosine with warm restarts, MIN a
 * fraction of the learning rate), {@code onecycle[:PCT[:cos|linear]]} (the learning rate is the peak), each optionally
 * followed by {@code +warmup:EPOCHS}; schedules chained with their starting epochs, {@code A/E1/B/E2/C} (B starts at
 * epoch E1, its own position 0; a chained {@code cosine} or {@code onecycle} spans its segment); or
 * {@code plateau[:FACTOR[:PATIENCE]]}, which lowers the learning rate when the validation loss stops improving (PyTorch's
 * ReduceLROnPlateau, defaults 0.1 and 10) and combines with nothing.
 */
public final class ScheduleSpec {
    private ScheduleSpec() {}

    /** What {@code --schedule} accepts. */
    public static final String FORMS = "constant, step:EVERY:FACTOR, multistep:E1,E2,...:FACTOR, cosine, restarts:T0[:TMULT[:MIN]],"
            + " onecycle[:PCT[:cos|linear]] (each optionally +warmup:EPOCHS), a chain A/EPOCH/B/..., or plateau[:FACTOR[:PATIENCE]]";

    /**
     * The schedule of a spec that is not {@code plateau}.
     *
     * @param spec the option's value
     * @param epochs the run's epochs (the length of {@code cosine} and {@code onecycle})
     * @return the schedule
     * @throws IllegalArgumentException naming the spec and the accepted forms
     */
    public static Schedule parse(String spec, int epochs) {
        if (plateau(spec) != null) throw new IllegalArgumentException("--schedule '" + spec + "' is a plateau rule, not a schedule of the epoch");
        String[] parts = spec.split("/", -1);
        if (parts.length % 2 == 0) throw bad(spec);
        List<Schedule> schedules = new ArrayList<>();
        List<Integer> milestones = new ArrayList<>();
        for (int i = 1; i < parts.length; i += 2) milestones.add(parseInt(parts[i], spec));
        for (int i = 0; i < parts.length; i += 2) {
            int start = i == 0 ? 0 : milestones.get(i / 2 - 1), end = i / 2 < milestones.size() ? milestones.get(i / 2) : epochs;
            schedules.add(single(parts[i].trim(), Math.max(end - start, 1), spec));
        }
        try {
            return schedules.size() == 1 ? schedules.get(0) : Schedule.sequential(schedules, milestones);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--schedule '" + spec + "': " + e.getMessage(), e);
        }
    }

    /**
     * The plateau rule of a {@code plateau[:FACTOR[:PATIENCE]]} spec.
     *
     * @param spec the option's value
     * @return its settings (PyTorch's defaults for what it does not give), or null when the spec is not a plateau rule
     */
    public static ReduceLrOnPlateau.Settings plateau(String spec) {
        String[] f = spec.trim().split(":");
        if (!f[0].equals("plateau")) return null;
        if (f.length > 3) throw bad(spec);
        var s = ReduceLrOnPlateau.Settings.defaults();
        try {
            if (f.length > 1) s = s.withFactor(parseDouble(f[1], spec));
            if (f.length > 2) s = s.withPatience(parseInt(f[2], spec));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--schedule '" + spec + "': " + e.getMessage(), e);
        }
        return s;
    }

    private static Schedule single(String part, int epochs, String spec) {
        String[] parts = part.split("\\+");
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
        try {
            if (f[0].equals("step") && f.length == 3) return Schedule.step(parseInt(f[1], spec), parseDouble(f[2], spec));
            if (f[0].equals("multistep") && f.length == 3) {
                List<Integer> ms = new ArrayList<>();
                for (String e : f[1].split(",")) ms.add(parseInt(e, spec));
                return Schedule.multiStep(ms, parseDouble(f[2], spec));
            }
            if (f[0].equals("restarts") && f.length >= 2 && f.length <= 4) {
                return Schedule.cosineWarmRestarts(parseInt(f[1], spec), f.length > 2 ? parseInt(f[2], spec) : 1, f.length > 3 ? parseDouble(f[3], spec) : 0);
            }
            if (f[0].equals("onecycle") && f.length <= 3) {
                boolean cos = f.length < 3 || f[2].equals("cos");
                if (f.length == 3 && !cos && !f[2].equals("linear")) throw bad(spec);
                return Schedule.oneCycle(epochs, f.length > 1 ? parseDouble(f[1], spec) : 0.3, cos, 25, 1e4);
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("--schedule")) throw e;
            throw new IllegalArgumentException("--schedule '" + spec + "': " + e.getMessage(), e);
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
