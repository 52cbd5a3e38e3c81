package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynLoadTest {

    private static final long MS = 1_000_000L;
    private static final long CONFIRM_AFTER_NS = 1_100 * MS;

    /** Frames into memory, stamped with the test's clock; at most {@code room} frames between two flushes. */
    private static final class Wire implements SynLoad.Transmitter {
        record Frame(SynFrames.Kind kind, long connection, long nowNs, int step) {
        }

        final List<Frame> frames = new ArrayList<>();
        final int room;
        long nowNs;
        int step;
        int sinceFlush;
        int flushes;

        Wire(int room) {
            this.room = room;
        }

        @Override
        public boolean send(SynFrames.Kind kind, long connection) {
            if (sinceFlush == room) {
                return false;
            }
            sinceFlush++;
            frames.add(new Frame(kind, connection, nowNs, step));
            return true;
        }

        @Override
        public void flush() {
            sinceFlush = 0;
            flushes++;
        }

        /** The frames of each connection, in the order sent. */
        Map<Long, List<Frame>> byConnection() {
            Map<Long, List<Frame>> by = new HashMap<>();
            for (Frame f : frames) {
                by.computeIfAbsent(f.connection(), c -> new ArrayList<>()).add(f);
            }
            return by;
        }
    }

    /** Steps {@code load} every {@code stepNs} from {@code wire.nowNs} for {@code durationNs}. */
    private static void run(SynLoad load, Wire wire, long stepNs, long durationNs) {
        long end = wire.nowNs + durationNs;
        while (wire.nowNs < end) {
            wire.step++;
            load.step(wire.nowNs);
            wire.nowNs += stepNs;
        }
    }

    @Test
    void everyConnectionIsASynThenItsAckInALaterStepThenItsConfirmationAfterTheDelay() {
        Wire wire = new Wire(Integer.MAX_VALUE);
        SynLoad load = new SynLoad(wire, 1_000, 0, CONFIRM_AFTER_NS, 4_096, 64);
        load.start(wire.nowNs);
        run(load, wire, MS, 3_000 * MS);

        assertTrue(load.finished(), "all 1,000 opened, acknowledged and confirmed");
        assertEquals(1_000, load.syns());
        assertEquals(1_000, load.acks());
        assertEquals(1_000, load.confirms());
        Map<Long, List<Wire.Frame>> byConnection = wire.byConnection();
        assertEquals(1_000, byConnection.size());
        for (List<Wire.Frame> frames : byConnection.values()) {
            assertEquals(List.of(SynFrames.Kind.SYN, SynFrames.Kind.ACK, SynFrames.Kind.CONFIRM), frames.stream().map(Wire.Frame::kind).toList());
            assertTrue(frames.get(1).step() > frames.get(0).step(), "the ACK a step after its SYN");
            long sinceAck = frames.get(2).nowNs() - frames.get(1).nowNs();
            assertTrue(sinceAck >= CONFIRM_AFTER_NS && sinceAck < CONFIRM_AFTER_NS + MS, "confirmed " + sinceAck + " ns after the ACK");
        }
    }

    @Test
    void aStepSendsAtMostABatchOfEachKindAndFlushesOnce() {
        Wire wire = new Wire(Integer.MAX_VALUE);
        SynLoad load = new SynLoad(wire, 1_000, 0, CONFIRM_AFTER_NS, 4_096, 8);
        load.start(0);
        assertEquals(8, load.step(0), "8 SYNs");
        assertEquals(16, load.step(MS), "their 8 ACKs, 8 new SYNs");
        assertEquals(2, wire.flushes);
        assertEquals(0, load.confirms());
        wire.nowNs = 2 * MS;
        run(load, wire, MS, 10 * MS);
        wire.nowNs = CONFIRM_AFTER_NS + MS;
        int before = wire.frames.size();
        load.step(wire.nowNs);
        long confirmations = wire.frames.subList(before, wire.frames.size()).stream().filter(f -> f.kind() == SynFrames.Kind.CONFIRM).count();
        assertEquals(8, confirmations, "the due confirmations, a batch at a time");
    }

    @Test
    void aFullTransmitRingDelaysFramesButSkipsNone() {
        Wire wire = new Wire(5);
        SynLoad load = new SynLoad(wire, 300, 0, CONFIRM_AFTER_NS, 4_096, 64);
        load.start(0);
        run(load, wire, MS, 2_000 * MS);

        assertTrue(load.finished());
        assertTrue(load.transmitRingFull() > 0);
        Map<Long, List<Wire.Frame>> byConnection = wire.byConnection();
        for (long n = 0; n < 300; n++) {
            assertEquals(List.of(SynFrames.Kind.SYN, SynFrames.Kind.ACK, SynFrames.Kind.CONFIRM),
                    byConnection.get(n).stream().map(Wire.Frame::kind).toList(), "connection " + n);
            long sinceAck = byConnection.get(n).get(2).nowNs() - byConnection.get(n).get(1).nowNs();
            assertTrue(sinceAck >= CONFIRM_AFTER_NS, "never early, however late");
        }
    }

    @Test
    void theRateBoundsNewConnectionsByTheTimeElapsed() {
        Wire wire = new Wire(Integer.MAX_VALUE);
        SynLoad load = new SynLoad(wire, 1_000_000, 10_000, CONFIRM_AFTER_NS, 1 << 16, 64);
        load.start(0);
        run(load, wire, MS / 10, 500 * MS);
        assertTrue(Math.abs(load.syns() - 5_000) <= 64, "10,000/s for 0.5 s: " + load.syns());
        run(load, wire, MS / 10, 500 * MS);
        assertTrue(Math.abs(load.syns() - 10_000) <= 64, "and for 1 s: " + load.syns());
    }

    @Test
    void aFullConfirmationRingHoldsNewConnectionsBackUntilTheOldestAreConfirmed() {
        Wire wire = new Wire(Integer.MAX_VALUE);
        SynLoad load = new SynLoad(wire, 1_000_000, 0, CONFIRM_AFTER_NS, 100, 64);
        load.start(0);
        run(load, wire, MS, 1_000 * MS);
        assertEquals(100, load.syns(), "no more than the ring remembers");
        assertEquals(100, load.pendingConfirmations());
        assertTrue(load.confirmRingFull() > 0);
        run(load, wire, MS, 200 * MS);
        assertEquals(100, load.confirms(), "the first hundred confirmed after 1.1 s");
        assertTrue(load.syns() > 100, "and new ones opened in their place");
        assertTrue(load.syns() - load.confirms() <= 100);
    }

    @Test
    void afterOpeningStopsItOnlyFinishesWhatIsDue() {
        Wire wire = new Wire(Integer.MAX_VALUE);
        SynLoad load = new SynLoad(wire, 1_000_000, 0, CONFIRM_AFTER_NS, 4_096, 16);
        load.start(0);
        run(load, wire, MS, 10 * MS);
        load.stopOpening();
        long opened = load.syns();
        assertFalse(load.finished(), "confirmations still due");
        assertEquals(MS + CONFIRM_AFTER_NS, load.nextDueNs(), "the first ACKs went out at 1 ms");
        run(load, wire, MS, 1_200 * MS);
        assertTrue(load.finished());
        assertEquals(opened, load.syns());
        assertEquals(opened, load.confirms());
        assertEquals(Long.MAX_VALUE, load.nextDueNs());
    }

    @Test
    void stepRequiresAStartAndTheParametersAreChecked() {
        Wire wire = new Wire(1);
        assertThrows(IllegalStateException.class, () -> new SynLoad(wire, 1, 0, 0, 1, 1).step(0));
        assertThrows(IllegalArgumentException.class, () -> new SynLoad(wire, 0, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SynLoad(wire, 1, -1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SynLoad(wire, 1, 0, 0, 1, 0));
    }
}
