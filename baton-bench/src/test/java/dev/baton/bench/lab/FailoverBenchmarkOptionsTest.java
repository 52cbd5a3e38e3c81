package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FailoverBenchmarkOptionsTest {

    @Test
    void noArgumentsGiveTwentyKillsFiveSwitchoversTenCutsAndTwoHundredConnections() {
        FailoverBenchmarkOptions o = FailoverBenchmarkOptions.parse();
        assertEquals(20, o.rounds());
        assertEquals(5, o.switchovers());
        assertEquals(10, o.cuts());
        assertEquals(200, o.connections());
        assertEquals(Duration.ofMillis(1_500), o.steady());
        assertEquals(Duration.ofMillis(5_000), o.loadDuration());
        assertEquals(0.5, o.maxLoad());
    }

    @Test
    void bothOptionFormsAreAccepted() {
        FailoverBenchmarkOptions o = FailoverBenchmarkOptions.parse("--rounds", "50", "--switchovers=0", "--cuts", "3", "--connections", "500",
                "--after-ms=2000", "--load-wait-s", "0");
        assertEquals(50, o.rounds());
        assertEquals(0, o.switchovers());
        assertEquals(3, o.cuts());
        assertEquals(500, o.connections());
        assertEquals(Duration.ofMillis(3_500), o.loadDuration());
        assertEquals(Duration.ZERO, o.loadWait());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "--rounds      | 0     | --rounds: 0 is outside 1..50",
            "--rounds      | 51    | --rounds: 51 is outside 1..50",
            "--switchovers | 21    | --switchovers: 21 is outside 0..20",
            "--cuts        | 21    | --cuts: 21 is outside 0..20",
            "--connections | 501   | --connections: 501 is outside 1..500",
            "--steady-ms   | 100   | --steady-ms: 100 is outside 500..10000",
            "--after-ms    | 30000 | --after-ms: 30000 is outside 1000..20000",
            "--rounds      | many  | --rounds: 'many' is not a whole number",
            "--max-load    | 0     | --max-load: 0.0 is outside 0.01..64.0",
            "--colour      | red   | unknown option --colour",
    })
    void valuesOutsideTheirBoundsAreRejectedWithTheReason(String option, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FailoverBenchmarkOptions.parse(option, value));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anOptionWithoutItsValueIsRejected() {
        assertEquals("--rounds needs a value",
                assertThrows(IllegalArgumentException.class, () -> FailoverBenchmarkOptions.parse("--rounds")).getMessage());
    }
}
