package dev.baton.control.drill;

import dev.baton.control.socket.ControlServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which router to switch from, and why a pair cannot be drilled, from the routers' control sockets. */
class PairControlTest {

    private static PairControl control(FakeRouter... routers) {
        return control(List.of(routers).stream().map(FakeRouter::socket).toList());
    }

    private static PairControl control(List<Path> sockets) {
        return new PairControl(sockets, FakeRouter.VIP, System::nanoTime, Duration.ofMillis(500));
    }

    @Test
    void theActiveAndTheStandbyItHearsSynchronizedMakeAPlanInEitherOrder(@TempDir Path dir) throws Exception {
        try (FakeRouter r0 = new FakeRouter(dir, "r0"); FakeRouter r1 = new FakeRouter(dir, "r1")) {
            r0.state = "ACTIVE";
            r0.hears("r1", "STANDBY", "IN_SYNC");
            PairControl pair = control(r1, r0);
            List<PairControl.RouterView> views = pair.views();
            assertEquals("r1 STANDBY/IN_SYNC, table 200 digest 3fa2", views.get(0).describe());
            assertEquals(4242L, views.get(1).pid());
            assertEquals(new PairControl.Plan.Ready(1, 0), pair.plan(views));
            assertTrue(pair.switchover(r0.socket()).contains("asked the standby"));
            assertEquals(1, r0.switchovers);
        }
    }

    @Test
    void aStoppedStandbyLeavesNothingToFailOverTo(@TempDir Path dir) throws Exception {
        try (FakeRouter r0 = new FakeRouter(dir, "r0")) {
            r0.state = "ACTIVE";
            r0.hears("r1", "never heard", null);
            PairControl pair = control(List.of(r0.socket(), dir.resolve("r1.sock")));
            PairControl.Plan plan = pair.plan(pair.views());
            String reason = assertInstanceOf(PairControl.Plan.NotReady.class, plan).reason();
            assertTrue(reason.startsWith("nothing to fail over to: no synchronized standby for 192.0.2.10."), reason);
            assertTrue(reason.contains("r1.sock: does not answer"), reason);
            assertTrue(reason.contains("The active r0 hears r1 never heard"), reason);
        }
    }

    @Test
    void aStandbyStillSynchronizingOrNotHeardAsSynchronizedIsNotOneToFailOverTo(@TempDir Path dir) throws Exception {
        try (FakeRouter r0 = new FakeRouter(dir, "r0"); FakeRouter r1 = new FakeRouter(dir, "r1")) {
            r0.state = "ACTIVE";
            r1.sync = "SYNC_IN";
            r0.hears("r1", "STANDBY", "SYNC_IN");
            PairControl pair = control(r0, r1);
            String reason = ((PairControl.Plan.NotReady) pair.plan(pair.views())).reason();
            assertTrue(reason.contains("r1 STANDBY/SYNC_IN"), reason);

            r1.sync = "IN_SYNC"; // it says so, but the active has not heard it yet
            reason = ((PairControl.Plan.NotReady) pair.plan(pair.views())).reason();
            assertTrue(reason.contains("r1 says STANDBY/IN_SYNC but the active r0 hears it as STANDBY/SYNC_IN"), reason);
            assertTrue(reason.contains("The active r0 hears r1 STANDBY/SYNC_IN (last heard 1200 ms ago)"), reason);
        }
    }

    @Test
    void noActiveTwoActivesAndARouterWithoutPeersAreRefusedWithWhy(@TempDir Path dir) throws Exception {
        try (FakeRouter r0 = new FakeRouter(dir, "r0"); FakeRouter r1 = new FakeRouter(dir, "r1")) {
            PairControl pair = control(r0, r1);
            assertTrue(((PairControl.Plan.NotReady) pair.plan(pair.views())).reason().startsWith("no router is ACTIVE for 192.0.2.10"));
            r0.state = "ACTIVE";
            r1.state = "ACTIVE";
            assertTrue(((PairControl.Plan.NotReady) pair.plan(pair.views())).reason().startsWith("more than one router is ACTIVE"));
            r1.highAvailability = false;
            PairControl.RouterView alone = pair.view(r1.socket());
            assertFalse(alone.answered());
            assertTrue(alone.error().contains("serves alone"), alone.error());
        }
    }

    @Test
    void aRouterThatDoesNotAnswerIsReportedWithinTheCallTimeout(@TempDir Path dir) throws Exception {
        try (ControlServer frozen = new ControlServer(dir.resolve("frozen.sock")).handle("status", args -> {
            Thread.sleep(10_000);
            return Map.of();
        })) {
            frozen.start();
            long startNs = System.nanoTime();
            PairControl.RouterView view = control(List.of(frozen.path())).view(frozen.path());
            long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            assertFalse(view.answered());
            assertTrue(view.error().contains("did not answer 'status' within 500 ms"), view.error());
            assertTrue(tookMs < 5_000, "bounded by the call timeout: " + tookMs + " ms");
        }
    }

    @Test
    void hardRefusesAProcessThatIsNotTheRoutersOwn(@TempDir Path dir) throws Exception {
        try (FakeRouter r0 = new FakeRouter(dir, "r0")) {
            r0.state = "ACTIVE";
            PairControl.RouterView view = control(r0).view(r0.socket());
            // pid 4242 started 2026-12-07T04:00:00Z: here either no such process or one that started at another time
            ActiveKill.Target target = ActiveKill.find(view);
            assertEquals(null, target.process());
            assertTrue(target.refusal().contains("--hard"), target.refusal());

            ProcessHandle self = ProcessHandle.current();
            PairControl.RouterView me = new PairControl.RouterView(r0.socket(), "r0", null, "ACTIVE", "IN_SYNC", 0, "0",
                    self.pid(), self.info().startInstant(), List.of());
            assertEquals(self.pid(), ActiveKill.find(me).process().pid(), "this very process is found (and not killed here)");
            PairControl.RouterView older = new PairControl.RouterView(r0.socket(), "r0", null, "ACTIVE", "IN_SYNC", 0, "0",
                    self.pid(), self.info().startInstant().map(t -> t.minusSeconds(60)), List.of());
            assertTrue(ActiveKill.find(older).refusal().contains("not the same process"), ActiveKill.find(older).refusal());
        }
    }
}
