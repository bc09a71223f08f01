package dev.descent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code descent} command line. With no arguments it trains the default model (README command 1).
 * Bad options print one line saying what was wrong, then the usage, and exit with code 2.
 */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Descent: a deep-learning framework in pure Java. Train, evaluate, reproduce, measure.",
        subcommands = {TrainCommand.class, EvalCommand.class, SummaryCommand.class, dev.descent.cli.reproduce.ReproduceCommand.class, DemoCommand.class, BenchCommand.class, GraphCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        applyThreads(args);
        try {
            dev.descent.core.Kernels.vectorBits(); // a bad descent.vectorBits (DESCENT_VECTOR_BITS) fails here, in one line
        } catch (IllegalArgumentException e) {
            System.err.println("descent: " + e.getMessage());
            System.exit(2);
        }
        String[] effective = args.length == 0 ? new String[] {"train"} : args;
        int code = commandLine().execute(effective);
        System.exit(code);
    }

    /** The configured command line (tests call it without exiting the JVM). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException || e instanceof IllegalStateException) {
                cmd.getErr().println("descent: " + e.getMessage());
                return e instanceof IllegalArgumentException ? 2 : 1;
            }
            throw e;
        });
        return cl;
    }

    /**
     * {@code --threads N} must take effect before any kernel runs (the pool is sized once), so it is
     * applied here, before the command line is parsed.
     */
    static void applyThreads(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = a.startsWith("--threads=") ? a.substring(10) : a.equals("--threads") && i + 1 < args.length ? args[i + 1] : null;
            if (v != null && v.matches("[1-9][0-9]*")) System.setProperty("descent.threads", v);
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"descent " + (v == null ? "0.1.0-SNAPSHOT" : v) + " on " + System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.version")};
        }
    }
}
