package dev.baton.acceptance;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Host;
import dev.baton.lab.LabProcess;
import dev.baton.lab.Segment;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.AUTOMATIC;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input in the lab: 200 long-lived echo connections (every byte checked) through the HA pair of two real
 * {@code baton run} processes ({@link HaLabPair}), while hostile input hits it in turn: ICMP errors quoting every
 * inner protocol, a junk flood at both routers' peer ports, a blind SYN+ACK flood from spoofed sources at a small
 * table, old peer datagrams replayed at a restarted router, and SIGTERM on the active. Each scenario asserts that
 * no connection lost a byte, that exactly one router was ACTIVE in every sample (both polled through the control
 * socket all along), and that the counters say what happened (one small helper per scenario, {@code assert…Counted},
 * so that they follow the counters' names).
 *
 * <p>Every flood is bounded in count and time, sent with {@code nice} so that the routers, not the attacker's
 * Python, win the lab's CPUs; every address is from the lab's TEST-NET ranges (spoofed sources: hosts .160–.199 of
 * 203.0.113.0/24 and 198.51.100.0/24, which the lab does not use). The lab (namespaces with the per-run prefix)
 * is removed in {@link #removeLab()}, and by the lab's shutdown hook if the JVM is interrupted.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputLabTest {

    static final Duration LOAD = Duration.ofSeconds(8);
    static final long STEADY_MS = 1_500;
    static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(5);
    static final int FRESH_CONNECTIONS = 20;
    static final int PEER_PORT = 7480;
    /** Junk flood bounds (458k junk datagrams/s on loopback once silenced keep-alives for 841 ms). */
    static final int JUNK_DATAGRAMS = 200_000;
    static final double JUNK_SECONDS = 5;
    /** A table small enough for a flood to fill (1,100 spoofed SYN/ACK pairs once filled 1,024 entries). */
    static final int SMALL_TABLE = 1_024;
    static final int SPOOFED_HOSTS_PER_RANGE = 40;
    static final int SPOOFED_PORTS_PER_HOST = 25;

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3, Tool.TCPDUMP);
    static HaLabPair pair;
    static EchoClients clients;
    static OneActiveSampler sampler;

    @BeforeAll
    static void usePair() {
        pair = LAB.pair();
    }

    @BeforeEach
    void defaultTableCapacity() {
        pair.tableCapacity(dev.baton.lab.LabRouter.TABLE_CAPACITY);
    }

    @AfterEach
    void stopEverything() {
        try {
            if (sampler != null) {
                sampler.close();
                sampler = null;
            }
            if (clients != null) {
                clients.close();
                clients = null;
            }
            pair.stopAll();
        } finally {
            pair.destroyClientConnections();
        }
    }

    /** Starts the pair and the load, waits for every connection and a steady spell, then starts sampling. */
    private static void beginUnderLoad() throws IOException {
        pair.startPair(AUTOMATIC);
        clients = EchoLoad.start(pair.lab().client(0), LOAD);
        clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);
        sampler = OneActiveSampler.start();
    }

    /** Ends the load and the sampling; asserts nothing lost and exactly one ACTIVE in every sample. */
    private static EchoLoad finishUnderLoad(String scenario, boolean handOver) {
        EchoLoad load = EchoLoad.finish(clients);
        clients = null;
        List<String> samples = sampler.stop();
        sampler = null;
        System.out.println(load.summary(scenario) + "; " + OneActiveSampler.describe(samples));
        List<Map<String, Object>> broken = load.brokenConnections();
        assertAll(scenario,
                () -> assertEquals(EchoLoad.CONNECTIONS, load.connections().size(), scenario),
                () -> assertTrue(broken.isEmpty(), () -> scenario + ": " + broken.size()
                        + " connection(s) lost data or failed, e.g. " + broken.subList(0, Math.min(5, broken.size()))),
                () -> OneActiveSampler.assertOneActive(samples, scenario, handOver));
        return load;
    }

    // ============================================================================================ scenarios

    /** (a) ICMP errors quoting every inner protocol, and odd inner headers, at the active's VIP. */
    @Test
    @Order(0)
    void icmpErrorsQuotingEveryInnerProtocolChangeNothing() throws IOException {
        beginUnderLoad();
        Map<String, Long> before = dataplaneDrops(PRIMARY);
        int sent = sendIcmpErrors(3);
        pause(500);
        Map<String, Long> after = dataplaneDrops(PRIMARY);
        finishUnderLoad("ICMP errors quoting every inner protocol", false);
        assertAll("ICMP errors quoting every inner protocol",
                () -> assertIcmpErrorsCounted(sent, before, after),
                () -> assertNoStackTrace(PRIMARY));
        assertFreshConnectionsSucceed("after the ICMP errors");
    }

    /** (b) Junk at both routers' peer ports from a third namespace on the peer segment. */
    @Test
    @Order(1)
    void aJunkFloodAtThePeerPortsMovesNothing() throws IOException {
        beginUnderLoad();
        long[] guardBefore = {peerPortGuardDrops(PRIMARY), peerPortGuardDrops(BACKUP)};
        long[] seenBefore = {junkSeenByBaton(PRIMARY), junkSeenByBaton(BACKUP)};
        long softnetBefore = softnetDrops();
        int[] transitionsBefore = {pair.transitions(PRIMARY).size(), pair.transitions(BACKUP).size()};
        long[] failuresBefore = {linkFailures(PRIMARY), linkFailures(BACKUP)};
        long[] sent = floodJunk();
        pause(300);
        long[] guardDropped = {peerPortGuardDrops(PRIMARY) - guardBefore[PRIMARY], peerPortGuardDrops(BACKUP) - guardBefore[BACKUP]};
        long[] seenByBaton = {junkSeenByBaton(PRIMARY) - seenBefore[PRIMARY], junkSeenByBaton(BACKUP) - seenBefore[BACKUP]};
        long softnetDropped = softnetDrops() - softnetBefore;
        long[] failuresAfter = {linkFailures(PRIMARY), linkFailures(BACKUP)};
        finishUnderLoad("junk flood at the peer ports", false);
        System.out.println("[junk] taken by the sender's kernel: router 0 " + sent[PRIMARY] + ", router 1 " + sent[BACKUP]
                + "; dropped by the host guard (nft): router 0 +" + guardDropped[PRIMARY] + ", router 1 +" + guardDropped[BACKUP]
                + "; on a full backlog (softnet, any namespace): +" + softnetDropped
                + "; reached Baton (rejected, foreign source, receive buffer full): router 0 +" + seenByBaton[PRIMARY]
                + ", router 1 +" + seenByBaton[BACKUP] + "; peer messages router 0 " + pair.ha(PRIMARY).get("peer_messages")
                + "; router 1 " + pair.ha(BACKUP).get("peer_messages"));
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (int router : List.of(PRIMARY, BACKUP)) {
            List<String> transitions = pair.transitions(router);
            Map<String, Object> peer = pair.peer(router);
            checks.add(() -> assertEquals(transitionsBefore[router], transitions.size(), "no transition on router " + router
                    + ": " + transitions));
            checks.add(() -> assertEquals(failuresBefore[router], failuresAfter[router], "no peer link of router " + router
                    + " failed under the junk: " + peer));
            // Counters account for every input: the flooder is not a configured peer link,
            // so the host guard drops every datagram before any socket, and Baton reads none of them. A datagram
            // the guard did not count was lost on a full backlog, which the kernel counts (softnet, per CPU).
            checks.add(() -> assertEquals(0, seenByBaton[router], "router " + router + "'s agent read none of the junk"));
            checks.add(() -> assertTrue(guardDropped[router] <= sent[router], "the guard of router " + router
                    + " counted only the junk: " + guardDropped[router] + " of " + sent[router]));
            checks.add(() -> assertTrue(guardDropped[router] + softnetDropped >= sent[router], "every junk datagram at router "
                    + router + " counted: " + guardDropped[router] + " by the guard + " + softnetDropped + " on full backlogs, of "
                    + sent[router] + " sent"));
        }
        assertAll("junk flood at the peer ports", checks);
    }

    /** (c) A blind SYN+ACK flood from spoofed sources at a small table. */
    @Test
    @Order(2)
    void aSpoofedSynAckFloodLeavesRoomForARealConnection() throws IOException {
        pair.tableCapacity(SMALL_TABLE);
        beginUnderLoad();
        Map<String, Long> before = dataplaneDrops(PRIMARY);
        Map<?, ?> tableBefore = (Map<?, ?>) pair.router(PRIMARY).stats().get("table");
        int pairs = floodSpoofedSynAck();
        pause(500);
        Object tableSize = pair.vip(PRIMARY).get("table_size");
        EchoLoad fresh = EchoLoad.oneEchoEach(pair.lab().client(0), FRESH_CONNECTIONS);
        Map<String, Long> after = dataplaneDrops(PRIMARY);
        Map<?, ?> tableAfter = (Map<?, ?>) pair.router(PRIMARY).stats().get("table");
        System.out.println("[SYN+ACK flood] " + pairs + " spoofed SYN/ACK pairs; table size " + tableSize + " of " + SMALL_TABLE
                + "; table before " + tableBefore + ", after " + tableAfter + "; drops " + after
                + "; fresh connections " + fresh.result().get("per_connection"));
        // Counted: the flood's surplus was evicted, nothing was refused for a full table.
        long evicted = counter(tableAfter, "evicted") + counter(tableAfter, "expired_when_full")
                - counter(tableBefore, "evicted") - counter(tableBefore, "expired_when_full");
        assertEquals(counter(tableBefore, "refused_full"), counter(tableAfter, "refused_full"), "no insert refused for a full table");
        assertTrue(evicted >= pairs - SMALL_TABLE, "the flood's entries beyond the table's room were evicted: " + evicted
                + " of at least " + (pairs - SMALL_TABLE));
        finishUnderLoad("spoofed SYN+ACK flood, table of " + SMALL_TABLE, false);
        assertEquals(FRESH_CONNECTIONS, fresh.established(), "a real new connection after the flood is accepted");
        assertEquals(FRESH_CONNECTIONS, fresh.total("ok"), "every fresh connection echoed once: " + fresh.result());
        // The flood's entries are now UNCONFIRMED and evicted first (not refused table-full): the fresh
        // connections above are the proof; the drops are printed.
    }

    /**
     * (d) Authentic peer datagrams captured before a restart, replayed at the restarted router. Its
     * incarnation comes from the counter in its state directory (one more than before the restart), and what router 0
     * sent before the restart echoes the old one: every replayed datagram is rejected by the verifier (replayed, too
     * old) or, authentic and new to the restarted router's fresh replay window, ignored by the echo handshake.
     */
    @Test
    @Order(3)
    void oldPeerDatagramsReplayedAtARestartedRouterAreRejected() throws IOException {
        beginUnderLoad();
        long incarnationBefore = Long.parseLong(String.valueOf(pair.ha(BACKUP).get("incarnation")));
        Path capture = capturePeerDatagramsTo(BACKUP, Duration.ofSeconds(2));
        pair.stop(BACKUP);
        pair.start(BACKUP, AUTOMATIC);
        long incarnationAfter = Long.parseLong(String.valueOf(pair.ha(BACKUP).get("incarnation")));
        long rejectedBefore = pair.rejected(BACKUP);
        long ignoredBefore = ignoredBeforeEcho(BACKUP);
        // -Dhostile.replay=false: the same restart without the replay (the control experiment).
        boolean replaying = Boolean.parseBoolean(System.getProperty("hostile.replay", "true"));
        int replayed = replaying ? replay(capture) : 0;
        pair.awaitSynchronizedStandby(BACKUP);
        replayed += replaying ? replay(capture) : 0;
        pause(300);
        long rejected = pair.rejected(BACKUP) - rejectedBefore;
        long ignored = ignoredBeforeEcho(BACKUP) - ignoredBefore;
        Map<String, Object> messages = pair.ha(BACKUP).get("peer_messages") instanceof Map<?, ?> m ? cast(m) : Map.of();
        System.out.println("[replay] " + replayed + " captured datagrams of router 0 replayed at the restarted router 1"
                + " (incarnation " + incarnationBefore + " -> " + incarnationAfter + "); rejected +" + rejected
                + ", ignored before the echo +" + ignored + "; its peer messages " + messages + "; its transitions "
                + pair.transitions(BACKUP));
        finishUnderLoad("old peer datagrams replayed at a restarted standby", false);
        assertReplayCounted(replayed, rejected, ignored, incarnationBefore, incarnationAfter);
    }

    /** (e) SIGTERM on the active hands over without a loss. */
    @Test
    @Order(4)
    void sigtermOnTheActiveHandsOverWithoutALoss() throws IOException {
        beginUnderLoad();
        sampler.handOverFrom(PRIMARY);
        pair.router(PRIMARY).kill("TERM");
        long takeoverMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after SIGTERM on router 0", TAKEOVER_TIMEOUT);
        Map<String, Object> takeover = pair.lastTakeover(BACKUP).orElseThrow();
        System.out.println("[SIGTERM] router 1 active within " + takeoverMs + " ms (polled): " + takeover);
        assertTrue(pair.awaitUpstreamSendsTo(BACKUP, Duration.ofSeconds(3)), "the upstream sends VIP traffic to router 1: "
                + pair.upstreamNeighbour());
        finishUnderLoad("SIGTERM on the active", true);
        assertSigtermCounted(takeover);
    }

    // ============================================================================================ counters
    // One helper per scenario: the only places that name counters, so a renamed counter changes one place.

    /**
     * Today's counters: an ICMP error that matches no connection is counted {@code icmp-no-connection}, a cut one
     * {@code malformed}; none quotes a connection of the load, so each one sent must show up as a drop (any reason
     * but {@code not-vip}, until the fix names an inner-protocol reason).
     */
    private static void assertIcmpErrorsCounted(int sent, Map<String, Long> before, Map<String, Long> after) {
        // not-vip also counts the segment's background (peer heartbeats, ARP): left out, it would hide a shortfall.
        long dropped = (total(after) - after.get("not-vip")) - (total(before) - before.get("not-vip"));
        System.out.println("[ICMP] sent " + sent + "; drops +" + dropped + ": before " + before + ", after " + after);
        assertTrue(dropped >= sent, "every ICMP error sent (" + sent + ") was counted as a drop, by reason; drops +" + dropped
                + ": " + after);
    }



    /**
     * {@code peer_messages.rejected} (replayed, too old, stale incarnation) plus {@code peer_messages.ignored_before_echo}
     * (authentic, new to the restarted router's window, but from before router 0 echoed its new incarnation) account for
     * every replayed datagram; the incarnation grew by one across the restart (the counter on disk).
     */
    private static void assertReplayCounted(int replayed, long rejected, long ignored, long before, long after) {
        assertEquals(before + 1, after, "the restarted router's incarnation is the next of its counter");
        assertTrue(rejected + ignored >= replayed, "every replayed datagram (" + replayed + ") was rejected (+" + rejected
                + ") or ignored before the echo (+" + ignored + ")");
    }

    private static long ignoredBeforeEcho(int index) {
        return ((Number) ((Map<?, ?>) pair.ha(index).get("peer_messages")).get("ignored_before_echo")).longValue();
    }

    /** The new active found every connection in its table: no segment met an empty table. */
    private static void assertSigtermCounted(Map<String, Object> takeover) {
        assertEquals(0, pair.drops(BACKUP, "tcp-no-connection"), "router 1 dropped segments of connections missing from its table: "
                + pair.router(BACKUP).stats().get("drops"));
        // SIGTERM runs the operator switch-over, so the standby is asked first (PREEMPT, FIG. 3's 335
        // "switch-over accepted"), not left to find the active gone (348).
        assertEquals("PREEMPT/in-sync", takeover.get("from"), "router 1 took over through the switch-over, synchronized: " + takeover);
        assertEquals(335L, ((Number) takeover.get("reference")).longValue(), "the active accepted the switch-over: " + takeover);
    }

    // ============================================================================================ attacks

    /**
     * From the client's namespace, ICMP errors (destination unreachable, fragmentation needed, time exceeded) to the
     * VIP quoting an inner IPv4 header of every protocol 0..255 in both directions (VIP to client, client to VIP)
     * with 8 bytes of ports, then odd inner headers: no transport bytes, a cut IPv4 header, IHL 15 with 20 bytes,
     * IHL 0, version 6, total length 0. {@code rounds} times; the number sent.
     */
    private static int sendIcmpErrors(int rounds) {
        String script = """
                import socket, struct, sys, time
                vip, client, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
                def checksum(b):
                    if len(b) % 2: b += b"\\0"
                    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
                    s = (s >> 16) + (s & 0xffff); s += s >> 16
                    return ~s & 0xffff
                def ip(src, dst, proto, length, first=0x45):
                    return struct.pack("!BBHHHBBH4s4s", first, 0, length, 1, 0, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
                inner = []
                for p in range(256):
                    inner.append(ip(vip, client, p, 48) + struct.pack("!HHI", 7000, 40000, 0))
                    inner.append(ip(client, vip, p, 48) + struct.pack("!HHI", 40000, 7000, 0))
                for p in (1, 6, 17, 58):
                    inner.append(ip(client, vip, p, 20))                                   # no transport bytes
                    inner.append(ip(client, vip, p, 48)[:10])                              # cut IPv4 header
                    inner.append(ip(client, vip, p, 48, 0x4f) + b"\\0" * 8)                # IHL 15, 28 bytes
                    inner.append(ip(client, vip, p, 48, 0x40) + b"\\0" * 8)                # IHL 0
                    inner.append(ip(client, vip, p, 48, 0x65) + b"\\0" * 8)                # version 6
                    inner.append(ip(client, vip, p, 0) + struct.pack("!HHI", 40000, 7000, 0))  # total length 0
                    inner.append(ip(client, vip, p, 48) + b"\\0\\0")                       # 2 transport bytes
                sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                sent = 0
                for _ in range(rounds):
                    for kind, code in ((3, 3), (3, 4), (11, 0)):
                        for quoted in inner:
                            rest = struct.pack("!HH", 0, 1400 if code == 4 else 0)
                            body = struct.pack("!BBH", kind, code, 0) + rest + quoted
                            body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
                            sock.sendto(body, (vip, 0))
                            sent += 1
                            if sent % 64 == 0: time.sleep(0.005)
                print(sent)
                """;
        Host client = pair.lab().client(0);
        ExecResult result = client.exec(Duration.ofSeconds(60), "nice", "-n", "10", "python3", "-c", script, HaLabPair.VIP,
                client.address(), Integer.toString(rounds));
        assertTrue(result.succeeded(), "the ICMP sender failed: " + result);
        return Integer.parseInt(result.stdout().strip());
    }

    /**
     * From router 2's namespace (on the server segment, peer link 0, running no Baton): random junk of random lengths
     * (0..1400 bytes, some starting with the peer magic 0xBA70) at both routers' peer ports, at most
     * {@value #JUNK_DATAGRAMS} datagrams to each and {@value #JUNK_SECONDS} s; the number sent to each.
     */
    private static long[] floodJunk() {
        String script = """
                import os, socket, sys, time
                targets = [(sys.argv[1], int(sys.argv[3])), (sys.argv[2], int(sys.argv[3]))]
                limit, seconds = int(sys.argv[4]), float(sys.argv[5])
                pool = [os.urandom(n) for n in (0, 1, 7, 16, 40, 64, 120, 300, 700, 1400)]
                pool += [b"\\xba\\x70\\x01" + os.urandom(n) for n in (1, 29, 45, 61, 200)]
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.setblocking(False)
                end = time.monotonic() + seconds
                attempts, taken = 0, [0, 0]
                while attempts < limit and time.monotonic() < end:
                    for i in range(len(pool)):
                        for t in range(2):
                            try:
                                sock.sendto(pool[i], targets[t])
                                taken[t] += 1
                            except BlockingIOError: pass
                        attempts += 1
                print(taken[0], taken[1])
                """;
        // -Dhostile.junk.port=7481: the same flood at a closed port (the control experiment: the sender's and the
        // kernel's cost without the HA agent reading the junk).
        int port = Integer.getInteger("hostile.junk.port", PEER_PORT);
        ExecResult result = pair.lab().router(2).exec(Duration.ofSeconds(30), "nice", "-n", "10", "python3", "-c", script,
                HaLabPair.ip(pair.host(PRIMARY).serverAddress()), HaLabPair.ip(pair.host(BACKUP).serverAddress()),
                Integer.toString(port), Integer.toString(JUNK_DATAGRAMS), Double.toString(JUNK_SECONDS));
        assertTrue(result.succeeded(), "the junk flooder failed: " + result);
        String[] taken = result.stdout().strip().split(" ");
        return new long[] {Long.parseLong(taken[0]), Long.parseLong(taken[1])};
    }

    /**
     * From the upstream's namespace (the VIP's previous hop), for hosts .160.. of 203.0.113.0/24 and 198.51.100.0/24
     * that do not exist, {@value #SPOOFED_PORTS_PER_HOST} source ports each: a SYN, then an ACK (as if the spoofed
     * client had seen the server's SYN+ACK) to the VIP's echo port, built by hand with IP_HDRINCL; the pairs sent.
     */
    private static int floodSpoofedSynAck() {
        String script = """
                import random, socket, struct, sys, time
                vip, port, hosts, ports = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
                def checksum(b):
                    if len(b) % 2: b += b"\\0"
                    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
                    s = (s >> 16) + (s & 0xffff); s += s >> 16
                    return ~s & 0xffff
                def segment(src, sport, seq, ack, flags):
                    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, ack, 5 << 4, flags, 64240, 0, 0)
                    pseudo = socket.inet_aton(src) + socket.inet_aton(vip) + struct.pack("!BBH", 0, 6, len(tcp))
                    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
                    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                                       socket.inet_aton(src), socket.inet_aton(vip)) + tcp
                sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
                end = time.monotonic() + 20
                pairs = 0
                for net in ("203.0.113.", "198.51.100."):
                    for h in range(160, 160 + hosts):
                        src = net + str(h)
                        for p in range(ports):
                            if time.monotonic() > end: break
                            seq = random.getrandbits(32)
                            sock.sendto(segment(src, 20000 + p, seq, 0, 0x02), (vip, 0))
                            sock.sendto(segment(src, 20000 + p, (seq + 1) & 0xffffffff, random.getrandbits(32), 0x10), (vip, 0))
                            pairs += 1
                            if pairs % 50 == 0: time.sleep(0.002)
                print(pairs)
                """;
        ExecResult result = pair.lab().upstream().exec(Duration.ofSeconds(40), "nice", "-n", "10", "python3", "-c", script,
                HaLabPair.VIP, Integer.toString(HaLabPair.ECHO_PORT), Integer.toString(SPOOFED_HOSTS_PER_RANGE),
                Integer.toString(SPOOFED_PORTS_PER_HOST));
        assertTrue(result.succeeded(), "the SYN+ACK flooder failed: " + result);
        return Integer.parseInt(result.stdout().strip());
    }

    /**
     * tcpdump in router {@code receiver}'s namespace on both its peer links (server segment, cable), for
     * {@code duration}: the other router's peer datagrams to it, at most 5,000 each; the capture files' directory.
     */
    private static Path capturePeerDatagramsTo(int receiver, Duration duration) throws IOException {
        Path directory = Files.createDirectories(pair.lab().workDirectory().resolve("capture-" + System.nanoTime()));
        Host host = pair.host(receiver);
        List<String> interfaces = List.of(host.interfaceOn(Segment.BACK).orElseThrow().name(),
                pair.cable().endOf(pair.host(receiver)).interfaceName());
        List<LabProcess> dumps = new ArrayList<>();
        try {
            for (String name : interfaces) {
                dumps.add(host.spawn(List.of("tcpdump", "-n", "-U", "-i", name, "-c", "5000", "-w",
                        directory.resolve(name + ".pcap").toString(), "udp", "dst", "port", Integer.toString(PEER_PORT)),
                        directory.resolve(name + ".log")));
            }
            for (LabProcess dump : dumps) {
                dump.awaitOutput("listening on", Duration.ofSeconds(10));
            }
            pause(duration.toMillis());
        } finally {
            for (LabProcess dump : dumps) {
                dump.stop();
            }
        }
        return directory;
    }

    /**
     * Sends every IPv4 packet of the captures in {@code directory} that router 0 sent (its Sender Router Id) again, byte
     * for byte (original source address and port), through a raw socket (IP_HDRINCL) in its namespace; the number sent.
     */
    private static int replay(Path directory) {
        String script = """
                import glob, socket, struct, sys, time
                def with_udp_checksum(packet):
                    # A capture on a veth holds the UDP checksum as offloaded (often not yet computed): sent again
                    # as is, the receiving stack would drop the datagram before any socket. Recomputed (RFC 768);
                    # every other byte, the peer message included, is resent unchanged.
                    ihl = (packet[0] & 0x0F) * 4
                    udp = bytearray(packet[ihl:])
                    udp[6:8] = b"\\x00\\x00"
                    data = packet[12:20] + struct.pack(">BBH", 0, 17, len(udp)) + bytes(udp)
                    if len(data) % 2:
                        data += b"\\x00"
                    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
                    while total >> 16:
                        total = (total & 0xFFFF) + (total >> 16)
                    udp[6:8] = struct.pack(">H", (~total & 0xFFFF) or 0xFFFF)
                    return packet[:ihl] + bytes(udp)
                packets = []
                for name in sorted(glob.glob(sys.argv[1] + "/*.pcap")):
                    data = open(name, "rb").read()
                    offset = 24
                    while offset + 16 <= len(data):
                        caught = struct.unpack("<I", data[offset + 8:offset + 12])[0]
                        frame = data[offset + 16:offset + 16 + caught]
                        offset += 16 + caught
                        if len(frame) > 34 and frame[12:14] == b"\\x08\\x00":
                            packet = frame[14:14 + struct.unpack(">H", frame[16:18])[0]]   # IPv4 total length
                            payload = (packet[0] & 0x0F) * 4 + 8   # IPv4 header, then UDP's
                            # only the peer's messages to the captured router (Sender Router Id), not its own
                            if packet[payload + 8:payload + 12] == struct.pack(">I", int(sys.argv[2])):
                                packets.append(with_udp_checksum(packet))
                sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
                sent = 0
                for packet in packets:
                    sock.sendto(packet, (socket.inet_ntoa(packet[16:20]), 0))
                    sent += 1
                    time.sleep(0.001)   # about the capture's own pace: a replay, not a flood (that is scenario b)
                print(sent)
                """;
        ExecResult result = pair.host(PRIMARY).exec(Duration.ofSeconds(30), "python3", "-c", script, directory.toString(),
                Long.toString(HaLabPair.routerNumber(PRIMARY)));
        assertTrue(result.succeeded(), "the replay failed: " + result);
        int sent = Integer.parseInt(result.stdout().strip());
        assertTrue(sent > 0, "the capture held peer datagrams");
        return sent;
    }

    // ============================================================================================ helpers

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** Router {@code index}'s data-plane drops by reason ({@code ctl stats}' drops). */
    private static Map<String, Long> dataplaneDrops(int index) {
        Map<String, Long> drops = new java.util.TreeMap<>();
        ((Map<?, ?>) pair.router(index).stats().get("drops")).forEach((k, v) -> drops.put(String.valueOf(k), ((Number) v).longValue()));
        return drops;
    }

    private static long counter(Map<?, ?> counters, String name) {
        return ((Number) counters.get(name)).longValue();
    }

    private static long total(Map<String, Long> drops) {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The packets router {@code index}'s host guard dropped at the peer port: the counter of its rule "not a
     * configured peer link" in the namespace's nftables ruleset.
     */
    private static long peerPortGuardDrops(int index) {
        String ruleset = pair.host(index).exec(Duration.ofSeconds(10), "nft", "list", "ruleset").stdout();
        java.util.regex.Matcher rule = java.util.regex.Pattern
                .compile("counter packets (\\d+) bytes \\d+ drop comment \"Baton peer port: not a configured peer link\"")
                .matcher(ruleset);
        assertTrue(rule.find(), "router " + index + " has its peer-port guard: " + ruleset);
        return Long.parseLong(rule.group(1));
    }

    /** What of junk reaches router {@code index}'s agent: rejected, foreign sources, and receive-buffer overflows. */
    private static long junkSeenByBaton(int index) {
        Object foreign = ((Map<?, ?>) pair.ha(index).get("peer_messages")).get("foreign_source");
        return pair.rejected(index) + ((Number) foreign).longValue() + udpReceiveBufferErrors(index);
    }

    /** Packets dropped on full per-CPU input backlogs (the second column of /proc/net/softnet_stat), all CPUs. */
    private static long softnetDrops() {
        try {
            long dropped = 0;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/softnet_stat"))) {
                dropped += Long.parseLong(line.strip().split("\\s+")[1], 16);
            }
            return dropped;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Udp RcvbufErrors of /proc/net/snmp in router {@code index}'s namespace: datagrams its sockets had no room for. */
    private static long udpReceiveBufferErrors(int index) {
        String snmp = pair.host(index).exec(Duration.ofSeconds(10), "cat", "/proc/net/snmp").stdout();
        String[] names = null;
        for (String line : snmp.split("\n")) {
            if (line.startsWith("Udp:")) {
                String[] fields = line.substring(4).strip().split("\\s+");
                if (names == null) {
                    names = fields;
                } else {
                    for (int i = 0; i < names.length; i++) {
                        if (names[i].equals("RcvbufErrors")) {
                            return Long.parseLong(fields[i]);
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no Udp RcvbufErrors in router " + index + "'s /proc/net/snmp: " + snmp);
    }

    /** Link failures router {@code index} saw so far on its peer links. */
    private static long linkFailures(int index) {
        long failures = 0;
        for (Object link : (List<?>) pair.peer(index).get("links")) {
            failures += ((Number) ((Map<?, ?>) link).get("failures")).longValue();
        }
        return failures;
    }

    /** Nothing in the router's log looks like an exception escaping a loop. */
    private static void assertNoStackTrace(int index) {
        String log = pair.router(index).log();
        assertTrue(!log.contains("Exception") && !log.contains("\tat "), "router " + index + " logged an exception:\n"
                + log.substring(0, Math.min(log.length(), 4_000)));
    }

    private static void assertFreshConnectionsSucceed(String when) {
        EchoLoad fresh = EchoLoad.oneEchoEach(pair.lab().client(0), FRESH_CONNECTIONS);
        assertEquals(FRESH_CONNECTIONS, fresh.established(), when + ": " + fresh.result());
        assertEquals(FRESH_CONNECTIONS, fresh.total("ok"), when + ": every fresh connection echoed once: " + fresh.result());
    }

    /**
     * Polls both routers' {@code ctl status} every 50 ms on its own thread, each sample "router1State/router0State"
     * (a stopped or unreachable router reads "down"). During a hand-over the router that takes over is read first:
     * it becomes ACTIVE only after the other let go, so two ACTIVEs in one sample is a real overlap, never an
     * artefact of reading one after the other.
     */
    static final class OneActiveSampler implements AutoCloseable {
        private final List<String> samples = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean running = true;
        private volatile int first = BACKUP;

        private OneActiveSampler() {
            thread = Thread.ofPlatform().name("one-active-sampler").daemon().unstarted(this::run);
        }

        static OneActiveSampler start() {
            OneActiveSampler sampler = new OneActiveSampler();
            sampler.thread.start();
            return sampler;
        }

        /** Reads the router taking over from {@code giver} first. */
        void handOverFrom(int giver) {
            first = HaLabPair.other(giver);
        }

        private void run() {
            while (running) {
                int a = first;
                String stateA = read(a);
                String stateB = read(HaLabPair.other(a));
                samples.add(a == PRIMARY ? stateA + "/" + stateB : stateB + "/" + stateA);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static String read(int index) {
            try {
                return pair.state(index);
            } catch (RuntimeException e) {
                return "down";
            }
        }

        List<String> stop() {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        @Override
        public void close() {
            stop();
        }

        private static long actives(String sample) {
            return java.util.Arrays.stream(sample.split("/")).filter("ACTIVE"::equals).count();
        }

        static String describe(List<String> samples) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (String sample : samples) {
                counts.merge(sample, 1L, Long::sum);
            }
            return samples.size() + " samples (router 0/router 1): " + counts;
        }

        /**
         * Exactly one ACTIVE in every sample; with {@code handOver}, samples with none are allowed only between the
         * last sample of the giver ACTIVE and the first of the taker ACTIVE (the hand-over itself), never two.
         */
        static void assertOneActive(List<String> samples, String scenario, boolean handOver) {
            assertTrue(samples.size() >= 10, scenario + ": too few samples of the routers' states: " + samples);
            int firstNone = -1;
            int lastNone = -1;
            for (int i = 0; i < samples.size(); i++) {
                long actives = actives(samples.get(i));
                assertTrue(actives <= 1, scenario + ": two ACTIVE routers in sample " + i + ": " + samples);
                if (actives == 0) {
                    if (firstNone < 0) {
                        firstNone = i;
                    }
                    lastNone = i;
                }
            }
            if (firstNone >= 0) {
                assertTrue(handOver, scenario + ": no ACTIVE router in sample " + firstNone + ": " + samples);
                for (int i = firstNone; i <= lastNone; i++) {
                    assertEquals(0, actives(samples.get(i)) == 0 ? 0 : 1, scenario + ": one hand-over gap only: " + samples);
                }
            }
        }
    }
}
