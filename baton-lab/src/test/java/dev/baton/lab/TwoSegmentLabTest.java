package dev.baton.lab;

import static dev.baton.lab.LabTesting.COMMAND_TIMEOUT;
import static dev.baton.lab.LabTesting.arpingAnswered;
import static dev.baton.lab.LabTesting.ping;
import static dev.baton.lab.LabTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** One two-segment lab (1 client, 1 router, 2 servers, VIP 192.0.2.10) checked from every side. */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoSegmentLabTest {

    private static final String VIP = "192.0.2.10";
    private Lab lab;

    @BeforeAll
    void buildLab() {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        for (Tool tool : List.of(Tool.NGINX, Tool.PYTHON3, Tool.CURL, Tool.ARPING, Tool.PING)) {
            Assumptions.assumeTrue(tool.isAvailable(), tool.missingMessage());
        }
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
    }

    @AfterAll
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void hostsHaveThePlannedAddressesAndRealMacs() {
        assertEquals("203.0.113.10", lab.client(0).address());
        assertEquals("192.0.2.2/24", lab.router(0).clientAddress());
        assertEquals("198.51.100.2/24", lab.router(0).serverAddress());
        assertEquals("198.51.100.11", lab.server(0).address());
        assertEquals("198.51.100.12", lab.server(1).address());
        assertEquals("198.51.100.1/24", lab.upstream().backAddress());
        for (Host host : lab.hosts()) {
            for (LabInterface anInterface : host.interfaces()) {
                assertTrue(anInterface.mac().matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), anInterface.toString());
                String shown = run(host, "ip", "-br", "address", "show", "dev", anInterface.name()).stdout();
                assertTrue(shown.contains(anInterface.address()), shown);
                assertTrue(shown.contains(" UP "), shown);
            }
        }
    }

    @Test
    void clientPingsTheUpstream() {
        assertTrue(ping(lab.client(0), "203.0.113.1").succeeded());
    }

    @Test
    void clientReachesEachServerDirectlyThroughTheUpstream() {
        for (ServerHost server : lab.servers()) {
            server.startNginx();
        }
        try {
            for (ServerHost server : lab.servers()) {
                ExecResult page = run(lab.client(0), "curl", "-s", "--max-time", "5", "http://" + server.address() + "/");
                assertEquals("server " + server.name() + " " + server.address() + "\n", page.stdout());
            }
            // The path really crosses the upstream: the server sees the client one hop away (TTL 64 - 1).
            String ping = run(lab.server(0), "ping", "-n", "-c", "1", "-W", "2", lab.client(0).address()).stdout();
            assertTrue(ping.contains("ttl=63"), ping);
        } finally {
            lab.servers().forEach(ServerHost::stopNginx);
        }
    }

    @Test
    void everyServerHoldsTheVipOnLoopback() {
        for (ServerHost server : lab.servers()) {
            assertEquals(List.of(VIP), server.vips());
            String loopback = run(server, "ip", "-br", "address", "show", "dev", "lo").stdout();
            assertTrue(loopback.contains(VIP + "/32"), loopback);
        }
    }

    @Test
    void serversDoNotAnswerArpForTheVipButDoForTheirOwnAddress() {
        UpstreamHost upstream = lab.upstream();
        assertFalse(arpingAnswered(upstream, upstream.backInterface(), VIP), "a server answered ARP for the VIP");
        assertFalse(arpingAnswered(upstream, upstream.frontInterface(), VIP), "something answered ARP for the VIP");
        // Positive control: the same probe gets an answer where one is due, so the silence above means something.
        assertTrue(arpingAnswered(upstream, upstream.backInterface(), lab.server(0).address()));
    }

    @Test
    void upstreamAcceptsServerRepliesSourcedFromTheVipOnTheBackSegment() {
        UpstreamHost upstream = lab.upstream();
        // Input route lookup including reverse-path validation: fails with rp_filter on (VIP is a front address).
        String route = run(upstream, "ip", "route", "get", lab.client(0).address(), "from", VIP, "iif",
                upstream.backInterface()).stdout();
        assertTrue(route.contains("dev " + upstream.clientInterface()), route);
    }

    @Test
    void serversSendRepliesToClientsViaTheUpstreamNotTheRouter() {
        String route = run(lab.server(0), "ip", "route", "get", lab.client(0).address(), "from", VIP).stdout();
        assertTrue(route.contains("via 198.51.100.1 "), route);
    }

    @Test
    void upstreamHasNoDefaultRouteAndRoutesOnlyTheLabSubnets() {
        String routes = run(lab.upstream(), "ip", "-4", "route", "show").stdout();
        assertFalse(routes.contains("default"), routes);
        for (String line : routes.strip().split("\n")) {
            assertTrue(line.startsWith("192.0.2.0/24 ") || line.startsWith("198.51.100.0/24 ")
                    || line.startsWith("203.0.113.0/24 "), line);
        }
    }

    @Test
    void routerHasKernelForwardingOffAndUpstreamHasItOn() {
        assertEquals("0", run(lab.router(0), "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip());
        assertEquals("1", run(lab.upstream(), "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip());
        assertEquals("0", run(lab.upstream(), "sysctl", "-n", "net.ipv4.conf.all.rp_filter").stdout().strip());
    }

    @Test
    void noLabInterfaceHasAnIpv6AddressSoOnlyTestNetTrafficFlows() {
        for (Host host : lab.hosts()) {
            assertEquals("", run(host, "ip", "-6", "address", "show").stdout(), host.name());
        }
        ExecResult switchAddresses = Netns.exec(lab.switchNamespace(), COMMAND_TIMEOUT, List.of("ip", "-6", "address", "show"));
        assertEquals("", switchAddresses.stdout());
    }

    @Test
    void offloadsAreLeftAtTheirDefaults() {
        String features = run(lab.client(0), "ethtool", "-k", lab.client(0).interfaceName()).stdout();
        assertTrue(features.contains("tcp-segmentation-offload: on"), features);
    }

    @Test
    void echoServerEchoesAndStreamsToAClientThroughTheUpstream() {
        ServerHost server = lab.server(1);
        LabProcess echo = server.startEchoServer(7000);
        try {
            // A tiny python client in the client namespace: echo 100 000 bytes, fetch 1 MB, sink 300 000 bytes.
            String client = """
                    import socket, sys
                    host = sys.argv[1]
                    def connect(port):
                        return socket.create_connection((host, port), timeout=5)
                    s = connect(7000); data = bytes(range(256)) * 391; s.sendall(data); s.shutdown(socket.SHUT_WR)
                    back = b''
                    while True:
                        chunk = s.recv(65536)
                        if not chunk: break
                        back += chunk
                    print('echo', back == data, len(back))
                    s = connect(7001); s.sendall(b'SEND 1000000\\n'); got = b''
                    while True:
                        chunk = s.recv(65536)
                        if not chunk: break
                        got += chunk
                    print('send', len(got), got == bytes(i % 256 for i in range(len(got))))
                    s = connect(7001); s.sendall(b'SINK\\n' + b'x' * 300000); s.shutdown(socket.SHUT_WR)
                    print('sink', s.makefile().readline().strip())
                    """;
            String output = run(lab.client(0), "python3", "-c", client, server.address()).stdout();
            assertEquals("echo True 100096\nsend 1000000 True\nsink RECEIVED 300000 "
                    + sha256Hex("x".repeat(300000)) + "\n", output);
        } finally {
            server.stopEchoServer(7000);
        }
        assertFalse(echo.isAlive());
    }

    @Test
    void describeListsEveryHostInterfaceAddressAndMac() {
        String description = lab.describe();
        for (Host host : lab.hosts()) {
            assertTrue(description.contains(host.namespace()), description);
            for (LabInterface anInterface : host.interfaces()) {
                assertTrue(description.contains(anInterface.name()), description);
                assertTrue(description.contains(anInterface.address()), description);
                assertTrue(description.contains(anInterface.mac()), description);
            }
        }
        assertTrue(description.contains(VIP + "/32"), description);
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
