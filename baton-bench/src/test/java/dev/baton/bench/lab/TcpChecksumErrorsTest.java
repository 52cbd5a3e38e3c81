package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TcpChecksumErrorsTest {

    /** /proc/net/snmp of a server namespace after a run with native XDP and the client's checksum offload on. */
    private static final String SNMP = """
            Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
            Ip: 2 64 913221 0 0 0 0 0 913221 402113 0 0 0 0 0 0 0 0 0 402113
            Icmp: InMsgs InErrors InCsumErrors InDestUnreachs
            Icmp: 3 0 7 3
            Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
            Tcp: 1 200 120000 -1 0 4 0 0 2 913000 402000 0 52118 0 52118
            Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
            Udp: 0 0 0 0 0 0 0 0 0
            """;

    @Test
    void theTcpLinesInCsumErrorsIsTakenNotAnotherProtocols() {
        assertEquals(52118, TcpChecksumErrors.parse(SNMP));
    }

    @Test
    void aTextWithoutTheFieldIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> TcpChecksumErrors.parse("Ip: Forwarding\nIp: 2\n"));
        assertThrows(IllegalArgumentException.class, () -> TcpChecksumErrors.parse("Tcp: RtoAlgorithm RtoMin\nTcp: 1 200\n"));
        assertThrows(IllegalArgumentException.class, () -> TcpChecksumErrors.parse("Tcp: RtoAlgorithm InCsumErrors\nTcp: 1\n"));
    }
}
