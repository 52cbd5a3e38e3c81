package dev.baton.control.cli;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.protocol.ControlClient;
import dev.baton.control.protocol.Json;
import dev.baton.control.text.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code baton ctl}: talks to a running router over its control socket. */
@Command(name = "ctl", description = "Query or command a running router over its control socket.",
        subcommands = {CtlCommand.Stats.class, CtlCommand.Counters.class, CtlCommand.Status.class, CtlCommand.Connections.class, CtlCommand.Lookup.class,
                CtlCommand.Events.class, CtlCommand.Switchover.class, CtlCommand.Health.class, CtlCommand.Reachability.class, CtlCommand.Drain.class, CtlCommand.Undrain.class,
                CtlCommand.Weight.class, CtlCommand.Reload.class, CtlCommand.Control.class})
final class CtlCommand {

    @Option(names = {"-s", "--socket"}, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "the router's control socket (default: from --config, else the only socket in /run/baton)")
    Path socket;

    @Option(names = {"-c", "--config"}, scope = picocli.CommandLine.ScopeType.INHERIT, description = "take the socket path from this configuration")
    Path config;

    @Option(names = "--json", scope = picocli.CommandLine.ScopeType.INHERIT, description = "print JSON for scripts")
    boolean json;

    Path socket() {
        if (socket != null) {
            return socket;
        }
        if (config != null) {
            try {
                return ConfigLoader.load(config).router().controlSocket();
            } catch (ConfigException e) {
                throw new ControlClient.ControlException(e.getMessage());
            }
        }
        Path dir = Path.of("/run/baton");
        try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            List<Path> sockets = files.filter(p -> p.toString().endsWith(".sock")).toList();
            if (sockets.size() == 1) {
                return sockets.getFirst();
            }
            throw new ControlClient.ControlException(sockets.isEmpty()
                    ? "no router control socket in /run/baton; give --socket or --config"
                    : "several routers run here " + sockets + "; choose one with --socket or --config");
        } catch (IOException e) {
            throw new ControlClient.ControlException("cannot list /run/baton: " + e.getMessage());
        }
    }

    int print(String command, Map<String, Object> args, java.util.function.Function<Object, String> text) {
        return print(command, args, text, error -> "baton ctl " + command + ": " + error + "\n");
    }

    /**
     * The same, with {@code refused} rendering the error the router answered with (standard error, exit status 1);
     * an error of the client itself (no socket, no answer) is printed as by the other commands.
     */
    int print(String command, Map<String, Object> args, java.util.function.Function<Object, String> text,
              java.util.function.Function<String, String> refused) {
        try {
            Object result = ControlClient.call(socket(), command, args);
            System.out.print(json ? Json.write(result) + "\n" : text.apply(result));
            return Baton.EXIT_OK;
        } catch (ControlClient.ControlException e) {
            System.err.print(e.answered() ? refused.apply(e.getMessage()) : "baton ctl " + command + ": " + e.getMessage() + "\n");
            return Baton.EXIT_FAILURE;
        }
    }

    @Command(name = "stats", description = "Counters per router, service and server: packets, bytes, connections, drops by reason.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("stats", Map.of(), r -> TextReport.stats((Map<String, Object>) r));
        }
    }

    @Command(name = "counters", description = "Every counter of the router, one line each: name{labels} value, per worker, "
            + "peer link, VIP and replication stream (what `stats` sums for people).")
    static final class Counters implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("counters", Map.of(), r -> TextReport.counters((List<Object>) r));
        }
    }

    @Command(name = "status", description = "The router's configuration summary, VIP ownership and, with peers, per VIP: "
            + "role, FIG. 3 state, sync sub-state, each peer and link's health, table size and digest, last transition.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("status", Map.of(), r -> TextReport.status((Map<String, Object>) r));
        }
    }

    @Command(name = "events", description = "The high-availability event history: every FIG. 3 transition with its reason, "
            + "peer and link failures and recoveries, local interface changes, configuration differences.")
    static final class Events implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Option(names = "--limit", defaultValue = "100", description = "the most recent this many (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("events", Map.of("limit", limit), r -> TextReport.events((Map<String, Object>) r));
        }
    }

    @Command(name = "switchover", description = "Operator switch-over (FIG. 3, transition 347): on the active router, hand the "
            + "VIP to its synchronized standby; on a synchronized standby, take it. Refused (with the reason) otherwise.%n"
            + "Example: baton ctl switchover web")
    static final class Switchover implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Parameters(index = "0", arity = "0..1", description = "a service name or VIP (default: every VIP)")
        String target;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>();
            if (target != null) {
                args.put("target", target);
            }
            return ctl.print("switchover", args, r -> String.join("\n", (List<String>) ((Map<String, Object>) r).get("outcome")) + "\n");
        }
    }

    @Command(name = "health", description = "Each server's health check and each probed element of the reachability set: "
            + "its probe, health, the last answer or failure, when it last changed.%nExample: baton ctl health")
    static final class Health implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("health", Map.of(), r -> TextReport.health((Map<String, Object>) r));
        }
    }

    @Command(name = "reachability", description = "The reach-ability manager (RM 230, FIG. 4): this router's reachability "
            + "set and which elements it reaches, each peer's report, and for each VIP active here the routers in order and "
            + "the last decision.%nExample: baton ctl reachability")
    static final class Reachability implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("reachability", Map.of(), r -> TextReport.reachability((Map<String, Object>) r));
        }
    }

    /** A command on one server of a service: {@code baton ctl COMMAND SERVICE SERVER [...]}. */
    abstract static class OnServer implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Parameters(index = "0", description = "the service's name")
        String service;

        @Parameters(index = "1", description = "the server's address")
        String server;

        /** The control request's name and arguments beyond the service and server. */
        abstract String command();

        Map<String, Object> more() {
            return Map.of();
        }

        @Override
        public Integer call() {
            Map<String, Object> args = new LinkedHashMap<>(more());
            args.put("service", service);
            args.put("server", server);
            return ctl.print(command(), args, CtlCommand::serverOutcome);
        }
    }

    @Command(name = "drain", description = "No new connections to a server of a service; its established connections "
            + "continue. Reaches every router of the group; lasts until undrain or until every router restarted.%n"
            + "Example: baton ctl drain web 198.51.100.11")
    static final class Drain extends OnServer {
        @Override
        String command() {
            return "drain";
        }
    }

    @Command(name = "undrain", description = "End a drain: the server takes new connections again.%n"
            + "Example: baton ctl undrain web 198.51.100.11")
    static final class Undrain extends OnServer {
        @Override
        String command() {
            return "undrain";
        }
    }

    @Command(name = "weight", description = "Set a server's share of new connections (0..1000) on every router of the group,%n"
            + "until changed or until every router restarted.%n"
            + "Example: baton ctl weight web 198.51.100.11 5")
    static final class Weight extends OnServer {
        @Parameters(index = "2", description = "the new weight, 0..1000")
        int weight;

        @Override
        String command() {
            return "weight";
        }

        @Override
        Map<String, Object> more() {
            return Map.of("weight", weight);
        }
    }

    @SuppressWarnings("unchecked")
    private static String serverOutcome(Object result) {
        Map<String, Object> answer = (Map<String, Object>) result;
        return answer.get("service") + " " + answer.get("server") + ": " + answer.get("outcome") + "\n";
    }

    @Command(name = "reload", description = "Re-read the configuration file the router runs from (its own --config; "
            + "ctl's --config only finds the socket) and change in place what differs: services, servers and their weights, "
            + "health checks, timers. Connections carry on. `systemctl reload baton` runs this; SIGHUP to `baton run` does the same.%n"
            + "Need a restart (a reload does not change them): router.*, interfaces, table.capacity, table.per-source-limit, "
            + "high-availability, reachability, metrics, notify, the set of VIPs and their role, priority and failback.%n"
            + "A file with problems changes nothing: each problem is printed (file:line:column) and the exit status is 1. "
            + "With peers, reload every router: until then `ctl status` shows the services digest differing.%n"
            + "Example: baton ctl reload")
    static final class Reload implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("reload", Map.of(), r -> TextReport.reload((Map<String, Object>) r), TextReport::reloadRefused);
        }
    }

    @Command(name = "connections", description = "List connection table entries.")
    static final class Connections implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Option(names = "--limit", defaultValue = "100",
                description = "at most this many entries (default ${DEFAULT-VALUE}, at most 100000)")
        int limit;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("connections", Map.of("limit", limit), r -> TextReport.connections((List<Object>) r));
        }
    }

    @Command(name = "control", description = "The control socket itself: its limits (request size, idle timeout, "
            + "clients at once), clients now, and clients refused by reason.")
    static final class Control implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            return ctl.print("control", Map.of(), r -> {
                Map<String, Object> m = (Map<String, Object>) r;
                StringBuilder text = new StringBuilder();
                text.append("clients ").append(m.get("clients")).append(" of at most ").append(m.get("max_clients"))
                        .append("; requests up to ").append(m.get("max_request_bytes")).append(" bytes; idle timeout ")
                        .append(m.get("idle_timeout_ms")).append(" ms\nrefused:");
                ((Map<String, Object>) m.get("refusals")).forEach((reason, count) -> text.append(' ').append(reason).append('=').append(count));
                return text.append('\n').toString();
            });
        }
    }

    @Command(name = "lookup", description = "Which server gets this flow now? (no traffic is sent)%n"
            + "Example: baton ctl lookup tcp 203.0.113.10:40000 192.0.2.10:80")
    static final class Lookup implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @Parameters(index = "0", description = "tcp or udp")
        String protocol;

        @Parameters(index = "1", description = "client address:port")
        String client;

        @Parameters(index = "2", description = "VIP address:port")
        String vip;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            if (!protocol.equalsIgnoreCase("tcp") && !protocol.equalsIgnoreCase("udp")) {
                System.err.println("baton ctl lookup: protocol must be tcp or udp, not '" + protocol + "'");
                return Baton.EXIT_INVALID;
            }
            String[] c = client.split(":");
            String[] v = vip.split(":");
            if (c.length != 2 || v.length != 2) {
                System.err.println("baton ctl lookup: give address:port, for example 203.0.113.10:40000 192.0.2.10:80");
                return Baton.EXIT_INVALID;
            }
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("protocol", protocol.toLowerCase());
            args.put("client", c[0]);
            args.put("client_port", c[1]);
            args.put("vip", v[0]);
            args.put("vip_port", v[1]);
            return ctl.print("lookup", args, r -> TextReport.lookup((Map<String, Object>) r));
        }
    }
}
