package dev.baton.nativeio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkInterfacesTest {

    @Test
    void loopbackHasNoHardwareAddressAndIsUp() {
        assertEquals(0L, NetworkInterfaces.macAddress("lo"));
        assertEquals(NetworkInterfaces.index("lo"), libcIndex("lo"));
        assertTrue(NetworkInterfaces.mtu("lo") >= 1500);
        assertTrue(NetworkInterfaces.isUp("lo"));
    }

    @Test
    void unknownInterfaceIsReportedWithTheIoctlAndErrno() {
        NativeException failure = assertThrows(NativeException.class, () -> NetworkInterfaces.mtu("nosuch0"));
        assertEquals(KernelConstants.ENODEV, failure.errno());
        assertTrue(failure.getMessage().startsWith("ioctl(SIOCGIFMTU, nosuch0) failed: ENODEV"), failure.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetworkInterfaces.mtu("a-name-that-is-too-long"));
    }

    @Test
    void macAddressesRoundTripThroughText() {
        long mac = NetworkInterfaces.parseMac("02:1a:fF:00:9c:01");
        assertEquals(0x021aff009c01L, mac);
        assertEquals("02:1a:ff:00:9c:01", NetworkInterfaces.formatMac(mac));
        assertThrows(IllegalArgumentException.class, () -> NetworkInterfaces.parseMac("02:1a:ff:00:9c"));
    }

    private static int libcIndex(String name) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            return new LibC().ifNameToIndex(arena.allocateFrom(name));
        }
    }
}
