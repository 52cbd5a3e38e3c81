package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.io.PacketPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's transmit discipline, which the forwarder and the ARP handler share, and its numbering of ports. */
class WorkerPortsTest {

    private static final int FRAME = 60;
    private final List<MemoryPacketPort> opened = new ArrayList<>();

    @AfterEach
    void closePorts() {
        opened.forEach(MemoryPacketPort::close);
    }

    private MemoryPacketPort port(String name, int slots) {
        MemoryPacketPort port = new MemoryPacketPort(name, 0x02_00_00_00_00_10L + opened.size(), false, 2048, slots);
        opened.add(port);
        return port;
    }

    private static void send(WorkerPorts ports, PacketPort port) {
        long at = ports.claim(port, FRAME);
        assertTrue(at >= 0, "a free slot");
        port.txBuffer().asSlice(at, FRAME).fill((byte) 0);
        ports.commit(port, FRAME);
    }

    @Test
    void eachPortWrittenInABatchIsKickedOnceAndAPortNotWrittenNever() {
        MemoryPacketPort a = port("a", 64);
        MemoryPacketPort b = port("b", 64);
        MemoryPacketPort idle = port("idle", 64);
        WorkerPorts ports = new WorkerPorts(0, new PacketPort[]{a, b, idle}, new boolean[]{true, false, false},
                new boolean[]{false, true, true}, new int[3]);
        for (int i = 0; i < 5; i++) {
            send(ports, a);
            send(ports, b);
        }
        assertEquals(0, a.flushes() + b.flushes(), "nothing handed over before the batch ends");

        ports.flushDirty();
        ports.flushDirty(); // a second flush with nothing new written kicks nobody
        assertEquals(List.of(1, 1, 0), List.of(a.flushes(), b.flushes(), idle.flushes()));
        assertEquals(5, a.transmittedFrames());
    }

    @Test
    void aFullRingIsKickedOnceAndTheClaimTriedAgainBeforeAFrameIsDropped() {
        MemoryPacketPort small = port("small", 2);
        WorkerPorts ports = new WorkerPorts(0, new PacketPort[]{small}, new boolean[]{true}, new boolean[]{true}, new int[1]);
        send(ports, small);
        send(ports, small);
        send(ports, small); // the ring is full: the two before are kicked, their slots freed
        assertEquals(1, small.flushes());
        ports.flushDirty();
        assertEquals(2, small.flushes(), "the frame claimed after the kick still goes out with the batch");
        assertEquals(3, small.transmittedFrames());

        small.fillTxRing(); // the kernel has not sent anything yet: a kick frees no slot
        assertEquals(-1, ports.claim(small, FRAME));
    }

    @Test
    void serverFacingPortsAreNumberedAmongThemselvesInTheOrderAdded() {
        MemoryPacketPort front = port("front", 4);
        MemoryPacketPort back = port("back", 4);
        MemoryPacketPort oneArm = port("one-arm", 4);
        MemoryPacketPort back2 = port("back2", 4);
        int[] addresses = {Ipv4.parse("192.0.2.2"), Ipv4.parse("198.51.100.2"), Ipv4.parse("203.0.113.2"),
                Ipv4.parse("198.51.100.130")};
        WorkerPorts ports = new WorkerPorts(0, new PacketPort[]{back, front, oneArm, back2},
                new boolean[]{false, true, true, false}, new boolean[]{true, false, true, true}, addresses);

        assertSame(back, ports.serverPort(0));
        assertSame(oneArm, ports.serverPort(1), "a port facing both sides is a server-facing port too");
        assertSame(back2, ports.serverPort(2));
        assertEquals(List.of(addresses[0], addresses[2], addresses[3]),
                List.of(ports.serverPortAddress(0), ports.serverPortAddress(1), ports.serverPortAddress(2)));
        assertEquals(1, ports.firstClientFacing());
        assertEquals(3, ports.indexOf(back2));
    }

    @Test
    void aPortOfAnotherWorkerIsAWiringError() {
        MemoryPacketPort mine = port("mine", 4);
        MemoryPacketPort theirs = port("theirs", 4);
        WorkerPorts ports = new WorkerPorts(3, new PacketPort[]{mine}, new boolean[]{true}, new boolean[]{true}, new int[1]);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ports.indexOf(theirs));
        assertEquals("port theirs does not belong to worker 3", e.getMessage());
    }
}
