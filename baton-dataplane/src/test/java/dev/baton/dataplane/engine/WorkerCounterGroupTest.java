package dev.baton.dataplane.engine;

import dev.baton.dataplane.stats.WorkerCounters;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class WorkerCounterGroupTest {

    /** A global counter added to {@link WorkerCounters} without a name here would be counted and never shown. */
    @Test
    void everyGlobalWorkerCounterBelowTheDropsHasExactlyOneName() {
        int[] named = WorkerCounterGroup.namedGlobalIds();
        Arrays.sort(named);
        assertArrayEquals(IntStream.range(0, WorkerCounters.DROPS).toArray(), named);
    }
}
