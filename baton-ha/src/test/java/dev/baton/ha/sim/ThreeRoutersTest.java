package dev.baton.ha.sim;

import dev.baton.ha.HaStatus;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.SyncState;
import dev.baton.peer.PeerKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripted scenarios of three routers on the simulation's parts ({@link SimRouter}, {@link SimulatedPeerNetwork},
 * one stepped clock; a lossless network): the races a seeded run found, replayed step by step.
 */
class ThreeRoutersTest {

    private final Simulation.Clock clock = new Simulation.Clock();
    private final SimulatedPeerNetwork network = new SimulatedPeerNetwork(new Random(1), clock::nowMs);
    private final SimRouter[] routers = new SimRouter[3];
    private Path stateDirectory;

    @BeforeEach
    void start() throws Exception {
        stateDirectory = Files.createTempDirectory("baton-three-");
        byte[] secret = new byte[32];
        new Random(2).nextBytes(secret);
        PeerKey key = PeerKey.of(secret);
        Random hashSeeds = new Random(3);
        for (int r = 0; r < routers.length; r++) {
            routers[r] = new SimRouter(r + 1, routers.length, 1, "manual", key, stateDirectory, network, clock, hashSeeds::nextLong);
            routers[r].resolveServers();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (SimRouter router : routers) {
            network.closeAll(router.name);
            router.close();
        }
        try (var files = Files.walk(stateDirectory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Seed 56340: a router that took the VIP by a switch-over was asked by the operator, 5 ms later, to hand it on.
     * The third router's keep-alive still said "synchronized" (with the old active's stream); asked, it preempted,
     * heard the new active's newer term, abandoned its preemption to resynchronize, and the hand-over it had asked
     * for left the VIP with no active for t2, when two unsynchronized routers took it at once. A standby counts as
     * synchronized for a hand-over only once it has verified this router's own dump.
     */
    @Test
    void aRouterThatJustTookTheVipHandsItOnlyToAStandbyThatVerifiedItsDump() {
        SimRouter r1 = routers[0];
        SimRouter r2 = routers[1];
        SimRouter r3 = routers[2];
        runUntil(() -> r1.state() == MonitorState.ACTIVE && r2.sync() == SyncState.IN_SYNC && r3.sync() == SyncState.IN_SYNC,
                3_000, "r1 (primary) active, r2 and r3 synchronized standbys");
        run(60); // every keep-alive says so

        List<String> taken = r2.agent.switchover(null);
        assertTrue(taken.getFirst().contains("operator switch-over"), taken.toString());
        runUntil(() -> r2.state() == MonitorState.ACTIVE, 200, "r2 takes the VIP from r1 (347, 355, 335)");
        HaStatus.PeerRecord r3Seen = r2.agent.status().vips().getFirst().peers().stream()
                .filter(p -> p.peer().equals("r3")).findFirst().orElseThrow();
        assertEquals(SyncState.IN_SYNC, r3Seen.sync(), "r3's last keep-alive: synchronized (with r1's stream): " + r3Seen
                + "; r3 now " + r3.state() + "/" + r3.sync() + " " + r3.agent.status().vips().getFirst().lastTransition());

        List<String> refused = r2.agent.switchover(null);
        assertTrue(refused.getFirst().contains("refused: no synchronized standby"),
                "r3 says it is synchronized, but with r1's stream; r1 drains: " + refused);

        runUntil(() -> r3.sync() == SyncState.IN_SYNC && "r2".equals(r3.agent.status().vips().getFirst().following()), 1_000,
                "r3 follows r2 and verifies its dump");
        run(30); // r3's next keep-alive
        List<String> asked = r2.agent.switchover(null);
        assertTrue(asked.getFirst().contains("asked r3 to take the VIP"), asked.toString());
        runUntil(() -> r3.state() == MonitorState.ACTIVE, 200, "r3 takes the VIP from r2");
        run(100);
        assertEquals(MonitorState.ACTIVE, r3.state());
        assertEquals(MonitorState.STANDBY, r1.state());
        assertEquals(MonitorState.STANDBY, r2.state());
    }

    private void run(int steps) {
        for (int i = 0; i < steps; i++) {
            step();
        }
    }

    private void runUntil(BooleanSupplier condition, int maxSteps, String what) {
        for (int i = 0; i < maxSteps; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            step();
        }
        assertTrue(condition.getAsBoolean(), what + ": not within " + maxSteps + " ms");
    }

    private void step() {
        clock.nowMs++;
        for (SimRouter router : routers) {
            router.step(clock.nowMs);
        }
    }
}
