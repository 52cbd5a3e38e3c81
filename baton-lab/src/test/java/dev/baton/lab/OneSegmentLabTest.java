package dev.baton.lab;

import static dev.baton.lab.LabTesting.arpingAnswered;
import static dev.baton.lab.LabTesting.ping;
import static dev.baton.lab.LabTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("lab")
class OneSegmentLabTest {

    @BeforeEach
    void requireLabSupport() {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        for (Tool tool : List.of(Tool.PING, Tool.ARPING, Tool.ETHTOOL)) {
            Assumptions.assumeTrue(tool.isAvailable(), tool.missingMessage());
        }
    }

    @Test
    void oneSegmentLabBuildsAndEveryHostReachesTheUpstream() {
        try (Lab lab = Lab.builder().layout(Layout.ONE_SEGMENT).clients(1).routers(2).servers(2).vip("192.0.2.10").build()) {
            assertEquals(List.of(lab.prefix() + "c", lab.prefix() + "f"),
                    List.of(lab.bridgeName(Segment.CLIENT), lab.bridgeName(Segment.BACK)));
            RouterHost router = lab.router(1);
            assertEquals(router.clientInterface(), router.serverInterface());
            assertEquals("192.0.2.3/24", router.serverAddress());
            assertEquals("192.0.2.11", lab.server(0).address());
            assertEquals(lab.upstream().frontInterface(), lab.upstream().backInterface());

            assertTrue(ping(lab.client(0), "203.0.113.1").succeeded());
            for (ServerHost server : lab.servers()) {
                assertTrue(ping(lab.client(0), server.address()).succeeded(), server.name());
            }
            for (RouterHost each : lab.routers()) {
                assertTrue(ping(each, "192.0.2.1").succeeded(), each.name());
            }
            // Servers share the front segment with the upstream here: still none may answer ARP for the VIP.
            assertFalse(arpingAnswered(lab.upstream(), lab.upstream().frontInterface(), "192.0.2.10"));
            assertTrue(arpingAnswered(lab.upstream(), lab.upstream().frontInterface(), lab.server(1).address()));
        }
    }

    @Test
    void offloadsFalseSwitchesSegmentationOffloadOffOnBothVethEnds() {
        try (Lab lab = Lab.builder().layout(Layout.ONE_SEGMENT).clients(1).routers(0).servers(1).offloads(false).build()) {
            Host client = lab.client(0);
            String hostSide = run(client, "ethtool", "-k", client.interfaceName()).stdout();
            assertTrue(hostSide.contains("tcp-segmentation-offload: off"), hostSide);
            assertTrue(hostSide.contains("generic-segmentation-offload: off"), hostSide);
            ExecResult bridgeSide = Netns.exec(lab.switchNamespace(), LabTesting.COMMAND_TIMEOUT,
                    List.of("ethtool", "-k", client.primaryInterface().bridgePort()));
            assertTrue(bridgeSide.stdout().contains("tcp-segmentation-offload: off"), bridgeSide.stdout());
            assertTrue(ping(client, lab.server(0).address()).succeeded());
        }
    }
}
