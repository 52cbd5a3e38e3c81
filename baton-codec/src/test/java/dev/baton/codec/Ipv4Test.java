package dev.baton.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {

    @ParameterizedTest
    @CsvSource({"192.0.2.1, -1073741311", "0.0.0.0, 0", "255.255.255.255, -1", "203.0.113.10, -889163510",
                "198.51.100.2, -969710590"})
    void dottedQuadRoundTripsThroughItsIntValue(String text, int value) {
        assertEquals(value, Ipv4.parse(text));
        assertEquals(text, Ipv4.format(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..3.4", "1.2.3.4 ",
                            "+1.2.3.4", "1.2.3.4/24", "1111.2.3.4"})
    void malformedAddressIsRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2|'192.0.2' is not an IPv4 address (it needs four dot-separated parts)",
            "192.0.2.010|'192.0.2.010' is not an IPv4 address (bad part '010')",
            "192.0.x.1|'192.0.x.1' is not an IPv4 address (bad part 'x')",
            "192.0.2.300|'192.0.2.300' is not an IPv4 address (300 > 255)"})
    void aRejectionSaysWhatIsWrong(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.0, true", "192.0.2.255, true", "198.51.100.7, true", "203.0.113.200, true",
                "192.0.3.1, false", "198.51.101.1, false", "203.0.112.255, false", "10.0.0.1, false", "8.8.8.8, false"})
    void onlyTheThreeRfc5737RangesAreTestNet(String text, boolean testNet) {
        assertEquals(testNet, Ipv4.isTestNet(Ipv4.parse(text)));
    }

    @ParameterizedTest
    @CsvSource({"198.51.100.200, 198.51.100.0, 24, true", "198.51.101.1, 198.51.100.0, 24, false",
                "198.51.100.130, 198.51.100.200, 25, true", "198.51.100.127, 198.51.100.200, 25, false",
                "203.0.113.5, 203.0.113.5, 32, true", "203.0.113.6, 203.0.113.5, 32, false", "8.8.8.8, 192.0.2.1, 0, true"})
    void aSubnetHoldsTheAddressesThatShareItsPrefix(String address, String network, int prefixLength, boolean inSubnet) {
        assertEquals(inSubnet, Ipv4.inSubnet(Ipv4.parse(address), Ipv4.parse(network), prefixLength));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "8, -16777216", "24, -256", "31, -2", "32, -1"})
    void theMaskHasThePrefixLengthsHighBitsSet(int prefixLength, int mask) {
        assertEquals(mask, Ipv4.mask(prefixLength));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 33})
    void aPrefixLengthIsWithinZeroTo32(int prefixLength) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4.mask(prefixLength));
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.2, 24, 192.0.2.2/24", "203.0.113.10, 32, 203.0.113.10/32"})
    void cidrIsTheAddressAndItsPrefixLength(String address, int prefixLength, String cidr) {
        assertEquals(cidr, Ipv4.cidr(Ipv4.parse(address), prefixLength));
    }
}
