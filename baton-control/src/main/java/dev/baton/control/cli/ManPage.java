package dev.baton.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code baton(1)} manual page in troff ({@code man(7)} macros), generated from picocli's command model so that
 * it cannot drift from the commands: every command, subcommand, option and parameter the parser knows, with its
 * description. The Debian package ({@code bin/package}) runs it at build time:
 * {@code java -cp baton.jar dev.baton.control.cli.ManPage VERSION DATE > baton.1}.
 *
 * <p>Why not picocli-codegen's {@code ManPageGenerator}: it writes AsciiDoc, and turning that into troff needs
 * Asciidoctor (Ruby) in the build. The model is small; walking it here keeps the build to a JDK, and the unit test
 * runs the result through {@code groff -ww} to keep it valid.
 */
public final class ManPage {

    private ManPage() {
    }

    /** {@code ManPage VERSION DATE}: the page on standard output. DATE is ISO (YYYY-MM-DD), the package's build date. */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ManPage VERSION DATE(YYYY-MM-DD)");
            System.exit(Baton.EXIT_INVALID);
        }
        LocalDate date;
        try {
            date = LocalDate.parse(args[1]);
        } catch (DateTimeParseException e) {
            System.err.println("ManPage: DATE must be YYYY-MM-DD, not '" + args[1] + "'");
            System.exit(Baton.EXIT_INVALID);
            return;
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(render(Baton.commandLine(), args[0], date));
        out.flush();
    }

    /** The whole page for {@code root} (the {@code baton} command line). */
    public static String render(CommandLine root, String version, LocalDate date) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder page = new StringBuilder();
        page.append(".TH BATON 1 \"").append(date).append("\" \"baton ").append(escape(version)).append("\" \"User Commands\"\n");
        page.append(".SH NAME\n").append(spec.name()).append(" \\- ").append(escape(text(spec.usageMessage().description()))).append('\n');
        page.append(".SH SYNOPSIS\n.B ").append(spec.name()).append("\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        page.append(".SH DESCRIPTION\n")
                .append(escape("Baton is an L4 load balancer for virtual IPs that forwards client packets to a cluster of servers "
                        + "without terminating TCP: it rewrites only the Ethernet addresses (direct server return). Several "
                        + "routers serve each VIP, one active and the others standby with identical connection tables "
                        + "(US patent 6,148,410)."))
                .append("\n.PP\n")
                .append(escape("The commands below validate a configuration (check), run a router (run), query and command a "
                        + "running router over its control socket (ctl), and build lab networks of namespaces to try it in "
                        + "(lab, demo). The configuration is YAML; see the example installed with the package."))
                .append('\n');
        page.append(".SH OPTIONS\n");
        options(page, spec);
        page.append(".SH COMMANDS\n");
        for (CommandLine sub : root.getSubcommands().values().stream().distinct().toList()) {
            command(page, sub.getCommandSpec());
        }
        page.append(".SH \"EXIT STATUS\"\n");
        exit(page, "0", "success; for check, the configuration is valid");
        exit(page, "1", "a runtime failure (a router that cannot start, a control socket that does not answer)");
        exit(page, "2", "invalid input: a configuration error (file:line:column, the key, what is wrong) or a usage error");
        exit(page, "3", "run: the JVM ran out of memory (-XX:+ExitOnOutOfMemoryError)");
        exit(page, "70", "run: one of the router's threads died; the router halted rather than run on without it");
        page.append(".SH SIGNALS\n");
        exit(page, "SIGHUP", "run: re-read the configuration file, as ctl reload does (a file with problems changes nothing)");
        exit(page, "SIGTERM, SIGINT", "run: stop; an active router first hands its VIPs to a synchronized standby");
        page.append(".SH FILES\n");
        exit(page, "/etc/baton/baton.yaml.example", "an annotated configuration to copy to /etc/baton/baton.yaml and edit");
        exit(page, "/run/baton/*.sock", "routers' control sockets (router.control-socket); ctl finds the only one here");
        exit(page, "/usr/lib/baton/", "baton.jar and the Java runtime it runs on");
        page.append(".SH ENVIRONMENT\n");
        exit(page, "BATON_JVM_OPTS", "replaces the JVM options the launcher gives (garbage collector, heap, native access)");
        page.append(".SH \"SEE ALSO\"\n.BR nft (8),\n.BR ip (8),\n.BR systemctl (1)\n");
        return page.toString();
    }

    private static void command(StringBuilder page, CommandSpec spec) {
        if (spec.usageMessage().hidden()) {
            return;
        }
        page.append(".SS \"").append(escape(spec.qualifiedName(" "))).append("\"\n");
        page.append(".B ").append(escape(spec.qualifiedName(" "))).append('\n');
        List<String> synopsis = new ArrayList<>();
        for (OptionSpec option : visibleOptions(spec)) {
            String usage = "\\fB" + escape(option.longestName()) + "\\fR" + label(option);
            synopsis.add(option.required() ? usage : "[" + usage + "]");
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            if (!parameter.hidden()) {
                String usage = "\\fI" + escape(parameter.paramLabel()) + "\\fR" + (parameter.isMultiValue() ? "..." : "");
                synopsis.add(parameter.required() ? usage : "[" + usage + "]");
            }
        }
        if (!spec.subcommands().isEmpty()) {
            synopsis.add("\\fICOMMAND\\fR");
        }
        if (!synopsis.isEmpty()) {
            page.append(String.join(" ", synopsis)).append('\n');
        }
        page.append(".PP\n").append(escape(text(spec.usageMessage().description()))).append('\n');
        options(page, spec);
        for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
            // Aliases map to the same CommandLine: document each command once, under its own name.
            if (sub.getKey().equals(sub.getValue().getCommandName())) {
                command(page, sub.getValue().getCommandSpec());
            }
        }
    }

    private static void options(StringBuilder page, CommandSpec spec) {
        for (OptionSpec option : visibleOptions(spec)) {
            List<String> names = new ArrayList<>();
            for (String name : option.names()) {
                names.add("\\fB" + escape(name) + "\\fR");
            }
            page.append(".TP\n").append(String.join(", ", names)).append(label(option)).append('\n');
            String description = text(option.description());
            String defaultValue = option.defaultValue();
            if (defaultValue != null && !description.contains(defaultValue)) {
                description = (description.isEmpty() ? "" : description + " ") + "(default: " + defaultValue + ")";
            }
            page.append(description.isEmpty() ? "\\&" : escape(description)).append('\n');
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            if (!parameter.hidden()) {
                page.append(".TP\n\\fI").append(escape(parameter.paramLabel())).append("\\fR\n")
                        .append(escape(text(parameter.description()).isEmpty() ? parameter.paramLabel() : text(parameter.description()))).append('\n');
            }
        }
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        // Inherited options (ctl's --socket, --config, --json) are documented once, on the command that declares them.
        return spec.options().stream().filter(o -> !o.hidden() && !o.inherited()).toList();
    }

    private static String label(ArgSpec arg) {
        if (arg instanceof OptionSpec option && option.arity().max() == 0) {
            return "";
        }
        return " \\fI" + escape(arg.paramLabel()) + "\\fR";
    }

    private static void exit(StringBuilder page, String tag, String description) {
        page.append(".TP\n.B ").append(escape(tag)).append('\n').append(escape(description)).append('\n');
    }

    private static String text(String[] lines) {
        return String.join(" ", lines).strip();
    }

    /**
     * Text made safe for troff: a backslash is troff's escape character ({@code \e} prints one), a hyphen is written
     * {@code \-} so that options stay ASCII minus signs when copied from the page, and a line must not begin with a
     * control character ({@code .} or {@code '}); newlines inside become spaces.
     */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        for (int i = 0; i < oneLine.length(); i++) {
            char c = oneLine.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\e");
                case '-' -> out.append("\\-");
                default -> out.append(c);
            }
        }
        if (!out.isEmpty() && (out.charAt(0) == '.' || out.charAt(0) == '\'')) {
            out.insert(0, "\\&");
        }
        return out.toString();
    }
}
