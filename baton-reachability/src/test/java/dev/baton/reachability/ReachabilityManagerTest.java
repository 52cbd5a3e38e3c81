package dev.baton.reachability;

import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.probe.Health;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two routers' managers exchanging reports through real chunks, with a stepped clock (FIG. 6, link 637). */
class ReachabilityManagerTest {

    static final List<ReachabilityManager.Element> SET = List.of(
            new ReachabilityManager.Element("upstream-615", 1, false), new ReachabilityManager.Element("servers-650", 1, false));
    static final long INTERVAL = 1_000;

    static ReachabilityManager manager(String self, String peer) {
        return new ReachabilityManager(self, SET, CompareFunction.COUNT, new Hysteresis(1, Duration.ofMillis(2_000)), INTERVAL,
                List.of(peer), 1);
    }

    /** Sends {@code from}'s due report, if any, to {@code to} as peer 0; whether one was due. */
    static boolean deliver(ReachabilityManager from, ReachabilityManager to, long nowMs) {
        ReportChunks chunks = from.reportDue(nowMs);
        if (chunks == null) {
            return false;
        }
        for (int c = 0; c < chunks.chunks(); c++) {
            int length = chunks.payloadLength(c);
            ReachabilityReportFlyweight chunk = new ReachabilityReportFlyweight().wrap(MemorySegment.ofArray(new byte[length]), 0, length);
            chunks.write(c, chunk);
            assertTrue(chunk.valid());
            to.offer(0, chunk, nowMs);
        }
        return true;
    }

    @Test
    void theStandbyThatStillReachesTheServersIsHandedTheVipAfterTheHold() {
        ReachabilityManager a = manager("a", "b");
        ReachabilityManager b = manager("b", "a");
        for (int i = 0; i < SET.size(); i++) {
            a.elementHealth(i, Health.UP);
            b.elementHealth(i, Health.UP);
        }
        boolean[] ready = {true};
        String[] notReady = {""};
        long now = 0;
        for (; now < 3_000; now += 100) {
            deliver(b, a, now);
            assertFalse(a.judge(0, now, ready, notReady).handsOver(), "equal: path 445");
        }
        a.elementHealth(1, Health.DOWN); // the active's link to the servers is cut (FIG. 6, 637)
        long cutAt = now;
        Judgement judgement = null;
        for (; now < cutAt + 5_000; now += 100) {
            deliver(b, a, now);
            judgement = a.judge(0, now, ready, notReady);
            if (judgement.handsOver()) {
                break;
            }
        }
        assertNotNull(judgement);
        assertEquals("b", judgement.handTo());
        assertEquals(cutAt + 2_000, now, "after exactly the hold");
        assertTrue(judgement.reason().contains("unreachable: servers-650"), judgement.reason());
    }

    @Test
    void reportsGoAtEachIntervalAndAtOnceOnAChangeButNotInAStorm() {
        ReachabilityManager a = manager("a", "b");
        assertNotNull(a.reportDue(0), "the first at once");
        assertNull(a.reportDue(500));
        assertNotNull(a.reportDue(1_000), "each interval");
        a.elementHealth(0, Health.UP);
        assertNull(a.reportDue(1_050), "a change within 100 ms of the last report waits");
        assertNotNull(a.reportDue(1_100));
        a.elementHealth(0, Health.DOWN);
        a.elementHealth(0, Health.UP);
        a.elementHealth(0, Health.DOWN);
        assertNotNull(a.reportDue(1_200), "three changes, one report");
        assertNull(a.reportDue(1_300));
    }

    @Test
    void aPeerWhoseReportsStoppedIsLeftOutAndARestartedOneStartsOver() {
        ReachabilityManager a = manager("a", "b");
        ReachabilityManager b = manager("b", "a");
        b.elementHealth(0, Health.UP);
        b.elementHealth(1, Health.UP);
        assertTrue(deliver(b, a, 0));
        assertNotNull(a.peerReport(0, 3_000));
        assertNull(a.peerReport(0, 3_001), "three intervals without a report: stale");
        a.peerRestarted(0);
        assertNull(a.peerReport(0, 0));
        ReachabilityManager restarted = manager("b", "a"); // generations from 1 again
        restarted.elementHealth(0, Health.UP);
        assertTrue(deliver(restarted, a, 4_000));
        assertEquals(Health.UP, a.peerReport(0, 4_000).elements().getFirst().health());
    }
}
