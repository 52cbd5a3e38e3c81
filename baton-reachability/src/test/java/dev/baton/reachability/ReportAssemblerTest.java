package dev.baton.reachability;

import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.probe.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A report cut into chunks by {@link ReportChunks} and put together again by {@link ReportAssembler}. */
class ReportAssemblerTest {

    static ReachabilityReport report(String router, int elements, int salt) {
        List<ElementReport> list = new ArrayList<>();
        Health[] healths = Health.values();
        for (int i = 0; i < elements; i++) {
            list.add(new ElementReport("e-" + i + "." + salt, 1 + (i * 7 + salt) % 1000, i % 5 == 0,
                    healths[(i + salt) % healths.length]));
        }
        return new ReachabilityReport(router, list);
    }

    /** Chunk {@code chunk} of {@code chunks} as a wrapped, validated flyweight (as the agent hands it over). */
    static ReachabilityReportFlyweight chunk(ReportChunks chunks, int chunk) {
        int length = chunks.payloadLength(chunk);
        ReachabilityReportFlyweight flyweight = new ReachabilityReportFlyweight()
                .wrap(MemorySegment.ofArray(new byte[length]), 0, length);
        chunks.write(chunk, flyweight);
        assertTrue(flyweight.valid(), "a chunk Baton writes is valid");
        return flyweight;
    }

    @ParameterizedTest(name = "{0} elements")
    @ValueSource(ints = {0, 1, 49, 50, 51, 1024})
    void aReportComesThroughWhole(int elements) {
        ReachabilityReport sent = report("b", elements, 3);
        ReportChunks chunks = new ReportChunks(9, sent);
        assertEquals(Math.max(1, (elements + 49) / 50), chunks.chunks());
        ReportAssembler assembler = new ReportAssembler("b");
        for (int c = chunks.chunks() - 1; c >= 0; c--) { // any order
            assertEquals(c == 0, assembler.offer(chunk(chunks, c), 100), "complete only with the last chunk in");
        }
        assertEquals(sent, assembler.report());
        assertEquals(100, assembler.reportAtMs());
    }

    @Test
    void aLostChunkIsFilledByThePeriodicResend() {
        ReportChunks chunks = new ReportChunks(1, report("b", 120, 1));
        ReportAssembler assembler = new ReportAssembler("b");
        assertFalse(assembler.offer(chunk(chunks, 0), 0));
        assertFalse(assembler.offer(chunk(chunks, 2), 0)); // chunk 1 lost
        assertNull(assembler.report(), "no report from part of a generation");
        assertFalse(assembler.offer(chunk(chunks, 0), 1_000));
        assertTrue(assembler.offer(chunk(chunks, 1), 1_000));
        assertEquals(chunks.generation(), assembler.generation());
        assertFalse(assembler.offer(chunk(chunks, 2), 1_000), "the rest of the resend changes nothing");
        assertEquals(1, assembler.completedReports());
        assertFalse(assembler.offer(chunk(chunks, 0), 2_000));
        assertEquals(2_000, assembler.reportAtMs(), "a resend of the current report says it is still current");
    }

    @Test
    void aNewerGenerationStartsOverAndAnOlderOneIsStale() {
        ReportChunks first = new ReportChunks(5, report("b", 60, 1));
        ReportChunks second = new ReportChunks(6, report("b", 60, 2));
        ReportAssembler assembler = new ReportAssembler("b");
        assembler.offer(chunk(first, 0), 0);
        assertFalse(assembler.offer(chunk(second, 1), 0), "a newer generation starts over: first's chunk 0 does not count");
        assertFalse(assembler.offer(chunk(first, 1), 0));
        assertEquals(1, assembler.staleChunks());
        assertTrue(assembler.offer(chunk(second, 0), 0));
        assertEquals(report("b", 60, 2), assembler.report());
        assertFalse(assembler.offer(chunk(first, 0), 0), "an older generation never replaces a newer report");
        assertEquals(report("b", 60, 2), assembler.report());
    }

    @Test
    void generationsWrapAsSerialNumbers() {
        ReportAssembler assembler = new ReportAssembler("b");
        assertTrue(assembler.offer(chunk(new ReportChunks(0xFFFF_FFFFL, report("b", 3, 1)), 0), 0));
        assertTrue(assembler.offer(chunk(new ReportChunks(0x1_0000_0000L, report("b", 3, 2)), 0), 0), "0 follows 2^32 - 1");
        assertEquals(report("b", 3, 2), assembler.report());
    }

    @Test
    void oneGenerationWithTwoSizesIsDroppedUntilTheNext() {
        ReportAssembler assembler = new ReportAssembler("b");
        assembler.offer(chunk(new ReportChunks(4, report("b", 60, 1)), 0), 0);
        assertFalse(assembler.offer(chunk(new ReportChunks(4, report("b", 70, 1)), 1), 0));
        assertEquals(1, assembler.inconsistentChunks());
        assertFalse(assembler.offer(chunk(new ReportChunks(4, report("b", 60, 1)), 1), 0), "the generation is given up");
        assertNull(assembler.report());
        assertEquals(Long.MIN_VALUE, assembler.reportAtMs());
        assertTrue(assembler.offer(chunk(new ReportChunks(5, report("b", 1, 1)), 0), 0));
    }

    @Test
    void chunksOfAGenerationGivenUpDoNotKeepAnOlderReportCurrent() {
        ReportAssembler assembler = new ReportAssembler("b");
        assertTrue(assembler.offer(chunk(new ReportChunks(3, report("b", 1, 1)), 0), 100));
        assembler.offer(chunk(new ReportChunks(4, report("b", 60, 1)), 0), 200);
        assembler.offer(chunk(new ReportChunks(4, report("b", 70, 1)), 1), 300); // given up
        assembler.offer(chunk(new ReportChunks(4, report("b", 60, 1)), 0), 400);
        assertEquals(100, assembler.reportAtMs(), "generation 3's report was last said at 100 ms");
        assertEquals(3, assembler.generation());
    }

    @Test
    void aRestartedPeerStartsItsGenerationsOver() {
        ReportAssembler assembler = new ReportAssembler("b");
        assertTrue(assembler.offer(chunk(new ReportChunks(900, report("b", 2, 1)), 0), 0));
        assembler.reset();
        assertNull(assembler.report(), "its old report says nothing about it now");
        assertTrue(assembler.offer(chunk(new ReportChunks(1, report("b", 2, 2)), 0), 0));
        assertEquals(report("b", 2, 2), assembler.report());
    }

    @Test
    void namesThatCannotGoOnTheWireAreRefused() {
        List<ElementReport> tooLong = List.of(new ElementReport("a-name-longer-than-24-chars", 1, false, Health.UP));
        assertThrows(IllegalArgumentException.class, () -> new ReportChunks(1, new ReachabilityReport("a", tooLong)));
        List<ElementReport> space = List.of(new ElementReport("web server", 1, false, Health.UP));
        assertThrows(IllegalArgumentException.class, () -> new ReportChunks(1, new ReachabilityReport("a", space)));
    }
}
