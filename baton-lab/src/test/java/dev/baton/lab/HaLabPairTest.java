package dev.baton.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The parts of {@link HaLabPair} that need no lab; the pair itself runs in FailoverLabTest and the failover benchmark. */
class HaLabPairTest {

    @Test
    void retransmittedSegmentsAreReadFromTheTcpValuesLineByName() {
        String snmp = """
                Ip: Forwarding DefaultTTL InReceives
                Ip: 2 64 1234
                Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
                Tcp: 1 200 120000 -1 400 0 0 0 200 91234 92345 417 0 3 0
                Udp: InDatagrams NoPorts
                Udp: 5 0
                """;
        assertEquals(417, HaLabPair.retransmittedSegments(snmp));
    }

    @Test
    void aSnmpTextWithoutTcpCountersIsAnError() {
        assertThrows(IllegalStateException.class, () -> HaLabPair.retransmittedSegments("Ip: Forwarding\nIp: 2\n"));
    }

    @Test
    void routerNumbersFollowTheIndexAndTheOtherRouterIsTheOtherIndex() {
        assertEquals(1, HaLabPair.routerNumber(HaLabPair.PRIMARY));
        assertEquals(2, HaLabPair.routerNumber(HaLabPair.BACKUP));
        assertEquals(HaLabPair.BACKUP, HaLabPair.other(HaLabPair.PRIMARY));
        assertEquals(HaLabPair.PRIMARY, HaLabPair.other(HaLabPair.BACKUP));
        assertEquals("198.51.100.2", HaLabPair.ip("198.51.100.2/24"));
    }

    @Test
    void alternatesGoOnTheirServersLineOnly() {
        String servers = """
                    servers:
                      - { address: 198.51.100.11, weight: 1 }
                      - { address: 198.51.100.12, weight: 1 }
                """;
        assertEquals("""
                    servers:
                      - { address: 198.51.100.11, alternates: [198.51.100.31, 198.51.100.32], weight: 1 }
                      - { address: 198.51.100.12, weight: 1 }
                """, HaLabPair.withAlternates(servers, java.util.Map.of("198.51.100.11", java.util.List.of("198.51.100.31", "198.51.100.32"),
                "198.51.100.12", java.util.List.of())));
    }
}
