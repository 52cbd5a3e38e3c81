package dev.baton.acceptance;

import dev.baton.control.lab.LabRouter;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HeartbeatCable;
import dev.baton.lab.Lab;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.ServerHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The failover lab and its high-availability pair of real {@code baton run} processes: two routers on both
 * segments and on a heartbeat cable, two servers running the echo server, one client, a third router namespace
 * that runs no Baton (the stranger of the wrong-key scenario). Router 0 is primary for the VIP (router number 1),
 * router 1 its backup (router number 2); they keep each other alive over two links, the server segment (link 0)
 * and the heartbeat cable (link 1), with the default timers (t2 = 80 ms).
 *
 * <p>Threads: the test's thread only.
 */
final class FailoverPair implements AutoCloseable {

    static final String VIP = "192.0.2.10";
    static final int ECHO_PORT = 7000;
    static final int PRIMARY = 0;
    static final int BACKUP = 1;
    static final String AUTOMATIC = "automatic";
    static final String MANUAL = "manual";
    /** How long a router gets to start (a JVM on a busy 2-core machine) and reach a state. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_INTERVAL_MS = 25;
    /**
     * RX rings that ride out 64 ms without the worker running (64 blocks, each handed over after at most 1 ms):
     * here two routers, the clients and the servers share two CPUs, and {@link LabRouter#LAB_RING}'s 8 blocks
     * drop frames whenever a worker is off the CPU for more than 8 ms, which costs connections a retransmission
     * with or without a failover.
     */
    static final String RING = "{ block-size: 256KiB, block-count: 64, block-timeout: 1ms, tx-frame-size: 65664, tx-frame-count: 128 }";
    static final Predicate<Map<String, Object>> ACTIVE_STATE = vip -> "ACTIVE".equals(vip.get("state"));
    static final Predicate<Map<String, Object>> STANDBY_STATE = vip -> "STANDBY".equals(vip.get("state"));

    final Lab lab;
    final Path keyFile;
    private final LabRouter[] routers = new LabRouter[2];
    /** Every router process started since the last {@link #forgetLogs()}, for the logs printed on failure. */
    private final List<LabRouter> started = new ArrayList<>();

    private FailoverPair(Lab lab, Path keyFile) {
        this.lab = lab;
        this.keyFile = keyFile;
    }

