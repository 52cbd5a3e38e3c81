package dev.baton.dataplane.forward.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.codec.Ipv4;
import dev.baton.codec.NetworkOrder;
import dev.baton.codec.testing.AllocationBudget;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.ForwarderBuilder;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target, kept in the build: frames from anyone, on either side, through
 * {@link Forwarder#onFrame} over memory ports, with the clock stepped and VIP ownership flipped between
 * frames.
 *
 * <p>The router: a client-facing port (MAC {@link #FRONT_MAC}, the golden captures' router) and a
 * server-facing port; VIP 192.0.2.10 with TCP 80 (WRR) and UDP 53 (WLC, persistence 300 s), VIP
 * 203.0.113.130 with TCP 8080 (the golden captures' service); three servers, resolved at start; a small
 * connection table so it fills.
 *
 * <p>The input is a sequence of frames, each {@code [control u8][length u16][frame bytes]}. Control bit 0:
 * the frame arrives on the server-facing port; bit 1: the kernel stripped a VLAN tag (TP_STATUS_VLAN_VALID);
 * bit 2: the checksum is partial (TP_STATUS_CSUMNOTREADY); bit 3: ownership of the first VIP flips before
 * the frame; bits 4-7 ({@code s}): the clock advances {@code s * s} seconds first and the worker runs a
 * cycle (timers, expiry, ARP probes).
 *
 * <p>Invariants: nothing throws; every frame is accounted for: exactly one of forwarded, dropped (by
 * reason) or ignored as addressed to another host, except a well-formed ARP frame (answered, learned or
 * neither, by design) and a frame of another EtherType (not Baton's: no counter, see docs/fuzzing.md);
 * every transmitted frame is a counted forward or ARP reply; the table stays within its capacity; one frame
 * allocates no more than a fixed bound.
 */
class ForwarderFuzzTest {

    static final long FRONT_MAC = 0x02_00_00_00_01_01L;
    static final long BACK_MAC = 0x02_00_00_00_00_02L;
    static final int FRONT_IP = Ipv4.parse("192.0.2.2");
    static final int BACK_IP = Ipv4.parse("198.51.100.2");
    static final int VIP = Ipv4.parse("192.0.2.10");
    static final int GOLDEN_VIP = Ipv4.parse("203.0.113.130");
    static final int[] SERVERS = {Ipv4.parse("198.51.100.11"), Ipv4.parse("198.51.100.12"), Ipv4.parse("198.51.100.13")};
    static final int CAPACITY = 64;
    static final int STATUS_VLAN_VALID = MemoryPacketPort.STATUS_VLAN_VALID;
    /** Mirrors TP_STATUS_CSUMNOTREADY (linux/if_packet.h). */
    static final int STATUS_CSUM_NOT_READY = 0x8;
    /**
     * Per frame. The forwarding path allocates nothing (ForwarderAllocationTest pins 0 for every verdict) and the
     * memory ports only count what is transmitted; this leaves room for the fuzzer's own bookkeeping. Anything
     * sized by a number in the frame would exceed it.
     */
    static final long MAX_ALLOCATED_BYTES_PER_FRAME = 4 * 1024;

    private final AllocationBudget allocation = new AllocationBudget(MAX_ALLOCATED_BYTES_PER_FRAME);
    private final MemorySegment frame = Arena.ofAuto().allocate(65_536 + 64, 64);

    @FuzzTest(maxDuration = "10s")
    void onFrame(byte[] input) {
        allocation.run(() -> run(input));
    }

    private void run(byte[] input) {
        try (MemoryPacketPort front = new MemoryPacketPort("front", FRONT_MAC);
             MemoryPacketPort back = new MemoryPacketPort("back", BACK_MAC);
             Router router = new Router(front, back)) {
            front.countTransmittedOnly();
            back.countTransmittedOnly();
            long now = 1_000_000;
            router.forwarder.doWork(now);
            for (int i = 0; i < SERVERS.length; i++) {
                router.neighbours.learn(SERVERS[i], 0x02_00_00_00_00_b0L + i, now);
            }
            int at = 0;
            while (at + 3 <= input.length) {
                int control = input[at] & 0xFF;
                int length = Math.min(((input[at + 1] & 0xFF) << 8) | (input[at + 2] & 0xFF), input.length - at - 3);
                MemorySegment.copy(input, at + 3, frame, ValueLayout.JAVA_BYTE, 0, length);
                at += 3 + length;
                if ((control & 8) != 0) {
                    router.ownership.own(VIP, !router.ownership.owns(VIP));
                }
                int step = control >>> 4;
                if (step > 0) {
                    now += step * step * 1_000L;
                    router.forwarder.doWork(now);
                }
                router.deliver((control & 1) == 0 ? front : back, frame, length,
                        ((control & 2) != 0 ? STATUS_VLAN_VALID : 0) | ((control & 4) != 0 ? STATUS_CSUM_NOT_READY : 0));
            }
        }
    }

    /** One forwarder and what it is checked against. */
    private final class Router implements AutoCloseable {
        final MemoryPacketPort front;
        final MemoryPacketPort back;
        final NeighbourTable neighbours;
        final VipOwnership ownership;
        final Forwarder forwarder;
        final WorkerCounters counters;

        Router(MemoryPacketPort front, MemoryPacketPort back) {
            this.front = front;
            this.back = back;
            List<ServerConfig> servers = List.of(new ServerConfig(SERVERS[0], 3), new ServerConfig(SERVERS[1], 1),
                    new ServerConfig(SERVERS[2], 1));
            ServiceMap services = ServiceMap.of(List.of(
                    new ServiceConfig("web", VIP, Protocol.TCP, List.of(new PortRange(80, 80)), SchedulerKind.WRR,
                            Duration.ZERO, servers),
                    new ServiceConfig("dns", VIP, Protocol.UDP, List.of(new PortRange(53, 53)), SchedulerKind.WLC,
                            Duration.ofSeconds(300), servers.subList(0, 2)),
                    new ServiceConfig("http", GOLDEN_VIP, Protocol.TCP, List.of(new PortRange(8080, 8080)),
                            SchedulerKind.WRR, Duration.ZERO, servers.subList(2, 3))));
            neighbours = new NeighbourTable(services.neighbourAddresses(), new int[services.neighbourAddresses().length],
                    30_000, 1_000, 90_000);
            ownership = new VipOwnership(services.distinctVips(), true);
            forwarder = new ForwarderBuilder().services(services).neighbours(neighbours).ownership(ownership)
                    .port(front, true, false, FRONT_IP).port(back, false, true, BACK_IP)
                    .capacity(CAPACITY).build();
            counters = forwarder.counters();
        }

        void deliver(MemoryPacketPort port, MemorySegment buffer, int length, int status) {
            long rx = counters.get(WorkerCounters.RX_FRAMES);
            long handled = handled();
            long sent = counters.get(WorkerCounters.FORWARDED_FRAMES) + counters.get(WorkerCounters.ARP_REPLIES_SENT);
            long transmittedBefore = front.transmittedFrames() + back.transmittedFrames();
            long allocationMark = allocation.mark();
            forwarder.onFrame(port, buffer, 0, length, -1, status, 100);
            forwarder.flushDirtyPorts();
            allocation.check(allocationMark, "one frame");
            assertEquals(rx + 1, counters.get(WorkerCounters.RX_FRAMES), "a received frame is counted");
            long outcomes = handled() - handled;
            int etherType = etherType(buffer, length);
            if (etherType == 0x0806) {
                assertTrue(outcomes <= 1, "at most one outcome for an ARP frame, got " + outcomes);
            } else {
                assertEquals(1, outcomes, "exactly one outcome (forwarded, dropped by reason, other host, other EtherType)"
                        + " per frame that is not ARP");
            }
            long transmitted = front.transmittedFrames() + back.transmittedFrames() - transmittedBefore;
            long counted = counters.get(WorkerCounters.FORWARDED_FRAMES) + counters.get(WorkerCounters.ARP_REPLIES_SENT) - sent;
            assertEquals(counted, transmitted, "every transmitted frame is a counted forward or ARP reply");
            assertTrue(forwarder.table().size() <= CAPACITY, "table within its capacity");
        }

        private long handled() {
            long sum = counters.get(WorkerCounters.FORWARDED_FRAMES) + counters.get(WorkerCounters.IGNORED_OTHER_HOST)
                    + counters.get(WorkerCounters.IGNORED_OTHER_ETHERTYPE);
            for (DropReason reason : DropReason.values()) {
                sum += counters.drops(reason);
            }
            return sum;
        }

        /** The payload EtherType as the forwarder reads it (inside one 802.1Q tag), or -1 if too short. */
        private static int etherType(MemorySegment buffer, int length) {
            if (length < 14) {
                return -1;
            }
            int outer = Short.toUnsignedInt(buffer.get(NetworkOrder.SHORT, 12));
            if (outer != 0x8100) {
                return outer;
            }
            return length < 18 ? -1 : Short.toUnsignedInt(buffer.get(NetworkOrder.SHORT, 16));
        }

        @Override
        public void close() {
            forwarder.close();
        }
    }
}
