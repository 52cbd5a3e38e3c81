package dev.baton.reachability;

import dev.baton.probe.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The active RM's decision (FIG. 4) with a stepped clock. Reports are written compactly: one word per element,
 * {@code name[/weight][!]=U|D|?} (weight, required, up / down / no result yet).
 */
class ReachabilityJudgeTest {

    static final Hysteresis HOLD_1S = new Hysteresis(1, Duration.ofSeconds(1));

    static ReachabilityReport report(String router, String elements) {
        List<ElementReport> list = new ArrayList<>();
        for (String word : elements.trim().split("\\s+")) {
            String[] nameAndHealth = word.split("=");
            String spec = nameAndHealth[0];
            boolean required = spec.endsWith("!");
            spec = required ? spec.substring(0, spec.length() - 1) : spec;
            int weight = 1;
            if (spec.contains("/")) {
                weight = Integer.parseInt(spec.substring(spec.indexOf('/') + 1));
                spec = spec.substring(0, spec.indexOf('/'));
            }
            Health health = switch (nameAndHealth[1]) {
                case "U" -> Health.UP;
                case "D" -> Health.DOWN;
                default -> Health.UNKNOWN;
            };
            list.add(new ElementReport(spec, weight, required, health));
        }
        return new ReachabilityReport(router, list);
    }

    static Candidate ready(String router, String elements) {
        return new Candidate(report(router, elements), true, "");
    }

