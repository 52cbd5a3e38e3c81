package dev.baton.probe;

import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A shared probe socket that could not be opened (its interface or its source address did not exist yet) is opened
 * again by a later probe, at most every {@link DatagramProbes#REOPEN_AFTER_MS}; a packet socket whose interface went
 * away and came back (a new index) is opened again too. Two namespaces joined by a veth pair made during the test.
 */
@Tag("lab")
class SocketReopenLabTest {

    static final String ROUTER = "198.51.100.1";
    static final String HOST = "198.51.100.2";

    @BeforeEach
    void requireLab() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    static ProbeSpec spec(String name, ProbeTarget target) {
        return new ProbeSpec(name, target, 200, 100, 1, 1);
    }

    @Test
    void probesWhoseInterfaceAndAddressComeLaterOrComeBackReachTheHost() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pr", "a", "b")) {
            String a = lab.name("a");
            String va = lab.name("va");
            NetworkNamespace.callIn(a, () -> {
                InetAddress router = InetAddress.getByName(ROUTER);
                InetAddress host = InetAddress.getByName(HOST);
                ProbeEngine engine = new ProbeEngine("probes", 4);
                try {
                    int arp = engine.add(spec("arp", new ProbeTarget.Arp(host, va, router)), 0);
                    int echo = engine.add(spec("echo", new ProbeTarget.IcmpEcho(host, router)), 0);
                    EngineStepper step = new EngineStepper(engine, 0);
                    step.at(0);
                    step.runTo(400, 50);
                    assertEquals(Health.DOWN, engine.health(arp));
                    assertTrue(engine.cause(arp).startsWith("no interface " + va), engine.cause(arp));
                    assertEquals(Health.DOWN, engine.health(echo));
                    assertTrue(engine.cause(echo).contains("EADDRNOTAVAIL"), engine.cause(echo));

                    lab.vethPair(a, va, ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
                    step.runTo(400 + DatagramProbes.REOPEN_AFTER_MS + 400, 50);
                    assertEquals(Health.UP, engine.health(arp), "the ARP socket was opened again: " + engine.cause(arp));
                    assertEquals(Health.UP, engine.health(echo), "the ICMP socket was opened again: " + engine.cause(echo));

                    // The interface goes away and comes back with a new index: the packet socket bound to the old
                    // one is closed at the first failed send and opened again on the new one.
                    NamespaceLab.run("ip", "-n", a, "link", "del", va);
                    long gone = step.nowMs;
                    step.runTo(gone + 400, 50);
                    assertEquals(Health.DOWN, engine.health(arp), engine.cause(arp));
                    lab.vethPair(a, va, ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
                    step.runTo(gone + 400 + DatagramProbes.REOPEN_AFTER_MS + 400, 50);
                    assertEquals(Health.UP, engine.health(arp), "on the new interface: " + engine.cause(arp));
                    assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
                } finally {
                    engine.onClose();
                }
                return null;
            });
        }
    }
}
