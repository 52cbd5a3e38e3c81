package dev.baton.bench.lab;

import dev.baton.lab.EchoLoad;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailoverReportTest {

    private static final Instant FAILURE = Instant.ofEpochSecond(1_764_312_345L, 500_000_000L);

    /** A client result: every connection intact with the given longest stalls, {@code unanswered} left on the first. */
    private static EchoLoad load(int unanswered, double... stallsMs) {
        StringBuilder json = new StringBuilder("{\"max_tick_lateness_ms\": 2.0, \"per_connection\": [");
        for (int i = 0; i < stallsMs.length; i++) {
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"id\": %d, \"established\": true, \"ok\": 250, \"mismatches\": 0, \"errors\": 0, \"unanswered\": %d,"
                            + " \"longest_stall_ms\": %.1f}", i, i == 0 ? unanswered : 0, stallsMs[i]));
        }
        return EchoLoad.parse(json.append("], \"probes\": []}").toString());
    }

    private static FailoverRound kill(int number, Long outageMicros, double... stallsMs) {
        Optional<Instant> first = outageMicros == null ? Optional.empty() : Optional.of(FAILURE.plusNanos(outageMicros * 1_000));
        return new FailoverRound(number, FailoverRound.Kind.KILL, 0, 1, FAILURE, first,
                Optional.of(FAILURE.minusNanos(2_000_000)), Optional.of(FAILURE.plusMillis(70)), 348, load(0, stallsMs),
                400, 0, 0, 0, 700);
    }

    private static FailoverRound switchover(int number, int unanswered, double... stallsMs) {
        return new FailoverRound(number, FailoverRound.Kind.SWITCHOVER, 1, 0, FAILURE, Optional.of(FAILURE.plusMillis(20)),
                Optional.empty(), Optional.of(FAILURE.plusMillis(6)), 335, load(unanswered, stallsMs), 0, 0, 0, 0, 60);
    }

    private static FailoverRound cut(int number, long outageMs) {
        return new FailoverRound(number, FailoverRound.Kind.CUT, 0, 1, FAILURE, Optional.of(FAILURE.plusMillis(outageMs)),
                Optional.empty(), Optional.of(FAILURE.plusMillis(outageMs - 5)), 335, load(0, 300), 40, 0, 0, 0, 900);
    }

    @Test
    void aCutIsMetWhenEveryOutageIsWithinItsDetectionTimeAndAHundredMilliseconds() {
        String met = FailoverReport.cutRows(List.of(cut(1, 1_050), cut(2, 1_200)), List.of(1_450.0, Double.NaN), 1_100);
        assertTrue(met.contains("(2 cuts): median / p90 / max | 1050.0 / 1200.0 / 1200.0 ms | ≤ detection 1100 ms + 100 ms"
                + " | yes (2 of 2 within) |"), met);
        assertTrue(met.contains("| server link cut: messages lost; broken connections; segments dropped for want of a table entry;"
                + " messages echoed | 0; 0; 0; 500 | 0; 0; 0 | yes |"), met);
        assertTrue(met.contains("| cut → the new active's first segment of an established connection (1 of 2 cuts seen;"
                + " it waits for the client's retransmission timer too): median / p90 / max | 1450.0 / 1450.0 / 1450.0 ms |"), met);
        String late = FailoverReport.cutRows(List.of(cut(1, 1_050), cut(2, 1_201)), List.of(), 1_100);
        assertTrue(late.contains("| no (1 of 2 within) |"), late);
        assertEquals("", FailoverReport.cutRows(List.of(), List.of(), 1_100));
    }

    @Test
    void theOutageRunsFromTheKillToTheNewActivesFirstFrameAndTheGapFromTheOldActivesLastFrame() {
        FailoverRound round = kill(1, 93_250L, 100);
        assertEquals(93.25, round.outageMs().getAsDouble(), 1e-9);
        assertEquals(-2.0, round.lastOldFrameMs().getAsDouble(), 1e-9);
        assertEquals(95.25, round.wireGapMs().getAsDouble(), 1e-9);
        assertEquals(70.0, round.decisionMs().getAsDouble(), 1e-9);
        assertEquals(OptionalDouble.empty(), kill(2, null, 100).outageMs());
    }

    @Test
    void everyOutageWithinTargetAndAP99StallWithinTargetAreMet() {
        String summary = FailoverReport.summary(null, List.of(kill(1, 80_000L, 90, 110), kill(2, 99_000L, 100, 120)), List.of());
        assertTrue(summary.contains("| 80.0 / 99.0 / 99.0 ms | ≤ 100 ms | yes (2 of 2 within) |"), summary);
        assertTrue(summary.contains("(2 connections × 2 kills): p50 / p99 / max | 100.0 / 120.0 / 120.0 ms | p99 ≤ 250 ms | yes |"), summary);
        assertTrue(summary.contains("| 0; 0; 0; 1000 | 0; 0; 0 | yes |"), summary);
    }

    @Test
    void oneOutageOverTargetOrOneRoundWithoutAFrameIsNotMet() {
        String over = FailoverReport.summary(null, List.of(kill(1, 80_000L, 90), kill(2, 101_000L, 90)), List.of());
        assertTrue(over.contains("| no (1 of 2 within) |"), over);
        String missing = FailoverReport.summary(null, List.of(kill(1, 80_000L, 90), kill(2, null, 90)), List.of());
        assertTrue(missing.contains("| no (1 of 2 within; 1 with no frame seen) |"), missing);
    }

    @Test
    void stallsArePooledOverEveryConnectionOfEveryRoundBeforeThePercentile() {
        List<Double> stalls = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            stalls.add(100.0);
        }
        double[] first = stalls.stream().mapToDouble(d -> d).toArray();
        // 198 connections at 100 ms and two at 400 ms: 1 % of the pool is over 250 ms, so p99 is still 100 ms
        FailoverRound a = kill(1, 90_000L, append(first, 400));
        FailoverRound b = kill(2, 90_000L, append(first, 400));
        assertEquals(200, FailoverReport.pooledStalls(List.of(a, b)).size());
        String summary = FailoverReport.summary(null, List.of(a, b), List.of());
        assertTrue(summary.contains("| 100.0 / 100.0 / 400.0 ms | p99 ≤ 250 ms | yes |"), summary);
    }

    @Test
    void aSwitchoverThatLeavesAMessageUnansweredOrStallsOver30MsIsNotMet() {
        String clean = FailoverReport.summary(null, List.of(), List.of(switchover(1, 0, 25, 28)));
        assertTrue(clean.contains("| 25.0 / 28.0 / 28.0 ms | p99 ≤ 30 ms | yes |"), clean);
        assertTrue(clean.contains("| 0; 0 | 0 | yes |"), clean);
        String lossy = FailoverReport.summary(null, List.of(), List.of(switchover(1, 1, 25, 31)));
        assertTrue(lossy.contains("| 25.0 / 31.0 / 31.0 ms | p99 ≤ 30 ms | no |"), lossy);
        assertTrue(lossy.contains("| 1; 1 | 0 | no |"), lossy);
    }

    @Test
    void theTableHasARowPerRoundAndALineSaysWhatARoundMeasured() {
        String table = FailoverReport.table(List.of(kill(1, 93_250L, 100), switchover(1, 0, 25)));
        assertEquals(4, table.lines().count(), table);
        assertTrue(table.contains("| kill -9 1 | r0 → r1 | 93.3 | -2.0 | 70.0 [348] |"), table);
        String line = FailoverReport.roundLine(kill(3, 93_250L, 100));
        assertTrue(line.startsWith("kill -9 #3 r0->r1: first frame of the new active +93.3 ms, old active's last -2.0 ms,"
                + " ACTIVE event +70.0 ms [348];"), line);
    }

    private static double[] append(double[] values, double last) {
        double[] all = java.util.Arrays.copyOf(values, values.length + 1);
        all[values.length] = last;
        return all;
    }
}
