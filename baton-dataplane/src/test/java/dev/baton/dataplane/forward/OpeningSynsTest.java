package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpeningSynsTest {

    static final int CLIENT = Ipv4.parse("203.0.113.10");
    static final int VIP = Ipv4.parse("192.0.2.10");

    @Test
    void theSameSequenceNumberIsTheSynSentAgainAnotherIsAnotherConnection() {
        OpeningSyns syns = new OpeningSyns(16);
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 80, 7), "never recorded");
        syns.record(CLIENT, 40_000, VIP, 80, 0x8000_0001); // the high bit: sequence numbers are unsigned
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0001));
        assertEquals(OpeningSyns.ANOTHER, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0002));
        syns.record(CLIENT, 40_000, VIP, 80, 0x8000_0002); // the port reused: the new connection's SYN
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0002));
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 443, 0x8000_0002), "another VIP port");
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT + 1, 40_000, VIP, 80, 0x8000_0002), "another client");
    }

    @Test
    void aRecordTakenByAnotherFourTupleIsUnknownNeverAnother() {
        OpeningSyns syns = new OpeningSyns(1); // one slot: every 4-tuple shares it
        syns.record(CLIENT, 40_000, VIP, 80, 1);
        syns.record(CLIENT, 40_002, VIP, 80, 2);
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 80, 3), "its record is gone: the old rule applies");
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_002, VIP, 80, 2));
        assertThrows(IllegalArgumentException.class, () -> new OpeningSyns(3));
    }
}
