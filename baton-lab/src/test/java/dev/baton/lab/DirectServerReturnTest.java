package dev.baton.lab;

import static dev.baton.lab.LabTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The lab carries a direct-server-return flow end to end, with the Linux kernel standing in for Baton on the
 * router: it answers ARP for the VIP (proxy ARP) and forwards VIP packets to one server, changing only the
 * Ethernet header (and TTL); the server answers from the VIP straight to the upstream.
 */
@Tag("lab")
class DirectServerReturnTest {

    private static final String VIP = "192.0.2.10";

    @Test
    void clientGetsThePageOfTheServerTheRouterForwardsTheVipTo() {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        for (Tool tool : List.of(Tool.NGINX, Tool.CURL)) {
            Assumptions.assumeTrue(tool.isAvailable(), tool.missingMessage());
        }
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            RouterHost router = lab.router(0);
            ServerHost chosen = lab.server(1);
            lab.servers().forEach(ServerHost::startNginx);
            run(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1",
                    "net.ipv4.conf." + router.clientInterface() + ".proxy_arp=1");
            run(router, "ip", "route", "add", VIP + "/32", "via", chosen.address(), "dev", router.serverInterface());

            for (int request = 0; request < 3; request++) {
                String page = run(lab.client(0), "curl", "-s", "--max-time", "5", "http://" + VIP + "/").stdout();
                assertEquals(chosen.pageBody(), page);
            }
            // The replies bypassed the router: it forwarded only the client's packets, the server's went to upstream.
            String replyRoute = run(chosen, "ip", "route", "get", lab.client(0).address(), "from", VIP).stdout();
            assertTrue(replyRoute.contains("via 198.51.100.1 "), replyRoute);
            String upstreamNeighbours = run(lab.upstream(), "ip", "neigh", "show", VIP).stdout();
            assertTrue(upstreamNeighbours.contains(router.clientMac()), "upstream resolved the VIP to the router: "
                    + upstreamNeighbours);
        }
    }
}
