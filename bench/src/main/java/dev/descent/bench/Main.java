package dev.descent.bench;

import java.util.Arrays;

/** The {@code descent} command line: dispatches to one command per sub-command name. */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: descent <command> [options]

            commands:
              demo            train a small MLP on generated two-spiral data and print the loss falling
              bench matmul    float32 matmul GFLOP/s on 1 and 2 threads, beside numpy when present
              test            run every test (handled by the ./descent launcher)
              help            this text
            """;

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) System.exit(code);
    }

    static int run(String[] args) {
        String cmd = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        try {
            return switch (cmd) {
                case "demo" -> Demo.run(rest);
                case "bench" -> SpeedCommand.run(rest);
                case "help", "-h", "--help" -> {
                    System.out.print(USAGE);
                    yield 0;
                }
                default -> usageError("unknown command '" + cmd + "'");
            };
        } catch (UsageException e) {
            return usageError(e.getMessage());
        }
    }

    static int usageError(String message) {
        System.err.println("descent: " + message);
        System.err.print(USAGE);
        return 2;
    }

    /** A bad command-line option or value: reported in one line with the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
