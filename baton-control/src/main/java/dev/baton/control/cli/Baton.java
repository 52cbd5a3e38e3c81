package dev.baton.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code baton} command. Exit codes: 0 success, 1 runtime failure, 2 invalid input (configuration or
 * usage). {@code baton run} also ends with 70 when one of its threads died ({@code ThreadFailure.EXIT_STATUS},
 * by {@code Runtime.halt}) and 3 when the JVM ran out of memory ({@code -XX:+ExitOnOutOfMemoryError}); {@code baton drill}
 * ends with 3 when the pair cannot be drilled (nothing to fail over to).
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "A fault-tolerant, recoverable TCP/IP connection router (direct server return).",
        subcommands = {RunCommand.class, CheckCommand.class, CtlCommand.class, DrillCommand.class, LabCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Baton {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_INVALID = 2;

    public static void main(String[] args) {
        LogFormat.install();
        int code = commandLine().execute(args);
        System.exit(code);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Baton());
        cli.setExitCodeExceptionMapper(e -> EXIT_FAILURE);
        cli.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("baton: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return EXIT_INVALID;
        });
        return cli;
    }
}
