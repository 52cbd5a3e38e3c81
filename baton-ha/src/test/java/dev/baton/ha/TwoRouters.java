package dev.baton.ha;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.config.HighAvailabilitySettings;
import dev.baton.config.PeerLinkSettings;
import dev.baton.config.PeerSettings;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.monitor.MonitorState;
import dev.baton.peer.IncarnationStore;
import dev.baton.peer.PeerKey;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Two Baton routers in one JVM, each a real {@link HaAgent} with real UDP peer links over loopback
 * (127.0.0.1 and 127.0.0.2, a random port) and a data plane on memory ports, driven by hand with one
 * stepped clock: a step runs each live router's agent, then its workers. "Killing" a router stops stepping
 * it, as kill -9 stops a process: it sends nothing more.
 */
public final class TwoRouters implements AutoCloseable {

    static final long UPSTREAM_MAC = 0x02_00_00_00_00_aaL;
    static final int UPSTREAM_IP = Ipv4.parse("192.0.2.1");
    static final int VIP = Ipv4.parse("192.0.2.10");
    static final int S1 = Ipv4.parse("198.51.100.11");
    static final int S2 = Ipv4.parse("198.51.100.12");
    static final long S1_MAC = 0x02_00_00_00_01_11L;
    static final long S2_MAC = 0x02_00_00_00_01_12L;
    static final int CLIENT = Ipv4.parse("203.0.113.50");

    public final class Router implements AutoCloseable {
        final String name;
        final long frontMac;
        final long backMac;
        final Map<String, MemoryPacketPort> ports = new HashMap<>();
        final Set<String> downInterfaces = new HashSet<>();
        final Dataplane dataplane;
        public final HaAgent agent;
        boolean alive = true;
        /** False: the agent hangs (its thread is stuck) while the workers go on. */
        boolean agentRuns = true;
        /** False: the workers are stuck (no forwarding, no replication) while the agent goes on. */
        boolean workersRun = true;

        Router(String name, int number, int peerNumber, String role, String failback, int macSuffix, PeerKey key) throws Exception {
            this(name, number, peerNumber, role, failback, macSuffix, key, relay == null ? peerNumber : Relay.ADDRESS_SUFFIX);
        }

        /** @param peerSuffix the last byte of the loopback address this router sends its peer messages to */
        Router(String name, int number, int peerNumber, String role, String failback, int macSuffix, PeerKey key,
               int peerSuffix) throws Exception {
            this.name = name;
            this.frontMac = 0x02_00_00_00_00_00L | macSuffix << 8 | 1;
            this.backMac = 0x02_00_00_00_00_00L | macSuffix << 8 | 2;
            BatonConfig config;
            config = ConfigLoader.load("""
                    router: { id: %s, control-socket: /tmp/unused-%s.sock, workers: %d }
                    interfaces:
                      - { name: front, role: client, address: 192.0.2.%d/24 }
                      - { name: back, role: server, address: 198.51.100.%d/24 }
                    services:
                      - name: web
                        vip: 192.0.2.10
                        ports: [80]
                        role: %s
                        failback: %s
                        servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
                      - name: sticky
                        vip: 192.0.2.10
                        ports: [8080]
                        persistence: 60s
                        role: %s
                        failback: %s
                        servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
                    high-availability:
                      router-number: %d
                      key-file: /nonexistent/unused.key
                      port: %d
                      peers:
                        - name: %s
                          router-number: %d
                          links: [ { local: 203.0.113.%d, peer: 203.0.113.%d } ]
                    """.formatted(name, name, workers, 1 + number, 1 + number, role, failback, role, failback, number, port,
                    number == 1 ? "b" : "a", peerNumber, number, peerNumber) + extraYaml, Path.of(name + ".yaml"));
            config = overLoopback(config, number, peerSuffix);
            Replication replication = new Replication(workers, 1, dev.baton.dataplane.service.ServiceMap.of(config),
                    Replication.syncSettings(config.highAvailability().orElseThrow()));
            this.dataplane = new Dataplane(config, (itf, worker, count) -> ports.computeIfAbsent(itf + "/" + worker,
                    n -> new MemoryPacketPort(n, itf.equals("front") ? frontMac : backMac)), () -> now, false, replication::extensionFor);
            // As the daemon: this run's incarnation from the router's own state directory.
            long incarnation = IncarnationStore.next(stateDirectory.resolve(name));
            this.agent = new HaAgent(config, dataplane, replication, key, incarnation, () -> now,
                    itf -> !downInterfaces.contains(itf));
        }

