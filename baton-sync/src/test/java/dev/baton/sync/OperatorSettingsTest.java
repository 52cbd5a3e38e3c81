package dev.baton.sync;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator's settings as last-writer-wins registers: what wins, and that every order of delivery agrees. */
class OperatorSettingsTest {

    static final long NOW_S = 1_796_000_000L; // December 2026

    @Test
    void aReloadMovesEachRegisterToItsServersNewIdAndALaterChangeStillOutranksEveryEarlierOne() {
        OperatorSettings settings = new OperatorSettings(3, 1, 1);
        settings.drain(0, true, 100);
        settings.weight(2, 7, 200);
        assertTrue(settings.offer(1, 500, 2, 1, true, 3), "a peer's newer register");
        // Server 0 leaves; 1 and 2 become 0 and 1; a new server takes id 2.
        OperatorSettings next = settings.carriedTo(3, new int[] {-1, 0, 1});
        assertTrue(next.set(0));
        assertTrue(next.drained(0));
        assertEquals(3, next.weight(0));
        assertEquals(500, next.version(0));
        assertEquals(2, next.origin(0), "the stamp moves with the value");
        assertEquals(7, next.weight(1));
        assertFalse(next.drained(1));
        assertFalse(next.set(2), "the new server has no register yet");
        assertTrue(next.weight(2, 4, 0) > 500, "a change after the reload outranks what the peers hold");
    }

    @Test
    void aLocalChangeKeepsTheOtherHalfOfTheRegister() {
        OperatorSettings settings = new OperatorSettings(2, 1, 1);
        assertFalse(settings.set(0));
        settings.weight(0, 7, NOW_S);
        settings.drain(0, true, NOW_S);
        assertTrue(settings.drained(0));
        assertEquals(7, settings.weight(0));
        settings.drain(0, false, NOW_S);
        assertEquals(7, settings.weight(0), "an undrain keeps the operator's weight");
        assertEquals(OperatorSettings.CONFIGURED, settings.weight(1));
        assertEquals(1, settings.setCount());
        assertEquals(1, settings.origin(0));
    }

    @Test
    void versionsGrowWithinASecondAndFollowTheWallClockAcrossIt() {
        OperatorSettings settings = new OperatorSettings(1, 1, 1);
        long first = settings.drain(0, true, NOW_S);
        long second = settings.drain(0, false, NOW_S);
        assertEquals(NOW_S, first);
        assertEquals(NOW_S + 1, second, "two changes in one second still order");
        assertEquals(NOW_S + 100, settings.drain(0, true, NOW_S + 100));
    }

    @Test
    void aGreaterStampWinsThenTheOriginBreaksATie() {
        OperatorSettings settings = new OperatorSettings(1, 5, 1);
        settings.drain(0, true, 100); // version 100, origin 5
        assertFalse(settings.offer(0, 99, 9, 1, false, 3), "older version");
        assertFalse(settings.offer(0, 100, 4, 1, false, 3), "same version, smaller origin");
        assertFalse(settings.offer(0, 100, 5, 1, false, 3), "the same stamp is not news");
        assertTrue(settings.drained(0));
        assertTrue(settings.offer(0, 100, 6, 1, false, 3), "same version, greater origin");
        assertFalse(settings.drained(0));
        assertEquals(3, settings.weight(0));
        assertTrue(settings.offer(0, 0xFFFF_FFFFL, 1, 1, true, OperatorSettings.CONFIGURED), "unsigned: the largest version wins");
        assertEquals(0xFFFF_FFFFL, settings.version(0));
    }

    @Test
    void aRouterThatRestartedOrdersItsChangeAfterOneItHasNotHeardOfYet() {
        OperatorSettings active = new OperatorSettings(1, 2, 1);
        active.drain(0, true, NOW_S); // drained on the active while the other router was down
        OperatorSettings restarted = new OperatorSettings(1, 1, 1); // empty: nothing heard yet
        long undrain = restarted.drain(0, false, NOW_S + 30); // an operator undrains on it half a minute later
        assertTrue(active.offer(0, undrain, 1, 1, restarted.drained(0), restarted.weight(0)));
        assertFalse(active.drained(0), "the later command wins, though its router had seen nothing");
        assertFalse(restarted.offer(0, active.version(0) - 1, 2, 1, true, OperatorSettings.CONFIGURED));
    }

    @Test
    void aChangeAfterAnOfferIsNewerThanWhatWasOfferedEvenWithASlowClock() {
        OperatorSettings settings = new OperatorSettings(1, 1, 1);
        settings.offer(0, NOW_S + 500, 2, 1, true, 4); // a peer whose clock runs 500 s ahead
        long mine = settings.drain(0, false, NOW_S);
        assertEquals(NOW_S + 501, mine);
        assertFalse(settings.drained(0));
    }

