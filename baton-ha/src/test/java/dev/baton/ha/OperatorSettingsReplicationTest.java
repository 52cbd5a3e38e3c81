package dev.baton.ha;

import dev.baton.agent.CounterSnapshot;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.monitor.MonitorState;
import dev.baton.peer.MessageType;
import dev.baton.peer.ServerSettingsFlyweight;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's drain and weight in two real agents over the authenticated peer links, with a stepped clock: given on
 * either router, they reach the other; the active's workers schedule by them; a crash of the router where they were
 * given, and its restart, lose neither.
 */
class OperatorSettingsReplicationTest {

    /** Server ids in TwoRouters' configuration: service web's two servers, then sticky's. */
    static final int WEB_S1 = 0;
    static final int WEB_S2 = 1;
    static final int STICKY_S1 = 2;

    static ServerHealthBoard board(TwoRouters.Router router) {
        return router.dataplane.health();
    }

    @Test
    void aDrainGivenOnTheStandbyStopsNewConnectionsOnTheActiveAndSurvivesTheActivesCrashAndRestart() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.b.agent.drain(WEB_S1, true); // ctl drain web 198.51.100.11, given on the standby
            pair.run(5, 1);
            assertTrue(board(pair.a).drained(WEB_S1), "the active holds the drain within a few ms");
            assertFalse(board(pair.a).drained(STICKY_S1), "the same address in another service is another server");
            pair.openConnections(pair.a, 20, 80);
            pair.run(5, 1);
            List<Long> macs = TwoRouters.forwardedTo(pair.a, 1);
            assertFalse(macs.isEmpty());
            assertTrue(macs.stream().allMatch(mac -> mac == TwoRouters.S2_MAC), "no new connection to the drained server");

            pair.a.agent.weight(WEB_S2, 7); // ctl weight web 198.51.100.12 7, given on the active
            pair.run(5, 1);
            assertEquals(7, board(pair.b).weightOverride(WEB_S2));
            assertTrue(board(pair.b).drained(WEB_S1), "a weight on the other server leaves the drain alone");

            pair.a.alive = false; // kill -9 of the active
            pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 1_000, "b takes over");
            assertTrue(board(pair.b).drained(WEB_S1));
            pair.restartA(); // a comes back empty, with a new incarnation
            pair.runUntil(() -> board(pair.a).drained(WEB_S1) && board(pair.a).weightOverride(WEB_S2) == 7, 300,
                    "the restarted router learns the drain and the weight from its peer as soon as they shake hands, not at the next refresh");
            assertEquals(ServerHealthBoard.UNKNOWN, board(pair.a).health(WEB_S1));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> servers = (List<Map<String, Object>>) pair.a.agent.serverSettingsStatus().get("servers");
            assertEquals(List.of("198.51.100.11", "198.51.100.12"), servers.stream().map(s -> s.get("server")).toList());
            assertEquals("b", servers.getFirst().get("origin"), "given on b");
            assertEquals("this router", servers.get(1).get("origin"), "given on a before its crash, and learned back from b");
            assertTrue(pair.a.agent.events().stream().anyMatch(e -> e.text().contains("web 198.51.100.11 drained")),
                    pair.a.agent.events().toString());

            pair.a.agent.drain(WEB_S1, false); // undrain on the router that just restarted: the newer command wins
            pair.run(5, 1);
            assertFalse(board(pair.b).drained(WEB_S1));
            assertFalse(board(pair.a).drained(WEB_S1));
        }
    }

    @Test
    void aLostMessageIsRepairedByTheNextRefresh() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.b.alive = false; // b hears nothing for a while (its process is frozen, not restarted)
            pair.a.agent.drain(WEB_S2, true);
            pair.run(5, 1);
            pair.b.alive = true;
            assertFalse(board(pair.b).drained(WEB_S2), "the change went out while b was not listening");
            pair.runUntil(() -> board(pair.b).drained(WEB_S2), (int) OperatorSettingsSeat.REFRESH_MS + 10, "the refresh carries it");
        }
    }

    @Test
    void commandsGivenOnBothRoutersInTheSameSecondEndTheSameOnBoth() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.a.agent.drain(WEB_S1, true);
            pair.b.agent.drain(WEB_S1, false); // before either hears the other
            pair.run(5, 1);
            assertEquals(board(pair.a).drained(WEB_S1), board(pair.b).drained(WEB_S1));
            assertFalse(board(pair.a).drained(WEB_S1), "equal versions: the greater router number (b, 2) wins");
        }
    }

    @Test
    void aRecordNamingAServerThisRouterDoesNotHaveIsCountedAndSkipped() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            int length = MessageType.SERVER_SETTINGS.payloadLength(3);
            MemorySegment segment = MemorySegment.ofArray(new byte[length]);
            ServerSettingsFlyweight message = new ServerSettingsFlyweight().wrap(segment, 0, length).count(3);
            byte[] web = "web".getBytes(StandardCharsets.US_ASCII);
            message.record(0, "api".getBytes(StandardCharsets.US_ASCII), Ipv4.parse("198.51.100.11"), 5, 2, 1, 3, true);
            message.record(1, web, Ipv4.parse("198.51.100.13"), 5, 2, 1, 3, true);
            message.record(2, web, Ipv4.parse("198.51.100.12"), 5, 2, 1, 3, true);
            pair.a.agent.operatorSettings().onMessage(0, message, pair.now);
            assertFalse(board(pair.a).drained(WEB_S1), "no service api: nothing changes");
            assertTrue(board(pair.a).drained(WEB_S2));
            assertEquals(3, board(pair.a).weightOverride(WEB_S2));
            CounterSnapshot counters = pair.a.dataplane.counters().snapshot();
            assertEquals(2, counters.sum("server_settings_records_unknown"), counters.text());
            assertEquals(1, counters.sum("server_settings_records_taken"), counters.text());
        }
    }
}
