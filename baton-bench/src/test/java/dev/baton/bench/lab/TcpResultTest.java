package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpResultTest {

    @Test
    void theReceiversRateAndTheSendersRetransmissionsAreTaken() {
        String report = """
                {
                  "start": {"connected": [{"socket": 5}]},
                  "intervals": [],
                  "end": {
                    "streams": [{"sender": {"socket": 5, "bytes": 10000000000, "max_rtt": 900, "min_rtt": 40, "mean_rtt": 312}}],
                    "sum_sent": {"start": 0, "end": 5.0, "seconds": 5.0, "bytes": 10000000000, "bits_per_second": 1.6e10, "retransmits": 42},
                    "sum_received": {"start": 0, "end": 5.0004, "seconds": 5.0004, "bytes": 9990000000, "bits_per_second": 15982721382.29}
                  }
                }
                """;
        TcpResult result = TcpResult.parseIperfJson(report);
        assertEquals(15.98272138229, result.gigabitsPerSecond(), 1e-9);
        assertEquals(5.0004, result.seconds(), 1e-12);
        assertEquals(42, result.retransmits());
        assertEquals(312, result.meanRttMicros(), 0);
        assertEquals(1, result.streams());
    }

    @Test
    void aReportWithoutStreamsHasNoRoundTripTime() {
        TcpResult result = TcpResult.parseIperfJson("""
                {"end": {"sum_sent": {"retransmits": 0}, "sum_received": {"seconds": 5.0, "bits_per_second": 1e9}}}
                """);
        assertTrue(Double.isNaN(result.meanRttMicros()));
        assertEquals(1.0, result.gigabitsPerSecond(), 1e-12);
    }

    @Test
    void anIperfErrorIsReportedWithItsMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpResult.parseIperfJson("""
                {"start": {}, "intervals": [], "end": {}, "error": "unable to connect to server: Connection refused"}
                """));
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }

    @Test
    void aReportWithoutSummaryIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TcpResult.parseIperfJson("{\"end\": {\"sum_sent\": {}}}"));
    }

    @Test
    void severalStreamsGiveTheMeanOfTheirRoundTripTimes() {
        TcpResult result = TcpResult.parseIperfJson("""
                {"end": {
                  "streams": [
                    {"sender": {"mean_rtt": 100}, "receiver": {}},
                    {"sender": {"mean_rtt": 300}, "receiver": {}},
                    {"sender": {}, "receiver": {}}
                  ],
                  "sum_sent": {"retransmits": 7},
                  "sum_received": {"seconds": 5.0, "bits_per_second": 2e10}}}
                """);
        assertEquals(200, result.meanRttMicros(), 0, "the stream without mean_rtt is left out");
        assertEquals(3, result.streams());
        assertEquals(20.0, result.gigabitsPerSecond(), 1e-12);
        assertEquals(7, result.retransmits());
    }
}
