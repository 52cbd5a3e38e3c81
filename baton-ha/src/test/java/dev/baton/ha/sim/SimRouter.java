package dev.baton.ha.sim;

import dev.baton.agent.AgentInvoker;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.ha.HaAgent;
import dev.baton.ha.Replication;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.SyncState;
import dev.baton.peer.IncarnationStore;
import dev.baton.peer.PeerKey;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated Baton router: the real {@link HaAgent}, replication shards and data plane (memory ports), its
 * peer links on a {@link SimulatedPeerNetwork}, its clock the simulation's. Router {@code n} (1..count) is
 * primary for the VIP when {@code n == 1}, backup otherwise, with priority {@code 100 - n}.
 */
final class SimRouter implements AutoCloseable {

    static final int VIP = Ipv4.parse("192.0.2.10");
    static final int S1 = Ipv4.parse("198.51.100.11");
    static final int S2 = Ipv4.parse("198.51.100.12");
    static final long S1_MAC = 0x02_00_00_00_01_11L;
    static final long S2_MAC = 0x02_00_00_00_01_12L;
    static final int LINKS = 2;
    /** Elements of every router's reachability set (the simulation sets their health: there are no probes). */
    static final int ELEMENTS = 3;
    /** How long a standby must reach more before the active's reach-ability manager hands it the VIP (345). */
    static final long REACHABILITY_HOLD_MS = 300;
    /** The simulated wall clock's time at simulated millisecond 0 (December 2026). */
    static final long SIMULATED_EPOCH_MS = 1_796_000_000_000L;
    static final int PORT = 7_000;

    final int number;
    final String name;
    final long frontMac;
    final long backMac;
    final int workers;
    final Map<String, MemoryPacketPort> ports = new HashMap<>();
    final Dataplane dataplane;
    final Replication replication;
    final HaAgent agent;
    /** The agent and the workers, run by hand on the simulation's thread, as their runners would. */
    private final AgentInvoker agentInvoker;
    private final AgentInvoker[] workerInvokers;
    /** Not stepped while frozen (SIGSTOP): until this time. */
    long frozenUntilMs = Long.MIN_VALUE;
    /** The time the cycle in progress when it froze began: the first cycle after the thaw carries it. */
    long frozenCycleMs = Long.MIN_VALUE;

    SimRouter(int number, int count, int workers, String failback, PeerKey key, Path stateDirectory,
              SimulatedPeerNetwork network, Simulation.Clock clock, java.util.function.LongSupplier hashSeeds) throws Exception {
        this.number = number;
        this.name = "r" + number;
        this.workers = workers;
        this.frontMac = 0x02_00_00_00_00_01L | (long) number << 8;
        this.backMac = 0x02_00_00_00_00_02L | (long) number << 8;
        StringBuilder peers = new StringBuilder();
        for (int other = 1; other <= count; other++) {
            if (other != number) {
                peers.append("    - name: r").append(other).append('\n')
                        .append("      router-number: ").append(other).append('\n')
                        .append("      links:\n");
                for (int link = 0; link < LINKS; link++) {
                    peers.append("        - { local: ").append(linkAddress(number, link)).append(", peer: ")
                            .append(linkAddress(other, link)).append(" }\n");
                }
            }
        }
        BatonConfig config = ConfigLoader.load("""
                router: { id: %s, control-socket: /tmp/unused-%s.sock, workers: %d }
                interfaces:
                  - { name: front, role: client, address: 192.0.2.%d/24 }
                  - { name: back, role: server, address: 198.51.100.%d/24 }
                table: { capacity: 4096 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                    role: %s
                    priority: %d
                    failback: %s
                    servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
                high-availability:
                  router-number: %d
                  key-file: /nonexistent/unused.key
                  port: %d
                  peers:
                %s
                reachability:
                  compare: count
                  hold: %dms
                  report-interval: 100ms
                  targets:
                    - { name: upstream, address: 192.0.2.1, probe: arp }
                    - { name: server-11, address: 198.51.100.11, probe: icmp }
                    - { name: server-12, address: 198.51.100.12, probe: icmp }
                """.formatted(name, name, workers, 1 + number, 1 + number, number == 1 ? "primary" : "backup",
                100 - number, failback, number, PORT, peers, REACHABILITY_HOLD_MS), Path.of(name + ".yaml"));
        this.replication = new Replication(workers, count - 1, ServiceMap.of(config),
                Replication.syncSettings(config.highAvailability().orElseThrow()));
        this.dataplane = new Dataplane(config, (itf, worker, n) -> ports.computeIfAbsent(itf + "/" + worker,
                p -> new MemoryPacketPort(p, itf.equals("front") ? frontMac : backMac)), clock::nowMs, false,
                replication::extensionFor, hashSeeds);
        long incarnation = IncarnationStore.next(stateDirectory.resolve(name));
        // The wall clock too follows the simulated one, so that a seed replays the same run (an operator's settings
        // take their versions from it).
        this.agent = new HaAgent(config, dataplane, replication, key, incarnation, clock::nowMs, itf -> true,
                network.sockets(name), () -> SIMULATED_EPOCH_MS + clock.nowMs);
        this.agentInvoker = new AgentInvoker(agent);
        this.workerInvokers = new AgentInvoker[workers];
        for (int w = 0; w < workers; w++) {
            workerInvokers[w] = new AgentInvoker(dataplane.agent(w));
        }
    }

    /** Link {@code link}'s address of router {@code number}: 203.0.113.(10 + n) and 203.0.113.(110 + n). */
    static String linkAddress(int number, int link) {
        return "203.0.113." + (10 + 100 * link + number);
    }

    static InetAddress linkInetAddress(int number, int link) {
        try {
            return InetAddress.getByName(linkAddress(number, link));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    MemoryPacketPort front(int worker) {
        return ports.get("front/" + worker);
    }

    MemoryPacketPort back(int worker) {
        return ports.get("back/" + worker);
    }

    /** One cycle as the agent and worker threads would run it: agent, workers, agent again. */
    void step(long nowMs) {
        long cycleMs = frozenCycleMs != Long.MIN_VALUE ? frozenCycleMs : nowMs;
        frozenCycleMs = Long.MIN_VALUE;
        agentInvoker.invoke(cycleMs);
        for (AgentInvoker worker : workerInvokers) {
            worker.invoke(nowMs);
        }
        agentInvoker.invoke(nowMs);
    }

    MonitorState state() {
        return agent.state(0);
    }

    SyncState sync() {
        return agent.sync(0);
    }

    /** Answers the servers' ARP probes, as the servers would. */
    void resolveServers() {
        for (int w = 0; w < workers; w++) {
            back(w).inject(TestFrames.arpReply(S1_MAC, S1, backMac, Ipv4.parse("198.51.100." + (1 + number))));
            back(w).inject(TestFrames.arpReply(S2_MAC, S2, backMac, Ipv4.parse("198.51.100." + (1 + number))));
        }
    }

    /** Frames this router sent to the clients' side since the last call (gratuitous ARP among them). */
    List<byte[]> drainFront() {
        List<byte[]> frames = new java.util.ArrayList<>();
        for (int w = 0; w < workers; w++) {
            frames.addAll(front(w).drainTransmitted());
            back(w).drainTransmitted();
        }
        return frames;
    }

    @Override
    public void close() {
        agent.close();
        dataplane.close();
    }
}
