package dev.baton.ha;

import org.junit.jupiter.api.Test;

import static dev.baton.ha.PeerRuns.Admission.BEFORE_ECHO;
import static dev.baton.ha.PeerRuns.Admission.COUNTS;
import static dev.baton.ha.PeerRuns.Admission.OPENS_RUN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerRunsTest {

    static final long OWN = 7;
    static final int PEER = 0;

    private final PeerRuns runs = new PeerRuns(1, OWN);

    @Test
    void nothingCountsBeforeTheSendersRunEchoesThisOne() {
        assertFalse(runs.restarted(PEER, 3));
        assertEquals(BEFORE_ECHO, runs.admit(PEER, 3, 10, true, 6), "echoes the previous run of this router: a replay");
        assertEquals(BEFORE_ECHO, runs.admit(PEER, 3, 11, false, 0), "a notice before the echo");
        assertEquals(OPENS_RUN, runs.admit(PEER, 3, 12, true, OWN));
        assertTrue(runs.echoedThisRun(PEER));
        assertEquals(COUNTS, runs.admit(PEER, 3, 13, false, 0));
        assertEquals(BEFORE_ECHO, runs.admit(PEER, 3, 11, false, 0), "sent before the echo, arriving after it");
        assertEquals(COUNTS, runs.admit(PEER, 3, 9, true, OWN), "an earlier echo arriving late lowers the start");
        assertEquals(COUNTS, runs.admit(PEER, 3, 10, false, 0));
        assertEquals(3, runs.ignoredBeforeEcho());
    }

    @Test
    void aNewRunOfThePeerCountsOnlyOnceItEchoes() {
        runs.restarted(PEER, 3);
        runs.admit(PEER, 3, 1, true, OWN);
        assertTrue(runs.restarted(PEER, 4), "a new incarnation is a restart");
        assertFalse(runs.echoedThisRun(PEER));
        assertEquals(BEFORE_ECHO, runs.admit(PEER, 4, 100, false, 0));
        assertEquals(OPENS_RUN, runs.admit(PEER, 4, 101, true, OWN));
        assertEquals(4, runs.heard(PEER), "what this router echoes back");
    }

    @Test
    void anOlderClaimOfTheSameRunIsStale() {
        assertTrue(runs.newestClaim(PEER, 3, 10));
        assertFalse(runs.newestClaim(PEER, 3, 9), "an older keep-alive on another link, after the GAVE_UP that followed it");
        assertTrue(runs.newestClaim(PEER, 3, 10), "a duplicate of the newest is the newest");
        assertTrue(runs.newestClaim(PEER, 4, 1), "a new run starts its own count");
        assertEquals(1, runs.staleStateClaims());
    }
}
