package dev.baton.ha;

import dev.baton.config.BatonConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.SyncState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload in a pair (docs/operations.md, "Reload", "In a pair"), two real agents over loopback with data planes on
 * memory ports and one stepped clock: the active reloads a file that renumbers the web service's servers, opens
 * connections while the standby still runs the old file (its copy reads their server ids by its own numbering), then
 * the standby reloads. Once the services digests agree the standby copies the active's table afresh, and a takeover
 * sends every connection, old and new, to the server that took it.
 */
class ReloadInPairTest {

    /** Web's servers the other way round: 198.51.100.12 takes id 0, 198.51.100.11 id 1. */
    static BatonConfig reversedWeb(BatonConfig running) {
        List<ServiceConfig> services = new ArrayList<>();
        for (ServiceConfig s : running.services()) {
            if (s.name().equals("web")) {
                s = new ServiceConfig(s.name(), s.vip(), s.protocol(), s.ports(), s.scheduler(), s.persistence(),
                        s.servers().reversed(), s.role(), s.priority(), s.failback(), s.healthCheck(), s.onServerDown(), s.fallback());
            }
            services.add(s);
        }
        return new BatonConfig(running.source(), running.router(), running.interfaces(), running.table(), running.neighbours(),
                services, running.highAvailability(), running.reachability(), running.notifyScript(), running.metrics());
    }

    static void reload(TwoRouters.Router router) {
        BatonConfig next = reversedWeb(router.dataplane().config());
        Dataplane.Reconfiguration done = router.dataplane().reconfigure(next, List.of());
        router.agent.reconfigure(next, done.remap());
    }

    /** Sends one ACK of each of {@code count} connections from port 40000 on through {@code router}: the MAC each went to. */
    static Map<Integer, Long> serversOf(TwoRouters pair, TwoRouters.Router router, int count) {
        TwoRouters.forwardedTo(router, 1); // what went before
        Map<Integer, Long> macs = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int port = 40_000 + i;
            router.front(0).inject(TestFrames.tcp(router.frontMac, TwoRouters.UPSTREAM_MAC, TwoRouters.CLIENT, port, TwoRouters.VIP,
                    80, TestFrames.TCP_ACK, new byte[0]));
            pair.run(1, 1);
            List<Long> to = TwoRouters.forwardedTo(router, 1);
            assertEquals(1, to.size(), "one frame of port " + port + " forwarded");
            macs.put(port, to.getFirst());
        }
        return macs;
    }

    static boolean differs(TwoRouters.Router router) {
        return router.agent.status().vips().getFirst().configDiffers();
    }

    @Test
    void aStandbyCopiesItsActiveAfreshOnceBothRunTheReloadedFileAndATakeoverKeepsEveryServer() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.openConnections(pair.a, 10, 80);
            pair.run(20, 1);

            reload(pair.a);
            pair.runUntil(() -> differs(pair.b), 500, "the standby hearing the digests differ");
            // Connections 10..19 while the two files differ: the active names their servers by its new ids.
            for (int i = 10; i < 20; i++) {
                int port = 40_000 + i;
                pair.a.front(0).inject(TestFrames.tcp(pair.a.frontMac, TwoRouters.UPSTREAM_MAC, TwoRouters.CLIENT, port, TwoRouters.VIP,
                        80, TestFrames.TCP_SYN, new byte[0]));
                pair.a.front(0).inject(TestFrames.tcp(pair.a.frontMac, TwoRouters.UPSTREAM_MAC, TwoRouters.CLIENT, port, TwoRouters.VIP,
                        80, TestFrames.TCP_ACK, new byte[0]));
            }
            pair.run(50, 1);

            reload(pair.b);
            pair.runUntil(() -> !differs(pair.b) && !differs(pair.a), 500, "the digests agreeing again");
            assertTrue(pair.b.agent.events().stream().anyMatch(e -> e.text().contains("again after a reload")),
                    "the standby copies its active afresh: " + pair.b.agent.events());
            pair.runUntil(() -> pair.b.state() == MonitorState.STANDBY && pair.b.agent.sync(0) == SyncState.IN_SYNC, 3_000,
                    "the standby synchronized again");

            Map<Integer, Long> onTheActive = serversOf(pair, pair.a, 20);
            assertTrue(onTheActive.containsValue(TwoRouters.S1_MAC) && onTheActive.containsValue(TwoRouters.S2_MAC), onTheActive.toString());
            pair.a.alive = false; // kill -9 of the active
            pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 1_000, "the standby taking over");
            assertEquals(onTheActive, serversOf(pair, pair.b, 20), "every connection, those opened between the two reloads"
                    + " included, goes to the server that took it");
            assertFalse(differs(pair.b));
        }
    }
}
