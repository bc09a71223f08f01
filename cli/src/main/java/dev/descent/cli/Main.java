package dev.descent.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code descent} command line. With no arguments it prints the help (README's command 1 is
 * {@code descent train}). Every failure reaches the user as one line, {@code descent: WHAT}, on standard
 * error: a bad option is followed by the usage and exits with code 2; a caller's mistake found while running
 * (an {@link IllegalArgumentException}: a value, a file that is not what the option needs) exits with 2;
 * anything else (an unreadable file, a full disk, out of memory, a bug) with 1. {@code --debug} adds the
 * stack trace.
 */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Descent: a deep-learning framework in pure Java. Train, evaluate, reproduce, measure.",
        footerHeading = "%nThe launcher (./descent) runs these itself, without this program:%n",
        footer = {"  test       Run every test of every module, then the Javadoc check (mvn verify).",
            "  build      Build the project (mvn package, no tests).",
            "  java-home  Print the JDK the launcher uses."},
        subcommands = {TrainCommand.class, GenerateCommand.class, EvalCommand.class, SummaryCommand.class, dev.descent.cli.reproduce.ReproduceCommand.class, DemoCommand.class, BenchCommand.class, GraphCommand.class, OnnxCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code of a caller's mistake: a bad option or value. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of any other failure. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "on a failure, print the stack trace too")
    boolean debug;

    public static void main(String[] args) {
        applyThreads(args);
        try {
            dev.descent.core.Kernels.vectorBits(); // a bad descent.vectorBits (DESCENT_VECTOR_BITS) fails here, in one line
        } catch (IllegalArgumentException e) {
            System.err.println("descent: " + e.getMessage());
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call it without exiting the JVM). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // picocli lets an Error (out of memory, a stack overflow) escape execute(): hand it to the handler below.
        CommandLine.IExecutionStrategy strategy = cl.getExecutionStrategy();
        cl.setExecutionStrategy(parsed -> {
            try {
                return strategy.execute(parsed);
            } catch (VirtualMachineError e) {
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), e.toString(), e);
            }
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("descent: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) cmd.usage(err);
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable failure = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
            PrintWriter err = cmd.getErr();
            err.println("descent: " + message(failure));
            if (((Main) cmd.getCommandSpec().root().userObject()).debug) failure.printStackTrace(err);
            err.flush();
            return failure instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILURE;
        });
        return cl;
    }

    /** One line saying what went wrong, naming the file where the exception knows it. */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return u.getMessage() + ": " + message(u.getCause());
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + e.getMessage() + "); give the JVM more with DESCENT_JAVA_OPTS=-Xmx8g, or ask for a smaller model or batch";
        }
        if (e instanceof StackOverflowError) return "stack overflow (the model is too deep for the thread's stack)";
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String what = switch (f) {
                case NoSuchFileException _ -> "no such file or folder";
                case AccessDeniedException _ -> "permission denied";
                case FileAlreadyExistsException _ -> "already exists";
                case NotDirectoryException _ -> "not a folder";
                default -> f.getClass().getSimpleName();
            };
            return f.getFile() + (f.getOtherFile() == null ? "" : " → " + f.getOtherFile()) + ": " + what;
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) return "internal error: " + e.getClass().getName() + " (run again with --debug for the stack trace)";
        return m.replace('\n', ' ');
    }

    /**
     * {@code --threads N} must take effect before any kernel runs (the pool is sized once), so it is
     * applied here, before the command line is parsed; {@link ThreadsOption} rejects a bad count when parsed.
     */
    static void applyThreads(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = a.startsWith("--threads=") ? a.substring(10) : a.equals("--threads") && i + 1 < args.length ? args[i + 1] : null;
            if (v != null && v.matches("[1-9][0-9]{0,3}") && Integer.parseInt(v) <= ThreadsOption.MAX) System.setProperty("descent.threads", v);
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
