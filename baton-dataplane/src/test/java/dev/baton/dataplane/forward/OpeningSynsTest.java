package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpeningSynsTest {

    static final int CLIENT = Ipv4.parse("203.0.113.10");
    static final int VIP = Ipv4.parse("192.0.2.10");

    @Test
    void theSameIsnIsTheSynSentAgainAnotherIsAnotherConnection() {
        OpeningSyns syns = new OpeningSyns(16);
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 80, 7), "never recorded");
        syns.record(CLIENT, 40_000, VIP, 80, 0x8000_0001, 1); // the high bit: sequence numbers are unsigned
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0001));
        assertEquals(OpeningSyns.ANOTHER, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0002));
        syns.record(CLIENT, 40_000, VIP, 80, 0x8000_0002, 2); // the port reused: the new connection's SYN
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0002));
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 443, 0x8000_0002), "another VIP port");
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT + 1, 40_000, VIP, 80, 0x8000_0002), "another client");
        syns.forget(CLIENT, 40_000, VIP, 80); // its FIN
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_000, VIP, 80, 0x8000_0002), "forgotten");
    }

    @Test
    void aFullSetGivesItsOlderRecordNeverAWrongAnswerAndAForgottenOneFreesAWay() {
        OpeningSyns syns = new OpeningSyns(2); // one set of two ways: every 4-tuple shares it
        syns.record(CLIENT, 40_000, VIP, 80, 1, 10);
        syns.record(CLIENT, 40_002, VIP, 80, 2, 20);
        syns.record(CLIENT, 40_000, VIP, 80, 3, 30); // the same 4-tuple again: its own way, not the other's
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_002, VIP, 80, 2));
        syns.record(CLIENT, 40_004, VIP, 80, 4, 40); // full: the older record (40002's, at 20) goes
        assertEquals(OpeningSyns.UNKNOWN, syns.compare(CLIENT, 40_002, VIP, 80, 5), "its record is gone: the old rule applies");
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_000, VIP, 80, 3));
        syns.forget(CLIENT, 40_000, VIP, 80);
        syns.record(CLIENT, 40_006, VIP, 80, 6, 50); // takes the forgotten way, not the older live one
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_004, VIP, 80, 4));
        assertEquals(OpeningSyns.SAME, syns.compare(CLIENT, 40_006, VIP, 80, 6));
        assertThrows(IllegalArgumentException.class, () -> new OpeningSyns(1));
        assertThrows(IllegalArgumentException.class, () -> new OpeningSyns(6));
    }
}
