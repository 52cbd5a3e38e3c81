package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SynGeneratorCountersTest {

    @Test
    void whatTheGeneratorStoresTheBenchmarkReadsThroughItsOwnMapping(@TempDir Path directory) {
        Path file = directory.resolve("syn.counters");
        try (SynGeneratorCounters generator = SynGeneratorCounters.create(file);
             SynGeneratorCounters benchmark = SynGeneratorCounters.open(file)) {
            assertEquals(SynGeneratorCounters.STARTING, benchmark.get(SynGeneratorCounters.Field.STATE));
            generator.set(SynGeneratorCounters.Field.STATE, SynGeneratorCounters.RUNNING);
            generator.set(SynGeneratorCounters.Field.SYNS, 1_000);
            generator.set(SynGeneratorCounters.Field.ACKS, 990);
            generator.set(SynGeneratorCounters.Field.CONFIRMS, 10);
            generator.set(SynGeneratorCounters.Field.PENDING, 980);
            SynGeneratorCounters.Snapshot first = benchmark.snapshot();
            assertEquals(new SynGeneratorCounters.Snapshot(SynGeneratorCounters.RUNNING, 1_000, 990, 10, 980, 0, 0), first);

            generator.set(SynGeneratorCounters.Field.SYNS, 3_000);
            generator.set(SynGeneratorCounters.Field.TRANSMIT_RING_FULL, 4);
            generator.set(SynGeneratorCounters.Field.STATE, SynGeneratorCounters.FINISHED);
            SynGeneratorCounters.Snapshot delta = benchmark.snapshot().minus(first);
            assertEquals(2_000, delta.syns());
            assertEquals(0, delta.acks());
            assertEquals(4, delta.transmitRingFull());
            assertEquals(SynGeneratorCounters.FINISHED, delta.state(), "the later state");
            assertEquals(980, delta.pending(), "a level, not a count: the later one");
        }
    }

    @Test
    void aFileThatIsNotAGeneratorsCountersIsRefused(@TempDir Path directory) throws Exception {
        assertThrows(IllegalStateException.class, () -> SynGeneratorCounters.open(directory.resolve("absent")));
        Path empty = Files.write(directory.resolve("empty"), new byte[64]);
        assertThrows(IllegalStateException.class, () -> SynGeneratorCounters.open(empty), "no magic yet");
        Path shortFile = Files.write(directory.resolve("short"), new byte[8]);
        assertThrows(IllegalStateException.class, () -> SynGeneratorCounters.open(shortFile));
    }

    @Test
    void statesHaveNames() {
        assertEquals("running", SynGeneratorCounters.stateName(SynGeneratorCounters.RUNNING));
        assertEquals("timed out", SynGeneratorCounters.stateName(SynGeneratorCounters.TIMED_OUT));
        assertEquals("unknown (9)", SynGeneratorCounters.stateName(9));
    }
}
