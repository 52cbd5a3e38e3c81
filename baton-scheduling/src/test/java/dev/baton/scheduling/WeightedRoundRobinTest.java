package dev.baton.scheduling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightedRoundRobinTest {

    private static final int CLIENT = 0xC0000201;

    static Servers servers(int... weights) {
        Servers servers = new Servers(weights.length);
        for (int i = 0; i < weights.length; i++) {
            servers.weight(i, weights[i]);
        }
        return servers;
    }

    static int[] parseWeights(String spec) {
        return Arrays.stream(spec.split(":")).mapToInt(Integer::parseInt).toArray();
    }

    private static List<Integer> selections(Scheduler scheduler, ServerSet servers, int count) {
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chosen.add(scheduler.select(servers, CLIENT, i));
        }
        return chosen;
    }

    @Test
    void weightsFiveOneOneInterleaveAsNginxDoes() {
        // a, a, b, a, c, a, a: the example of nginx's smooth weighted round robin, twice over.
        assertEquals(List.of(0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0),
                selections(new WeightedRoundRobin(), servers(5, 1, 1), 14));
    }

    @Test
    void equalWeightsStrictlyAlternateEvenWhenLarge() {
        assertEquals(List.of(0, 1, 0, 1, 0, 1), selections(new WeightedRoundRobin(), servers(50, 50), 6));
    }

    /** Share of each server over N selections, within a stated tolerance (absolute fraction) of its weight. */
    @ParameterizedTest(name = "weights {0} over {1} selections, tolerance {2}")
    @CsvSource({
            "3:1,         10000, 0.01",
            "1:1:1,       9999,  0.01",
            "5:1:1,       10000, 0.01",
            "10:0:5,      10000, 0.01",
            "1:2:3:4,     10000, 0.01",
            "1000:1,      10010, 0.001",
            "7:13:2:9:1,  10000, 0.01",
    })
    void distributionFollowsTheWeights(String weightSpec, int selections, double tolerance) {
        int[] weights = parseWeights(weightSpec);
        Servers servers = servers(weights);
        int[] counts = new int[weights.length];
        WeightedRoundRobin scheduler = new WeightedRoundRobin();
        for (int i = 0; i < selections; i++) {
            counts[scheduler.select(servers, CLIENT, i)]++;
        }
        double total = Arrays.stream(weights).sum();
        for (int i = 0; i < weights.length; i++) {
            double share = counts[i] / (double) selections;
            double expected = weights[i] / total;
            assertEquals(expected, share, tolerance, "server " + i + " of " + weightSpec);
        }
    }

    /**
     * Smoothness: in every window of L consecutive selections (L up to the weight total W), every server's
     * count stays within 2 of its fair share L * w / W. A bursty round robin (all of a's turns, then b's)
     * fails this badly, e.g. 50:50 as fifty a then fifty b.
     */
    @ParameterizedTest(name = "weights {0}")
    @CsvSource({"5:1:1", "3:1", "50:50", "19:3:9", "13:7:4:16:1", "14:17:7:10:10:19", "100:1:1:1"})
    void everyWindowOfSelectionsStaysCloseToTheWeights(String weightSpec) {
        int[] weights = parseWeights(weightSpec);
        int total = Arrays.stream(weights).sum();
        List<Integer> chosen = selections(new WeightedRoundRobin(), servers(weights), 2 * total);
        for (int length = 1; length <= total; length++) {
            for (int start = 0; start + length <= chosen.size(); start++) {
                int[] counts = new int[weights.length];
                for (int k = start; k < start + length; k++) {
                    counts[chosen.get(k)]++;
                }
                for (int i = 0; i < weights.length; i++) {
                    double fair = length * (double) weights[i] / total;
                    assertTrue(Math.abs(counts[i] - fair) < 2,
                            "server " + i + " chosen " + counts[i] + " times in " + length + " from " + start);
                }
            }
        }
    }

    @Test
    void unavailableServerIsSkipped() {
        Servers servers = servers(1, 1, 1);
        servers.available(1, false);
        assertEquals(List.of(0, 2, 0, 2, 0, 2), selections(new WeightedRoundRobin(), servers, 6));
    }

    @Test
    void weightZeroServerIsSkipped() {
        assertEquals(List.of(0, 2, 0, 2), selections(new WeightedRoundRobin(), servers(1, 0, 1), 4));
    }

    @Test
    void noAvailableServerGivesMinusOne() {
        Servers servers = servers(1, 2);
        servers.available(0, false);
        servers.available(1, false);
        WeightedRoundRobin scheduler = new WeightedRoundRobin();
        assertEquals(-1, scheduler.select(servers, CLIENT, 0));
        assertEquals(-1, scheduler.select(servers(0, 0), CLIENT, 0));
        assertEquals(-1, new WeightedRoundRobin().select(new Servers(0), CLIENT, 0));
    }

    @Test
    void changedWeightsTakeEffectAtTheNextSelection() {
        Servers servers = servers(1, 1);
        WeightedRoundRobin scheduler = new WeightedRoundRobin();
        selections(scheduler, servers, 1_001);
        servers.weight(0, 3);
        int[] counts = new int[2];
        for (int i = 0; i < 4_000; i++) {
            counts[scheduler.select(servers, CLIENT, i)]++;
        }
        assertEquals(3_000, counts[0], 2);
        assertEquals(1_000, counts[1], 2);
    }

    @Test
    void serverThatComesBackIsNotFloodedWithASavedUpBurst() {
        Servers servers = servers(1, 1);
        WeightedRoundRobin scheduler = new WeightedRoundRobin();
        servers.available(1, false);
        selections(scheduler, servers, 100);
        servers.available(1, true);
        List<Integer> chosen = selections(scheduler, servers, 10);
        for (int i = 1; i < chosen.size(); i++) {
            assertTrue(!chosen.get(i).equals(chosen.get(i - 1)), "alternates: " + chosen);
        }
    }

    @Test
    void serverSetLargerThanExpectedIsServed() {
        int[] weights = new int[40];
        Arrays.fill(weights, 1);
        List<Integer> chosen = selections(new WeightedRoundRobin(2), servers(weights), 40);
        assertEquals(40, chosen.stream().distinct().count(), "each of 40 equal servers once per round");
    }
}
