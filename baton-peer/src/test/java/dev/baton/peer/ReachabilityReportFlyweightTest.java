package dev.baton.peer;

import dev.baton.codec.NetworkOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A REACHABILITY_REPORT chunk with one field out of range is invalid as a whole; each row breaks one rule. */
class ReachabilityReportFlyweightTest {

    static final int RECORDS = 3;

    /** A valid chunk: elements 5..7 of 8. */
    static MemorySegment valid() {
        int length = MessageType.REACHABILITY_REPORT.payloadLength(RECORDS);
        MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        ReachabilityReportFlyweight report = new ReachabilityReportFlyweight().wrap(segment, 0, length).set(7, 8, 5, RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            report.record(i, ("s-" + i).getBytes(StandardCharsets.US_ASCII), 10, i == 0, ReachabilityReportFlyweight.HEALTH_UP);
        }
        return segment;
    }

    static Arguments row(String rule, Consumer<MemorySegment> edit) {
        return Arguments.of(rule, edit);
    }

    static void put8(MemorySegment s, long at, int value) {
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, (byte) value);
    }

    static long record(int index) {
        return ReachabilityReportFlyweight.FIXED_LENGTH + (long) index * ReachabilityReportFlyweight.RECORD_LENGTH;
    }

    static Stream<Arguments> breaks() {
        return Stream.of(
                row("element count above 1024", s -> s.set(NetworkOrder.SHORT, ReachabilityReportFlyweight.ELEMENT_COUNT_OFFSET, (short) 1025)),
                row("records past the element count", s -> s.set(NetworkOrder.SHORT, ReachabilityReportFlyweight.FIRST_INDEX_OFFSET, (short) 6)),
                row("count larger than the records present", s -> s.set(NetworkOrder.SHORT, ReachabilityReportFlyweight.COUNT_OFFSET, (short) 4)),
                row("empty name", s -> put8(s, record(1), 0)),
                row("a byte outside the name set", s -> put8(s, record(2) + 1, ' ')),
                row("a byte after the name's NUL", s -> put8(s, record(0) + 20, 'x')),
                row("a control byte", s -> put8(s, record(0), 0x7F)),
                row("weight 0", s -> s.set(NetworkOrder.SHORT, record(1) + ReachabilityReportFlyweight.WEIGHT_OFFSET, (short) 0)),
                row("weight 1001", s -> s.set(NetworkOrder.SHORT, record(1) + ReachabilityReportFlyweight.WEIGHT_OFFSET, (short) 1001)),
                row("health 3", s -> put8(s, record(2) + ReachabilityReportFlyweight.HEALTH_OFFSET, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breaks")
    void oneBrokenFieldMakesTheChunkInvalid(String rule, Consumer<MemorySegment> edit) {
        ReachabilityReportFlyweight report = new ReachabilityReportFlyweight();
        MemorySegment segment = valid();
        assertTrue(report.wrap(segment, 0, (int) segment.byteSize()).valid(), "the unbroken chunk is valid");
        edit.accept(segment);
        assertEquals(false, report.wrap(segment, 0, (int) segment.byteSize()).valid(), rule);
    }
}