    /** Builds the lab, writes the pre-shared key and starts the echo servers; no router runs yet. */
    static FailoverPair build() throws IOException {
        Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(3).servers(2).vip(VIP)
                .heartbeatCable(true).build();
        try {
            for (ServerHost server : lab.servers()) {
                server.startEchoServer(ECHO_PORT, ECHO_PORT + 1);
            }
            return new FailoverPair(lab, writeKey(lab.workDirectory().resolve("peer.key")));
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** 32 random bytes, base64, created with mode 600 (PeerKey.load refuses a file others can read). */
    static Path writeKey(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        return file;
    }

    // ------------------------------------------------------------------------------------------ configuration

    RouterHost host(int index) {
        return lab.router(index);
    }

    HeartbeatCable cable() {
        return lab.heartbeatCable().orElseThrow();
    }

    Path socket(int index) {
        return lab.workDirectory().resolve("r" + index + ".sock");
    }

    /** Router {@code index}'s configuration: role by index, {@code failback}, links over the server segment and the cable. */
    String config(int index, String failback) {
        int other = 1 - index;
        RouterHost self = host(index);
        RouterHost peer = host(other);
        List<LabRouter.Link> links = List.of(
                new LabRouter.Link(ip(self.serverAddress()), ip(peer.serverAddress())),
                new LabRouter.Link(cable().endOf(self).ip(), cable().endOf(peer).ip()));
        LabRouter.HaPeering peering = LabRouter.HaPeering.of(routerNumber(index), index == PRIMARY ? "primary" : "backup",
                failback, keyFile, List.of(LabRouter.Peer.of(lab, peer, routerNumber(other), links)));
        return LabRouter.haConfig(lab, self, socket(index), List.of(
                new LabRouter.Service("echo", "tcp", List.of(ECHO_PORT), "wrr", "0s", List.of())),
                1, RING, peering);
    }

    static long routerNumber(int index) {
        return index + 1;
    }

    private static String ip(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    // ------------------------------------------------------------------------------------------ life cycle

    /** Starts {@code baton run} for router {@code index} (it must not be running). */
    LabRouter start(int index, String failback) throws IOException {
        if (routers[index] != null && routers[index].isAlive()) {
            throw new IllegalStateException("router " + index + " is still running");
        }
        LabRouter router = LabRouter.start(lab, host(index), config(index, failback), socket(index));
        routers[index] = router;
        started.add(router);
        return router;
    }

    /**
     * A fresh pair: both routers stopped, router 0 started and ACTIVE, then router 1 started and a synchronized
     * STANDBY, and router 0 sees it so.
     */
    void startPair(String failback) throws IOException {
        stopAll();
        start(PRIMARY, failback);
        awaitVip(PRIMARY, vip -> "ACTIVE".equals(vip.get("state")), "router 0 ACTIVE");
        start(BACKUP, failback);
        awaitVip(BACKUP, vip -> "STANDBY".equals(vip.get("state")) && "IN_SYNC".equals(vip.get("sync")),
                "router 1 a synchronized STANDBY");
        awaitVip(PRIMARY, vip -> peerView(vip).map(p -> "STANDBY".equals(p.get("state")) && "IN_SYNC".equals(p.get("sync")))
                .orElse(false), "router 0 hearing router 1 as a synchronized standby");
        router(PRIMARY).awaitServersResolved(SETTLE_TIMEOUT);
    }

    LabRouter router(int index) {
        LabRouter router = routers[index];
        if (router == null) {
            throw new IllegalStateException("router " + index + " is not running");
        }
        return router;
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill9(int index) {
        LabRouter router = router(index);
        router.kill("KILL");
        if (!router.awaitExit(Duration.ofSeconds(10))) {
            throw new IllegalStateException("router " + index + " survived SIGKILL");
        }
    }

    /** Stops router {@code index} (SIGTERM, an orderly shutdown; SIGCONT first in case it is frozen). */
    void stop(int index) {
        LabRouter router = routers[index];
        routers[index] = null;
        if (router != null && router.isAlive()) {
            try {
                router.kill("CONT");
            } catch (IllegalStateException e) {
                // exited meanwhile
            }
            router.close();
        }
    }

    void stopAll() {
        stop(BACKUP);
        stop(PRIMARY);
    }

    /** Destroys every TCP socket of the client towards the VIP ({@code ss -K}, SOCK_DESTROY), orphans included. */
    void destroyClientConnections() {
        ExecResult result = lab.client(0).exec(Duration.ofSeconds(10), "ss", "-K", "-t", "dst", VIP);
        if (!result.succeeded()) {
            throw new IllegalStateException("ss -K in the client failed: " + result);
        }
    }

    /** Forgets the logs of routers started so far (called when a test begins). */
    void forgetLogs() {
        started.clear();
    }

    /**
     * Takes a bridge port in the lab's switch namespace down or up: the host's end of that veth loses or regains
     * carrier, as when a cable is pulled from a switch.
     */
    void switchLink(String bridgePort, boolean up) {
        List<String> command = List.of("ip", "-n", lab.switchNamespace(), "link", "set", "dev", bridgePort, up ? "up" : "down");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 10 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            stopAll();
        } finally {
            lab.close();
        }
    }

    // ------------------------------------------------------------------------------------------ status

    /** {@code ctl status}'s high_availability part. Never call it on a router frozen by SIGSTOP: it would hang. */
    @SuppressWarnings("unchecked")
    Map<String, Object> ha(int index) {
        Map<String, Object> status = (Map<String, Object>) router(index).ctl("status", Map.of());
        return (Map<String, Object>) status.get("high_availability");
    }

    /** The VIP's entry of {@link #ha(int)} (the lab has one VIP). */
    @SuppressWarnings("unchecked")
    Map<String, Object> vip(int index) {
        return (Map<String, Object>) ((List<Object>) ha(index).get("vips")).getFirst();
    }

    String state(int index) {
        return String.valueOf(vip(index).get("state"));
    }

    /** The VIP entry's view of the (only) peer, if heard. */
    @SuppressWarnings("unchecked")
    static java.util.Optional<Map<String, Object>> peerView(Map<String, Object> vip) {
        List<Object> peers = (List<Object>) vip.get("peers");
        return peers == null || peers.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of((Map<String, Object>) peers.getFirst());
    }

    /** The peer (the other router) as router {@code index}'s keep-alive manager sees it: state and links. */
    @SuppressWarnings("unchecked")
    Map<String, Object> peer(int index) {
        return (Map<String, Object>) ((List<Object>) ha(index).get("peers")).getFirst();
    }

    /** State of link {@code link} (0 server segment, 1 cable) in router {@code index}'s view: alive, failed, unknown. */
    @SuppressWarnings("unchecked")
    String linkState(int index, int link) {
        return String.valueOf(((Map<String, Object>) ((List<Object>) peer(index).get("links")).get(link)).get("state"));
    }

    /** Frames router {@code index}'s RX rings dropped (ring full) since it started. */
    @SuppressWarnings("unchecked")
    long ringDrops(int index) {
        long drops = 0;
        for (Object ring : (List<Object>) router(index).stats().get("rings")) {
            drops += ((Number) ((Map<String, Object>) ring).get("rx_drops")).longValue();
        }
        return drops;
    }

    /** Router {@code index}'s data-plane drops for {@code reason} (a key of {@code ctl stats}' drops, e.g. "tcp-no-connection"). */
    long drops(int index, String reason) {
        return ((Number) ((Map<?, ?>) router(index).stats().get("drops")).get(reason)).longValue();
    }

    /**
     * TCP segments the client's kernel retransmitted so far (RetransSegs of /proc/net/snmp, read inside the
     * client's namespace, whose counters are its own): every segment Baton lost on the way to a server shows
     * up here, and so do tail-loss probes sent when an echo is merely late.
     */
    long clientRetransmissions() {
        ExecResult snmp = lab.client(0).exec(Duration.ofSeconds(10), "cat", "/proc/net/snmp");
        String[] names = null;
        for (String line : snmp.stdout().split("\n")) {
            if (line.startsWith("Tcp:")) {
                String[] fields = line.substring(4).strip().split("\\s+");
                if (names == null) {
                    names = fields;
                } else {
                    for (int i = 0; i < names.length; i++) {
                        if (names[i].equals("RetransSegs")) {
                            return Long.parseLong(fields[i]);
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no Tcp RetransSegs in the client's /proc/net/snmp: " + snmp);
    }

    long rejected(int index) {
        return ((Number) ((Map<?, ?>) ha(index).get("peer_messages")).get("rejected")).longValue();
    }

    long badTags(int index) {
        return ((Number) ((Map<?, ?>) ha(index).get("peer_messages")).get("bad_authentication_tag")).longValue();
    }

    /** Waits until router {@code index}'s VIP entry satisfies {@code condition}; the elapsed milliseconds. */
    long awaitVip(int index, Predicate<Map<String, Object>> condition, String what) {
        return awaitVip(index, condition, what, SETTLE_TIMEOUT);
    }

    long awaitVip(int index, Predicate<Map<String, Object>> condition, String what, Duration timeout) {
        long startNs = System.nanoTime();
        long deadlineNs = startNs + timeout.toNanos();
        Map<String, Object> last = Map.of();
        while (System.nanoTime() - deadlineNs < 0) {
            LabRouter router = router(index);
            if (!router.isAlive()) {
                throw new AssertionError("router " + index + " exited while waiting for " + what);
            }
            try {
                last = vip(index);
                if (condition.test(last)) {
                    return (System.nanoTime() - startNs) / 1_000_000;
                }
            } catch (RuntimeException e) {
                last = Map.of("error", String.valueOf(e.getMessage()));
            }
            pause(POLL_INTERVAL_MS);
        }
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; last status of router " + index
                + ": " + last);
    }

    /** {@code ip neigh show VIP} in the upstream: which MAC the previous hop sends VIP traffic to. */
    String upstreamNeighbour() {
        ExecResult shown = lab.upstream().exec(Duration.ofSeconds(10), "ip", "neigh", "show", VIP, "dev",
                lab.upstream().frontInterface());
        return shown.stdout().strip();
    }

    /** The logs of every router process started since {@link #forgetLogs()}, and the events of those still up. */
    String logs() {
        StringBuilder text = new StringBuilder();
        for (LabRouter router : started) {
            text.append("==== baton run pid ").append(router.pid()).append(" (").append(router.configFile()).append(")")
                    .append(router.isAlive() ? "" : ", exited").append(" ====\n").append(router.log()).append('\n');
        }
        text.append("==== upstream neighbour: ").append(upstreamNeighbour()).append('\n');
        return text.toString();
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms); // real routers run in real time: a lab test waits on the wall clock
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