        MemoryPacketPort front(int worker) {
            return ports.get("front/" + worker);
        }

        MemoryPacketPort back(int worker) {
            return ports.get("back/" + worker);
        }

        void step() {
            if (!alive) {
                return;
            }
            if (agentRuns) {
                agent.doWork(now);
            }
            for (int w = 0; w < workers && workersRun; w++) {
                dataplane.doWork(w, now);
            }
            // A second agent pass picks up what the workers produced in this step (replication, events).
            if (agentRuns) {
                agent.doWork(now);
            }
        }

        MonitorState state() {
            return agent.state(0);
        }

        /** Answers the servers' ARP probes, as the servers would. */
        void resolveServers() {
            for (int w = 0; w < workers; w++) {
                back(w).inject(TestFrames.arpReply(S1_MAC, S1, backMac, Ipv4.parse("198.51.100.2")));
                back(w).inject(TestFrames.arpReply(S2_MAC, S2, backMac, Ipv4.parse("198.51.100.2")));
            }
        }

        /** The router's data plane, whose counters registry holds the HA agent's groups too. */
        public Dataplane dataplane() {
            return dataplane;
        }

        @Override
        public void close() {
            agent.close();
            dataplane.close();
        }
    }

    /**
     * The same configuration with the peer link moved to loopback (127.0.0.n), where a test outside any
     * namespace may bind; the loader rightly refuses loopback link addresses, so the settings are rebuilt.
     */
    static BatonConfig overLoopback(BatonConfig config, int number, int peerNumber) {
        HighAvailabilitySettings ha = config.highAvailability().orElseThrow();
        PeerSettings peer = ha.peers().getFirst();
        PeerSettings loopbackPeer = new PeerSettings(peer.name(), peer.routerNumber(),
                List.of(new PeerLinkSettings(Ipv4.parse("127.0.0." + number), Ipv4.parse("127.0.0." + peerNumber))));
        HighAvailabilitySettings loopback = new HighAvailabilitySettings(ha.routerNumber(), ha.keyFile(), ha.port(), ha.listenTimeout(),
                ha.standbyTimeout(), ha.preemptTimeout(), ha.updateInterval(), ha.linkFailureTime(), ha.handoverDrain(),
                ha.gratuitousArp(), ha.sync(), List.of(loopbackPeer));
        return new BatonConfig(config.source(), config.router(), config.interfaces(), config.table(), config.neighbours(),
                config.services(), Optional.of(loopback), config.reachability(), config.notifyScript());
    }

    final int workers;
    /** Appended to both routers' configuration files (a reachability section, say). */
    final String extraYaml;
    final int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
    long now = 50_000_000;
    /** Per router a directory of its own here, kept across its restarts: the incarnation counters. */
    final Path stateDirectory;
    public Router a;
    public final Router b;
    private final String failback;
    private final PeerKey keyA;

    /**
     * Optional: every peer datagram goes through this relay on 127.0.0.3, which records it and may hold it back
     * or send it again later (an attacker on the path that captures and replays).
     */
    final Relay relay;

    /** Router a (number 1) is primary for the VIP, b (number 2) backup. */
    TwoRouters(int workers, String failback, PeerKey keyA, PeerKey keyB) throws Exception {
        this(workers, failback, keyA, keyB, false);
    }

