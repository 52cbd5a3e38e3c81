package dev.baton.bench.jmh;

import dev.baton.codec.MacAddress;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.ForwarderBuilder;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;

import java.time.Duration;
import java.util.List;

/**
 * One forwarding worker wired to two {@link ReplayPacketPort}s, the way ForwarderTest wires it to memory
 * ports: a client-facing port ("front", where the VIP's traffic arrives) and a server-facing port ("back").
 * One TCP service, VIP 192.0.2.10:80, weighted round robin over two servers (weights 3 and 1) whose MACs are
 * already resolved. Addresses are TEST-NET (RFC 5737) and nothing leaves the process.
 *
 * <p>Owned by the benchmark thread.
 */
final class ForwardingRig implements AutoCloseable {

    static final long FRONT_MAC = 0x02_00_00_00_00_01L;
    static final long BACK_MAC = 0x02_00_00_00_00_02L;
    static final long UPSTREAM_MAC = 0x02_00_00_00_00_AAL;
    static final long SERVER_0_MAC = 0x02_00_00_00_00_B0L;
    static final long SERVER_1_MAC = 0x02_00_00_00_00_B1L;
    static final int FRONT_ADDRESS = 0xC000_0202;    // 192.0.2.2
    static final int BACK_ADDRESS = 0xC633_6402;     // 198.51.100.2
    static final int UPSTREAM_ADDRESS = 0xC000_0201; // 192.0.2.1
    static final int VIP = 0xC000_020A;              // 192.0.2.10
    static final int VIP_PORT = 80;
    static final int SERVER_0 = 0xC633_640B;         // 198.51.100.11
    static final int SERVER_1 = 0xC633_640C;         // 198.51.100.12
    /** Clients live in 203.0.113.0/24: the low byte of the address varies. */
    static final int CLIENT_NETWORK = 0xCB00_7100;   // 203.0.113.0

    /** The forwarding path's time: it stands still, so nothing expires and no ARP refresh falls due. */
    static final long NOW_MS = 1_000_000;

    /** Transmit slots per port: a TPACKET-like 2 KiB frame each, more than one duty cycle sends. */
    private static final int TX_SLOT_BYTES = 2048;
    private static final int TX_SLOT_COUNT = 1024;

    final ReplayPacketPort front;
    final ReplayPacketPort back;
    final NeighbourTable neighbours;
    final Forwarder forwarder;

    /** @param tableCapacity the worker's connection-table capacity */
    ForwardingRig(int tableCapacity) {
        front = new ReplayPacketPort("front", FRONT_MAC, TX_SLOT_BYTES, TX_SLOT_COUNT);
        back = new ReplayPacketPort("back", BACK_MAC, TX_SLOT_BYTES, TX_SLOT_COUNT);
        ServiceMap services = ServiceMap.of(List.of(
                new ServiceConfig("web", VIP, Protocol.TCP, List.of(new PortRange(VIP_PORT, VIP_PORT)), SchedulerKind.WRR,
                        Duration.ZERO, List.of(new ServerConfig(SERVER_0, 3), new ServerConfig(SERVER_1, 1)))));
        int[] serverAddresses = services.neighbourAddresses();
        neighbours = new NeighbourTable(serverAddresses, new int[serverAddresses.length], 30_000, 1_000, 90_000);
        forwarder = new ForwarderBuilder().services(services).neighbours(neighbours)
                .port(front, true, false, FRONT_ADDRESS).port(back, false, true, BACK_ADDRESS)
                .capacity(tableCapacity).build();
        // Resolved as if the servers had answered the worker's ARP requests; the first cycle sends those
        // requests (into the back port's buffer) and marks both servers available.
        neighbours.learn(SERVER_0, SERVER_0_MAC, NOW_MS);
        neighbours.learn(SERVER_1, SERVER_1_MAC, NOW_MS);
        forwarder.doWork(NOW_MS);
    }

    /** One duty cycle of the worker. */
    int cycle() {
        return forwarder.doWork(NOW_MS);
    }

    long counter(int id) {
        return forwarder.counters().get(id);
    }

    long totalDrops() {
        long drops = 0;
        for (DropReason reason : DropReason.values()) {
            drops += forwarder.counters().drops(reason);
        }
        return drops;
    }

    /**
     * Throws unless every frame received was forwarded to a server: nothing dropped, and the last frame sent
     * on the back port carries a server's MAC as destination and the back port's as source.
     */
    void checkEveryFrameForwarded() {
        long received = counter(WorkerCounters.RX_FRAMES);
        long forwarded = counter(WorkerCounters.FORWARDED_FRAMES);
        if (forwarded != received || totalDrops() != 0) {
            throw new IllegalStateException("received " + received + " frames but forwarded " + forwarded
                    + " (" + totalDrops() + " dropped)");
        }
        checkLastSent(back, SERVER_0_MAC, SERVER_1_MAC);
    }

    /** Throws unless the last frame {@code port} sent went to {@code expectedA} or {@code expectedB} from the port's MAC. */
    static void checkLastSent(ReplayPacketPort port, long expectedA, long expectedB) {
        long at = port.lastCommittedOffset();
        if (at < 0) {
            throw new IllegalStateException(port.name() + " sent nothing");
        }
        long destination = MacAddress.read(port.txBuffer(), at);
        long source = MacAddress.read(port.txBuffer(), at + MacAddress.LENGTH);
        if ((destination != expectedA && destination != expectedB) || source != port.macAddress()) {
            throw new IllegalStateException(port.name() + " sent a frame from " + MacAddress.format(source)
                    + " to " + MacAddress.format(destination));
        }
    }

    @Override
    public void close() {
        forwarder.close();
        front.close();
        back.close();
    }
}
