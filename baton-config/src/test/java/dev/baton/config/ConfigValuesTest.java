package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigValuesTest {

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({"250ms, 250", "30s, 30000", "5m, 300000", "1h, 3600000", "0s, 0", "-5s, -5000", "1500ms, 1500"})
    void durationsNeedAUnit(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), ConfigValues.parseDuration(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "30|'30' has no unit (ms, s, m or h)",
            "1.5s|'1.5s' is not a duration (a whole number followed by ms, s, m or h)",
            "s|'s' is not a duration (a whole number followed by ms, s, m or h)",
            "5 s|'5 s' is not a duration (a whole number followed by ms, s, m or h)",
            "5d|'5d' has an unknown unit 'd' (ms, s, m or h)",
            "5MS|'5MS' has an unknown unit 'MS' (ms, s, m or h)"})
    void malformedDurationsSayWhatIsWrong(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseDuration(text)).getMessage());
    }

    @ParameterizedTest(name = "{0} ms prints as {1}")
    @CsvSource({"0, 0s", "2, 2ms", "1500, 1500ms", "90000, 90s", "900000, 15m", "7200000, 2h", "5400000, 90m"})
    void durationsPrintInTheirLargestExactUnit(long millis, String text) {
        assertEquals(text, ConfigValues.formatDuration(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), ConfigValues.parseDuration(text));
    }

    @ParameterizedTest(name = "{0} is {1} bytes")
    @CsvSource({"65664, 65664", "64KiB, 65536", "1MiB, 1048576", "1GiB, 1073741824", "0, 0"})
    void sizesAreBytesOrBinaryUnits(String text, long bytes) {
        assertEquals(bytes, ConfigValues.parseSize(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"1MB", "1.5MiB", "KiB", "1 MiB", "1mib", "64k"})
    void decimalOrMalformedSizesAreRejected(String text) {
        assertEquals("'" + text + "' is not a size (bytes, or a whole number followed by KiB, MiB or GiB)",
                assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseSize(text)).getMessage());
    }

    @ParameterizedTest(name = "{0} bytes print as {1}")
    @CsvSource({"65664, 65664", "65536, 64KiB", "1048576, 1MiB", "2147483648, 2GiB", "0, 0", "1536, 1536"})
    void sizesPrintInTheirLargestExactUnit(long bytes, String text) {
        assertEquals(text, ConfigValues.formatSize(bytes));
    }

    @ParameterizedTest(name = "{0} is {1}..{2}")
    @CsvSource({"80, 80, 80", "8000-8010, 8000, 8010", "1, 1, 1", "65535, 65535, 65535", "1-65535, 1, 65535", "443-443, 443, 443"})
    void portsAndInclusiveRanges(String text, int first, int last) {
        assertEquals(new ServiceConfig.PortRange(first, last), ConfigValues.parsePortRange(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "0|0 is out of range (1..65535)",
            "65536|65536 is out of range (1..65535)",
            "99999999999|99999999999 is out of range (1..65535)",
            "10-5|'10-5' runs backwards (10 > 5)",
            "80-|'80-' is not a port or a port range (such as 80 or 8000-8010)",
            "-80|'-80' is not a port or a port range (such as 80 or 8000-8010)",
            "80 - 90|'80 - 90' is not a port or a port range (such as 80 or 8000-8010)",
            "1-2-3|'1-2-3' is not a port or a port range (such as 80 or 8000-8010)"})
    void badPortsSayWhatIsWrong(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ConfigValues.parsePortRange(text)).getMessage());
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.2|'192.0.2.2' has no prefix length (address/length, such as 192.0.2.2/24)",
            "192.0.2.2/|'192.0.2.2/' has no valid prefix length (address/length, such as 192.0.2.2/24)",
            "192.0.2.2/x|'192.0.2.2/x' has no valid prefix length (address/length, such as 192.0.2.2/24)",
            "192.0.2.2/33|'192.0.2.2/33' has a prefix length out of range (0..32)",
            "192.0.2.2/100|'192.0.2.2/100' has a prefix length out of range (0..32)",
            "192.0.2/24|'192.0.2' is not an IPv4 address (it needs four dot-separated parts)"})
    void badPrefixesSayWhatIsWrong(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> ConfigValues.parsePrefix(text)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"192.0.2.2/24, 24", "192.0.2.2/0, 0", "192.0.2.2/32, 32"})
    void prefixesCarryAddressAndLength(String text, int length) {
        assertEquals(new Ipv4Prefix(Ipv4.parse("192.0.2.2"), length), ConfigValues.parsePrefix(text));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0, 0", "1000, 1000", "-1, -1", "007, 7", "9999999999999999999999, 9223372036854775807",
            "-9999999999999999999999, -9223372036854775808"})
    void wholeNumbersSaturateInsteadOfFailingWhenHuge(String text, long value) {
        assertEquals(value, ConfigValues.parseWholeNumber(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"1e6", "1_000", "+5", "ten", "0x10", "-"})
    void wholeNumbersAreDecimalDigitsOnly(String text) {
        assertEquals("'" + text + "' is not a whole number",
                assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseWholeNumber(text)).getMessage());
    }
}
