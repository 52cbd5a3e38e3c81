package dev.baton.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoLoadTest {

    /** Four connections in ha_client.py's result format: two intact, one reset, one with a wrong byte. */
    private static final String RESULT = """
            {"address": "192.0.2.10", "port": 7000, "connections": 4, "interval_ms": 20.0, "max_tick_lateness_ms": 3.5,
             "per_connection": [
              {"id": 0, "established": true, "ok": 100, "mismatches": 0, "errors": 0, "error": "", "unanswered": 0,
               "longest_stall_ms": 95.5, "stall_began_epoch_ms": 1000100.0, "long_stalls": [[1000100.0, 95.5]]},
              {"id": 1, "established": true, "ok": 100, "mismatches": 0, "errors": 0, "error": "", "unanswered": 0,
               "longest_stall_ms": 21.0, "stall_began_epoch_ms": 999990.0, "long_stalls": []},
              {"id": 2, "established": true, "ok": 40, "mismatches": 0, "errors": 1, "error": "receive: ECONNRESET", "unanswered": 2,
               "longest_stall_ms": 300.0, "stall_began_epoch_ms": 1000050.0, "long_stalls": [[1000050.0, 300.0]]},
              {"id": 3, "established": true, "ok": 60, "mismatches": 1, "errors": 1, "error": "echo mismatch", "unanswered": 1,
               "longest_stall_ms": 40.0, "stall_began_epoch_ms": null, "long_stalls": []}
             ],
             "probes": [{"ok": true}, {"ok": false, "error": "no echo within 5 s"}]}
            """;

    @Test
    void brokenConnectionsAreThoseResetOrWithAWrongByteAndIntactOnesAreNot() {
        EchoLoad load = EchoLoad.parse(RESULT);
        assertEquals(List.of(2L, 3L), load.brokenConnections().stream().map(c -> ((Number) c.get("id")).longValue()).toList());
        assertEquals(300, load.total("ok"));
        assertEquals(4, load.established());
    }

    @Test
    void messagesLostCountsUnansweredMessagesAndMismatches() {
        assertEquals(2 + 1 + 1, EchoLoad.parse(RESULT).messagesLost());
    }

    @Test
    void stallPercentilesAreNearestRankOverTheConnectionsLongestStalls() {
        EchoLoad load = EchoLoad.parse(RESULT);
        assertEquals(List.of(21.0, 40.0, 95.5, 300.0), load.stallsMs());
        assertEquals(40.0, load.stallPercentileMs(50));
        assertEquals(300.0, load.stallPercentileMs(99));
        assertEquals(300.0, load.stallPercentileMs(100));
    }

    @Test
    void failedProbesAreListed() {
        EchoLoad load = EchoLoad.parse(RESULT);
        assertEquals(1, load.failedProbes().size());
        assertEquals("no echo within 5 s", load.failedProbes().getFirst().get("error"));
    }

    @Test
    void stallOnsetsAndTheLongStallTimelineAreRelativeToTheFailure() {
        EchoLoad load = EchoLoad.parse(RESULT);
        assertEquals("-10..+100 ms", load.stallOnsetRelativeTo(1_000_000));
        assertEquals("stalls longer than three intervals by onset: +0 ms: 1 (<= 300 ms); +100 ms: 1 (<= 96 ms);",
                load.longStallTimeline(1_000_000));
        assertTrue(load.summary("x").contains("probes 1/2 echoed"), load.summary("x"));
    }

    @ParameterizedTest(name = "p{1} of {0} = {2}")
    @CsvSource(delimiter = '|', value = {
            "1                    | 50  | 1",
            "1;2                  | 50  | 1",
            "1;2                  | 51  | 2",
            "1;2;3;4;5;6;7;8;9;10 | 90  | 9",
            "1;2;3;4;5;6;7;8;9;10 | 99  | 10",
            "1;2;3;4;5;6;7;8;9;10 | 0   | 1",
            "1;2;3;4;5;6;7;8;9;10 | 100 | 10",
    })
    void nearestRankIsTheSmallestValueWithThatShareAtOrBelowIt(String values, double percentile, double expected) {
        List<Double> ascending = java.util.Arrays.stream(values.split(";")).map(Double::parseDouble).toList();
        assertEquals(expected, EchoLoad.nearestRank(ascending, percentile));
    }

    @Test
    void nearestRankRejectsNoValuesAndPercentilesOutsideTheRange() {
        assertThrows(IllegalArgumentException.class, () -> EchoLoad.nearestRank(List.of(), 50));
        assertThrows(IllegalArgumentException.class, () -> EchoLoad.nearestRank(List.of(1.0), 101));
    }

    @Test
    void aResultWithoutProbesHasNone() {
        EchoLoad load = new EchoLoad(Map.of("per_connection", List.of()));
        assertTrue(load.probes().isEmpty());
        assertTrue(load.failedProbes().isEmpty());
    }
}
