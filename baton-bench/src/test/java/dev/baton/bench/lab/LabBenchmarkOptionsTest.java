package dev.baton.bench.lab;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabBenchmarkOptionsTest {

    @Test
    void noArgumentsGiveTheDocumentedDefaults() {
        LabBenchmarkOptions o = LabBenchmarkOptions.parse();
        assertEquals(3, o.repetitions());
        assertEquals(Duration.ofSeconds(3), o.udpWarmup());
        assertEquals(Duration.ofSeconds(10), o.udpWindow());
        assertEquals(256, o.flows());
        assertEquals(Duration.ofSeconds(5), o.tcpTime());
        assertEquals(0.5, o.maxLoad());
        assertEquals("default", o.ring());
        assertEquals(List.of(Contestant.KERNEL, Contestant.AF_PACKET, Contestant.XDP), o.contestants());
        assertEquals(8, o.tcpStreams());
        assertEquals(Duration.ofSeconds(120), o.idleWait());
        assertEquals(0.25, o.idleBusy());
        assertFalse(o.serverSideOnGeneratorCpu());
    }

    @Test
    void theServerSideCanBeMovedToTheGeneratorCpu() {
        assertTrue(LabBenchmarkOptions.parse("--server-side", "generator-cpu").serverSideOnGeneratorCpu());
        assertFalse(LabBenchmarkOptions.parse("--server-side=router-cpu").serverSideOnGeneratorCpu());
    }

    @Test
    void contestantsRunInTheOrderGiven() {
        LabBenchmarkOptions o = LabBenchmarkOptions.parse("--contestants", "xdp, KERNEL");
        assertEquals(List.of(Contestant.XDP, Contestant.KERNEL), o.contestants());
        assertEquals("xdp,kernel", o.contestantList());
        assertEquals(List.of(Contestant.AF_PACKET), LabBenchmarkOptions.parse("--contestants=af-packet").contestants());
    }

    @Test
    void theIdleWaitCanBeLoosenedForABusyMachine() {
        LabBenchmarkOptions o = LabBenchmarkOptions.parse("--idle-wait-s", "5", "--idle-busy-pct", "90", "--tcp-streams", "4");
        assertEquals(Duration.ofSeconds(5), o.idleWait());
        assertEquals(0.9, o.idleBusy(), 1e-12);
        assertEquals(4, o.tcpStreams());
    }

    @Test
    void bothOptionFormsAreAccepted() {
        LabBenchmarkOptions o = LabBenchmarkOptions.parse("--repetitions", "5", "--udp-seconds=12", "--ring", "{ block-count: 32 }",
                "--max-load=1.5");
        assertEquals(5, o.repetitions());
        assertEquals(Duration.ofSeconds(12), o.udpWindow());
        assertEquals("{ block-count: 32 }", o.ring());
        assertEquals(1.5, o.maxLoad());
    }

    @Test
    void ringNamesAreCaseInsensitive() {
        assertEquals("lab", LabBenchmarkOptions.parse("--ring=LAB").ring());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "--repetitions | 0     | --repetitions: 0 is outside 1..9",
            "--repetitions | 10    | --repetitions: 10 is outside 1..9",
            "--udp-seconds | 21    | --udp-seconds: 21 is outside 1..20",
            "--tcp-seconds | 31    | --tcp-seconds: 31 is outside 1..30",
            "--flows       | 0     | --flows: 0 is outside 1..4096",
            "--flows       | many  | --flows: 'many' is not a whole number",
            "--max-load    | -1    | --max-load: -1.0 is outside 0.01..64.0",
            "--ring        | big   | --ring: 'default', 'lab' or a one-line YAML flow mapping such as \"{ block-count: 32 }\", not 'big'",
            "--contestants | kernel,dpdk | --contestants: 'dpdk' is not one of kernel, af-packet, xdp, xdp-generic (e.g. --contestants kernel,af-packet,xdp)",
            "--contestants | xdp,kernel,xdp | --contestants: xdp is named twice in 'xdp,kernel,xdp'",
            "--contestants | ''    | --contestants: '' is not one of kernel, af-packet, xdp, xdp-generic (e.g. --contestants kernel,af-packet,xdp)",
            "--tcp-streams | 1     | --tcp-streams: 1 is outside 2..32",
            "--idle-wait-s | 601   | --idle-wait-s: 601 is outside 0..600",
            "--idle-busy-pct | 0   | --idle-busy-pct: 0 is outside 1..100",
            "--server-side | cpu2  | --server-side: router-cpu or generator-cpu, not 'cpu2'",
            "--baton-rps   | true  | unknown option --baton-rps",
            "--colour      | red   | unknown option --colour",
    })
    void valuesOutsideTheirBoundsAreRejectedWithTheReason(String option, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabBenchmarkOptions.parse(option, value));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anOptionWithoutItsValueIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabBenchmarkOptions.parse("--flows"));
        assertEquals("--flows needs a value", e.getMessage());
    }

    @Test
    void theUsageNamesEveryOption() {
        for (String option : new String[]{"--repetitions", "--udp-warmup-s", "--udp-seconds", "--udp-max-packets", "--flows",
                "--tcp-seconds", "--max-load", "--load-wait-s", "--ring", "--contestants", "--tcp-streams", "--idle-wait-s",
                "--idle-busy-pct", "--server-side"}) {
            assertTrue(LabBenchmarkOptions.USAGE.contains(option), option);
        }
    }
}