    TwoRouters(int workers, String failback, PeerKey keyA, PeerKey keyB, boolean relayed) throws Exception {
        this(workers, failback, keyA, keyB, relayed, "");
    }

    /** Both routers with {@code extraYaml} appended to their files. */
    public static TwoRouters withYaml(int workers, String failback, String extraYaml) throws Exception {
        PeerKey key = randomKey();
        return new TwoRouters(workers, failback, key, key, false, extraYaml);
    }

    TwoRouters(int workers, String failback, PeerKey keyA, PeerKey keyB, boolean relayed, String extraYaml) throws Exception {
        this.workers = workers;
        this.extraYaml = extraYaml;
        this.relay = relayed ? new Relay(port) : null;
        this.failback = failback;
        this.keyA = keyA;
        this.stateDirectory = java.nio.file.Files.createTempDirectory("baton-ha-state-");
        this.a = new Router("a", 1, 2, "primary", failback, 0xA, keyA);
        this.b = new Router("b", 2, 1, "backup", failback, 0xB, keyB);
    }

    public TwoRouters(int workers, String failback) throws Exception {
        this(workers, failback, randomKey());
    }

    /** Both routers' peer messages go through a {@link Relay}. */
    static TwoRouters relayed(int workers, String failback) throws Exception {
        PeerKey key = randomKey();
        return new TwoRouters(workers, failback, key, key, true);
    }

    /**
     * The path between the routers, as an attacker on it sees it: one UDP socket on 127.0.0.3 that both routers
     * take for their peer's address. It forwards what a sends to b and back (from its own address, the one
     * each router has configured for its peer), records every datagram, and replays recorded ones on demand.
     */
    static final class Relay implements AutoCloseable {
        static final int ADDRESS_SUFFIX = 3;
        private final java.nio.channels.DatagramChannel channel;
        private final java.net.InetSocketAddress toA;
        private final java.net.InetSocketAddress toB;
        private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(2_048);
        /** Datagrams from b to a, in the order they passed. */
        final List<byte[]> fromB = new java.util.ArrayList<>();
        /** Whether datagrams are passed on (false: recorded and dropped, the path is cut). */
        boolean forwarding = true;
        /** Whether datagrams from a are held back (a slow path one way) until {@link #releaseFromA}. */
        boolean holdingFromA;
        private final List<byte[]> heldFromA = new java.util.ArrayList<>();

        Relay(int port) throws java.io.IOException {
            channel = java.nio.channels.DatagramChannel.open();
            channel.bind(new java.net.InetSocketAddress("127.0.0." + ADDRESS_SUFFIX, port));
            channel.configureBlocking(false);
            toA = new java.net.InetSocketAddress("127.0.0.1", port);
            toB = new java.net.InetSocketAddress("127.0.0.2", port);
        }

