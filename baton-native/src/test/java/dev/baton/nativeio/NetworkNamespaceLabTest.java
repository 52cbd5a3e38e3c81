package dev.baton.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("lab")
class NetworkNamespaceLabTest {

    @BeforeEach
    void requireLab() {
        VethPairLab.assumeLabAvailable();
    }

    @Test
    void taskRunsInTheNamedNamespaceAndTheCallerStaysWhereItWas() throws Exception {
        try (VethPairLab lab = VethPairLab.create()) {
            Path callerNamespace = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
            Path taskNamespace = NetworkNamespace.callIn(lab.namespaceA,
                    () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
            assertNotEquals(callerNamespace, taskNamespace);
            assertEquals(callerNamespace, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));

            // The interface exists only inside the namespace.
            assertThrows(NativeException.class, () -> NetworkInterfaces.index(lab.interfaceA));
            int index = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.index(lab.interfaceA));
            assertTrue(index > 1);
        }
    }

    @Test
    void interfaceFactsInsideANamespaceMatchWhatIpReports() throws Exception {
        try (VethPairLab lab = VethPairLab.create()) {
            String shown = VethPairLab.run("ip", "-n", lab.namespaceA, "-o", "link", "show", lab.interfaceA);
            long mac = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            assertTrue(shown.contains("link/ether " + NetworkInterfaces.formatMac(mac)), shown);
            assertTrue(shown.contains("mtu 1500"), shown);
            assertEquals(1500, (int) NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.mtu(lab.interfaceA)));
            assertTrue(NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.carrierUp(lab.interfaceA)));
            // ETHTOOL_GDRVINFO through SIOCETHTOOL, as `ethtool -i` shows it.
            assertEquals("veth", NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.driver(lab.interfaceA)));

            VethPairLab.run("ip", "-n", lab.namespaceB, "link", "set", lab.interfaceB, "down");
            assertTrue(NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.isUp(lab.interfaceA)));
            // The operational state follows the carrier asynchronously: linkwatch applies it from a work
            // queue, at most once a second per device (net/core/link_watch.c). Bounded wait for it.
            long deadlineNs = System.nanoTime() + 3_000_000_000L;
            boolean carrier = true;
            while (carrier && System.nanoTime() < deadlineNs) {
                carrier = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.carrierUp(lab.interfaceA));
                if (carrier) {
                    LockSupport.parkNanos(10_000_000L);
                }
            }
            assertFalse(carrier, "no carrier once the peer is down");
        }
    }

    @Test
    void taskExceptionsAndMissingNamespacesReachTheCaller() throws Exception {
        try (VethPairLab lab = VethPairLab.create()) {
            IOException thrown = assertThrows(IOException.class,
                    () -> NetworkNamespace.callIn(lab.namespaceA, () -> {
                        throw new IOException("from inside");
                    }));
            assertEquals("from inside", thrown.getMessage());
        }
        NativeException missing = assertThrows(NativeException.class,
                () -> NetworkNamespace.callIn("bn-no-such-namespace", () -> 1));
        assertEquals("open(/run/netns/bn-no-such-namespace)", missing.callName());
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespace.callIn("../etc", () -> 1));
    }
}
