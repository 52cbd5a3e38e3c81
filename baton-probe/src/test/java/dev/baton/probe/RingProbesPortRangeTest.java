package dev.baton.probe;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The warning when the kernel's ephemeral ports reach the probes' own (RingProbes.FIRST_PROBE_PORT on). */
class RingProbesPortRangeTest {

    @Test
    void aRangeReachingTheProbePortsIsWarnedAbout() {
        // Linux's default range, as the file holds it: two numbers separated by a tab.
        assertEquals("net.ipv4.ip_local_port_range is 32768-61000: the kernel may use ports of the TCP probes' 61000-65095;"
                + " end it below 61000", RingProbes.localPortRangeWarning("32768\t61000\n"));
    }

    @Test
    void aRangeEndingBelowTheProbePortsIsNot() {
        assertNull(RingProbes.localPortRangeWarning("32768\t60999\n"));
    }

    @Test
    void textThatIsNotTwoNumbersIsNotWarnedAbout() {
        // What Files.readString made of the file: its first byte only.
        assertNull(RingProbes.localPortRangeWarning("3"));
    }
}
