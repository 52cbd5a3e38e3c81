package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WireCaptureTest {

    @Test
    void aFrameLineGivesItsNanosecondTimestamp() {
        assertEquals(Optional.of(Instant.ofEpochSecond(1_764_312_345L, 123_456_789L)), WireCapture.frameTime(
                "1764312345.123456789 IP 203.0.113.10.40000 > 192.0.2.10.7000: tcp 13"));
    }

    @Test
    void tcpdumpsOtherLinesAreNotFrames() {
        assertEquals(Optional.empty(), WireCapture.frameTime(
                "listening on bt7e32r1b, link-type EN10MB (Ethernet), snapshot length 96 bytes"));
        assertEquals(Optional.empty(), WireCapture.frameTime("1 packet captured"));
        assertEquals(Optional.empty(), WireCapture.frameTime("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode"));
        // microsecond precision would be a different clock reading: only the nanosecond form is accepted
        assertEquals(Optional.empty(), WireCapture.frameTime("1764312345.123456 IP 203.0.113.10.40000 > 192.0.2.10.7000: tcp 13"));
    }

    @Test
    void theFilterSelectsTheRoutersFramesToTheVip() {
        assertEquals("ether src 02:00:00:00:00:01 and ip dst host 192.0.2.10",
                WireCapture.filter("02:00:00:00:00:01", "192.0.2.10"));
    }
}