    @Test
    void aRouterThatRestartsWithinTheSecondCannotGiveTwoValuesOneStamp() {
        // Seed 3000843 of the simulation: r1 set a weight, crashed, restarted and drained the same server within the
        // same wall-clock second, before it heard its own earlier change back: both changes had version S, origin 1.
        OperatorSettings peer = new OperatorSettings(1, 2, 1);
        OperatorSettings firstRun = new OperatorSettings(1, 1, 7);
        long before = firstRun.weight(0, 2, NOW_S);
        peer.offer(0, before, 1, 7, firstRun.drained(0), firstRun.weight(0));
        OperatorSettings secondRun = new OperatorSettings(1, 1, 8); // the restart: empty, the next incarnation
        long after = secondRun.drain(0, true, NOW_S);
        assertEquals(before, after, "the same version: the wall clock had not moved on");
        assertTrue(peer.offer(0, after, 1, 8, secondRun.drained(0), secondRun.weight(0)), "the later run's change wins");
        assertFalse(secondRun.offer(0, before, 1, 7, false, 2), "and the earlier run's does not come back");
        assertEquals(peer.drained(0), secondRun.drained(0));
        assertEquals(peer.weight(0), secondRun.weight(0));
    }

    @Test
    void everyOrderOfDeliveryEndsInTheSameRegistersThroughRestarts() {
        Random random = new Random(20261206);
        for (int round = 0; round < 300; round++) {
            int servers = 4;
            long[] incarnations = {1, 1, 1};
            OperatorSettings[] routers = {new OperatorSettings(servers, 1, 1), new OperatorSettings(servers, 2, 1),
                    new OperatorSettings(servers, 3, 1)};
            List<long[]> sent = new ArrayList<>(); // {server, version, origin, incarnation, drained, weight}
            for (int change = 0; change < 30; change++) {
                int r = random.nextInt(3);
                if (random.nextInt(8) == 0) {
                    routers[r] = new OperatorSettings(servers, r + 1, ++incarnations[r]); // kill -9 and restart: empty
                    continue;
                }
                int s = random.nextInt(servers);
                long wall = NOW_S + random.nextInt(3); // restarts within the same second are the point
                if (random.nextBoolean()) {
                    routers[r].drain(s, random.nextBoolean(), wall);
                } else {
                    routers[r].weight(s, random.nextInt(12) - 1, wall);
                }
                sent.add(register(routers[r], s));
                // some deliveries now, in a random order, some lost (the periodic full send repairs them below)
                if (random.nextInt(3) == 0) {
                    Collections.shuffle(sent, random);
                    for (long[] m : sent.subList(0, sent.size() / 2)) {
                        deliver(routers[random.nextInt(3)], m);
                    }
                }
            }
            // The full send: every router's every set register to every router, twice, in a random order.
            List<long[]> full = new ArrayList<>();
            for (OperatorSettings router : routers) {
                for (int s = 0; s < servers; s++) {
                    if (router.set(s)) {
                        full.add(register(router, s));
                    }
                }
            }
            full.addAll(new ArrayList<>(full));
            Collections.shuffle(full, random);
            for (long[] m : full) {
                for (OperatorSettings router : routers) {
                    deliver(router, m);
                }
            }
            for (int s = 0; s < servers; s++) {
                for (int r = 1; r < 3; r++) {
                    assertEquals(register(routers[0], s)[1], register(routers[r], s)[1], "round " + round + " server " + s);
                    assertEquals(java.util.Arrays.toString(register(routers[0], s)), java.util.Arrays.toString(register(routers[r], s)),
                            "round " + round + " server " + s);
                }
            }
        }
    }

    private static long[] register(OperatorSettings router, int s) {
        return new long[]{s, router.version(s), router.origin(s), router.incarnation(s), router.drained(s) ? 1 : 0, router.weight(s)};
    }

    private static void deliver(OperatorSettings to, long[] m) {
        if (m[1] != 0) {
            to.offer((int) m[0], m[1], m[2], m[3], m[4] == 1, (int) m[5]);
        }
    }

    @Test
    void outOfRangeStampsAndWeightsAreRefused() {
        OperatorSettings settings = new OperatorSettings(1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> settings.offer(0, 0, 1, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> settings.offer(0, 1, 0, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> settings.offer(0, 1L << 32, 1, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> settings.weight(0, -2, NOW_S));
        assertThrows(IllegalArgumentException.class, () -> new OperatorSettings(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new OperatorSettings(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> settings.offer(0, 1, 1, 0, true, 1));
        assertFalse(settings.set(0));
    }
}