        /** Passes on everything queued; returns how many datagrams. */
        int pump() {
            int passed = 0;
            try {
                java.net.SocketAddress source;
                while ((source = channel.receive(buffer.clear())) != null) {
                    byte[] datagram = java.util.Arrays.copyOf(buffer.array(), buffer.position());
                    boolean fromRouterB = source.equals(toB);
                    if (fromRouterB) {
                        fromB.add(datagram);
                    } else if (holdingFromA) {
                        heldFromA.add(datagram);
                        passed++;
                        continue;
                    }
                    if (forwarding) {
                        channel.send(java.nio.ByteBuffer.wrap(datagram), fromRouterB ? toA : toB);
                    }
                    passed++;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return passed;
        }

        /** Stops holding datagrams from a and passes on, in order, those it held. */
        void releaseFromA() {
            releaseFromA(false);
        }

        /** Stops holding datagrams from a and passes on those it held, newest first when {@code reversed}. */
        void releaseFromA(boolean reversed) {
            holdingFromA = false;
            if (reversed) {
                java.util.Collections.reverse(heldFromA);
            }
            try {
                for (byte[] datagram : heldFromA) {
                    channel.send(java.nio.ByteBuffer.wrap(datagram), toB);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            heldFromA.clear();
        }

        /** Sends {@code datagrams} to router a again, from the address a takes for b's. */
        void replayToA(List<byte[]> datagrams) {
            try {
                for (byte[] datagram : datagrams) {
                    channel.send(java.nio.ByteBuffer.wrap(datagram), toA);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private TwoRouters(int workers, String failback, PeerKey key) throws Exception {
        this(workers, failback, key, key);
    }

    static PeerKey randomKey() {
        byte[] key = new byte[32];
        ThreadLocalRandom.current().nextBytes(key);
        return PeerKey.of(key);
    }

    /** Router a comes back as a new process: empty tables, a new incarnation, LISTEN (315). */
    void restartA() throws Exception {
        restartA(0);
    }

    /**
     * Restarts a whose agent runs its first cycle {@code agentLateMs} after it was built, as a daemon that takes
     * that long to start its data plane and control socket under load.
     */
    void restartA(long agentLateMs) throws Exception {
        a.close();
        a = new Router("a", 1, 2, "primary", failback, 0xA, keyA);
        a.agentRuns = false;
        run((int) agentLateMs, 1);
        a.agentRuns = true;
        run(2, 1);
        a.resolveServers();
    }

    /** Advances the clock by {@code stepMs} and steps both routers, {@code steps} times. */
    public void run(int steps, long stepMs) {
        for (int i = 0; i < steps; i++) {
            now += stepMs;
            a.step();
            if (relay != null) {
                relay.pump();
            }
            b.step();
            if (relay != null) {
                relay.pump();
            }
        }
    }

    /** Steps 1 ms at a time until {@code condition} holds; fails after {@code limitMs}. */
    long runUntil(BooleanSupplier condition, long limitMs, String what) {
        long start = now;
        while (!condition.getAsBoolean()) {
            if (now - start > limitMs) {
                throw new AssertionError("not within " + limitMs + " ms: " + what + "; a: " + a.agent.status() + " b: " + b.agent.status());
            }
            run(1, 1);
        }
        return now - start;
    }

    /** Both routers up, a active, b a synchronized standby, both with the servers' MACs resolved. */
    public void establishPair() {
        run(5, 1);
        a.resolveServers();
        b.resolveServers();
        runUntil(() -> a.state() == MonitorState.ACTIVE && b.state() == MonitorState.STANDBY
                && b.agent.sync(0) == dev.baton.monitor.SyncState.IN_SYNC, 3_000, "a active, b synchronized standby");
    }

    /** {@code count} connections from CLIENT ports 40000.. opened through {@code router} (SYN then ACK). */
    void openConnections(Router router, int count, int vipPort) {
        for (int i = 0; i < count; i++) {
            int clientPort = 40_000 + i;
            int worker = dev.baton.nativeio.ClientShardFanout.shardOf(CLIENT, workers);
            router.front(worker).inject(TestFrames.tcp(router.frontMac, UPSTREAM_MAC, CLIENT, clientPort, VIP, vipPort, TestFrames.TCP_SYN, new byte[0]));
            router.front(worker).inject(TestFrames.tcp(router.frontMac, UPSTREAM_MAC, CLIENT, clientPort, VIP, vipPort, TestFrames.TCP_ACK, new byte[0]));
        }
    }

    /** The server MAC each frame {@code router} forwarded went to, in order. */
    static List<Long> forwardedTo(Router router, int workers) {
        List<Long> macs = new java.util.ArrayList<>();
        for (int w = 0; w < workers; w++) {
            for (byte[] frame : router.back(w).drainTransmitted()) {
                if (frame.length > 14 && (frame[12] & 0xFF) == 0x08 && frame[13] == 0) {
                    macs.add(TestFrames.mac(frame, 0));
                }
            }
        }
        return macs;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        if (relay != null) {
            relay.close();
        }
        try (var files = java.nio.file.Files.walk(stateDirectory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