    /** Each compare function on one pair of reports: whether the standby beats the active (margin 1, no hold). */
    @ParameterizedTest(name = "{0}: active [{1}] standby [{2}] -> {3}")
    @CsvSource(delimiter = '|', value = {
            // same set, one element lost by the active (FIG. 6 link 637 / 627)
            "count    | r615=U s650=D        | r615=U s650=U        | true",
            "weighted | r615=U s650=D        | r615=U s650=U        | true",
            "required | r615=U s650=D        | r615=U s650=U        | true",
            // both lose the same element (router 615 down for both): equal, path 445
            "count    | r615=D s650=U        | r615=D s650=U        | false",
            "required | r615!=D s650=U       | r615!=D s650=U       | false",
            // the standby reaches fewer: never
            "count    | r615=U s650=U        | r615=U s650=D        | false",
            // weights: the active misses a light element, the standby a heavy one
            "count    | r615/10=U s650/1=D   | r615/10=D s650/1=U   | false",
            "weighted | r615/10=U s650/1=D   | r615/10=D s650/1=U   | false",
            "weighted | r615/1=U s650/10=D   | r615/1=D s650/10=U   | true",
            // required beats any count: the active misses a required element, the standby two others
            "count    | r615!=D s1=U s2=U    | r615!=U s1=D s2=D    | false",
            "required | r615!=D s1=U s2=U    | r615!=U s1=D s2=D    | true",
            "required | r615!=U s1=D s2=D    | r615!=D s1=U s2=U    | false",
            // different sets (FIG. 6, second paragraph): A must reach 615 and 650, B 616 and 660; 650 dies
            "count    | r615=U s650=D        | r616=U s660=U        | true",
            "count    | r615=U s650=U        | r616=U s660=U        | false",
    })
    void compareFunctions(String function, String active, String standby, boolean handsOver) {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.valueOf(function.trim().toUpperCase()),
                new Hysteresis(1, Duration.ZERO));
        Judgement judgement = judge.judge(0, report("a", active), List.of(ready("b", standby)));
        assertEquals(handsOver, judgement.handsOver(), judgement.reason());
    }

    @Test
    void aBetterStandbyIsHandedTheVipOnlyAfterTheHold() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, HOLD_1S);
        ReachabilityReport active = report("a", "r615=U s650=D");
        List<Candidate> standby = List.of(ready("b", "r615=U s650=U"));
        assertFalse(judge.judge(10_000, active, standby).handsOver());
        Judgement justBefore = judge.judge(10_999, active, standby);
        assertFalse(justBefore.handsOver());
        assertTrue(justBefore.reason().contains("999 ms of the 1000 ms hold"), justBefore.reason());
        Judgement atHold = judge.judge(11_000, active, standby);
        assertEquals("b", atHold.handTo());
        assertTrue(atHold.reason().contains("unreachable: s650"), "names the element that decided: " + atHold.reason());
        // asked once; again only after another hold if it has not taken the VIP
        assertFalse(judge.judge(11_001, active, standby).handsOver());
        assertFalse(judge.judge(12_000, active, standby).handsOver());
        assertEquals("b", judge.judge(12_001, active, standby).handTo());
    }

    @Test
    void aFlappingElementDoesNotMoveTheVip() {
        // The active's element comes and goes every 300 ms for 10 s: the standby is never better for a whole
        // second, so the VIP stays (lab scenario 8 checks the same end to end).
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, HOLD_1S);
        List<Candidate> standby = List.of(ready("b", "r615=U s650=U"));
        for (long t = 0; t <= 10_000; t += 100) {
            boolean down = (t / 300) % 2 == 1;
            Judgement judgement = judge.judge(t, report("a", down ? "r615=U s650=D" : "r615=U s650=U"), standby);
            assertFalse(judgement.handsOver(), "at " + t + ": " + judgement.reason());
        }
    }

    @Test
    void theMarginMustHoldForTheWholeHold() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.WEIGHTED, new Hysteresis(10, Duration.ofMillis(500)));
        ReachabilityReport active = report("a", "r/10=U s/5=D t/10=D");
        // better by 5: under the margin of 10
        assertFalse(judge.judge(0, active, List.of(ready("b", "r/10=U s/5=U t/10=D"))).handsOver());
        assertFalse(judge.judge(1_000, active, List.of(ready("b", "r/10=U s/5=U t/10=D"))).handsOver());
        // better by 10 from 1 000 ms, back under the margin at 1 400 ms: the hold starts over at 1 450 ms
        assertFalse(judge.judge(1_000, active, List.of(ready("b", "r/10=U s/5=D t/10=U"))).handsOver());
        assertFalse(judge.judge(1_400, active, List.of(ready("b", "r/10=U s/5=U t/10=D"))).handsOver());
        assertFalse(judge.judge(1_450, active, List.of(ready("b", "r/10=U s/5=D t/10=U"))).handsOver());
        assertFalse(judge.judge(1_949, active, List.of(ready("b", "r/10=U s/5=D t/10=U"))).handsOver());
        assertEquals("b", judge.judge(1_950, active, List.of(ready("b", "r/10=U s/5=D t/10=U"))).handTo());
    }

    @Test
    void aBetterStandbyThatIsNotSynchronizedIsWaitedFor() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, HOLD_1S);
        ReachabilityReport active = report("a", "r615=U s650=D");
        Candidate syncing = new Candidate(report("b", "r615=U s650=U"), false, "standby, not synchronized (SYNC-IN)");
        assertFalse(judge.judge(0, active, List.of(syncing)).handsOver());
        Judgement waiting = judge.judge(5_000, active, List.of(syncing));
        assertFalse(waiting.handsOver());
        assertTrue(waiting.reason().contains("not synchronized (SYNC-IN)"), waiting.reason());
        // synchronized now, and better for longer than the hold already: at once
        assertEquals("b", judge.judge(5_001, active, List.of(ready("b", "r615=U s650=U"))).handTo());
    }

    @Test
    void nothingIsComparedWhileAStateIsUnsettled() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, new Hysteresis(1, Duration.ZERO));
        // this router has just started: it cannot know it is worse
        Judgement selfUnsettled = judge.judge(0, report("a", "r615=U s650=?"), List.of(ready("b", "r615=U s650=U")));
        assertNull(selfUnsettled.handTo());
        assertTrue(selfUnsettled.reason().contains("not settled"), selfUnsettled.reason());
        // a peer that has just started is left out of the order
        Judgement peerUnsettled = judge.judge(0, report("a", "r615=U s650=D"), List.of(ready("b", "r615=U s650=?")));
        assertNull(peerUnsettled.handTo());
        assertEquals(List.of("a"), peerUnsettled.order().stream().map(Judgement.Ranked::router).toList());
    }

    @Test
    void ofThreeRoutersTheBestIsHandedTheVipAndTheOrderShowsAll() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, new Hysteresis(1, Duration.ZERO));
        ReachabilityReport active = report("a", "x=U y=D z=D");
        List<Candidate> peers = List.of(ready("c", "x=U y=U z=U"), ready("b", "x=U y=U z=D"), ready("d", "x=U y=D z=D"));
        Judgement judgement = judge.judge(0, active, peers);
        assertEquals("c", judgement.handTo());
        assertEquals(List.of("c", "b", "a", "d"), judgement.order().stream().map(Judgement.Ranked::router).toList(),
                "best first; the active before an equal peer (path 445)");
        // equal best: the lower name, so every active RM with the same reports picks the same router
        Judgement tie = new ReachabilityJudge(CompareFunction.COUNT, new Hysteresis(1, Duration.ZERO))
                .judge(0, active, List.of(ready("c", "x=U y=U z=U"), ready("b", "x=U y=U z=U")));
        assertEquals("b", tie.handTo());
    }

    @Test
    void aHoldInProgressIsForgottenWhenThePeerOrTheVipGoes() {
        ReachabilityJudge judge = new ReachabilityJudge(CompareFunction.COUNT, HOLD_1S);
        ReachabilityReport active = report("a", "r615=U s650=D");
        judge.judge(0, active, List.of(ready("b", "r615=U s650=U")));
        judge.judge(500, active, List.of());
        assertFalse(judge.judge(1_000, active, List.of(ready("b", "r615=U s650=U"))).handsOver(), "b left: its hold starts over");
        judge.reset();
        assertFalse(judge.judge(2_000, active, List.of(ready("b", "r615=U s650=U"))).handsOver(), "reset: starts over");
        assertEquals("b", judge.judge(3_000, active, List.of(ready("b", "r615=U s650=U"))).handTo());
    }
}
