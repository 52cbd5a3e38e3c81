package dev.baton.control.cli;

import dev.baton.control.text.TextReport;
import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Host;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code baton demo}: part 1, a lab with a client, an upstream router, one Baton router and two nginx servers;
 * real traffic through the VIP; an explanation of what happened; then the lab is removed. Part 2, two routers for
 * one VIP: the active one is killed under load and the standby carries every connection on.
 */
@Command(name = "demo", description = "Show Baton forwarding real traffic in a lab network of namespaces, then a failover"
        + " between two routers under load (root).")
final class DemoCommand implements Callable<Integer> {

    static final String VIP = "192.0.2.10";

    @Option(names = "--requests", defaultValue = "12", description = "HTTP requests to send (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--stream-seconds", defaultValue = "3", description = "length of the iperf3 TCP stream (default ${DEFAULT-VALUE})")
    int streamSeconds;

    @Option(names = "--no-failover", description = "skip part 2 (two routers, kill -9 the active one)")
    boolean skipFailover;

    @Option(names = "--failover-connections", defaultValue = "100", description = "connections kept open through the failover (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--failover-seconds", defaultValue = "6", description = "how long the connections run (default ${DEFAULT-VALUE})")
    int failoverSeconds;

    @Override
    public Integer call() throws Exception {
        if (!Lab.isSupported()) {
            System.err.println("baton demo: the lab cannot run here: " + Lab.unsupportedReason());
            return Baton.EXIT_FAILURE;
        }
        requests = Math.max(1, Math.min(requests, 1000));
        streamSeconds = Math.max(1, Math.min(streamSeconds, 30));
        connections = Math.max(1, Math.min(connections, 500));
        failoverSeconds = Math.max(4, Math.min(failoverSeconds, 60));
        say("Baton demo: a virtual IP (" + VIP + ") served by two nginx servers through one Baton router.");
        say("Building a lab network of Linux network namespaces (TEST-NET addresses only) ...");
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            System.out.println(lab.describe());
            for (ServerHost server : lab.servers()) {
                server.startNginx();
                server.spawn(List.of("iperf3", "-s", "-p", "5201"), lab.workDirectory().resolve(server.name() + "-iperf3.log"));
            }
            Path socket = lab.workDirectory().resolve("baton.sock");
            String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(
                    new LabRouter.Service("web", "tcp", List.of(80), "wrr", "0s", List.of(2, 1)),
                    new LabRouter.Service("iperf", "tcp", List.of(5201), "wrr", "300s", List.of())));
            say("Starting `baton run` in namespace " + lab.router(0).namespace() + " with this configuration:");
            System.out.println(indent(yaml));
            try (LabRouter router = LabRouter.start(lab, lab.router(0), yaml, socket)) {
                router.awaitServersResolved(Duration.ofSeconds(15));
                say("Baton resolved both servers' MAC addresses with its own ARP; it answers ARP for " + VIP
                        + " on " + lab.router(0).clientInterface() + ".");

                Host client = lab.client(0);
                say("");
                say("1. " + requests + " HTTP requests from the client (" + client.address() + ") to http://" + VIP
                        + "/ — weights 2:1, so about two of every three go to s0:");
                Map<String, Integer> perServer = new LinkedHashMap<>();
                for (int i = 1; i <= requests; i++) {
                    ExecResult r = client.exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5", "http://" + VIP + "/");
                    String answer = r.succeeded() ? r.stdout().strip() : "FAILED: " + r.stderr().strip();
                    System.out.printf("   request %2d -> %s%n", i, answer);
                    perServer.merge(answer.split(" ")[0] + " " + (answer.split(" ").length > 1 ? answer.split(" ")[1] : ""), 1, Integer::sum);
                }
                say("   answered by: " + perServer);
                say("   The servers answered the client directly (direct server return): Baton only changed the");
                say("   destination MAC of each client packet; IP and TCP were untouched.");

                say("");
                say("2. A " + streamSeconds + " s TCP stream (iperf3, client offloads on: 64 KiB GSO frames pass intact):");
                ExecResult iperf = client.exec(Duration.ofSeconds(streamSeconds + 20), "iperf3", "-c", VIP, "-p", "5201",
                        "-t", Integer.toString(streamSeconds), "-f", "g");
                for (String line : iperf.stdout().split("\n")) {
                    if (line.contains("sender") || line.contains("receiver")) {
                        System.out.println("   " + line.strip());
                    }
                }
                if (!iperf.succeeded()) {
                    System.out.println("   iperf3 failed: " + iperf.stderr().strip());
                }
                say("   iperf3 opens a control and a data connection: client persistence (300 s) sent both to one server.");

                say("");
                say("3. What Baton counted (`baton ctl stats`):");
                System.out.println(indent(TextReport.stats(router.stats())));
                say("4. Its connection table (`baton ctl connections`):");
                @SuppressWarnings("unchecked")
                List<Object> rows = (List<Object>) router.ctl("connections", Map.of("limit", 20));
                System.out.println(indent(TextReport.connections(rows)));
                say("5. The oracle (`baton ctl lookup tcp 203.0.113.10:40000 " + VIP + ":80`): where would a new connection go?");
                @SuppressWarnings("unchecked")
                Map<String, Object> lookup = (Map<String, Object>) router.ctl("lookup", Map.of("protocol", "tcp",
                        "client", client.address(), "client_port", 40000, "vip", VIP, "vip_port", 80));
                System.out.println(indent(TextReport.lookup(lookup)));
            }
            say("Removing the lab ...");
        }
        if (!skipFailover) {
            failover();
        }
        say("Done. Next: bin/test runs every test; docs/ explains the architecture, configuration, lab and operations.");
        return Baton.EXIT_OK;
    }

    /**
     * Part 2: two routers for one VIP, live connections, the active one killed with SIGKILL: the standby takes
     * the VIP over with the replicated connection table and every connection carries on.
     */
    private void failover() throws Exception {
        say("");
        say("Part 2: high availability. Two Baton routers serve " + HaLabPair.VIP + ": r0 (primary) is active, r1 (backup)");
        say("is a standby holding the same connection table, kept in sync over two links (the server segment and a");
        say("heartbeat cable). Building a second lab ...");
        try (HaLabPair pair = HaLabPair.build()) {
            pair.startPair(HaLabPair.AUTOMATIC);
            say("6. Both routers up (`baton ctl status` on r1):");
            @SuppressWarnings("unchecked")
            Map<String, Object> status = (Map<String, Object>) pair.router(HaLabPair.BACKUP).ctl("status", Map.of());
            System.out.println(indent(TextReport.status(status)));
            Host client = pair.lab().client(0);
            Duration run = Duration.ofSeconds(failoverSeconds);
            say("7. " + connections + " TCP connections from the client to " + HaLabPair.VIP + ":" + HaLabPair.ECHO_PORT
                    + ", each sending a message every 20 ms and checking the echo, for " + failoverSeconds + " s.");
            try (EchoClients clients = EchoLoad.start(client, connections, run)) {
                clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
                Thread.sleep(Math.min(2_000, run.toMillis() / 3));
                say("   ... kill -9 the active router r0 now.");
                java.time.Instant killedAt = pair.kill9(HaLabPair.PRIMARY);
                pair.awaitVip(HaLabPair.BACKUP, HaLabPair.ACTIVE_STATE, "r1 ACTIVE");
                say("   r1 is ACTIVE, seen " + Duration.between(killedAt, java.time.Instant.now()).toMillis()
                        + " ms after the kill (polling its control socket); it took the VIP over with gratuitous ARP.");
                EchoLoad load = EchoLoad.finish(clients);
                say("   The clients' result: " + load.established() + "/" + load.connections().size() + " connections carried on, "
                        + load.total("ok") + " messages echoed intact, " + load.messagesLost() + " lost;");
                say(String.format(java.util.Locale.ROOT, "   longest stall per connection: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
                                + " (a segment lost in the outage waits for the client's retransmission).",
                        load.stallPercentileMs(50), load.stallPercentileMs(99), load.stallPercentileMs(100)));
            }
            say("8. What r1 recorded (`baton ctl events`):");
            @SuppressWarnings("unchecked")
            Map<String, Object> events = (Map<String, Object>) pair.router(HaLabPair.BACKUP).ctl("events", Map.of("limit", 8));
            System.out.println(indent(TextReport.events(events)));
            say("Removing the second lab ...");
        }
    }

    private static void say(String line) {
        System.out.println(line);
    }

    private static String indent(String text) {
        return "    " + text.strip().replace("\n", "\n    ") + "\n";
    }
}
