package dev.baton.control.drill;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drill's measurement maths with a stepped clock: stalls, echo checking, the new-connection outage. */
class MeasurementTest {

    private static final long MS = 1_000_000;

    // ------------------------------------------------------------------------------------------ StallMeter

    @Test
    void theLongestGapBetweenEchoesIsTheStallAndTheSetUpBeforeTheStartIsNot() {
        StallMeter meter = new StallMeter();
        meter.onEcho(0);
        meter.onEcho(900 * MS); // set-up: a slow first echo is not a stall
        meter.start(1_000 * MS);
        meter.onEcho(1_020 * MS);
        meter.onEcho(1_040 * MS);
        meter.onEcho(1_190 * MS); // 150 ms: the switch
        meter.onEcho(1_210 * MS);
        meter.finish(1_220 * MS, false);
        assertEquals(150 * MS, meter.longestNs());
        assertEquals(1_040 * MS, meter.longestBeganNs());
    }

    @Test
    void aConnectionThatStopsAnsweringStallsUntilTheEndNotZero() {
        StallMeter meter = new StallMeter();
        meter.start(0);
        meter.onEcho(20 * MS);
        meter.finish(5_020 * MS, true);
        assertEquals(5_000 * MS, meter.longestNs(), "awaiting an echo at the end: the open gap counts");
        meter.onEcho(6_000 * MS);
        assertEquals(5_000 * MS, meter.longestNs(), "nothing changes after finish");

        StallMeter idle = new StallMeter();
        idle.start(0);
        idle.onEcho(20 * MS);
        idle.finish(5_020 * MS, false);
        assertEquals(20 * MS, idle.longestNs(), "nothing awaited at the end: no open gap");
    }

    // ------------------------------------------------------------------------------------------ EchoLedger

    @Test
    void echoesArrivingInPiecesCompleteMessagesInOrder() {
        EchoLedger ledger = new EchoLedger(7);
        ledger.stall().start(0);
        byte[] first = ledger.nextMessage();
        byte[] second = ledger.nextMessage();
        assertEquals("7:1\n", ascii(first));
        assertEquals("7:2\n", ascii(second));
        assertEquals(8, ledger.outstandingBytes());
        assertTrue(ledger.accept(ByteBuffer.wrap("7:".getBytes(StandardCharsets.US_ASCII)), 10 * MS));
        assertEquals(0, ledger.messagesEchoed());
        assertTrue(ledger.accept(ByteBuffer.wrap("1\n7:2".getBytes(StandardCharsets.US_ASCII)), 20 * MS));
        assertEquals(1, ledger.messagesEchoed());
        assertTrue(ledger.accept(ByteBuffer.wrap("\n".getBytes(StandardCharsets.US_ASCII)), 90 * MS));
        assertEquals(2, ledger.messagesEchoed());
        assertEquals(0, ledger.messagesAwaited());
        assertEquals(8, ledger.bytesReceived());
        assertEquals(70 * MS, ledger.stall().longestNs());
        assertNull(ledger.mismatch());
    }

    @Test
    void aDifferentByteIsAMismatchAndEveryByteIsStillCounted() {
        EchoLedger ledger = new EchoLedger(1);
        ledger.nextMessage();
        assertFalse(ledger.accept(ByteBuffer.wrap("1:9\nxyz".getBytes(StandardCharsets.US_ASCII)), 0));
        assertEquals("message 1:1: byte 2 is '9', expected '1'", ledger.mismatch());
        assertEquals(7, ledger.bytesReceived());
        assertFalse(ledger.maySend());
        assertFalse(ledger.accept(ByteBuffer.wrap(new byte[]{1}), 0), "after a mismatch the connection stays wrong");
    }

    @Test
    void aByteNobodyAwaitedIsAMismatch() {
        EchoLedger ledger = new EchoLedger(1);
        assertFalse(ledger.accept(ByteBuffer.wrap(new byte[]{(byte) 0xFF}), 0));
        assertTrue(ledger.mismatch().startsWith("byte 0xff received when no echo was awaited"), ledger.mismatch());
    }

    @Test
    void noNewMessageWhileTooMuchIsAwaited() {
        EchoLedger ledger = new EchoLedger(1999);
        int messages = 0;
        while (ledger.maySend()) {
            ledger.nextMessage();
            messages++;
        }
        assertTrue(ledger.outstandingBytes() >= EchoLedger.MAX_OUTSTANDING_BYTES);
        assertTrue(ledger.outstandingBytes() < EchoLedger.MAX_OUTSTANDING_BYTES + EchoLedger.MAX_MESSAGE_BYTES);
        assertEquals(messages, ledger.messagesAwaited());
    }

    // ------------------------------------------------------------------------------------------ ProbeOutage

    @Test
    void noFailedProbeNoOutage() {
        ProbeOutage probes = new ProbeOutage(10);
        for (int i = 0; i < 5; i++) {
            probes.succeeded(probes.open(i * 100 * MS));
        }
        assertEquals(new ProbeOutage.Result(5, 5, 0, true, 0, 0), probes.result(0));
    }

    @Test
    void theOutageRunsFromTheFirstFailedProbeToTheFirstGoodOneAfterTheLast() {
        ProbeOutage probes = new ProbeOutage(10);
        boolean[] good = {true, true, false, true, false, false, true, true};
        int[] index = new int[good.length];
        for (int i = 0; i < good.length; i++) {
            index[i] = probes.open(i * 100 * MS);
        }
        for (int i = good.length - 1; i >= 0; i--) { // they complete in any order
            if (good[i]) {
                probes.succeeded(index[i]);
            } else {
                probes.failed(index[i]);
            }
        }
        ProbeOutage.Result result = probes.result(150 * MS);
        assertEquals(3, result.failed());
        assertTrue(result.recovered());
        assertEquals(50 * MS, result.beganNs(), "probe 2 started 50 ms after the origin");
        assertEquals(400 * MS, result.outageNs(), "from probe 2 (200 ms) to probe 6 (600 ms)");
    }

    @Test
    void failuresToTheEndAreNotRecoveredAndAPendingProbeCountsAsFailed() {
        ProbeOutage probes = new ProbeOutage(10);
        probes.succeeded(probes.open(0));
        probes.failed(probes.open(100 * MS));
        probes.open(200 * MS); // never settled
        ProbeOutage.Result result = probes.result(0);
        assertFalse(result.recovered());
        assertEquals(2, result.failed());
        assertEquals(100 * MS, result.outageNs(), "at least from the first failure to the last probe");
    }

    @Test
    void probesBeyondTheCapacityAreNotRecordedAndTimeRunsForward() {
        ProbeOutage probes = new ProbeOutage(1);
        assertEquals(0, probes.open(5));
        assertEquals(-1, probes.open(6));
        ProbeOutage ordered = new ProbeOutage(3);
        ordered.open(10);
        assertThrows(IllegalArgumentException.class, () -> ordered.open(9));
        assertThrows(IllegalArgumentException.class, () -> ordered.failed(5));
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
