package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynRateOptionsTest {

    @Test
    void noArgumentsGiveTheDocumentedDefaults() {
        SynRateOptions o = SynRateOptions.parse();
        assertEquals(3, o.repetitions());
        assertEquals(List.of(Contestant.AF_PACKET, Contestant.XDP), o.contestants());
        assertEquals(List.of(SynRateOptions.Load.FLOOD, SynRateOptions.Load.PACED), o.loads());
        assertEquals(Duration.ofSeconds(3), o.warmup());
        assertEquals(Duration.ofSeconds(10), o.window());
        assertEquals(3_000_000, o.maxConnections());
        assertEquals(List.of(0L), o.rates());
        assertTrue(o.pacedRateFromFlood());
        assertEquals(235, o.clients());
        assertEquals(1_100, o.confirmAfterMs());
        assertEquals(0.5, o.maxLoad());
        assertEquals("default", o.ring());
        assertEquals(15, o.generatorSeconds(), "warm-up, window and 2 s");
        assertEquals(false, o.serverSideOnGeneratorCpu(), "the server side where the router's transmit runs it, as bench/lab.sh");
    }

    @Test
    void bothOptionFormsAreAcceptedAndTheOrdersKept() {
        SynRateOptions o = SynRateOptions.parse("--repetitions", "1", "--window-s=4", "--contestants", "xdp,af-packet",
                "--loads", "paced", "--rate", "40000", "--max-connections=500000", "--clients", "10", "--confirm-after-ms", "1500",
                "--warmup-s", "3", "--ring", "LAB", "--idle-busy-pct", "90", "--server-side", "generator-cpu");
        assertEquals(1, o.repetitions());
        assertEquals(Duration.ofSeconds(4), o.window());
        assertEquals(List.of(Contestant.XDP, Contestant.AF_PACKET), o.contestants());
        assertEquals("xdp,af-packet", o.contestantList());
        assertEquals(List.of(SynRateOptions.Load.PACED), o.loads());
        assertEquals(List.of(40_000L), o.rates());
        assertEquals(500_000, o.maxConnections());
        assertEquals(10, o.clients());
        assertEquals(1_500, o.confirmAfterMs());
        assertEquals("lab", o.ring());
        assertEquals(0.9, o.idleBusy(), 1e-12);
        assertEquals(true, o.serverSideOnGeneratorCpu());
        assertEquals("paced,flood", SynRateOptions.parse("--loads", "paced,flood", "--rate", "1").loadList());
        assertEquals(List.of(20_000L, 30_000L, 40_000L), SynRateOptions.parse("--rate", "20000, 30000,40000").rates(),
                "a sweep, one paced measurement per rate, in this order");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "--repetitions     | 10      | --repetitions: 10 is outside 1..9",
            "--window-s        | 21      | --window-s: 21 is outside 1..20",
            "--warmup-s        | 2       | --warmup-s: 2 is outside 3..10",
            "--max-connections | 3000001 | --max-connections: 3000001 is outside 10000..3000000",
            "--rate            | -1      | --rate: -1 is outside 1..10000000",
            "--rate            | 5,0     | --rate: 0 is outside 1..10000000",
            "--rate            | 5,5     | --rate: 5 is named twice in '5,5'",
            "--clients         | 236     | --clients: 236 is outside 1..235",
            "--confirm-after-ms | 1000   | --confirm-after-ms: 1000 is outside 1001..5000",
            "--contestants     | kernel,xdp | --contestants: kernel has no connection table to measure; af-packet, xdp (e.g. --contestants af-packet,xdp)",
            "--contestants     | dpdk    | --contestants: 'dpdk' is not one of kernel, af-packet, xdp, xdp-generic (e.g. --contestants kernel,af-packet,xdp)",
            "--loads           | storm   | --loads: 'storm' is not one of flood, paced (e.g. --loads flood,paced)",
            "--loads           | flood,flood | --loads: flood is named twice in 'flood,flood'",
            "--loads           | paced   | --loads: paced without --rate takes its rate from the flood before it (e.g. --loads flood,paced, or --loads paced --rate 40000)",
            "--loads           | paced,flood | --loads: paced without --rate takes its rate from the flood before it (e.g. --loads flood,paced, or --loads paced --rate 40000)",
            "--ring            | big     | --ring: 'default', 'lab' or a one-line YAML flow mapping such as \"{ block-count: 32 }\", not 'big'",
            "--udp-seconds     | 5       | unknown option --udp-seconds",
            "--server-side     | servers | --server-side: router-cpu or generator-cpu, not 'servers'",
    })
    void valuesOutsideTheirBoundsAreRejectedWithTheReason(String option, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SynRateOptions.parse(option, value));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theWarmUpMustOutlastTheConfirmationDelayByASecond() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SynRateOptions.parse("--confirm-after-ms", "2500", "--warmup-s", "3"));
        assertEquals("--warmup-s 3 is shorter than --confirm-after-ms 2500 and a second: the window would start before connections"
                + " reach ESTABLISHED at the rate they are opened (e.g. --warmup-s 4)", e.getMessage());
        assertEquals(Duration.ofSeconds(4), SynRateOptions.parse("--confirm-after-ms", "2500", "--warmup-s", "4").warmup());
    }

    @Test
    void theUsageNamesEveryOption() {
        for (String option : new String[]{"--repetitions", "--contestants", "--loads", "--warmup-s", "--window-s", "--max-connections",
                "--rate", "--clients", "--confirm-after-ms", "--max-load", "--load-wait-s", "--idle-wait-s", "--idle-busy-pct", "--ring",
                "--server-side"}) {
            assertTrue(SynRateOptions.USAGE.contains(option), option);
        }
    }
}
