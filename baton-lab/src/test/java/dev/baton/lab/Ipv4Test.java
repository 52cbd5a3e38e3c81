package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {

    @ParameterizedTest
    @CsvSource({"192.0.2.1, -1073741311", "0.0.0.0, 0", "255.255.255.255, -1", "203.0.113.10, -889163510"})
    void dottedQuadRoundTripsThroughItsIntValue(String text, int value) {
        assertEquals(value, Ipv4.parse(text));
        assertEquals(text, Ipv4.format(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..3.4", "1.2.3.4 "})
    void malformedAddressIsRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.0, true", "192.0.2.255, true", "198.51.100.7, true", "203.0.113.200, true",
                "192.0.3.1, false", "198.51.101.1, false", "203.0.112.255, false", "10.0.0.1, false", "8.8.8.8, false"})
    void onlyTheThreeRfc5737RangesAreTestNet(String text, boolean testNet) {
        assertEquals(testNet, Ipv4.isTestNet(Ipv4.parse(text)));
    }
}
