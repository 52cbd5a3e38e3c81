package dev.baton.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacAddressTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "00:11:22:33:44:55, 001122334455, 00:11:22:33:44:55",
            "ff:ff:ff:ff:ff:ff, ffffffffffff, ff:ff:ff:ff:ff:ff",
            "02:00:00:00:01:0A, 02000000010a, 02:00:00:00:01:0a",
            "AA-BB-CC-DD-EE-FF, aabbccddeeff, aa:bb:cc:dd:ee:ff",
            "00:00:00:00:00:00, 000000000000, 00:00:00:00:00:00",
    })
    void parsesAndFormatsCanonically(String text, String hex, String canonical) {
        long mac = MacAddress.parse(text);
        assertEquals(Long.parseLong(hex, 16), mac);
        assertEquals(canonical, MacAddress.format(mac));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "00:11:22:33:44", "00:11:22:33:44:55:66", "00:11:22:33:44:5g", "00-11:22:33:44:55",
            "00.11.22.33.44.55", "0011:22:33:44:55:", " 0:11:22:33:44:55", "001122334455"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(null));
    }

    @Test
    void classifiesGroupAndBroadcastAddresses() {
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(MacAddress.parse("01:00:5e:00:00:01")), "IPv4 multicast");
        assertFalse(MacAddress.isGroup(MacAddress.parse("02:00:00:00:01:0a")));
        assertFalse(MacAddress.isBroadcast(MacAddress.parse("ff:ff:ff:ff:ff:fe")));
    }

    @Test
    void readsAndWritesSixBytesInNetworkOrder() {
        MemorySegment segment = MemorySegment.ofArray(new byte[8]);
        MacAddress.write(segment, 1, 0x001122334455L);
        assertEquals("0000112233445500", HexFormat.of().formatHex(segment.toArray(WireLayouts.U8)));
        assertEquals(0x001122334455L, MacAddress.read(segment, 1));
        MacAddress.write(segment, 1, MacAddress.BROADCAST);
        assertEquals(MacAddress.BROADCAST, MacAddress.read(segment, 1), "no sign extension");
    }
}
